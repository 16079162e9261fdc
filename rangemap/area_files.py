"""Launch areas from GeoJSON files (`--area FILE.geojson`), read as strictly as scenes and
catalogs: a regular file of bounded size, bounded vertices and parts, every position two or
three finite numbers in lon/lat degrees, every polygon valid as written.

Nothing is repaired: a hole outside its shell, a ring crossing itself or a position that is not
two numbers is refused with where it is (feature, polygon, ring, position), since a repaired
area is an area the user did not draw. Overlapping polygons are joined: an area is the union of
its polygons, wherever each was written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon

from rangemap._yamlio import NotRegularFile, TooLarge, display_path, read_regular
from rangemap.areas import LaunchArea, _clean
from rangemap.errors import InputError, invisible_character

#: Largest area file read, in bytes: the most detailed country outline rangemap ships
#: (Canada, 68,000 vertices in 412 parts) is 2.7 MB as GeoJSON.
MAX_AREA_BYTES = 20_000_000
#: Most vertices in an area file: the range area's work grows with them (Canada's outline
#: takes half a minute at 480 km), and a 100,000-part file took 74 s and 4 GB.
MAX_VERTICES = 100_000
#: Most polygons (parts) in an area file (Canada's outline has 412).
MAX_PARTS = 1_000
#: Deepest nesting of GeometryCollections (RFC 7946 asks for none).
MAX_NESTING = 8

_GEOMETRY_TYPES = (
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
)
_ABOUT = "an area file is UTF-8 GeoJSON (RFC 7946) holding Polygons or MultiPolygons in lon/lat"


def read_geojson_area(path: Path | str) -> LaunchArea:
    """The polygons of a GeoJSON file (a geometry, Feature or FeatureCollection), joined.

    Coordinates are RFC 7946 lon/lat; an area crossing the 180th meridian must be split there
    (as RFC 7946 asks). Polygons with holes and several parts are accepted. Any problem is one
    InputError naming the file, where in it, and the limit or rule broken.
    """
    path = Path(path)
    shown = display_path(path)
    bad = invisible_character(path.stem)
    if bad:
        raise InputError(
            f"{shown}: the file name contains {bad}; rename the file (its name labels the area)."
        )
    data = _load(path, shown)
    reader = _Reader(shown)
    polygons = list(reader.polygons(data))
    if not polygons:
        raise InputError(
            f"{shown}: no Polygon or MultiPolygon found; an area file holds polygons in "
            "lon/lat degrees (RFC 7946)."
        )
    return LaunchArea(_clean(shapely.union_all(polygons)), path.stem)


def _load(path: Path, shown: str) -> object:
    """The file's JSON: NaN and Infinity are not JSON, and numbers too long for a float are
    infinite (refused as positions later), never a crash on a 5,000-digit integer."""
    try:
        raw = read_regular(path, MAX_AREA_BYTES)
    except FileNotFoundError:
        raise InputError(f"{shown}: area file not found; check the path.") from None
    except NotRegularFile:
        raise InputError(
            f"{shown}: not a regular file (a device, FIFO or folder); give a GeoJSON file."
        ) from None
    except TooLarge:
        raise InputError(
            f"{shown}: larger than {MAX_AREA_BYTES:,} bytes, the limit for an area file; "
            "simplify the outline (e.g. ogr2ogr -simplify) and run again."
        ) from None
    except OSError as err:
        raise InputError(f"{shown}: cannot read the file ({err.strerror or err}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{shown}, line {line}: not UTF-8 text; {_ABOUT}.") from None
    try:
        return json.loads(text, parse_int=float, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"{shown}: not GeoJSON: nested too deeply; {_ABOUT}.") from None
    except json.JSONDecodeError as err:
        raise InputError(
            f"{shown}, line {err.lineno}, column {err.colno}: not JSON ({err.msg}); {_ABOUT}."
        ) from None
    except ValueError as err:
        raise InputError(f"{shown}: not JSON ({err}); {_ABOUT}.") from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


class _Reader:
    """Walks a GeoJSON object, counting vertices and parts, and yields its checked polygons."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.vertices = 0
        self.parts = 0

    def fail(self, where: list[str], message: str) -> InputError:
        place = f"{self.shown}, {', '.join(where)}" if where else self.shown
        return InputError(f"{place}: {message}")

    def polygons(self, data: object) -> Iterator[Polygon]:
        if not isinstance(data, dict) or "type" not in data:
            raise self.fail([], f"not a GeoJSON object (no 'type'); {_ABOUT}.")
        kind = data["type"]
        if kind == "FeatureCollection":
            features = data.get("features")
            if not isinstance(features, list):
                raise self.fail([], "a FeatureCollection needs a 'features' list.")
            for i, feature in enumerate(features):
                yield from self.feature(feature, [f"feature {i + 1}"])
        elif kind == "Feature":
            yield from self.feature(data, [])
        else:
            yield from self.geometry(data, [], 0)

    def feature(self, data: object, where: list[str]) -> Iterator[Polygon]:
        if not isinstance(data, dict) or data.get("type") != "Feature":
            raise self.fail(where, "not a GeoJSON Feature (its 'type' must be \"Feature\").")
        geometry = data.get("geometry")
        if geometry is not None:
            yield from self.geometry(geometry, where, 0)

    def geometry(self, data: object, where: list[str], depth: int) -> Iterator[Polygon]:
        if not isinstance(data, dict):
            raise self.fail(where, "a geometry must be a GeoJSON object.")
        kind = data.get("type")
        if kind not in _GEOMETRY_TYPES:
            raise self.fail(
                where,
                f"unknown geometry type {_short(kind)}; GeoJSON geometries are "
                f"{', '.join(_GEOMETRY_TYPES)}.",
            )
        if kind == "GeometryCollection":
            members = data.get("geometries")
            if not isinstance(members, list):
                raise self.fail(where, "a GeometryCollection needs a 'geometries' list.")
            if depth >= MAX_NESTING:
                raise self.fail(
                    where,
                    f"GeometryCollections nested more than {MAX_NESTING} deep; RFC 7946 asks "
                    "for none: list the polygons in one MultiPolygon.",
                )
            for i, member in enumerate(members):
                yield from self.geometry(member, [*where, f"geometry {i + 1}"], depth + 1)
            return
        if kind not in ("Polygon", "MultiPolygon"):
            return  # points and lines hold no area
        coords = data.get("coordinates")
        if not isinstance(coords, list):
            raise self.fail(where, f"a {kind} needs a 'coordinates' list.")
        if kind == "Polygon":
            yield self.polygon(coords, where)
            return
        for i, rings in enumerate(coords):
            yield self.polygon(rings, [*where, f"polygon {i + 1}"])

    def polygon(self, rings: object, where: list[str]) -> Polygon:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise self.fail(
                where,
                f"more than {MAX_PARTS:,} polygons, the limit for an area file; join or "
                "drop small parts (islands) and run again.",
            )
        if not isinstance(rings, list) or not rings:
            raise self.fail(where, "a polygon is a list of rings, the outer ring first.")
        arrays = [
            self.ring(ring, [*where, "outer ring" if r == 0 else f"hole {r}"])
            for r, ring in enumerate(rings)
        ]
        polygon = shapely.Polygon(arrays[0], arrays[1:])
        reason = shapely.is_valid_reason(polygon)
        if reason != "Valid Geometry":
            raise self.fail(where, f"not a valid polygon: {_reason(reason)}.")
        return polygon

    def ring(self, ring: object, where: list[str]) -> np.ndarray:
        if not isinstance(ring, list):
            raise self.fail(where, "a ring is a list of [lon, lat] positions.")
        self.vertices += len(ring)
        if self.vertices > MAX_VERTICES:
            raise self.fail(
                where,
                f"more than {MAX_VERTICES:,} vertices, the limit for an area file; simplify "
                "the outline (e.g. ogr2ogr -simplify) and run again.",
            )
        for p, position in enumerate(ring):
            problem = _position_problem(position)
            if problem:
                raise self.fail([*where, f"position {p + 1}"], problem)
        if len(ring) < 4:
            raise self.fail(
                where,
                f"a ring needs at least 4 positions (the first repeated last), got {len(ring)}.",
            )
        coords = np.array([position[:2] for position in ring], dtype=float)
        if not np.array_equal(coords[0], coords[-1]):
            raise self.fail(
                where,
                "the ring is not closed: its last position must repeat its first (RFC 7946).",
            )
        return coords


def _position_problem(position: object) -> str | None:
    """What is wrong with one GeoJSON position, or None: [lon, lat] or [lon, lat, height]."""
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        return f"{_short(position)} is not a position [lon, lat]"
    for value in position:
        if isinstance(value, bool) or not isinstance(value, float | int):
            return f"{_short(value)} in {_short(position)} is not a number"
        if not math.isfinite(value):
            return f"{_short(position)} holds a number too large to be a coordinate"
    lon, lat = position[0], position[1]
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return (
            f"coordinates outside lon -180..180, lat -90..90: {_short(position)}; GeoJSON is "
            "lon, lat in WGS84 degrees, longitude first, split at the 180th meridian"
        )
    return None


_AT = re.compile(r"\[(\S+) (\S+)\]$")


def _reason(reason: str) -> str:
    """GEOS's reason, its place in words: "Self-intersection[20.5 54.5]" -> "self-intersection
    at lon 20.5, lat 54.5"."""
    at = _AT.search(reason)
    text = reason[: at.start()] if at else reason
    text = text[:1].lower() + text[1:]
    if at:
        text += f" at lon {float(at.group(1)):g}, lat {float(at.group(2)):g}"
    return text


def _short(value: object, depth: int = 0) -> str:
    """A value as JSON, cut short (a few items, two levels): messages quote what they refuse."""
    if value is None or isinstance(value, bool):
        text = json.dumps(value)
    elif isinstance(value, float):
        text = f"{value:g}" if math.isfinite(value) else "(a number too large)"
    elif isinstance(value, str):
        text = json.dumps(value if len(value) <= 30 else value[:30] + "...", ensure_ascii=True)
    elif isinstance(value, list):
        items = ", ".join(_short(v, depth + 1) for v in value[:3]) if depth < 2 else "..."
        text = f"[{items}{', ...' if len(value) > 3 and depth < 2 else ''}]"
    else:
        text = "{...}"
    return text if len(text) <= 60 else text[:57] + "..."
