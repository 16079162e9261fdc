"""Every outline the azimuthal page draws lies within ERROR_PX of the exact one at the map's
deepest zoom: rings, bands, range areas of launch areas and the launch areas themselves,
decoded from the page as the browser decodes them and measured in the projection (Hausdorff
distance, segments densified). The basemap is within its rounding of its source outlines."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from page_data import page_data, rings

from rangemap.geodesic import GEOD, outline_lines
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
        assert _px(frame, lines, exact) <= hp.ERROR_PX, layer_id
        checked += 1
    assert checked == len(resolved.drawn)
    areas = [s.location.area.geometry for s in resolved.sites if s.location.area is not None]
    found = [s["area"] for s in page_data(html)["sites"] if s["area"] is not None]
    assert len(found) == len(areas)
    for area, geometry in zip(found, areas, strict=True):
        drawn = [decode_line(text, area["scale"]) for text in area["lines"]]
        exact = _exact(frame, [(line[:, 0], line[:, 1]) for line in outline_lines(geometry)])
        assert _px(frame, drawn, exact) <= hp.ERROR_PX


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
