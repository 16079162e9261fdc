"""Light geometry for web maps: simplified fills, true ring outlines split at the 180th meridian.

Statistics never use these: they come from the full-resolution rings (rangemap.coverage).
Coordinates come out as [lat, lon] lists, the order Leaflet takes; this is the one place
where rangemap flips (lon, lat).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString

#: Douglas-Peucker tolerance in degrees: ~1 km, under a pixel at the zoom levels that show
#: whole rings, and it cuts a 1,440-vertex ring to a few hundred points.
SIMPLIFY_DEG = 0.01
#: Decimals kept: 1e-4 degrees is ~11 m, far below what a range map can claim.
DECIMALS = 4

LatLon = list[list[float]]


def _latlon(coords: np.ndarray) -> LatLon:
    """(lon, lat) rows -> rounded [lat, lon] lists, dropping repeats that rounding creates."""
    rounded = np.round(np.asarray(coords, dtype=float)[:, ::-1], DECIMALS) + 0.0  # no -0.0
    keep = np.ones(len(rounded), dtype=bool)
    keep[1:] = np.any(rounded[1:] != rounded[:-1], axis=1)
    return rounded[keep].tolist()


def fill_latlngs(geometry: shapely.Geometry) -> list[list[LatLon]]:
    """Polygons for L.polygon: [[exterior, hole, ...], ...] in [lat, lon].

    Edges along latitude +-90 and the 180th meridian stay in the fill: drawn without stroke
    they are invisible, and Leaflet clamps latitude at +-85.0511 in Web Mercator.
    """
    simple = shapely.simplify(geometry, SIMPLIFY_DEG, preserve_topology=True)
    polygons = []
    for part in shapely.get_parts(simple):
        if part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        polygons.append([_latlon(np.asarray(r.coords)[:-1]) for r in rings])
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


def outline_latlngs(boundaries: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[LatLon]:
    """The true boundary of a range area (`Ring.boundaries`: both circles of a band) as
    polylines in [lat, lon], split at the 180th meridian and simplified for the page."""
    lines = []
    for lons, lats in boundaries:
        for piece in split_at_antimeridian(lons, lats):
            simple = shapely.simplify(LineString(piece), SIMPLIFY_DEG)
            lines.append(_latlon(np.asarray(simple.coords)))
    return lines


def area_outline_latlngs(geometry: shapely.Geometry) -> list[LatLon]:
    """The true boundary of a launch area or of its range area, as polylines in [lat, lon]."""
    from rangemap.geodesic import outline_lines

    return [
        _latlon(np.asarray(shapely.simplify(LineString(line), SIMPLIFY_DEG).coords))
        for line in outline_lines(geometry)
    ]


def bounds_latlng(geometry: shapely.Geometry) -> tuple[tuple[float, float], tuple[float, float]]:
    """[[south, west], [north, east]] of a geometry, for fitting a map view."""
    west, south, east, north = shapely.bounds(geometry).tolist()
    return (south, west), (north, east)
