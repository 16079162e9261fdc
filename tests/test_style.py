"""The shared look of layers: fills premixed with white (rangemap.render.style.premixed)."""

from __future__ import annotations

from rangemap.render.style import premixed


def test_premixed_is_the_colour_at_its_opacity_over_white():
    assert premixed("#0072B2", 0.0) == "#FFFFFF"
    assert premixed("#0072B2", 1.0) == "#0072B2"
    # 255 - 0.22 * (255 - c) per channel: 198.9, 223.9, 238.1
    assert premixed("#0072B2", 0.22) == "#C7E0EE"
