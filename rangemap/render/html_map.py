"""Interactive HTML maps of a scene (Leaflet): embeddable, deterministic, escaped.

The page is one data block drawn by one renderer (rangemap.render.renderer); this module
builds the data from a resolved scene.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from rangemap import story
from rangemap.errors import InputError
from rangemap.geodesic import _MAX_DLON
from rangemap.render import (
    display_geometry,
    embed,
    encoding,
    html_assets,
    html_parts,
    html_projection,
    page,
    steps,
)
from rangemap.render import labels as map_labels
from rangemap.render.html_parts import esc
from rangemap.render.html_projection import AeqdFrame
from rangemap.render.map_page import MapPage, document
from rangemap.render.map_words import MapWords, words_of
from rangemap.render.renderer import renderer_js
from rangemap.render.style import LINE_STYLES, fill_opacity, line_opacity, premixed
from rangemap.scene import Projection, Scene, load_scene
from rangemap.scene_build import DrawnLayer, ResolvedScene, resolve_scene

#: Steps per degree of the encoded coordinates (rangemap.render.encoding): country outlines
#: in 0.05 degree (Natural Earth's, simplified to 0.1 degrees: rounding adds at most a third
#: of that, and 0.04 degree cost 2 KB more of gzip), the graticule in 0.02 degree; ring
#: outlines and fills in what the map's deepest zoom needs (AeqdFrame.ring_scale,
#: display_geometry.mercator_scale).
_COUNTRY_SCALE, _GRATICULE_SCALE = 20, 50
#: Places to 1e-4 degree, their own precision (story.RankedPlace). Label anchors and the
#: points a step frames are written in the steps of the ring outlines they lie on.
_PLACE_SCALE = 10**4
#: The azimuthal basemap's names, placed to 1e-3 degree (their positions' own precision).
_NAME_SCALE = 10**3
#: Hover and click lines (invisible) simplified to ~100 m, in degrees.
_HIT_TOLERANCE_DEG = 1e-3
#: ... and written in steps of the same size: hover needs the line within a few pixels.
_HIT_SCALE = 10**3
_COUNTRIES_PANE, _SITES_PANE = "rm-countries", "rm-sites"
#: Azimuthal maps only: sea and graticule below the countries, names above the rings.
_SEA_PANE, _LABELS_PANE = "rm-sea", "rm-labels"
#: The ranges' fills, in a pane of their own below their outlines: opaque, premixed with
#: white (style.premixed), combined by "darken" and multiplied onto the basemap (page.CSS),
#: so overlapping and nested rings never stack into murk.
_FILLS_PANE = "rm-fills"
#: The name under which the azimuthal map's CRS is registered (L.CRS[name]).
_AEQD_CRS = "RangemapAEQD"
#: CartoDB Positron, a light basemap that keeps coloured rings readable. Written out: the
#: xyzservices entry (2026.9) adds an API-key parameter that would be left unfilled.
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
#: Width in px of the invisible line that takes hover and clicks along a ring's outline.
_HIT_WEIGHT = 14
#: Leaflet simplifies paths to 1 px by default, which turns a ring 330 px across into a
#: visible 28-gon under a 2.5 px stroke; a quarter pixel keeps it round.
_SMOOTH_PX = 0.25


def js_value(value: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&', no raw U+2028/2029."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _ring_data(
    layer: DrawnLayer,
    frame: AeqdFrame | None = None,
    arcs: dict[str, tuple[float, float]] | None = None,
    drawn: dict[str, int] | None = None,
    w: MapWords | None = None,
    *,
    filled: bool = True,
    zoom: int = display_geometry.MERCATOR_TILES_MAX_ZOOM,
    circles: dict[tuple[float, float, float], Any] | None = None,
) -> dict[str, Any]:
    """A ring's fill, visible outline and hover/click line, in one script block; with a
    `frame`, as drawn in its azimuthal equidistant projection, else in Web Mercator for the
    deepest zoom `zoom` (html_projection.mercator_max_zoom).

    A ring drawn on exactly the same outline as others answers on its share of it (`arcs`).
    `drawn` maps the outline lines already in the page (as JSON) to their index in the
    page's rmOutlines (DRAW_JS), so that each is written once. A ring not `filled` draws its
    outline only: another claim fills the same disc (two fills on top of each other would
    darken it into murk). `circles` keeps what _outline_data found for each circle of the map
    (a band's outer circle is often a ring of its own).
    """
    ring, color = layer.ring, layer.color
    weight, dash, _ = LINE_STYLES[layer.line_kind]
    fill = fill_opacity(layer) if filled else 0.0
    fill_outline = False
    if frame is None:
        scale = display_geometry.mercator_scale(zoom, ring.geometry)
        outline = display_geometry.outline_latlngs(ring.boundaries, zoom, scale)
        closures = display_geometry.outline_fill(ring, outline) if fill > 0 else None
        # the page fills the outline: as it is (true), or closed round a pole (the closures)
        fill_outline = closures if closures and any(closures) else closures is not None
        needs_fill = fill > 0 and not fill_outline
        fill_data = (
            display_geometry.fill_latlngs(ring.geometry, zoom, scale) if needs_fill else None
        )
    else:
        scale = frame.ring_scale
        outline = html_projection.ring_outline(frame, layer)
        fill_outline = fill > 0 and html_projection.outline_bounds_fill(frame, layer, outline)
        needs_fill = fill > 0 and not fill_outline
        fill_data = html_projection.ring_fill(frame, layer) if needs_fill else None
    hit = map_labels.hit_outline(layer, arcs or {})
    drawn = {} if drawn is None else drawn
    lines: list[str | int | dict] = []
    circles = {} if circles is None else circles
    for line in _outline_data(layer, outline, scale, frame, zoom, circles):
        key = js_value(line)
        lines.append(drawn.get(key, line))
        drawn.setdefault(key, len(drawn))
    data = {
        # its style (the page's rmRing makes Leaflet's options, classes rm-l-ID)
        "id": layer.id,
        "color": color,
        "weight": weight,
        "opacity": line_opacity(layer.kind),
        "dash": dash or None,
        "fillColor": premixed(color, fill) if fill > 0 else None,  # no fill: no colour either
        "scale": scale,
        "lines": lines,
        "fillOutline": fill_outline,
        "fill": _encoded(fill_data, scale) if fill_data is not None else None,
        "hit": [
            encoding.encode_line(
                shapely.get_coordinates(
                    shapely.simplify(shapely.LineString(line), _HIT_TOLERANCE_DEG)
                ),
                _HIT_SCALE,
            )
            for line in hit
        ]
        if hit is not None
        else None,
        "tooltip": html_parts.layer_tooltip(layer, w),
        "popup": html_parts.layer_popup(layer, w),
    }
    return data


def _outline_data(
    layer: DrawnLayer,
    outline: list,
    scale: int,
    frame: AeqdFrame | None,
    zoom: int,
    circles: dict[tuple[float, float, float], Any],
) -> list[str | dict]:
    """The page's data for each line of a ring's outline: a point site's circles as
    {"c": [lat, lon, metres, azimuths]} where the page can compute them whole
    (html_projection.circle_steps, mercator_circle_steps for a Web Mercator map whose deepest
    zoom is `zoom`); else each line of `outline`, encoded."""
    ring = layer.ring
    if ring.site.area is None:
        radii = (ring.km, ring.km_min) if ring.km_min else (ring.km,)
        site = (ring.site.lat, ring.site.lon)
        steps = []
        for km, boundary in zip(radii, ring.boundaries, strict=True):
            key = (*site, km)
            if key not in circles:  # the same circle, the same answer
                circles[key] = (
                    html_projection.circle_steps(frame, *site, km, *boundary)
                    if frame is not None
                    else html_projection.mercator_circle_steps(zoom, *site, km, *boundary)
                )
            steps.append(circles[key])
        if all(steps):  # on a Web Mercator map: [n, extra azimuths], "p" round a pole
            return [
                {"c": [*site, km * 1000.0, n]}
                if isinstance(n, int)
                else {
                    "c" if line[0] == line[-1] else "p": [*site, km * 1000.0, n[0]]
                    + ([_MAX_DLON] if n[1] else [])
                }
                for km, n, line in zip(radii, steps, outline, strict=True)
            ]
    return [encoding.encode_line(line, scale) for line in outline]


def _encoded(nested: list, scale: int) -> list | str:
    """Nested lists of [lat, lon] lines with each line encoded (rangemap.render.encoding)."""
    if nested and isinstance(nested[0][0], float | int):
        return encoding.encode_line(nested, scale)
    return [_encoded(item, scale) for item in nested]


def _countries_data(
    scene: ResolvedScene,
    *,
    offline: bool,
    display: np.ndarray | None = None,
    w: MapWords | None = None,
) -> dict[str, Any]:
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
    # Vatican. Each ring of each part, without its closing vertex, as one encoded line that
    # steps on from the end of the ring before it (encoding.encode_lines, chained).
    display = countries.display if display is None else display
    parts, part_owner = shapely.get_parts(display, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(coord_ring, np.arange(len(rings) + 1))
    closing = np.zeros(len(coords), dtype=bool)  # each ring without its closing vertex
    closing[starts[1:] - 1] = True
    encoded = encoding.encode_lines(
        coords[~closing, ::-1], starts - np.arange(len(starts)), _COUNTRY_SCALE, chained=True
    )
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
        features.append([html_parts.country_properties(label, rows), shapes[i]])
    if offline:
        style = {"color": "#AAAAAA", "weight": 0.6, "fillColor": "#F4F2EE", "fillOpacity": 1}
        hover = style | {"color": "#333333", "weight": 1.2}
    else:
        style = {"stroke": False, "fillColor": "#000000", "fillOpacity": 0}
        hover = style | {"stroke": True, "color": "#333333", "weight": 1, "opacity": 0.6}
    return {
        "data": features,
        "scale": _COUNTRY_SCALE,
        "ids": [layer.id for layer in scene.drawn],
        "intro": html_parts.country_intro(w),
        "none": html_parts.country_none(w),
        "pct": w.pct_words(),
        "pane": _COUNTRIES_PANE,
        "style": style | {"className": "rm-country"},
        "hover": hover,
    }


def _layer_name(layer: DrawnLayer, w: MapWords) -> str:
    """A layer's name in the layer list and country popups: the scene's, or in another
    language its site and claim label ('Deveselu (Rumänien) — Tomahawk: ...')."""
    if w.code == "en":
        return layer.name
    return f"{w.label(layer.site_label, layer.site)} — {w.claim_label(layer).text}"


def _aeqd_data(
    frame: AeqdFrame,
    display: np.ndarray,
    scene: ResolvedScene,
    named: set[str],
    w: MapWords,
) -> dict[str, Any]:
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
    return {
        "seaPane": _SEA_PANE,
        "labelsPane": _LABELS_PANE,
        "cap": frame.cap_km * 1000.0,
        "graticule": [
            encoding.encode_line(line, _GRATICULE_SCALE)
            for line in html_projection.graticule(frame)
        ],
        "graticuleScale": _GRATICULE_SCALE,
        # names, and their positions as one encoded line each (rmLine)
        "capitals": [esc(w.place(n, lat, lon)) for n, lat, lon in capitals],
        "capitalsAt": encoding.encode_line([(lat, lon) for _, lat, lon in capitals], _NAME_SCALE),
        "names": [esc(w.country(n)) for n, _, _ in names],
        "namesAt": encoding.encode_line([(lat, lon) for _, lat, lon in names], _NAME_SCALE),
        "scale": _NAME_SCALE,
        "centre": [frame.lat, frame.lon],
        "note": html_projection.scale_note(frame, w),
    }


def _point_scale(scene: ResolvedScene, frame: AeqdFrame | None, zoom: int) -> int:
    """Steps per degree of label anchors and step frames: the rings' own (on a Web Mercator
    map, the finest any ring takes: display_geometry.mercator_scale)."""
    if frame is not None:
        return frame.ring_scale
    return max(
        (display_geometry.mercator_scale(zoom, layer.ring.geometry) for layer in scene.drawn),
        default=display_geometry.mercator_scale(zoom, shapely.Point(0.0, 0.0)),
    )


def _page_config(
    scene: ResolvedScene,
    *,
    offline: bool,
    title: str,
    point_scale: int = _PLACE_SCALE,
    azimuthal: bool = False,
    ranked: list[story.RankedPlace] | None = None,
    w: MapWords | None = None,
) -> dict[str, Any]:
    """What the page script needs: labels, places, callouts and the story's steps (each the
    layers on and the points it frames: rangemap.render.steps). The renderer adds each
    ring's layer group and hit line (`groups`, `hits`) as it draws them.

    Anchors and step frames are written in `point_scale` steps a degree (the rings' own).
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
    story_steps = steps.steps_config(scene, w)
    ends = {c.place.name for c in callouts}
    # Places by news value (rangemap.story), named in this order where each fits.
    named = [p for p in (story.ranked_places(scene) if ranked is None else ranked)
             if p.name not in ends]  # fmt: skip
    places = [{"name": w.place(p.name, p.lat, p.lon), "rank": p.rank} for p in named]
    return {
        "offline": offline,
        "narrowPx": page.NARROW_PX,
        "mapLabel": w("page_label", title=title),
        "detailsLabel": w("details"),
        "closeLabel": w("close_details"),
        "rings": rings,
        "order": sorted(rings, key=lambda i: -rings[i][2]),
        # anchors and step frames as encoded lines (rmLine), decoded by the renderer
        "pointScale": point_scale,
        "labels": [
            label | {"anchors": encoding.encode_line(label["anchors"], point_scale)}
            for label in map_labels.page_labels(drawn, w)
        ],
        "sites": [
            {
                "name": w.label(site.label, site.location),
                "at": [site.location.lat, site.location.lon],
            }
            for site in scene.sites
        ],
        "places": places,  # their positions, one encoded line (the renderer adds "at")
        "placesAt": encoding.encode_line([(p.lat, p.lon) for p in named], _PLACE_SCALE),
        "placeScale": _PLACE_SCALE,
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
        "steps": [
            step | {"points": encoding.encode_line(step["points"], point_scale)}
            for step in story_steps["steps"]
        ],
        "longest": story_steps["longest"],
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


def render_map(
    scene: Scene | ResolvedScene | str | Path | None = None,
    *,
    offline: bool = False,
    self_contained: bool = False,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
    projection: Projection | None = None,
) -> MapPage:
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
    # the deepest zoom the display bound holds for (display_geometry): the map stops there
    zoom = (
        html_projection.mercator_max_zoom(resolved, tiles=not offline)
        if frame is None
        else frame.max_zoom
    )

    layers = []
    first = story.steps(resolved)[0]  # the map opens on the story's first step
    # claims drawing the same disc: the first fills it, the others draw their outline
    unfilled = {i for ids in story.merged_same_disc(resolved) for i in ids[1:]}
    arcs = map_labels.shared_arcs(resolved.drawn)
    drawn: dict[str, int] = {}
    circles: dict[tuple[float, float, float], Any] = {}
    for layer in resolved.drawn:  # in the order the countries' popups count them
        swatch = html_parts.line_svg(layer.color, layer.line_kind, width=22)
        layers.append(
            {
                "id": layer.id,
                "name": esc(_layer_name(layer, w)),  # the layer list's and popups'
                "swatch": swatch,
                "show": layer.id in first.show,
                "ring": _ring_data(
                    layer,
                    frame,
                    arcs,
                    drawn,
                    w,
                    filled=layer.id not in unfilled,
                    zoom=zoom,
                    circles=circles,
                ),
            }
        )
    sites = [_site_data(site, resolved, frame, w, zoom) for site in resolved.sites]
    # popups cut into pieces: those repeated (footnotes) written once, the sources copied
    # from the sources panel (its list items in document order: "#rm-sources li")
    sources = html_parts.sources_html(resolved, w)
    popups = [layer["ring"] for layer in layers] + sites
    shared, parts = encoding.shared_fragments(
        [p["popup"] for p in popups], encoding.page_items(sources)
    )
    for popup, pieces in zip(popups, parts, strict=True):
        popup["popup"] = pieces
    display = html_projection.countries_display(frame) if frame is not None else None
    ranked = story.ranked_places(resolved)
    data = {
        "map": _map_options(frame, first.frame.bounds, zoom),
        "tiles": None if offline else _tiles(zoom),
        "panes": _PANES if frame is None else _PANES + _AEQD_PANES,
        "ringStyle": {
            "smooth": _SMOOTH_PX,
            "hitWeight": _HIT_WEIGHT,
            "hitScale": _HIT_SCALE,
            "fillsPane": _FILLS_PANE,
        },
        "layers": layers,
        "sites": sites,
        "shared": shared,
        "sitesName": esc(w("sites")),
        "page": _page_config(
            resolved,
            offline=offline,
            title=title,
            point_scale=_point_scale(resolved, frame, zoom),
            azimuthal=frame is not None,
            ranked=ranked,
            w=w,
        ),
        "aeqd": _aeqd_data(frame, display, resolved, {p.name for p in ranked}, w)
        if frame is not None
        else None,
    }
    head_js = [SCALE_JS, html_projection.GEODESIC_JS]  # before the CRS, which uses it
    if frame is None:  # circles near a pole, cut at +-180 (a Web Mercator page's rmRing)
        head_js.append(html_projection.MERCATOR_JS)
    if frame is not None:  # the azimuthal CRS, registered before the map is made
        crs = js_value(
            [_AEQD_CRS, [frame.lat, frame.lon], html_projection.resolutions(frame.max_zoom)]
        )
        head_js.append(f"({html_projection.CRS_JS.strip()}).apply(null, {crs});")
    if w.code != "en":  # Leaflet's and the gesture hint's own words, in the page's language
        head_js.append(language_js(w))
    css = page.PAGE_CSS + steps.STEPS_CSS
    if frame is not None:
        css += html_projection.AEQD_CSS
    story_steps = steps.steps_html(resolved, w)
    side = (
        f'<aside class="rm-side" aria-label="{esc(w("side_label"))}">'
        f"{html_parts.legend_html(resolved, first.show, w)}{sources}"
        "</aside>"
    )
    note = html_projection.footer_note(frame, w) if frame is not None else None
    html = document(
        lang=resolved.lang,
        title=title,
        css=css,
        before_map=html_parts.header_html(title, subtitle, story_steps),
        after_map=side
        + html_parts.description_html(resolved)
        + html_parts.footer_html(caption, offline=offline, note=note, w=w),
        scripts=head_js,
        data=js_value(data),
        renderer=renderer_js(),
        late_data=js_value(_countries_data(resolved, offline=offline, display=display, w=w)),
    )
    return MapPage(html=html, title=title)


#: The panes above Leaflet's overlay pane (400): [name, z-index, takes pointer events].
_PANES = [[_COUNTRIES_PANE, 350, True], [_SITES_PANE, 640, True], [_FILLS_PANE, 390, False]]
#: Azimuthal maps only: sea and graticule below the countries, names above the rings.
_AEQD_PANES = [[_SEA_PANE, 300, False], [_LABELS_PANE, 630, False]]


def _tiles(zoom: int) -> dict[str, Any]:
    """The tile layer, up to the map's deepest zoom (the tiles themselves go to 20)."""
    options = {"maxZoom": zoom, "attribution": html_parts.CARTO_ATTRIBUTION, "subdomains": "abcd"}
    return {"url": TILES_URL, "options": options}


def _map_options(frame: AeqdFrame | None, bounds: tuple, zoom: int) -> dict[str, Any]:
    """Leaflet's map options: an azimuthal map opens on its centre at zoom 2; a Mercator map is
    fitted to the first step's frame (rangemap.story). Either stops at `zoom`, the deepest its
    display bound holds for (html_projection.max_zoom, mercator_max_zoom); an azimuthal CRS
    has resolutions down to there only."""
    options: dict[str, Any] = {"zoomSnap": 0.05, "maxZoom": zoom}
    if frame is not None:
        options |= {"center": [frame.lat, frame.lon], "zoom": 2, "minZoom": 0}
        return {"options": options, "crs": _AEQD_CRS, "fit": None}
    (south, west), (north, east) = bounds
    fit = [[max(south, -85.0), west], [min(north, 85.0), east]]
    return {"options": options | {"center": [0.0, 0.0], "zoom": 1}, "crs": None, "fit": fit}


def _site_data(
    site: Any, scene: ResolvedScene, frame: AeqdFrame | None, w: MapWords, zoom: int
) -> dict[str, Any]:
    """A site's dot (tooltip, popup) and, for a launch area, its outline (on a Web Mercator
    map, for the deepest zoom `zoom`)."""
    label = w.label(site.label, site.location)
    area = None
    if site.location.area is not None:  # launchers anywhere in it: draw the area
        geometry = site.location.area.geometry
        if frame is None:
            scale = display_geometry.mercator_scale(zoom, geometry)
            lines = display_geometry.area_outline_latlngs(geometry, zoom, scale)
        else:
            scale = frame.ring_scale
            lines = html_projection.area_outline(frame, geometry)
        area = {
            "lines": _encoded(lines, scale),
            "scale": scale,
            "options": {"color": scene.colors["site"], "weight": 2},
            "tooltip": esc(w("launch_area", site=label)),
        }
    return {
        "at": [site.location.lat, site.location.lon],
        "options": {
            "radius": 5,
            "color": "#FFFFFF",
            "weight": 1.5,
            "fillColor": scene.colors["site"],
            "fillOpacity": 1,
            "pane": _SITES_PANE,
            "className": f"rm-site rm-s-{site.id}",
        },
        "tooltip": f"<b>{esc(label)}</b>",
        "popup": html_parts.site_popup(site, w),
        "area": area,
    }


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


def map_html(m: MapPage) -> str:
    """The page of a map from render_map, the same text every time."""
    return m.html


def save_map(m: MapPage, path: str | Path) -> Path:
    """Write the map atomically to `path` (UTF-8); returns the path written."""
    return m.save(path)


def save_embeddable(
    m: MapPage, path: str | Path, *, title: str, url: str | None = None, lang: str = "en"
) -> tuple[Path, Path]:
    """Write the map and its <iframe> snippet beside it (rangemap.render.embed): both files
    or neither. `title` names the frame for screen readers (labelled in the phrases language
    `lang`), `url` is where the map will be hosted. Returns (map, snippet)."""
    from rangemap.output import write_texts

    path = Path(path)
    snippet = embed.embed_path(path)
    write_texts({path: m.html, snippet: embed.embed_snippet(path, title, url=url, lang=lang)})
    return path, snippet
