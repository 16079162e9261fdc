"""Compact coordinates for the page: exact round trips, page-safe text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rangemap.render import encoding


@pytest.mark.parametrize("scale", [25, 100, 2575, 10_000])
def test_lines_round_trip_to_their_rounded_vertices(scale):
    rng = np.random.default_rng(scale)
    line = np.column_stack([rng.uniform(-90, 90, 400), rng.uniform(-180, 180, 400)])
    line[5] = line[4]  # a repeated vertex is a zero step
    decoded = np.array(encoding.decode_line(encoding.encode_line(line, scale), scale))
    assert np.array_equal(decoded, np.round(line * scale) / scale)


def test_small_steps_take_one_character_each():
    # zigzag: 0, -1, 1, -16, 15 -> 0, 1, 2, 31, 30: all below 32, one digit each
    assert encoding.encode_ints(np.array([0, -1, 1, -16, 15, 16])) == "ABCfe" + "gB"


def test_encoded_text_needs_no_escaping_anywhere():
    rng = np.random.default_rng(1)
    text = encoding.encode_ints(rng.integers(-(2**33), 2**33, 5000))
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)


def test_steps_too_large_are_refused():
    with pytest.raises(ValueError, match="too large"):
        encoding.encode_ints(np.array([2**34]))
