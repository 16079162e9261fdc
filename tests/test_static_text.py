"""The words around a static map: the key, one line of sources and credits, the sidecar."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rangemap.render.static_text import (
    legend_entries,
    one_line,
    sidecar_text,
    sources_line,
)
from rangemap.scene import load_scene
from rangemap.scene_build import resolve_scene


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene("inf-2020"))


def test_legend_lists_claims_thresholds_sites_and_what_is_not_drawn(inf):
    texts = [entry.text for entry in legend_entries(inf)]
    assert texts[0] == (
        "9M729 — up to 480 km (Russia, stated); from anywhere in the Kaliningrad region"
    )
    # dots are sites, the city's reference point and where the region's name is drawn
    assert "Launch area: ranges from anywhere in it (outline)" in texts
    assert any(t.startswith("Point: a site ranges are measured from, a reference") for t in texts)
    assert "INF Treaty thresholds: 500, 1,000, 5,500 km" in texts
    assert any(t.startswith("Not drawn: SM-3") for t in texts)
    tomahawk = next(t for t in texts if t.startswith("Tomahawk — at least 1,609 km"))
    assert tomahawk.endswith("from Deveselu (Romania), Redzikowo (Poland)")
    assert "Not drawn: " + _retired_label(inf) + " (retired; off by default)" in texts
    assert not any(t.startswith("Tomahawk (TLAM-N)") for t in texts)
    assert texts[-5:] == [
        "Stated range: an official or manufacturer figure",
        "Disputed: one side's claim, which the other denies",
        "Estimate by analysts, intelligence or media (uncertain)",
        "Solid fill: reaches at least this far (certain, by the claim)",
        "Light fill: up to this far at most (possible, by the claim)",
    ]


def _retired_label(scene):
    return next(layer.label for layer in scene.layers if layer.id.endswith("tlam-n-2500"))


def _figure() -> Figure:
    figure = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def test_one_line_keeps_whole_sentences_or_cuts_at_a_word():
    """A subtitle too long for one line keeps its first sentences, else its first clauses,
    else its first words, with "…" where it is cut; never a line wider than asked."""
    figure = _figure()
    text = "A short first sentence. " + "Then a second one that goes on and on " * 5
    line, size = one_line(figure, text, 4.0, 8.0, 6.0)
    assert (line, size) == ("A short first sentence.", 6.0)
    line, _ = one_line(figure, "word " * 80, 4.0, 8.0, 6.0)
    assert line.endswith(" …") and set(line.removesuffix(" …").split()) == {"word"}
    assert one_line(figure, "Fits.", 4.0, 8.0, 6.0) == ("Fits.", 8.0)


def test_sources_line_names_whole_publishers_then_the_sidecar(inf):
    """One line: publishers in full (without what brackets add), as many as fit, then "…"
    and where the full list is."""
    line = sources_line(inf, lambda text: len(text) <= 120, "inf.sources.txt")
    assert line.startswith("Sources: ") and line.endswith(", … — full list in inf.sources.txt")
    assert len(line) <= 120 and "(" not in line
    every = sources_line(inf, lambda text: True, "x.txt")
    assert "…" not in every and len(every) > len(line)


def test_sidecar_cites_every_source_the_steps_and_the_caption(inf):
    text = sidecar_text(inf, caption="A caption of our own.")
    for layer in inf.layers:
        for source in layer.sources:
            assert f"- {source.cite()}" in text
    assert "A caption of our own." in text and "Steps:\n1. " in text
    assert text.startswith(inf.title) and text.endswith("\n")
