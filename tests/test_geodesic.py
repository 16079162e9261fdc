"""Range areas checked against independent oracles: GeographicLib (Python) and PROJ's exact AEQD."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rangemap.errors import InputError
from rangemap.geodesic import (
    MIN_KM,
    SAFE_MAX_KM,
    area_km2,
    band_area,
    circle_points,
    range_area,
    ring_vertices,
)

WGS84 = Geodesic.WGS84
EARTH_KM2 = 4 * math.pi * WGS84._c2 / 1e6  # 4 pi c^2, c the authalic radius

# (lat, lon, km): Europe, a ring holding the North Pole, the 180th meridian, the southern
# hemisphere, both poles, sites on a pole, and a range just short of the cut locus.
CASES = [
    (54.717, 20.517, 480),  # Kaliningrad, Russia's stated 9M729 range
    (44.078667, 24.413417, 1000),  # Deveselu, INF shorter-range limit
    (54.717, 20.517, 5500),  # Kaliningrad, INF intermediate-range limit: holds the North Pole
    (64.8, -147.7, 5500),  # Fairbanks: pole and 180th meridian together
    (-17.7, 178.0, 2500),  # Fiji: across the 180th meridian, southern hemisphere
    (-33.9, 151.2, 3000),  # Sydney
    (-77.85, 166.67, 1500),  # McMurdo: holds the South Pole
    (90.0, 0.0, 800),  # on the North Pole
    (-90.0, 0.0, 19_000),  # on the South Pole, reaching almost to the North Pole
    (0.0, 0.0, 15_000),  # both poles: world minus a cap
    (35.0, 139.7, 16_500),  # Tokyo, both poles, cap across the 180th meridian's antipode
    (1.0, -179.0, 19_900),  # near the equator, just short of the cut locus
    (76.53, -68.70, 2350),  # Thule/Pituffik, from the example
]


def _oracle_area_km2(lat: float, lon: float, km: float, n: int = 20_000) -> float:
    """Area inside PROJ's ellipsoidal AEQD circle of radius km (exact distances from its centre).

    The circle is inverse-projected and measured as an unsplit geodesic polygon; GeographicLib's
    polygon area is reduced modulo the ellipsoid's area (it reports large areas as negatives).
    """
    aeqd = pyproj.Proj(proj="aeqd", lat_0=lat, lon_0=lon, ellps="WGS84")
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    lons, lats = aeqd(km * 1000 * np.sin(theta), km * 1000 * np.cos(theta), inverse=True)
    poly = WGS84.Polygon()
    for la, lo in zip(lats[::-1], lons[::-1], strict=True):  # counter-clockwise
        poly.AddPoint(la, lo)
    _, _, signed = poly.Compute(reverse=False, sign=True)
    return (signed / 1e6) % EARTH_KM2


@pytest.mark.parametrize(("lat", "lon", "km"), CASES)
def test_ring_vertices_lie_at_the_range_within_1_mm(lat: float, lon: float, km: float) -> None:
    lons, lats = ring_vertices(lat, lon, km)
    step = max(1, lons.size // 400)
    errors = [
        abs(WGS84.Inverse(lat, lon, la, lo)["s12"] - km * 1000)
        for la, lo in zip(lats[::step], lons[::step], strict=True)
    ]
    assert max(errors) < 1e-3


@pytest.mark.parametrize(("lat", "lon", "km"), CASES)
def test_area_matches_the_aeqd_oracle_within_0_01_percent(lat: float, lon: float, km: float):
    assert area_km2(range_area(lat, lon, km)) == pytest.approx(
        _oracle_area_km2(lat, lon, km), rel=1e-4
    )


@pytest.mark.parametrize(("lat", "lon", "km"), CASES)
def test_geometry_follows_rfc_7946(lat: float, lon: float, km: float) -> None:
    area = range_area(lat, lon, km)
    assert area.is_valid
    xmin, ymin, xmax, ymax = area.bounds
    assert -180 <= xmin <= xmax <= 180
    assert -90 <= ymin <= ymax <= 90
    assert all(shapely.is_ccw(p.exterior) for p in shapely.get_parts(area))
    assert all(not shapely.is_ccw(r) for p in shapely.get_parts(area) for r in p.interiors)
    for pole in (90.0, -90.0):
        holds = WGS84.Inverse(lat, lon, pole, 0.0)["s12"] <= km * 1000
        # Closed along the pole: the polygon touches latitude +-90 across all longitudes.
        assert holds == (
            shapely.length(
                shapely.intersection(area.boundary, shapely.LineString([(-180, pole), (180, pole)]))
            )
            == pytest.approx(360.0)
        )


def test_ring_across_the_180th_meridian_is_split_in_two() -> None:
    area = range_area(-17.7, 178.0, 800)
    parts = shapely.get_parts(area)
    assert len(parts) == 2
    west, east = sorted(parts, key=lambda p: p.bounds[0])
    assert west.bounds[0] == -180 and east.bounds[2] == 180
    assert east.bounds[0] == pytest.approx(178.0 - 7.55, abs=0.1)  # 800 km west of 178 E


def test_range_area_around_kaliningrad_holds_the_north_pole() -> None:
    area = range_area(54.717, 20.517, 5500)
    assert area.geom_type == "Polygon"
    assert area.contains(shapely.Point(0.0, 89.999))
    assert not area.contains(shapely.Point(20.5, 5.0))


def _point_at(lat: float, lon: float, azimuth: float, km: float) -> tuple[float, float]:
    d = WGS84.Direct(lat, lon, azimuth, km * 1000)
    return d["lat2"], d["lon2"]


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    km=st.floats(1.0, SAFE_MAX_KM),
    seed=st.integers(0, 2**32 - 1),
)
@example(lat=54.717, lon=20.517, km=5500.0, seed=1)
@example(lat=89.99, lon=-179.99, km=300.0, seed=2)
@example(lat=-45.0, lon=180.0, km=12_000.0, seed=3)
@example(lat=0.0, lon=-180.0, km=SAFE_MAX_KM, seed=4)
@example(lat=-90.0, lon=0.0, km=50.0, seed=5)
def test_points_are_classified_as_geographiclib_says(lat, lon, km, seed) -> None:
    """Sampled points agree with GeographicLib outside a band of 0.01 % of R (>= 100 m)."""
    rng = np.random.default_rng(seed)
    area = range_area(lat, lon, km)
    band_km = max(1e-4 * km, 0.1)
    # Points near the boundary (both sides), anywhere on the globe, and near both poles.
    offsets = rng.choice([-1, 1], 60) * (band_km + rng.uniform(0, 0.05 * km + 1, 60))
    near = [
        _point_at(lat, lon, az, km + off)
        for az, off in zip(rng.uniform(0, 360, 60), offsets, strict=True)
        if 0 < km + off < SAFE_MAX_KM
    ]
    z = rng.uniform(-1, 1, 60)
    anywhere = list(zip(np.degrees(np.arcsin(z)), rng.uniform(-180, 180, 60), strict=True))
    polar = [(s * rng.uniform(89.0, 90.0), rng.uniform(-180, 180)) for s in (-1, 1) * 10]
    for plat, plon in near + anywhere + polar:
        dist_km = WGS84.Inverse(lat, lon, plat, plon)["s12"] / 1000
        if abs(dist_km - km) <= band_km:
            continue
        assert shapely.intersects_xy(area, plon, plat) == (dist_km < km), (plat, plon, dist_km)


def test_band_is_the_outer_area_minus_the_inner() -> None:
    band = band_area(44.078667, 24.413417, 500, 1000)
    assert band.is_valid
    assert area_km2(band) == pytest.approx(
        area_km2(range_area(44.078667, 24.413417, 1000))
        - area_km2(range_area(44.078667, 24.413417, 500)),
        rel=1e-9,
    )
    lat, lon = _point_at(44.078667, 24.413417, 45.0, 400)
    assert not band.intersects(shapely.Point(lon, lat))
    lat, lon = _point_at(44.078667, 24.413417, 45.0, 700)
    assert band.intersects(shapely.Point(lon, lat))


def test_band_around_a_pole_holding_ring_stays_valid() -> None:
    band = band_area(54.717, 20.517, 1000, 5500)
    assert band.is_valid
    assert area_km2(band) == pytest.approx(
        _oracle_area_km2(54.717, 20.517, 5500) - _oracle_area_km2(54.717, 20.517, 1000), rel=1e-4
    )


def test_area_of_the_whole_world_is_the_ellipsoid_area() -> None:
    assert area_km2(shapely.box(-180, -90, 180, 90)) == pytest.approx(EARTH_KM2, rel=1e-9)


def test_mercator_circle_would_be_wrong_by_tens_of_percent() -> None:
    """Why rangemap exists: a 1,000 km 'circle' in Web Mercator around Deveselu is too small."""
    merc = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x, y = merc.transform(24.413417, 44.078667)
    circle = shapely.Point(x, y).buffer(1_000_000, 256)
    back = shapely.transform(
        circle, lambda xy: np.column_stack(merc.transform(xy[:, 0], xy[:, 1], direction="INVERSE"))
    )
    ratio = area_km2(back) / area_km2(range_area(44.078667, 24.413417, 1000))
    assert 0.45 < ratio < 0.6


@pytest.mark.parametrize(
    ("lat", "lon", "km", "message"),
    [
        (95.0, 0.0, 500, "latitude 95.0 is out of range"),
        (0.0, 181.0, 500, "longitude 181.0 is out of range"),
        (math.nan, 0.0, 500, "latitude nan is not a finite number"),
        (0.0, math.inf, 500, "longitude inf is not a finite number"),
        (0.0, 0.0, 0, "range 0 km must be greater than zero"),
        (0.0, 0.0, -5, "range -5 km must be greater than zero"),
        (0.0, 0.0, math.nan, "range nan is not a finite number"),
        (0.0, 0.0, 20_002, r"beyond the cut locus.*use at most 19970 km from this site"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(lat, lon, km, message) -> None:
    with pytest.raises(InputError, match=message):
        range_area(lat, lon, km)


def test_band_needs_inner_range_below_outer() -> None:
    with pytest.raises(InputError, match="inner range 1000 km must be smaller"):
        band_area(0.0, 0.0, 1000, 500)


def test_polar_site_accepts_ranges_beyond_the_equatorial_limit() -> None:
    area = range_area(90.0, 0.0, 20_000)
    assert area_km2(area) == pytest.approx(_oracle_area_km2(90.0, 0.0, 20_000), rel=1e-4)


@pytest.mark.parametrize(
    ("lat", "lon", "km", "message"),
    [
        # 1e306 km overflowed to infinity in metres; the cut-locus test compared NaN and passed
        (54.7, 20.5, 1e306, r"range 1e\+306 km from any site reaches beyond the antipode"),
        (54.7, 20.5, 20_005.0, "reaches beyond the antipode"),
        (0.0, 0.0, 20_000.0, "beyond the cut locus"),
        # 1e-12 km at the pole collapsed to no vertices: an IndexError
        (90.0, 0.0, 1e-12, r"range 1e-12 km is shorter than 0\.001 km"),
        (0.0, 0.0, True, "is not a finite number of km"),
    ],
)
def test_ranges_outside_the_documented_limits_are_refused(lat, lon, km, message) -> None:
    with pytest.raises(InputError, match=message):
        range_area(lat, lon, km)


@pytest.mark.parametrize(("lat", "lon"), [(90.0, 0.0), (-90.0, 0.0), (0.0, 180.0)])
def test_shortest_range_is_a_tiny_valid_area(lat, lon) -> None:
    area = range_area(lat, lon, MIN_KM)
    assert area.is_valid and 0 < area_km2(area) < 1e-5


def test_circle_points_are_the_ring_vertices_at_their_azimuths():
    """circle_points solves what ring_vertices solves: every k-th vertex of a ring without
    extra vertices near a pole, and the evenly spaced ones of a ring with them."""
    lons, lats = ring_vertices(44.08, 24.41, 1609, vertices=720)
    azimuths = np.linspace(360.0, 0.0, 720, endpoint=False)
    assert np.array_equal(circle_points(44.08, 24.41, 1609, azimuths[::3]),
                          np.column_stack([lons, lats])[::3])  # fmt: skip
    polar = np.column_stack(ring_vertices(54.7, 20.5, 5500, vertices=720))
    points = circle_points(54.7, 20.5, 5500, azimuths)
    assert len(polar) > 720  # extra vertices near the pole
    assert all((polar == p).all(axis=1).any() for p in points)


def test_azimuths_match_geographiclib():
    from rangemap.geodesic import azimuths_deg

    rng = np.random.default_rng(23)
    lats, lons = rng.uniform(-89, 89, 200), rng.uniform(-180, 180, 200)
    for lat0, lon0 in [(54.71, 20.51), (-33.9, 151.2), (0.0, 179.9), (89.5, 0.0)]:
        want = [Geodesic.WGS84.Inverse(lat0, lon0, a, b)["azi1"]
                for a, b in zip(lats, lons, strict=True)]  # fmt: skip
        assert np.allclose(azimuths_deg(lat0, lon0, lats, lons), want, atol=1e-9)
