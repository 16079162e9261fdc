"""Launch areas: sites that are regions (a country, a detached part of one, a dispersal disc,
a GeoJSON file), and distances from them: a place's distance from an area is to its nearest
point. The range area of an area is rangemap.buffer's.

Area edges are read as RFC 7946 reads GeoJSON: straight in lon/lat (Natural Earth's edges
differ from geodesic ones by <= 0.0015 % of a country's area).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from rangemap import layers
from rangemap.errors import InputError
from rangemap.geodesic import (
    GEOD,
    SPHERE_KM,
    SPHERE_MARGIN,
    _assemble,
    _polygons,
    check_position,
    check_range,
    range_area,
    unit_vectors,
)
from rangemap.units import range_text

#: Metres of ground per degree of lon/lat, at most, in any direction: a degree of latitude is
#: at most 111,694 m (at the poles), a degree of longitude at most 111,320 m (at the equator).
#: A lon/lat step of length s degrees is therefore at most s * _M_PER_DEG metres on the ground.
_M_PER_DEG = 111_700.0

#: Spacing (metres) of the boundary points nearest launch points are measured to: a place
#: D km away is given a distance at most min(s/2, s^2 / (8 D)) too long. Places within
#: _NEAR_KM use the fine spacing (<= 1 m beyond 30 km, <= 250 m right at the edge), the
#: others the coarse one (<= 16 m at 200 km): far places see a long stretch of boundary at
#: nearly the same distance, and measuring all of it finely cost seconds at 2,350 km.
_FINE_SPACING_M, _COARSE_SPACING_M, _NEAR_KM = 500.0, 5_000.0, 200.0


@dataclass(frozen=True, eq=False)
class LaunchArea:
    """Where launchers may be: a lon/lat (Multi)Polygon, RFC 7946 (split at +-180).

    Attributes
    ----------
    geometry : Polygon | MultiPolygon
        The area, counter-clockwise exteriors, edges straight in lon/lat.
    description : str
        What the area is, for labels: "Russia's exclave holding Kaliningrad".
    centre : tuple[float, float] | None
        (lat, lon) of a dispersal disc's centre, when the area is "within r km of a point".
    radius_km : float | None
        The dispersal radius of such a disc.
    """

    geometry: Polygon | MultiPolygon
    description: str
    centre: tuple[float, float] | None = None
    radius_km: float | None = None

    def label_point(self) -> tuple[float, float]:
        """(lat, lon) inside the area's largest part, where its name is drawn."""
        if self.centre is not None:
            return self.centre
        largest = max(_polygons(self.geometry), key=lambda p: p.area)
        point = largest.point_on_surface()
        return round(point.y, 6), round(point.x, 6)  # 0.1 m: what files and tables keep


# ---------------------------------------------------------------------------------------------
# Area sites


def country_area(code: str) -> LaunchArea:
    """The whole of a country (Natural Earth admin-0, by ADM0_A3 code: "BLR")."""
    countries = layers.countries()
    i = countries.country_index(code.strip().upper())
    return LaunchArea(_clean(countries.geometry[i]), countries.map_name(i))


def part_holding(code: str, lat: float, lon: float, *, place: str | None = None) -> LaunchArea:
    """The detached part of a country that holds (lat, lon): Kaliningrad's exclave of Russia.

    A part is one polygon of the country's Natural Earth outline; parts split at the 180th
    meridian are joined again when they meet there.
    """
    check_position(lat, lon)
    countries = layers.countries()
    i = countries.country_index(code.strip().upper())
    parts = _polygons(countries.geometry[i])
    point = shapely.Point(lon, lat)
    holding = [p for p in parts if p.covers(point)]
    where = place or f"({lat:g}, {lon:g})"
    if not holding:
        raise InputError(
            f"no part of {countries.map_name(i)} ({code}) holds {where}: give a point inside "
            "the part you mean (latitude, longitude in WGS84 degrees)."
        )
    part = holding[0]
    # A part cut at +-180 continues on the other side: take every piece touching its cut.
    seam = [p for p in parts if p is not part and _meets_across_seam(part, p)]
    name = f"{countries.map_name(i)}'s part holding {where}"
    return LaunchArea(_clean(shapely.union_all([part, *seam])), name)


def _meets_across_seam(a: Polygon, b: Polygon) -> bool:
    ax0, _, ax1, _ = a.bounds
    bx0, _, bx1, _ = b.bounds
    return (ax1 >= 180.0 and bx0 <= -180.0) or (ax0 <= -180.0 and bx1 >= 180.0)


def dispersal_area(lat: float, lon: float, km: float, *, name: str | None = None) -> LaunchArea:
    """Everything within `km` of a point ("within 50 km of the base"): a geodesic disc."""
    check_position(lat, lon)
    check_range(km, label="dispersal radius")
    where = name or f"{lat:g}, {lon:g}"
    geometry = range_area(lat, lon, km)
    return LaunchArea(
        geometry, f"within {range_text(km)} of {where}", centre=(lat, lon), radius_km=float(km)
    )


def _clean(geometry: shapely.Geometry) -> Polygon | MultiPolygon:
    return _assemble(_polygons(shapely.make_valid(geometry)))


def _distinct(coords: np.ndarray) -> np.ndarray:
    """Distinct boundary points; every point at a pole is the same one (a polygon closed
    along latitude +-90 has an edge there, which is no boundary of the area)."""
    pole = np.abs(coords[:, 1]) >= 90.0
    coords = np.vstack(
        [coords[~pole], np.unique(np.column_stack([0 * coords[pole, 0], coords[pole, 1]]), axis=0)]
    )
    return np.unique(np.round(coords, 12), axis=0)


# ---------------------------------------------------------------------------------------------
# Distances from an area


def nearest_launch_points(
    area: LaunchArea, lats: np.ndarray, lons: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodesic km from the area to each point (0 inside) and the nearest point of the area.

    Returns (km, from_lat, from_lon). Distances are to boundary points 500 m apart within
    200 km, 5 km apart beyond (at most 1 m too long beyond 30 km, 16 m beyond 200 km);
    inside the area a point is its own nearest launch point.
    """
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    if area.centre is not None:
        return _from_disc(area, lats, lons)
    km = np.zeros(lats.shape)
    from_lat, from_lon = lats.copy(), lons.copy()
    out = np.flatnonzero(~shapely.intersects_xy(area.geometry, lons, lats))
    if out.size:
        coarse = _boundary_points(area.geometry, _COARSE_SPACING_M)
        km[out], from_lat[out], from_lon[out] = _nearest(lats[out], lons[out], coarse)
        near = out[km[out] < _NEAR_KM]
        if near.size:
            fine = _boundary_points(area.geometry, _FINE_SPACING_M)
            km[near], from_lat[near], from_lon[near] = _nearest(lats[near], lons[near], fine)
    return km, from_lat, from_lon


def distance_bounds_km(
    area: LaunchArea, lats: np.ndarray, lons: np.ndarray, *, settle: tuple[float, ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds on what nearest_launch_points gives for each point, from
    spherical distances alone: counting the places of a long range needs the geodesic only
    for those near its edge (~1 % of the range), not for the thousands well inside.

    The upper bound is to one real boundary point (geodesic within 1 % + 1 km of spherical,
    plus the boundary spacing, as a fine distance may be half a fine step longer than the
    true one); the lower bound allows the coarse spacing between boundary points.

    `settle`: the km figures the caller compares the bounds with. A point whose bounds from
    the boundary's cap alone (spherical distance to its mean direction, plus or minus its
    radius) already lie on one side of each is not measured against every boundary point:
    its bounds stay looser, and still bounds (a 5,500 km range of the Kaliningrad region:
    ~1,000 of ~11,000 places are measured).
    """
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    slack = _COARSE_SPACING_M / 1000.0

    def bounds(near_km: np.ndarray, far_km: np.ndarray, radius: float) -> tuple[np.ndarray, ...]:
        low = np.maximum((near_km - slack - 1.0) / SPHERE_MARGIN - radius, 0.0)
        return low, np.maximum(far_km * SPHERE_MARGIN + 1.0 + slack - radius, 0.0)

    if area.centre is not None:
        sphere = _sphere_km(lats, lons, np.array([area.centre]))
        return bounds(sphere, sphere, area.radius_km)
    boundary = _boundary_points(area.geometry, _COARSE_SPACING_M)[:, ::-1]
    measure = np.arange(lats.size)
    near_km, far_km = np.zeros(lats.size), np.zeros(lats.size)
    cap = _boundary_cap(area.geometry)
    if cap is not None and settle:
        mean, cap_km = cap
        middle = np.arccos(np.clip(unit_vectors(lats, lons) @ mean, -1.0, 1.0)) * SPHERE_KM
        near_km, far_km = np.maximum(middle - cap_km, 0.0), middle + cap_km
        low, high = bounds(near_km, far_km, 0.0)
        measure = np.flatnonzero(np.any([(low <= t) & (high > t) for t in settle], axis=0))
    near_km[measure] = far_km[measure] = _sphere_km(lats[measure], lons[measure], boundary)
    low, high = bounds(near_km, far_km, 0.0)
    inside = shapely.intersects_xy(area.geometry, lons, lats)  # 0 km from the area
    high[inside], low[inside] = 0.0, 0.0
    return low, high


@lru_cache(maxsize=64)
def _boundary_cap(geometry: shapely.Geometry) -> tuple[np.ndarray, float] | None:
    """The mean direction of the coarse boundary points (a unit vector) and the spherical km
    from it to the farthest of them: a cap holding the whole boundary. None when the points
    have no mean direction (spread evenly over the globe)."""
    boundary = _boundary_points(geometry, _COARSE_SPACING_M)
    vectors = unit_vectors(boundary[:, 1], boundary[:, 0])
    mean = vectors.sum(axis=0)
    norm = np.linalg.norm(mean)
    if norm < 1e-9:
        return None
    mean /= norm
    mean.setflags(write=False)
    return mean, float(np.arccos(np.clip(vectors @ mean, -1.0, 1.0)).max()) * SPHERE_KM


def _sphere_km(lats: np.ndarray, lons: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Spherical km from each (lat, lon) to the nearest of `points` ((lat, lon) rows)."""
    vectors = unit_vectors(points[:, 0], points[:, 1])
    best = np.empty(lats.size)
    for chunk in np.array_split(np.arange(lats.size), max(1, lats.size * len(points) // 4_000_000)):
        cos = unit_vectors(lats[chunk], lons[chunk]) @ vectors.T
        best[chunk] = cos.max(axis=1, initial=-1.0)
    return np.arccos(np.clip(best, -1.0, 1.0)) * SPHERE_KM


def _nearest(
    lats: np.ndarray, lons: np.ndarray, boundary: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodesic km to the nearest of the (lon, lat) boundary points, and that point."""
    km, from_lat, from_lon = np.empty(lats.size), np.empty(lats.size), np.empty(lats.size)
    vectors = unit_vectors(boundary[:, 1], boundary[:, 0])
    for chunk in np.array_split(
        np.arange(lats.size), max(1, lats.size * len(boundary) // 4_000_000)
    ):
        cos = unit_vectors(lats[chunk], lons[chunk]) @ vectors.T
        guess = cos.argmax(axis=1)
        _, _, first_m = GEOD.inv(lons[chunk], lats[chunk], boundary[guess, 0], boundary[guess, 1])
        # Every point that may be nearer than the spherical nearest's geodesic distance g:
        # geodesic and spherical distances differ by under 1 %, so it lies within 1.01 g on
        # the sphere.
        angle = np.asarray(first_m) / 1000.0 * SPHERE_MARGIN / SPHERE_KM + 1e-9
        limit = np.cos(np.minimum(angle, np.pi))
        rows, cols = np.nonzero(cos >= limit[:, None])
        _, _, metres = GEOD.inv(
            lons[chunk][rows], lats[chunk][rows], boundary[cols, 0], boundary[cols, 1]
        )
        metres = np.asarray(metres)
        order = np.lexsort((metres, rows))
        first = order[np.flatnonzero(np.diff(rows[order], prepend=-1))]
        km[chunk[rows[first]]] = metres[first] / 1000.0
        from_lon[chunk[rows[first]]] = boundary[cols[first], 0]
        from_lat[chunk[rows[first]]] = boundary[cols[first], 1]
    return km, from_lat, from_lon


def _from_disc(
    area: LaunchArea, lats: np.ndarray, lons: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance to a disc is distance to its centre minus r; the nearest point lies on the
    geodesic from the centre, r along it."""
    lat0, lon0 = area.centre
    n = lats.size
    azimuth, _, metres = GEOD.inv(np.full(n, lon0), np.full(n, lat0), lons, lats)
    metres = np.asarray(metres)
    radius = area.radius_km * 1000.0
    edge_lon, edge_lat, _ = GEOD.fwd(
        np.full(n, lon0), np.full(n, lat0), azimuth, np.full(n, radius)
    )
    outside = metres > radius
    km = np.where(outside, (metres - radius) / 1000.0, 0.0)
    return km, np.where(outside, edge_lat, lats), np.where(outside, edge_lon, lons)


@lru_cache(maxsize=64)
def _boundary_points(geometry: shapely.Geometry, spacing_m: float) -> np.ndarray:
    """Distinct boundary points at most `spacing_m` apart (cached: geometries are immutable)."""
    step = spacing_m / _M_PER_DEG
    points = _distinct(
        shapely.get_coordinates(shapely.segmentize(shapely.boundary(geometry), step))
    )
    points.setflags(write=False)
    return points


def candidates(area: LaunchArea, lats: np.ndarray, lons: np.ndarray, km: float) -> np.ndarray:
    """Indices of points that may lie within `km` of the area: inside it, or in a spherical
    cap around its boundary.

    The cap around the boundary's mean direction holds every boundary point; by the triangle
    inequality on the sphere no point farther than cap + km (with the 1 % margin) is within
    km of the boundary, and a point outside the area is as far from it as from its boundary.
    """
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    found = _boundary_cap(area.geometry)
    if found is None:
        return np.arange(lats.size)
    mean, cap = found
    sphere = np.arccos(np.clip(unit_vectors(lats, lons) @ mean, -1.0, 1.0)) * SPHERE_KM
    near = sphere <= cap + km * SPHERE_MARGIN + _COARSE_SPACING_M / 1000.0
    return np.flatnonzero(near | shapely.intersects_xy(area.geometry, lons, lats))
