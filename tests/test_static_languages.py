"""Static maps in the scene's language: names, the words around the map and the sources
file's headings in each language of the phrases files, no English word of the interface."""

from __future__ import annotations

import html
import re

import pytest

from rangemap.language import languages
from rangemap.render.map_words import map_words
from rangemap.render.static_map import render_image, save_image, save_image_with_alt, sources_path
from rangemap.render.static_text import sidecar_text
from rangemap.scene import load_scene
from rangemap.scene_build import resolve_scene

#: The same 9 x 6 inches as the default size, at fewer pixels: the same layout, drawn faster.
SIZE = {"width_px": 900, "height_px": 600, "dpi": 100}
LANGS = ("en", "de", "pl", "ru", "uk", "fr", "ro")

#: The phrases (rangemap/phrases/*.yaml, under `map:`) the static map writes.
STATIC_KEYS = (
    "static_site", "static_launch_area", "static_full_list", "static_sidecar", "static_credits",
    "static_credits_short", "static_data", "static_scale_true", "static_scale_within",
    "sources_label", "says", "say", "estimates", "estimate", "from_here", "from_here_short",
)  # fmt: skip


def _phrases(lang: str) -> list[str]:
    """Every phrase the static map writes in `lang`, with the key and bound_key entries."""
    words = map_words(lang).words
    return [
        *(words[k] for k in STATIC_KEYS),
        *words["key"].values(),
        *words["bound_key"].values(),
    ]


def _english_fragments(lang: str) -> set[str]:
    """The English phrases' words between their {fields}, where `lang` says them otherwise
    (French 'site' is English 'site')."""
    theirs = _phrases(lang)
    out: set[str] = set()
    for en, other in zip(_phrases("en"), theirs, strict=True):
        if en == other:
            continue
        for part in re.split(r"\{[^}]*\}", en):
            part = part.strip(" .,:()")
            if len(part) >= 4 and part not in other:
                out.add(part)
    return out


def _texts(svg: str) -> list[str]:
    """The texts an SVG draws (matplotlib writes each as a <text> element)."""
    found = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in found]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """lang -> (scene, the SVG's texts) for the default map of inf-2020 in each language."""
    out = {}
    folder = tmp_path_factory.mktemp("svg")
    for lang in LANGS:
        scene = resolve_scene(load_scene("inf-2020").model_copy(update={"lang": lang}))
        path = save_image(render_image(scene, **SIZE), folder / f"{lang}.svg")
        out[lang] = (scene, _texts(path.read_text(encoding="utf-8")))
    return out


def test_every_language_of_the_phrases_is_tested():
    assert set(LANGS) == set(languages())


@pytest.mark.parametrize("lang", LANGS)
def test_static_map_names_warsaw_and_germany_in_the_language(drawn, lang):
    w = map_words(lang)
    _, texts = drawn[lang]
    assert w.capital("Warsaw") in texts
    assert w.country("Germany") in texts
    if lang != "en":
        assert "Warsaw" not in texts and "Germany" not in texts
        callout = w("callout", place=w.capital("Berlin"), distance=w.distance(464))
        assert callout in texts  # the callout in the language's words: 'Берлин 464 км'
        assert ("Berlin 464 km" in texts) == (callout == "Berlin 464 km")


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_static_map_has_no_english_word_of_the_interface(drawn, lang):
    scene, texts = drawn[lang]
    # the scene's own words (its title and subtitle) stay as written
    interface = [t for t in texts if t not in (scene.title, " ".join(scene.subtitle.split()))]
    fragments = _english_fragments(lang)
    assert len(fragments) > 15  # the list is not empty by mistake
    found = sorted({f for f in fragments for t in interface if f in t})
    assert found == []
    w = map_words(lang)
    joined = "\n".join(interface)
    assert w("sources_label") in joined and w("static_site") in texts
    assert w.words["key"]["stated"] in texts
    # ring labels as the HTML map writes them (rangemap.render.labels.page_labels)
    assert any(w.claim_label(layer).text in texts for layer in scene.drawn if layer.show)


@pytest.mark.parametrize("lang", LANGS)
def test_sources_file_headings_and_steps_in_the_language(lang, tmp_path):
    scene = resolve_scene(load_scene("inf-2020").model_copy(update={"lang": lang}))
    w = map_words(lang)
    path = save_image_with_alt(render_image(scene, **SIZE), scene, tmp_path / "map.png")
    text = sources_path(path).read_text(encoding="utf-8")
    assert text == sidecar_text(scene)
    for heading in (w("static_steps"), w("static_legend"), w("sources_label")):
        assert f"\n\n{heading}\n" in text
    assert w("static_sidecar_credits", version="").split(":")[0] in text
    if lang != "en":
        for english in ("\n\nSteps:\n", "\n\nLegend:\n", "\n\nSources:\n", "Site positions:"):
            assert english not in text
        legend = text.split(f"\n\n{w('static_legend')}\n")[1].split("\n\n")[0]
        assert w.words["static_kinds"]["stated"] in legend
        assert w("static_area") in legend
        for english in ("[uncertain]", "; from ", "Not drawn:", "thresholds:", "Solid fill"):
            assert english not in legend
        translated = w.lang.words["step_texts"]
        assert translated and any(" ".join(t.split()) in text for t in translated.values())


def test_step_subtitle_in_the_language(tmp_path):
    scene = resolve_scene(load_scene("inf-2020").model_copy(update={"lang": "de"}))
    w = map_words("de")
    from rangemap import story

    steps = story.steps(scene)
    path = save_image(render_image(scene, step=1, **SIZE), tmp_path / "step.svg")
    texts = _texts(path.read_text(encoding="utf-8"))
    subtitle = next(t for t in texts if t.startswith(f"2/{len(steps)} · "))
    assert w.step_text(steps[1].text) != steps[1].text  # translated in de.yaml
    assert subtitle.removeprefix(f"2/{len(steps)} · ").rstrip(" …") in w.step_text(steps[1].text)
