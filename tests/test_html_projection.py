"""Interactive maps in the azimuthal equidistant projection: choice, geometry, page, command."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic
from page_data import page_data
from page_data import rings as page_rings

from rangemap import layers
from rangemap.cli import cli
from rangemap.render import html_projection as hp
from rangemap.render.html_map import map_html, render_map
from rangemap.render.html_parts import esc
from rangemap.scene import Scene, SceneRange, SceneSite, builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene

REPO = Path(__file__).resolve().parent.parent
WGS84 = Geodesic.WGS84
#: Leaflet gets [lat, lon] rounded to 1e-4 degrees (display_geometry.DECIMALS): <= ~8 m.
ROUNDING_M = 12.0
MAX_AEQD_BYTES = 2_000_000


def _scene(*sites: tuple[str, tuple[float, ...]], projection: str | None = None) -> Scene:
    return Scene(
        title="t",
        projection=projection,
        sites=tuple(
            SceneSite(site=site, name=f"s{i}", ranges=tuple(SceneRange(km=km) for km in kms))
            for i, (site, kms) in enumerate(sites)
        ),
    )


@pytest.fixture(scope="module")
def ring_5000():
    return resolve_scene(_scene(("52.0,30.0", (5000,))))


@pytest.fixture(scope="module")
def polar():
    """5,500 km from Kaliningrad holds the North Pole."""
    return resolve_scene(_scene(("54.71,20.51", (5500,))))


# --- the choice ----------------------------------------------------------------------------


def _mercator_oracle(lat: float, lon: float, km: float) -> float:
    """Web Mercator's scale (PROJ's factors) at the ring's northernmost over its most
    equatorward point; both lie on the site's meridian (GeographicLib Direct)."""
    north = WGS84.Direct(lat, lon, 0.0, km * 1000.0)["lat2"]
    south = WGS84.Direct(lat, lon, 180.0, km * 1000.0)["lat2"]
    factors = pyproj.Proj("EPSG:3857").get_factors
    scales = [factors(lon, la).parallel_scale for la in (north, south)]
    if south <= 0.0 <= north:  # the ring crosses the equator, where the scale is least
        scales.append(factors(lon, 0.0).parallel_scale)
    return max(scales) / min(scales)


@pytest.mark.parametrize(
    ("lat", "km"), [(54.71, 480.0), (54.71, 1000.0), (44.08, 2500.0), (5.0, 3000.0)]
)
def test_mercator_scale_ratio_matches_proj(lat, km):
    layer = resolve_scene(_scene((f"{lat},20.5", (km,)))).drawn[0]
    assert hp.mercator_scale_ratio(layer) == pytest.approx(_mercator_oracle(lat, 20.5, km), 1e-4)


def test_a_ring_holding_a_pole_is_infinitely_misdrawn(polar):
    assert hp.mercator_scale_ratio(polar.drawn[0]) == math.inf


@pytest.mark.parametrize(
    ("site", "km", "expected"),
    [
        ("54.71,20.51", 480, "mercator"),  # 1.24x
        ("54.71,20.51", 1000, "aeqd"),  # 1.58x
        ("0.5,10.0", 3000, "mercator"),  # near the equator Mercator holds up
        ("54.71,20.51", 5500, "aeqd"),  # holds the pole
    ],
)
def test_default_projection_follows_the_measured_threshold(site, km, expected):
    assert hp.choose_projection(resolve_scene(_scene((site, (km,))))) == expected


@pytest.mark.parametrize("name", builtin_scenes())
def test_builtin_scenes_open_in_aeqd(name):
    """Each draws the INF Treaty's 5,500 km ring: from Europe it holds the North Pole, from
    Laoag (18 N) Mercator draws its far side at 2.6x."""
    assert hp.choose_projection(resolve_scene(load_scene(name))) == "aeqd"


def test_scene_field_and_argument_choose_the_projection():
    scene = resolve_scene(_scene(("54.71,20.51", (480,)), projection="aeqd"))
    assert "RangemapAEQD" in map_html(render_map(scene))
    assert "RangemapAEQD" not in map_html(render_map(scene, projection="mercator"))


# --- geometry ------------------------------------------------------------------------------


def test_frame_is_centred_like_the_static_map_and_caps_beyond_the_rings(ring_5000):
    frame = hp.aeqd_frame(ring_5000)
    assert (frame.lat, frame.lon) == (52.0, 30.0)
    assert frame.cap_km == hp.MIN_CAP_KM
    xmin, ymin, xmax, ymax = frame.focus  # the ring's own box: 2 x 5,000 km each way
    assert xmax - xmin == pytest.approx(10_000_000, abs=2_000)
    assert ymax - ymin == pytest.approx(10_000_000, abs=2_000)


def test_ring_outline_is_one_closed_line_of_exact_vertices(ring_5000):
    frame = hp.aeqd_frame(ring_5000)
    lines = hp.ring_outline(frame, ring_5000.drawn[0])
    assert len(lines) == 1 and lines[0][0] == lines[0][-1]
    pts = np.array(lines[0])
    s12 = [WGS84.Inverse(52.0, 30.0, la, lo)["s12"] for la, lo in pts]
    assert np.max(np.abs(np.array(s12) - 5_000_000.0)) < ROUNDING_M


def test_polar_ring_is_one_closed_outline_around_the_pole(polar):
    frame = hp.aeqd_frame(polar)
    lines = hp.ring_outline(frame, polar.drawn[0])
    assert len(lines) == 1 and lines[0][0] == lines[0][-1]
    tr = frame.forward()
    x, y = tr.transform([p[1] for p in lines[0]], [p[0] for p in lines[0]])
    outline = shapely.Polygon(np.column_stack([x, y]))
    pole = shapely.Point(tr.transform(0.0, 90.0))
    assert outline.is_valid and outline.contains(pole)
    fill = hp.ring_fill(frame, polar.drawn[0])
    assert len(fill) == 1 and len(fill[0]) == 1  # one polygon, no hole, no seam
    fx, fy = tr.transform([p[1] for p in fill[0][0]], [p[0] for p in fill[0][0]])
    fill_xy = shapely.Polygon(np.column_stack([fx, fy]))
    assert fill_xy.is_valid and fill_xy.contains(pole)
    assert shapely.hausdorff_distance(fill_xy.exterior, outline.exterior) < 1_000.0


def _xy_polygon(frame: hp.AeqdFrame, rings: list[list[list[float]]]) -> shapely.Polygon:
    """[lat, lon] lines (exterior, holes) as a polygon in the frame's projected metres."""
    tr = frame.forward()
    xy = [np.column_stack(tr.transform([p[1] for p in r], [p[0] for p in r])) for r in rings]
    return shapely.Polygon(xy[0], xy[1:])


@pytest.mark.parametrize(
    ("site", "km", "km_min"), [("54.71,20.51", 5500, None), ("54.71,20.51", 5500, 500)]
)
def test_outline_bounds_the_same_area_as_the_fill(site, km, km_min):
    """The page fills a whole ring's outline (a band's inner circle as the hole) instead
    of a second copy: the same area as the clipped, seam-joined fill, to under 0.1 %."""
    scene = Scene(
        title="t",
        sites=(SceneSite(site=site, name="s", ranges=(SceneRange(km=km, km_min=km_min),)),),
    )
    resolved = resolve_scene(scene)
    frame, layer = hp.aeqd_frame(resolved), resolved.drawn[0]
    outline = hp.ring_outline(frame, layer)
    assert hp.outline_bounds_fill(frame, layer, outline)
    assert len(outline) == (2 if km_min else 1)
    from_outline = _xy_polygon(frame, outline)
    (fill,) = hp.ring_fill(frame, layer)
    from_fill = _xy_polygon(frame, fill)
    assert from_outline.is_valid and from_fill.is_valid
    assert len(fill) == len(outline)  # the same holes
    difference = shapely.symmetric_difference(from_outline, from_fill).area
    assert difference < 1e-3 * from_fill.area


def test_outline_does_not_bound_the_fill_when_cut_or_around_the_antipode(ring_5000):
    layer = ring_5000.drawn[0]  # 5,000 km around 52 N, 30 E
    cut = hp.AeqdFrame(52.0, 30.0, 3_000.0, (0.0, 0.0, 0.0, 0.0))  # the cap cuts the ring
    assert not hp.outline_bounds_fill(cut, layer, hp.ring_outline(cut, layer))
    # Centred on the site's antipode: the whole ring lies within the cap, 15,000 km out, but
    # its area holds the centre's antipode, outside the closed line on the map.
    far = hp.AeqdFrame(-52.0, -150.0, hp.MAX_CAP_KM, (0.0, 0.0, 0.0, 0.0))
    outline = hp.ring_outline(far, layer)
    assert len(outline) == 1 and outline[0][0] == outline[0][-1]
    assert not hp.outline_bounds_fill(far, layer, outline)


def test_page_writes_each_outline_line_once():
    """Rings share circles (a band's outer circle is a ring of its own): each line's
    coordinates are in the page once, and later rings name the line by its index in the
    page's rmOutlines, in the order the lines were first written."""
    page = map_html(render_map(resolve_scene(load_scene("inf-2020"))))
    rings = page_rings(page)
    literal, shared = [], 0
    for ring in rings:
        for line in ring["lines"]:
            if not isinstance(line, int):  # encoded, or a circle the page computes
                literal.append(json.dumps(line))
            else:
                assert 0 <= line < len(literal)  # a line already in the page
                shared += 1
    assert literal and shared
    assert len(set(literal)) == len(literal)


def test_prebuilt_basemaps_rebuild_byte_for_byte(tmp_path):
    """layers/data/aeqd_basemaps.npz is what layers/build_basemaps.py computes now, from the
    current layers, scenes and code: rebuilt, it is the same file."""
    subprocess.run(
        [sys.executable, str(REPO / "layers" / "build_basemaps.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = layers.layers_dir() / "data" / hp.BASEMAPS_FILE
    assert (tmp_path / hp.BASEMAPS_FILE).read_bytes() == committed.read_bytes()


def test_countries_display_reads_the_prebuilt_basemap_or_computes_it(ring_5000):
    """A built-in scene's frame reads the same countries, labels and graticule it would
    compute; another frame computes them."""
    frame = hp.aeqd_frame(resolve_scene(load_scene("inf-2020")))
    assert hp.basemap_key(frame) in hp._prebuilt_basemaps()
    read, computed = hp.countries_display(frame), hp.compute_countries_display(frame)
    assert len(read) == len(layers.countries().display)
    assert shapely.to_wkb(read).tolist() == shapely.to_wkb(computed).tolist()
    assert hp.country_labels(frame, read) == hp.compute_country_labels(frame, computed)
    assert hp.graticule(frame) == hp.compute_graticule(frame)
    other = hp.aeqd_frame(ring_5000)
    assert hp.basemap_key(other) not in hp._prebuilt_basemaps()
    assert shapely.to_wkb(hp.countries_display(other)).tolist() == (
        shapely.to_wkb(hp.compute_countries_display(other)).tolist()
    )


def test_basemap_names_are_short_but_never_abbreviated(polar):
    """Both basemaps write a country as a map does ("China", "United States"), never in
    Natural Earth's abbreviations ("Dem. Rep. Korea", "W. Sahara") or under a wrong name."""
    from rangemap.render.labels import basemap_labels

    frame = hp.aeqd_frame(polar)
    aeqd = {name for name, _, _ in hp.country_labels(frame, hp.countries_display(frame))}
    mercator = {row[0] for row in basemap_labels()["countries"]}
    for names in (aeqd, mercator):
        assert {"China", "United States", "North Korea", "Bosnia and Herzegovina"} <= names
        assert [n for n in names if "." in n] == []
        assert "Wake Island" not in names
    assert {"Western Sahara", "Taiwan", "Kosovo"} <= mercator  # all of the world's units
    # but micro-states and micro-territories, noise unless the story is about them
    assert not {"Spratly Islands", "Jersey", "Monaco", "Bir Tawil", "Faeroe Islands"} & mercator


def test_countries_stay_inside_the_cap_without_seams(polar):
    frame = hp.aeqd_frame(polar)
    display = hp.countries_display(frame)
    coords = shapely.get_coordinates(display)
    n = len(coords)
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(
        np.full(n, frame.lon), np.full(n, frame.lat), coords[:, 0], coords[:, 1]
    )
    assert np.max(metres) <= frame.cap_km * 1000.0 + 1_000.0
    tr = frame.forward()
    for geometry in display:
        for ring in shapely.get_rings(shapely.get_parts(geometry)):
            xy = shapely.get_coordinates(ring)
            # a seam is an edge along +-180 or a pole: two neighbours both on it
            on_seam = (np.abs(xy[:, 0]) > 179.999) | (np.abs(xy[:, 1]) > 89.999)
            assert not np.any(on_seam[1:] & on_seam[:-1])
            x, y = tr.transform(xy[:, 0], xy[:, 1])
            assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    russia = display[list(_names()).index("Russia")]
    assert not russia.is_empty  # Chukotka and the rest: parts that meet at 180 are joined


def _names():
    from rangemap import layers

    return layers.countries().name


# --- the page ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inf_aeqd():
    return map_html(render_map(resolve_scene(load_scene("inf-2020")), self_contained=True))


def test_page_carries_its_own_projection_and_says_where_the_scale_is_true(inf_aeqd):
    """The ellipsoidal aeqd is the page's own few lines (CRS_JS), centred on the frame: no
    proj4js, no Proj4Leaflet (tests/test_browser.py checks it against PROJ)."""
    frame = hp.aeqd_frame(resolve_scene(load_scene("inf-2020")))
    assert page_data(inf_aeqd)["map"]["crs"] == "RangemapAEQD"
    assert f'["RangemapAEQD",[{frame.lat!r},{frame.lon!r}],' in inf_aeqd
    assert "proj4.defs" not in inf_aeqd and "L.Proj.CRS" not in inf_aeqd
    assert "<script src" not in inf_aeqd and "cartocdn" not in inf_aeqd
    assert "sourceMappingURL" not in inf_aeqd
    assert "scale bar are true along any line through +" in inf_aeqd
    # the + is near Warsaw
    assert json.dumps("true along lines through +\n(+ near Warsaw)") in inf_aeqd


def test_aeqd_page_is_deterministic_and_within_budget(inf_aeqd):
    again = map_html(render_map(resolve_scene(load_scene("inf-2020")), self_contained=True))
    assert again == inf_aeqd
    assert len(inf_aeqd.encode()) <= MAX_AEQD_BYTES


@pytest.mark.parametrize("payload", ["<img src=x onerror=alert(1)>", "{{ 7 * 7 }}{% raw %}"])
def test_scene_text_is_escaped_in_the_aeqd_map(payload):
    scene = Scene(
        title=payload,
        caption=payload,
        projection="aeqd",
        sites=(SceneSite(site="54.7,20.5", name=payload, ranges=(SceneRange(km=400),)),),
    )
    page = map_html(render_map(scene))
    body = re.sub(r'"[\w-]+"', '""', page.split("<body>")[1])  # no encoded coordinates
    assert "<img src=x" not in page and "49" not in re.sub(r"[\d.]{4,}", "", body)
    assert f"<h1>{esc(payload)}</h1>" in page


# --- the command ---------------------------------------------------------------------------


def test_map_command_takes_a_projection(tmp_path):
    out = tmp_path / "m.html"
    result = CliRunner().invoke(cli, ["map", "--projection", "mercator", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "RangemapAEQD" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--projection", "globe"], "'globe' is not one of 'mercator', 'aeqd'"),
        (["--projection", "mercator", "-o", "x.png"], "static maps are always azimuthal"),
    ],
)
def test_map_command_rejects_a_projection_it_cannot_draw(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["map", *args], catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output


# --- launch areas --------------------------------------------------------------------------


def _projected(frame, lines):
    tr = frame.forward()
    return [
        shapely.LineString(np.column_stack(tr.transform([p[1] for p in ln], [p[0] for p in ln])))
        for ln in lines
    ]


def test_area_site_and_its_range_area_are_drawn_along_their_true_edges():
    """The AEQD map draws the Kaliningrad region and its 2,350 km range area from their exact
    outlines (geodesic.outline_lines), projected with PROJ, within the page's rounding."""
    from rangemap.geodesic import outline_lines

    scene = resolve_scene(_scene(("kaliningrad-region", (2350,))))
    frame = hp.aeqd_frame(scene)
    layer, area = scene.drawn[0], scene.sites[0].location.area.geometry
    tr = frame.forward()
    for drawn, geometry in (
        (hp.ring_outline(frame, layer), layer.ring.geometry),
        (hp.area_outline(frame, area), area),
    ):
        exact = shapely.MultiLineString(
            [np.column_stack(tr.transform(ln[:, 0], ln[:, 1])) for ln in outline_lines(geometry)]
        )
        got = shapely.MultiLineString(_projected(frame, drawn))
        # simplified in the projection for the deepest zoom, rounded to 1e-4 degrees
        assert shapely.hausdorff_distance(got, exact) < frame.tolerance_m + ROUNDING_M


def test_area_across_the_180th_meridian_is_one_closed_outline_without_the_cut():
    from rangemap.areas import dispersal_area

    area = dispersal_area(65.0, 179.9, 100.0)
    assert len(shapely.get_parts(area.geometry)) == 2  # RFC 7946 cuts it at +-180
    frame = hp.aeqd_frame(resolve_scene(_scene(("65.0,179.9", (500,)))))
    merged = shapely.line_merge(
        shapely.MultiLineString(_projected(frame, hp.area_outline(frame, area.geometry)))
    )
    assert merged.geom_type == "LineString" and merged.is_closed  # the two halves join
    centre = shapely.Point(frame.forward().transform(179.9, 65.0))
    assert shapely.Polygon(merged.coords).contains(centre)
    assert merged.length == pytest.approx(2 * math.pi * 100_000.0, rel=0.01)


def test_aeqd_page_draws_the_launch_area(inf_aeqd):
    assert "Kaliningrad region: launch area" in inf_aeqd
    assert "From anywhere in the Kaliningrad region" in inf_aeqd
