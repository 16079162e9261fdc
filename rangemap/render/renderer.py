"""The map page's one renderer: a few functions that draw the page's data block with Leaflet.

The page carries its map as one JSON block (rangemap.render.html_map builds it) and this
script draws it: the map and its panes, the countries (after the first frame), each range's
fill, outline and hover line (rmRing), the sites and launch areas, the layer list, then the
page's own scripts (embedding, labels and panels, steps) and the azimuthal basemap's extras.
Written once, not once per layer: the page's size is its data, not copies of the same code.
"""

from __future__ import annotations

import functools

from rangemap.render import embed, encoding, page, steps
from rangemap.render.html_projection import VIEW_JS

#: rmRing: a ring's fill, visible outline and hover/click line. The fill takes no pointer
#: events, so a click inside a ring reaches the country below it; a wide transparent line
#: along the outline takes hover and clicks for the ring itself. Each outline line is in the
#: page once: a ring's `lines` are encoded lines or the index in rmOutlines of a line an
#: earlier ring has (a band's outer circle is often a ring of its own), numbered in page
#: order by rmIndex before any ring is drawn and decoded when a ring first draws them;
#: Leaflet copies the arrays, never changes them. A point site's circle is
#: {"c": [lat, lon, metres, n]} where the page can compute it (rmCircle,
#: html_projection.GEODESIC_JS, in the page's head); on a Web Mercator map with a fifth number
#: for the engine's extra azimuths near a pole, and {"p": ...} for one round a pole (rmRound).
_RING_JS = """
var rmOutlines = [];  // [source, scale, decoded or null] each
function rmIndex(d) {
  d.refs = d.lines.map(function (l) {
    if (typeof l === "number") { return l; }
    rmOutlines.push([l, d.scale, null]);
    return rmOutlines.length - 1;
  });
}
function rmOutline(i) {
  var o = rmOutlines[i], l = o[0];
  if (!o[2]) {
    o[2] = typeof l === "string" ? rmLine(l, o[1]) : l.c ? rmCircle(l.c) : rmRound(rmCircle(l.p));
  }
  return o[2];
}
function rmRing(group, d, s) {
  var cls = " rm-l-" + d.id;
  var fillOptions = {"stroke": false, "fillColor": d.fillColor, "fillOpacity": 1,
    "interactive": false, "pane": s.fillsPane, "className": "rm-fill" + cls,
    "smoothFactor": s.smooth};
  var lineOptions = {"color": d.color, "weight": d.weight, "opacity": d.opacity,
    "fill": false, "interactive": false, "className": "rm-line" + cls, "smoothFactor": s.smooth};
  if (d.dash) { lineOptions.dashArray = d.dash; lineOptions.lineCap = "round"; }
  var hitOptions = {"color": d.color, "weight": s.hitWeight, "opacity": 0, "fill": false,
    "className": "rm-hit" + cls};
  var outline = d.refs.map(rmOutline);
  if (d.fillOutline) {  // true, or per line the pole along whose edge it closes (or 0)
    var poles = d.fillOutline === true ? [] : d.fillOutline;
    L.polygon(outline.map(function (l, i) {
      return poles[i] ? l.concat([[poles[i], l[l.length - 1][1]], [poles[i], l[0][1]]]) : l;
    }), fillOptions).addTo(group);
  } else if (d.fill) {
    L.polygon(rmLines(d.fill, d.scale), fillOptions).addTo(group);
  }
  var line = L.polyline(outline, lineOptions).addTo(group);
  var hit = L.polyline(d.hit ? rmLines(d.hit, s.hitScale) : outline, hitOptions).addTo(group);
  var weight = line.options.weight, opacity = line.options.opacity;
  hit.bindTooltip(d.tooltip, {"sticky": true, "direction": "auto"});
  hit.bindPopup(rmText(d.popup), {"maxWidth": 340, "minWidth": 220});
  hit.on("mouseover", function () {
    line.setStyle({"weight": weight + 2.5, "opacity": 1}); line.bringToFront();
  });
  hit.on("mouseout", function () { line.setStyle({"weight": weight, "opacity": opacity}); });
  return hit;
}
"""

#: The countries: one array per country of encoded rings, with a popup giving the share of
#: it each range shown covers. The heaviest layer, drawn after the load event and the first
#: frame, a few dozen countries a task: text, rings and labels paint first, and the reader can
#: pan and click in between (a frame out of view, whose frames the browser holds back, gets it
#: within a second anyway).
_COUNTRIES_JS = """
function rmCountries(map, names) {  // names: the layers', as the covers count them
  var d;  // the page's last block: parsed when the countries are drawn
  function shown(i) {  // a ring switched off in the layer control has no paths on the map
    return document.querySelector("path.rm-l-" + d.ids[i]) !== null;
  }
  function pct(t) {  // MapWords.pct_text
    if (t >= 1000) { return d.pct.all; }
    if (t <= 0) { return d.pct.least; }
    return Math.floor(t / 10) + d.pct.sep + (t % 10) + " %";
  }
  function popup(p) {
    var rows = "";
    p.cover.forEach(function (c) {
      if (!shown(c[0])) { return; }
      rows += "<tr><td>" + names[c[0]] + "</td><td class=rm-num>" + pct(c[1]) + "</td></tr>";
    });
    var text = rows ? d.intro + "<table>" + rows + "</table>" : d.none;
    return "<div class=rm-pop><h2>" + p.name + "</h2>" + text + "</div>";
  }
  var group = L.featureGroup(), next = 0, started = false, CHUNK = 30, decode;
  function add(c) {  // [properties, [[ring, hole ...], ...]]
    var layer = L.polygon(decode(c[1]), L.extend({"pane": d.pane}, d.style));
    layer.feature = {"type": "Feature", "properties": c[0]};  // as L.geoJSON's layers
    layer.bindPopup(function () { return popup(c[0]); }, {"maxWidth": 340});
    layer.on("mouseover", function () { layer.setStyle(d.hover); });
    layer.on("mouseout", function () { layer.setStyle(d.style); });
    group.addLayer(layer);
  }
  function draw() {  // a few dozen countries at a time, in order: the page answers between
    d.data.slice(next, next + CHUNK).forEach(add);
    next += CHUNK;
    if (next < d.data.length) { setTimeout(draw, 0); return; }
    document.documentElement.classList.add("rm-basemap");
  }
  function start() {
    if (started) { return; }
    started = true;
    d = JSON.parse(document.getElementById("rm-countries").textContent);
    decode = rmChain(d.scale);  // rings in order, each from the end of the one before
    draw();
  }
  function soon() {  // after the first frame; within a second in a frame held back
    requestAnimationFrame(function () { setTimeout(start, 0); });
    setTimeout(start, 1000);
  }
  // Never before the page's load event: the first view is the ranges, not the countries.
  if (document.readyState === "complete") { soon(); } else { addEventListener("load", soon); }
  return group.addTo(map);
}
"""

#: A site: its launch area's outline (if it has one) and its dot, with tooltip and popup.
_SITE_JS = """
function rmSite(group, d) {
  if (d.area) {
    L.polyline(rmLines(d.area.lines, d.area.scale), d.area.options)
      .bindTooltip(d.area.tooltip, {"sticky": true}).addTo(group);
  }
  L.circleMarker(d.at, d.options).addTo(group)
    .bindTooltip(d.tooltip, {"direction": "auto"})
    .bindPopup(rmText(d.popup), {"maxWidth": 340, "minWidth": 220});
}
"""

#: The azimuthal map's own basemap: sea inside the cap, graticule, edge, capitals, names.
_AEQD_JS = """
function rmAeqd(map, d) {
  var labels = [], edge = [], crs = map.options.crs;
  for (var i = 0; i < 720; i++) {  // the cap's edge: a circle in the projection
    var t = i * Math.PI / 360;
    edge.push(crs.unproject(L.point(d.cap * Math.sin(t), d.cap * Math.cos(t))));
  }
  L.polygon(edge, {"pane": d.seaPane, "stroke": false, "fillColor": "#D6E4EE",
    "fillOpacity": 1, "interactive": false}).addTo(map);
  L.polyline(rmLines(d.graticule, d.graticuleScale), {"pane": d.seaPane,
    "color": "#F7FAFC", "weight": 0.8, "interactive": false}).addTo(map);
  L.polyline(edge, {"pane": d.seaPane, "color": "#B8C2CC", "weight": 0.8,
    "interactive": false}).addTo(map);
  // Names are drawn by VIEW_JS, as one layer: {html, at: [lat, lon], cls} each.
  function label(text, latlng, cls) { labels.push({"html": text, "at": latlng, "cls": cls}); }
  // Country names claim their place first, then capitals, most populous first.
  var at = rmLine(d.namesAt, d.scale);
  d.names.forEach(function (name, i) { label(name, at[i], "rm-country-name"); });
  // A capital's dot is part of its label: where the name gives way, so does the dot.
  at = rmLine(d.capitalsAt, d.scale);
  d.capitals.forEach(function (name, i) { label(name, at[i], "rm-capital"); });
  L.marker(d.centre, {"icon": L.divIcon({"className": "rm-label rm-centre",
    "html": "<span>+</span>", "iconSize": [0, 0]}), "pane": d.labelsPane,
    "interactive": false, "keyboard": false}).addTo(map);
  return labels;
}
"""

#: Draws the page's data block `d` in the element with id "rm-map"; the map is window.rmMap
#: (for host scripts and tests).
_MAP_JS = """
var rmShared;
function rmMap(d) {
  rmShared = rmShare(d.shared, document.querySelectorAll("#rm-sources li"));
  var options = L.extend({}, d.map.options);
  if (d.map.crs) { options.crs = L.CRS[d.map.crs]; }
  var map = window.rmMap = L.map("rm-map", options);
  L.control.scale().addTo(map);
  if (d.tiles) { L.tileLayer(d.tiles.url, d.tiles.options).addTo(map); }
  d.panes.forEach(function (p) {
    var pane = map.createPane(p[0]);
    pane.style.zIndex = p[1];
    if (!p[2]) { pane.style.pointerEvents = "none"; }
  });
  rmCountries(map, d.layers.map(function (l) { return l.name; }));
  var overlays = {}, groups = {}, hits = {};
  d.layers.forEach(function (l) { rmIndex(l.ring); });
  // A ring the first view does not show is drawn when it is first shown (or its hover line
  // asked for): the first view waits for its own rings only.
  d.layers.forEach(function (l) {
    var group = groups[l.id] = L.featureGroup(), hit = null;
    function draw() { return hit || (hit = rmRing(group, l.ring, d.ringStyle)); }
    Object.defineProperty(hits, l.id, {"get": draw, "enumerable": true});
    group.on("add", draw);
    if (l.show) { group.addTo(map); }
    overlays[l.swatch + " " + l.name] = group;
  });
  var sites = L.featureGroup();
  d.sites.forEach(function (s) { rmSite(sites, s); });
  overlays[d.sitesName] = sites.addTo(map);
  L.control.layers({}, overlays, {"position": "topright", "collapsed": true}).addTo(map);
  if (d.map.fit) { map.fitBounds(d.map.fit, {"padding": [10, 10]}); }
  var cfg = L.extend({}, d.page, {"groups": groups, "hits": hits});
  cfg.labels.forEach(function (l) { l.anchors = rmLine(l.anchors, cfg.pointScale); });
  cfg.steps.forEach(function (s) { s.points = rmLine(s.points, cfg.pointScale); });
  var at = rmLine(cfg.placesAt, cfg.placeScale);
  cfg.places.forEach(function (p, i) { p.at = at[i]; });
  (FRAME)(map);
  (PAGE)(map, cfg);
  (STEPS)(map, cfg);
  if (d.aeqd) { (VIEW)(map, rmAeqd(map, d.aeqd), d.aeqd.note); }
}
rmMap(JSON.parse(document.getElementById("rm-data").textContent));
"""


@functools.cache
def renderer_js() -> str:
    """The whole renderer: decoders, drawing functions and the call that draws the page."""
    main = (
        _MAP_JS.replace("(FRAME)", f"({embed.FRAME_JS.strip()})")
        .replace("(PAGE)", f"({page.PAGE_JS.strip()})")
        .replace("(STEPS)", f"({steps.STEPS_JS.strip()})")
        .replace("(VIEW)", f"({VIEW_JS.strip()})")
    )
    return encoding.DECODE_JS + _RING_JS + _COUNTRIES_JS + _SITE_JS + _AEQD_JS + main
