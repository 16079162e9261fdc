"""Static maps of a scene (PNG, SVG) for print and social media, in a projection that keeps
range rings round: the ellipsoidal azimuthal equidistant projection centred on the scene."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyproj
import shapely

from rangemap import __version__
from rangemap.catalog import Source, km_span, km_text
from rangemap.errors import InputError
from rangemap.geodesic import range_area, ring_vertices
from rangemap.output import atomic_path
from rangemap.render.style import (
    BOUND_FILL,
    BOUND_TEXT,
    FAINT_LABEL_COLOR,
    KIND_TEXT,
    LINE_STYLES,
    fill_opacity,
    line_opacity,
)
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLike, as_resolved

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

IMAGE_FORMATS = ("png", "svg", "pdf")
#: 3:2 at 200 dpi: 9 x 6 inches, a print column or a social-media card.
DEFAULT_WIDTH_PX, DEFAULT_HEIGHT_PX, DEFAULT_DPI = 1800, 1200, 200

Legend = Literal["right", "below"]


@dataclass(frozen=True)
class Preset:
    """A size and layout for where an image goes.

    Attributes
    ----------
    width_px, height_px, dpi
        The image's size; `dpi` sets the size in inches (print) and so the type's size in pt.
    legend
        "right" of the map (wide images) or "below" it (square and tall ones).
    min_text_px
        The smallest type on the image (the credits, the scale bar's note), in pixels of
        the image as written.
    use
        Where it goes.
    """

    width_px: int
    height_px: int
    dpi: int
    legend: Legend
    min_text_px: float
    use: str


#: Smallest type: 12 px on social images (the credits and sources line; labels and legend
#: are 14-16 px, titles 30 px), 6 pt on paper (25 px at 300 dpi), the usual floor for
#: captions and credits in print.
PRESETS: dict[str, Preset] = {
    "social-landscape": Preset(1200, 675, 150, "right", 12, "link cards and posts, 16:9"),
    "social-square": Preset(1080, 1080, 150, "below", 12, "square posts, 1:1"),
    "social-portrait": Preset(1080, 1350, 150, "below", 12, "portrait posts, 4:5"),
    "a4": Preset(2480, 3508, 300, "below", 25, "an A4 page (210 x 297 mm), portrait"),
    "a4-landscape": Preset(3508, 2480, 300, "right", 25, "an A4 page, landscape"),
    "letter": Preset(2550, 3300, 300, "below", 25, "a US letter page (8.5 x 11 in), portrait"),
    "letter-landscape": Preset(3300, 2550, 300, "right", 25, "a US letter page, landscape"),
}
#: Smallest type drawn at scale 1, in points (the scale bar's note); others are larger.
_SMALLEST_PT = 5.5

#: The countries, the graticule and the rings are clipped to a geodesic cap around the centre
#: before projecting: AEQD tears everything near the antipode of its centre (20,004 km).
MAX_CAP_KM = 19_000.0
#: Longest edge (degrees) kept straight before projecting: longer lon/lat edges (the 49th
#: parallel, cut edges) are split so they bend as the projection bends them.
_SEGMENT_DEG = 0.25
#: Map colours: sea, land, borders, graticule, and the edge of the clipped globe.
_SEA, _LAND, _BORDER, _GRID, _EDGE = "#E6EDF3", "#F4F2EE", "#A9A9A9", "#F7FAFC", "#B8C2CC"
#: Average width of a DejaVu Sans character in ems, rounded up, to wrap text before drawing.
_EM_PER_CHAR = 0.56
_EM_PER_CHAR_BOLD = 0.64
#: Points per CSS pixel: the HTML map's line widths and dashes are given in pixels.
_PT_PER_PX = 0.75
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


def fit_view(scene: ResolvedScene, aspect: float) -> MapView:
    """Centre on the sites; fit the claimed ranges (or the sites) with a margin, at `aspect`
    (width / height of the map frame); clip at a cap just beyond the frame's corners."""
    lat0, lon0 = scene_centre(scene)
    probe = MapView(lat0, lon0, 0, 0, 0, 0, MAX_CAP_KM)
    tr = probe.transformer()
    points = [
        _project_points(tr, [s.location.lon], [s.location.lat]) for s in scene.sites
    ]  # fmt: skip
    for layer in _focus(scene):
        points += ring_outline(probe, tr, layer)
    xy = np.concatenate(points)
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    pad = max(0.06 * max(xmax - xmin, ymax - ymin), 150_000.0)
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
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


def _dashes(kind: str) -> Any:
    """The HTML map's dash pattern (px) in multiples of the line width, as matplotlib wants."""
    weight, dash, _ = LINE_STYLES[kind]
    if not dash:
        return "solid"
    return (0, tuple(float(d) / weight for d in dash.split()))


def _line_kw(layer_kind: str, color: str, scale: float) -> dict[str, Any]:
    weight, dash, _ = LINE_STYLES[layer_kind]
    return {
        "color": color,
        "linewidth": weight * _PT_PER_PX * scale,
        "linestyle": _dashes(layer_kind),
        "dash_capstyle": "round" if dash else "butt",
        "alpha": line_opacity(layer_kind),
    }


def _wrap(text: str, width_in: float, size_pt: float, *, bold: bool = False) -> list[str]:
    em = _EM_PER_CHAR_BOLD if bold else _EM_PER_CHAR
    chars = max(12, int(width_in * 72 / (size_pt * em)))
    return textwrap.wrap(text, chars, break_long_words=True) or [""]


def _nice_km(target_km: float) -> int:
    fits = [k for k in _NICE_KM if k <= target_km]
    return fits[-1] if fits else _NICE_KM[0]


def _draw_basemap(
    ax: Axes, view: MapView, tr: pyproj.Transformer, scale: float, metres_per_px: float
) -> None:
    from matplotlib.patches import PathPatch

    from rangemap import layers

    cap = view.cap
    lons, lats = ring_vertices(view.lat, view.lon, view.cap_km, vertices=1440)
    globe = shapely.Polygon(_project_points(tr, lons, lats))
    ax.add_patch(PathPatch(_path(globe), facecolor=_SEA, edgecolor=_EDGE, lw=0.5, zorder=0))
    for lat in range(-80, 81, 10):  # parallels, then meridians, every 10 degrees
        g_lons = np.arange(-180.0, 180.0, _SEGMENT_DEG)
        for xy in project_lines(view, tr, g_lons, np.full(g_lons.size, float(lat)), closed=True):
            ax.plot(xy[:, 0], xy[:, 1], color=_GRID, lw=0.6 * scale, zorder=1)
    for lon in range(-180, 180, 10):
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
) -> None:
    from matplotlib.patches import PathPatch

    cap = view.cap
    shown = [layer for layer in scene.drawn if layer.show]
    rings = np.array([layer.ring.geometry for layer in shown], dtype=object)
    fills = project_areas(view, tr, rings, cap, close_m=metres_per_px)
    for layer, fill in zip(shown, fills, strict=True):
        alpha = fill_opacity(layer)
        path = None if fill.is_empty or alpha <= 0 else _path(fill)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor=layer.color, alpha=alpha, lw=0, zorder=3))
    for layer in shown:
        style = _line_kw(layer.line_kind, layer.color, scale)
        for xy in ring_outline(view, tr, layer):
            ax.plot(xy[:, 0], xy[:, 1], zorder=4, **style)


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


def _place_label(label: Any, room: _Room, pad_pt: float) -> tuple[float, float, float]:
    """Move `label` (an Annotation) to the place where its drawn text costs least in `room`:
    the first free place in order of preference, else the least covered. Returns (dx, dy,
    cost) of the chosen place."""
    best = (pad_pt, pad_pt, math.inf)
    for reach in _LABEL_REACH:
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
    bar's text), inside the frame; one moved far from its dot gets a leader line."""
    centre = _project_points(tr, [view.lon], [view.lat])[0]
    ax.plot(*centre, marker="+", color="#555555", ms=7 * scale, mew=0.8 * scale, zorder=5)
    xy = _project_points(
        tr, [s.location.lon for s in scene.sites], [s.location.lat for s in scene.sites]
    )
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
    for (x, y), site in zip(xy, scene.sites, strict=True):
        label = ax.annotate(
            site.label, (x, y), xytext=(pad, pad), textcoords="offset points",
            ha="left", va="bottom", fontsize=size, fontweight="bold", color="#222222",
            zorder=8, bbox=_label_box(scale), annotation_clip=True,
        )  # fmt: skip
        dx, dy, _ = _place_label(label, room, pad)
        if math.hypot(dx, dy) > 2 * pad * math.sqrt(2):
            ax.annotate(
                "", (x, y), xytext=(dx, dy), textcoords="offset points", zorder=6,
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6 * scale,
                            "shrinkA": 0, "shrinkB": 3 * scale},
            )  # fmt: skip
        room.take(label)


def _draw_callouts(
    ax: Axes, scene: ResolvedScene, tr: pyproj.Transformer, scale: float, room: _Room
) -> None:
    """The places the story turns on, as on the HTML map: the geodesic from the site (or an
    area's nearest point) to the place, dotted, and the place named with its distance
    ("Berlin 464 km"), placed like a site's label where `room` is left."""
    from rangemap.render.labels import scene_callouts

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
            line.text, (x, y), xytext=(pad, pad), textcoords="offset points", ha="left",
            va="bottom", fontsize=7.0 * scale, fontweight="bold", color="#111111",
            zorder=8, bbox=_label_box(scale), annotation_clip=True, gid="rm-callout",
        )  # fmt: skip
        _place_label(label, room, pad)
        room.take(label)


def _draw_ring_labels(
    ax: Axes, scene: ResolvedScene, tr: pyproj.Transformer, scale: float, room: _Room
) -> None:
    """Each shown range named on its outline, as on the HTML map ("9M729 ≤480 km · Russia",
    thresholds lighter): centred on the first of its anchor points (rangemap.render.labels,
    points of the engine's outline) where the text overlaps no site, no label and nothing else
    taken in `room` and stays inside the map; else its short form ("≤480 km"); else it is left to
    the legend. Smaller ranges first: they have the least room."""
    from rangemap.render.labels import page_labels

    for entry in page_labels([layer for layer in scene.drawn if layer.show]):
        anchors = np.asarray(entry["anchors"])
        points = _project_points(tr, anchors[:, 1], anchors[:, 0])
        faint = entry["kind"] in ("threshold", "band")
        label = ax.text(
            0.0, 0.0, entry["text"], ha="center", va="center", fontsize=6.3 * scale,
            fontweight="normal" if faint else "bold", color=FAINT_LABEL_COLOR if faint else
            entry["color"], zorder=8, bbox=_label_box(scale), clip_on=True,
            gid=f"rm-range-{entry['ids'][0]}",
        )  # fmt: skip
        for text in (entry["text"], entry["short"]):
            label.set_text(text)
            for x, y in points:
                label.set_position((x, y))
                if room.cost(room.box(label)) <= 0:
                    room.take(label)
                    break
            else:
                continue
            break
        else:
            label.remove()


def _draw_scale_bar(ax: Axes, view: MapView, scale: float) -> list[Any]:
    """The scale bar in the lower left; returns its texts, for the site labels to avoid."""
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
    return [
        ax.text(x0, y0 + 1.6 * tick, "0", ha="center", va="bottom", **text),
        ax.text(x1, y0 + 1.6 * tick, km_span(km), ha="center", va="bottom", **text),
        ax.text(
            x0, y0 - 1.2 * tick, "true along lines through +", ha="left", va="top",
            fontsize=5.5 * scale, color="#555555", zorder=9, bbox=_label_box(scale),
        ),
    ]  # fmt: skip


# --- legend and texts ----------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: its text, and a sample drawn in a kind's line style (or none), with
    the fill opacity of the map, or the site marker."""

    text: str
    kind: str | None = None
    color: str = "#444444"
    fill: float = 0.0
    marker: bool = False


def legend_entries(scene: ResolvedScene) -> list[LegendEntry]:
    """What the legend lists: each drawn claim once (with the sites it is drawn from), the
    treaty thresholds, the site marker, claims without a figure, and the line-style key."""
    several_sites = len(scene.sites) > 1
    claims: dict[tuple[str, str, str, bool, float], list[str]] = {}
    thresholds: dict[str, list[float]] = {}
    listed: list[str] = []
    for site in scene.sites:
        for layer in site.layers:
            if not isinstance(layer, DrawnLayer):
                listed.append(layer.label)
            elif not layer.show:
                if layer.status and layer.status.startswith("retired"):
                    listed.append(f"{layer.label} (retired; off by default)")
                continue
            elif layer.kind == "threshold":
                treaty = layer.claimed_by.split(" (")[0]
                thresholds.setdefault(treaty, []).append(layer.ring.km)
            else:
                key = (
                    layer.label,
                    layer.line_kind,
                    layer.color,
                    layer.uncertain,
                    fill_opacity(layer),
                )
                claims.setdefault(key, [])
                where = site.location.anywhere if site.location.area is not None else site.label
                if where not in claims[key]:
                    claims[key].append(where)
    entries = []
    for (label, kind, color, uncertain, fill), sites in claims.items():
        text = label + (" [uncertain]" if uncertain else "")
        if several_sites:
            text += f"; from {', '.join(sites)}"
        entries.append(LegendEntry(text, kind, color, fill))
    for treaty, kms in thresholds.items():
        spans = ", ".join(km_text(km) for km in sorted(set(kms)))
        entries.append(LegendEntry(f"{treaty} thresholds: {spans} km", "threshold", "#555555"))
    areas = any(site.location.area is not None for site in scene.sites)
    # with launch areas, a dot may also be a reference point or where an area's name is drawn
    dot = (
        "Point: a site ranges are measured from, a reference point or a launch area's name"
        if areas
        else "Site: the point the ranges are measured from"
    )
    entries.append(LegendEntry(dot, color="#000000", marker=True))
    if areas:
        entries.append(LegendEntry("Launch area: ranges from anywhere in it (outline)"))
    entries += [LegendEntry(f"Not drawn: {label}") for label in dict.fromkeys(listed)]
    kinds = [k for k in ("stated", "disputed", "estimate") if any(k == e.kind for e in entries)]
    entries += [LegendEntry(KIND_TEXT[k], k, "#444444") for k in kinds]
    bounds = {layer.bound for layer in scene.drawn if layer.show}
    entries += [
        LegendEntry(BOUND_TEXT[b], "stated", "#444444", BOUND_FILL[b])
        for b in BOUND_FILL
        if b in bounds
    ]
    return entries


_SAMPLE_IN, _SAMPLE_GAP_IN, _COLUMN_GAP_IN = 0.32, 0.08, 0.3


def _legend_text(entries: Sequence[LegendEntry], column_in: float, fs: float) -> list[list[str]]:
    return [_wrap(e.text, column_in - _SAMPLE_IN - _SAMPLE_GAP_IN, fs) for e in entries]


def _columns(heights: Sequence[float], ncols: int) -> list[list[int]]:
    """Entry indices in order, in up to `ncols` columns of about equal height."""
    target = sum(heights) / ncols
    columns: list[list[int]] = [[]]
    done = 0.0
    for i, h in enumerate(heights):
        if columns[-1] and len(columns) < ncols and done + h / 2 > target * len(columns):
            columns.append([])
        columns[-1].append(i)
        done += h
    return columns


def _legend_size(
    entries: Sequence[LegendEntry], width_in: float, fs: float, ncols: int
) -> tuple[float, list[list[str]], list[list[int]]]:
    """Height (inches) of the legend at type size `fs`, its wrapped lines and its columns."""
    column_in = (width_in - (ncols - 1) * _COLUMN_GAP_IN) / ncols
    wrapped = _legend_text(entries, column_in, fs)
    line_in = fs * 1.3 / 72
    heights = [len(w) * line_in + 0.6 * line_in for w in wrapped]
    columns = _columns(heights, ncols)
    tallest = max(sum(heights[i] for i in column) for column in columns)
    return 1.8 * line_in + tallest, wrapped, columns


def _draw_legend(
    ax: Axes,
    entries: Sequence[LegendEntry],
    width_in: float,
    size: float,
    *,
    ncols: int = 1,
    min_size: float = 0.0,
) -> None:
    """Entries top to bottom (column by column): a 0.3 in sample, then the wrapped text;
    shrinks to fit the panel, never below `min_size` (pt)."""
    from matplotlib.patches import Rectangle

    height_in = ax.get_position().height * ax.figure.get_size_inches()[1]
    for shrink in (1.0, 0.9, 0.8, 0.7, 0.6):  # the largest type that fits the panel
        fs = max(size * shrink, min_size)
        total, wrapped, columns = _legend_size(entries, width_in, fs, ncols)
        if total <= height_in * (1 + 1e-6) or fs == min_size:
            break
    line_in = fs * 1.3 / 72
    column_in = (width_in - (ncols - 1) * _COLUMN_GAP_IN) / ncols
    ax.set_xlim(0, width_in)
    ax.set_ylim(-height_in, 0)
    ax.axis("off")
    ax.text(0, 0, "Legend", fontsize=fs * 1.1, fontweight="bold", va="top", color="#222222")
    for c, column in enumerate(columns):
        x0 = c * (column_in + _COLUMN_GAP_IN)
        y = -1.8 * line_in
        for i in column:
            entry, lines = entries[i], wrapped[i]
            mid = y - line_in / 2
            if entry.fill > 0:
                ax.add_patch(
                    Rectangle(
                        (x0, mid - line_in * 0.35), _SAMPLE_IN, line_in * 0.7,
                        facecolor=entry.color, alpha=entry.fill, lw=0,
                    )
                )  # fmt: skip
            if entry.kind is not None:
                style = _line_kw(entry.kind, entry.color, size / 7.0)
                ax.plot([x0 + 0.02, x0 + _SAMPLE_IN - 0.02], [mid, mid], **style)
            if entry.marker:
                ax.plot(
                    x0 + _SAMPLE_IN / 2, mid, marker="o", ms=fs * 0.75, mfc=entry.color,
                    mec="white", linestyle="none",
                )  # fmt: skip
            x = x0 + (_SAMPLE_IN + _SAMPLE_GAP_IN if entry.kind or entry.marker else 0)
            ax.text(x, y, "\n".join(lines), fontsize=fs, va="top", color="#222222", linespacing=1.3)
            y -= len(lines) * line_in + 0.6 * line_in


def _source_text(scene: ResolvedScene) -> str:
    """Every source behind the map, once, as "Publisher (date)"; then where positions come from."""
    claims: list[Source] = [*scene.sources]
    for layer in scene.layers:
        claims += layer.sources
    cited = dict.fromkeys(f"{s.publisher} ({s.date})" if s.date else s.publisher for s in claims)
    positions = dict.fromkeys(
        s.publisher for site in scene.sites if site.entry for s in site.entry.sources
    )
    text = "Sources: " + "; ".join(cited) + "."
    if positions:
        text += " Site positions: " + "; ".join(positions) + "."
    return text


def _credits(view: MapView) -> str:
    ns = f"{abs(view.lat):.2f}°{'N' if view.lat >= 0 else 'S'}"
    ew = f"{abs(view.lon):.2f}°{'E' if view.lon >= 0 else 'W'}"
    return (
        "Azimuthal equidistant projection on the WGS84 ellipsoid centred on + "
        f"({ns}, {ew}): distances from + are true; ranges are exact geodesic distances from "
        f"each site. Borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0). "
        f"Map: rangemap {__version__}."
    )


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
    legend: Legend | None = None,
    min_text_px: float = 0.0,
) -> Figure:
    """Draw a scene as a static map: title, subtitle, map, legend, scale bar, sources.

    `preset` names a size and layout from PRESETS ("social-square", "a4" ...) instead of
    `width_px`, `height_px` and `dpi` (default 1800 x 1200 px at 200 dpi). The legend goes
    `legend` of the map: "right", or "below" (the default for square and tall images). No
    type is smaller than `min_text_px` pixels. Site labels are placed where they overlap
    neither each other nor the sites, then each range's name on its outline where it
    overlaps nothing.

    Returns a matplotlib Figure (it displays inline in Jupyter); write it with save_image
    for byte-identical files. Rings are drawn from their true geodesic boundaries; bands,
    which the HTML map shows on demand, are left out.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if preset is not None:
        if preset not in PRESETS:
            raise InputError(
                f"unknown preset {preset!r}; choose one of {', '.join(sorted(PRESETS))}."
            )
        if (width_px, height_px, dpi) != (None, None, None):
            raise InputError("give a preset or width_px, height_px and dpi, not both.")
        chosen = PRESETS[preset]
        width_px, height_px, dpi = chosen.width_px, chosen.height_px, chosen.dpi
        legend = legend or chosen.legend
        min_text_px = max(min_text_px, chosen.min_text_px)
    width_px = DEFAULT_WIDTH_PX if width_px is None else width_px
    height_px = DEFAULT_HEIGHT_PX if height_px is None else height_px
    dpi = DEFAULT_DPI if dpi is None else dpi
    for name, value in (("width_px", width_px), ("height_px", height_px), ("dpi", dpi)):
        if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 20_000:
            raise InputError(f"{name} must be a whole number from 50 to 20,000, got {value!r}")
    if legend not in (None, "right", "below"):
        raise InputError(f"legend must be 'right' or 'below', got {legend!r}")
    resolved = as_resolved(scene)
    title = title or resolved.title
    subtitle = subtitle if subtitle is not None else resolved.subtitle
    caption = caption if caption is not None else resolved.caption
    width_in, height_in = width_px / dpi, height_px / dpi
    legend = legend or ("right" if width_in >= 1.2 * height_in else "below")
    # Type and lines are sized for 9 x 6 inches and scale with the image's size in inches,
    # but never below min_text_px.
    scale = min(width_in / 9.0, height_in / 6.0)
    scale = max(scale, min_text_px * 72.0 / (_SMALLEST_PT * dpi))
    margin = 0.14 * scale

    with _style():
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)  # text extents are measured to place the site labels
        text_w = width_in - 2 * margin
        y = height_in - margin  # inches from the bottom, moving down
        heads = [(title, 13.5 * scale, "bold", "#111111")]
        if subtitle:
            heads.append((subtitle, 7.8 * scale, "normal", "#333333"))
        for text, size, weight, color in heads:
            lines = _wrap(text, text_w, size, bold=weight == "bold")
            fig.text(
                margin / width_in, y / height_in, "\n".join(lines), fontsize=size,
                fontweight=weight, color=color, va="top", linespacing=1.25,
            )  # fmt: skip
            y -= len(lines) * size * 1.25 / 72 + 0.06 * scale
        foot_size = 5.6 * scale
        foot = []
        if caption:
            foot += _wrap(caption, text_w, foot_size)
        body_top = y - 0.04 * scale
        # The view depends on the frame's shape, and the footer on the view's centre: the
        # credits line wraps the same for any centre, so count its lines first.
        probe = _credits(MapView(-88.88, -188.88, 0, 0, 0, 0, 0))
        foot_lines = len(foot) + len(_wrap(_source_text(resolved), text_w, foot_size))
        foot_lines += len(_wrap(probe, text_w, foot_size))
        foot_h = foot_lines * foot_size * 1.3 / 72
        body_bottom = margin + foot_h + 0.08 * scale
        body_h = body_top - body_bottom
        entries = legend_entries(resolved)
        legend_size = 6.6 * scale
        min_size = min_text_px * 72.0 / dpi
        if legend == "right":
            # A legend too long for one column beside the map gets two in a wider panel,
            # else goes below the map: it never shrinks below the smallest type.
            for share, ncols in ((0.36, 1), (0.5, 2)):
                map_w = text_w * (1 - share)
                legend_w = text_w - map_w - 0.22 * scale
                size = max(legend_size * 0.6, min_size)
                if _legend_size(entries, legend_w, size, ncols)[0] <= body_h:
                    break
            else:
                legend = "below"
        if legend == "right":
            map_h, map_bottom = body_h, body_bottom
            legend_box = (width_in - margin - legend_w, body_bottom, legend_w, body_h)
        else:
            ncols = 2 if text_w >= 5.5 * scale else 1
            legend_h = _legend_size(entries, text_w, legend_size, ncols)[0]
            map_w, map_h = text_w, body_h - legend_h - 0.16 * scale
            map_bottom = body_bottom + legend_h + 0.16 * scale
            legend_box = (margin, body_bottom, text_w, legend_h)
        if map_h < 1.0 * scale or map_w < 1.0 * scale:
            raise InputError(
                f"{width_px} x {height_px} px at {dpi} dpi leaves no room for the map beside "
                "its texts, legend and sources; use a taller or larger image (--preset "
                "social-portrait, a4), a lower dpi or fewer layers."
            )
        ax = fig.add_axes(
            (margin / width_in, map_bottom / height_in, map_w / width_in, map_h / height_in)
        )
        view = fit_view(resolved, map_w / map_h)
        tr = view.transformer()
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
        _draw_layers(ax, resolved, view, tr, scale, metres_per_px)
        obstacles = _draw_scale_bar(ax, view, scale)
        room = _Room(ax, obstacles)
        _draw_sites(ax, resolved, view, tr, scale, room)
        _draw_callouts(ax, resolved, tr, scale, room)
        _draw_ring_labels(ax, resolved, tr, scale, room)

        legend_ax = fig.add_axes(
            (
                legend_box[0] / width_in,
                legend_box[1] / height_in,
                legend_box[2] / width_in,
                legend_box[3] / height_in,
            )
        )
        _draw_legend(
            legend_ax,
            entries,
            legend_box[2],
            legend_size,
            ncols=ncols,
            min_size=min_size,
        )

        foot += _wrap(_source_text(resolved), text_w, foot_size)
        foot += _wrap(_credits(view), text_w, foot_size)
        fig.text(
            margin / width_in, margin / height_in, "\n".join(foot), fontsize=foot_size,
            color="#444444", va="bottom", linespacing=1.3,
        )  # fmt: skip
    return fig


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


def save_image_with_alt(
    figure: Figure, scene: SceneLike, path: str | Path, *, lang: str | None = None
) -> Path:
    """Save a static map and its alt text (alt_path, rangemap.summary.text_alternative in
    `lang`, by default the scene's) together: the text's temporary file is renamed only
    after the image is complete, so neither is left without the other."""
    from rangemap.output import check_writable
    from rangemap.summary import text_alternative

    text = text_alternative(scene, lang=lang)
    check_writable(alt_path(path))
    with atomic_path(alt_path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        save_image(figure, path)
    return Path(path)
