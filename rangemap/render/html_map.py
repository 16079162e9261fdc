"""Interactive HTML maps of a scene (folium / Leaflet): embeddable, deterministic, escaped."""

from __future__ import annotations

import itertools
import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium import FeatureGroup
from folium.template import Template

from rangemap import story
from rangemap.errors import InputError
from rangemap.render import embed, encoding, html_assets, html_parts, html_projection, page, steps
from rangemap.render import labels as map_labels
from rangemap.render.display_geometry import (
    DECIMALS,
    area_outline_latlngs,
    fill_latlngs,
    outline_latlngs,
)
from rangemap.render.html_parts import esc
from rangemap.render.html_projection import AeqdFrame
from rangemap.render.map_words import MapWords, words_of
from rangemap.render.style import LINE_STYLES, fill_opacity, line_opacity, premixed
from rangemap.scene import Projection, Scene, load_scene
from rangemap.scene_build import DrawnLayer, ResolvedScene, resolve_scene

#: Steps per degree of the encoded coordinates (rangemap.render.encoding): country outlines
#: (Natural Earth's, simplified to 0.1 degrees) in 0.04 degree, the graticule in 0.01 degree,
#: ring outlines and fills of Mercator maps in 1e-4 degree (~11 m), the rounding they always
#: had; an azimuthal map's in what its deepest zoom needs (AeqdFrame.ring_scale).
_COUNTRY_SCALE, _GRATICULE_SCALE, _RING_SCALE = 25, 100, 10**DECIMALS
#: Hover and click lines (invisible) simplified to ~100 m, in degrees.
_HIT_TOLERANCE_DEG = 1e-3
_COUNTRIES_PANE, _SITES_PANE = "rm-countries", "rm-sites"
#: Azimuthal maps only: sea and graticule below the countries, names above the rings.
_SEA_PANE, _LABELS_PANE = "rm-sea", "rm-labels"
#: The ranges' fills, in a pane of their own below their outlines: opaque, premixed with
#: white (style.premixed), combined by "darken" and multiplied onto the basemap (page.CSS),
#: so overlapping and nested rings never stack into murk.
_FILLS_PANE = "rm-fills"
#: The name under which the azimuthal map's CRS is registered (L.CRS[name]) for folium.
_AEQD_CRS = "RangemapAEQD"
#: CartoDB Positron, a light basemap that keeps coloured rings readable. Written out: the
#: xyzservices entry (2026.9) adds an API-key parameter that folium leaves unfilled.
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
#: Width in px of the invisible line that takes hover and clicks along a ring's outline.
_HIT_WEIGHT = 14
#: Leaflet simplifies paths to 1 px by default, which turns a ring 330 px across into a
#: visible 28-gon under a 2.5 px stroke; a quarter pixel keeps it round.
_SMOOTH_PX = 0.25


#: A brace that would open Jinja syntax ("{{", "{%", "{#"). In JSON text such a brace is always
#: inside a string (an object's "{" is followed by '"' or "}"), where \u007b means the same.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def js_value(value: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&', no raw U+2028/2029.

    Braces that open Jinja syntax are escaped too: branca compiles each element's rendered
    script as a Jinja template again, where "{{" or "{%" from a scene would be evaluated.
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _JINJA_OPEN.sub(r"\\u007b", text)


class _Raw(Element):
    """Text placed in the page as it is. Never a template: scene text must not reach Jinja."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _script_element(name: str, template: str) -> type[MacroElement]:
    """A MacroElement class whose script macro is `template`.

    Its fields are text already encoded by js_value (or elements whose names it takes):
    the template only places them.
    """

    class _Script(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}" + template + "{% endmacro %}")

        def __init__(self, **fields: Any) -> None:
            super().__init__()
            self._name = name
            self.__dict__.update(fields)

        def render(self, **kwargs: Any) -> None:
            """MacroElement.render, but the rendered script is placed as it is: branca wraps
            it in Element(text), a Jinja template compiled again (~1 ms for a ring's
            coordinates), which gives the same text back less one trailing newline, since
            js_value leaves no Jinja syntax in it (a script with some keeps branca's way)."""
            figure = self.get_root()
            assert isinstance(figure, Figure), "render the element within a Figure"
            text = self._template.module.__dict__["script"](self, kwargs)
            if _JINJA_OPEN.search(text):
                placed: Element = Element(text)
            else:
                placed = _Raw(text.removesuffix("\n"))
            figure.script.add_child(placed, name=self.get_name())
            for element in self._children.values():
                element.render(**kwargs)

    _Script.__name__ = _Script.__qualname__ = f"_{name.title()}Script"
    return _Script


# One small renderer for every ring (DRAW_JS, in the page's head) and one line of data each.
_RING_JS = """
var {{ this.get_name() }} = rmRing({{ this._parent.get_name() }}, {{ this.data }});
"""

#: The page's drawing functions, defined once in its head before any layer is drawn.
#: rmRing: a ring's fill, visible outline and hover/click line. The fill takes no pointer
#: events, so a click inside a ring reaches the country below it; a wide transparent line
#: along the outline takes hover and clicks for the ring itself. Each outline line is in the
#: page once: a ring's `lines` are encoded lines (decoded into rmOutlines as they come) or the
#: index in rmOutlines of a line an earlier ring drew (a band's outer circle is often a ring of
#: its own); Leaflet copies the arrays, never changes them. On an azimuthal map a point
#: site's circle is {"c": [lat, lon, metres, n]}: the page computes it (rmCircle, CRS_JS).
DRAW_JS = (
    encoding.DECODE_JS
    + """
var rmOutlines = [];
function rmRing(group, d) {
  var outline = d.lines.map(function (l) {
    if (typeof l === "number") { return rmOutlines[l]; }
    rmOutlines.push(typeof l === "string" ? rmLine(l, d.scale) : rmCircle(l.c));
    return rmOutlines[rmOutlines.length - 1];
  });
  if (d.fillOutline) {
    L.polygon(outline, d.fillOptions).addTo(group);
  } else if (d.fill) {
    L.polygon(rmLines(d.fill, d.scale), d.fillOptions).addTo(group);
  }
  var line = L.polyline(outline, d.lineOptions).addTo(group);
  var hit = L.polyline(d.hit ? rmLines(d.hit, d.scale) : outline, d.hitOptions).addTo(group);
  var weight = line.options.weight, opacity = line.options.opacity;
  hit.bindTooltip(d.tooltip, {"sticky": true, "direction": "auto"});
  hit.bindPopup(d.popup, {"maxWidth": 340, "minWidth": 220});
  hit.on("mouseover", function () {
    line.setStyle({"weight": weight + 2.5, "opacity": 1}); line.bringToFront();
  });
  hit.on("mouseout", function () { line.setStyle({"weight": weight, "opacity": opacity}); });
  return hit;
}
"""
)

_SITE_JS = """
var {{ this.get_name() }} = L.circleMarker({{ this.latlng }}, {{ this.options }})
  .addTo({{ this._parent.get_name() }});
{{ this.get_name() }}.bindTooltip({{ this.tooltip }}, {"direction": "auto"});
{{ this.get_name() }}.bindPopup({{ this.popup }}, {"maxWidth": 340, "minWidth": 220});
"""

_COUNTRIES_JS = """
var {{ this.get_name() }} = (function () {
  var names = {{ this.names }}, ids = {{ this.ids }};
  function shown(i) {  // a ring switched off in the layer control has no paths on the map
    return document.querySelector("path.rm-l-" + ids[i]) !== null;
  }
  function popup(p) {
    var rows = "";
    p.cover.forEach(function (c) {
      if (!shown(c[0])) { return; }
      rows += "<tr><td>" + names[c[0]] + "</td><td class=rm-num>" + c[1] + "</td></tr>";
    });
    var text = rows ? {{ this.intro }} + "<table>" + rows + "</table>" : {{ this.none }};
    return "<div class=rm-pop><h2>" + p.name + "</h2>" + text + "</div>";
  }
  // [properties, [[ring, hole ...], ...]] per country, rings encoded (rangemap.render.encoding)
  var group = L.featureGroup(), style = {{ this.style }}, hover = {{ this.hover }}, done = false;
  function draw() {
    if (done) { return; }
    done = true;
    {{ this.data }}.forEach(function (c) {
      var layer = L.polygon(rmLines(c[1], {{ this.scale }}),
                            L.extend({"pane": {{ this.pane }}}, style));
      layer.feature = {"type": "Feature", "properties": c[0]};  // as L.geoJSON's layers
      layer.bindPopup(function () { return popup(c[0]); }, {"maxWidth": 340});
      layer.on("mouseover", function () { layer.setStyle(hover); });
      layer.on("mouseout", function () { layer.setStyle(style); });
      group.addLayer(layer);
    });
    document.documentElement.classList.add("rm-basemap");
  }
  // The heaviest layer after the first frame: text, rings and labels paint first (a frame
  // out of view, whose frames the browser holds back, gets it within a second anyway).
  requestAnimationFrame(function () { setTimeout(draw, 0); });
  setTimeout(draw, 1000);
  return group;
})().addTo({{ this._parent.get_name() }});
"""

_PAGE_JS = """
({{ this.frame }})({{ this._parent.get_name() }});
({{ this.js }})({{ this._parent.get_name() }}, {{ this.cfg }});
({{ this.steps }})({{ this._parent.get_name() }}, {{ this.cfg }});
"""

# The azimuthal map's own basemap: sea inside the cap, graticule, edge, capitals, names.
_AEQD_JS = """
(function (map) {
  var sea = {{ this.sea_pane }}, labelsPane = {{ this.labels_pane }}, labels = [];
  var edge = [], crs = map.options.crs, r = {{ this.cap_m }};
  for (var i = 0; i < 720; i++) {  // the cap's edge: a circle in the projection
    var t = i * Math.PI / 360;
    edge.push(crs.unproject(L.point(r * Math.sin(t), r * Math.cos(t))));
  }
  L.polygon(edge, {"pane": sea, "stroke": false, "fillColor": "#D6E4EE",
    "fillOpacity": 1, "interactive": false}).addTo(map);
  L.polyline(rmLines({{ this.graticule }}, {{ this.graticule_scale }}), {"pane": sea,
    "color": "#F7FAFC", "weight": 0.8, "interactive": false}).addTo(map);
  L.polyline(edge, {"pane": sea, "color": "#B8C2CC", "weight": 0.8,
    "interactive": false}).addTo(map);
  // Names are drawn by VIEW_JS, as one layer: {html, at: [lat, lon], cls} each.
  function label(text, latlng, cls) { labels.push({"html": text, "at": latlng, "cls": cls}); }
  // Country names claim their place first, then capitals, most populous first.
  {{ this.names }}.forEach(function (c) { label(c[0], [c[1], c[2]], "rm-country-name"); });
  // A capital's dot is part of its label: where the name gives way, so does the dot.
  {{ this.capitals }}.forEach(function (c) { label(c[0], [c[1], c[2]], "rm-capital"); });
  L.marker({{ this.centre }}, {"icon": L.divIcon({"className": "rm-label rm-centre",
    "html": "<span>+</span>", "iconSize": [0, 0]}), "pane": labelsPane,
    "interactive": false, "keyboard": false}).addTo(map);
  ({{ this.js }})(map, labels, {{ this.note }});
})({{ this._parent.get_name() }});
"""

# A launch area's outline; its tooltip's text is JSON (folium's Tooltip places text inside a
# JavaScript template literal, where a backtick in a name ends the string).
_AREA_JS = """
L.polyline(rmLines({{ this.lines }}, {{ this.scale }}), {{ this.options }})
  .bindTooltip({{ this.tooltip }}, {"sticky": true}).addTo({{ this._parent.get_name() }});
"""

_Ring = _script_element("ring", _RING_JS)
_Area = _script_element("area", _AREA_JS)
_Site = _script_element("site", _SITE_JS)
_Countries = _script_element("countries", _COUNTRIES_JS)
_Page = _script_element("page", _PAGE_JS)
_Aeqd = _script_element("aeqd", _AEQD_JS)


def _ring_element(
    layer: DrawnLayer,
    frame: AeqdFrame | None = None,
    arcs: dict[str, tuple[float, float]] | None = None,
    drawn: dict[str, int] | None = None,
    w: MapWords | None = None,
    *,
    filled: bool = True,
) -> MacroElement:
    """A ring's fill, visible outline and hover/click line, in one script block; with a
    `frame`, as drawn in its azimuthal equidistant projection.

    A ring drawn on exactly the same outline as others answers on its share of it (`arcs`).
    `drawn` maps the outline lines already in the page (as JSON) to their index in the
    page's rmOutlines (DRAW_JS), so that each is written once. A ring not `filled` draws its
    outline only: another claim fills the same disc (two fills on top of each other would
    darken it into murk).
    """
    ring, color = layer.ring, layer.color
    weight, dash, _ = LINE_STYLES[layer.line_kind]
    fill = fill_opacity(layer) if filled else 0.0
    classes = f"rm-l-{layer.id}"
    fill_options = {
        "stroke": False,
        "fillColor": premixed(color, fill),
        "fillOpacity": 1,
        "interactive": False,
        "pane": _FILLS_PANE,
        "className": f"rm-fill {classes}",
        "smoothFactor": _SMOOTH_PX,
    }
    line_options: dict[str, Any] = {
        "color": color,
        "weight": weight,
        "opacity": line_opacity(layer.kind),
        "fill": False,
        "interactive": False,
        "className": f"rm-line {classes}",
        "smoothFactor": _SMOOTH_PX,
    }
    if dash:
        line_options |= {"dashArray": dash, "lineCap": "round"}
    hit_options = {
        "color": color,
        "weight": _HIT_WEIGHT,
        "opacity": 0,
        "fill": False,
        "className": f"rm-hit {classes}",
    }
    fill_outline = False
    if frame is None:
        fill_data = fill_latlngs(ring.geometry) if fill > 0 else None
        outline = outline_latlngs(ring.boundaries)
    else:
        outline = html_projection.ring_outline(frame, layer)
        fill_outline = fill > 0 and html_projection.outline_bounds_fill(frame, layer, outline)
        needs_fill = fill > 0 and not fill_outline
        fill_data = html_projection.ring_fill(frame, layer) if needs_fill else None
    hit = map_labels.hit_outline(layer, arcs or {})
    drawn = {} if drawn is None else drawn
    scale = _RING_SCALE if frame is None else frame.ring_scale
    lines: list[str | int | dict] = []
    for line in _outline_data(layer, outline, scale, frame):
        key = js_value(line)
        lines.append(drawn.get(key, line))
        drawn.setdefault(key, len(drawn))
    data = {
        "scale": scale,
        "lines": lines,
        "fillOutline": fill_outline,
        "fill": _encoded(fill_data, scale) if fill_data is not None else None,
        "hit": [
            encoding.encode_line(
                shapely.get_coordinates(
                    shapely.simplify(shapely.LineString(line), _HIT_TOLERANCE_DEG)
                ),
                scale,
            )
            for line in hit
        ]
        if hit is not None
        else None,
        "fillOptions": fill_options if fill > 0 else None,  # no fill: no options either
        "lineOptions": line_options,
        "hitOptions": hit_options,
        "tooltip": html_parts.layer_tooltip(layer, w),
        "popup": html_parts.layer_popup(layer, w),
    }
    return _Ring(data=js_value(data))


def _outline_data(
    layer: DrawnLayer, outline: list, scale: int, frame: AeqdFrame | None
) -> list[str | dict]:
    """The page's data for each line of a ring's outline: on an azimuthal map, a point site's
    circles as {"c": [lat, lon, metres, azimuths]} where the page can compute them whole
    (html_projection.circle_steps); else each line of `outline`, encoded."""
    ring = layer.ring
    if frame is not None and ring.site.area is None:
        radii = (ring.km, ring.km_min) if ring.km_min else (ring.km,)
        steps = [
            html_projection.circle_steps(frame, ring.site.lat, ring.site.lon, km, *boundary)
            for km, boundary in zip(radii, ring.boundaries, strict=True)
        ]
        if all(steps):
            return [
                {"c": [ring.site.lat, ring.site.lon, km * 1000.0, n]}
                for km, n in zip(radii, steps, strict=True)
            ]
    return [encoding.encode_line(line, scale) for line in outline]


def _encoded(nested: list, scale: int) -> list | str:
    """Nested lists of [lat, lon] lines with each line encoded (rangemap.render.encoding)."""
    if nested and isinstance(nested[0][0], float | int):
        return encoding.encode_line(nested, scale)
    return [_encoded(item, scale) for item in nested]


def _countries_element(
    scene: ResolvedScene,
    *,
    offline: bool,
    display: np.ndarray | None = None,
    w: MapWords | None = None,
) -> MacroElement:
    """Country outlines (Natural Earth display geometry, or `display` in its place: one
    geometry per country, empty where none is drawn) whose popups give % per ring."""
    from rangemap import layers

    w = w or words_of(scene)
    countries = layers.countries()
    covered: dict[tuple[str, str], list] = {}
    for index, layer in enumerate(scene.drawn):
        for row in layer.countries:
            covered.setdefault((row.iso_a3, row.country), []).append((index, row))
    # Rounded as encoded, not snapped: shapely.set_precision would collapse Monaco or the
    # Vatican. Each ring of each part, without its closing vertex, as one encoded line.
    display = countries.display if display is None else display
    parts, part_owner = shapely.get_parts(display, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(coord_ring, np.arange(len(rings) + 1))
    encoded = [
        encoding.encode_line(coords[a : b - 1, ::-1], _COUNTRY_SCALE)
        for a, b in itertools.pairwise(starts.tolist())
    ]
    polygons: dict[int, list[list[str]]] = {}
    for ring, part in zip(encoded, ring_owner.tolist(), strict=True):
        polygons.setdefault(part, []).append(ring)
    shapes: dict[int, list[list[str]]] = {}
    for part, owner in enumerate(part_owner.tolist()):
        if part in polygons:
            shapes.setdefault(owner, []).append(polygons[part])
    features = []
    for i in range(len(display)):
        if i not in shapes:
            continue
        name = str(countries.name_en[i])
        rows = covered.get((str(countries.iso_a3[i]), name), [])
        shown = w.country_row(str(countries.iso_a3[i]), name)
        if countries.status[i] == "territory":  # territories say so, and whose they are
            sovereign = w.sovereign(str(countries.sovereign[i]))
            label = w("territory_of", name=shown, sovereign=sovereign)
        elif countries.status[i] == "other":  # Kosovo, Taiwan: no territory of anyone
            label = w("not_un_member", name=shown)
        else:
            label = shown
        features.append([html_parts.country_properties(label, rows, w), shapes[i]])
    if offline:
        style = {"color": "#AAAAAA", "weight": 0.6, "fillColor": "#F4F2EE", "fillOpacity": 1}
        hover = style | {"color": "#333333", "weight": 1.2}
    else:
        style = {"stroke": False, "fillColor": "#000000", "fillOpacity": 0}
        hover = style | {"stroke": True, "color": "#333333", "weight": 1, "opacity": 0.6}
    return _Countries(
        data=js_value(features),
        scale=js_value(_COUNTRY_SCALE),
        names=js_value([esc(_layer_name(layer, w)) for layer in scene.drawn]),
        ids=js_value([layer.id for layer in scene.drawn]),
        intro=js_value(html_parts.country_intro(w)),
        none=js_value(html_parts.country_none(w)),
        pane=js_value(_COUNTRIES_PANE),
        style=js_value(style | {"className": "rm-country"}),
        hover=js_value(hover),
    )


def _layer_name(layer: DrawnLayer, w: MapWords) -> str:
    """A layer's name in the layer list and country popups: the scene's, or in another
    language its site and claim label ('Deveselu (Rumänien) — Tomahawk: ...')."""
    if w.code == "en":
        return layer.name
    return f"{w.label(layer.site_label, layer.site)} — {w.claim_label(layer).text}"


def _aeqd_element(
    frame: AeqdFrame,
    display: np.ndarray,
    scene: ResolvedScene,
    named: set[str],
    w: MapWords,
) -> MacroElement:
    """The azimuthal map's basemap extras. Its capitals leave out those of micro-states and
    micro-territories, those the scene drops and those the page names itself (`named`, by
    news value: rangemap.story); its country names, the micro ones the scene does not add."""
    added = {p.name for p in scene.names_add}
    drop = set(scene.names_drop) | named
    minor = story.minor_capitals()
    capitals = [
        (n, lat, lon)
        for n, lat, lon in html_projection.capitals(frame)
        if n not in drop and (story.minor_key(n, lat, lon) not in minor or n in added)
    ]
    minor_countries = story.minor_countries() - added
    names = [
        row
        for row in html_projection.country_labels(frame, display)
        if row[0] not in minor_countries and row[0] not in scene.names_drop
    ]
    return _Aeqd(
        sea_pane=js_value(_SEA_PANE),
        labels_pane=js_value(_LABELS_PANE),
        cap_m=js_value(frame.cap_km * 1000.0),
        graticule=js_value(
            [
                encoding.encode_line(line, _GRATICULE_SCALE)
                for line in html_projection.graticule(frame)
            ]
        ),
        graticule_scale=js_value(_GRATICULE_SCALE),
        capitals=js_value([[esc(w.place(n, lat, lon)), lat, lon] for n, lat, lon in capitals]),
        names=js_value([[esc(w.country(n)), lat, lon] for n, lat, lon in names]),
        centre=js_value([frame.lat, frame.lon]),
        note=js_value(html_projection.scale_note(frame, w)),
        js=html_projection.VIEW_JS,
    )


def _page_config(
    scene: ResolvedScene,
    *,
    offline: bool,
    title: str,
    groups: dict[str, str],
    hits: dict[str, str],
    azimuthal: bool = False,
    ranked: list[story.RankedPlace] | None = None,
    w: MapWords | None = None,
) -> dict[str, Any]:
    """What the page script needs: labels, places, callouts, the story's steps (each the
    layers on and the points it frames: rangemap.render.steps), and the names of the JS
    variables of each ring's layer group and hit line (fixed once the ids are renumbered).

    An `azimuthal` map names its own countries (rangemap.render.html_projection)."""
    w = w or words_of(scene)
    drawn = scene.drawn
    rings = {
        layer.id: [
            layer.ring.site.lat,
            layer.ring.site.lon,
            layer.ring.km,
            map_labels.south_point(layer.ring),
        ]
        for layer in drawn
    }
    callouts = map_labels.scene_callouts(scene)
    ends = {c.place.name for c in callouts}
    # Places by news value (rangemap.story), named in this order where each fits.
    places = [
        {"name": w.place(p.name, p.lat, p.lon), "at": [p.lat, p.lon], "rank": p.rank}
        for p in (story.ranked_places(scene) if ranked is None else ranked)
        if p.name not in ends
    ]
    return {
        "offline": offline,
        "narrowPx": page.NARROW_PX,
        "mapLabel": w("page_label", title=title),
        "detailsLabel": w("details"),
        "closeLabel": w("close_details"),
        "groups": groups,
        "hits": hits,
        "rings": rings,
        "order": sorted(rings, key=lambda i: -rings[i][2]),
        "labels": map_labels.page_labels(drawn, w),
        "sites": [
            {
                "name": w.label(site.label, site.location),
                "at": [site.location.lat, site.location.lon],
            }
            for site in scene.sites
        ],
        "places": places,
        "callouts": [
            {
                "text": w.callout(c),
                "name": w.place(c.place.name, c.place.lat, c.place.lon),
                "line": c.line,
                "end": [c.place.lat, c.place.lon],
            }
            for c in callouts
        ],
        "basemap": _basemap_labels(w) if offline and not azimuthal else None,
        **steps.steps_config(scene, w),
    }


def _basemap_labels(w: MapWords) -> dict[str, list]:
    """The offline basemap's country and capital names (rangemap.render.labels) in the
    language of `w`."""
    base = map_labels.basemap_labels()
    if w.code == "en":
        return base
    return {
        "countries": [[w.country(c[0]), *c[1:]] for c in base["countries"]],
        "capitals": [[w.place(c[0], c[1], c[2]), *c[1:]] for c in base["capitals"]],
    }


def _renumber(figure: Figure) -> None:
    """Replace folium's random element ids with a counter, in tree order: same map, same bytes."""
    counter = 0

    def walk(element: Element) -> None:
        nonlocal counter
        renamed: OrderedDict[str, Element] = OrderedDict()
        for key, child in element._children.items():
            old = child.get_name()
            counter += 1
            child._id = f"{counter:04d}"
            renamed[child.get_name() if key == old else key] = child
            walk(child)
        element._children = renamed

    walk(figure)


def render_map(
    scene: Scene | ResolvedScene | str | Path | None = None,
    *,
    offline: bool = False,
    self_contained: bool = False,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
    projection: Projection | None = None,
) -> folium.Map:
    """Build the interactive map of a scene (default: the built-in INF 2020 scene).

    Leaflet is always inlined (from the installed django-js-lib-leaflet), so the only
    requests a map makes are for the basemap tiles. `offline` draws Natural Earth countries as
    the basemap instead of CartoDB Positron tiles; `self_contained` promises a file that makes
    no request at all, which is the offline map.
    `title`, `subtitle` and `caption` replace the scene's texts.

    `projection` (else the scene's, else the one its ranges call for, see
    html_projection.choose_projection): "mercator" (Web Mercator, tiles or countries) or
    "aeqd" (azimuthal equidistant centred on the scene, on the countries the package ships,
    so it makes no request).
    """
    if scene is None or isinstance(scene, str | Path):
        scene = load_scene(scene if scene is not None else "inf-2020")
    resolved = scene if isinstance(scene, ResolvedScene) else resolve_scene(scene)
    offline = offline or self_contained or resolved.basemap == "offline"
    title = title or resolved.title
    subtitle = subtitle if subtitle is not None else resolved.subtitle
    caption = caption if caption is not None else resolved.caption
    projection = projection or resolved.projection or html_projection.choose_projection(resolved)
    if projection not in html_projection.PROJECTIONS:
        raise InputError(
            f"projection {projection!r} is not known; choose one of "
            f"{', '.join(html_projection.PROJECTIONS)}"
        )
    frame = html_projection.aeqd_frame(resolved) if projection == "aeqd" else None
    offline = offline or frame is not None
    w = words_of(resolved)

    if frame is None:
        m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.05, min_zoom=1)
    else:
        m = folium.Map(
            location=[frame.lat, frame.lon],
            zoom_start=2,
            tiles=None,
            crs=_AEQD_CRS,
            control_scale=True,
            zoom_snap=0.05,
        )
        # folium hands min_zoom and max_zoom to a tile layer only, and this map has none: the
        # zooms the page's CRS has resolutions for (html_projection.max_zoom) are the map's own
        m.options.update(min_zoom=0, max_zoom=frame.max_zoom)
    m.default_js, m.default_css = [], []
    if not offline:
        folium.TileLayer(
            TILES_URL,
            name="CartoDB Positron",
            attr=html_parts.CARTO_ATTRIBUTION,
            subdomains="abcd",
            max_zoom=20,
            control=False,
        ).add_to(m)
    folium.map.CustomPane(_COUNTRIES_PANE, z_index=350, pointer_events=True).add_to(m)
    folium.map.CustomPane(_SITES_PANE, z_index=640, pointer_events=True).add_to(m)
    folium.map.CustomPane(_FILLS_PANE, z_index=390, pointer_events=False).add_to(m)
    display = None
    if frame is not None:
        folium.map.CustomPane(_SEA_PANE, z_index=300, pointer_events=False).add_to(m)
        folium.map.CustomPane(_LABELS_PANE, z_index=630, pointer_events=False).add_to(m)
        display = html_projection.countries_display(frame)
    _countries_element(resolved, offline=offline, display=display, w=w).add_to(m)

    first = story.steps(resolved)[0]  # the map opens on the story's first step
    # claims drawing the same disc: the first fills it, the others draw their outline
    unfilled = {i for ids in story.merged_same_disc(resolved) for i in ids[1:]}
    arcs = map_labels.shared_arcs(resolved.drawn)
    groups: dict[str, FeatureGroup] = {}
    rings: dict[str, MacroElement] = {}
    drawn: dict[str, int] = {}
    for site in resolved.sites:
        for layer in site.layers:
            if not isinstance(layer, DrawnLayer):
                continue
            swatch = html_parts.line_svg(layer.color, layer.line_kind, width=22)
            group = folium.FeatureGroup(
                name=f"{swatch} {esc(_layer_name(layer, w))}", show=layer.id in first.show
            )
            rings[layer.id] = _ring_element(
                layer, frame, arcs, drawn, w, filled=layer.id not in unfilled
            ).add_to(group)
            groups[layer.id] = group.add_to(m)

    sites = folium.FeatureGroup(name=esc(w("sites")), show=True)
    for site in resolved.sites:
        label = w.label(site.label, site.location)
        if site.location.area is not None:  # launchers anywhere in it: draw the area
            geometry = site.location.area.geometry
            lines = (
                area_outline_latlngs(geometry)
                if frame is None
                else html_projection.area_outline(frame, geometry)
            )
            scale = _RING_SCALE if frame is None else frame.ring_scale
            _Area(
                lines=js_value(_encoded(lines, scale)),
                scale=js_value(scale),
                options=js_value({"color": resolved.colors["site"], "weight": 2}),
                tooltip=js_value(esc(w("launch_area", site=label))),
            ).add_to(sites)
        options = {
            "radius": 5,
            "color": "#FFFFFF",
            "weight": 1.5,
            "fillColor": resolved.colors["site"],
            "fillOpacity": 1,
            "pane": _SITES_PANE,
            "className": f"rm-site rm-s-{site.id}",
        }
        _Site(
            latlng=js_value([site.location.lat, site.location.lon]),
            options=js_value(options),
            tooltip=js_value(f"<b>{esc(label)}</b>"),
            popup=js_value(html_parts.site_popup(site, w)),
        ).add_to(sites)
    sites.add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    if frame is None:
        (south, west), (north, east) = first.frame.bounds
        m.fit_bounds([[max(south, -85.0), west], [min(north, 85.0), east]], padding=(10, 10))

    page_script = _Page(js=page.PAGE_JS, frame=embed.FRAME_JS, steps=steps.STEPS_JS).add_to(m)
    ranked = story.ranked_places(resolved)
    if frame is not None:
        _aeqd_element(frame, display, resolved, {p.name for p in ranked}, w).add_to(m)

    figure = m.get_root()
    _renumber(figure)
    figure._template = _figure_template(resolved.lang)
    page_script.cfg = js_value(
        _page_config(
            resolved,
            offline=offline,
            title=title,
            groups={key: group.get_name() for key, group in groups.items()},
            hits={key: ring.get_name() for key, ring in rings.items()},
            azimuthal=frame is not None,
            ranked=ranked,
            w=w,
        )
    )
    head = figure.header
    head.add_child(_Raw(f"<title>{esc(title)}</title>"), name="rm_title")
    # A window of its own lays the page out to grow with its content from the start, before
    # the map measures itself (an iframe waits for its host's answer: rangemap.render.embed).
    head.add_child(_Raw(f"<script>{embed.FLOW_JS}</script>"), name="rm_flow")
    leaflet_css = html_assets.style_text(html_assets.leaflet_css())
    leaflet_js = html_assets.script_text(html_assets.leaflet_js())
    head.add_child(_Raw(f"<style>{leaflet_css}</style>"), name="leaflet_css")
    head.add_child(_Raw(f"<script>{leaflet_js}</script>"), name="leaflet")
    # The scale's text sits in its bar, which Leaflet sizes to a round distance up to maxWidth
    # (100 px): a 58 px bar for "1000 mi" ran its "i" under the border, reading "1000 m". At 160
    # the shortest bar (over half of it) holds the widest label (tests/test_map_layout.py).
    head.add_child(_Raw(f"<script>{SCALE_JS}</script>"), name="rm_scale")
    head.add_child(_Raw(f"<script>{html_assets.script_text(DRAW_JS)}</script>"), name="rm_draw")
    if frame is not None:
        crs = js_value(
            [_AEQD_CRS, [frame.lat, frame.lon], html_projection.resolutions(frame.max_zoom)]
        )
        crs_js = html_assets.script_text(f"({html_projection.CRS_JS.strip()}).apply(null, {crs});")
        head.add_child(_Raw(f"<script>{crs_js}</script>"), name="rm_crs")
    gesture_css, gesture_js = html_assets.gesture_handling()
    head.add_child(_Raw(f"<style>{gesture_css}</style>"), name="gesture_css")
    head.add_child(_Raw(f"<script>{gesture_js}</script>"), name="gesture")
    if w.code != "en":  # Leaflet's and the gesture hint's own words, in the page's language
        head.add_child(_Raw(f"<script>{language_js(w)}</script>"), name="rm_language")
    head.add_child(_Raw(f"<style>{page.PAGE_CSS}{steps.STEPS_CSS}</style>"), name="rm_css")
    if frame is not None:
        head.add_child(_Raw(f"<style>{html_projection.AEQD_CSS}</style>"), name="rm_aeqd_css")
    body = figure.html
    story_steps = steps.steps_html(resolved, w)
    body.add_child(_Raw(html_parts.header_html(title, subtitle, story_steps)), name="rm_header")
    # folium puts the map's <div> into the body under the map's name while rendering; a
    # placeholder under that name keeps it between the header and the panels.
    body.add_child(_Raw(""), name=m.get_name())
    side = (
        f'<aside class="rm-side" aria-label="{esc(w("side_label"))}">'
        f"{html_parts.legend_html(resolved, first.show, w)}{html_parts.sources_html(resolved, w)}"
        "</aside>"
    )
    body.add_child(_Raw(side), name="rm_side")
    body.add_child(_Raw(html_parts.description_html(resolved)), name="rm_text")
    note = html_projection.footer_note(frame, w) if frame is not None else None
    footer = html_parts.footer_html(caption, offline=offline, note=note, w=w)
    body.add_child(_Raw(footer), name="rm_footer")
    return m


def _figure_template(lang: str) -> Template:
    """branca's page template with the scene's language on <html>."""
    return Template(
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n'
        "<head>\n"
        "    {{this.header.render(**kwargs)}}\n"
        "</head>\n"
        "<body>\n"
        "    {{this.html.render(**kwargs)}}\n"
        "</body>\n"
        "<script>\n"
        "    {{this.script.render(**kwargs)}}\n"
        "</script>\n"
        "</html>\n"
    )


SCALE_JS = "L.Control.Scale.mergeOptions({maxWidth: 160, imperial: false});"

#: Leaflet's words (zoom buttons, the layer list's button, the scale bar's units) and the
#: gesture hint ("Use ctrl + scroll to zoom the map", which the plugin ships in many
#: languages) in the page's language; the gesture plugin would follow the browser's.
_LANGUAGE_JS = """
(function (w) {
  L.Control.Zoom.mergeOptions({zoomInTitle: w.zoomIn, zoomOutTitle: w.zoomOut});
  var layout = L.Control.Layers.prototype._initLayout;
  L.Control.Layers.prototype._initLayout = function () {
    layout.call(this); this._layersLink.title = w.layers;
  };
  L.Control.Scale.prototype._updateMetric = function (maxMeters) {
    var m = this._getRoundNum(maxMeters);
    var text = m < 1000 ? w.m.replace("{n}", m.toLocaleString(w.lang))
                        : w.km.replace("{n}", (m / 1000).toLocaleString(w.lang));
    this._updateScale(this._mScale, text, m / maxMeters);
  };
  L.Map.addInitHook(function () {
    if (this.gestureHandling) {
      this.gestureHandling._getUserLanguage = function () { return w.lang; };
    }
  });
})"""


def language_js(w: MapWords) -> str:
    """The script that puts Leaflet's own words in the language of `w`."""
    words = {
        "lang": w.code,
        "zoomIn": w("zoom_in"),
        "zoomOut": w("zoom_out"),
        "layers": w("layers"),
        "m": w.unit_pattern("length-meter"),
        "km": w.unit_pattern("length-kilometer"),
    }
    return html_assets.script_text(f"{_LANGUAGE_JS.strip()}({js_value(words)});")


#: folium's viewport tag forbids zooming the page (user-scalable=no), which readers who
#: enlarge text need: replaced by one that allows it.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />'


def map_html(m: folium.Map) -> str:
    """The page of a map from render_map, the same text every time."""
    return _FOLIUM_VIEWPORT.sub(VIEWPORT, m.get_root().render(), count=1)


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write the map atomically to `path` (UTF-8); returns the path written."""
    from rangemap.output import write_text

    return write_text(Path(path), map_html(m))


def save_embeddable(
    m: folium.Map, path: str | Path, *, title: str, url: str | None = None, lang: str = "en"
) -> tuple[Path, Path]:
    """Write the map and its <iframe> snippet beside it (rangemap.render.embed): both files
    or neither. `title` names the frame for screen readers (labelled in the phrases language
    `lang`), `url` is where the map will be hosted. Returns (map, snippet)."""
    from rangemap.output import write_texts

    path = Path(path)
    snippet = embed.embed_path(path)
    write_texts({path: map_html(m), snippet: embed.embed_snippet(path, title, url=url, lang=lang)})
    return path, snippet
