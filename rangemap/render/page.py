"""The map page's own layout (CSS) and behaviour (JS): panels beside or below the map, labels
placed without overlaps, details that fit, the wheel left to the page, keyboard legend."""

from __future__ import annotations

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
body > .folium-map {{
  grid-column: 1; position: relative !important; width: 100% !important;
  height: 100% !important; min-height: 200px; top: 0 !important; left: 0 !important;
}}
html.rm-flow body > .folium-map {{ height: clamp(360px, 112vw, 560px) !important; }}
.leaflet-container.rm-offline {{ background: #D6E4EE; }}
.rm-side {{
  grid-column: 1; min-height: 0; overflow: auto; padding: 2px 12px 4px;
  display: flex; flex-wrap: wrap; gap: 0 16px; align-content: flex-start;
  border-top: 1px solid #ddd; font-size: 13px; line-height: 1.35;
}}
html:not(.rm-flow) .rm-side {{ max-height: 38vh; }}
.rm-side details {{ flex: 0 1 auto; }}
.rm-side details[open] {{ flex-basis: 100%; }}
.rm-side summary {{ cursor: pointer; font-weight: 600; padding: 4px 0; min-height: 24px; }}
.rm-side h3 {{ font-size: 13px; margin: 8px 0 2px; }}
.rm-side ul, .rm-side ol {{ margin: 0; padding-left: 0; list-style: none; }}
.rm-side ol {{ padding-left: 18px; list-style: decimal; }}
.rm-side li {{ margin: 3px 0; }}
.rm-key li, .rm-legend-layers li {{ display: flex; gap: 6px; align-items: baseline; }}
.rm-key svg, .rm-legend-layers svg {{ flex: none; position: relative; top: 1px; }}
.rm-legend-layers label {{ display: flex; gap: 6px; align-items: baseline; cursor: pointer; }}
.rm-legend-layers input {{ margin: 0; flex: none; }}
.rm-more {{
  font: inherit; font-size: 12px; border: 1px solid #bbb; border-radius: 3px;
  background: #fff; padding: 0 5px; margin-left: 4px; cursor: pointer; flex: none;
}}
.rm-cov {{ color: #555; }}
.rm-note {{ color: #555; margin: 6px 0 2px; }}
.rm-tag {{
  display: inline-block; font-size: 11px; padding: 0 4px; border-radius: 3px;
  background: #f3e3c3; color: #5a3d00; margin-left: 5px; white-space: nowrap;
}}
.rm-foot {{
  grid-column: 1 / -1; padding: 5px 12px 7px; font-size: 12px; color: #444;
  border-top: 1px solid #ddd;
}}
.rm-foot p {{ margin: 2px 0; }}
.rm-foot .rm-credits {{ color: #555; }}
@media (min-width: {SIDE_BY_SIDE_PX}px) {{
  body {{
    grid-template-columns: minmax(0, 1fr) 310px;
    grid-template-rows: auto minmax(300px, 1fr) auto auto;
  }}
  html.rm-flow body {{ grid-template-rows: none; }}
  .rm-side {{
    grid-column: 2; grid-row: 2 / span 2; display: block; max-height: none !important;
    border-top: 0; border-left: 1px solid #ddd; padding: 4px 12px;
  }}
  html.rm-flow body > .folium-map {{ height: clamp(460px, 50vw, 640px) !important; }}
}}
.rm-pop {{
  font-size: 13px; line-height: 1.35; max-height: var(--rm-pop-h, 300px); overflow: auto;
}}
.rm-pop h3 {{ font-size: 14px; margin: 0 0 4px; }}
.rm-pop p {{ margin: 3px 0; }}
.rm-pop ol {{ margin: 2px 0; padding-left: 18px; }}
.rm-pop table {{ border-collapse: collapse; }}
.rm-pop td {{ padding: 1px 4px; vertical-align: top; }}
.rm-pop td.rm-num {{ text-align: right; white-space: nowrap; }}
.rm-tip {{ font-size: 12px; max-width: min(300px, 70vw); white-space: normal; }}
.leaflet-tooltip {{ white-space: normal; }}
.leaflet-control-layers-overlays label {{ font-size: 12px; }}
.leaflet-control-layers-expanded {{
  max-width: min(340px, calc(100vw - 70px)); max-height: calc(var(--rm-map-h, 400px) - 60px);
  overflow: auto;
}}
/* Leaflet 1.9 paths keep a focus ring, drawn as a box around the whole ring once clicked. */
.leaflet-container path.leaflet-interactive:focus {{ outline: none; }}
/* Only drawn paths take clicks: an overlay pane's SVG must not block the panes below. */
.leaflet-pane > svg {{ pointer-events: none; }}
.rm-labels-pane {{ pointer-events: none; }}
.rm-label {{
  position: absolute; left: 0; top: 0; white-space: nowrap; font-size: 12px; line-height: 1.2;
  font-weight: 600; padding: 0 2px; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff;
}}
.rm-label-threshold, .rm-label-band {{ font-weight: 400; color: #666 !important; }}
.rm-label-site {{ font-weight: 700; color: #000; font-size: 13px; }}
.rm-label-place {{ font-weight: 400; color: #333; }}
.rm-label-callout {{ font-weight: 700; color: #111; }}
.rm-label-country {{
  font-weight: 400; color: #7a7a7a; font-size: 12px; letter-spacing: 0.04em;
  text-transform: uppercase;
}}
.rm-label-capital {{ font-weight: 400; color: #555; font-size: 12px; }}
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
}}
"""

#: The page's behaviour, a function of the map and the page's data (see html_map).
PAGE_JS = """
function (map, cfg) {
  var container = map.getContainer(), root = document.documentElement;
  if (cfg.offline) { container.classList.add("rm-offline"); }
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", cfg.mapLabel);
  function narrow() { return map.getSize().x < cfg.narrowPx; }

  // --- The page scrolls over the map: wheel zoom after a click on the map or with Ctrl/Cmd.
  var armed = false;
  if (map.gestureHandling) {
    var handler = map.gestureHandling, scroll = handler._handleScroll;
    handler._handleScroll = function (e) {
      if (armed) { map.scrollWheelZoom.enable(); return; }
      scroll.call(handler, e);
    };
    handler.enable();
    map.on("click", function () { armed = true; map.scrollWheelZoom.enable(); });
    L.DomEvent.on(container, "mouseleave", function () {
      armed = false; map.scrollWheelZoom.disable();
    });
  }

  // --- Sizes the page reads from CSS: popups never taller than the map leaves them.
  function sizes() {
    var h = map.getSize().y;
    container.style.setProperty("--rm-map-h", h + "px");
    container.style.setProperty("--rm-pop-h", Math.max(120, h - 150) + "px");
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
  map.on("popupopen", function (e) {
    if (!narrow()) { return; }
    var node = e.popup.getElement().querySelector(".leaflet-popup-content");
    sheetBody.innerHTML = node ? node.innerHTML : "";
    container.classList.add("rm-sheet-open");
    sheet.scrollTop = 0;
    setTimeout(function () { map.closePopup(e.popup); }, 0);
    close.focus({preventScroll: true});
  });

  // --- Rings: smaller on top, hit lines no wider than the gap to the next ring out.
  function shown(id) { return cfg.hits[id] && map.hasLayer(window[cfg.groups[id]]); }
  function stackHits() {
    var order = cfg.order.filter(shown);
    order.forEach(function (id) { window[cfg.hits[id]].bringToFront(); });
    var bySite = {};
    order.forEach(function (id) {
      var r = cfg.rings[id], key = r[0] + "," + r[1];
      (bySite[key] = bySite[key] || []).push(id);
    });
    Object.keys(bySite).forEach(function (key) {
      var ids = bySite[key];
      ids.forEach(function (id) {
        var here = cfg.rings[id], gap = Infinity;
        var p = map.latLngToContainerPoint(here[3]);
        ids.forEach(function (other) {
          var there = cfg.rings[other];
          if (other === id || there[2] === here[2]) { return; }
          var q = map.latLngToContainerPoint(there[3]);
          gap = Math.min(gap, p.distanceTo(q));
        });
        var weight = Math.max(4, Math.min(14, 2 * (gap - 1.5)));
        window[cfg.hits[id]].setStyle({"weight": weight});
      });
    });
  }

  // --- Labels: placed in a fixed order where they fit, never over another label or a control.
  var pane = map.createPane("rm-labels");
  pane.classList.add("rm-labels-pane");
  pane.style.zIndex = 630;
  pane.setAttribute("aria-hidden", "true");
  var placesPane = map.createPane("rm-places");
  placesPane.style.zIndex = 620;
  placesPane.style.pointerEvents = "none";
  cfg.callouts.forEach(function (c) {
    L.polyline(c.line, {"pane": "rm-places", "color": "#222222", "weight": 1.5,
                        "dashArray": "2 4", "interactive": false}).addTo(map);
  });
  var ends = cfg.callouts.map(function (c) { return {"name": c.text, "at": c.end}; });
  var dots = cfg.places.concat(ends);
  dots.forEach(function (p) {
    L.circleMarker(p.at, {"pane": "rm-places", "radius": 3, "weight": 1, "color": "#ffffff",
      "fillColor": "#222222", "fillOpacity": 1, "interactive": false}).addTo(map);
  });
  var baseDots = L.layerGroup().addTo(map);

  function place() {
    pane.innerHTML = "";
    baseDots.clearLayers();
    var size = map.getSize(), box = container.getBoundingClientRect(), taken = [];
    var short = narrow(), zoom = map.getZoom();
    container.querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width && r.height) {
        taken.push({l: r.left - box.left - 3, t: r.top - box.top - 3,
                    r: r.right - box.left + 3, b: r.bottom - box.top + 3});
      }
    });
    function free(b) {
      if (b.l < 3 || b.t < 3 || b.r > size.x - 3 || b.b > size.y - 3) { return false; }
      for (var i = 0; i < taken.length; i++) {
        var o = taken[i];
        if (b.l < o.r && b.r > o.l && b.t < o.b && b.b > o.t) { return false; }
      }
      return true;
    }
    // Try each point with each offset; keep the label at the first free box.
    function put(text, cls, color, points, offsets, data) {
      var el = L.DomUtil.create("div", "rm-label " + cls, pane);
      el.textContent = text;
      if (color) { el.style.color = color; }
      var w = el.offsetWidth, h = el.offsetHeight;
      for (var i = 0; i < points.length; i++) {
        var p = map.latLngToContainerPoint(points[i]);
        for (var j = 0; j < offsets.length; j++) {
          var o = offsets[j], x = p.x + o[0] * w + o[2], y = p.y + o[1] * h + o[3];
          var b = {l: x, t: y, r: x + w, b: y + h};
          if (free(b)) {
            taken.push(b);
            L.DomUtil.setPosition(el, map.containerPointToLayerPoint([x, y]));
            if (data) { el.setAttribute("data-layers", data); }
            return true;
          }
        }
      }
      pane.removeChild(el);
      return false;
    }
    var beside = [[0, -0.5, 7, 0], [-1, -0.5, -7, 0], [-0.5, -1, 0, -6], [-0.5, 0, 0, 6]];
    var centred = [[-0.5, -0.5, 0, 0]];
    cfg.sites.forEach(function (s) {
      var p = map.latLngToContainerPoint(s.at);
      taken.push({l: p.x - 6, t: p.y - 6, r: p.x + 6, b: p.y + 6});
    });
    cfg.sites.forEach(function (s) { put(s.name, "rm-label-site", null, [s.at], beside); });
    cfg.callouts.forEach(function (c) { put(c.text, "rm-label-callout", null, [c.end], beside); });
    cfg.labels.forEach(function (l) {
      if (!l.ids.some(shown)) { return; }
      var ids = l.ids.filter(shown).join(" ");
      var text = short ? l.short : l.text;
      if (!put(text, "rm-label-" + l.kind, l.color, l.anchors, centred, ids) && !short) {
        put(l.short, "rm-label-" + l.kind, l.color, l.anchors, centred, ids);
      }
    });
    cfg.places.forEach(function (p) { put(p.name, "rm-label-place", null, [p.at], beside); });
    if (cfg.basemap) {
      cfg.basemap.countries.forEach(function (c) {
        if (zoom >= c[3]) { put(c[0], "rm-label-country", null, [[c[1], c[2]]], centred); }
      });
      cfg.basemap.capitals.forEach(function (c) {
        if (zoom >= c[3] && put(c[0], "rm-label-capital", null, [[c[1], c[2]]], beside)) {
          L.circleMarker([c[1], c[2]], {"pane": "rm-places", "radius": 2, "weight": 0,
            "fillColor": "#555555", "fillOpacity": 1, "interactive": false}).addTo(baseDots);
        }
      });
    }
  }

  // --- Legend: each range switched on and off, and its details opened, from the keyboard.
  function syncLegend() {
    document.querySelectorAll(".rm-legend-layers input[data-layer]").forEach(function (box) {
      box.checked = map.hasLayer(window[cfg.groups[box.getAttribute("data-layer")]]);
    });
  }
  document.querySelectorAll(".rm-legend-layers input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var group = window[cfg.groups[box.getAttribute("data-layer")]];
      if (box.checked) { map.addLayer(group); } else { map.removeLayer(group); }
    });
  });
  document.querySelectorAll(".rm-more[data-layer]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-layer"), group = window[cfg.groups[id]];
      if (!map.hasLayer(group)) { map.addLayer(group); }
      var label = document.querySelector('.rm-label[data-layers~="' + id + '"]');
      var hit = window[cfg.hits[id]], at = cfg.rings[id][3];
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
  function redraw() { sizes(); stackHits(); place(); syncLegend(); }
  map.on("zoomstart", function () { pane.style.display = "none"; });
  map.on("zoomend moveend", function () { pane.style.display = ""; place(); });
  map.on("zoomend", stackHits);
  map.on("overlayadd overlayremove layeradd layerremove", function (e) {
    if (e.type.indexOf("overlay") === 0 || e.layer instanceof L.FeatureGroup) {
      clearTimeout(map._rmRedraw);
      map._rmRedraw = setTimeout(redraw, 0);
    }
  });
  map.on("resize", redraw);
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize(); }).observe(container);
  }
  redraw();
}
"""
