"""How each kind of layer looks and reads, shared by the HTML map, the static map and legends."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from rangemap.scene_build import SceneLayer


class LineStyle(NamedTuple):
    """The look of one kind of layer.

    Attributes
    ----------
    weight : float
        Stroke width in CSS pixels.
    dash : str or None
        SVG dash pattern in pixels ("9 6"), None for a solid line.
    fill_opacity : float
        Opacity of the fill (0: outline only).
    """

    weight: float
    dash: str | None
    fill_opacity: float


#: Line look per kind of layer.
LINE_STYLES: dict[str, LineStyle] = {
    "stated": LineStyle(2.5, None, 0.10),
    "disputed": LineStyle(2.5, "9 6", 0.05),
    "estimate": LineStyle(2.5, "1 6", 0.04),
    "threshold": LineStyle(1.0, None, 0.0),
    "band": LineStyle(1.0, None, 0.16),
    "custom": LineStyle(2.5, None, 0.10),
}

#: Fill opacity of a claim's disc by what it says, whatever its kind: what it reaches for
#: certain ("at least") is filled solid, what it may reach at most ("up to") lightly, so an
#: interval's certain core reads through its possible outer disc.
BOUND_FILL = {"at-least": 0.22, "up-to": 0.03}

#: Labels of treaty thresholds and bands, on both maps: lighter than the claims' own colours.
FAINT_LABEL_COLOR = "#666666"


def line_opacity(kind: str) -> float:
    """Opacity of a layer's outline: the treaty thresholds recede behind the claims."""
    return 0.75 if kind == "threshold" else 0.95


def fill_opacity(layer: SceneLayer) -> float:
    """A drawn layer's fill: by its bound for a claim's disc, else by its kind; the nearer
    band is darker, so adjacent bands read apart."""
    fill = LINE_STYLES[layer.kind].fill_opacity
    if layer.kind == "band":
        return max(0.05, fill - 0.08 * layer.band_index)
    if layer.bound is not None and layer.kind not in ("threshold", "custom"):
        return BOUND_FILL[layer.bound]
    return fill


def premixed(color: str, alpha: float) -> str:
    """`color` at `alpha` over white, as one opaque colour ("#RRGGBB").

    Why: fills drawn opaque in this colour and combined by the darker of each channel
    (CSS mix-blend-mode: darken), then multiplied onto the basemap, look exactly like a
    translucent fill where one ring covers the map, and where rings overlap never darker
    than the darkest of them: each channel stays at least 1 - alpha of its white."""
    rgb = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - alpha * (255 - c)) for c in rgb)
    return "#" + "".join(f"{c:02X}" for c in mixed)
