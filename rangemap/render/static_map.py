"""Static maps of a scene (PNG, SVG) for print and social media, in a projection that keeps
range rings round: the ellipsoidal azimuthal equidistant projection centred on the scene."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely

from rangemap import __version__
from rangemap.catalog import km_span
from rangemap.errors import InputError
from rangemap.geodesic import range_area, ring_vertices
from rangemap.output import atomic_path
from rangemap.render.map_words import MapWords, words_of
from rangemap.render.static_text import (
    KEY_LINES,
    credits_line,
    draw_key,
    fits_line,
    key_entries,
    line_style,
    one_line,
    sidecar_text,
    sources_line,
    wrap,
)
from rangemap.render.style import fill_opacity
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLike, as_resolved

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

IMAGE_FORMATS = ("png", "svg", "pdf")
#: 3:2 at 200 dpi: 9 x 6 inches, a print column or a social-media card.
DEFAULT_WIDTH_PX, DEFAULT_HEIGHT_PX, DEFAULT_DPI = 1800, 1200, 200


@dataclass(frozen=True)
class Preset:
    """A size and layout for where an image goes.

    Attributes
    ----------
    width_px, height_px, dpi
        The image's size; `dpi` sets the size in inches (print) and so the type's size in pt.
    min_text_px
        The smallest type on the image (the credits, the scale bar's note), in pixels of
        the image as written.
    use
        Where it goes.
    """

    width_px: int
    height_px: int
    dpi: int
    min_text_px: float
    use: str


#: Smallest type: 12 px on social images (the credits and sources line; labels and legend
#: are 14-16 px, titles 30 px), 6 pt on paper (25 px at 300 dpi), the usual floor for
#: captions and credits in print.
PRESETS: dict[str, Preset] = {
    "social-landscape": Preset(1200, 675, 150, 12, "link cards and posts, 16:9"),
    "social-square": Preset(1080, 1080, 150, 12, "square posts, 1:1"),
    "social-portrait": Preset(1080, 1350, 150, 12, "portrait posts, 4:5"),
    "a4": Preset(2480, 3508, 300, 25, "an A4 page (210 x 297 mm), portrait"),
    "a4-landscape": Preset(3508, 2480, 300, 25, "an A4 page, landscape"),
    "letter": Preset(2550, 3300, 300, 25, "a US letter page (8.5 x 11 in), portrait"),
    "letter-landscape": Preset(3300, 2550, 300, 25, "a US letter page, landscape"),
}
#: Smallest type drawn at scale 1, in points (the scale bar's note); others are larger.
_SMALLEST_PT = 5.5
#: An image whose smallest type would be smaller than this (pixels) is refused: unreadable.
_MIN_READABLE_PX = 6

#: The countries, the graticule and the rings are clipped to a geodesic cap around the centre
#: before projecting: AEQD tears everything near the antipode of its centre (20,004 km).
MAX_CAP_KM = 19_000.0
#: Longest edge (degrees) kept straight before projecting: longer lon/lat edges (the 49th
#: parallel, cut edges) are split so they bend as the projection bends them.
_SEGMENT_DEG = 0.25
#: Map colours: sea, land, borders, graticule, and the edge of the clipped globe.
_SEA, _LAND, _BORDER, _GRID, _EDGE = "#E6EDF3", "#F4F2EE", "#A9A9A9", "#F7FAFC", "#B8C2CC"
#: Scale-bar lengths to choose from, km.
_NICE_KM = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)

_RC = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs everywhere
    "svg.hashsalt": "rangemap",  # fixed clip-path ids: the same scene gives the same SVG
    "svg.fonttype": "none",  # text stays text in SVG: searchable, editable, escaped
    "text.parse_math": False,  # "$5 and $6" is text: no TeX from a scene's or a reader's text
    "lines.scale_dashes": True,
}


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield


# --- the projection ------------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    """An ellipsoidal azimuthal equidistant view: centre (degrees), extent and clip cap.

    Distances from the centre are true at every point of the map (PROJ solves the geodesic
    inverse problem for each point), so each site's rings stay round near the centre and
    the scale bar is exact along any line through it.
    """

    lat: float
    lon: float
    xmin: float
    xmax: float
    ymin: float
    ymax: float
    cap_km: float

    @cached_property
    def cap(self) -> shapely.Geometry:
        """The part of the globe the map shows (within cap_km of the centre), built once."""
        return range_area(self.lat, self.lon, self.cap_km)

    @property
    def proj(self) -> str:
        return f"+proj=aeqd +lat_0={self.lat:.6f} +lon_0={self.lon:.6f} +ellps=WGS84 +units=m"

    def transformer(self) -> pyproj.Transformer:
        return pyproj.Transformer.from_crs("EPSG:4326", self.proj, always_xy=True)


def scene_centre(scene: ResolvedScene) -> tuple[float, float]:
    """(lat, lon) of the mean of the sites' unit vectors: a centroid that ignores +-180."""
    lat = np.radians([s.location.lat for s in scene.sites])
    lon = np.radians([s.location.lon for s in scene.sites])
    x = float((np.cos(lat) * np.cos(lon)).mean())
    y = float((np.cos(lat) * np.sin(lon)).mean())
    z = float(np.sin(lat).mean())
    if math.hypot(x, y, z) < 1e-9:  # antipodal sites: no mean direction, take the first
        return scene.sites[0].location.lat, scene.sites[0].location.lon
    lat0 = math.degrees(math.atan2(z, math.hypot(x, y)))
    lon0 = math.degrees(math.atan2(y, x))
    return round(lat0, 6) + 0.0, round(lon0, 6) + 0.0


def _project_points(tr: pyproj.Transformer, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    x, y = tr.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.column_stack([x, y])


def _runs(inside: np.ndarray, closed: bool) -> list[np.ndarray]:
    """Index runs of consecutive True values; on a closed ring a run may wrap round."""
    n = len(inside)
    if inside.all():
        return [np.append(np.arange(n), 0) if closed else np.arange(n)]
    if not inside.any():
        return []
    start = int(np.flatnonzero(~inside)[0]) if closed else 0  # a wrapping run is then whole
    order = np.roll(np.arange(n), -start)
    steps = np.diff(np.concatenate([[0], inside[order].astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)
    return [order[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True) if b - a >= 2]


def project_lines(
    view: MapView, tr: pyproj.Transformer, lons: np.ndarray, lats: np.ndarray, *, closed: bool
) -> list[np.ndarray]:
    """Project a lon/lat polyline, keeping the parts within the view's cap.

    Lines are projected vertex by vertex, never through a lon/lat polygon, so they never
    show the artificial edges at +-180 or along a pole, and never jump across the antipode.
    """
    xy = _project_points(tr, lons, lats)
    # The ellipsoidal aeqd's distance from the origin is the geodesic distance (PROJ solves
    # the inverse problem; equal to GEOD.inv within 1e-8 m): no second geodesic solve.
    inside = np.hypot(xy[:, 0], xy[:, 1]) <= view.cap_km * 1000.0
    return [xy[run] for run in _runs(inside, closed)]


def ring_outline(view: MapView, tr: pyproj.Transformer, layer: DrawnLayer) -> list[np.ndarray]:
    """The true boundary of a drawn layer (both circles of a band), projected."""
    ring = layer.ring
    if ring.site.area is not None:
        return _area_lines(view, tr, ring.geometry)
    lines = []
    for lons, lats in ring.boundaries:
        lines += project_lines(view, tr, lons, lats, closed=True)
    return lines


def _area_lines(view: MapView, tr: pyproj.Transformer, geometry: shapely.Geometry) -> list:
    from rangemap.geodesic import outline_lines

    return [
        piece
        for line in outline_lines(geometry)
        for piece in project_lines(view, tr, line[:, 0], line[:, 1], closed=False)
    ]


def project_areas(
    view: MapView,
    tr: pyproj.Transformer,
    geometries: np.ndarray,
    cap: shapely.Geometry,
    *,
    close_m: float,
) -> np.ndarray:
    """Project lon/lat (Multi)Polygons clipped to the cap, without seams.

    A polygon cut at +-180 (Russia, Fiji, a ring across the 180th meridian) or closed along
    a pole (Antarctica, a ring holding a pole) comes back together in the projection, but
    its two sides of the cut were densified differently and leave a sliver, which a border
    or an antialiased fill would show. Such polygons are unioned and closed by `close_m`
    metres (about a pixel: nothing narrower than two pixels is lost) after projecting.
    """
    clipped = shapely.segmentize(shapely.intersection(geometries, cap), _SEGMENT_DEG)

    def project(xy: np.ndarray) -> np.ndarray:
        return _project_points(tr, xy[:, 0], xy[:, 1])

    projected = shapely.transform(clipped, project)
    bounds = shapely.bounds(clipped)
    seam = (np.abs(bounds[:, [0, 2]]).max(axis=1) >= 179.999) | (
        np.abs(bounds[:, [1, 3]]).max(axis=1) >= 89.999
    )
    for i in np.flatnonzero(seam & ~shapely.is_empty(projected)):
        whole = shapely.union_all(shapely.get_parts(projected[i]))
        grown = shapely.buffer(whole, close_m, join_style="mitre")
        projected[i] = shapely.make_valid(shapely.buffer(grown, -close_m, join_style="mitre"))
    return projected


def _focus(scene: ResolvedScene) -> list[DrawnLayer]:
    """Layers the view is fitted to: the shown claims, not the treaty rings (as in HTML)."""
    shown = [layer for layer in scene.drawn if layer.show]
    claims = [layer for layer in shown if layer.kind not in ("threshold", "band")]
    return claims or shown


def lead_layers(scene: ResolvedScene) -> list[DrawnLayer]:
    """The layers the story opens on (rangemap.story.lead), among those shown."""
    from rangemap import story

    ids = set(story.lead(scene).layers)
    return [layer for layer in scene.drawn if layer.id in ids and layer.show]


def _frame(
    lat0: float, lon0: float, xy: np.ndarray, aspect: float, pad: float, min_pad_m: float
) -> MapView:
    """The view centred on (lat0, lon0) that holds the projected points `xy` with a margin,
    at `aspect` (width / height); clipped at a cap just beyond the frame's corners."""
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    margin = max(pad * max(xmax - xmin, ymax - ymin), min_pad_m)
    xmin, xmax, ymin, ymax = xmin - margin, xmax + margin, ymin - margin, ymax + margin
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (width / aspect - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    limit = MAX_CAP_KM * 1000.0 * 1.05
    xmin, ymin = max(xmin, -limit), max(ymin, -limit)
    xmax, ymax = min(xmax, limit), min(ymax, limit)
    corner_km = max(math.hypot(x, y) for x in (xmin, xmax) for y in (ymin, ymax)) / 1000.0
    cap_km = min(corner_km * 1.05 + 300.0, MAX_CAP_KM)
    return MapView(lat0, lon0, float(xmin), float(xmax), float(ymin), float(ymax), cap_km)


def _site_points(tr: pyproj.Transformer, scene: ResolvedScene) -> np.ndarray:
    return _project_points(
        tr, [s.location.lon for s in scene.sites], [s.location.lat for s in scene.sites]
    )


def fit_view(
    scene: ResolvedScene, aspect: float, centre: tuple[float, float] | None = None
) -> MapView:
    """The whole scene: centred on the sites (or `centre`), fitting every shown claim (or
    the sites) with a margin, at `aspect` (width / height of the map frame)."""
    lat0, lon0 = centre or scene_centre(scene)
    probe = MapView(lat0, lon0, 0, 0, 0, 0, MAX_CAP_KM)
    tr = probe.transformer()
    points = [_site_points(tr, scene)]
    for layer in _focus(scene):
        points += ring_outline(probe, tr, layer)
    return _frame(lat0, lon0, np.concatenate(points), aspect, 0.06, 150_000.0)


def _frame_points(tr: pyproj.Transformer, frame: Any) -> np.ndarray:
    lat = np.array([p[0] for p in frame.points], dtype=float)
    lon = np.array([p[1] for p in frame.points], dtype=float)
    return _project_points(tr, lon, lat)


def lead_view(scene: ResolvedScene, aspect: float, frame: Any = None) -> MapView:
    """The view a story's step opens on (rangemap.story.Frame, default: the lead's): its
    ranges and places with a narrow margin, centred on them, so the projection is true to
    1 % or so across a frame of a few thousand km."""
    from rangemap import story

    frame = frame if frame is not None else story.lead(scene).frame
    lat0, lon0 = scene_centre(scene)
    tr = MapView(lat0, lon0, 0, 0, 0, 0, MAX_CAP_KM).transformer()
    xy = _frame_points(tr, frame)
    mid = (xy.min(axis=0) + xy.max(axis=0)) / 2
    lon, lat = tr.transform(mid[0], mid[1], direction="INVERSE")
    lat0, lon0 = round(float(lat), 4) + 0.0, round(float(lon), 4) + 0.0
    tr = MapView(lat0, lon0, 0, 0, 0, 0, MAX_CAP_KM).transformer()
    return _frame(lat0, lon0, _frame_points(tr, frame), aspect, 0.04, 40_000.0)


def scale_error(view: MapView) -> float:
    """Largest scale error of the view's frame, across lines through the centre: at distance
    d on a sphere the azimuthal equidistant map stretches them by (d/R) / sin(d/R)."""
    d = max(math.hypot(x, y) for x in (view.xmin, view.xmax) for y in (view.ymin, view.ymax))
    c = min(d / 6_371_008.8, math.pi - 1e-6)
    return c / math.sin(c) - 1.0 if c > 0 else 0.0


# --- drawing -------------------------------------------------------------------------------


def _path(geometry: shapely.Geometry) -> Any:
    """A matplotlib Path of (Multi)Polygons with their holes. matplotlib fills by the nonzero
    rule, so exteriors run counter-clockwise and holes clockwise."""
    from matplotlib.path import Path as MplPath

    vertices, codes = [], []
    for polygon in shapely.get_parts(shapely.orient_polygons(geometry)):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            vertices.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _nice_km(target_km: float) -> int:
    fits = [k for k in _NICE_KM if k <= target_km]
    return fits[-1] if fits else _NICE_KM[0]


def _draw_basemap(
    ax: Axes,
    view: MapView,
    tr: pyproj.Transformer,
    scale: float,
    metres_per_px: float,
    *,
    grid: bool = True,
) -> None:
    from matplotlib.patches import PathPatch

    from rangemap import layers

    cap = view.cap
    lons, lats = ring_vertices(view.lat, view.lon, view.cap_km, vertices=1440)
    globe = shapely.Polygon(_project_points(tr, lons, lats))
    ax.add_patch(PathPatch(_path(globe), facecolor=_SEA, edgecolor=_EDGE, lw=0.5, zorder=0))
    for lat in range(-80, 81, 10) if grid else ():  # parallels, then meridians, every 10°
        g_lons = np.arange(-180.0, 180.0, _SEGMENT_DEG)
        for xy in project_lines(view, tr, g_lons, np.full(g_lons.size, float(lat)), closed=True):
            ax.plot(xy[:, 0], xy[:, 1], color=_GRID, lw=0.6 * scale, zorder=1)
    for lon in range(-180, 180, 10) if grid else ():
        g_lats = np.arange(-80.0, 80.0 + _SEGMENT_DEG, _SEGMENT_DEG)
        for xy in project_lines(view, tr, np.full(g_lats.size, float(lon)), g_lats, closed=False):
            ax.plot(xy[:, 0], xy[:, 1], color=_GRID, lw=0.6 * scale, zorder=1)
    countries = layers.countries()
    box = shapely.box(view.xmin, view.ymin, view.xmax, view.ymax)
    for geometry in project_areas(view, tr, countries.display, cap, close_m=metres_per_px):
        if geometry.is_empty or not geometry.intersects(box):
            continue
        # Half a pixel: outlines are drawn, never measured (areas come from coverage).
        path = _path(shapely.simplify(geometry, metres_per_px / 2, preserve_topology=True))
        if path is not None:
            ax.add_patch(
                PathPatch(path, facecolor=_LAND, edgecolor=_BORDER, lw=0.35 * scale, zorder=2)
            )


def _draw_layers(
    ax: Axes,
    scene: ResolvedScene,
    view: MapView,
    tr: pyproj.Transformer,
    scale: float,
    metres_per_px: float,
) -> set[str]:
    """Each shown range's outline; its fill only where the whole range lies in the frame (a
    range the frame lies inside would tint the whole map and say nothing by its fill).
    Returns the bounds ("at-least", "up-to") whose fills it drew, for the key."""
    from matplotlib.patches import PathPatch

    cap = view.cap
    shown = [layer for layer in scene.drawn if layer.show]
    outlines = [ring_outline(view, tr, layer) for layer in shown]
    filled = [
        (layer, lines) for layer, lines in zip(shown, outlines, strict=True)
        if lines and all(_inside(view, xy).all() for xy in lines)
    ]  # fmt: skip
    rings = np.array([layer.ring.geometry for layer, _ in filled], dtype=object)
    fills = _unstacked(
        project_areas(view, tr, rings, cap, close_m=metres_per_px),
        [fill_opacity(layer) for layer, _ in filled],
    )
    bounds: set[str] = set()
    for (layer, _), fill in zip(filled, fills, strict=True):
        alpha = fill_opacity(layer)
        path = None if fill.is_empty or alpha <= 0 else _path(fill)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor=layer.color, alpha=alpha, lw=0, zorder=3))
            if layer.bound is not None and layer.kind not in ("threshold", "custom", "band"):
                bounds.add(layer.bound)
    for layer, lines in zip(shown, outlines, strict=True):
        style = line_style(layer.line_kind, layer.color, scale)
        for xy in lines:
            ax.plot(xy[:, 0], xy[:, 1], zorder=4, **style)
    return bounds


def _unstacked(fills: np.ndarray, alphas: list[float]) -> list[shapely.Geometry]:
    """Each fill less the parts a stronger one (higher alpha; the earlier of equals) already
    covers: where rings overlap, nested or from two sites, the map shows the strongest fill
    there, never two stacked into murk."""
    out: list[shapely.Geometry] = list(fills)
    covered = shapely.Polygon()
    for i in sorted(range(len(out)), key=lambda i: -alphas[i]):
        if out[i].is_empty or alphas[i] <= 0:
            continue
        out[i], covered = (
            shapely.difference(out[i], covered),
            shapely.union(covered, out[i]),
        )
    return out


def _label_box(scale: float) -> dict[str, Any]:
    """A light box behind labels on the map. Not a stroked halo: path effects turn SVG text
    into outlines, and labels should stay text (searchable, editable)."""
    return {
        "boxstyle": f"square,pad={0.12 * scale:.3f}",
        "fc": "white",
        "ec": "none",
        "alpha": 0.75,
    }


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Overlap area of two (x0, y0, x1, y1) boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


#: Where a site's label may go, in order of preference: (dx, dy) in units of the label's
#: offset from its dot; the right, upper right and left first, as maps usually label.
_LABEL_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1.4), (0, -1.4))
#: How far out a label may move when every nearer place overlaps something (a leader line
#: then joins it to its dot).
_LABEL_REACH = (1.0, 2.5, 4.5, 7.0)


def _box(bbox: Any) -> tuple[float, float, float, float]:
    return (bbox.x0, bbox.y0, bbox.x1, bbox.y1)


class _Room:
    """Where text may still go on the map: the map's frame and the pixel boxes already taken
    (dots, labels, the scale bar), measured from the text as drawn. Sites are named first,
    then callouts, then the ranges: each later label goes where the earlier ones left room."""

    def __init__(self, ax: Axes, obstacles: Sequence[Any] = ()) -> None:
        self.renderer = ax.figure.canvas.get_renderer()
        self.frame = _box(ax.get_window_extent(self.renderer))
        self.taken = [self.box(artist) for artist in obstacles]

    def box(self, artist: Any) -> tuple[float, float, float, float]:
        return _box(artist.get_window_extent(self.renderer))

    def cost(self, box: tuple[float, ...]) -> float:
        """Pixels of `box` over taken boxes or outside the frame (0: it fits)."""
        area = (box[2] - box[0]) * (box[3] - box[1])
        return sum(_overlap(box, other) for other in self.taken) + area - _overlap(box, self.frame)

    def take(self, artist: Any) -> None:
        self.taken.append(self.box(artist))


def _place_label(
    label: Any, room: _Room, pad_pt: float, reaches: Sequence[float] = _LABEL_REACH
) -> tuple[float, float, float]:
    """Move `label` (an Annotation) to the place where its drawn text costs least in `room`:
    the first free place in order of preference, else the least covered. Returns (dx, dy,
    cost) of the chosen place."""
    best = (pad_pt, pad_pt, math.inf)
    for reach in reaches:
        for ux, uy in _LABEL_DIRECTIONS:
            dx, dy = ux * pad_pt * reach, uy * pad_pt * reach
            label.xyann = (dx, dy)
            label.set_ha("left" if ux > 0 else "right" if ux < 0 else "center")
            label.set_va("bottom" if uy > 0 else "top" if uy < 0 else "center")
            cost = room.cost(room.box(label))
            if cost < best[2] - 1e-9:
                best = (dx, dy, cost)
            if cost <= 0:
                return best
    dx, dy, _ = best
    label.xyann = (dx, dy)
    label.set_ha("left" if dx > 0 else "right" if dx < 0 else "center")
    label.set_va("bottom" if dy > 0 else "top" if dy < 0 else "center")
    return best


def _inside(view: MapView, xy: np.ndarray) -> np.ndarray:
    """Which projected points lie inside the view's frame."""
    return (
        (xy[:, 0] >= view.xmin) & (xy[:, 0] <= view.xmax)
        & (xy[:, 1] >= view.ymin) & (xy[:, 1] <= view.ymax)
    )  # fmt: skip


def _draw_sites(
    ax: Axes,
    scene: ResolvedScene,
    view: MapView,
    tr: pyproj.Transformer,
    scale: float,
    room: _Room,
) -> None:
    """Site dots and labels. Each label is measured as drawn (its text's extent) and put
    where it overlaps no other label, no site dot and nothing taken in `room` (the scale
    bar's text, the inset), inside the frame; one moved far from its dot gets a leader line.
    Sites outside the frame are left to the inset. The "+" (the projection's centre) is
    drawn only where the scale bar needs it: on a frame where scale errors exceed 2 %."""
    if scale_error(view) > 0.02:
        centre = _project_points(tr, [view.lon], [view.lat])[0]
        (plus,) = ax.plot(*centre, marker="+", color="#555555", ms=7 * scale, mew=0.8 * scale,
                          zorder=5)  # fmt: skip
        room.take(plus)
    xy = _site_points(tr, scene)
    for site in scene.sites:
        if site.location.area is not None:  # launchers anywhere in it: draw the area
            for line in _area_lines(view, tr, site.location.area.geometry):
                ax.plot(
                    line[:, 0], line[:, 1], color=scene.colors["site"], lw=1.6 * scale, zorder=6
                )
    size = 7.5 * scale
    ax.plot(
        xy[:, 0], xy[:, 1], marker="o", ms=5.5 * scale, mfc=scene.colors["site"], mec="white",
        mew=1.0 * scale, zorder=7, linestyle="none",
    )  # fmt: skip
    px = ax.figure.dpi / 72.0
    dot = 3.5 * scale * px
    points_px = ax.transData.transform(xy)
    room.taken += [(x - dot, y - dot, x + dot, y + dot) for x, y in points_px]
    pad = 5.0 * scale
    shown = _inside(view, xy)
    w = words_of(scene)
    for (x, y), site, inside in zip(xy, scene.sites, shown, strict=True):
        if not inside:
            continue
        label = ax.annotate(
            w.label(site.label, site.location), (x, y), xytext=(pad, pad),
            textcoords="offset points", ha="left", va="bottom", fontsize=size,
            fontweight="bold", color="#222222", zorder=8, bbox=_label_box(scale),
            annotation_clip=True, gid="rm-site",
        )  # fmt: skip
        dx, dy, _ = _place_label(label, room, pad)
        if math.hypot(dx, dy) > 2 * pad * math.sqrt(2):
            ax.annotate(
                "", (x, y), xytext=(dx, dy), textcoords="offset points", zorder=6,
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6 * scale,
                            "shrinkA": 0, "shrinkB": 3 * scale},
            )  # fmt: skip
        room.take(label)


#: Places named for their size alone (rank "population"), at most this many per map.
_MAX_POPULOUS = 4
#: Places named on a map at most (besides sites and callouts): a map of a 5,500 km range
#: holds some sixty capitals, and naming all of them names none.
_MAX_PLACES = 14


def story_places(scene: ResolvedScene, view: MapView, tr: pyproj.Transformer) -> list[Any]:
    """The places the map names, most newsworthy first (rangemap.story.ranked_places),
    inside the frame; those a callout names already are left to the callout, and only the
    few largest of those named for their size alone."""
    from rangemap import story
    from rangemap.render.labels import scene_callouts

    called = {line.place.name for line in scene_callouts(scene)}
    places = [p for p in story.ranked_places(scene) if p.name not in called]
    if not places:
        return []
    xy = _project_points(tr, [p.lon for p in places], [p.lat for p in places])
    inside = [p for p, keep in zip(places, _inside(view, xy), strict=True) if keep]
    rings = [layer.ring.geometry for layer in scene.drawn if layer.show]
    populous = [
        p for p in inside
        if p.why == "population" and any(shapely.contains_xy(g, p.lon, p.lat) for g in rings)
    ][:_MAX_POPULOUS]  # fmt: skip
    return ([p for p in inside if p.why != "population"] + populous)[:_MAX_PLACES]


def _draw_places(
    ax: Axes,
    scene: ResolvedScene,
    view: MapView,
    tr: pyproj.Transformer,
    scale: float,
    room: _Room,
) -> None:
    """Capitals as dots with names, where the name fits beside its dot without touching any
    other text, dot or the inset (never with a leader line); one that does not fit is left
    out, dot and all."""
    px = ax.figure.dpi / 72.0
    dot = 2.2 * scale * px
    pad = 3.0 * scale
    w = words_of(scene)
    for place in story_places(scene, view, tr):
        ((x, y),) = _project_points(tr, [place.lon], [place.lat])
        (cx, cy) = ax.transData.transform((x, y))
        box = (cx - dot, cy - dot, cx + dot, cy + dot)
        if room.cost(box) > 0:
            continue
        label = ax.annotate(
            w.place(place.name, place.lat, place.lon), (x, y), xytext=(pad, pad),
            textcoords="offset points", ha="left", va="bottom", fontsize=6.8 * scale,
            color="#222222", zorder=8,
            bbox=_label_box(scale), annotation_clip=True, gid="rm-place",
        )  # fmt: skip
        room.taken.append(box)
        if _place_label(label, room, pad, reaches=(1.0,))[2] > 0:
            label.remove()
            room.taken.pop()
            continue
        ax.plot(x, y, marker="o", ms=3.6 * scale, mfc="#333333", mec="white",
                mew=0.7 * scale, zorder=7, linestyle="none")  # fmt: skip
        room.take(label)


def _draw_callouts(
    ax: Axes, scene: ResolvedScene, tr: pyproj.Transformer, scale: float, room: _Room
) -> None:
    """The places the story turns on, as on the HTML map: the geodesic from the site (or an
    area's nearest point) to the place, dotted, and the place named with its distance
    ("Berlin 464 km", in the scene's language), placed like a site's label where `room` is
    left."""
    from rangemap.render.labels import scene_callouts

    w = words_of(scene)
    pad = 4.0 * scale
    for line in scene_callouts(scene):
        for piece in line.line:
            latlon = np.asarray(piece)
            xy = _project_points(tr, latlon[:, 1], latlon[:, 0])
            ax.plot(xy[:, 0], xy[:, 1], color="#111111", lw=1.0 * scale,
                    linestyle=(0, (1, 2)), zorder=6)  # fmt: skip
        ((x, y),) = _project_points(tr, [line.place.lon], [line.place.lat])
        ax.plot(x, y, marker="o", ms=3.5 * scale, mfc="#111111", mec="white",
                mew=0.8 * scale, zorder=7, linestyle="none")  # fmt: skip
        label = ax.annotate(
            w.callout(line), (x, y), xytext=(pad, pad), textcoords="offset points",
            ha="left",
            va="bottom", fontsize=7.0 * scale, fontweight="bold", color="#111111",
            zorder=8, bbox=_label_box(scale), annotation_clip=True, gid="rm-callout",
        )  # fmt: skip
        _place_label(label, room, pad)
        room.take(label)


#: Country names: grey, lighter than any label the story makes (5.7:1 on white).
_COUNTRY_TEXT = "#666666"


def _draw_country_names(
    ax: Axes, view: MapView, tr: pyproj.Transformer, scale: float, room: _Room, size: float,
    w: MapWords,
) -> None:
    """Country names, as a basemap gives them, after everything the story names: at a
    point inside each country's largest part, larger countries first, where the name
    overlaps no other text, dot or the inset; micro-states and territories are left out
    (rangemap.story.minor_countries)."""
    from rangemap.render.labels import basemap_labels
    from rangemap.story import minor_countries

    minor = minor_countries()
    rows = [row for row in basemap_labels()["countries"] if row[0] not in minor]
    if not rows:
        return
    xy = _project_points(tr, [r[2] for r in rows], [r[1] for r in rows])
    inside = np.hypot(xy[:, 0], xy[:, 1]) <= view.cap_km * 1000.0
    for row, (x, y), keep in zip(rows, xy, inside & _inside(view, xy), strict=True):
        if not keep:
            continue
        label = ax.text(x, y, w.country(row[0]), ha="center", va="center", fontsize=size,
                        color=_COUNTRY_TEXT, zorder=5, clip_on=True,
                        gid="rm-country")  # fmt: skip
        if room.cost(room.box(label)) > 0:
            label.remove()
        else:
            room.take(label)


def _draw_ring_labels(
    ax: Axes, scene: ResolvedScene, tr: pyproj.Transformer, scale: float, room: _Room
) -> set[str]:
    """Each shown range named on its outline, as on the HTML map ("9M729 ≤480 km · Russia",
    thresholds lighter): centred on the first of its anchor points (rangemap.render.labels,
    points of the engine's outline) where the text overlaps no site, no label and nothing else
    taken in `room` and stays inside the map; else its short form ("≤480 km"); else it is left to
    the key under the map or the inset. Smaller ranges first: they have the least room.
    Returns the ids of the layers named."""
    from rangemap.render.labels import page_labels

    named: set[str] = set()
    for entry in page_labels([layer for layer in scene.drawn if layer.show], words_of(scene)):
        anchors = np.asarray(entry["anchors"])
        points = _project_points(tr, anchors[:, 1], anchors[:, 0])
        faint = entry["kind"] in ("threshold", "band")
        label = ax.text(
            0.0, 0.0, entry["text"], ha="center", va="center", fontsize=6.3 * scale,
            fontweight="normal" if faint else "bold", color=entry["color"], zorder=8,
            bbox=_label_box(scale), clip_on=True, gid=f"rm-range-{entry['ids'][0]}",
        )  # fmt: skip
        for text in (entry["text"], entry["short"]):
            label.set_text(text)
            for x, y in points:
                label.set_position((x, y))
                if room.cost(room.box(label)) <= 0:
                    room.take(label)
                    named.update(entry["ids"])
                    break
            else:
                continue
            break
        else:
            label.remove()
    return named


#: The inset's side as a share of the map frame's shorter side.
_INSET_SHARE = 0.34


def _beyond(view: MapView, tr: pyproj.Transformer, scene: ResolvedScene) -> list[DrawnLayer]:
    """Shown layers some of whose outline lies outside the frame."""
    whole = MapView(view.lat, view.lon, 0, 0, 0, 0, MAX_CAP_KM)
    out = []
    for layer in scene.drawn:
        if layer.show and any(
            not _inside(view, xy).all() for xy in ring_outline(whole, tr, layer)
        ):
            out.append(layer)
    return out


def _inset_place(
    ax: Axes, view: MapView, tr: pyproj.Transformer, scene: ResolvedScene, room: _Room,
    side_px: float,
) -> tuple[float, float, float, float]:
    """The corner of the frame (pixels) the inset hides least in: not over the lead range,
    the sites in the frame, the callouts' places or the scale bar."""
    from rangemap.render.labels import scene_callouts

    x0, y0, x1, y1 = room.frame
    gap = 0.012 * min(x1 - x0, y1 - y0)
    corners = [
        (x1 - gap - side_px, y1 - gap - side_px),  # top right, then top left, bottom right
        (x0 + gap, y1 - gap - side_px),
        (x1 - gap - side_px, y0 + gap),
        (x0 + gap, y0 + gap),
    ]
    keep = [_site_points(tr, scene)]
    keep += [_project_points(tr, [c.place.lon], [c.place.lat]) for c in scene_callouts(scene)]
    points = ax.transData.transform(np.concatenate(keep))
    lead = np.concatenate(
        [line for layer in lead_layers(scene) for line in ring_outline(view, tr, layer)]
        or [np.zeros((0, 2))]
    )
    lead_px = ax.transData.transform(lead) if len(lead) else lead

    def cost(corner: tuple[float, float]) -> float:
        box = (*corner, corner[0] + side_px, corner[1] + side_px)
        hidden = (
            (points[:, 0] >= box[0]) & (points[:, 0] <= box[2])
            & (points[:, 1] >= box[1]) & (points[:, 1] <= box[3])
        ).sum()  # fmt: skip
        crossed = 0.0
        if len(lead_px):
            inside = (
                (lead_px[:, 0] >= box[0]) & (lead_px[:, 0] <= box[2])
                & (lead_px[:, 1] >= box[1]) & (lead_px[:, 1] <= box[3])
            )  # fmt: skip
            crossed = inside.mean()
        return 1e9 * hidden + 1e6 * crossed + room.cost(box)

    x, y = min(corners, key=cost)
    return (x, y, x + side_px, y + side_px)


def _reserve_inset(
    ax: Axes, scene: ResolvedScene, view: MapView, tr: pyproj.Transformer, room: _Room
) -> tuple[float, float, float, float] | None:
    """Where the inset goes (pixels), taken in `room` so no label of the map goes under it;
    None when every shown range and every site lies in the frame."""
    if not _beyond(view, tr, scene) and _inside(view, _site_points(tr, scene)).all():
        return None
    x0, y0, x1, y1 = room.frame
    box = _inset_place(ax, view, tr, scene, room, _INSET_SHARE * min(x1 - x0, y1 - y0))
    room.taken.append(box)
    return box


def _draw_inset(
    ax: Axes,
    scene: ResolvedScene,
    view: MapView,
    tr: pyproj.Transformer,
    scale: float,
    box: tuple[float, float, float, float],
    text_pt: float,
) -> None:
    """A locator in a corner of the map (`box`, pixels) where ranges or sites reach beyond
    the frame: the same projection zoomed out to every shown range, the frame marked on it,
    the ranges drawn, those reaching beyond the frame marked with their figure where it fits
    ("≤5,500 km"; the key says whose claim each is), the sites as dots."""
    from matplotlib.patches import Rectangle

    from rangemap.render.labels import page_labels
    from rangemap.story import text_color

    beyond = _beyond(view, tr, scene)
    sites = _site_points(tr, scene)
    side = box[2] - box[0]
    fig = ax.figure
    fw, fh = fig.get_size_inches() * fig.dpi
    inset = fig.add_axes(
        (box[0] / fw, box[1] / fh, side / fw, side / fh), gid="rm-inset"
    )
    inset.set_zorder(ax.get_zorder() + 1)
    corners = np.array([(view.xmin, view.ymin), (view.xmax, view.ymax)])
    probe = MapView(view.lat, view.lon, 0, 0, 0, 0, MAX_CAP_KM)
    points = [sites, corners]
    for layer in _focus(scene):
        points += ring_outline(probe, tr, layer)
    over = _frame(view.lat, view.lon, np.concatenate(points), 1.0, 0.04, 100_000.0)
    inset.set_xlim(over.xmin, over.xmax)
    inset.set_ylim(over.ymin, over.ymax)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_linewidth(0.8 * scale)
        spine.set_color("#555555")
    metres_per_px = (over.xmax - over.xmin) / side
    _draw_basemap(inset, over, tr, scale * 0.5, metres_per_px, grid=False)
    for layer in scene.drawn:
        if layer.show:
            style = line_style(layer.line_kind, layer.color, scale * 0.45)
            for xy in ring_outline(over, tr, layer):
                inset.plot(xy[:, 0], xy[:, 1], zorder=4, **style)
    inset.add_patch(Rectangle(
        (view.xmin, view.ymin), view.xmax - view.xmin, view.ymax - view.ymin, fill=False,
        ec="#111111", lw=1.0 * scale, zorder=9,
    ))  # fmt: skip
    inset.plot(sites[:, 0], sites[:, 1], marker="o", ms=3.0 * scale, mfc=scene.colors["site"],
               mec="white", mew=0.5 * scale, zorder=7, linestyle="none")  # fmt: skip
    inset_room = _Room(inset)
    frame_px = inset.transData.transform(corners)
    inset_room.taken.append((*frame_px[0], *frame_px[1]))
    by_id = {layer.id: layer for layer in scene.drawn}
    ids = {layer.id for layer in beyond if layer.kind not in ("threshold", "band")}
    spans: set[str] = set()  # the same figure from two sites: one label
    w = words_of(scene)
    for entry in page_labels([layer for layer in scene.drawn if layer.show], w):
        span = w.short_span(by_id[entry["ids"][0]])
        if not ids & set(entry["ids"]) or span in spans:
            continue
        anchors = np.asarray(entry["anchors"])
        xy = _project_points(tr, anchors[:, 1], anchors[:, 0])
        label = inset.text(
            0.0, 0.0, span, ha="center", va="center", fontsize=text_pt,
            fontweight="bold", color=text_color(entry["color"]), zorder=8,
            bbox=_label_box(scale * 0.6), clip_on=True,
            gid=f"rm-inset-range-{entry['ids'][0]}",
        )  # fmt: skip
        for x, y in xy:
            label.set_position((x, y))
            if inset_room.cost(inset_room.box(label)) <= 0:
                inset_room.take(label)
                spans.add(span)
                break
        else:
            label.remove()


def _draw_scale_bar(ax: Axes, view: MapView, scale: float, w: MapWords) -> list[Any]:
    """The scale bar in the lower left, its note in the words of `w`; returns its texts,
    for the site labels to avoid."""
    from matplotlib import patheffects

    width_km = (view.xmax - view.xmin) / 1000.0
    km = _nice_km(width_km / 5)
    x0 = view.xmin + 0.04 * (view.xmax - view.xmin)
    y0 = view.ymin + 0.05 * (view.ymax - view.ymin)
    x1 = x0 + km * 1000.0
    halo = [patheffects.withStroke(linewidth=2.2 * scale, foreground="white")]
    kw = {"color": "#333333", "zorder": 9, "solid_capstyle": "butt", "path_effects": halo}
    ax.plot([x0, x1], [y0, y0], lw=1.6 * scale, **kw)
    tick = 0.012 * (view.ymax - view.ymin)
    for x in (x0, (x0 + x1) / 2, x1):
        ax.plot([x, x], [y0, y0 + tick], lw=0.8 * scale, **kw)
    text = {"fontsize": 6.5 * scale, "color": "#333333", "zorder": 9, "bbox": _label_box(scale)}
    error = scale_error(view)
    note = (
        w("static_scale_true")
        if error > 0.02
        else w("static_scale_within", pct=f"{w.number(max(math.ceil(error * 100), 1))} %")
    )
    return [
        ax.text(x0, y0 + 1.6 * tick, "0", ha="center", va="bottom", **text),
        ax.text(x1, y0 + 1.6 * tick, km_span(km) if w.code == "en" else w.distance(km),
                ha="center", va="bottom", **text),
        ax.text(
            x0, y0 - 1.2 * tick, note, ha="left", va="top",
            fontsize=5.5 * scale, color="#555555", zorder=9, bbox=_label_box(scale),
        ),
    ]  # fmt: skip


def _with_shown(scene: ResolvedScene, ids: set[str]) -> ResolvedScene:
    """The scene with exactly the layers `ids` shown (a step of its story)."""
    from dataclasses import replace

    sites = tuple(
        replace(site, layers=tuple(
            replace(layer, show=layer.id in ids) if isinstance(layer, DrawnLayer) else layer
            for layer in site.layers
        ))
        for site in scene.sites
    )  # fmt: skip
    return replace(scene, sites=sites)


def step_count(scene: SceneLike) -> int:
    """How many steps the scene's story has (rangemap.story.steps)."""
    from rangemap import story

    return len(story.steps(as_resolved(scene)))


def step_path(image: str | Path, index: int) -> Path:
    """Where step `index` (0-based) of a carousel goes: map.png -> map-step1.png."""
    image = Path(image)
    return image.with_name(f"{image.stem}-step{index + 1}{image.suffix}")


# --- the figure ----------------------------------------------------------------------------

def render_image(
    scene: SceneLike = None,
    *,
    width_px: int | None = None,
    height_px: int | None = None,
    dpi: int | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
    preset: str | None = None,
    min_text_px: float = 0.0,
    sidecar: str | None = None,
    step: int | None = None,
) -> Figure:
    """Draw a scene as a static map that tells its story: title, a one-line subtitle, the
    map framed on the lead (lead_view: the first site's shortest range and the places its
    callouts name) with an inset for what reaches beyond, names on the map (sites, callouts,
    the capitals that matter, each range on its outline), then at most four lines under it:
    the key, one line of sources and one of credits.

    `preset` names a size from PRESETS ("social-square", "a4" ...) instead of `width_px`,
    `height_px` and `dpi` (default 1800 x 1200 px at 200 dpi). No type is smaller than
    `min_text_px` pixels. The caption, the full legend and every source go to the sidecar
    (sidecar_text, written by save_image_with_alt), which the sources line names as
    `sidecar` (default: "the sources file beside this image", in the scene's language);
    `caption` is accepted for the sidecar and not drawn.

    The map is a step of the story (rangemap.story.steps): by default the first, which
    frames the lead; `step` (0-based) draws another, framed and shown as the step says,
    with "N/M · the step's text" as the subtitle. The inset draws every range shown in
    the step or at first.

    Returns a matplotlib Figure (it displays inline in Jupyter); write it with save_image
    for byte-identical files. Rings are drawn from their true geodesic boundaries; bands,
    which the HTML map shows on demand, are left out.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    del caption  # the sidecar's: see save_image_with_alt
    if preset is not None:
        if preset not in PRESETS:
            raise InputError(
                f"unknown preset {preset!r}; choose one of {', '.join(sorted(PRESETS))}."
            )
        if (width_px, height_px, dpi) != (None, None, None):
            raise InputError("give a preset or width_px, height_px and dpi, not both.")
        chosen = PRESETS[preset]
        width_px, height_px, dpi = chosen.width_px, chosen.height_px, chosen.dpi
        min_text_px = max(min_text_px, chosen.min_text_px)
    width_px = DEFAULT_WIDTH_PX if width_px is None else width_px
    height_px = DEFAULT_HEIGHT_PX if height_px is None else height_px
    dpi = DEFAULT_DPI if dpi is None else dpi
    for name, value in (("width_px", width_px), ("height_px", height_px), ("dpi", dpi)):
        if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 20_000:
            raise InputError(f"{name} must be a whole number from 50 to 20,000, got {value!r}")
    resolved = as_resolved(scene)
    from rangemap import story

    steps = story.steps(resolved)
    if step is not None and not 0 <= step < len(steps):
        raise InputError(f"step must be from 0 to {len(steps) - 1} (0-based), got {step!r}")
    chosen = steps[step or 0]
    shown = _with_shown(resolved, set(chosen.show))
    overview = _with_shown(
        resolved, set(chosen.show) | {layer.id for layer in resolved.drawn if layer.show}
    )
    w = words_of(resolved)
    sidecar = w("static_sidecar") if sidecar is None else sidecar
    title = title or resolved.title
    if step is not None:
        subtitle = f"{step + 1}/{len(steps)} · {w.step_text(chosen.text)}"
    subtitle = subtitle if subtitle is not None else resolved.subtitle
    width_in, height_in = width_px / dpi, height_px / dpi
    # Type and lines are sized for 9 x 6 inches and scale with the image's size in inches,
    # but never below min_text_px.
    scale = min(width_in / 9.0, height_in / 6.0)
    scale = max(scale, min_text_px * 72.0 / (_SMALLEST_PT * dpi))
    margin = 0.12 * scale
    min_size = max(min_text_px * 72.0 / dpi, _SMALLEST_PT * scale)

    with _style():
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)  # text extents are measured to place the labels
        text_w = width_in - 2 * margin
        y = height_in - margin  # inches from the bottom, moving down
        size = 13.5 * scale
        lines = wrap(title, text_w, size, bold=True)
        if len(lines) > 1:  # a title a little too long for one line: a little smaller
            fitted, size = one_line(fig, title, text_w, size, size * 0.75, bold=True)
            lines = [fitted] if fitted == " ".join(title.split()) else lines
            size = size if len(lines) == 1 else 13.5 * scale
        fig.text(margin / width_in, y / height_in, "\n".join(lines), fontsize=size,
                 fontweight="bold", color="#111111", va="top", linespacing=1.2)  # fmt: skip
        y -= len(lines) * size * 1.2 / 72 + 0.05 * scale
        if subtitle:
            line, size = one_line(fig, subtitle, text_w, 7.8 * scale,
                                   max(6.6 * scale, min_size))  # fmt: skip
            fig.text(margin / width_in, y / height_in, line, fontsize=size, color="#333333",
                     va="top")  # fmt: skip
            y -= size * 1.25 / 72 + 0.04 * scale
        map_top = y - 0.02 * scale
        foot_size = max(5.6 * scale, min_size)
        line_in = foot_size * 1.3 / 72
        foot_h = (KEY_LINES + 2) * line_in
        map_bottom = margin + foot_h + 0.05 * scale
        map_w, map_h = text_w, map_top - map_bottom
        if map_h < 1.0 * scale or map_w < 1.0 * scale or min_size * dpi / 72 < _MIN_READABLE_PX:
            raise InputError(
                f"{width_px} x {height_px} px at {dpi} dpi leaves no room for the map and "
                f"type of at least {_MIN_READABLE_PX} px beside its title and key; use a "
                "larger image (--preset social-portrait, a4) or a higher dpi."
            )
        ax = fig.add_axes(
            (margin / width_in, map_bottom / height_in, map_w / width_in, map_h / height_in)
        )
        ax.patch.set_gid("rm-map-frame")
        ax.set_gid("rm-map")
        view = lead_view(resolved, map_w / map_h, chosen.frame)
        tr = view.transformer()
        ax.set_label(view.proj)  # what figure_view reads back
        ax.set_xlim(view.xmin, view.xmax)
        ax.set_ylim(view.ymin, view.ymax)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("white")
        for spine in ax.spines.values():
            spine.set_linewidth(0.5)
            spine.set_color("#999999")
        metres_per_px = (view.xmax - view.xmin) / (map_w * dpi)
        _draw_basemap(ax, view, tr, scale, metres_per_px)
        fills = _draw_layers(ax, shown, view, tr, scale, metres_per_px)
        room = _Room(ax, _draw_scale_bar(ax, view, scale, w))
        inset = _reserve_inset(ax, overview, view, tr, room)
        _draw_sites(ax, shown, view, tr, scale, room)
        _draw_callouts(ax, shown, tr, scale, room)
        _draw_places(ax, shown, view, tr, scale, room)
        named = _draw_ring_labels(ax, shown, tr, scale, room)
        _draw_country_names(ax, view, tr, scale, room, max(6.0 * scale, min_size), w)
        if inset is not None:
            text_pt = max(5.8 * scale, min_size)
            _draw_inset(ax, overview, view, tr, scale, inset, text_pt)
        visible = {layer.id for layer in shown.drawn if layer.show}
        visible |= {layer.id for layer in _beyond(view, tr, overview)}
        unnamed = [
            layer for layer in overview.drawn
            if layer.id in visible and layer.id not in named
            and layer.kind not in ("threshold", "band")
        ]  # fmt: skip

        key_ax = fig.add_axes((margin / width_in, (margin + 2 * line_in) / height_in,
                               text_w / width_in, KEY_LINES * line_in / height_in),
                              gid="rm-key")  # fmt: skip
        entries = key_entries(overview, unnamed, fills, w)
        draw_key(key_ax, entries, text_w, foot_size, scale, KEY_LINES)
        fits = fits_line(fig, text_w, foot_size)
        foot = [sources_line(resolved, fits, sidecar, w), credits_line(view, fits, w)]
        fig.text(
            margin / width_in, margin / height_in, "\n".join(foot), fontsize=foot_size,
            color="#444444", va="bottom", linespacing=1.3,
        )  # fmt: skip
    return fig


def figure_view(figure: Figure) -> MapView:
    """The view a figure from render_image was drawn in (its centre and frame, in metres)."""
    ax = figure.axes[0]
    found = dict(re.findall(r"\+(lat_0|lon_0)=(-?[\d.]+)", ax.get_label()))
    (xmin, xmax), (ymin, ymax) = ax.get_xlim(), ax.get_ylim()
    return MapView(float(found["lat_0"]), float(found["lon_0"]), xmin, xmax, ymin, ymax, 0.0)


def image_format(path: Path, fmt: str | None = None) -> str:
    """png or svg, from `fmt` or the file suffix; InputError for anything else."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in IMAGE_FORMATS:
        raise InputError(
            f"cannot write a static map as {chosen or 'a file without suffix'!r}; "
            f"use one of {', '.join('.' + f for f in IMAGE_FORMATS)}."
        )
    return chosen


def save_image(figure: Figure, path: str | Path, *, fmt: str | None = None) -> Path:
    """Write a figure from render_image as PNG, SVG or PDF, atomically and byte-for-byte stable
    (no dates or software versions in the file, fixed SVG ids)."""
    path = Path(path)
    chosen = image_format(path, fmt)
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": f"rangemap {__version__}"},
        "pdf": {"CreationDate": None, "Creator": f"rangemap {__version__}"},
    }[chosen]
    with _style(), atomic_path(path) as tmp:
        figure.savefig(tmp, format=chosen, dpi=figure.dpi, metadata=metadata)
    return path


def alt_path(image: str | Path) -> Path:
    """Where an image's alt text goes: map.png -> map.alt.txt."""
    return Path(image).with_suffix(".alt.txt")


def sources_path(image: str | Path) -> Path:
    """Where an image's full sources go: map.png -> map.sources.txt."""
    return Path(image).with_suffix(".sources.txt")


def save_image_with_alt(
    figure: Figure,
    scene: SceneLike,
    path: str | Path,
    *,
    lang: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
) -> Path:
    """Save a static map with its alt text (alt_path, rangemap.summary.text_alternative in
    `lang`, by default the scene's) and its sources (sources_path, sidecar_text with the texts
    given) together: the texts' temporary files are renamed only after the image is complete,
    so none is left without the others."""
    from rangemap.output import check_writable
    from rangemap.summary import text_alternative

    alt = text_alternative(scene, lang=lang)
    sources = sidecar_text(scene, title=title, subtitle=subtitle, caption=caption)
    check_writable(alt_path(path))
    check_writable(sources_path(path))
    with atomic_path(alt_path(path)) as alt_tmp, atomic_path(sources_path(path)) as src_tmp:
        alt_tmp.write_text(alt, encoding="utf-8", newline="\n")
        src_tmp.write_text(sources, encoding="utf-8", newline="\n")
        save_image(figure, path)
    return Path(path)
