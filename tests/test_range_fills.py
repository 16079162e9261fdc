"""Range fills where rings overlap, as the reader sees them in Chromium: in inf-2020 (one
site's nested ranges, two sites' Tomahawks) and us-germany-2024 (SM-6, Tomahawk and Dark
Eagle's two discs from one site), at the point of any step where the most fills overlap,
the screen stays light: a capital's name reads on it at 4.5:1 or better, and the fills take
off no more light than the darkest of them alone would (they combine, never stack into
murk: rangemap.render.style.premixed)."""

from __future__ import annotations

import io
import time

import pytest
import test_browser
import test_map_layout as layout
from PIL import Image

from rangemap import story
from rangemap.render.html_map import render_map, save_map
from rangemap.render.style import fill_opacity
from rangemap.scene import load_scene
from rangemap.scene_build import resolve_scene

browser_binaries, driver = test_browser.browser_binaries, test_browser.driver

#: Capitals' names on the azimuthal map (html_projection.AEQD_CSS).
TEXT = (0x33, 0x33, 0x33)

# Where the most range fills overlap: a grid over the map, each point tested against every
# drawn fill path (fills take no pointer, so elementsFromPoint cannot see them).
_DEEPEST = (
    layout._MAP
    + """
var box = map.getContainer().getBoundingClientRect(), fills = document.querySelectorAll(
  "path.rm-fill"), best = null, step = 12, margin = 24;
for (var y = box.top + margin; y < box.bottom - margin; y += step) {
  for (var x = box.left + margin; x < box.right - margin; x += step) {
    var on = [];
    fills.forEach(function (p) {
      var m = p.getScreenCTM().inverse(), svg = p.ownerSVGElement;
      var pt = svg.createSVGPoint(); pt.x = x; pt.y = y;
      if (p.isPointInFill(pt.matrixTransform(m))) {
        on.push(Array.from(p.classList).find(function (c) { return c.indexOf("rm-l-") === 0; }));
      }
    });
    if (best === null || on.length > best.on.length) { best = {x: x, y: y, on: on}; }
  }
}
best.dpr = window.devicePixelRatio;
return best;
"""
)


def _luminance(rgb: tuple[int, ...]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    lin = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _alone(color: str, alpha: float) -> tuple[int, int, int]:
    """A single fill of `color` at `alpha` over white, as it looked before fills combined."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(255 * (1 - alpha) + c * alpha) for c in rgb)  # type: ignore[return-value]


@pytest.mark.parametrize("name", ["inf-2020", "us-germany-2024"])
def test_overlapping_fills_stay_light(driver, tmp_path, name):
    scene = resolve_scene(load_scene(name))
    page = tmp_path / f"{name}.html"
    save_map(render_map(scene, self_contained=True), page)
    drawn = {f"rm-l-{layer.id}": layer for layer in scene.drawn}
    layout._open_map(driver, page, 1200)
    # of every step, the point where the most fills overlap (and, of those, the most fill)
    deepest = None
    for step in range(len(story.steps(scene))):
        driver.execute_script(
            "document.querySelector('.rm-step-n[data-step=\"' + arguments[0] + '\"]').click()",
            step,
        )
        time.sleep(1.2)  # the step's frame flies in
        point = driver.execute_script(_DEEPEST) | {"step": step}
        weight = (len(point["on"]), sum(fill_opacity(drawn[c]) for c in point["on"]))
        if deepest is None or weight > deepest[0]:
            deepest = (weight, point)
    deepest = deepest[1]
    on = [drawn[c] for c in deepest["on"]]
    assert len(on) >= 3, deepest  # nested or overlapping rings, several fills deep
    driver.execute_script(
        "document.querySelector('.rm-step-n[data-step=\"' + arguments[0] + '\"]').click()",
        deepest["step"],
    )
    time.sleep(1.2)
    seen = _pixel(driver, deepest)
    driver.execute_script(  # the basemap there, without any fill
        "document.querySelectorAll('path.rm-fill').forEach(function (p) {"
        " p.style.display = 'none'; })"
    )
    base = _pixel(driver, deepest)
    # per channel, the darkest of the fills there, each alone as it was drawn over white
    darkest = [min(_alone(layer.color, fill_opacity(layer))[i] for layer in on) for i in range(3)]
    assert _contrast(TEXT, seen) >= 4.5, (name, seen, deepest)
    # the fills take off no more light than the darkest of them alone, channel by channel
    # (the basemap's colour times the fill's; 3 levels for rounding and antialiasing)
    floor = [round(base[i] * darkest[i] / 255) - 3 for i in range(3)]
    assert all(seen[i] >= floor[i] for i in range(3)), (name, seen, floor, base, deepest)


def _pixel(driver, at: dict) -> tuple[int, int, int]:
    """The colour on screen at a point of the page: the median of the 7x7 pixels around it,
    so that a thin outline or a letter across it does not count."""
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    x, y = round(at["x"] * at["dpr"]), round(at["y"] * at["dpr"])
    patch = shot.crop((x - 3, y - 3, x + 4, y + 4))
    pixels = sorted((patch.getpixel((i, j)) for i in range(7) for j in range(7)), key=_luminance)
    return pixels[len(pixels) // 2]
