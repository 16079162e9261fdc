"""Interactive maps in the ellipsoidal azimuthal equidistant projection (Leaflet, custom CRS).

The page projects with its own port of proj4js's ellipsoidal aeqd (CRS_JS: Vincenty's inverse
and direct geodesic problems, proj4js's results bit for bit), which agrees with PROJ to 0.1 mm
at 15,000 km (BENCHMARKS.md). What Leaflet cannot do
alone is done here with PROJ, the same way as for the static maps (rangemap.render.static_map):
countries are clipped to a geodesic cap around the centre before projecting, so nothing
tears at the antipode; polygons cut at +-180 or closed along a pole are joined in the
projection, so no seam shows; rings are drawn from their exact boundary vertices, simplified
for the deepest zoom the map allows (ERROR_PX). The result goes back to (lat, lon) for Leaflet,
which projects it again, once per vertex.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import typing
import zipfile
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from rangemap.coverage import OUTLINE_VERTICES
from rangemap.geodesic import (
    azimuths_deg,
    circle_points,
    distance_km,
    range_area,
    ring_vertices,
)
from rangemap.render.display_geometry import (
    DECIMALS,
    MERCATOR_TILES_MAX_ZOOM,
    ROUND_PX,
    SIMPLIFY_PX,
    mercator_tolerance_m,
    mercator_xy,
    split_at_antimeridian,
)
from rangemap.render.static_map import (
    MAX_CAP_KM,
    MapView,
    project_areas,
    project_lines,
    scene_centre,
)
from rangemap.scene import Projection
from rangemap.scene_build import DrawnLayer, ResolvedScene

if typing.TYPE_CHECKING:
    from rangemap.render.map_words import MapWords

PROJECTIONS: tuple[Projection, ...] = typing.get_args(Projection)

#: Mercator draws a ring at sec(latitude) times its true size, so a ring spanning latitudes
#: phi_s..phi_n is drawn at up to sec(phi_n)/sec(phi_s) times the scale of its nearest-the-
#: equator part (infinite if it holds a pole). Measured with Web Mercator (EPSG:3857) outlines
#: of exact rings (benchmarks/bench_projection.py): at Kaliningrad's 54.7 N the ratio is 1.24
#: for 480 km, 1.58 for 1,000 km, 3.4 for 2,350 km (the outline still looks round: its height
#: is within 9 % of its width, which is what makes the picture mislead). Above 1.5 the far side
#: of a ring reads 50 % longer than it is: from there on, the map opens in AEQD.
MAX_MERCATOR_SCALE_RATIO = 1.5
#: The basemap reaches at least this far from the centre (a hemisphere and a half, where AEQD
#: stretches east-west by 2x) and 1,000 km beyond the furthest ring, up to MAX_CAP_KM.
MIN_CAP_KM = 12_000.0
#: Metres per pixel at zoom 0 (the whole 40,000 km wide plane in 256 px).
_RES0_M = 2 * 20_037_508.0 / 256
#: The deepest zoom a map allows (2.4 km a pixel) unless its smallest range needs more: the
#: basemap, Natural Earth outlines simplified to 0.1 degrees, is then already up to ~5 px off;
#: deeper, the reader would see only its error.
MAX_ZOOM = 6
#: ... a map whose smallest range (or a band's inner range) is smaller goes as deep as it takes
#: for that range to be SMALLEST_PX across (480 km: zoom 7), up to MAX_ZOOM_LIMIT (10 m a px).
SMALLEST_PX, MAX_ZOOM_LIMIT = 600, 14
# Every drawn outline lies within display_geometry.ERROR_PX of the exact one at the map's deepest
# zoom: simplified to SIMPLIFY_PX there, rounded within ROUND_PX (ring_scale) after a first
# rounding to 1e-4 degrees (< 0.02 px).
#: Countries are Natural Earth's outlines simplified to 0.1 degrees already: 1 km more.
_COUNTRY_TOLERANCE_M = 1_000.0
#: The built-in scenes' basemaps, prebuilt by layers/build_basemaps.py (in layers_dir()/data).
BASEMAPS_FILE = "aeqd_basemaps.npz"
#: Width (metres) of the slivers closed where a polygon's parts meet at +-180 or a pole.
_CLOSE_M = 50.0


def mercator_scale_ratio(layer: DrawnLayer) -> float:
    """How much larger Mercator draws the poleward side of a ring than its other side."""
    # The latitudes the engine's range area spans (closed along +-90 where it holds a pole).
    _, low, _, high = shapely.bounds(layer.ring.geometry).tolist()
    if high >= 90.0 or low <= -90.0:
        return math.inf
    nearest = 0.0 if low <= 0.0 <= high else min(abs(low), abs(high))
    farthest = max(abs(low), abs(high))
    return math.cos(math.radians(nearest)) / math.cos(math.radians(farthest))


def choose_projection(scene: ResolvedScene) -> Projection:
    """AEQD when Mercator would misdraw any drawn ring (also those switched off at first,
    which a reader can switch on), Mercator otherwise."""
    ratios = [mercator_scale_ratio(layer) for layer in scene.drawn]
    return "aeqd" if ratios and max(ratios) > MAX_MERCATOR_SCALE_RATIO else "mercator"


@dataclass(frozen=True)
class AeqdFrame:
    """Centre (degrees), the cap drawn (km) and the box (projected metres) to open on."""

    lat: float
    lon: float
    cap_km: float
    focus: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax
    max_zoom: int = MAX_ZOOM

    @property
    def tolerance_m(self) -> float:
        """How far (projected metres) a drawn outline may stray from the exact one."""
        return SIMPLIFY_PX * resolutions(self.max_zoom)[-1]

    @property
    def ring_scale(self) -> int:
        """Steps per degree for ring coordinates in the page: rounding moves a vertex at most
        ROUND_PX at the deepest zoom (half a step on each axis, 111.32 km a degree, drawn up
        to twice as long where the projection stretches: twice the 12,000 km cap's 1.85)."""
        step_m = 2 * ROUND_PX * resolutions(self.max_zoom)[-1] / (2 * math.sqrt(2))
        return math.ceil(111_320.0 / step_m)

    @property
    def proj(self) -> str:
        return f"+proj=aeqd +lat_0={self.lat:.6f} +lon_0={self.lon:.6f} +ellps=WGS84 +units=m"

    @property
    def view(self) -> MapView:
        return MapView(self.lat, self.lon, 0.0, 0.0, 0.0, 0.0, self.cap_km)

    def forward(self) -> pyproj.Transformer:
        """Lon/lat degrees -> projected metres."""
        return _pipeline(f"+step +proj=unitconvert +xy_in=deg +xy_out=rad +step {self._aeqd}")

    def inverse(self) -> pyproj.Transformer:
        """Projected metres -> lon/lat degrees."""
        return _pipeline(f"+step +inv {self._aeqd} +step +proj=unitconvert +xy_in=rad +xy_out=deg")

    @property
    def _aeqd(self) -> str:
        return f"+proj=aeqd +lat_0={self.lat:.6f} +lon_0={self.lon:.6f} +x_0=0 +y_0=0 +ellps=WGS84"


@functools.cache
def _pipeline(steps: str) -> pyproj.Transformer:
    """Made once per centre. The pipelines PROJ builds for EPSG:4326 (always_xy) <-> `proj`,
    written out: bit-identical results, without the ~20 ms lookup of EPSG:4326 in proj.db
    for each direction."""
    return pyproj.Transformer.from_pipeline(f"+proj=pipeline {steps}")


def aeqd_frame(scene: ResolvedScene) -> AeqdFrame:
    """Centred as the static maps are; opening on the scene's own `view`, else on the shown
    claims (or the sites)."""
    lat0, lon0 = scene_centre(scene)
    probe = AeqdFrame(lat0, lon0, MAX_CAP_KM, (0.0, 0.0, 0.0, 0.0))
    tr = probe.forward()
    furthest = 0.0
    for layer in scene.drawn:  # the ellipsoidal aeqd's radius is the geodesic distance
        x, y = tr.transform(*_outline_vertices(layer))
        furthest = max(furthest, float(np.max(np.hypot(x, y))) / 1000.0)
    cap_km = min(MAX_CAP_KM, max(MIN_CAP_KM, furthest + 1000.0))
    shown = [layer for layer in scene.drawn if layer.show]
    focus = [layer for layer in shown if layer.kind not in ("threshold", "band")] or shown
    points = [np.array(tr.transform(s.location.lon, s.location.lat))[None] for s in scene.sites]
    view = AeqdFrame(lat0, lon0, cap_km, (0.0, 0.0, 0.0, 0.0)).view
    if scene.view is not None:  # the scene's own view: its box's edges, as projected
        (south, west), (north, east) = scene.view
        t = np.linspace(0.0, 1.0, 50)
        lons = np.concatenate([west + (east - west) * t, np.full(50, east),
                               east - (east - west) * t, np.full(50, west)])  # fmt: skip
        lats = np.concatenate([np.full(50, south), south + (north - south) * t,
                               np.full(50, north), north - (north - south) * t])  # fmt: skip
        points = [np.column_stack(tr.transform(lons, lats))]
        focus = []
    for layer in focus:
        points += project_lines(view, tr, *_outline_vertices(layer), closed=True)
    xy = np.concatenate(points)
    pad = 150_000.0 if len(xy) == len(scene.sites) else 0.0  # sites only: show around them
    xmin, ymin = (xy.min(axis=0) - pad).tolist()
    xmax, ymax = (xy.max(axis=0) + pad).tolist()
    box = (round(xmin), round(ymin), round(xmax), round(ymax))
    return AeqdFrame(lat0, lon0, cap_km, box, max_zoom(scene))


def max_zoom(scene: ResolvedScene) -> int:
    """MAX_ZOOM, or deeper until the scene's smallest range is SMALLEST_PX across."""
    radii = [km for layer in scene.drawn for km in (layer.ring.km, layer.ring.km_min) if km]
    if not radii:
        return MAX_ZOOM
    zoom = math.ceil(math.log2(SMALLEST_PX * _RES0_M / (2_000.0 * min(radii))))
    return min(MAX_ZOOM_LIMIT, max(MAX_ZOOM, zoom))


def mercator_max_zoom(scene: ResolvedScene, *, tiles: bool) -> int:
    """The deepest zoom of a Web Mercator page: with map tiles, town level
    (display_geometry.MERCATOR_TILES_MAX_ZOOM); on the countries alone, as deep as an azimuthal
    page (max_zoom: deeper, the reader would see only the basemap's error). Either way as deep
    as the scene's smallest range needs."""
    return max(MERCATOR_TILES_MAX_ZOOM, max_zoom(scene)) if tiles else max_zoom(scene)


def _outline_vertices(layer: DrawnLayer) -> tuple[np.ndarray, np.ndarray]:
    ring = layer.ring
    if ring.site.area is None:
        return ring.boundaries[0]
    # an area's range area: every piece of its edge (its pieces also end at +-180)
    return tuple(np.concatenate(axis) for axis in zip(*ring.boundaries, strict=True))


def _latlng(xy: np.ndarray, inverse: pyproj.Transformer, decimals: int) -> list[list[float]]:
    """Projected (x, y) rows -> rounded [lat, lon] lists for Leaflet, without repeats."""
    lon, lat = inverse.transform(xy[:, 0], xy[:, 1])
    rounded = np.round(np.column_stack([lat, lon]), decimals) + 0.0
    keep = np.ones(len(rounded), dtype=bool)
    keep[1:] = np.any(rounded[1:] != rounded[:-1], axis=1)
    return rounded[keep].tolist()


def ring_outline(frame: AeqdFrame, layer: DrawnLayer) -> list[list[list[float]]]:
    """A ring's true boundary (both circles of a band) as [lat, lon] lines, each one closed
    line unless the cap cuts it: never split at +-180 or along a pole."""
    ring = layer.ring
    if ring.site.area is not None:
        # an area site's boundaries are its range area's true edge: closed rings, or pieces
        # that end where RFC 7946 cuts the polygon, which must not be closed across the cut
        return _outline(frame, ring.boundaries, closed=False)
    lines = []
    for lons, lats in ring.boundaries:
        lines += _circle_lines(frame, lons.tobytes(), lats.tobytes())
    return lines


def area_outline(frame: AeqdFrame, geometry: shapely.Geometry) -> list[list[list[float]]]:
    """A launch area's true boundary as [lat, lon] lines, without the cuts along +-180."""
    from rangemap.geodesic import outline_lines

    lines = outline_lines(geometry)
    return _outline(frame, [(line[:, 0], line[:, 1]) for line in lines], closed=False)


def _outline(
    frame: AeqdFrame, lines: typing.Iterable[tuple[np.ndarray, np.ndarray]], *, closed: bool
) -> list[list[list[float]]]:
    tr, inverse = frame.forward(), frame.inverse()
    out = []
    for lons, lats in lines:
        for xy in project_lines(frame.view, tr, lons, lats, closed=closed):
            simple = shapely.simplify(shapely.LineString(xy), frame.tolerance_m)
            out.append(_latlng(shapely.get_coordinates(simple), inverse, DECIMALS))
    return out


@functools.lru_cache(maxsize=256)
def _circle_lines(frame: AeqdFrame, lons: bytes, lats: bytes) -> list[list[list[float]]]:
    """One boundary circle as drawn: computed once per map, as rings share circles (a band's
    outer circle is often a ring of its own). Callers must not change the lists."""
    tr, inverse = frame.forward(), frame.inverse()
    lines = []
    x, y = np.frombuffer(lons), np.frombuffer(lats)
    for xy in project_lines(frame.view, tr, x, y, closed=True):
        simple = shapely.simplify(shapely.LineString(xy), frame.tolerance_m)
        lines.append(_latlng(shapely.get_coordinates(simple), inverse, DECIMALS))
    return lines


def circle_steps(
    frame: AeqdFrame, lat: float, lon: float, km: float, lons: np.ndarray, lats: np.ndarray
) -> int | None:
    """How many evenly spaced azimuths the page needs to draw a point site's boundary circle
    (`lons`, `lats`: its exact vertices) itself, within the frame's tolerance: rmCircle
    solves the geodesic direct problem at azimuths 360, 360 - 360/n ... as the engine does
    (geodesic.ring_vertices). None when the cap cuts the circle: the page is then given the
    vertices it draws.

    The candidates are every k-th of OUTLINE_VERTICES evenly spaced azimuths (the engine's
    own, less the extra ones it adds near a pole for lon/lat polygons, which a projected line
    does not need); the largest k for which every one of those points lies within the
    tolerance of the chord that replaces it (in the projection) is taken.
    """
    tr = frame.forward()
    pieces = project_lines(frame.view, tr, lons, lats, closed=True)
    if len(pieces) != 1 or len(pieces[0]) != len(lons) + 1:
        return None
    n = OUTLINE_VERTICES
    azimuths = np.linspace(360.0, 0.0, n, endpoint=False)
    points = circle_points(lat, lon, km, azimuths)
    xy = np.column_stack(tr.transform(points[:, 0], points[:, 1]))
    for k in sorted((d for d in range(1, n // 16 + 1) if n % d == 0), reverse=True):
        if _chord_error(xy, k) <= frame.tolerance_m:
            return n // k
    return n


def mercator_circle_steps(
    zoom: int, lat: float, lon: float, km: float, lons: np.ndarray, lats: np.ndarray
) -> tuple[int, bool] | None:
    """circle_steps for a Web Mercator page whose deepest zoom is `zoom`, and whether the page
    adds the engine's extra azimuths (geodesic.ring_vertices: where consecutive points are more
    than _MAX_DLON degrees of longitude apart, near a pole). None for a circle cut in two at
    the 180th meridian; a circle round a pole is one line there, which the page cuts itself.

    Each exact vertex (`lons`, `lats`) is measured against the chord the page draws across its
    azimuth; where no evenly spaced azimuths stay within the bound (the engine's extra vertices
    near a pole, which Web Mercator stretches most), the page draws all of the engine's own.
    """
    pieces = split_at_antimeridian(lons, lats)
    if len(pieces) != 1:
        return None
    if not np.array_equal(pieces[0][0], pieces[0][-1]):  # round a pole
        return OUTLINE_VERTICES, True
    n = OUTLINE_VERTICES
    regular = circle_points(lat, lon, km, np.linspace(360.0, 0.0, n, endpoint=False))
    azimuths = azimuths_deg(lat, lon, lats, lons)
    position = ((360.0 - azimuths) % 360.0) / (360.0 / n)  # in steps of the regular azimuths
    position[0] = 0.0  # the first vertex is the one at azimuth 360
    drawn = mercator_xy(np.vstack([regular, regular[:1]]))
    exact = mercator_xy(np.column_stack([lons, lats]))
    tolerance = mercator_tolerance_m(zoom)
    for k in sorted((d for d in range(1, n // 16 + 1) if n % d == 0), reverse=True):
        ends = drawn[::k]
        chord = np.minimum((position // k).astype(int), n // k - 1)
        a, b = ends[chord], ends[chord + 1]
        ab = b - a
        t = np.clip(np.sum((exact - a) * ab, axis=1) / np.sum(ab * ab, axis=1), 0.0, 1.0)
        if float(np.max(np.hypot(*(exact - a - t[:, None] * ab).T))) <= tolerance:
            return n // k, False
    return n, True


def _chord_error(xy: np.ndarray, k: int) -> float:
    """Largest distance of a closed line's vertices from the chords joining every k-th."""
    a = xy[::k]
    b = np.roll(a, -1, axis=0)
    points = np.roll(xy, -1, axis=0).reshape(-1, k, 2)[:, : k - 1]  # the k - 1 skipped
    ab = (b - a)[:, None, :]
    t = np.clip(np.sum((points - a[:, None]) * ab, axis=2) / np.sum(ab * ab, axis=2), 0, 1)
    gap = points - (a[:, None] + t[..., None] * ab)
    return float(np.sqrt(np.max(np.sum(gap * gap, axis=2)))) if k > 1 else 0.0


def outline_bounds_fill(frame: AeqdFrame, layer: DrawnLayer, outline: list) -> bool:
    """Whether the ring's `outline` (from ring_outline) also bounds its area on the map, so
    that the page can fill the outline itself (outer circle, band's inner circle as a hole)
    instead of a second, separately simplified copy of the same circles.

    True when every circle (or every closed edge of an area site's range area) lies whole
    within the cap, one closed line each, and the area does not hold the antipode of the
    centre: AEQD maps the cap one-to-one onto a disc, so closed curves inside it bound the
    same region on the map as on the ellipsoid (filled even-odd, as Leaflet does).
    """
    ring = layer.ring
    if len(outline) != len(ring.boundaries) or any(line[0] != line[-1] for line in outline):
        return False
    antipode = (-frame.lat, (frame.lon + 360.0) % 360.0 - 180.0)
    if ring.site.area is not None:
        return not bool(shapely.intersects_xy(ring.geometry, antipode[1], antipode[0]))
    antipode_km = distance_km(ring.site.lat, ring.site.lon, *antipode)
    return float(antipode_km) > ring.km


def project_back(frame: AeqdFrame, geometries: np.ndarray, *, tolerance_m: float) -> np.ndarray:
    """Lon/lat (Multi)Polygons clipped to the frame's cap, joined across +-180 and the poles
    in the projection and simplified there, then back in lon/lat for Leaflet to project."""
    cap = _cap(frame.lat, frame.lon, frame.cap_km)
    projected = project_areas(frame.view, frame.forward(), geometries, cap, close_m=_CLOSE_M)
    simple = shapely.simplify(projected, tolerance_m, preserve_topology=True)
    inverse = frame.inverse()

    def unproject(xy: np.ndarray) -> np.ndarray:
        lon, lat = inverse.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(simple, unproject)


@functools.cache
def _cap(lat: float, lon: float, km: float) -> shapely.Geometry:
    """The geodesic cap drawn, as a pole-aware lon/lat polygon: built once per map."""
    return range_area(lat, lon, km)


def ring_fill(frame: AeqdFrame, layer: DrawnLayer) -> list[list[list[list[float]]]]:
    """A ring's area for L.polygon: [[exterior, hole, ...], ...] in [lat, lon]."""
    ring = layer.ring
    geometry = project_back(frame, np.array([ring.geometry]), tolerance_m=frame.tolerance_m)[0]
    polygons = []
    for part in shapely.get_parts(geometry):
        if part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        polygons.append(
            [np.round(np.asarray(r.coords)[:-1, ::-1], DECIMALS).tolist() for r in rings]
        )
    return polygons


def countries_display(frame: AeqdFrame) -> np.ndarray:
    """Natural Earth display outlines within the cap, seam-free in the projection: read from
    layers/data/aeqd_basemaps.npz for a built-in scene's frame, else computed."""
    prebuilt = _prebuilt_basemaps().get(basemap_key(frame))
    if prebuilt is None:
        return compute_countries_display(frame)
    blob, offsets = prebuilt.wkb, prebuilt.offsets.tolist()
    return shapely.from_wkb([blob[a:b] for a, b in itertools.pairwise(offsets)])


def compute_countries_display(frame: AeqdFrame) -> np.ndarray:
    """What countries_display returns, computed (also by layers/build_basemaps.py)."""
    from rangemap import layers

    return project_back(frame, layers.countries().display, tolerance_m=_COUNTRY_TOLERANCE_M)


def basemap_key(frame: AeqdFrame) -> str:
    """The key of a frame's prebuilt basemap: everything the basemap depends on."""
    return f"{frame.proj} +cap_km={frame.cap_km!r} +tolerance_m={_COUNTRY_TOLERANCE_M!r}"


@dataclass(frozen=True)
class _Basemap:
    """One frame's prebuilt basemap: the countries as concatenated WKB and where each
    starts; the country labels and the graticule as JSON (which keeps every float)."""

    wkb: bytes
    offsets: np.ndarray
    labels: str
    graticule: str


@functools.cache
def _prebuilt_basemaps() -> dict[str, _Basemap]:
    """Basemaps by key, from layers/build_basemaps.py. The file only saves time: without it
    (or unreadable) every map computes its basemap, as for any scene not built in."""
    from rangemap import layers

    path = layers.layers_dir() / "data" / BASEMAPS_FILE
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {
                key: _Basemap(
                    npz[f"wkb_{i}"].tobytes(),
                    npz[f"offsets_{i}"],
                    npz[f"labels_{i}"].tobytes().decode("utf-8"),
                    npz[f"graticule_{i}"].tobytes().decode("utf-8"),
                )
                for i, key in enumerate(npz["keys"].tolist())
            }
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}


def graticule(frame: AeqdFrame) -> list[list[list[float]]]:
    """Parallels and meridians every 10 degrees within the cap, as [lat, lon] lines (read
    from the prebuilt basemap for a built-in scene's frame)."""
    prebuilt = _prebuilt_basemaps().get(basemap_key(frame))
    if prebuilt is not None:
        return json.loads(prebuilt.graticule)
    return compute_graticule(frame)


def compute_graticule(frame: AeqdFrame) -> list[list[list[float]]]:
    """What graticule returns, computed."""
    view, tr, inverse = frame.view, frame.forward(), frame.inverse()
    step = 0.5  # degrees between vertices: straight chords in the projection bend enough
    lines = []
    for lat in range(-80, 81, 10):
        lons = np.arange(-180.0, 180.0, step)
        lines += project_lines(view, tr, lons, np.full(lons.size, float(lat)), closed=True)
    for lon in range(-180, 180, 10):
        lats = np.arange(-80.0, 80.0 + step, step)
        lines += project_lines(view, tr, np.full(lats.size, float(lon)), lats, closed=False)
    out = []
    for xy in lines:
        simple = shapely.simplify(shapely.LineString(xy), _COUNTRY_TOLERANCE_M)
        out.append(_latlng(shapely.get_coordinates(simple), inverse, 2))
    return out


def edge(frame: AeqdFrame) -> list[list[float]]:
    """The cap's circle, the edge of the drawn world, in [lat, lon]."""
    lons, lats = ring_vertices(frame.lat, frame.lon, frame.cap_km, vertices=720)
    return np.round(np.column_stack([lats, lons]), 3).tolist()


def capitals(frame: AeqdFrame) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of the capitals within the cap, most populous first."""
    from rangemap import layers

    cities = layers.cities()
    index = np.flatnonzero(cities.capital)
    km = distance_km(frame.lat, frame.lon, cities.lat[index], cities.lon[index])
    inside = index[km <= frame.cap_km]
    return [
        (str(cities.name[i]), round(float(cities.lat[i]), 3), round(float(cities.lon[i]), 3))
        for i in inside
    ]


def country_labels(frame: AeqdFrame, display: np.ndarray) -> list[tuple[str, float, float]]:
    """(name, lat, lon) at a point inside each country's largest drawn part, largest first.
    `display` is countries_display(frame): for a built-in scene's frame, prebuilt, and so
    are these labels."""
    prebuilt = _prebuilt_basemaps().get(basemap_key(frame))
    if prebuilt is not None:
        return [(name, lat, lon) for name, lat, lon in json.loads(prebuilt.labels)]
    return compute_country_labels(frame, display)


def compute_country_labels(frame: AeqdFrame, display: np.ndarray) -> list[tuple[str, float, float]]:
    """What country_labels returns, computed."""
    from rangemap import layers

    countries = layers.countries()
    names = [countries.map_name(i) for i in range(len(countries))]
    tr = frame.forward()
    projected = shapely.transform(display, lambda xy: np.column_stack(tr.transform(*xy.T)))
    parts, owner = shapely.get_parts(projected, return_index=True)
    drawn = ~shapely.is_empty(parts)  # countries beyond the cap come back empty
    parts, owner = parts[drawn], owner[drawn]
    areas = shapely.area(parts)
    largest: dict[int, int] = {}  # country -> its largest part, as the map draws it
    for i, (row, area) in enumerate(zip(owner.tolist(), areas.tolist(), strict=True)):
        if row not in largest or area > areas[largest[row]]:
            largest[row] = i
    rows = sorted(largest, key=lambda row: (-areas[largest[row]], str(names[row])))
    chosen = parts[[largest[row] for row in rows]]
    points = shapely.point_on_surface(chosen)
    # A part that simplification left invalid has no point on its surface: its centroid then.
    points = np.where(shapely.is_empty(points), shapely.centroid(chosen), points)
    points = shapely.get_coordinates(points)
    lon, lat = frame.inverse().transform(points[:, 0], points[:, 1])
    return [
        (str(names[row]), round(float(la), 3), round(float(lo), 3))
        for row, la, lo in zip(rows, lat, lon, strict=True)
    ]


def resolutions(max_zoom: int = MAX_ZOOM) -> list[float]:
    """Metres per pixel at each zoom level up to `max_zoom`, halving from the whole plane in
    256 px."""
    return [_RES0_M / 2**z for z in range(max_zoom + 1)]


#: WGS84 geodesics for every page (before CRS_JS, which uses them): rmGeo holds the ellipsoid,
#: Vincenty's A and B (coef) and delta sigma, and his direct problem (as proj4js 2.22's aeqd
#: inverse); rmCircle(c) draws a geodesic circle of c[2] metres around (c[0], c[1]) at c[3]
#: azimuths from 360 down, as the engine's ring_vertices, so that a page draws a point site's
#: circles from these four numbers (circle_steps, mercator_circle_steps; on a Web Mercator page
#: a fifth adds the engine's extra azimuths near a pole: MERCATOR_JS).
GEODESIC_JS = """
var rmGeo = (function () {
  var a = 6378137, b0 = (1 - 1 / 298.257223563) * a, es = (a * a - b0 * b0) / (a * a);
  var f = es / (1 + Math.sqrt(1 - es)), b = a * (1 - f);
  function coef(cos2A) {  // Vincenty's A and B
    var u = cos2A * (a * a - b * b) / (b * b);
    return [1 + u / 16384 * (4096 + u * (u * (320 - 175 * u) - 768)),
            u / 1024 * (256 + u * (u * (74 - 47 * u) - 128))];
  }
  function dSigma(B, sinS, cosS, c2) {
    return B * sinS * (c2 + B / 4 * (cosS * (2 * c2 * c2 - 1) -
      B / 6 * c2 * (4 * sinS * sinS - 3) * (4 * c2 * c2 - 3)));
  }
  function direct(sU1, cU1, lon0, azi, s) {  // radians
    var sA = Math.sin(azi), cA = Math.cos(azi), sigma1 = Math.atan2(sU1, cU1 * cA);
    var sinA = cU1 * sA, cos2A = 1 - sinA * sinA, AB = coef(cos2A), A = AB[0], B = AB[1];
    var sigma = s / (b * A), prev, n = 100, c2, sinS, cosS;
    do {
      c2 = Math.cos(2 * sigma1 + sigma); sinS = Math.sin(sigma); cosS = Math.cos(sigma);
      prev = sigma; sigma = s / (b * A) + dSigma(B, sinS, cosS, c2);
    } while (Math.abs(sigma - prev) > 1e-12 && --n > 0);
    if (n === 0) { return [NaN, NaN]; }
    var t = sU1 * sinS - cU1 * cosS * cA, C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
    var lat = Math.atan2(sU1 * cosS + cU1 * sinS * cA, (1 - f) * Math.sqrt(sinA * sinA + t * t));
    var lon = lon0 + (Math.atan2(sinS * sA, cU1 * cosS - sU1 * sinS * cA) -
      (1 - C) * f * sinA * (sigma + C * sinS * (c2 + C * cosS * (2 * c2 * c2 - 1))));
    return [lat, lon];
  }
  return {f: f, b: b, coef: coef, dSigma: dSigma, direct: direct};
})();
function rmCircle(c) {
  var D = Math.PI / 180, R = 180 / Math.PI, f = rmGeo.f, n = c[3], out = [];
  var U = Math.atan((1 - f) * Math.tan(c[0] * D)), sU = Math.sin(U), cU = Math.cos(U);
  function at(azimuth) {
    var ll = rmGeo.direct(sU, cU, c[1] * D, azimuth * D, c[2]);
    return L.latLng(ll[0] * R, (ll[1] * R + 540) % 360 - 180);
  }
  for (var i = 0; i < n; i++) { out.push(at(360 - i * 360 / n)); }
  if (c[4]) { out = rmMore(out, at, c[4]); }  // Web Mercator pages only (MERCATOR_JS)
  out.push(L.latLng(out[0].lat, out[0].lng));  // closed, as the line is drawn
  return out;
}
"""

#: Web Mercator pages only, after GEODESIC_JS: rmMore adds the engine's extra azimuths to a
#: circle (geodesic.ring_vertices: where consecutive points are more than `most` degrees of
#: longitude apart, near a pole); rmRound cuts a circle round a pole where it crosses the 180th
#: meridian, as display_geometry.split_at_antimeridian does (the crossing interpolated in
#: longitude and latitude), into one line from one edge of the map to the other.
MERCATOR_JS = """
function rmMore(out, at, most) {
  var n = out.length, step = 360 / n, more = [];
  for (var i = 0; i < n; i++) {
    var d = out[(i + 1) % n].lng - out[i].lng;
    var parts = Math.min(Math.ceil(Math.abs(((d + 180) % 360 + 360) % 360 - 180) / most), 1024);
    more.push(out[i]);
    for (var k = 1; k < parts; k++) { more.push(at(360 - i * step - step * k / parts)); }
  }
  return more;
}
function rmRound(line) {
  var n = line.length - 1, j = 0;
  while (Math.abs(line[j + 1].lng - line[j].lng) <= 180) { j++; }
  var p = line[j], q = line[j + 1], edge = p.lng > 0 ? 180 : -180;
  var lat = p.lat + (edge - p.lng) / (q.lng + 2 * edge - p.lng) * (q.lat - p.lat), out = [];
  out.push([lat, -edge]);
  for (var k = 1; k <= n; k++) { out.push([line[(j + k) % n].lat, line[(j + k) % n].lng]); }
  out.push([lat, edge]);
  return out;
}
"""

#: Defines the map's CRS before the renderer creates the map (L.CRS[name]): the ellipsoidal
#: azimuthal equidistant projection as proj4js computes it (Vincenty's inverse and direct
#: geodesic problems, ported from proj4js 2.22's aeqd, whose results it matches to the bit in
#: Chromium), with Proj4Leaflet's zoom levels from `resolutions`; 4 kB instead of proj4js and
#: Proj4Leaflet (138 kB, 44 kB gzip). Leaflet's scale control asks the CRS for distances:
#: straight-line distance in the projection, which is the true geodesic distance along any line
#: through the centre.
CRS_JS = """
(function (name, centre, resolutions) {
  var g = rmGeo, f = g.f, b = g.b, coef = g.coef, dSigma = g.dSigma, direct = g.direct;
  var D = Math.PI / 180, R = 180 / Math.PI, lat0 = centre[0] * D, lon0 = centre[1] * D;
  var U1 = Math.atan((1 - f) * Math.tan(lat0)), sU1 = Math.sin(U1), cU1 = Math.cos(U1);
  function project(latlng) {  // once per point a layer holds: it keeps its projection
    var p = latlng._rmXY || (latlng._rmXY = solve(latlng));
    return L.point(p[0], p[1]);
  }
  function solve(latlng) {  // the inverse geodesic problem from the centre
    var lat = latlng.lat * D, L0 = latlng.lng * D - lon0, U2 = Math.atan((1 - f) * Math.tan(lat));
    var sU2 = Math.sin(U2), cU2 = Math.cos(U2), lam = L0, prev, n = 100;
    var sinL, cosL, sinS, cosS, sigma, sinA, cos2A, c2, C;
    do {
      sinL = Math.sin(lam); cosL = Math.cos(lam);
      sinS = Math.sqrt(cU2 * sinL * (cU2 * sinL) +
        (cU1 * sU2 - sU1 * cU2 * cosL) * (cU1 * sU2 - sU1 * cU2 * cosL));
      if (sinS === 0) { return [0, 0]; }
      cosS = sU1 * sU2 + cU1 * cU2 * cosL; sigma = Math.atan2(sinS, cosS);
      sinA = cU1 * cU2 * sinL / sinS; cos2A = 1 - sinA * sinA;
      c2 = cos2A !== 0 ? cosS - 2 * sU1 * sU2 / cos2A : 0;
      C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
      prev = lam;
      lam = L0 + (1 - C) * f * sinA * (sigma + C * sinS * (c2 + C * cosS * (2 * c2 * c2 - 1)));
    } while (Math.abs(lam - prev) > 1e-12 && --n > 0);
    if (n === 0) { return [NaN, NaN]; }
    var AB = coef(cos2A), s = b * AB[0] * (sigma - dSigma(AB[1], sinS, cosS, c2));
    var azi = Math.atan2(cU2 * sinL, cU1 * sU2 - sU1 * cU2 * cosL);
    return [s * Math.sin(azi), s * Math.cos(azi)];
  }
  function unproject(point) {  // the direct geodesic problem from the centre
    var azi = Math.atan2(point.x, point.y), s = Math.sqrt(point.x * point.x + point.y * point.y);
    var ll = direct(sU1, cU1, lon0, azi, s);
    return L.latLng(ll[0] * R, ll[1] * R);
  }
  var scales = resolutions.map(function (r) { return 1 / r; });
  var crs = L.extend({}, L.CRS, {
    code: "RANGEMAP:AEQD", infinite: true, transformation: new L.Transformation(1, 0, -1, 0),
    projection: {project: project, unproject: unproject},
    scale: function (zoom) {  // between zoom levels, linear in scale (as Proj4Leaflet)
      var i = Math.floor(zoom);
      return zoom === i ? scales[i] : scales[i] + (scales[i + 1] - scales[i]) * (zoom - i);
    },
    zoom: function (scale) {
      for (var i = scales.length - 1; i >= 0 && scales[i] > scale; i--) { /* down */ }
      if (i < 0) { return -Infinity; }
      if (scales[i] === scale) { return i; }
      if (i === scales.length - 1) { return Infinity; }
      return i + (scale - scales[i]) / (scales[i + 1] - scales[i]);
    },
    distance: function (p, q) { return project(L.latLng(p)).distanceTo(project(L.latLng(q))); }
  });
  L.CRS[name] = crs;
})
"""

#: The azimuthal map's scale note and its names (countries, capitals: labels, {html, at, cls}
#: each, the html escaped). The view follows the story's steps (rangemap.render.steps), which
#: frame their points in any projection. Names hide where they collide with each other or with
#: the page's own labels and controls (page.PAGE_JS passes its test for a free box to
#: map.rmNames.show each time it places them).
VIEW_JS = """
function (map, labels, note) {
  var scale = document.querySelector(".leaflet-control-scale");
  if (scale) {
    var text = document.createElement("div");
    text.className = "rm-scale-note";
    text.textContent = note;
    scale.appendChild(text);
  }
  // The names are one layer of their own, each placed as Leaflet places a marker (its point
  // rounded, stacked by it) and moved with the map's zooms as markers are, without a
  // marker's work for each. Like the countries (html_map), they come after the first frame
  // (and the load event), a few dozen at a time, so that the page answers the reader between.
  var pane = map.createPane("rm-names");  // above the places' dots, below the ranges' labels
  pane.style.zIndex = 625;
  pane.style.pointerEvents = "none";
  var names = [], all = [], started = false, lastFree = null, CHUNK = 40;
  function point(n) { return map.latLngToLayerPoint(n.at).round(); }
  function put(n, p) {
    L.DomUtil.setPosition(n.el, p);
    n.el.style.zIndex = p.y;
  }
  map.on("zoom viewreset", function () { names.forEach(function (n) { put(n, point(n)); }); });
  if (map._zoomAnimated) {
    map.on("zoomanim", function (e) {
      names.forEach(function (n) {
        put(n, map._latLngToNewLayerPoint(n.at, e.zoom, e.center).round());
      });
    });
  }
  map.eachLayer(function (l) {  // the centre's +: it gives way to the page's labels only
    var icon = l instanceof L.Marker && l.options.icon.options.className;
    if (icon && icon.split(" ").indexOf("rm-centre") >= 0) {
      all.push({at: l.getLatLng(), el: l.getElement(), own: false});
    }
  });
  function make() {  // the next few names, in their order
    var anim = map._zoomAnimated ? "leaflet-zoom-animated" : "leaflet-zoom-hide";
    var some = labels.slice(names.length, names.length + CHUNK), first = pane.children.length;
    pane.insertAdjacentHTML("beforeend", some.map(function (l) {
      return '<div class="leaflet-marker-icon rm-label ' + l.cls + " " + anim + '" style="' +
        'margin-left: 0px; margin-top: 0px; width: 0px; height: 0px;"><span>' + l.html +
        "</span></div>";
    }).join(""));
    some.forEach(function (l, i) {
      var n = {at: L.latLng(l.at), el: pane.children[first + i]};
      put(n, point(n));
      names.push(n);
      all.push(n);
    });
    show(lastFree);
    if (names.length < labels.length) { setTimeout(make, 0); }
  }
  function start() {
    if (!started) { started = true; make(); }
  }
  function soon() {  // after the first frame; within a second in a frame held back
    requestAnimationFrame(function () { setTimeout(start, 0); });
    setTimeout(start, 1000);
  }
  // Never before the page's load event: they are not what the reader waits for.
  if (document.readyState === "complete") { soon(); } else { addEventListener("load", soon); }
  // A name's box is its point plus an offset that never changes: measured once, all new
  // names in one pass, after which every test is arithmetic and the page is never laid out
  // again to read a box.
  function measure() {
    var fresh = all.filter(function (n) { return !n.off; });
    if (!fresh.length) { return true; }
    var box = map.getContainer().getBoundingClientRect();
    var rects = fresh.map(function (n) { return n.el.firstChild.getBoundingClientRect(); });
    if (!rects.some(function (r) { return r.width > 0; })) { return false; }  // not laid out
    fresh.forEach(function (n, i) {
      var p = map.layerPointToContainerPoint(point(n)), r = rects[i];
      n.off = {l: r.left - box.left - p.x, t: r.top - box.top - p.y, w: r.width, h: r.height};
    });
    return true;
  }
  function rect(n, p) {
    return {left: p.x + n.off.l, top: p.y + n.off.t, right: p.x + n.off.l + n.off.w,
            bottom: p.y + n.off.t + n.off.h};
  }
  // Larger countries and capitals first; a name that overlaps one before it hides. Names
  // added since, at the same zoom, are tested against the ones before them only.
  var zoom = null, taken = [], done = 0;
  function declutter() {
    if (zoom !== map.getZoom()) { zoom = map.getZoom(); taken = []; done = 0; }
    for (; done < names.length; done++) {
      var n = names[done], r = rect(n, point(n));
      var free = n.off.w > 0 && taken.every(function (t) {
        return r.right < t.left || r.left > t.right || r.bottom < t.top || r.top > t.bottom;
      });
      if (free) { taken.push(r); }
      n.own = !free;
    }
  }
  // Shows each name that is clear of the others and, given `free` (the page's test for a box
  // in container px), clear of the page's labels and controls.
  function show(free) {
    lastFree = free;
    if (!measure()) { return; }
    declutter();
    all.forEach(function (n) {
      var hide = n.own;
      if (!hide && free && n.off.w > 0) {
        var r = rect(n, map.layerPointToContainerPoint(point(n)));
        hide = !free({l: r.left, t: r.top, r: r.right, b: r.bottom});
      }
      if (hide !== n.hidden) {
        n.el.style.visibility = hide ? "hidden" : "visible";
        n.hidden = hide;
      }
    });
  }
  map.rmNames = {measure: measure, show: show};
  // After a zoom the names show clear of each other at once; the page's labels follow.
  map.on("zoomend", function () { show(null); });
}
"""

AEQD_CSS = """
.rm-label { pointer-events: none; }
.rm-label span {
  position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  font-size: 12px; color: #666; text-shadow: 0 0 2px #fff, 0 0 2px #fff;
}
.rm-label.rm-capital span { transform: translate(6px, -50%); color: #333; }
.rm-label.rm-capital span::before {
  content: ""; position: absolute; left: -8px; top: 50%; width: 4px; height: 4px;
  margin-top: -2px; border-radius: 50%; background: #555;
}
.rm-centre span { transform: translate(-50%, -55%); font: 16px/1 monospace; color: #555; }
.rm-scale-note {
  font-size: 12px; color: #333; background: rgba(255, 255, 255, 0.8); padding: 0 3px;
  white-space: pre-line;
}
"""


def scale_note(frame: AeqdFrame, w: MapWords) -> str:
    """Beside the scale bar: the one place on the map where the scale is exact, and where the +
    is (the nearest capital: rangemap.story.nearest_capital)."""
    from rangemap import story

    place = story.nearest_capital(frame.lat, frame.lon)
    return w("scale_note", place=w.capital(place))


def footer_note(frame: AeqdFrame, w: MapWords) -> str:
    """What the projection is and where distances are true, for the map's footer."""
    compass = w.words["compass"]
    return w(
        "projection_note",
        lat=w.number(abs(frame.lat), 2),
        ns=compass["N" if frame.lat >= 0 else "S"],
        lon=w.number(abs(frame.lon), 2),
        ew=compass["E" if frame.lon >= 0 else "W"],
        cap=w.number(frame.cap_km),
    )
