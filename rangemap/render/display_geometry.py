"""Light geometry for web maps: simplified fills, true ring outlines split at the 180th meridian.

Statistics never use these: they come from the full-resolution rings (rangemap.coverage).
Coordinates come out as [lat, lon] lists, the order Leaflet takes; this is the one place
where rangemap flips (lon, lat).

The display bound: every drawn ring, band and launch-area outline lies within ERROR_PX of the
exact one at the map's deepest zoom (tests/test_display_bound.py), in whichever projection the
page draws. For Web Mercator pages that is done here: outlines are simplified in Web Mercator
as Leaflet projects them (L.Projection.SphericalMercator) and rounded on a grid fine enough
for the highest latitude they reach; the azimuthal pages' are in rangemap.render.html_projection.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString

#: Decimals kept by the azimuthal pages before their own rounding: 1e-4 degrees, ~11 m.
DECIMALS = 4
#: Every drawn ring, band and launch-area outline lies within ERROR_PX pixels of the exact one
#: at the map's deepest zoom (so within less at every other zoom): outlines are simplified to
#: SIMPLIFY_PX there and their vertices rounded within ROUND_PX (the rest is margin).
ERROR_PX, SIMPLIFY_PX, ROUND_PX = 0.25, 0.18, 0.05
#: Metres per pixel at zoom 0 (the whole 40,075 km wide plane in 256 px).
RES0_M = 2 * 20_037_508.342789244 / 256
#: Web Mercator pages with map tiles go as deep as a town's streets: zoom 13 is 19 m a pixel at
#: the equator, 11 m at 55 N, where a reader checking whether a town lies inside a ring sees
#: its streets on the tiles. Past zoom 10 each zoom costs inf-2020's page ~1-2 KB gzip
#: (BENCHMARKS.md); the tiles themselves would go to 20.
MERCATOR_TILES_MAX_ZOOM = 13
#: Leaflet's Web Mercator: the sphere's radius and the latitude it clamps to.
_R = 6_378_137.0
_MAX_LAT = 85.0511287798

if typing.TYPE_CHECKING:
    from rangemap.coverage import Ring

LatLon = list[list[float]]


def _on_grid(coords: np.ndarray, scale: int) -> LatLon:
    """(lon, lat) rows -> [lat, lon] lists on the grid of 1/scale degree the page encodes
    (rangemap.render.encoding rounds them to the same values), without repeats."""
    steps = np.round(np.asarray(coords, dtype=float)[:, ::-1] * scale)
    keep = np.ones(len(steps), dtype=bool)
    keep[1:] = np.any(steps[1:] != steps[:-1], axis=1)
    return (steps[keep] / scale + 0.0).tolist()


def mercator_xy(lonlat: np.ndarray) -> np.ndarray:
    """(lon, lat) degree rows -> Web Mercator metres as Leaflet projects them (latitude
    clamped to +-85.0511: what lies beyond is drawn on the map's edge)."""
    lonlat = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    lat = np.radians(np.clip(lonlat[:, 1], -_MAX_LAT, _MAX_LAT))
    return np.column_stack([_R * np.radians(lonlat[:, 0]), _R * np.arctanh(np.sin(lat))])


def _mercator_lonlat(xy: np.ndarray) -> np.ndarray:
    """mercator_xy's inverse."""
    lat = np.degrees(2.0 * np.arctan(np.exp(xy[:, 1] / _R)) - np.pi / 2)
    return np.column_stack([np.degrees(xy[:, 0] / _R), lat])


def mercator_tolerance_m(zoom: int) -> float:
    """How far (Web Mercator metres) simplification may move an outline: SIMPLIFY_PX at `zoom`."""
    return SIMPLIFY_PX * RES0_M / 2**zoom


def mercator_scale(zoom: int, geometry: shapely.Geometry) -> int:
    """Steps per degree for coordinates of `geometry` in a Web Mercator page whose deepest zoom
    is `zoom`: rounding moves a vertex at most ROUND_PX there. Half a step on each axis; a
    degree of longitude is 111.32 km of the plane, one of latitude sec(latitude) times that,
    at the highest latitude the geometry reaches (up to where Leaflet clamps)."""
    _, south, _, north = shapely.bounds(geometry).tolist()
    lat = math.radians(min(max(abs(south), abs(north)), _MAX_LAT))
    stretch = math.hypot(1.0, 1.0 / math.cos(lat))
    degree_m = _R * math.pi / 180.0
    return math.ceil(0.5 * degree_m * stretch / (ROUND_PX * RES0_M / 2**zoom))


def _simplified(lonlat: np.ndarray, zoom: int) -> np.ndarray:
    """A (lon, lat) line simplified in Web Mercator to SIMPLIFY_PX at `zoom`, as (lon, lat)."""
    line = shapely.simplify(LineString(mercator_xy(lonlat)), mercator_tolerance_m(zoom))
    return _mercator_lonlat(shapely.get_coordinates(line))


def fill_latlngs(geometry: shapely.Geometry, zoom: int, scale: int) -> list[list[LatLon]]:
    """Polygons for L.polygon: [[exterior, hole, ...], ...] in [lat, lon], simplified in Web
    Mercator as outlines are (`zoom`, `scale`: see outline_latlngs).

    Edges along latitude +-90 and the 180th meridian stay in the fill: drawn without stroke
    they are invisible; vertices beyond +-85.0511 come back at +-85.0511, where Leaflet
    would draw them anyway.
    """
    projected = shapely.transform(geometry, mercator_xy)
    simple = shapely.simplify(projected, mercator_tolerance_m(zoom), preserve_topology=True)
    polygons = []
    for part in shapely.get_parts(simple):
        if part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        polygons.append(
            [_on_grid(_mercator_lonlat(np.asarray(r.coords)[:-1]), scale) for r in rings]
        )
    return polygons


def split_at_antimeridian(lons: np.ndarray, lats: np.ndarray) -> list[np.ndarray]:
    """Cut a closed ring of (lon, lat) vertices into lines that never jump across +-180.

    Each crossing gets an interpolated vertex on both sides (at -180 and +180), so the lines
    meet the map edge; a ring that crosses nowhere comes back as one closed line.
    """
    closed_lon = np.unwrap(np.append(lons, lons[0]), period=360.0)
    closed_lat = np.append(lats, lats[0])
    cell = np.floor((closed_lon + 180.0) / 360.0)
    lines: list[list[tuple[float, float]]] = [[]]
    for i in range(len(closed_lon)):
        if i and cell[i] != cell[i - 1]:
            edge = -180.0 + 360.0 * max(cell[i], cell[i - 1])
            t = (edge - closed_lon[i - 1]) / (closed_lon[i] - closed_lon[i - 1])
            lat = closed_lat[i - 1] + t * (closed_lat[i] - closed_lat[i - 1])
            lines[-1].append((edge - 360.0 * cell[i - 1], lat))
            lines.append([(edge - 360.0 * cell[i], lat)])
        lines[-1].append((closed_lon[i] - 360.0 * cell[i], closed_lat[i]))
    if len(lines) > 1:  # the ring is closed: its last line continues into its first
        lines[0] = lines.pop()[:-1] + lines[0]
    return [np.asarray(line) for line in lines if len(line) >= 2]


def outline_latlngs(
    boundaries: Sequence[tuple[np.ndarray, np.ndarray]], zoom: int, scale: int
) -> list[LatLon]:
    """The true boundary of a range area (`Ring.boundaries`: both circles of a band) as
    polylines in [lat, lon], split at the 180th meridian, simplified in Web Mercator for the
    deepest zoom `zoom` and rounded to 1/scale degree (mercator_scale)."""
    return [
        _on_grid(_simplified(piece, zoom), scale)
        for lons, lats in boundaries
        for piece in split_at_antimeridian(lons, lats)
    ]


def area_outline_latlngs(geometry: shapely.Geometry, zoom: int, scale: int) -> list[LatLon]:
    """The true boundary of a launch area or of its range area, as polylines in [lat, lon]
    (`zoom`, `scale`: see outline_latlngs)."""
    from rangemap.geodesic import outline_lines

    return [_on_grid(_simplified(line, zoom), scale) for line in outline_lines(geometry)]


def outline_fill(ring: Ring, outline: list[LatLon]) -> list[int] | None:
    """How the page fills a range area from its Web Mercator `outline` (outline_latlngs of
    `ring.boundaries`) instead of a second, separately simplified copy of the same circles.

    Per line: 0 where it is closed (it crosses no 180th meridian), or the latitude (+-90) of
    the pole it goes round (one line from one edge of the map to the other), along which the
    page closes it: the map's top or bottom edge, where Leaflet clamps. Filled even-odd, the
    lines then bound the area on the map. None where they do not: a circle round both poles,
    a boundary cut in two at +-180.
    """
    from rangemap.geodesic import distance_km

    if len(outline) != len(ring.boundaries):  # some boundary was cut in pieces
        return None
    closed = [line[0] == line[-1] for line in outline]
    if ring.site.area is not None:  # its edges: closed, or round the one pole the area holds
        _, south, _, north = shapely.bounds(ring.geometry).tolist()
        pole = {(True, False): 90, (False, True): -90}.get((north >= 90.0, south <= -90.0))
        edge_to_edge = [{line[0][1], line[-1][1]} == {-180.0, 180.0} for line in outline]
        if all(c or (e and pole) for c, e in zip(closed, edge_to_edge, strict=True)):
            return [0 if c else pole for c in closed]
        return None
    closures = []
    for line_closed, km in zip(closed, (ring.km, ring.km_min), strict=False):
        north, south = (
            distance_km(ring.site.lat, ring.site.lon, lat, 0.0) < km for lat in (90, -90)
        )
        if line_closed and not (north or south):
            closures.append(0)
        elif not line_closed and north != south:
            closures.append(90 if north else -90)
        else:
            return None
    return closures


def bounds_latlng(geometry: shapely.Geometry) -> tuple[tuple[float, float], tuple[float, float]]:
    """[[south, west], [north, east]] of a geometry, for fitting a map view."""
    west, south, east, north = shapely.bounds(geometry).tolist()
    return (south, west), (north, east)
