"""The words around a static map and the key's samples: a text fitted to one line as drawn,
the key in short entries, one line of sources and one of credits, the full legend, and the
sidecar file (map.sources.txt) that holds everything the image has no room for."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rangemap import __version__
from rangemap.catalog import Source, km_text
from rangemap.render.style import (
    BOUND_FILL,
    LINE_STYLES,
    fill_opacity,
    line_opacity,
)
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLike, as_resolved

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from rangemap.render.map_words import MapWords
    from rangemap.render.static_map import MapView

#: Average width of a DejaVu Sans character in ems, rounded up, to wrap text before drawing.
_EM_PER_CHAR = 0.56
_EM_PER_CHAR_BOLD = 0.64
#: Points per CSS pixel: the HTML map's line widths and dashes are given in pixels.
_PT_PER_PX = 0.75


def _dashes(kind: str) -> Any:
    """The HTML map's dash pattern (px) in multiples of the line width, as matplotlib wants."""
    weight, dash, _ = LINE_STYLES[kind]
    if not dash:
        return "solid"
    return (0, tuple(float(d) / weight for d in dash.split()))


def line_style(layer_kind: str, color: str, scale: float) -> dict[str, Any]:
    """matplotlib's line keywords for a kind of layer, as the HTML map draws it."""
    weight, dash, _ = LINE_STYLES[layer_kind]
    return {
        "color": color,
        "linewidth": weight * _PT_PER_PX * scale,
        "linestyle": _dashes(layer_kind),
        "dash_capstyle": "round" if dash else "butt",
        "alpha": line_opacity(layer_kind),
    }


def wrap(text: str, width_in: float, size_pt: float, *, bold: bool = False) -> list[str]:
    em = _EM_PER_CHAR_BOLD if bold else _EM_PER_CHAR
    chars = max(12, int(width_in * 72 / (size_pt * em)))
    return textwrap.wrap(text, chars, break_long_words=True) or [""]


# --- the key ----------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: its text, and a sample drawn in a kind's line style (or none), with
    the fill opacity of the map, or the site marker."""

    text: str
    kind: str | None = None
    color: str = "#444444"
    fill: float = 0.0
    marker: bool = False


def legend_entries(scene: ResolvedScene, w: MapWords | None = None) -> list[LegendEntry]:
    """What the legend lists: each drawn claim once (with the sites it is drawn from), the
    treaty thresholds, the site marker, claims without a figure, and the line-style key, in
    the words of `w` (default: the scene's language)."""
    from rangemap.render.map_words import words_of

    w = w or words_of(scene)
    several_sites = len(scene.sites) > 1
    claims: dict[tuple[str, str, str, bool, float], list[str]] = {}
    thresholds: dict[str, list[float]] = {}
    listed: list[str] = []
    for site in scene.sites:
        for layer in site.layers:
            if not isinstance(layer, DrawnLayer):
                listed.append(w.layer_label(layer))
            elif not layer.show:
                if layer.status and layer.status.startswith("retired"):
                    label = w.layer_label(layer).removesuffix(w("retired"))  # said once
                    listed.append(w("static_retired", label=label))
                continue
            elif layer.kind == "threshold":
                treaty = layer.claimed_by.split(" (")[0]
                thresholds.setdefault(treaty, []).append(layer.ring.km)
            else:
                key = (
                    w.layer_label(layer),
                    layer.line_kind,
                    layer.color,
                    layer.uncertain,
                    fill_opacity(layer),
                )
                claims.setdefault(key, [])
                where = (
                    site.location.anywhere  # as the command line names it
                    if site.location.area is not None and w.code == "en"
                    else w.label(site.label, site.location)
                )
                if where not in claims[key]:
                    claims[key].append(where)
    entries = []
    for (label, kind, color, uncertain, fill), sites in claims.items():
        text = label + (w("static_uncertain", word=w("uncertain")) if uncertain else "")
        if several_sites:
            text += w("static_from_sites", sites=", ".join(sites))
        entries.append(LegendEntry(text, kind, color, fill))
    for treaty, kms in thresholds.items():
        figures = sorted(set(kms))
        spans = (
            ", ".join(km_text(km) for km in figures) + " km"
            if w.code == "en"
            else ", ".join(w.distance(km) for km in figures)
        )
        text = w("static_thresholds", treaty=w.treaty(treaty), spans=spans)
        entries.append(LegendEntry(text, "threshold", "#555555"))
    areas = any(site.location.area is not None for site in scene.sites)
    # with launch areas, a dot may also be a reference point or where an area's name is drawn
    dot = w("static_point_area") if areas else w("static_point")
    entries.append(LegendEntry(dot, color="#000000", marker=True))
    if areas:
        entries.append(LegendEntry(w("static_area")))
    entries += [LegendEntry(w("static_not_drawn", label=label)) for label in dict.fromkeys(listed)]
    kinds = [k for k in ("stated", "disputed", "estimate") if any(k == e.kind for e in entries)]
    entries += [LegendEntry(w.words["static_kinds"][k], k, "#444444") for k in kinds]
    bounds = {layer.bound for layer in scene.drawn if layer.show}
    entries += [
        LegendEntry(w.words["static_bounds"][b], "stated", "#444444", BOUND_FILL[b])
        for b in BOUND_FILL
        if b in bounds
    ]
    return entries


def key_entries(
    scene: ResolvedScene,
    unnamed: Sequence[DrawnLayer] = (),
    fills: set[str] | None = None,
    w: MapWords | None = None,
) -> list[LegendEntry]:
    """The key under the map, in short entries: what line styles, `fills` (the bounds whose
    fills the map draws; default: every shown range's) and dots mean, then any drawn range
    the map does not name on its outline or in the inset (its long label), in the words of
    `w` (default: the scene's language), as the HTML map's key says them."""
    from rangemap.render.map_words import words_of

    w = w or words_of(scene)

    shown = [layer for layer in scene.drawn if layer.show]
    kinds = {layer.line_kind for layer in shown}
    entries = [
        LegendEntry(w.words["key"][k], k, "#444444")
        for k in ("stated", "disputed", "estimate", "custom", "threshold")
        if k in kinds
    ]
    bounds = fills if fills is not None else {
        layer.bound for layer in shown if layer.kind not in ("threshold", "custom")
    }
    entries += [
        LegendEntry(w.words["bound_key"][b], None, "#444444", BOUND_FILL[b] * 2.5)
        for b in BOUND_FILL
        if b in bounds
    ]
    entries.append(LegendEntry(w("static_site"), color=scene.colors["site"], marker=True))
    if any(site.location.area is not None for site in scene.sites):
        entries.append(LegendEntry(w("static_launch_area"), "stated",
                                   scene.colors["site"]))  # fmt: skip
    rows = {w.claim_label(layer).text: layer for layer in unnamed}
    entries += [LegendEntry(text, layer.line_kind, layer.color) for text, layer in rows.items()]
    return entries


def draw_key(
    ax: Axes, entries: Sequence[LegendEntry], width_in: float, fs: float, scale: float,
    max_lines: int,
) -> int:
    """The key as short entries flowing along lines (a sample, then the words), measured as
    drawn; at most `max_lines` lines, the last entry that does not fit replaced by "…".
    Returns the number of lines used, which end at the bottom of `ax`."""
    from matplotlib.patches import Rectangle

    renderer = ax.figure.canvas.get_renderer()
    line_in = fs * 1.3 / 72
    ax.set_xlim(0, width_in)
    ax.set_ylim(-max_lines * line_in, 0)
    ax.axis("off")
    sample, gap, space = 0.26 * scale, 0.05 * scale, 0.16 * scale
    x, row = 0.0, 0
    for i, entry in enumerate(entries):
        y = -(row + 0.78) * line_in
        has_sample = entry.kind is not None or entry.marker or entry.fill > 0
        text_x = x + (sample + gap if has_sample else 0.0)
        text = ax.text(text_x, y, entry.text, fontsize=fs, va="baseline", color="#222222")
        width = text.get_window_extent(renderer).width / ax.figure.dpi
        if x > 0 and text_x + width > width_in:
            row += 1
            x = 0.0
            y = -(row + 0.78) * line_in
            text_x = sample + gap if has_sample else 0.0
            text.set_position((text_x, y))
        if row >= max_lines or text_x + width > width_in:
            text.remove()
            if i:  # say the key goes on: the sidecar lists every range
                ax.text(x, -(min(row, max_lines - 1) + 0.78) * line_in, "…", fontsize=fs,
                        va="baseline", color="#222222")  # fmt: skip
            return max_lines
        mid = y + 0.3 * line_in
        if entry.fill > 0:
            ax.add_patch(Rectangle((x, mid - 0.3 * line_in), sample, 0.6 * line_in,
                                   facecolor=entry.color, alpha=entry.fill, lw=0))  # fmt: skip
            ax.add_patch(Rectangle((x, mid - 0.3 * line_in), sample, 0.6 * line_in,
                                   fill=False, ec="#999999", lw=0.4 * scale))  # fmt: skip
        if entry.kind is not None:
            style = line_style(entry.kind, entry.color, scale * 0.8)
            ax.plot([x + 0.01, x + sample - 0.01], [mid, mid], **style)
        if entry.marker:
            ax.plot(x + sample / 2, mid, marker="o", ms=4.5 * scale, mfc=entry.color,
                    mec="white", linestyle="none")  # fmt: skip
        x = text_x + width + space
    # the lines used sit at the bottom, next to the sources: a spare line is space under the map
    ax.set_ylim(-(row + 1) * line_in, (max_lines - row - 1) * line_in)
    return row + 1


def _publisher(name: str) -> str:
    """A publisher as a short credit: without what brackets or a comma add ("(reprint of
    ...)", ", on USA Today")."""
    return re.sub(r"\s*\([^)]*\)", "", name).split(",")[0].strip() or name


def _all_sources(scene: ResolvedScene) -> list[Source]:
    """Every source behind the map: the shown ranges' first, then the others', then the
    scene's."""
    shown = [layer for layer in scene.layers if getattr(layer, "show", False)]
    rest = [layer for layer in scene.layers if layer not in shown]
    out: list[Source] = []
    for layer in (*shown, *rest):
        out += layer.sources
    return out + list(scene.sources)


def _position_sources(scene: ResolvedScene) -> list[str]:
    return list(dict.fromkeys(
        s.publisher for site in scene.sites if site.entry for s in site.entry.sources
    ))  # fmt: skip


def sources_line(
    scene: ResolvedScene, fits: Callable[[str], bool], sidecar: str, w: MapWords | None = None
) -> str:
    """One line of sources: as many publishers as `fits` the line, then where the full list
    is ("Sources: TASS, US Department of State, … — full list in map.sources.txt"), in the
    words of `w` (default: the scene's language)."""
    from rangemap.render.map_words import words_of

    w = w or words_of(scene)
    names = list(dict.fromkeys(_publisher(s.publisher) for s in _all_sources(scene)))
    names += [n for n in dict.fromkeys(map(_publisher, _position_sources(scene))) if n not in names]
    head = w("sources_label") + " "
    tail = w("static_full_list", file=sidecar)
    kept: list[str] = []
    for i, name in enumerate(names):
        more = ", …" if i < len(names) - 1 else ""
        if kept and not fits(head + ", ".join([*kept, name]) + more + tail):
            return head + ", ".join(kept) + ", …" + tail
        kept.append(name)
    return head + ", ".join(kept) + tail


def credits_line(view: MapView, fits: Callable[[str], bool], w: MapWords | None = None) -> str:
    """One line of credits: the map, its projection if it `fits` the line, the data."""
    from rangemap.render.map_words import map_words

    w = w or map_words("en")
    compass = w.words["compass"]
    ns = f"{w.number(abs(view.lat), 2)}°{compass['N' if view.lat >= 0 else 'S']}"
    ew = f"{w.number(abs(view.lon), 2)}°{compass['E' if view.lon >= 0 else 'W']}"
    data = w("static_data")
    # a compass point that ends in a period ('в. д.') takes the sentence's
    full = w("static_credits", version=__version__, lat=ns, lon=ew).replace(".. ", ". ")
    if fits(full + data):
        return full + data
    return w("static_credits_short", version=__version__) + data


def sidecar_text(
    scene: SceneLike,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
) -> str:
    """What the image has no room for, in a text file beside it (map.sources.txt): the
    title, subtitle and caption in full, the full legend, every source cited in full and
    where the sites' positions come from."""
    from rangemap.render.map_words import words_of

    resolved = as_resolved(scene)
    w = words_of(resolved)
    parts = [title or resolved.title]
    for text in (
        subtitle if subtitle is not None else resolved.subtitle,
        caption if caption is not None else resolved.caption,
    ):
        if text:
            parts.append(" ".join(text.split()))
    from rangemap import story

    steps = story.steps(resolved)
    parts.append(w("static_steps") + "\n" + "\n".join(
        f"{i + 1}. {' '.join(w.step_text(step.text).split())}" for i, step in enumerate(steps)
    ))  # fmt: skip
    legend = legend_entries(resolved)
    parts.append(w("static_legend") + "\n" + "\n".join(f"- {e.text}" for e in legend))
    cited = dict.fromkeys(s.cite() for s in _all_sources(resolved))
    parts.append(w("sources_label") + "\n" + "\n".join(f"- {c}" for c in cited))
    positions = _position_sources(resolved)
    if positions:
        parts.append(w("static_positions", list="; ".join(positions)))
    parts.append(w("static_sidecar_credits", version=__version__))
    return "\n\n".join(parts) + "\n"


def fits_line(fig: Figure, width_in: float, size: float, *, bold: bool = False
          ) -> Callable[[str], bool]:
    """Whether a text at `size` (pt) is at most `width_in` wide, measured as drawn."""
    renderer = fig.canvas.get_renderer()

    def fits(text: str) -> bool:
        probe = fig.text(0, 0, text, fontsize=size, fontweight="bold" if bold else "normal")
        width = probe.get_window_extent(renderer).width / fig.dpi
        probe.remove()
        return width <= width_in

    return fits


def one_line(fig: Figure, text: str, width_in: float, size: float, floor: float, *,
              bold: bool = False) -> tuple[str, float]:
    """`text` on one line, measured as drawn: at `size`, else smaller down to `floor` (pt),
    else its first sentences that fit, else its first clauses, else cut at a word with
    "…"."""
    text = " ".join(text.split())
    for fs in (size, size * 0.92, size * 0.85, floor):
        fs = max(fs, floor)
        if fits_line(fig, width_in, fs, bold=bold)(text):
            return text, fs
    fits = fits_line(fig, width_in, floor, bold=bold)
    for pattern in (r"(?<=[.!?])\s+", r"(?<=[,;:])\s+"):
        kept = ""
        for part in re.split(pattern, text):
            if not fits(f"{kept} {part}".strip() + ("" if pattern.startswith("(?<=[.") else " …")):
                break
            kept = f"{kept} {part}".strip()
        if kept:
            return (kept if pattern.startswith("(?<=[.") else kept.rstrip(",;:") + " …"), floor
    words = text.split()
    while len(words) > 1 and not fits(" ".join(words) + " …"):
        words.pop()
    return " ".join(words) + " …", floor


#: Lines of text under the map: the key (up to two), one of sources, one of credits.
KEY_LINES = 2
