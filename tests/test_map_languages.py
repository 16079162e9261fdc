"""The interactive map in each of the reader's languages, in headless Chromium with the
network off: the default map (inf-2020, self-contained so that its basemap names are the
page's own) with `lang` set as `rangemap map --lang L` sets it.

The page says <html lang="L">; its visible text, every fold open, holds no English word of
the interface (the English phrases that L words otherwise); Germany is named as L names it;
axe-core finds nothing in German and Russian. Screenshots of de, pl, ru and ro at 375 and
1,200 px are written for a person to look at (the folder is printed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_browser
import test_map_layout as layout

from rangemap.language import Language, languages, phrases
from rangemap.render.html_map import render_map, save_map
from rangemap.scene import load_scene

browser_binaries, driver = test_browser.browser_binaries, test_browser.driver

OTHERS = [lang for lang in languages() if lang != "en"]
SHOTS = ["de", "pl", "ru", "ro"]

# The text a reader sees of the interface: every fold open, without what the scene and the
# catalog write themselves (title, subtitle, caption, source titles, notes: not translated),
# with the labels of the controls (aria-label, title).
_VISIBLE = r"""
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
var clone = document.body.cloneNode(true);
clone.querySelectorAll(
  "script, style, .rm-head h1, .rm-head > p, .rm-caption, #rm-sources h2, #rm-sources li, " +
  ".rm-cov, .leaflet-control-attribution"
).forEach(function (el) { el.remove(); });
document.body.appendChild(clone);
clone.style.position = "absolute";
var text = clone.innerText;
clone.remove();
// and what screen readers say of the controls
document.querySelectorAll("[aria-label], [title]").forEach(function (el) {
  text += "\n" + (el.getAttribute("aria-label") || "") + "\n" + (el.getAttribute("title") || "");
});
return text;
"""


def _leaves(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


def _fragments(lang: str) -> set[str]:
    """The fixed words of a phrases file: each phrase split at its {placeholders}, trimmed
    of punctuation; fragments of three letters or more."""
    out = set()
    for text in _leaves(dict(phrases(lang))):
        for part in re.split(r"\{[^}]*\}", text):
            part = part.strip(" .,;:()*\u2013\u2014-+'\"")
            if len(re.sub(r"\W", "", part)) >= 3:
                out.add(part)
    return out


def english_words(lang: str) -> set[str]:
    """English interface phrases that `lang` writes otherwise (its own phrases file does not
    use them: 'Sources' is French too)."""
    theirs = _fragments(lang)

    def used(fragment: str) -> bool:
        word = re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")
        return any(word.search(t) for t in theirs)

    return {f for f in _fragments("en") if not used(f)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("languages")
    out = {}
    for lang in ["en", *OTHERS]:
        scene = load_scene("inf-2020").model_copy(update={"lang": lang})
        out[lang] = save_map(render_map(scene, self_contained=True), folder / f"{lang}.html")
    return out


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("language-screens")
    print(f"\nlanguage screenshots: {folder}")
    return folder


def _english_on(driver, page: Path, lang: str) -> list[str]:
    title = load_scene("inf-2020").title  # the scene's own words, in the map's label too
    text = driver.execute_script(_VISIBLE).replace(title, "")
    return sorted(
        word for word in english_words(lang) if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    )


def test_the_check_sees_english_on_an_english_page(driver, pages) -> None:
    """What the check below looks for is there on the English page it replaces."""
    layout._open_map(driver, pages["en"], 1200)
    found = _english_on(driver, pages["en"], "de")
    assert {"Legend", "Sources", "More ranges and the key", "Step", "says"} <= set(found)


@pytest.mark.parametrize("lang", OTHERS)
def test_the_page_reads_in_its_language(driver, pages, lang) -> None:
    layout._open_map(driver, pages[lang], 1200)
    assert driver.execute_script("return document.documentElement.lang") == lang
    germany = Language(lang).country("DEU", "Germany")
    assert germany != "Germany"
    assert _english_on(driver, pages[lang], lang) == [], lang
    assert germany in driver.execute_script(_VISIBLE)


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_axe_finds_nothing_in_another_language(driver, pages, lang) -> None:
    for width in (375, 1200):
        layout._open_map(driver, pages[lang], width)
        layout._unfold(driver)
        assert layout._axe(driver) == [], (lang, width)


@pytest.mark.parametrize("lang", SHOTS)
def test_screenshots_to_look_at(driver, pages, shots, lang) -> None:
    for width in (375, 1200):
        layout._open_map(driver, pages[lang], width)
        time.sleep(0.3)
        path = shots / f"{lang}-{width}.png"
        driver.save_screenshot(str(path))
        assert path.stat().st_size > 10_000
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], (lang, width, errors)
