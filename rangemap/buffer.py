"""The exact geodesic buffer of a launch area: every point within R of some point of it.

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
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from rangemap.areas import _M_PER_DEG, LaunchArea, _distinct
from rangemap.errors import InputError
from rangemap.geodesic import (
    _MAX_DLON,
    GEOD,
    SAFE_MAX_KM,
    _assemble,
    _polar_polygon,
    _polygons,
    _split,
    check_range,
    range_area,
)
from rangemap.units import range_text


def tolerance_m(km: float) -> float:
    """How far from the true boundary a range area's boundary may lie: max(0.01 % of R, 100 m).

    The same standard as point rings' tests; points farther than this from the computed
    boundary are always on the right side.
    """
    return max(1e-4 * km * 1000.0, 100.0)


@lru_cache(maxsize=64)
def area_range(area: LaunchArea, km: float) -> Polygon | MultiPolygon:
    """Every point within `km` geodesic km of some point of `area`, area included.

    Exact to `tolerance_m(km)`. A dispersal disc of radius r is exactly the point ring of
    r + km (distances to a disc are distances to its centre minus r). Results are cached
    per area object and range (shapely geometries are immutable).
    """
    check_range(km)
    if area.centre is not None:
        try:
            return range_area(*area.centre, area.radius_km + km)
        except InputError as err:
            raise InputError(
                f"a range of {range_text(km)} from anywhere within {range_text(area.radius_km)} "
                f"of a point reaches {area.radius_km + km:,g} km from that point (dispersal "
                f"radius + range), and that distance is what is checked: {err}"
            ) from None
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
