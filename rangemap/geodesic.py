"""Exact geodesic range areas and bands on the WGS84 ellipsoid, as RFC 7946 lon/lat polygons."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from rangemap.errors import InputError

#: The WGS84 ellipsoid. pyproj.Geod wraps GeographicLib (Karney 2013,
#: doi:10.1007/s00190-012-0578-z), whose direct and inverse solutions are accurate to about 15 nm.
GEOD = pyproj.Geod(ellps="WGS84")

#: Ranges up to this many km are accepted from every site: pi * b (semi-minor axis) is the
#: shortest distance from any point to its cut locus (an equatorial site's conjugate point).
SAFE_MAX_KM = 19_970.0

#: Accepted ranges, km: from 1 m (shorter rings collapse to a point in floating point) to
#: just beyond the antipode's distance (20,003.9 km along a meridian); rings beyond the cut
#: locus are rejected by ring_vertices with the largest range possible from the site.
MIN_KM = 0.001
MAX_KM = 20_004.0

#: Default number of ring vertices. 1,440 keeps lon/lat chords within 0.0003 % of the area
#: of the geodesic edges (measured against Geod areas of 1,440-3,600 vertex rings); edges are
#: refined further where the ring passes near a pole.
DEFAULT_VERTICES = 1440

#: Largest longitude step (degrees) between consecutive ring vertices; wider steps, which only
#: occur near a pole, get extra vertices so straight lon/lat chords follow the true boundary.
_MAX_DLON = 0.5

#: Ring vertices must lie at the requested distance within this tolerance (metres); beyond the
#: cut locus Geod.fwd stops giving shortest paths and the check fails.
_RADIUS_TOL_M = 1e-3

#: Mean Earth radius (km) and a margin within which spherical distances bound geodesic ones
#: (they differ by at most ~0.56 %, so 1.01 is safe both ways): cheap prefilters decide most
#: points on the sphere, and only the rest get an exact geodesic distance.
SPHERE_KM, SPHERE_MARGIN = 6371.0088, 1.01

_WORLD = box(-180.0, -90.0, 180.0, 90.0)
_STRIPS = tuple((s, box(-180.0 + s, -90.0, 180.0 + s, 90.0)) for s in (-360.0, 0.0, 360.0))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: their dot products are the cosines of central angles."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def check_position(lat: float, lon: float) -> None:
    """Raise InputError unless lat/lon are finite WGS84 degrees (GeographicLib would return NaN)."""
    for label, value, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{label} {value!r} is not a finite number of degrees.")
        if abs(value) > limit:
            raise InputError(
                f"{label} {value!r} is out of range: it must lie between -{limit:g} and {limit:g} "
                "degrees (WGS84 decimal degrees, latitude first)."
            )


def check_range(km: float, *, label: str = "range") -> None:
    """Raise InputError unless km is a number of km from MIN_KM to MAX_KM.

    Checked before any conversion: 1e306 km is finite, but infinite in metres, and NaN
    comparisons downstream would then pass every test.
    """
    if isinstance(km, bool) or not isinstance(km, int | float) or not math.isfinite(km):
        raise InputError(f"{label} {km!r} is not a finite number of km.")
    if km <= 0:
        raise InputError(f"{label} {km!r} km must be greater than zero.")
    if km < MIN_KM:
        raise InputError(f"{label} {km:g} km is shorter than {MIN_KM:g} km (1 m); give more.")
    if km > MAX_KM:
        raise InputError(
            f"{label} {km:g} km from any site reaches beyond the antipode, farther than any "
            f"distance on the Earth: give at most {SAFE_MAX_KM:,g} km (accepted from every "
            f"site; up to about {MAX_KM:,g} km near the poles)."
        )


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Geodesic distances in km from one point to many (vectorised GeographicLib inverse)."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    _, _, metres = GEOD.inv(np.full(lats.shape, lon), np.full(lats.shape, lat), lons, lats)
    return np.asarray(metres) / 1000.0


def azimuths_deg(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Forward azimuth (degrees, -180..180) of the geodesic from (lat, lon) to each point."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    return np.asarray(GEOD.inv(np.full(lons.size, lon), np.full(lats.size, lat), lons, lats)[0])


def geodesic_line(
    lat1: float, lon1: float, lat2: float, lon2: float, points: int
) -> tuple[np.ndarray, float]:
    """`points` (lon, lat) points evenly along the geodesic between two points, both ends
    included, and its length in km: a measured line on a map."""
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    inner = GEOD.npts(lon1, lat1, lon2, lat2, points - 2)
    line = np.array([(lon1, lat1), *inner, (lon2, lat2)], dtype=float)
    return line, float(metres) / 1000.0


def _fwd(lat: float, lon: float, azimuths: np.ndarray, metres: float) -> tuple[np.ndarray, ...]:
    n = azimuths.size
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, metres))
    return np.asarray(lons), np.asarray(lats)


def circle_points(lat: float, lon: float, km: float, azimuths: np.ndarray) -> np.ndarray:
    """(lon, lat) rows of the boundary circle of the range `km` around (lat, lon) at these
    azimuths (degrees), solved as ring_vertices solves them: a map that draws the circle
    from fewer of its points takes them here."""
    return np.column_stack(_fwd(lat, lon, np.asarray(azimuths, dtype=float), km * 1000.0))


def _radius_error_m(lat: float, lon: float, lons: np.ndarray, lats: np.ndarray, m: float) -> float:
    _, _, back = GEOD.inv(np.full(lons.size, lon), np.full(lons.size, lat), lons, lats)
    return float(np.max(np.abs(np.asarray(back) - m)))


def _max_range_km(lat: float, lon: float, vertices: int) -> float:
    """Largest whole km whose ring from (lat, lon) stays short of the cut locus (bisection)."""
    azimuths = np.linspace(0.0, 360.0, vertices, endpoint=False)
    lo, hi = SAFE_MAX_KM, 20_004.0
    while hi - lo > 0.5:
        mid = (lo + hi) / 2
        lons, lats = _fwd(lat, lon, azimuths, mid * 1000)
        if _radius_error_m(lat, lon, lons, lats, mid * 1000) <= _RADIUS_TOL_M:
            lo = mid
        else:
            hi = mid
    return math.floor(lo)


def ring_vertices(
    lat: float, lon: float, km: float, *, vertices: int = DEFAULT_VERTICES
) -> tuple[np.ndarray, np.ndarray]:
    """Boundary points (lons, lats) of the range area, counter-clockwise (area on the left).

    Points come from the geodesic direct problem at evenly spaced azimuths, with extra azimuths
    where consecutive points are more than 0.5 degrees of longitude apart (near a pole). Every
    point lies at `km` from the site within 1 mm; InputError is raised beyond the cut locus,
    where the geodesics stop being shortest paths and the boundary is no longer a circle.
    """
    check_position(lat, lon)
    check_range(km)
    if vertices < 16:
        raise InputError(f"vertices={vertices!r}: use at least 16 ring vertices.")
    metres = km * 1000.0
    # Decreasing azimuth walks the ring with the area on the left (azimuths run clockwise).
    azimuths = np.linspace(360.0, 0.0, vertices, endpoint=False)
    lons, lats = _fwd(lat, lon, azimuths, metres)
    steps = np.abs((np.diff(lons, append=lons[:1]) + 180.0) % 360.0 - 180.0)
    parts = np.minimum(np.ceil(steps / _MAX_DLON).astype(int), 1024)
    if (parts > 1).any():
        # Split edge i into parts[i] sub-edges: repeat its start azimuth and step back by k/parts.
        starts = np.repeat(azimuths, parts)
        k = np.arange(starts.size) - np.repeat(np.cumsum(parts) - parts, parts)
        azimuths = starts - (360.0 / vertices) * k / np.repeat(parts, parts)
        lons, lats = _fwd(lat, lon, azimuths, metres)
    # `not <=`: a NaN error (no shortest path at all) fails the check too.
    if km > SAFE_MAX_KM and not _radius_error_m(lat, lon, lons, lats, metres) <= _RADIUS_TOL_M:
        limit = _max_range_km(lat, lon, vertices)
        raise InputError(
            f"range {km:g} km from ({lat:g}, {lon:g}) reaches beyond the cut locus, where "
            f"the range area is no longer bounded by a geodesic circle; use at most {limit:g} km "
            f"from this site ({SAFE_MAX_KM:g} km is accepted from every site)."
        )
    return lons, lats


def _contains_pole(lat: float, lon: float, km: float, pole_lat: float) -> bool:
    _, _, metres = GEOD.inv(lon, lat, 0.0, pole_lat)
    return bool(metres <= km * 1000.0)


def _polygons(geometry: shapely.Geometry) -> list[Polygon]:
    """The non-empty polygonal parts of any geometry (intersections can add lines or points)."""
    parts = shapely.get_parts(geometry)
    return [p for p in parts if isinstance(p, Polygon) and not p.is_empty and p.area > 0]


def _split(polygon: Polygon) -> list[Polygon]:
    """Cut an unwrapped polygon (longitudes within [-540, 540]) into pieces in [-180, 180]."""
    pieces: list[Polygon] = []
    for shift, strip in _STRIPS:
        part = shapely.intersection(polygon, strip)
        if not part.is_empty:
            pieces.extend(_polygons(shapely.transform(part, lambda xy, s=shift: xy - (s, 0.0))))
    return pieces


def _assemble(pieces: list[Polygon]) -> Polygon | MultiPolygon:
    """One RFC 7946 geometry: counter-clockwise exteriors, pieces in a stable order."""
    pieces = sorted((shapely.orient_polygons(p) for p in pieces), key=lambda p: p.bounds)
    return pieces[0] if len(pieces) == 1 else MultiPolygon(pieces)


def _polar_polygon(unwrapped: np.ndarray, lats: np.ndarray, pole: float) -> Polygon:
    """The area around one pole, cut open at the 180th meridian and closed along the pole.

    With the area on the left the walk runs east around the North Pole and west around the
    South Pole, gaining 360 degrees of longitude and crossing the antimeridian once (each
    meridian leaves the area once). Starting the polygon at that crossing keeps it within
    [-180, 180] without cutting and re-joining pieces.
    """
    turn = 360.0 if pole > 0 else -360.0
    edge = turn / 2
    u = np.append(unwrapped, unwrapped[0] + turn)
    u -= 360.0 * np.floor((u[0] + 180.0) / 360.0)  # start within [-180, 180)
    v = np.append(lats, lats[0])
    i = int(np.flatnonzero(u * np.sign(turn) >= 180.0)[0])
    cross = v[i - 1] + (edge - u[i - 1]) * (v[i] - v[i - 1]) / (u[i] - u[i - 1])
    coords = np.vstack(
        [
            [[-edge, cross]],
            np.column_stack([u[i:] - turn, v[i:]]),
            np.column_stack([u[1:i], v[1:i]]),
            [[edge, cross], [edge, pole], [-edge, pole]],
        ]
    )
    return Polygon(coords)


def range_area(
    lat: float, lon: float, km: float, *, vertices: int = DEFAULT_VERTICES
) -> Polygon | MultiPolygon:
    """The set of points within `km` geodesic km of (lat, lon), as a lon/lat (Multi)Polygon.

    The result follows RFC 7946: split at the 180th meridian, exterior rings counter-clockwise,
    closed along latitude +-90 where the area contains a pole. An area containing both poles is
    the world minus the (split) cap around the antipode.

    >>> range_area(54.717, 20.517, 5500).bounds  # Kaliningrad, 5,500 km: holds the North Pole
    (-180.0, 5.11..., 180.0, 90.0)
    """
    lons, lats = ring_vertices(lat, lon, km, vertices=vertices)
    north = _contains_pole(lat, lon, km, 90.0)
    south = _contains_pole(lat, lon, km, -90.0)
    keep = np.abs(lats) < 90.0 - 1e-12  # a vertex on a pole has no meaningful longitude
    lons, lats = lons[keep], lats[keep]
    unwrapped = np.unwrap(lons, period=360.0)
    if north and south:
        # The complement (a cap around the antipode, holding no pole) has the same boundary
        # walked the other way; it winds zero times around the axis.
        cap = Polygon(np.column_stack([unwrapped[::-1], lats[::-1]]))
        return _assemble(_polygons(shapely.difference(_WORLD, MultiPolygon(_split(cap)))))
    if north or south:
        return _polar_polygon(unwrapped, lats, 90.0 if north else -90.0)
    return _assemble(_split(Polygon(np.column_stack([unwrapped, lats]))))


def band_area(
    lat: float, lon: float, km_min: float, km: float, *, vertices: int = DEFAULT_VERTICES
) -> Polygon | MultiPolygon:
    """Points farther than `km_min` and at most `km` from (lat, lon): a geodesic annulus."""
    check_range(km_min, label="inner range")
    if km_min >= km:
        raise InputError(
            f"inner range {km_min:g} km must be smaller than the outer range {km:g} km."
        )
    outer = range_area(lat, lon, km, vertices=vertices)
    inner = range_area(lat, lon, km_min, vertices=vertices)
    return _assemble(_polygons(shapely.difference(outer, inner)))


@cache
def _equal_area() -> pyproj.Transformer:
    # Lambert cylindrical equal-area on the WGS84 ellipsoid (authalic latitude): exact areas for
    # lon/lat polygons whose edges are densified, and a finite image of the poles and +-180.
    # This is the pipeline PROJ builds for EPSG:4326 (always_xy) -> +proj=cea, written out, so
    # that no cold start looks EPSG:4326 up in proj.db (BENCHMARKS.md); results are
    # bit-identical.
    return pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        "+step +proj=cea +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84"
    )


#: Longest lon/lat edge (degrees) kept when measuring area; edges along a meridian or a parallel
#: are exact in the cylindrical equal-area projection, oblique ones are curves there.
_AREA_SEGMENT_DEG = 0.05


def area_km2(geometry: shapely.Geometry | np.ndarray) -> float | np.ndarray:
    """Ellipsoidal area in km2 of lon/lat polygons, reading their edges as straight in lon/lat.

    Works for pieces closed along a pole or the 180th meridian and for areas larger than half
    the globe, where pyproj.Geod's polygon area returns the negated complement (pyproj#1400).
    Accepts one geometry or an array of them (vectorised).
    """
    geoms = np.asarray(geometry, dtype=object)
    dense = shapely.segmentize(geoms, _AREA_SEGMENT_DEG)
    projected = shapely.transform(
        dense, lambda xy: np.column_stack(_equal_area().transform(xy[:, 0], xy[:, 1]))
    )
    areas = shapely.area(projected) / 1e6
    return float(areas) if np.ndim(areas) == 0 else areas


def outline_lines(geometry: shapely.Geometry) -> list[np.ndarray]:
    """The true boundary of a lon/lat (Multi)Polygon as (lon, lat) polylines, without the cuts
    along the 180th meridian and latitude +-90 that RFC 7946 polygons carry."""
    lines = []
    for ring in shapely.get_parts(shapely.boundary(geometry)):
        coords = shapely.get_coordinates(ring)
        lon, lat = coords[:, 0], coords[:, 1]
        on_seam = (np.abs(lon) >= 180.0 - 1e-9) | (np.abs(lat) >= 90.0 - 1e-9)
        seam = on_seam[:-1] & on_seam[1:] & ((lon[:-1] == lon[1:]) | (lat[:-1] == lat[1:]))
        if not seam.any():
            lines.append(coords)
            continue
        start = int(np.flatnonzero(seam)[-1]) + 1  # walk from just after a cut
        edges = np.roll(np.arange(len(seam)), -start)
        run: list[int] = []
        for e in edges:  # one pass over the edges of rings that touch a cut
            if seam[e]:
                if run:
                    lines.append(coords[[*run, run[-1] + 1]])
                run = []
            else:
                run.append(e)
        if run:
            lines.append(coords[[*run, (run[-1] + 1) % len(seam)]])
    return lines
