"""rangemap.render.map_words: the interactive map's words in every phrases language."""

from __future__ import annotations

import re

import pytest

from rangemap import story
from rangemap.language import Language, languages, phrases
from rangemap.render import html_parts, steps
from rangemap.render.html_map import map_html, render_map
from rangemap.render.labels import scene_callouts
from rangemap.render.map_words import MapWords
from rangemap.scene import builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene

OTHERS = [lang for lang in languages() if lang != "en"]


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.fixture(scope="module")
def inf() -> object:
    return resolve_scene(load_scene("inf-2020"))


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_map_word_with_its_fields(lang) -> None:
    """Each phrase of en.yaml's `map` in every language, with English's {fields}; a counted
    phrase in every plural form CLDR has for the language."""
    english, own = phrases("en")["map"], phrases(lang)["map"]
    tags = Language(lang).locale.plural_form.tags | {"other"}
    plural = {"one", "few", "many", "other", "zero"}
    for key, value in english.items():
        assert key in own, (lang, key)
        theirs = own[key]
        if key not in ("site_names", "treaties") and (
            (isinstance(theirs, dict) and set(theirs) <= plural)
            or (isinstance(value, dict) and set(value) <= plural)
        ):  # a phrase with forms, in one or the other
            forms = theirs if isinstance(theirs, dict) else {"other": theirs}
            ours = value if isinstance(value, str) else value["other"]
            if len(forms) > 1:
                assert tags <= set(forms), (lang, key, tags - set(forms))
            for text in forms.values():
                assert _fields(text) == _fields(ours), (lang, key)
        elif key == "treaties":
            assert set(theirs) <= {"INF Treaty"}, (lang, set(theirs))
        elif key == "site_names":  # English labels of built-in area sites
            areas = {
                site.label
                for name in builtin_scenes()
                for site in resolve_scene(load_scene(name)).sites
                if site.location.area is not None
            }
            assert set(theirs) <= areas, (lang, set(theirs) - areas)
        elif isinstance(value, dict):
            assert set(own[key]) == set(value), (lang, key)
        else:
            assert _fields(own[key]) == _fields(value), (lang, key)


@pytest.mark.parametrize("lang", OTHERS)
def test_step_texts_are_the_built_in_scenes_steps(lang) -> None:
    """Every built-in scene's step is translated, as it reads now (a step whose English
    changed shows up here, not as English on a German page)."""
    texts = {
        " ".join(step.text.split()) for name in builtin_scenes() for step in load_scene(name).steps
    }
    own = phrases(lang)["step_texts"]
    assert set(own) == texts, set(own) ^ texts


def test_english_claim_labels_are_the_stories() -> None:
    """English claim labels made from the phrases read as rangemap.story makes them."""
    words = MapWords("en")
    for name in builtin_scenes():
        for layer in resolve_scene(load_scene(name)).drawn:
            assert words.claim_label(layer) == story.claim_label(layer), layer.id


def test_claim_labels_in_german_and_polish(inf) -> None:
    layer = next(x for x in inf.drawn if x.id == "kaliningrad-region--9m729-ru-480")
    assert MapWords("de").claim_label(layer).text == "9M729: laut Russland bis zu 480 km"
    assert MapWords("de").claim_label(layer).short == "9M729: laut Russland ≤480 km"
    faz = next(x for x in inf.drawn if x.id == "kaliningrad-region--9m729-faz-2350")
    assert MapWords("pl").claim_label(faz).text == "9M729: szacunek zachodniego wywiadu: do 2350 km"
    assert MapWords("ru").claim_label(faz).short == "9M729: оценка западной разведки: ≤2\xa0350 км"


def test_callouts_and_capitals_in_the_language(inf) -> None:
    callout = scene_callouts(inf)[0]
    assert MapWords("en").callout(callout) == callout.text == "Berlin 464 km"
    assert MapWords("ru").callout(callout) == "Берлин 464 км"
    assert MapWords("ro").capital("Warsaw") == "Varșovia"
    assert MapWords("de").country("Germany") == "Deutschland"


def test_popups_and_legend_in_german(inf) -> None:
    words = MapWords("de")
    layer = next(x for x in inf.drawn if x.id == "kaliningrad-region--9m729-ru-480")
    popup = html_parts.layer_popup(layer, words)
    assert "<b>Reichweite:</b> bis zu 480 km" in popup
    assert "Range:" not in popup and "Sources:" not in popup and "Covers:" not in popup
    assert layer.label not in popup  # "(Russia, stated)": the heading says it in German
    assert "Deutschland" in popup or "Polen" in popup  # countries by their German names
    tooltip = html_parts.layer_tooltip(layer, words)
    assert "Klicken für Quellen und Einzelheiten" in tooltip
    legend = html_parts.legend_html(inf, None, words)
    assert "<summary>Legende</summary>" in legend and "More ranges" not in legend
    assert "INF-Vertrag" in legend and "INF Treaty" not in legend
    html = steps.steps_html(inf, words)
    assert 'aria-label="Schritt 1 von 5"' in html and "Step" not in html
    assert "Russland sagt, die 9M729" in html


def test_the_english_page_keeps_its_words(inf) -> None:
    page = map_html(render_map(inf))
    assert "<summary>Legend</summary>" in page
    assert 'aria-label="Step 1 of 5"' in page
    assert "Russia says the 9M729 flies up to 480 km" in page


def test_a_polish_scene_gives_a_polish_page() -> None:
    """A scene's `lang: pl` (as a scene file or `--lang pl` sets it) writes the page in
    Polish: its <html lang>, its legend, its steps, Leaflet's own buttons."""
    scene = load_scene("inf-2020").model_copy(update={"lang": "pl"})
    page = map_html(render_map(scene, self_contained=True))
    assert '<html lang="pl">' in page
    assert "<summary>Legenda</summary>" in page and "<summary>Legend</summary>" not in page
    assert 'aria-label="Krok 1 z 5"' in page
    assert '"zoomIn":"Przybli\\u017c"' in page
    assert "Warszawa" in page  # the basemap's capital, in Polish


@pytest.mark.parametrize("lang", ["en", "de", "fr", "pl", "ro", "ru", "uk"])
def test_shares_in_tenths_read_as_the_page_writes_them(lang):
    """The page gets each country's share in tenths of a percent and writes it from
    pct_words (the whole, the least, the separator) as pct does, in every language."""
    from rangemap.render.map_words import MapWords, pct_tenths

    w = MapWords(lang)
    words = w.pct_words()
    values = [0.0, 0.04, 0.05, 0.099, 0.1, 0.149, 0.15, 0.25, 1.05, 9.95, 12.34, 50.0, 99.9,
              99.94, 99.95, 100.0]  # fmt: skip
    values += [i / 7 for i in range(700)]
    for value in values:
        t = pct_tenths(value)
        page = words["all"] if t >= 1000 else words["least"] if t <= 0 else (
            f"{t // 10}{words['sep']}{t % 10} %"
        )  # the renderer's pct(), in Python
        assert page == w.pct(value), (lang, value)
