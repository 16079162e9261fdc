"""Launch areas: sites that are regions, and the exact geodesic range area of a region.

The range area of an area A out to R is every point within geodesic distance R on WGS84 of
some point of A, A included. Its boundary lies at R from A's boundary, so it is A plus the
union of geodesic discs around A's boundary points (shared/DESIGN.md, "Buffer of a region").
Discs around finitely many boundary points miss a little between neighbouring centres; the
spacing is chosen so that the result is exact to `tolerance_m(R)`, the standard point rings
are tested to. Of each disc only the fan that can reach the outline is drawn (the azimuths
between its centre's two edges' outward normals, widened to overlap its neighbours'), with
the same arcs as the disc, split at +-180 and closed along a pole it holds; full discs,
built like point rings, remain where a fan cannot be drawn safely (_sectors).

Accepted ranges and the cut locus, for areas: every disc must stay short of its centre's cut
locus, so any range up to rangemap.geodesic.SAFE_MAX_KM (19,970 km) is accepted from every
area; beyond it the range is accepted only where every boundary point's disc still is a
geodesic circle, and the error names the largest range accepted from the offending point.

Area edges are read as RFC 7946 reads GeoJSON: straight in lon/lat (Natural Earth's edges
differ from geodesic ones by <= 0.0015 % of a country's area).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from rangemap import layers
from rangemap.errors import InputError
from rangemap.geodesic import (
    _MAX_DLON,
    GEOD,
    SAFE_MAX_KM,
    SPHERE_KM,
    SPHERE_MARGIN,
    _assemble,
    _polar_polygon,
    _polygons,
    _split,
    check_position,
    check_range,
    range_area,
    unit_vectors,
)

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


def tolerance_m(km: float) -> float:
    """How far from the true boundary a range area's boundary may lie: max(0.01 % of R, 100 m).

    The same standard as point rings' tests; points farther than this from the computed
    boundary are always on the right side.
    """
    return max(1e-4 * km * 1000.0, 100.0)


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
    return LaunchArea(geometry, f"{km:,g} km of {where}", centre=(lat, lon), radius_km=float(km))


def read_geojson_area(path: Path | str) -> LaunchArea:
    """The polygons of a GeoJSON file (a geometry, Feature or FeatureCollection), joined.

    Coordinates are RFC 7946 lon/lat; an area crossing the 180th meridian must be split there
    (as RFC 7946 asks). Polygons with holes and several parts are accepted.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: area file not found; check the path.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            f"{path}: cannot read it as GeoJSON ({err}); an area file is UTF-8 GeoJSON "
            "(RFC 7946) holding Polygons or MultiPolygons."
        ) from None
    geometries = list(_geojson_geometries(data, path))
    polygons = []
    for geometry in geometries:
        try:
            shape = shapely.geometry.shape(geometry)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            raise InputError(f"{path}: a geometry is not valid GeoJSON ({err}).") from None
        polygons.extend(_polygons(shape))
    if not polygons:
        raise InputError(
            f"{path}: no Polygon or MultiPolygon found; an area file holds polygons in "
            "lon/lat degrees (RFC 7946)."
        )
    bounds = shapely.total_bounds(polygons)
    if not np.isfinite(bounds).all():
        raise InputError(f"{path}: coordinates are not finite numbers.")
    xmin, ymin, xmax, ymax = bounds
    if xmin < -180.0 or xmax > 180.0 or ymin < -90.0 or ymax > 90.0:
        raise InputError(
            f"{path}: coordinates outside lon -180..180, lat -90..90; GeoJSON is lon, lat "
            "in WGS84 degrees, longitude first, split at the 180th meridian."
        )
    return LaunchArea(_clean(shapely.union_all(polygons)), path.stem)


def _geojson_geometries(data: object, path: Path) -> list[dict]:
    if not isinstance(data, dict) or "type" not in data:
        raise InputError(f"{path}: not a GeoJSON object (no 'type').")
    kind = data["type"]
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise InputError(f"{path}: a FeatureCollection needs a 'features' list.")
        return [g for f in features for g in _geojson_geometries(f, path)]
    if kind == "Feature":
        geometry = data.get("geometry")
        return [] if geometry is None else _geojson_geometries(geometry, path)
    if kind == "GeometryCollection":
        return [g for x in data.get("geometries", []) for g in _geojson_geometries(x, path)]
    return [data]


def _clean(geometry: shapely.Geometry) -> Polygon | MultiPolygon:
    return _assemble(_polygons(shapely.make_valid(geometry)))


# ---------------------------------------------------------------------------------------------
# The range area of an area


@lru_cache(maxsize=64)
def area_range(area: LaunchArea, km: float) -> Polygon | MultiPolygon:
    """Every point within `km` geodesic km of some point of `area`, area included.

    Exact to `tolerance_m(km)`. A dispersal disc of radius r is exactly the point ring of
    r + km (distances to a disc are distances to its centre minus r). Results are cached
    per area object and range (shapely geometries are immutable).
    """
    check_range(km)
    if area.centre is not None:
        return range_area(*area.centre, area.radius_km + km)
    tol = tolerance_m(km)
    metres = km * 1000.0
    # A quarter of the tolerance each: simplification, the gap between neighbouring discs,
    # a disc's chords (sagitta R (1 - cos(pi / n)), an upper bound for geodesic circles
    # below ~10,000 km and conservative beyond), and lon/lat chords against geodesic ones.
    vertices = max(64, math.ceil(math.pi / math.acos(1.0 - tol / (4.0 * metres))))
    coords, ring = _centres(area.geometry, tol, metres)
    pieces, full = _sectors(coords, ring, metres, vertices)
    discs = _discs(_distinct(coords[full]), km, vertices) if full.any() else []
    return _assemble(_polygons(shapely.union_all([*pieces, *discs, *_polygons(area.geometry)])))


def _centres(geometry: shapely.Geometry, tol: float, metres: float) -> tuple[np.ndarray, ...]:
    """(lon, lat) disc centres along the boundary, close enough that discs leave no gap, ring
    by ring in walking order with the area on the left; and each centre's ring number.

    The boundary is simplified within tol/4 (Douglas-Peucker keeps original vertices, and
    every ring, preserve_topology) and cut into steps d with d^2 / (8 R) <= tol/4: between two
    centres d apart, the union of their discs falls short of the swept strip by at most
    R - sqrt(R^2 - (d/2)^2) ~ d^2 / (8 R) (shared/DESIGN.md). Each centre starts one edge, to
    the next centre of its ring (the last to the first).
    """
    simple = shapely.simplify(geometry, tol / 4.0 / _M_PER_DEG, preserve_topology=True)
    rings = shapely.get_parts(shapely.boundary(shapely.orient_polygons(simple)))
    step_m = math.sqrt(2.0 * metres * tol)
    coords, ring = shapely.get_coordinates(
        shapely.segmentize(rings, step_m / _M_PER_DEG), return_index=True
    )
    # Drop each ring's closing point and repeated points.
    keep = np.zeros(len(coords), dtype=bool)
    keep[:-1] = (ring[:-1] == ring[1:]) & (coords[:-1] != coords[1:]).any(axis=1)
    return coords[keep], ring[keep]


#: How far (radians) each centre's fan reaches beyond the outward normals of its two edges.
#: Its base reaches edge length / _MARGIN out along its sides: between two centres d apart
#: the fans' sides cross (d / 2) / tan(_MARGIN) ~ 2 d out, and below that the bases fill
#: the gap between them.
_MARGIN = 0.25
_MARGIN_DEG = math.degrees(_MARGIN)

#: Fans are used within these bounds only, full discs beyond: for boundary points below this
#: latitude (degrees; straight lon/lat lines bend ever faster towards a pole, and the bases
#: are not sampled), fan sides below the next (sampled for their latitude), up to this range
#: (km; discs stay well short of a hemisphere), at turns of the boundary up to these (degrees).
_SECTOR_MAX_LAT, _FAN_MAX_LAT, _SECTOR_MAX_KM = 80.0, 89.0, 9_000.0
_MAX_CONVEX_TURN, _MAX_CONCAVE_TURN = 150.0, 60.0

#: A straight lon/lat line at latitude phi bends away from a geodesic by at most
#: 1.09 tan(phi) / R per unit of length on a sphere of radius R (Liouville's formula for
#: the geodesic curvature, maximised over headings): this is R / 1.09 with room for the
#: ellipsoid (km). A lon/lat chord over L km then strays at most curvature * s * (L - s) / 2
#: from the geodesic between its ends, s from either end.
_BEND_KM = 5_000.0

#: Km of geodesic per degree of latitude, at least (110.57 on the equator): a bound on how
#: far north or south a path of given length can reach.
_KM_PER_DEG_LAT = 110.5


def _sectors(
    coords: np.ndarray, ring: np.ndarray, metres: float, vertices: int
) -> tuple[list[Polygon], np.ndarray]:
    """The parts of the discs around boundary centres that can reach the range area's edge.

    A point within R of the boundary lies on the outward normal of its nearest boundary
    point, so around a centre only the azimuths between the outward normals of its two edges
    (at a concave corner: the small span between them) matter, widened by _MARGIN for the
    spacing of centres: a fan from the centre. Near the boundary between two centres their
    fans leave a gap, up to where their sides cross; each fan's base fills its half of it:
    from the middle of the edge to its side, edge length / _MARGIN out, and the same on its
    other edge. Fan sides are cut so that their lon/lat chords stray from the geodesics by
    under _MARGIN / 4 of the distance from the centre and a quarter of the edge length
    (neighbouring fans overlap by more); arcs are a disc's (same azimuth spacing, lon steps
    of at most 0.5 degrees), so the fans' union has the discs' union's edge.

    Fans crossing +-180 are split there, fans holding a pole closed along it (as point rings
    are). Returns the fans and a mask of the centres that need their full disc instead: on
    boundaries within 10 degrees of a pole, where a fan's side would pass within one degree
    of a pole, at sharp turns, on rings of fewer than three centres, beside an edge too long
    for its latitude (its base's chords would bend too far), where a fan does not come out
    as a valid polygon; every centre beyond _SECTOR_MAX_KM or for ranges so short that the
    bases would reach half way.
    """
    n = len(coords)
    full = np.ones(n, dtype=bool)
    km = metres / 1000.0
    if n == 0 or km > _SECTOR_MAX_KM:
        return [], full
    lon, lat = coords[:, 0], coords[:, 1]
    start = np.searchsorted(ring, ring)
    count = np.bincount(ring)[ring]
    pos = np.arange(n) - start
    nxt, prv = start + (pos + 1) % count, start + (pos - 1) % count
    az12, az21, length = (np.asarray(x) for x in GEOD.inv(lon, lat, lon[nxt], lat[nxt]))

    # Edge i runs from centre i to centre nxt[i]; the bases beside it reach `height` out.
    height = length / _MARGIN
    edge_lat = np.maximum(np.abs(lat), np.abs(lat[nxt])) + height / 1000.0 / _KM_PER_DEG_LAT
    edge_bend = np.tan(np.radians(np.minimum(edge_lat, 89.0))) / _BEND_KM
    edge_ok = (
        (count >= 3)
        & (length > 0.0)
        & (edge_lat <= _SECTOR_MAX_LAT)
        & (edge_bend * height / 1000.0 <= _MARGIN / 2.0)
        & (height <= metres / 2.0)
    )

    # Centre i: outward normals of its incoming and outgoing edges (area on the left, so
    # outward is to the right); a left turn (convex) turns them anticlockwise.
    n_in, n_out = az21[prv] - 90.0, az12 + 90.0
    turn = (n_out - n_in + 180.0) % 360.0 - 180.0
    lo = n_in + np.minimum(turn, 0.0) - _MARGIN_DEG
    hi = n_in + np.maximum(turn, 0.0) + _MARGIN_DEG
    # The highest latitude a fan's sides reach, and its own: on a side or towards a pole. A
    # fan may hold a pole (then closed along it), as long as its sides keep their distance.
    side_lat = np.maximum(_ray_lat(lat, lo, km), _ray_lat(lat, hi, km))
    fan_lat, polar = side_lat, np.zeros(n)  # polar: the latitude of the pole a fan holds
    for pole, pole_lat in ((0.0, 90.0), (180.0, -90.0)):
        holds = (pole - lo) % 360.0 <= hi - lo
        fan_lat = np.where(holds, np.maximum(fan_lat, _ray_lat(lat, lo * 0 + pole, km)), fan_lat)
        ask = np.flatnonzero(holds)
        _, _, to_pole = GEOD.inv(lon[ask], lat[ask], 0.0 * ask, 0.0 * ask + pole_lat)
        polar[ask[np.asarray(to_pole) < metres]] = pole_lat
    fan_ok = (turn >= -_MAX_CONVEX_TURN) & (turn <= _MAX_CONCAVE_TURN)
    fan_ok &= np.where(polar != 0.0, side_lat, fan_lat) <= _FAN_MAX_LAT
    fan_ok &= edge_ok & edge_ok[prv]
    sec = np.flatnonzero(fan_ok)
    if sec.size == 0:
        return [], full

    # Arcs at the disc's azimuth spacing, then lon steps of at most _MAX_DLON.
    arc_n = np.ceil((hi[sec] - lo[sec]) / (360.0 / vertices)).astype(int) + 1
    arc_az = _spread(lo[sec], hi[sec], arc_n)
    arc_of = np.repeat(np.arange(sec.size), arc_n)
    arc_lon, _, _ = GEOD.fwd(
        lon[sec][arc_of], lat[sec][arc_of], arc_az, np.full(arc_az.size, metres)
    )
    steps = np.abs((np.diff(np.asarray(arc_lon), append=0.0) + 180.0) % 360.0 - 180.0)
    parts = np.clip(np.ceil(steps / _MAX_DLON), 1, 1024).astype(int)
    parts[np.cumsum(arc_n) - 1] = 1  # no edge from one arc to the next
    if (parts > 1).any():
        gap = np.diff(arc_az, append=0.0)
        arc_az = np.repeat(arc_az, parts) + np.repeat(gap / parts, parts) * _local(parts)
        arc_of = np.repeat(arc_of, parts)
        arc_n = np.bincount(arc_of, minlength=sec.size)

    # Fans: the base (middle of the incoming edge, centre, middle of the outgoing one), out
    # along lo, the arc, back along hi. A chord L km long bends off by at most bend * L^2 / 8.
    bend = np.tan(np.radians(side_lat[sec])) / _BEND_KM
    shorter = np.minimum(length, length[prv])[sec] / 1000.0
    sides = np.maximum.reduce(
        [
            1 + 0 * sec,
            np.ceil(bend * km / (_MARGIN / 2.0)),
            np.ceil(km / np.sqrt(2.0 * shorter / bend)),
        ]
    ).astype(int)
    mid = (coords + coords[nxt]) / 2.0  # on the edge: edges are straight in lon/lat
    base = np.stack([mid[prv], coords, mid], axis=1)[sec]
    low = np.column_stack([height, height[prv]])[sec]
    fan_of, origin, fan_az, fan_m = _fan_points(
        base, lo[sec], hi[sec], low, sides, arc_az, arc_n, metres
    )
    out_lon, out_lat, _ = GEOD.fwd(origin[:, 0], origin[:, 1], fan_az, fan_m)
    out = np.column_stack([out_lon, out_lat])
    fans = shapely.polygons(shapely.linearrings(out, indices=fan_of))
    # Fans crossing +-180 (a lon step over 180 degrees) or holding a pole are cut there.
    fan_ring = np.append(fan_of[1:] != fan_of[:-1], True)
    following = np.arange(fan_of.size) + 1
    following[fan_ring] = np.flatnonzero(np.append(True, fan_ring[:-1]))
    jump = np.abs(out[following, 0] - out[: fan_of.size, 0]) > 180.0
    pieces = [[fan] for fan in fans]
    valid = shapely.is_valid(fans)
    starts = np.searchsorted(fan_of, np.arange(sec.size + 1))
    seam = (np.bincount(fan_of[jump], minlength=sec.size) > 0) | (polar[sec] != 0.0)
    for j in np.flatnonzero(seam):
        pieces[j] = _seam_pieces(out[starts[j] : starts[j + 1]], polar[sec[j]])
        valid[j] = len(pieces[j]) > 0 and shapely.is_valid(pieces[j]).all()
    fan_ok[sec[~valid]] = False
    full = ~(fan_ok & edge_ok & edge_ok[prv])
    return [piece for j in np.flatnonzero(~full[sec]) for piece in pieces[j]], full


def _seam_pieces(ring: np.ndarray, pole: float) -> list[Polygon]:
    """A fan's ring (lon, lat; clockwise: the fan on its right) as RFC 7946 polygons: split
    at +-180, and closed along the pole it holds (`pole`: its latitude, 0 for none). No
    polygon when the ring does not wind as the fan should."""
    unwrapped = np.unwrap(ring[:, 0], period=360.0)
    winding = unwrapped[-1] - unwrapped[0] + (ring[0, 0] - ring[-1, 0] + 180.0) % 360.0 - 180.0
    if not pole:
        return _split(Polygon(np.column_stack([unwrapped, ring[:, 1]]))) if abs(winding) < 1 else []
    # Walked the other way, with the fan on the left, it runs east around the North Pole and
    # west around the South Pole (gaining +-360 degrees), as _polar_polygon takes it.
    if abs(-winding - (360.0 if pole > 0 else -360.0)) > 1.0:
        return []
    return [_polar_polygon(unwrapped[::-1], ring[::-1, 1], pole)]


def _ray_lat(lat: np.ndarray, azimuth: np.ndarray, km: float) -> np.ndarray:
    """A bound on the |latitude| (degrees) reached within `km` along the geodesic leaving
    `lat` at `azimuth`.

    Latitude changes by at most km / _KM_PER_DEG_LAT degrees, monotonically up to the
    geodesic's vertex, whose latitude Clairaut's relation gives (cos(reduced latitude) *
    sin(azimuth) is constant); a geodesic heading for the equator first loses latitude.
    """
    reduced = np.arctan((1.0 - GEOD.f) * np.tan(np.radians(lat)))
    top = np.arccos(np.clip(np.cos(reduced) * np.abs(np.sin(np.radians(azimuth))), 0.0, 1.0))
    vertex = np.degrees(np.arctan(np.tan(top) / (1.0 - GEOD.f)))
    reach, here = km / _KM_PER_DEG_LAT, np.abs(lat)
    poleward = np.cos(np.radians(azimuth)) * lat >= 0.0
    return np.where(
        poleward,
        np.minimum(vertex, here + reach),
        np.maximum(here, np.minimum(vertex, reach - here)),
    )


def _spread(lo: np.ndarray, hi: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """counts[i] values evenly from lo[i] to hi[i] (both included), all rows concatenated."""
    row = np.repeat(np.arange(counts.size), counts)
    return lo[row] + (hi - lo)[row] * _local(counts) / (counts[row] - 1)


def _local(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., counts[i] - 1 for every row i, concatenated."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _fan_points(
    base: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    low: np.ndarray,
    sides: np.ndarray,
    arc_az: np.ndarray,
    arc_n: np.ndarray,
    metres: float,
) -> tuple[np.ndarray, ...]:
    """(fan, origin lon, origin lat, azimuth, metres) of every fan's vertices in ring order.

    base[i] holds (lon, lat) of the middle of the incoming edge, the centre and the middle of
    the outgoing edge; then come the points `low[i, 0]` out along lo, the rest of the side
    at lo (`sides` steps), the arc, and back along hi to `low[i, 1]` out.
    """
    fans = np.arange(lo.size)
    inner = sides - 1  # side points strictly between the centre and the arc
    side_of = np.repeat(fans, inner)
    k = _local(inner) + 1
    s = metres * k / sides[side_of]
    out_lo, out_hi = s > low[side_of, 0], s > low[side_of, 1]
    arc_of = np.repeat(fans, arc_n)
    base_of = np.repeat(fans, 3)
    of = np.concatenate([base_of, fans, side_of[out_lo], arc_of, side_of[out_hi], fans])
    origin = np.concatenate(
        [
            base.reshape(-1, 2),
            base[:, 1],
            base[side_of[out_lo], 1],
            base[arc_of, 1],
            base[side_of[out_hi], 1],
            base[:, 1],
        ]
    )
    azimuth = np.concatenate(
        [0.0 * base_of, lo, lo[side_of][out_lo], arc_az, hi[side_of][out_hi], hi]
    )
    dist = np.concatenate(
        [0.0 * base_of, low[:, 0], s[out_lo], np.full(arc_az.size, metres), s[out_hi], low[:, 1]]
    )
    n_side = sides[side_of]
    key = np.concatenate(
        [
            _local(np.full(fans.size, 3)),
            3 + 0 * fans,
            3 + k[out_lo],
            3 + sides[arc_of] + _local(arc_n),
            3 + sides[side_of][out_hi] + arc_n[side_of][out_hi] + n_side[out_hi] - k[out_hi],
            4 + 2 * sides + arc_n,
        ]
    )
    order = np.lexsort((key, of))
    return of[order], origin[order], azimuth[order], dist[order]


def _distinct(coords: np.ndarray) -> np.ndarray:
    """Distinct boundary points; every point at a pole is the same one (a polygon closed
    along latitude +-90 has an edge there, which is no boundary of the area)."""
    pole = np.abs(coords[:, 1]) >= 90.0
    coords = np.vstack(
        [coords[~pole], np.unique(np.column_stack([0 * coords[pole, 0], coords[pole, 1]]), axis=0)]
    )
    return np.unique(np.round(coords, 12), axis=0)


def _discs(centres: np.ndarray, km: float, vertices: int) -> list[Polygon]:
    """Geodesic discs of `km` around (lon, lat) centres: one Geod.fwd call for the plain
    ones; discs holding a pole, crossing +-180 or beyond SAFE_MAX_KM are built as point rings."""
    m = len(centres)
    lon0, lat0 = centres[:, 0], centres[:, 1]
    metres = km * 1000.0
    azimuths = np.linspace(360.0, 0.0, vertices, endpoint=False)  # counter-clockwise
    lons, lats, _ = GEOD.fwd(
        np.repeat(lon0, vertices),
        np.repeat(lat0, vertices),
        np.tile(azimuths, m),
        np.full(m * vertices, metres),
    )
    lons = np.asarray(lons).reshape(m, vertices)
    lats = np.asarray(lats).reshape(m, vertices)
    steps = np.abs(np.diff(lons, axis=1, append=lons[:, :1]))
    _, _, to_north = GEOD.inv(lon0, lat0, np.zeros(m), np.full(m, 90.0))
    _, _, to_south = GEOD.inv(lon0, lat0, np.zeros(m), np.full(m, -90.0))
    plain = (
        (steps.max(axis=1) <= _MAX_DLON)  # no +-180 crossing, no wide lon/lat chord
        & (np.asarray(to_north) > metres)
        & (np.asarray(to_south) > metres)
        & (km <= SAFE_MAX_KM)
    )
    discs = list(shapely.polygons(np.stack([lons[plain], lats[plain]], axis=-1)))
    for lon, lat in centres[~plain]:
        discs.extend(_polygons(range_area(float(lat), float(lon), km, vertices=vertices)))
    return discs


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
