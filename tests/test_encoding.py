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


def _joined(parts: list, table: list, items: list[str] = ()) -> str:
    """rmText in Python: a table entry {"li": k} is the k-th of the page's `items`."""
    shared = [t if isinstance(t, str) else items[t["li"]] for t in table]
    return "".join(shared[p] if isinstance(p, int) else p for p in parts)


def test_shared_fragments_rebuild_every_text_and_write_repeats_once():
    source = '<li>FAS, <a href="https://x.org">INF text</a>.</li>'
    foot = "<p class=rm-cov>* People in cities of 15,000+.</p>"
    texts = [
        f"<div><h2>A</h2><p>only A</p>{foot}<ol>{source}</ol></div>",
        f"<div><h2>B</h2>{foot}<ol>{source}<li>B's own</li></ol></div>",
        "<div><h2>C</h2><p>only C</p></div>",
    ]
    table, parts = encoding.shared_fragments(texts)
    assert [_joined(p, table) for p in parts] == texts
    assert table == sorted([source, foot])  # the repeats, once each; "only" texts stay
    # a piece the page already shows is copied from it, even if only one text has it
    items = ["<li>B's own</li>", "<li>other</li>", source]
    table, parts = encoding.shared_fragments(texts, items)
    assert [_joined(p, table, items) for p in parts] == texts
    assert {"li": 0} in table and {"li": 2} in table and foot in table


def test_page_popups_are_the_popups_of_the_scene():
    """The page writes each ring's and site's popup in pieces; joined, they are the HTML that
    html_parts makes, byte for byte."""
    from page_data import page_data

    from rangemap.render import html_parts
    from rangemap.render.html_map import map_html, render_map
    from rangemap.scene import load_scene
    from rangemap.scene_build import resolve_scene

    scene = resolve_scene(load_scene("inf-2020"))
    page = map_html(render_map(scene))
    data = page_data(page)
    panel = re.search(r'<details class="rm-panel" id="rm-sources">.*?</details>', page, re.S)
    items = encoding.page_items(panel.group(0))  # the renderer's "#rm-sources li"
    rings = {layer["id"]: layer["ring"] for layer in data["layers"]}
    for layer in scene.drawn:
        popup = _joined(rings[layer.id]["popup"], data["shared"], items)
        assert popup == html_parts.layer_popup(layer)
    for site, drawn in zip(scene.sites, data["sites"], strict=True):
        assert _joined(drawn["popup"], data["shared"], items) == html_parts.site_popup(site)
    sourced = [t for t in data["shared"] if isinstance(t, dict)]
    assert len(sourced) >= 5 and len(data["shared"]) > len(sourced)  # sources; the footnote


def test_many_lines_encode_as_each_alone():
    rng = np.random.default_rng(7)
    lines = [rng.uniform(-80, 80, (n, 2)) for n in (1, 2, 5, 300, 3)]
    starts = np.cumsum([0] + [len(line) for line in lines])
    together = encoding.encode_lines(np.concatenate(lines), starts, 25)
    assert together == [encoding.encode_line(line, 25) for line in lines]
    chained = encoding.encode_lines(np.concatenate(lines), starts, 25, chained=True)
    assert chained[0] == together[0] and sum(map(len, chained)) < sum(map(len, together))
    assert encoding.decode_chain(chained, 25) == [
        (np.round(line * 25) / 25).tolist() for line in lines
    ]
