"""Range areas of launch areas against an independent oracle: GeographicLib distances to the
area's boundary, for sampled points of the outline and for points just inside and outside it."""

from __future__ import annotations

import json

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box
from test_areas import (
    KALININGRAD,
    ORACLE_STEP_DEG,
    WGS84,
    _oracle_boundary,
    _oracle_km,
    kaliningrad_region,
)

from rangemap import area_files, areas, buffer


def _check_against_oracle(area: areas.LaunchArea, km: float, *, samples: int = 100) -> None:
    """Computed boundary within tolerance of R from the area, and random points near it on
    the right side whenever their true distance is more than the tolerance from R."""
    result = buffer.area_range(area, km)
    assert result.is_valid
    tol_km = buffer.tolerance_m(km) / 1000.0
    boundary = _oracle_boundary(area.geometry)
    rng = np.random.default_rng(13)
    edge = shapely.get_coordinates(result.boundary)
    # Seams at +-180 and closures along latitude +-90 are cuts, not the range area's edge.
    real = (np.abs(edge[:, 0]) < 180.0 - 1e-9) & (np.abs(edge[:, 1]) < 90.0 - 1e-9)
    picked = edge[rng.choice(np.flatnonzero(real), samples, replace=False)]
    errors = [_oracle_km(area.geometry, lat, lon, boundary) - km for lon, lat in picked]
    assert max(abs(e) for e in errors) <= tol_km, max(errors, key=abs)
    # Points scattered around the edge, up to 20 tolerances off it.
    azimuth = rng.uniform(0, 360, samples)
    offset = rng.uniform(-20, 20, samples) * tol_km * 1000
    judged = 0
    for (lon, lat), az, s in zip(picked, azimuth, offset, strict=True):
        moved = WGS84.Direct(lat, lon, az, s)
        q_lat, q_lon = moved["lat2"], (moved["lon2"] + 180.0) % 360.0 - 180.0
        truth = _oracle_km(area.geometry, q_lat, q_lon, boundary)
        if abs(truth - km) <= tol_km:
            continue
        judged += 1
        assert result.covers(Point(q_lon, q_lat)) == (truth <= km), (q_lat, q_lon, truth)
    assert judged > samples // 2


@pytest.mark.parametrize("km", [480, 2350, 5500])
def test_kaliningrad_region_matches_oracle(km: float) -> None:
    _check_against_oracle(kaliningrad_region(), km)


def test_kaliningrad_region_at_5500_km_holds_the_north_pole() -> None:
    region = kaliningrad_region()
    result = buffer.area_range(region, 5500)
    pole_km = _oracle_km(region.geometry, 90.0, 0.0, _oracle_boundary(region.geometry))
    assert pole_km < 5500
    assert result.covers(Point(0.0, 90.0)) and result.covers(Point(-179.9, 89.99))


def test_region_reaches_farther_than_its_city() -> None:
    """The region's 480 km area holds the city's 480 km ring and more (it is the point plus
    the rest of the exclave)."""
    from rangemap.geodesic import range_area

    region = buffer.area_range(kaliningrad_region(), 480)
    city = range_area(*KALININGRAD, 480)
    assert shapely.difference(city, region).area < 1e-6 * city.area
    assert region.area > 1.2 * city.area


def test_area_across_the_180th_meridian_matches_oracle() -> None:
    """An island group cut at the antimeridian, as RFC 7946 asks: both pieces are one area."""
    geometry = MultiPolygon([box(176.0, -19.0, 180.0, -16.0), box(-180.0, -19.0, -178.0, -15.0)])
    area = areas.LaunchArea(geometry, "Fiji-like")
    _check_against_oracle(area, 1000)
    result = buffer.area_range(area, 1000)
    assert result.geom_type == "MultiPolygon"
    assert all(abs(x) <= 180.0 for x, _ in shapely.get_coordinates(result))


def test_polar_area_matches_oracle() -> None:
    """Everything north of 85 degrees, closed along the pole as RFC 7946 polygons are."""
    cap = Polygon([(-180, 85), (-90, 85), (0, 85), (90, 85), (180, 85), (180, 90), (-180, 90)])
    area = areas.LaunchArea(shapely.segmentize(cap, 1.0), "north of 85")
    _check_against_oracle(area, 700)


def test_multipart_area_matches_oracle() -> None:
    geometry = MultiPolygon([box(9.0, 49.0, 11.0, 51.0), box(29.0, 39.5, 31.0, 40.5)])
    _check_against_oracle(areas.LaunchArea(geometry, "two parts"), 600)


def _holed_geojson(tmp_path):
    outer = [[0, 40], [20, 40], [20, 55], [0, 55], [0, 40]]
    small = [[2, 42], [2, 44], [4, 44], [4, 42], [2, 42]]  # ~200 km across: vanishes at 300 km
    large = [[8, 45], [8, 53], [18, 53], [18, 45], [8, 45]]  # ~700 km across: shrinks
    path = tmp_path / "holed.geojson"
    feature = {"type": "Polygon", "coordinates": [outer, small, large]}
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": feature}))
    return path


def test_geojson_area_with_holes_matches_oracle(tmp_path) -> None:
    area = area_files.read_geojson_area(_holed_geojson(tmp_path))
    _check_against_oracle(area, 300)
    result = buffer.area_range(area, 300)
    assert result.covers(Point(3.0, 43.0))  # the small hole is filled
    assert not result.covers(Point(13.0, 49.0))  # the large one only shrinks
    assert len(result.interiors) == 1


# ---------------------------------------------------------------------------------------------
# The outline point by point: area_range draws only the parts of the boundary points' discs
# that can reach the outline (fans around each point, their bases filling the gaps between
# neighbours). A gap anywhere would leave true points out; these tests look for one.

#: pyproj's Geod wraps the C GeographicLib: the same oracle as above, fast enough to measure
#: hundreds of points against thousands of boundary points.
GEOD = pyproj.Geod(ellps="WGS84")


def _true_km(area: shapely.Geometry, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Geodesic km from each point to the area by brute force: 0 inside, else the least
    distance to boundary points 0.01 degrees apart (shortlisted on the sphere, as in
    _oracle_km: within 2.1 % of the spherically nearest)."""
    boundary = _oracle_boundary(area)
    phi, lam = np.radians(boundary[:, 1]), np.radians(boundary[:, 0])
    result = np.zeros(lons.size)
    for i in np.flatnonzero(~shapely.intersects_xy(area, lons, lats)):
        p, q = np.radians(lats[i]), np.radians(lons[i])
        cos = np.sin(p) * np.sin(phi) + np.cos(p) * np.cos(phi) * np.cos(lam - q)
        angle = np.arccos(np.clip(cos, -1, 1))
        near = np.flatnonzero(angle <= angle.min() * 1.021 + 1e-9)
        _, _, metres = GEOD.inv(
            np.full(near.size, lons[i]), np.full(near.size, lats[i]), boundary[near, 0],
            boundary[near, 1],
        )  # fmt: skip
        result[i] = np.min(metres) / 1000.0
    return result


def _outward(area: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Boundary points 0.01 degrees apart (lon, lat) and the outward normal's azimuth at each
    (area on the left of every oriented ring, so outward is to the right)."""
    points, normals = [], []
    for ring in shapely.get_parts(shapely.boundary(shapely.orient_polygons(area))):
        xy = shapely.get_coordinates(shapely.segmentize(ring, ORACLE_STEP_DEG))
        xy = xy[np.abs(xy[:, 1]) < 90.0 - 1e-9]
        az, _, _ = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        points.append(xy[:-1])
        normals.append(np.asarray(az) + 90.0)
    return np.vstack(points), np.concatenate(normals)


def _check_outline_points(area: areas.LaunchArea, km: float, samples: int = 200) -> None:
    """Points whose true distance is R - 3 tol .. R - 1.2 tol are inside the result, points
    at R + 1.2 tol .. R + 3 tol outside; points near the area (up to R / 2 out from any
    boundary point, between disc centres too) are inside.

    Each candidate leaves a random boundary point in a random outward direction (up to 80
    degrees off the normal) and is moved along that geodesic until its true distance is
    near its target (distance grows at most as fast as the path: three steps of the
    shortfall); it is judged by its true distance alone.
    """
    result = buffer.area_range(area, km)
    assert result.is_valid
    tol_km = buffer.tolerance_m(km) / 1000.0
    rng = np.random.default_rng(int(km))
    points, normals = _outward(area.geometry)
    picked = rng.integers(0, len(points), samples)
    start, azimuth = points[picked], normals[picked] + rng.uniform(-80, 80, samples)
    target = km + rng.choice([-1, 1], samples) * rng.uniform(1.2, 3, samples) * tol_km
    along = target.copy()
    for _ in range(4):
        lons, lats, _ = GEOD.fwd(start[:, 0], start[:, 1], azimuth, along * 1000.0)
        lons, lats = np.asarray(lons), np.asarray(lats)
        truth = _true_km(area.geometry, lons, lats)
        along += target - truth
    inside = truth <= km - tol_km
    outside = truth >= km + tol_km
    assert inside.sum() >= samples // 4 and outside.sum() >= samples // 8
    covered = shapely.intersects_xy(result, lons, lats)
    wrong = np.flatnonzero((inside & ~covered) | (outside & covered))
    assert wrong.size == 0, [(lats[i], lons[i], truth[i] - km) for i in wrong[:5]]
    # Near the area, between disc centres and anywhere along the boundary: always inside.
    near = rng.integers(0, len(points), samples)
    out = rng.uniform(0.001, 0.5, samples) * km * 1000.0
    lons, lats, _ = GEOD.fwd(points[near, 0], points[near, 1], rng.uniform(0, 360, samples), out)
    assert shapely.intersects_xy(result, np.asarray(lons), np.asarray(lats)).all()


def _c_shape(tmp_path) -> areas.LaunchArea:
    """A GeoJSON C opening east: 10 x 10 degrees, arms 2 degrees thick, a bay 6 degrees deep."""
    ring = [[0, 40], [10, 40], [10, 42], [2, 42], [2, 48], [10, 48], [10, 50], [0, 50], [0, 40]]
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    return area_files.read_geojson_area(path)


@pytest.mark.parametrize("km", [480, 2350, 5500])
def test_kaliningrad_region_outline_points_match_oracle(km: float) -> None:
    _check_outline_points(kaliningrad_region(), km)


@pytest.mark.parametrize("km", [150, 300, 1200])
def test_concave_area_outline_points_match_oracle(tmp_path, km: float) -> None:
    """The bay of the C fills at 300 km and beyond; at 150 km a notch of it stays open."""
    _check_outline_points(_c_shape(tmp_path), km)


def test_area_with_holes_outline_points_match_oracle(tmp_path) -> None:
    _check_outline_points(area_files.read_geojson_area(_holed_geojson(tmp_path)), 300)


def test_polar_area_outline_points_match_oracle() -> None:
    cap = Polygon([(-180, 85), (-90, 85), (0, 85), (90, 85), (180, 85), (180, 90), (-180, 90)])
    _check_outline_points(areas.LaunchArea(shapely.segmentize(cap, 1.0), "north of 85"), 700)


def test_high_latitude_area_outline_points_match_oracle() -> None:
    """Svalbard's latitudes: lon/lat chords bend fast here, and the range passes the pole."""
    _check_outline_points(areas.LaunchArea(box(10.0, 76.0, 30.0, 80.0), "Svalbard-like"), 1500)


def test_area_across_the_180th_meridian_outline_points_match_oracle() -> None:
    geometry = MultiPolygon([box(176.0, -19.0, 180.0, -16.0), box(-180.0, -19.0, -178.0, -15.0)])
    _check_outline_points(areas.LaunchArea(geometry, "Fiji-like"), 1000)


def test_multipart_area_outline_points_match_oracle() -> None:
    geometry = MultiPolygon([box(9.0, 49.0, 11.0, 51.0), box(29.0, 39.5, 31.0, 40.5)])
    _check_outline_points(areas.LaunchArea(geometry, "two parts"), 600)


def test_small_island_outline_points_match_oracle() -> None:
    """An area small against the spacing of disc centres: a 3 km island at 50 km."""
    _check_outline_points(areas.LaunchArea(box(10.0, 50.0, 10.04, 50.03), "islet"), 50)


@pytest.mark.parametrize(
    ("geometry", "km"),
    [
        (box(20.0, 66.0, 30.0, 70.0), 3000),  # Lapland: fans facing north hold the North Pole
        (box(-65.0, -70.0, -55.0, -63.0), 3000),  # the Antarctic Peninsula: the South Pole
        (box(165.0, 58.0, 172.0, 62.0), 2000),  # Kamchatka: fans facing east cross +-180
    ],
    ids=["north-pole", "south-pole", "antimeridian"],
)
def test_fans_holding_a_pole_or_crossing_180_match_oracle(geometry, km: float) -> None:
    area = areas.LaunchArea(geometry, "box")
    _check_outline_points(area, km)
    result = buffer.area_range(area, km)
    assert all(abs(x) <= 180.0 and abs(y) <= 90.0 for x, y in shapely.get_coordinates(result))
