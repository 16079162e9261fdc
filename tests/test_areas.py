"""Launch areas: made from countries and files, and distances from them, against an
independent oracle (GeographicLib distances to the area's boundary)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import Point

from rangemap import areas
from rangemap.errors import InputError

WGS84 = Geodesic.WGS84

KALININGRAD = (54.70639, 20.51102)

#: Oracle boundary spacing (degrees of lon/lat; <= 1.1 km): a point D km away is measured at
#: most (0.55 km)^2 / (2 D) too far from the boundary by its nearest vertex (0.3 m at 480 km).
ORACLE_STEP_DEG = 0.01


def kaliningrad_region() -> areas.LaunchArea:
    return areas.part_holding("RUS", *KALININGRAD, place="Kaliningrad")


def _oracle_km(area: shapely.Geometry, lat: float, lon: float, boundary: np.ndarray) -> float:
    """Geodesic km from (lat, lon) to the area: 0 inside, else to the nearest boundary point.

    The boundary's points are shortlisted on the sphere (within 2.1 % of the nearest, a bound
    on ellipsoid / sphere distance ratios both ways); GeographicLib measures the shortlist.
    """
    if area.covers(Point(lon, lat)):
        return 0.0
    phi, lam = np.radians(boundary[:, 1]), np.radians(boundary[:, 0])
    p, q = np.radians(lat), np.radians(lon)
    cos = np.sin(p) * np.sin(phi) + np.cos(p) * np.cos(phi) * np.cos(lam - q)
    angle = np.arccos(np.clip(cos, -1, 1))
    shortlist = np.flatnonzero(angle <= angle.min() * 1.021 + 1e-9)
    return (
        min(
            WGS84.Inverse(lat, lon, boundary[i, 1], boundary[i, 0], Geodesic.DISTANCE)["s12"]
            for i in shortlist
        )
        / 1000.0
    )


def _oracle_boundary(area: shapely.Geometry) -> np.ndarray:
    coords = shapely.get_coordinates(shapely.segmentize(area.boundary, ORACLE_STEP_DEG))
    return coords[np.abs(coords[:, 1]) < 90.0]


def test_dispersal_disc_is_the_point_ring_of_both_radii() -> None:
    """Distances to a geodesic disc are distances to its centre minus its radius."""
    area = areas.dispersal_area(*KALININGRAD, 50)
    q = WGS84.Direct(*KALININGRAD, 200.0, 400_000)
    km, from_lat, from_lon = areas.nearest_launch_points(area, [q["lat2"]], [q["lon2"]])
    assert km[0] == pytest.approx(350.0, abs=1e-6)
    back = WGS84.Inverse(*KALININGRAD, from_lat[0], from_lon[0])
    assert back["s12"] == pytest.approx(50_000, abs=1e-3)
    assert back["azi1"] == pytest.approx(200.0 - 360.0, abs=1e-6)


def test_nearest_launch_points_match_oracle() -> None:
    region = kaliningrad_region()
    boundary = _oracle_boundary(region.geometry)
    rng = np.random.default_rng(7)
    lats = rng.uniform(45, 65, 60)
    lons = rng.uniform(5, 40, 60)
    lats[0], lons[0] = 54.70639, 20.51102  # the city: inside, its own launch point
    km, from_lat, from_lon = areas.nearest_launch_points(region, lats, lons)
    assert km[0] == 0 and (from_lat[0], from_lon[0]) == (lats[0], lons[0])
    for lat, lon, d, f_lat, f_lon in zip(lats, lons, km, from_lat, from_lon, strict=True):
        assert d == pytest.approx(_oracle_km(region.geometry, lat, lon, boundary), abs=0.3)
        if d > 0:
            to_from = WGS84.Inverse(lat, lon, f_lat, f_lon, Geodesic.DISTANCE)["s12"]
            assert to_from / 1000 == pytest.approx(d, abs=1e-6)
            assert region.geometry.boundary.distance(Point(f_lon, f_lat)) < 1e-9


def test_part_holding_a_point_outside_the_country_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no part of Russia"):
        areas.part_holding("RUS", 52.52, 13.40, place="Berlin")
