"""Labels on the map: texts, candidate points on the true outline, capitals, callouts."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from pyproj import Geod

from rangemap.coverage import make_ring
from rangemap.locations import resolve
from rangemap.render.labels import (
    MapPlace,
    anchor_azimuths,
    callout,
    hit_outline,
    label_texts,
    ring_anchors,
    ring_labels,
    split_line,
)
from rangemap.scene import load_scene
from rangemap.scene_build import resolve_scene

#: Distances from GeographicLib's own implementation, to 1 mm.
DISTANCE_TOL_M = 1e-3
WGS84 = Geodesic.WGS84


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene())


def _ring(lat: float, lon: float, km: float, km_min: float | None = None):
    return make_ring(resolve(f"{lat},{lon}"), km, km_min=km_min)


@pytest.mark.parametrize(
    ("lat", "lon", "km"),
    [(54.717, 20.517, 480), (-33.9, 151.2, 2500), (89.0, 0.0, 300), (-20.0, 179.5, 3000)],
)
def test_every_anchor_lies_on_the_geodesic_circle_in_its_direction(lat, lon, km):
    anchors = ring_anchors(_ring(lat, lon, km))
    assert len(anchors) == 36
    for (a_lat, a_lon), azimuth in zip(anchors, anchor_azimuths(), strict=True):
        line = WGS84.Inverse(lat, lon, a_lat, a_lon)
        assert abs(line["s12"] - km * 1000) < 15  # anchors are rounded to 1e-4 degrees (~11 m)
        assert abs((line["azi1"] - azimuth + 180) % 360 - 180) < 0.01


def test_a_bands_anchors_lie_on_its_outer_circle():
    anchors = ring_anchors(_ring(54.717, 20.517, 1000, km_min=500))
    for a_lat, a_lon in anchors:
        assert abs(WGS84.Inverse(54.717, 20.517, a_lat, a_lon)["s12"] - 1e6) < 15


def _area_km(area, lat: float, lon: float) -> float:
    """Oracle: km from (lat, lon) to the area's boundary densified to 100 m (GeographicLib's C
    implementation, through pyproj, vectorised)."""
    lons, lats = shapely.get_coordinates(shapely.segmentize(area.geometry.boundary, 0.001)).T
    n = len(lons)
    _, _, metres = Geod(ellps="WGS84").inv(np.full(n, lon), np.full(n, lat), lons, lats)
    return float(np.min(metres)) / 1000


@pytest.mark.parametrize("km", [480, 5500])
def test_labels_and_hit_lines_of_an_area_range_lie_on_its_edge(km):
    """Regression: from a launch area, labels and the hit lines of a shared outline were put
    on a circle around the area's label point, up to 120 km inside the drawn edge."""
    ring = make_ring(resolve("kaliningrad-region"), km)
    area = ring.site.area
    anchors = ring_anchors(ring)
    for a_lat, a_lon in anchors[::5]:
        assert abs(_area_km(area, a_lat, a_lon) - km) < 0.1  # edge exact to 100 m at most
    layer = type("Layer", (), {"id": "x", "ring": ring})()
    lines = hit_outline(layer, {"x": (30.0, 150.0)})
    points = np.concatenate([np.asarray(line) for line in lines])
    assert len(points) > 20
    for p_lat, p_lon in points[:: max(1, len(points) // 8)]:
        assert abs(_area_km(area, p_lat, p_lon) - km) < 0.1
        azimuth = WGS84.Inverse(ring.site.lat, ring.site.lon, p_lat, p_lon)["azi1"] % 360
        assert 30.0 - 1e-6 <= azimuth <= 150.0 + 1e-6


def test_a_hit_arc_on_a_circle_runs_by_azimuth_and_ends_on_its_limits():
    ring = _ring(54.717, 20.517, 500)
    layer = type("Layer", (), {"id": "x", "ring": ring})()
    (line,) = hit_outline(layer, {"x": (0.0, 180.0)})
    azimuths = [WGS84.Inverse(54.717, 20.517, *p)["azi1"] % 360 for p in line]
    assert len(line) == 361  # the outline's vertices, every half degree, ends included
    assert abs(azimuths[0]) < 0.01 and abs(azimuths[-1] - 180) < 0.01
    assert np.all(np.diff(azimuths) > 0)


def test_anchors_start_north_then_alternate_east_and_west():
    anchors = np.array(ring_anchors(_ring(54.717, 20.517, 480)))
    assert anchors[0][0] == anchors[:, 0].max()  # the first is the northernmost
    assert anchors[1][1] > 20.517 > anchors[2][1]  # then east of north, then west
    assert len({tuple(a) for a in anchors.tolist()}) == 36


def test_claim_labels_give_figure_and_who_claims_it(inf):
    by_id = {layer.id: layer for layer in inf.drawn}
    assert label_texts(by_id["kaliningrad-region--9m729-ru-480"]) == (
        "9M729 ≤480 km · Russia",
        "≤480 km",
    )
    assert label_texts(by_id["kaliningrad-region--9m729-faz-2350"]) == (
        "9M729 ≤2,350 km · Western intelligence",
        "≤2,350 km",
    )
    # Launch from Deveselu is Russia's claim: the ring is drawn for Russia's claim.
    assert label_texts(by_id["deveselu--tomahawk-raytheon-1000mi"]) == (
        "Tomahawk ≥1,609 km · Russia",
        "≥1,609 km",
    )
    assert label_texts(by_id["kaliningrad-region--inf-500"]) == ("INF 500 km", "500 km")


def test_ring_labels_place_claims_first_and_small_rings_first(inf):
    labels = ring_labels(inf.drawn)
    assert {label.layer_id for label in labels} == {layer.id for layer in inf.drawn}
    kinds = [label.kind in ("threshold", "band") for label in labels]
    assert kinds == sorted(kinds)
    assert labels[0].layer_id == "kaliningrad-region--9m729-ru-480"


def test_callout_length_is_the_geodesic_distance():
    berlin = MapPlace("Berlin", 52.52437, 13.41053)
    line = callout("Kaliningrad", 54.717, 20.517, berlin)
    expected = WGS84.Inverse(54.717, 20.517, berlin.lat, berlin.lon)["s12"] / 1000
    assert abs(line.km - expected) < DISTANCE_TOL_M / 1000
    assert line.text == f"Berlin {expected:,.0f} km"
    assert line.text == "Berlin 529 km"
    points = line.line[0]
    assert points[0] == [54.717, 20.517] and points[-1] == [52.5244, 13.4105]
    # Interior points lie on the geodesic: their distances add up to the whole.
    mid = points[len(points) // 2]
    a = WGS84.Inverse(54.717, 20.517, *mid)["s12"]
    b = WGS84.Inverse(*mid, berlin.lat, berlin.lon)["s12"]
    assert abs(a + b - expected * 1000) < 1.0


def test_a_callout_across_the_180th_meridian_is_cut_into_two_lines():
    line = callout("Anadyr", 64.73, 177.5, MapPlace("Nome", 64.5, -165.4))
    assert len(line.line) == 2
    assert line.line[0][-1][1] == 180.0 and line.line[1][0][1] == -180.0
    assert line.line[0][-1][0] == line.line[1][0][0]


def test_split_line_keeps_a_line_that_does_not_cross():
    points = np.array([[10.0, 50.0], [20.0, 52.0]])
    (piece,) = split_line(points)
    assert piece.tolist() == points.tolist()
