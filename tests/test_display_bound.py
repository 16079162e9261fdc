"""Every outline a page draws lies within ERROR_PX of the exact one at the map's deepest zoom:
rings, bands, range areas of launch areas and the launch areas themselves, decoded from the
page as the browser decodes them and measured in the projection (Hausdorff distance, segments
densified): azimuthal pages, and Web Mercator pages with tiles or on the countries alone, whose
fills are held to the same bound. The basemap is within its rounding of its source outlines."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from page_data import page_circle, page_data, rings

from rangemap.geodesic import GEOD, outline_lines
from rangemap.render import display_geometry as dg
from rangemap.render import html_projection as hp
from rangemap.render.encoding import decode_chain, decode_line
from rangemap.render.html_map import map_html, render_map
from rangemap.render.static_map import project_lines
from rangemap.scene import Scene, SceneRange, SceneSite, load_scene
from rangemap.scene_build import resolve_scene


def _scenes() -> dict[str, Scene]:
    polar = Scene(
        title="polar",
        projection="aeqd",
        sites=(SceneSite(site="78.2,15.6", name="S", ranges=(SceneRange(km=2500),)),),
    )
    dateline = Scene(
        title="dateline",
        projection="aeqd",
        sites=(
            SceneSite(
                site="-17.7,178.1",
                name="S",
                ranges=(SceneRange(km=80), SceneRange(km=3000)),
            ),
        ),
    )
    return {"inf-2020": load_scene("inf-2020"),
            "oreshnik-belarus-2025": load_scene("oreshnik-belarus-2025"),
            "polar": polar, "dateline": dateline}  # fmt: skip


@pytest.fixture(scope="module", params=list(_scenes()))
def page(request):
    resolved = resolve_scene(_scenes()[request.param])
    frame = hp.aeqd_frame(resolved)
    return resolved, frame, map_html(render_map(resolved, projection="aeqd"))


def _px(frame: hp.AeqdFrame, drawn: list[list[list[float]]], exact: list[np.ndarray]) -> float:
    """Hausdorff distance in pixels at the deepest zoom, both given as projected lines."""
    tr = frame.forward()
    got = shapely.MultiLineString(
        [np.column_stack(tr.transform(*np.array(line)[:, ::-1].T)) for line in drawn]
    )
    metres = shapely.hausdorff_distance(got, shapely.MultiLineString(exact), densify=0.05)
    return metres / hp.resolutions(frame.max_zoom)[-1]


def _circle(lat: float, lon: float, metres: float, n: int) -> list[list[float]]:
    """What the page's rmCircle draws (Vincenty's direct problem there, Karney's here: the
    same points within 1 mm, tests/test_browser.py), closed as Leaflet closes a polygon."""
    azimuths = 360.0 - np.arange(n) * 360.0 / n
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, metres))
    return np.column_stack([lats, lons])[np.r_[0:n, 0]].tolist()


def _exact(
    frame: hp.AeqdFrame, lines: list[tuple[np.ndarray, np.ndarray]], *, closed: bool = False
) -> list[np.ndarray]:
    """Exact vertices projected, cut where the cap cuts them; a point site's circles are
    closed rings of vertices (a range area's edges repeat their first vertex)."""
    tr = frame.forward()
    return [xy for lons, lats in lines
            for xy in project_lines(frame.view, tr, lons, lats, closed=closed)]  # fmt: skip


def _launch_areas(resolved, html: str) -> list[tuple[dict, object]]:
    """Each launch area's outline as the page has it, with the area's exact geometry."""
    areas = [s.location.area.geometry for s in resolved.sites if s.location.area is not None]
    found = [s["area"] for s in page_data(html)["sites"] if s["area"] is not None]
    assert len(found) == len(areas)
    return list(zip(found, areas, strict=True))


def test_every_drawn_outline_is_within_the_stated_bound(page):
    resolved, frame, html = page
    layers = {layer.id: layer for layer in resolved.drawn}
    outlines: list[list[list[float]]] = []  # rmOutlines, as the page builds it
    checked = 0
    for data in rings(html):
        lines = []
        for line in data["lines"]:
            if isinstance(line, int):
                lines.append(outlines[line])
                continue
            outlines.append(
                decode_line(line, data["scale"]) if isinstance(line, str) else _circle(*line["c"])
            )
            lines.append(outlines[-1])
        layer_id = data["id"]
        ring = layers[layer_id].ring
        exact = _exact(frame, list(ring.boundaries), closed=ring.site.area is None)
        assert _px(frame, lines, exact) <= dg.ERROR_PX, layer_id
        checked += 1
    assert checked == len(resolved.drawn)
    for area, geometry in _launch_areas(resolved, html):
        drawn = [decode_line(text, area["scale"]) for text in area["lines"]]
        exact = _exact(frame, [(line[:, 0], line[:, 1]) for line in outline_lines(geometry)])
        assert _px(frame, drawn, exact) <= dg.ERROR_PX


def test_the_deepest_zoom_shows_the_smallest_range_whole():
    """A map goes deeper than MAX_ZOOM only as far as its smallest range needs."""
    resolved = resolve_scene(_scenes()["dateline"])  # 80 km: 160 km across
    frame = hp.aeqd_frame(resolved)
    width_px = 160_000.0 / hp.resolutions(frame.max_zoom)[-1]
    assert hp.SMALLEST_PX <= width_px < 2 * hp.SMALLEST_PX
    assert hp.aeqd_frame(resolve_scene(load_scene("inf-2020"))).max_zoom == 7  # 480 km


def test_the_page_stops_at_the_deepest_zoom_the_bound_holds_for(page):
    """The bound holds down to frame.max_zoom, so the page lets no reader zoom deeper: the
    map's own maxZoom (a tile layer's would not stop the map, and this map has none)."""
    _, frame, html = page
    options = page_data(html)["map"]["options"]
    assert options["maxZoom"] == frame.max_zoom and options["minZoom"] == 0


def test_basemap_is_its_source_outline_rounded(page):
    """Countries: the prebuilt display outlines, each vertex rounded to the page's step."""
    from rangemap.render.html_map import _COUNTRY_SCALE

    _, frame, html = page
    data = page_data(html)["countries"]["data"]
    display = hp.countries_display(frame)
    source = shapely.get_coordinates(display)
    rings = [ring for _, shape in data for poly in shape for ring in poly]  # as the page
    decoded = np.array([v for ring in decode_chain(rings, _COUNTRY_SCALE) for v in ring])
    assert len(decoded) == len(source) - len(shapely.get_rings(shapely.get_parts(display)))
    tree = shapely.STRtree(shapely.points(source[:, ::-1]))
    nearest = tree.query_nearest(shapely.points(decoded), return_distance=True)[1]
    assert nearest.max() <= 0.5 / _COUNTRY_SCALE * np.sqrt(2) + 1e-9


# --- Web Mercator pages ------------------------------------------------------------------


def _mercator_scenes() -> dict[str, tuple[Scene, bool]]:
    """Scene and whether the page has map tiles: the default scene both ways, a ring round
    the North Pole, rings across the 180th meridian, and a launch area."""
    polar = Scene(
        title="polar",
        sites=(SceneSite(site="78.2,15.6", name="S", ranges=(SceneRange(km=2500),)),),
    )
    dateline = Scene(
        title="dateline",
        sites=(
            SceneSite(
                site="-17.7,178.1",
                name="S",
                ranges=(SceneRange(km=80), SceneRange(km=3000, km_min=1000)),
            ),
        ),
    )
    inf = load_scene("inf-2020")
    return {"inf-2020": (inf, True), "inf-2020-offline": (inf, False),
            "polar": (polar, True), "dateline": (dateline, True)}  # fmt: skip


@pytest.fixture(scope="module", params=list(_mercator_scenes()))
def mercator_page(request):
    scene, tiles = _mercator_scenes()[request.param]
    resolved = resolve_scene(scene)
    html = map_html(render_map(resolved, projection="mercator", offline=not tiles))
    return resolved, tiles, html


def _mercator_px(drawn: list, exact: list[np.ndarray], zoom: int) -> float:
    """Hausdorff distance in pixels at `zoom`, both given as lines of (lon, lat) rows, as
    Leaflet draws them (straight in Web Mercator, latitude clamped)."""
    got = shapely.MultiLineString([dg.mercator_xy(np.asarray(line)) for line in drawn])
    want = shapely.MultiLineString([dg.mercator_xy(line) for line in exact])
    return shapely.hausdorff_distance(got, want, densify=0.05) / (dg.RES0_M / 2**zoom)


def test_mercator_pages_stop_at_the_deepest_zoom_they_state(mercator_page):
    resolved, tiles, html = mercator_page
    zoom = hp.mercator_max_zoom(resolved, tiles=tiles)
    assert zoom == (max(13, hp.max_zoom(resolved)) if tiles else hp.max_zoom(resolved))
    data = page_data(html)
    assert data["map"]["options"]["maxZoom"] == zoom
    assert (data["tiles"]["options"]["maxZoom"] if tiles else None) == (zoom if tiles else None)


def test_every_mercator_outline_and_fill_is_within_the_stated_bound(mercator_page):
    resolved, tiles, html = mercator_page
    zoom = hp.mercator_max_zoom(resolved, tiles=tiles)
    layers = {layer.id: layer for layer in resolved.drawn}
    outlines: list[np.ndarray] = []  # rmOutlines, as the page builds it, in (lon, lat)
    checked = 0
    for data in rings(html):
        lines = []
        for line in data["lines"]:
            if isinstance(line, str):
                outlines.append(np.array(decode_line(line, data["scale"]))[:, ::-1])
            elif isinstance(line, dict):  # the page's own circle (rmCircle, rmRound)
                outlines.append(page_circle(line))
            lines.append(outlines[line if isinstance(line, int) else -1])
        layer_id = data["id"]
        ring = layers[layer_id].ring
        exact = [piece for lons, lats in ring.boundaries
                 for piece in dg.split_at_antimeridian(lons, lats)]  # fmt: skip
        assert _mercator_px(lines, exact, zoom) <= dg.ERROR_PX, layer_id
        if data["fill"] is not None:  # filled on its own: its edge, seams and all
            fill = [np.array(decode_line(r, data["scale"]))[:, ::-1]
                    for polygon in data["fill"] for r in polygon]  # fmt: skip
            fill = [np.vstack([r, r[:1]]) for r in fill]
            edge = [shapely.get_coordinates(r) for r in shapely.get_rings(
                shapely.get_parts(ring.geometry))]  # fmt: skip
            assert _mercator_px(fill, edge, zoom) <= dg.ERROR_PX, layer_id
        checked += 1
    assert checked == len(resolved.drawn)
    for area, geometry in _launch_areas(resolved, html):
        drawn = [np.array(decode_line(text, area["scale"]))[:, ::-1] for text in area["lines"]]
        assert _mercator_px(drawn, outline_lines(geometry), zoom) <= dg.ERROR_PX


def test_mercator_fills_drawn_from_outlines_close_along_the_maps_edge(mercator_page):
    """A ring whose fill the page builds from its outline (fillOutline) says how: a list of
    poles only where a line goes round one; the polar scene's ring does."""
    resolved, _, html = mercator_page
    fills = [data["fillOutline"] for data in rings(html)]
    assert all(f in (True, False) or set(f) <= {0, 90, -90} for f in fills)
    if resolved.title == "polar":
        assert fills == [[90]]


def test_mercator_pages_draw_point_sites_circles_themselves(mercator_page):
    """A point site's circle comes as four numbers, five where the page adds the engine's
    azimuths near a pole, as "p" round a pole; only circles cut in two by the 180th meridian
    come as vertices (as do launch areas' range areas)."""
    resolved, _, html = mercator_page
    point = {layer.id for layer in resolved.drawn if layer.ring.site.area is None}

    def kind(line: str | dict) -> str:
        return "vertices" if isinstance(line, str) else f"{next(iter(line))}{len(*line.values())}"

    kinds = [kind(line) for data in rings(html) if data["id"] in point
             for line in data["lines"] if not isinstance(line, int)]  # fmt: skip
    expected = {"polar": ["p5"], "dateline": ["c4"] + ["vertices"] * 4}  # cut in two each
    assert kinds == expected.get(resolved.title, kinds)
    if resolved.title == load_scene("inf-2020").title:
        assert set(kinds) == {"c4", "c5", "p5"}
