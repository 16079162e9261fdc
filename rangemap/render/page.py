"""The map page's own layout (CSS) and behaviour (JS): panels beside or below the map, labels
placed without overlaps, details that fit, the wheel left to the page, keyboard legend."""

from __future__ import annotations

from rangemap.render.style import FAINT_LABEL_COLOR

#: Map width (px) from which the legend and sources sit beside the map instead of below it.
SIDE_BY_SIDE_PX = 860
#: Map width (px) below which details open in a bottom sheet and labels take their short form.
NARROW_PX = 600

#: Layout. Without `rm-flow` the page fits its window exactly (an iframe whose host does not
#: resize it: title, map, folded panels and credits all show in the fixed height); with
#: `rm-flow` (a window of its own, or a host that resizes the frame) the map has a height of
#: its own and the page grows with the panels below or beside it.
PAGE_CSS = f"""
html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
html, body {{ margin: 0; }}
body {{
  display: grid; grid-template-columns: minmax(0, 1fr);
  grid-template-rows: auto minmax(200px, 1fr) auto auto auto; height: 100vh; overflow: hidden;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #222; background: #fff;
}}
html.rm-flow body {{ height: auto; overflow: visible; grid-template-rows: none; }}
.rm-head {{ grid-column: 1 / -1; padding: 8px 12px 6px; border-bottom: 1px solid #ddd; }}
.rm-head h1 {{ font-size: clamp(16px, 2.4vw, 21px); line-height: 1.25; margin: 0; }}
.rm-head p {{ margin: 3px 0 0; font-size: clamp(12px, 1.6vw, 14px); color: #444; }}
body > .rm-map {{
  grid-column: 1; position: relative !important; width: 100% !important;
  height: 100% !important; min-height: 200px; top: 0 !important; left: 0 !important;
}}
html.rm-flow body > .rm-map {{ height: clamp(360px, 112vw, 560px) !important; }}
.leaflet-container.rm-offline {{ background: #D6E4EE; }}
.rm-side {{
  grid-column: 1; min-height: 0; overflow: auto; padding: 2px 12px 4px;
  display: flex; flex-wrap: wrap; gap: 0 16px; align-content: flex-start;
  border-top: 1px solid #ddd; font-size: 13px; line-height: 1.35;
}}
html:not(.rm-flow) .rm-side {{ max-height: 38vh; }}
@media (min-width: {SIDE_BY_SIDE_PX}px) {{ html:not(.rm-flow) .rm-side {{ max-height: none; }} }}
.rm-side details {{ flex: 0 1 auto; }}
.rm-side details[open] {{ flex-basis: 100%; }}
.rm-side summary {{ cursor: pointer; font-weight: 600; padding: 4px 0; min-height: 24px; }}
.rm-side h2 {{ font-size: 13px; margin: 8px 0 2px; }}
.rm-side ul, .rm-side ol {{ margin: 0; padding-left: 0; list-style: none; }}
.rm-side ol {{ padding-left: 18px; list-style: decimal; }}
.rm-side li {{ margin: 3px 0; }}
.rm-key li, .rm-legend-layers li {{ display: flex; gap: 6px; align-items: baseline; }}
.rm-key svg, .rm-legend-layers svg {{ flex: none; position: relative; top: 1px; }}
.rm-legend-layers label {{ display: flex; gap: 6px; align-items: baseline; cursor: pointer; }}
/* Touch targets: rows at least 24 px high keep each checkbox and (i) 24 px from the next
   (WCAG 2.5.8). */
.rm-legend-layers li, .rm-legend-layers label {{ min-height: 24px; }}
.rm-legend-layers input {{ margin: 0; flex: none; }}
.rm-key {{ display: flex; flex-wrap: wrap; gap: 0 12px; font-size: 12px; }}
.rm-key-line {{ gap: 0 10px; }}
.rm-key li {{ margin: 1px 0; }}
.rm-legend-layers li {{ justify-content: space-between; }}
.rm-legend-layers li.rm-treaty {{ flex-wrap: wrap; justify-content: flex-start; gap: 2px 10px; }}
.rm-legend-layers .rm-cov {{ font-size: 12px; }}
.rm-more {{
  font: italic 700 12px/16px Georgia, serif; width: 18px; height: 18px; padding: 0;
  border: 1.5px solid #235; border-radius: 50%; background: #fff; color: #235;
  margin: 0 3px 0 6px; cursor: pointer; flex: none;
}}
.rm-more:focus-visible, .rm-side input:focus-visible, .rm-side summary:focus-visible {{
  outline: 2px solid #0072B2; outline-offset: 1px;
}}
.rm-cov {{ color: #555; }}
.rm-later {{ margin: 8px 0 2px; }}
.rm-later > summary {{ font-weight: 600; font-size: 13px; }}
.rm-later > .rm-legend-layers {{ margin-top: 8px; }}  /* 24 px clear of the summary */
.rm-note {{ color: #555; margin: 6px 0 2px; }}
.rm-tag {{
  display: inline-block; font-size: 12px; padding: 0 4px; border-radius: 3px;
  background: #f3e3c3; color: #5a3d00; margin-left: 5px; white-space: nowrap;
}}
.rm-words {{ grid-column: 1 / -1; min-width: 0; }}
.rm-text {{ padding: 2px 12px 4px; border-top: 1px solid #ddd; }}
.rm-text summary {{ cursor: pointer; font-weight: 600; padding: 4px 0; min-height: 24px; }}
.rm-text p {{ margin: 4px 0; max-width: 75ch; }}
html:not(.rm-flow) .rm-text[open] {{ max-height: 30vh; overflow: auto; }}
.rm-foot {{
  grid-column: 1 / -1; padding: 5px 12px 7px; font-size: 12px; color: #444;
  border-top: 1px solid #ddd;
}}
.rm-foot p {{ margin: 2px 0; }}
.rm-foot .rm-credits {{ color: #555; }}
@media (min-width: {SIDE_BY_SIDE_PX}px) {{
  body {{
    grid-template-columns: minmax(0, 1fr) 340px;
    grid-template-rows: auto minmax(300px, 1fr) auto auto;
  }}
  html.rm-flow body {{ grid-template-rows: none; }}
  .rm-side {{
    grid-column: 2; grid-row: 2; display: block;
    font-size: 13px;
    border-top: 0; border-left: 1px solid #ddd; padding: 4px 12px;
  }}
  /* The map's height is its own: unfolding the panels beside it scrolls them, never
     stretches the map (a map grown to the panels' height framed another part of the world). */
  html.rm-flow body {{ --rm-flow-map-h: clamp(460px, 50vw, 640px); }}
  html.rm-flow body > .rm-map {{ height: var(--rm-flow-map-h) !important; }}
  html.rm-flow .rm-side {{
    align-self: start; max-height: var(--rm-flow-map-h) !important; overflow: auto;
    box-sizing: border-box;
  }}
}}
.rm-pop {{
  font-size: 13px; line-height: 1.35; max-height: var(--rm-pop-h, 300px); overflow: auto;
}}
.rm-pop h2 {{ font-size: 14px; margin: 0 0 4px; }}
.rm-pop p {{ margin: 3px 0; }}
.rm-pop ol {{ margin: 2px 0; padding-left: 18px; }}
.rm-pop table {{ border-collapse: collapse; }}
.rm-pop td {{ padding: 1px 4px; vertical-align: top; }}
.rm-pop td.rm-num {{ text-align: right; white-space: nowrap; }}
.rm-tip {{ font-size: 12px; white-space: normal; }}
.leaflet-tooltip {{
  white-space: normal; width: max-content; min-width: 160px; max-width: min(280px, 80vw);
  box-sizing: border-box;
}}
/* A thin scale bar in the house style: a hairline with ticks, the figure above it. */
.leaflet-control-scale-line {{
  border: 1px solid #444; border-top: 0; background: rgba(255, 255, 255, 0.75);
  color: #222; font-size: 12px; line-height: 1.2; padding: 0 4px 1px; box-sizing: border-box;
}}
.leaflet-control-layers-overlays label {{ font-size: 12px; }}
.leaflet-control-layers-expanded {{
  max-width: min(340px, calc(100vw - 70px)); max-height: calc(var(--rm-map-h, 400px) - 60px);
  overflow: auto;
}}
/* Leaflet 1.9 paths keep a focus ring, drawn as a box around the whole ring once clicked. */
.leaflet-container path.leaflet-interactive:focus {{ outline: none; }}
/* Only drawn paths take clicks: an overlay pane's SVG must not block the panes below. */
.leaflet-pane > svg {{ pointer-events: none; }}
.rm-ml-pane {{ pointer-events: none; }}
/* Range fills (rangemap.render.html_map._FILLS_PANE): opaque tints where rings overlap keep
   the darker of each channel, never a sum; the pane then tints the basemap below it. */
.leaflet-rm-fills-pane {{ mix-blend-mode: multiply; }}
.leaflet-rm-fills-pane path {{ mix-blend-mode: darken; }}
.rm-ml {{
  position: absolute; left: 0; top: 0; white-space: nowrap; font-size: 12px; line-height: 1.2;
  font-weight: 600; padding: 0 2px; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff, 0 0 5px #fff;
}}
.rm-ml-threshold, .rm-ml-band {{ font-weight: 400; color: {FAINT_LABEL_COLOR} !important; }}
.rm-ml-site {{ font-weight: 700; color: #000; font-size: 13px; }}
.rm-ml-place {{ font-weight: 400; color: #333; }}
.rm-ml-callout {{ font-weight: 700; color: #111; }}
.rm-ml-country {{
  font-weight: 400; color: #7a7a7a; font-size: 12px; letter-spacing: 0.04em;
  text-transform: uppercase;
}}
.rm-ml-capital {{ font-weight: 400; color: #555; font-size: 12px; }}
.rm-sheet {{
  position: absolute; left: 0; right: 0; bottom: 0; z-index: 1001; display: none;
  max-height: calc(100% - 96px); overflow: auto; background: #fff;
  box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.3); border-radius: 8px 8px 0 0;
  padding: 6px 40px 8px 12px; box-sizing: border-box;
}}
.rm-sheet .rm-pop {{ max-height: none; }}
.rm-sheet-open .rm-sheet {{ display: block; }}
.rm-sheet-open .leaflet-bottom {{ visibility: hidden; }}
.rm-sheet-close {{
  position: absolute; top: 4px; right: 4px; width: 32px; height: 32px; font-size: 20px;
  border: 0; background: transparent; cursor: pointer;
}}
.rm-visually-hidden {{
  position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap;
}}
@media (max-width: {NARROW_PX - 1}px) {{
  .rm-head {{ padding: 5px 8px 4px; }}
  .rm-head p {{ font-size: 12px; line-height: 1.3; }}
  .rm-side {{ padding: 0 8px 2px; }}
  .rm-foot {{ padding: 4px 8px 5px; }}
  html:not(.rm-flow) .rm-foot p {{ margin: 1px 0; }}  /* a fixed frame: the credits fit */
}}
"""

#: The page's behaviour, a function of the map and the page's data (see html_map).
PAGE_JS = """
function (map, cfg) {
  var container = map.getContainer(), root = document.documentElement;
  // Leaflet's default prefix carries a flag: a political symbol the desk did not choose.
  if (map.attributionControl) {
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
  }
  // Tooltips stay inside the map, whole: moved in from an edge after Leaflet places them.
  var placeTip = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    placeTip.call(this, pos);
    var el = this._container;
    if (!el || !this._map) { return; }
    // the box as drawn (Leaflet's direction classes add margins for the arrow)
    var r = el.getBoundingClientRect(), m = this._map.getContainer().getBoundingClientRect();
    var dx = Math.max(Math.min(0, m.right - 4 - r.right), m.left + 4 - r.left);
    var dy = Math.max(Math.min(0, m.bottom - 4 - r.bottom), m.top + 4 - r.top);
    if (dx || dy) { L.DomUtil.setPosition(el, L.DomUtil.getPosition(el).add([dx, dy])); }
  };
  if (cfg.offline) { container.classList.add("rm-offline"); }
  container.setAttribute("role", "main");  // the page's main content: one landmark per page
  container.setAttribute("aria-label", cfg.mapLabel);
  function narrow() { return map.getSize().x < cfg.narrowPx; }
  // Leaflet focuses the map on mousedown (for its keyboard control); focusing scrolls an
  // embedding article to the frame, so the page jumped under a reader's click.
  container.focus = function () {
    HTMLElement.prototype.focus.call(container, {preventScroll: true});
  };

  // --- The page scrolls over the map: wheel zoom after a click on the map or with Ctrl/Cmd.
  var armed = false;
  if (map.gestureHandling) {
    var handler = map.gestureHandling, scroll = handler._handleScroll;
    handler._handleScroll = function (e) {
      if (armed) { map.scrollWheelZoom.enable(); return; }
      scroll.call(handler, e);
    };
    handler.enable();
    // preclick: a click that opens a popup stops before the map's own click event
    map.on("preclick", function () { armed = true; map.scrollWheelZoom.enable(); });
    L.DomEvent.on(container, "mouseleave", function () {
      armed = false; map.scrollWheelZoom.disable();
    });
  }

  // --- Sizes the page reads from CSS: popups never taller than the map leaves them.
  function sizes() {
    var h = map.getSize().y;
    container.style.setProperty("--rm-map-h", h + "px");
    // a popup never taller than ~45 % of the map: the ring it is about stays in view
    container.style.setProperty("--rm-pop-h", Math.max(120, Math.min(280, h * 0.45)) + "px");
    L.Popup.prototype.options.autoPan = !narrow();
  }
  L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(56, 12);
  L.Popup.prototype.options.autoPanPaddingBottomRight = L.point(56, 40);
  sizes();

  // --- Details on phones: a bottom sheet under the top controls instead of a popup.
  var sheet = L.DomUtil.create("div", "rm-sheet", container);
  sheet.setAttribute("role", "dialog");
  sheet.setAttribute("aria-label", cfg.detailsLabel);
  L.DomEvent.disableClickPropagation(sheet);
  L.DomEvent.disableScrollPropagation(sheet);
  var sheetBody = L.DomUtil.create("div", "", sheet);
  var close = L.DomUtil.create("button", "rm-sheet-close", sheet);
  close.type = "button"; close.innerHTML = "&times;";
  close.setAttribute("aria-label", cfg.closeLabel);
  function closeSheet() { container.classList.remove("rm-sheet-open"); sheetBody.innerHTML = ""; }
  L.DomEvent.on(close, "click", closeSheet);
  L.DomEvent.on(document, "keydown", function (e) { if (e.key === "Escape") { closeSheet(); } });
  // A closed popup fades out for 200 ms; meanwhile it must not take the reader's wheel or
  // click (it stops both from reaching the map). Leaflet reuses the element on reopening.
  map.on("popupclose", function (e) {
    var el = e.popup.getElement(); if (el) { el.style.pointerEvents = "none"; }
  });
  map.on("popupopen", function (e) {
    e.popup.getElement().style.pointerEvents = "";
    if (!narrow()) { return; }
    var node = e.popup.getElement().querySelector(".leaflet-popup-content");
    sheetBody.innerHTML = node ? node.innerHTML : "";
    container.classList.add("rm-sheet-open");
    sheet.scrollTop = 0;
    setTimeout(function () { map.closePopup(e.popup); }, 0);
    // Opened from the legend below the map, the sheet is a screen away: bring it, and its
    // close button, into view.
    sheet.scrollIntoView({block: "nearest"});
    close.focus({preventScroll: true});
  });

  // --- Rings: smaller on top, and each answers only where no other outline runs within
  // reach of its hit line, so a ring never swallows a neighbour's outline. Where none is
  // clear (rings a pixel apart), it keeps a thin line: the larger answers just outside.
  // (The group first: a ring not shown may not be drawn yet, and asking for its hit line
  // draws it: renderer.)
  function shown(id) { return map.hasLayer(cfg.groups[id]) && cfg.hits[id]; }
  var CELL = 2, full = {};
  function lines(id) {  // a ring's whole hit lines, as drawn, before any stacking cuts them
    if (!full[id]) {
      var l = cfg.hits[id].getLatLngs();
      full[id] = Array.isArray(l[0]) ? l : [l];
    }
    return full[id];
  }
  // Points every ~2 px along a ring's lines, in layer px: x, y and, for a vertex of the line,
  // its own point (which the projection has seen already), else null.
  function samples(id) {
    return lines(id).map(function (line) {
      var xs = [], ys = [], at = [];
      for (var i = 0; i < line.length; i++) {
        var p = map.latLngToLayerPoint(line[i]);
        if (i) {
          var qx = xs[xs.length - 1], qy = ys[ys.length - 1], dx = p.x - qx, dy = p.y - qy;
          var n = Math.floor(Math.sqrt(dx * dx + dy * dy) / 2);
          for (var k = 1; k < n; k++) {
            xs.push(qx + dx * (k / n)); ys.push(qy + dy * (k / n)); at.push(null);
          }
        }
        xs.push(p.x); ys.push(p.y); at.push(line[i]);
      }
      return {xs: xs, ys: ys, at: at};
    });
  }
  // A grid cell's key: cells are 2 px, layer px stay well within +-2^27 cells.
  function cellKey(cx, cy) { return cx * 268435456 + cy; }
  function stackHits() {
    var order = cfg.order.filter(shown), grid = new Map(), pts = {};
    // each cell: the index (in `order`) of the one ring through it, or -1 for several
    order.forEach(function (id, i) {
      pts[id] = samples(id);
      pts[id].forEach(function (line) {
        for (var j = 0; j < line.xs.length; j++) {
          var key = cellKey(Math.floor(line.xs[j] / CELL), Math.floor(line.ys[j] / CELL));
          var was = grid.get(key);
          if (was === undefined) { grid.set(key, i); } else if (was !== i) { grid.set(key, -1); }
        }
      });
    });
    function clear(i, x, y, reach) {  // no other ring within `reach` cells
      var cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
      for (var dx = -reach; dx <= reach; dx++) {
        for (var dy = -reach; dy <= reach; dy++) {
          var cell = grid.get(cellKey(cx + dx, cy + dy));
          if (cell !== undefined && cell !== i) { return false; }
        }
      }
      return true;
    }
    // The stretches of a ring clear of the others, as lines: their two ends and the ring's
    // own vertices between them (the points between vertices lie on the straight line).
    function runs(id, i, reach) {
      var out = [];
      pts[id].forEach(function (line) {
        var start = -1, xs = line.xs, ys = line.ys, at = line.at;
        function end(last) {
          if (start >= 0 && last > start) {
            var run = [at[start] || map.layerPointToLatLng([xs[start], ys[start]])];
            for (var k = start + 1; k < last; k++) { if (at[k]) { run.push(at[k]); } }
            run.push(at[last] || map.layerPointToLatLng([xs[last], ys[last]]));
            out.push(run);
          }
          start = -1;
        }
        for (var j = 0; j < xs.length; j++) {
          if (clear(i, xs[j], ys[j], reach)) { if (start < 0) { start = j; } continue; }
          end(j - 1);
        }
        end(xs.length - 1);
      });
      return out;
    }
    order.forEach(function (id, i) {
      // The widest hit line that still keeps clear of every other outline somewhere.
      var hit = cfg.hits[id], found = null, reach;
      for (reach = 3; reach >= 1 && !found; reach--) {
        var r = runs(id, i, reach);
        if (r.length) { found = r; break; }
      }
      hit.setLatLngs(found || lines(id));
      hit.setStyle({"weight": found ? 2 * reach * CELL : 2});
      hit.bringToFront();
    });
  }

  // --- Labels: placed in a fixed order where they fit, never over another label or a control.
  var pane = map.createPane("rm-ring-labels");
  pane.classList.add("rm-ml-pane");
  pane.style.zIndex = 630;
  pane.setAttribute("aria-hidden", "true");
  var placesPane = map.createPane("rm-places");
  placesPane.style.zIndex = 620;
  placesPane.style.pointerEvents = "none";
  cfg.callouts.forEach(function (c) {
    L.polyline(c.line, {"pane": "rm-places", "color": "#222222", "weight": 1.5,
                        "dashArray": "2 4", "interactive": false}).addTo(map);
  });
  cfg.callouts.forEach(function (c) { dot(c.end, 3).addTo(map); });
  function dot(at, radius) {
    return L.circleMarker(at, {"pane": "rm-places", "radius": radius, "weight": 1,
      "color": "#ffffff", "fillColor": "#222222", "fillOpacity": 1, "interactive": false});
  }
  var baseDots = L.layerGroup().addTo(map);  // dots of the places whose names fit

  function outlinePoints(id) {
    var out = [];
    lines(id).forEach(function (line) {
      for (var i = 0; i < line.length; i += 3) { out.push(line[i]); }
    });
    return out;
  }

  // A label's size never changes: each text is measured once. Everything the labels need
  // from the page is read in one pass: the texts not measured yet (added for that and taken
  // out again) and whatever `read` reads; reading a size right after adding a label would
  // lay the page out again for every label.
  var textSizes = {};
  function measure(items, read) {  // items: [text, class] pairs
    var fresh = [], seen = {};
    items.forEach(function (item) {
      var key = item[1] + " " + item[0];
      if (textSizes[key] || seen[key]) { return; }
      seen[key] = true;
      var el = L.DomUtil.create("div", "rm-ml " + item[1], pane);
      el.textContent = item[0];
      fresh.push([key, el]);
    });
    var got = fresh.map(function (f) { return [f[1].offsetWidth, f[1].offsetHeight]; });
    read();
    fresh.forEach(function (f, i) {
      pane.removeChild(f[1]);
      if (got[i][1]) { textSizes[f[0]] = got[i]; }  // a hidden pane measures nothing
    });
  }
  function sizeOf(text, cls) {
    var key = cls + " " + text;
    if (!textSizes[key]) { measure([[text, cls]], function () {}); }
    return textSizes[key] || [0, 0];
  }

  function place() {
    pane.innerHTML = "";
    baseDots.clearLayers();
    var size = map.getSize(), short = narrow(), zoom = map.getZoom(), taken = [];
    function inView(points) {
      return points.some(function (at) {
        var p = map.latLngToContainerPoint(at);
        return p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y;
      });
    }
    // The texts that may be placed, in view: measured before anything is written.
    var wanted = [];
    function want(text, cls, points) { if (inView(points)) { wanted.push([text, cls]); } }
    cfg.sites.forEach(function (s) { want(s.name, "rm-ml-site", [s.at]); });
    cfg.callouts.forEach(function (c) { want(c.text, "rm-ml-callout", [c.end]); });
    cfg.places.forEach(function (p) { want(p.name, "rm-ml-place", [p.at]); });
    cfg.labels.forEach(function (l) {
      if (!l.ids.some(shown)) { return; }
      var points = l.anchors.concat(outlinePoints(l.ids[0]));
      want(short ? l.short : l.text, "rm-ml-" + l.kind, points);
      if (!short) { want(l.short, "rm-ml-" + l.kind, points); }
    });
    if (cfg.basemap) {
      cfg.basemap.countries.forEach(function (c) {
        if (zoom >= c[3]) { want(c[0], "rm-ml-country", [[c[1], c[2]]]); }
      });
      cfg.basemap.capitals.forEach(function (c) {
        if (zoom >= c[3]) { want(c[0], "rm-ml-capital", [[c[1], c[2]]]); }
      });
    }
    measure(wanted, function () {
      var box = container.getBoundingClientRect();
      container.querySelectorAll(".leaflet-control").forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width && r.height) {
          taken.push({l: r.left - box.left - 3, t: r.top - box.top - 3,
                      r: r.right - box.left + 3, b: r.bottom - box.top + 3});
        }
      });
      if (map.rmNames) { map.rmNames.measure(); }
    });
    function free(b) {
      if (b.l < 3 || b.t < 3 || b.r > size.x - 3 || b.b > size.y - 3) { return false; }
      for (var i = 0; i < taken.length; i++) {
        var o = taken[i];
        if (b.l < o.r && b.r > o.l && b.t < o.b && b.b > o.t) { return false; }
      }
      return true;
    }
    function label(text, cls, color, x, y, data) {
      var el = L.DomUtil.create("div", "rm-ml " + cls, pane);
      el.textContent = text;
      if (color) { el.style.color = color; }
      L.DomUtil.setPosition(el, map.containerPointToLayerPoint([x, y]));
      if (data) { el.setAttribute("data-layers", data); }
      return el;
    }
    // Try each point with each offset; keep the label at the first free box.
    // `from`: a ring's site; the label may then also sit just outside or inside the outline.
    function put(text, cls, color, points, offsets, data, from) {
      if (!inView(points)) { return null; }  // no work for labels off the map
      var s = sizeOf(text, cls), w = s[0], h = s[1], c = from && map.latLngToContainerPoint(from);
      for (var i = 0; i < points.length; i++) {
        var p = map.latLngToContainerPoint(points[i]), tries = offsets;
        if (c && p.distanceTo(c) > 1) {
          var u = p.subtract(c).divideBy(p.distanceTo(c));
          var reach = Math.abs(u.x) * w / 2 + Math.abs(u.y) * h / 2 + 2;
          // just outside the outline, or just inside it (a ring that fills the map)
          tries = offsets.concat([[-0.5, -0.5, u.x * reach, u.y * reach],
                                  [-0.5, -0.5, -u.x * reach, -u.y * reach]]);
        }
        for (var j = 0; j < tries.length; j++) {
          var o = tries[j], x = p.x + o[0] * w + o[2], y = p.y + o[1] * h + o[3];
          var b = {l: x, t: y, r: x + w, b: y + h};
          if (free(b)) {
            taken.push(b);
            return label(text, cls, color, x, y, data);
          }
        }
      }
      return null;
    }

    var beside = [[0, -0.5, 7, 0], [-1, -0.5, -7, 0], [-0.5, -1, 0, -6], [-0.5, 0, 0, 6]];
    var centred = [[-0.5, -0.5, 0, 0]];
    cfg.sites.forEach(function (s) {
      var p = map.latLngToContainerPoint(s.at);
      taken.push({l: p.x - 6, t: p.y - 6, r: p.x + 6, b: p.y + 6});
    });
    // Places by news value (rangemap.story): the story's, capitals in and near the lead,
    // the hosts' capitals, as many as the map's size takes; then big cities, a handful.
    var storyNames = Math.max(8, Math.round(size.x * size.y / 15000));
    var populous = Math.max(3, Math.round(size.x * size.y / 80000));
    function spotOf(p) {
      var at = map.latLngToContainerPoint(p.at);
      if (at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) { return null; }
      return {l: at.x - 4, t: at.y - 4, r: at.x + 4, b: at.y + 4};
    }
    function name(p, spot) {
      spot = spot || spotOf(p);
      var mine = spot && spot === p.rmSpot;
      var full = p.rank >= 4 ? populous <= 0 : p.rank >= 1 && storyNames <= 0;
      if (!spot || full || (!mine && !free(spot))) {
        if (mine) { taken.splice(taken.indexOf(spot), 1); }
        return;
      }
      if (!mine) { taken.push(spot); }
      if (put(p.name, "rm-ml-place", null, [p.at], beside)) {
        dot(p.at, 3).addTo(baseDots);
        if (p.rank >= 4) { populous -= 1; } else if (p.rank >= 1) { storyNames -= 1; }
      } else {
        taken.splice(taken.indexOf(spot), 1);
      }
    }
    // The dots of the story's places and of the capitals inside the lead are kept clear of
    // the sites' names, which have four places to go where a dot has one.
    var reserve = storyNames;
    cfg.places.forEach(function (p) {
      p.rmSpot = null;
      var spot = p.rank < 2 && spotOf(p);
      if (spot && free(spot) && (p.rank === 0 || reserve-- > 0)) {
        taken.push(spot); p.rmSpot = spot;
      }
    });
    cfg.sites.forEach(function (s) { put(s.name, "rm-ml-site", null, [s.at], beside); });
    cfg.callouts.forEach(function (c) { put(c.text, "rm-ml-callout", null, [c.end], beside); });
    cfg.places.forEach(function (p) {
      if (p.rank < 2 && !p.rmSpot) { return; }
      if (p.rank < 4) { name(p, p.rmSpot); }
    });
    // Where there is no room for a second label on an outline that another already names
    // (a treaty threshold under a claim of the same figure), that label stands for both.
    // On a phone, the same claim drawn around several sites is named once: that label
    // stands for all of them (four "9M729: Russia says ≤480 km" would crowd out the map).
    var named = {}, said = {};
    cfg.labels.forEach(function (l) {
      if (!l.ids.some(shown)) { return; }
      var ids = l.ids.filter(shown).join(" "), cls = "rm-ml-" + l.kind;
      var text = short ? l.short : l.text;
      if (short && said[text]) {
        said[text].setAttribute("data-layers", said[text].getAttribute("data-layers") + " " + ids);
        return;
      }
      // The outline's own vertices after the anchors: a ring that only crosses a corner of
      // the view may have no anchor inside it.
      var points = l.anchors.concat(outlinePoints(l.ids[0]));
      var el = put(text, cls, l.color, points, centred, ids, l.site) ||
        (!short && put(l.short, cls, l.color, points, centred, ids, l.site));
      if (el) {
        named[l.outline] = named[l.outline] || el;
        said[el.textContent] = said[el.textContent] || el;
        return;
      }
      if (named[l.outline]) {
        var other = named[l.outline];
        other.setAttribute("data-layers", other.getAttribute("data-layers") + " " + ids);
      }
    });
    cfg.places.forEach(function (p) { if (p.rank >= 4) { name(p); } });
    if (cfg.basemap) {
      cfg.basemap.countries.forEach(function (c) {
        if (zoom >= c[3]) { put(c[0], "rm-ml-country", null, [[c[1], c[2]]], centred); }
      });
      // a capital the story has named already (a place, a callout's end) is not named twice
      var story = {};
      cfg.places.concat(cfg.callouts).forEach(function (p) { story[p.name] = true; });
      cfg.basemap.capitals.forEach(function (c) {
        if (story[c[0]]) { return; }
        if (zoom >= c[3] && put(c[0], "rm-ml-capital", null, [[c[1], c[2]]], beside)) {
          dot([c[1], c[2]], 2).addTo(baseDots);
        }
      });
    }
    // Names the azimuthal basemap has put on the map (html_projection.VIEW_JS) give way
    // to the ranges' labels and the places named by news value.
    if (map.rmNames) { map.rmNames.show(free); }
  }

  // --- Legend: each range switched on and off, and its details opened, from the keyboard.
  // A row may stand for several layers (claims that draw the same disc): ids by spaces.
  function groupsOf(box) {
    return box.getAttribute("data-layer").split(" ").map(function (id) {
      return cfg.groups[id];
    }).filter(Boolean);
  }
  function syncLegend() {
    document.querySelectorAll(".rm-legend-layers input[data-layer]").forEach(function (box) {
      box.checked = groupsOf(box).some(function (g) { return map.hasLayer(g); });
    });
  }
  document.querySelectorAll(".rm-legend-layers input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      groupsOf(box).forEach(function (group) {
        if (box.checked) { map.addLayer(group); } else { map.removeLayer(group); }
      });
    });
  });
  document.querySelectorAll(".rm-more[data-layer]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-layer"), group = cfg.groups[id];
      if (!map.hasLayer(group)) { map.addLayer(group); }
      var label = document.querySelector('.rm-ml[data-layers~="' + id + '"]');
      var hit = cfg.hits[id], at = cfg.rings[id][3];
      if (label) {
        var r = label.getBoundingClientRect(), box = container.getBoundingClientRect();
        at = map.containerPointToLatLng([r.left - box.left + r.width / 2,
                                         r.top - box.top + r.height / 2]);
      }
      hit.openPopup(at);
    });
  });

  var legend = document.getElementById("rm-legend");
  if (legend && window.matchMedia("(max-width: " + (cfg.narrowPx - 1) + "px)").matches) {
    legend.open = false;
  }
  // --- After a change, the work it needs is done once, however many changes come: sizes,
  // hit lines (after a zoom or a layer switched), labels, the legend's boxes.
  var todo = {}, timer = null, frame = null, all = ["sizes", "hits", "labels", "legend"];
  function flush() {
    clearTimeout(timer); cancelAnimationFrame(frame); timer = frame = null;
    var now = todo;
    todo = {};
    if (now.show) { pane.style.display = ""; }
    if (now.sizes) { sizes(); }
    if (now.hits) { stackHits(); }
    if (now.labels) { place(); }
    if (now.legend) { syncLegend(); }
  }
  function later(parts, ms) {
    parts.forEach(function (part) { todo[part] = true; });
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  }
  // Before the next frame is painted; a frame out of view, whose frames the browser holds
  // back, within half a second all the same.
  function beforePaint(parts) {
    parts.forEach(function (part) { todo[part] = true; });
    if (frame === null) { frame = requestAnimationFrame(flush); }
    if (timer === null) { timer = setTimeout(flush, 500); }
  }
  map.on("zoomstart", function () { pane.style.display = "none"; });
  map.on("zoomend", function () { todo.hits = true; });
  map.on("zoomend moveend", function () { later(["show", "labels"], 30); });
  map.on("overlayadd overlayremove layeradd layerremove", function (e) {
    if (e.type.indexOf("overlay") === 0 || e.layer instanceof L.FeatureGroup) { later(all, 0); }
  });
  // The view itself follows the story's steps (rangemap.render.steps): the first view is
  // laid out once, in the view the first step frames.
  map.on("resize", function () { beforePaint(all); });
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize(); }).observe(container);
  }
  beforePaint(all);
}
"""
