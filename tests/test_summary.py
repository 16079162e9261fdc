"""Article text: every figure equals the table it comes from, in every language."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic

from rangemap import layers
from rangemap.cli import cli
from rangemap.errors import InputError
from rangemap.scene import Scene, SceneRange, SceneSite, builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene
from rangemap.scene_export import render_table
from rangemap.summary import (
    MAX_NAMES,
    NEAR_MISS_SHARE,
    described,
    languages,
    near_miss_rows,
    paragraph_groups,
    summary_paragraphs,
    summary_text,
)

WGS84 = Geodesic.WGS84
#: A number as the English text writes it: 1,234 (not part of a word such as 9M729).
NUMBER = r"(?<![\w.,])\d{1,3}(?:,\d{3})*(?![\w])"


@pytest.fixture(scope="module", params=builtin_scenes())
def scene(request):
    return resolve_scene(load_scene(request.param))


def _table(scene, **options) -> list[dict[str, str]]:
    """Rows of `rangemap table SCENE --format csv`, as a reader of the CSV gets them."""
    return list(csv.DictReader(io.StringIO(render_table(scene, "csv", **options))))


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def _base(layer, layers):
    """The stated full range of the same system and site, just below (as the text compares)."""
    if layer.kind not in ("disputed", "estimate") or layer.ring.km_min:
        return None
    bases = [
        b for b in layers
        if b.kind == "stated" and b.system == layer.system and b.site == layer.site
        and not b.ring.km_min and b.ring.km < layer.ring.km
    ]  # fmt: skip
    return max(bases, key=lambda b: b.ring.km) if bases else None


def test_each_figure_in_the_text_equals_the_tables(scene) -> None:
    countries, capitals = _table(scene), _table(scene, capitals_only=True)
    misses = near_miss_rows(scene)
    groups = paragraph_groups(scene)
    assert [f.layer for items, _ in groups for f in items] == list(described(scene))
    checked = 0
    for items, text in groups:
        layer = items[0].layer
        text, _, same = text.partition(" This range stands for ")
        assert bool(same) == (len({f.layer.claimed_by for f in items}) > 1)
        assert all(f.layer.claimed_by in same for f in items[1:] if same)
        rows = [r for r in countries if r["layer"] == layer.id]
        own = [
            r for r in rows if r["status"] == "state"
        ]  # countries: UN member and observer states
        apart = [r for r in rows if r["status"] == "territory"]
        others = [r for r in rows if r["status"] == "other"]
        placed = [r for r in capitals if r["layer"] == layer.id]
        caps = [r for r in placed if r["capital"] == "national"]
        held = [r for r in placed if r["capital"] == "territorial"]
        held_other = [r for r in placed if r["capital"] == "other"]
        expected: list[int] = []  # every figure the paragraph may show, from the tables
        ranges = {round(float(rows[0]["range_km"]))}
        if rows[0]["km_min"]:
            ranges.add(round(float(rows[0]["km_min"])))
        expected += ranges
        if apart:
            found = re.search(rf"Also in range: ({NUMBER}) territor(?:y|ies) \(([^)]*)\)", text)
            assert found and _n(found.group(1)) == len(apart)
            assert found.group(2).startswith(apart[0]["country"])
            expected += [len(apart), len(apart) - MAX_NAMES]
            if held:
                assert re.search(rf"(?:,| and) {len(held):,} territorial capitals? \(", text)
                expected += [len(held), len(held) - MAX_NAMES]
        if others:  # Kosovo, Taiwan, Western Sahara: apart, and never called territories
            found = re.search(rf"({NUMBER}) other areas?, not (?:a )?UN members? \(([^)]*)\)", text)
            assert found and _n(found.group(1)) == len(others)
            assert found.group(2).startswith(others[0]["country"])
            assert not any(r["country"] in text.split("other area")[0] for r in others)
            expected += [len(others), len(others) - MAX_NAMES]
            if held_other:
                assert re.search(
                    rf"{len(held_other):,} capitals? of (?:an )?areas? outside the UN \(", text
                )
                expected += [len(held_other), len(held_other) - MAX_NAMES]
        found = re.search(rf"reaches ({NUMBER}) countr(?:y|ies) \(([^)]*)\)", text)
        assert found and _n(found.group(1)) == len(own)
        listed = [r["country"] for r in own]
        if len(listed) > MAX_NAMES:
            assert found.group(2).endswith(f" and {len(listed) - MAX_NAMES} more")
            expected.append(len(listed) - MAX_NAMES)
            listed = listed[:MAX_NAMES]
        assert found.group(2).startswith(listed[0])
        expected.append(len(own))
        if caps:
            found = re.search(rf"and ({NUMBER}) capitals? \(([^)]*)\)", text)
            assert found and _n(found.group(1)) == len(caps)
            assert found.group(2).startswith(caps[0]["city"])
            expected.append(len(caps))
            if len(caps) > MAX_NAMES:
                expected.append(len(caps) - MAX_NAMES)
        else:
            assert "and no capital" in text
        for row in (m for m in misses if m.layer == layer.id):
            assert (
                f"{row.city}, {round(row.beyond_km):,} km beyond (at {round(row.distance_km):,} km)"
            ) in text
            # beyond = distance - range, and within the near-miss share of the range
            assert abs(row.distance_km - float(rows[0]["range_km"]) - row.beyond_km) < 1e-6
            assert 0 < row.beyond_km <= NEAR_MISS_SHARE * float(rows[0]["range_km"])
            expected += [round(row.beyond_km), round(row.distance_km)]
        base = _base(layer, described(scene))
        if base is not None:
            had = {(r["iso_a3"], r["country"]) for r in countries if r["layer"] == base.id}
            new = [r for r in own if (r["iso_a3"], r["country"]) not in had]
            had_caps = {(r["city"], r["iso_a3"]) for r in capitals if r["layer"] == base.id}
            new_caps = [r for r in caps if (r["city"], r["iso_a3"]) not in had_caps]
            base_km = round(float(next(r for r in countries if r["layer"] == base.id)["range_km"]))
            expected.append(base_km)
            if new:
                assert f"adds {len(new):,} countr" in text
                expected += [len(new), len(new) - MAX_NAMES]
            if new_caps:
                assert re.search(rf"and {len(new_caps):,} capitals? \(", text.split("adds")[1])
                expected += [len(new_caps), len(new_caps) - MAX_NAMES]
            if not new and new_caps:
                assert "adds no country and " in text
            if not new and not new_caps:
                assert "adds no country and no capital" in text
        words = text.replace(layer.system or "", "")
        shown = [_n(t) for t in re.findall(NUMBER, words)]
        assert shown and set(shown) <= set(expected), (layer.id, shown, expected)
        checked += len(shown)
    assert checked > len(groups)


def test_german_text_shows_the_same_figures(scene) -> None:
    """The same figures in both languages, written 1.234 in German."""
    for en, de in zip(summary_paragraphs(scene), summary_paragraphs(scene, lang="de"), strict=True):
        en_numbers = re.findall(NUMBER, en)
        de_numbers = [
            n.replace(".", ",") for n in re.findall(r"(?<![\w.,])\d{1,3}(?:\.\d{3})*(?![\w])", de)
        ]
        assert sorted(de_numbers) == sorted(en_numbers)


def test_german_names_come_from_the_layers() -> None:
    text = summary_text("inf-2020", lang="de")
    assert (
        "Von überall in der Oblast Kaliningrad aus erreicht der 9M729 "
        "(bis zu 480 km; angegeben, laut Russland)"
    ) in text
    assert "Polen, Belarus, Litauen" in text and "Poland, Belarus" not in text
    assert "Deutschland" in text
    assert "2.350 km" in text
    assert "kommen kein Land und 1 Hauptstadt (Stockholm) hinzu" in text


@pytest.mark.parametrize(
    ("scene", "english", "german"),
    [
        ("inf-2020", "the Kaliningrad region", "der Oblast Kaliningrad"),
        ("oreshnik-belarus-2025", "Belarus", "Belarus"),
    ],
)
def test_an_area_site_is_named_in_the_article_language(scene, english, german) -> None:
    """German text names a launch area in German (layers/areas.yaml name_de), never with the
    English name inside a German sentence."""
    en = summary_text(scene, lang="en")
    de = summary_text(scene, lang="de")
    assert f"From anywhere in {english}, " in en
    assert f"Von überall in {german} aus " in de
    assert "überall in the " not in de and "Kaliningrad region" not in de


def _region_km(area, lat: float, lon: float) -> float:
    """Oracle: GeographicLib distance (km) to the area's boundary, densified to 0.005 degrees
    (<= 560 m between points: at 480 km a point's distance is at most 0.1 m too long)."""
    points = shapely.get_coordinates(shapely.segmentize(shapely.boundary(area.geometry), 0.005))
    return min(WGS84.Inverse(lat, lon, y, x)["s12"] for x, y in points) / 1000.0


def test_near_misses_are_the_capitals_just_beyond() -> None:
    """Measured from the whole Kaliningrad region, not from the city: Berlin (529 km from the
    city) is within Russia's 480 km; Stockholm is a near miss of 480 km and in reach at 500 km;
    Tallinn is just beyond both."""
    scene = resolve_scene(load_scene("inf-2020"))
    area = next(s.location.area for s in scene.sites if s.id == "kaliningrad-region")
    cities = layers.cities()
    where = {
        str(cities.name[i]): (float(cities.lat[i]), float(cities.lon[i]))
        for i in np.flatnonzero(cities.capital)
    }
    rows = {(m.layer, m.city): m for m in near_miss_rows(scene)}
    short = ("kaliningrad-region--9m729-ru-480", "kaliningrad-region--9m729-us-beyond-500")
    assert {city for layer, city in rows if layer in short} == {"Stockholm", "Tallinn"}
    km = {layer.id: layer.ring.km for layer in described(scene)}
    for (layer, city), row in rows.items():
        if layer.startswith("kaliningrad-region--"):
            assert row.distance_km == pytest.approx(_region_km(area, *where[city]), abs=0.05)
            assert row.beyond_km == pytest.approx(row.distance_km - km[layer], abs=1e-9)
    assert ("kaliningrad-region--9m729-ru-480", "Stockholm") in rows
    assert ("kaliningrad-region--9m729-us-beyond-500", "Stockholm") not in rows
    assert _region_km(area, *where["Berlin"]) < 480 < _region_km(area, *where["Stockholm"]) < 500
    text = summary_text(scene)
    assert "From anywhere in the Kaliningrad region, the 9M729 (up to 480 km;" in text


def test_own_range_in_miles_reads_as_given() -> None:
    site = SceneSite(site="deveselu", name="Deveselu", ranges=(SceneRange(km="1000mi"),))
    text = summary_text(resolve_scene(Scene(title="T", sites=(site,))))
    assert "From Deveselu, a range of 1,000 mi (1,609 km) reaches" in text


def test_unknown_language_lists_the_known_ones() -> None:
    assert languages() == ["de", "en", "fr", "pl", "ro", "ru", "uk"]
    with pytest.raises(InputError, match="unknown language 'it'; known languages: de, en, fr"):
        summary_text("inf-2020", lang="it")


def test_summary_command(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["summary", "inf-2020", "--lang", "de"])
    assert result.exit_code == 0
    assert result.stdout == summary_text("inf-2020", lang="de")
    bad = runner.invoke(cli, ["summary", "-o", str(tmp_path / "s.pdf")])
    assert bad.exit_code == 2 and "it can be written as text (.txt, .md)" in bad.stderr


def test_html_map_carries_the_text_alternative() -> None:
    """The page of an HTML map holds the same paragraphs, HTML-escaped, folded under the map
    (a <details> every reader can open, screen readers included)."""
    from html import escape

    from rangemap.render.html_map import map_html, render_map

    scene = resolve_scene(load_scene("us-germany-2024"))
    page = map_html(render_map(scene))
    block = page[page.index('<details class="rm-text" id="rm-text" lang="en">') :]
    for paragraph in summary_paragraphs(scene):
        assert f"<p>{escape(paragraph)}</p>" in block


def test_sidebar_is_short_with_display_names_and_readable_areas(scene) -> None:
    """One row per described disc (claims drawing the same disc share a row): the site's
    display name, the range, the counts and capitals from the tables, the area in readable
    units; no layer ids, no 13 columns."""
    from rangemap.summary import paragraph_groups, sidebar_markdown

    countries, capitals = _table(scene), _table(scene, capitals_only=True)
    text = sidebar_markdown(scene)
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    layers = [items[0].layer for items, _ in paragraph_groups(scene)]
    assert len(rows) == len(layers)
    for layer, row in zip(layers, rows, strict=True):
        site, span, _claim, count, caps, area = (c.strip() for c in row.strip("|").split(" | "))
        assert layer.id not in text
        assert site == layer.site_label
        states = [r for r in countries if r["layer"] == layer.id and r["status"] == "state"]
        assert count == f"{len(states):,}"
        own_caps = [
            r["city"] for r in capitals if r["layer"] == layer.id and r["capital"] == "national"
        ]
        assert caps == "\u2013" if not own_caps else caps.startswith(own_caps[0])
        km2 = layer.ring.area_km2
        if km2 >= 1e6:
            assert area == f"{km2 / 1e6:,.1f} million km\u00b2"
        else:
            assert area == f"{round(km2, -3):,.0f} km\u00b2"
        assert span.endswith(" km") or span.endswith(" km)")
    assert "GeoNames (CC BY 4.0)" in text
    from rangemap.scene_export import _CREDITS

    assert text.endswith(_CREDITS + "\n")  # the tables' credits, word for word in English


def test_sidebar_command_in_german() -> None:
    result = CliRunner().invoke(cli, ["summary", "us-germany-2024", "--sidebar", "--lang", "de"])
    assert result.exit_code == 0
    assert "| Standort | Reichweite |" in result.stdout
    assert re.search(r"\| \d+,\d Mio\. km\u00b2 \|", result.stdout)
    assert "| 785.000 km\u00b2 |" in result.stdout


def test_own_range_that_says_who_gives_it_reads_like_a_claim():
    """A scene's own range with a kind and a claimant says both, as a catalog claim does."""
    from rangemap.catalog import Source

    source = Source(publisher="Reuters", title="[test]", date="2025")
    spec = SceneRange(km="3400mi", kind="estimate", claimed_by="Reuters", sources=(source,))
    scene = Scene(title="T", sites=(SceneSite(site="krychaw", ranges=(spec, SceneRange(km=1000))),))
    english = summary_text(scene).splitlines()
    assert english[2].startswith(
        "From Krychaw, a range of 3,400 mi (5,472 km) (estimate, according to Reuters) reaches "
    )
    assert english[4].startswith("From Krychaw, a range of 1,000 km reaches ")
    german = summary_text(scene, lang="de").splitlines()[2]
    assert "(Schätzung, laut Reuters)" in german


# --- every language ------------------------------------------------------------------------

OTHER_LANGS = ["de", "fr", "pl", "ro", "ru", "uk"]


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_summary_names_countries_and_capitals_in_the_language(lang) -> None:
    """Every country and capital the text names is in `lang` (CLDR), no English name is
    left but those layers/data/names_fallback.tsv lists, and the figures are the English
    text's, written as the language writes them."""
    from rangemap.language import Language

    words = Language(lang)
    scene = resolve_scene(load_scene("inf-2020"))
    text = " ".join(summary_paragraphs(scene, lang=lang))  # the title is the scene's words
    fallback = {
        line.split("\t")[3]
        for line in (layers.layers_dir() / "data" / "names_fallback.tsv")
        .read_text(encoding="utf-8")
        .splitlines()[1:]
        if line.startswith(f"{lang}\t")
    }
    for name in sorted(fallback, key=len, reverse=True):  # listed: Andorra la Vella stays
        text = text.replace(name, "")
    countries = layers.countries()
    for iso, english in zip(countries.iso_a3.tolist(), countries.name_en.tolist(), strict=True):
        own = words.country(iso, english)
        if english not in own and english not in fallback:  # (Îles Åland holds Åland)
            assert not re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text), (lang, english)
    assert words.country("DEU", "Germany") in text and words.country("POL", "Poland") in text
    assert words.capital("Warsaw", "POL") in text and words.capital("Berlin", "DEU") in text
    if words.capital("Warsaw", "POL") != "Warsaw":
        assert "Warsaw" not in text
    assert words.distance(2350) in text  # 2.350 km, 2 350 км, 2350 km ...
    for english_word in ("according to", "reaches", "capitals", "countries", "Just out of"):
        assert english_word not in text, (lang, english_word)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_sidebar_in_the_language(lang) -> None:
    from rangemap.language import Language, phrases
    from rangemap.summary import sidebar_markdown

    text = sidebar_markdown("inf-2020", lang=lang)
    assert "| " + " | ".join(phrases(lang)["sidebar_columns"]) + " |" in text
    assert "Warsaw" not in text and "Deveselu (Romania)" not in text
    romania = Language(lang).country("ROU", "Romania")
    assert f"Deveselu ({romania})" in text  # the scene's note in brackets, translated
    assert "Borders" not in text and "GeoNames (CC BY 4.0)" in text  # credits translated


def test_a_scene_in_polish_writes_polish(tmp_path: Path) -> None:
    """A scene file with `lang: pl` gives Polish text by default, and a Polish page."""
    path = tmp_path / "pl.yaml"
    path.write_text(
        "title: Zasięg z obwodu kaliningradzkiego\nlang: pl\n"
        "sites:\n  - site: kaliningrad-region\n    claims: [9m729/ru-480]\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["summary", str(path)])
    assert result.exit_code == 0, result.output
    assert "Obwód kaliningradzki (z dowolnego miejsca) \u2013 9M729 (do 480 km; deklaracja" in (
        result.stdout
    )
    assert "w zasięgu: 11 państw (Polska, Białoruś, Litwa" in result.stdout
    assert "6 stolic (Wilno, Ryga, Warszawa, Mińsk, Berlin i Kopenhaga)" in result.stdout
    out = tmp_path / "pl.html"
    result = runner.invoke(cli, ["-q", "map", str(path), "-o", str(out), "--offline"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="pl">')
    assert '<details class="rm-text" id="rm-text" lang="pl">' in page
    assert "Co pokazuje mapa \u2013 opis słowny" in page and "Warszawa" in page
    snippet = (tmp_path / "pl.embed.html").read_text(encoding="utf-8")
    assert 'aria-label="Mapa interaktywna: Zasięg z obwodu kaliningradzkiego"' in snippet


@pytest.mark.parametrize("lang", ["en", *OTHER_LANGS])
def test_map_lang_sets_the_page_language(tmp_path: Path, lang) -> None:
    """`rangemap map --lang L`: <html lang="L">, the map in words and the embed's label in L."""
    from rangemap.language import phrases

    out = tmp_path / "m.html"
    result = CliRunner().invoke(
        cli, ["-q", "map", "oreshnik-belarus-2025", "--lang", lang, "--offline", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
    scene = resolve_scene(load_scene("oreshnik-belarus-2025").model_copy(update={"lang": lang}))
    for paragraph in summary_paragraphs(scene):
        assert html.escape(paragraph) in page
    label = phrases(lang)["embed_label"].format(title="Oreshnik in Belarus")
    assert html.escape(label) in (tmp_path / "m.embed.html").read_text(encoding="utf-8")


def test_static_map_alt_text_in_the_language(tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    result = CliRunner().invoke(
        cli, ["-q", "map", "oreshnik-belarus-2025", "--lang", "ru", "-o", str(out), "--size",
              "1200x800", "--dpi", "100"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    alt = (tmp_path / "m.alt.txt").read_text(encoding="utf-8")
    assert alt == summary_text("oreshnik-belarus-2025", lang="ru")
    assert "Беларусь (из любой точки) — Орешник" not in alt  # weapon names stay as catalogued
    lead = "Беларусь (из любой точки) — Oreshnik (до 5\u00a0500 км; заявлено, по данным России)"
    assert lead in alt


def test_two_claims_drawing_one_disc_are_said_once() -> None:
    """inf-2020: the United States' "beyond 500 km" and the lower end of its 500-5,500 km
    draw the same disc; its paragraph was printed twice, word for word (issue 25)."""
    text = summary_text("inf-2020")
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    (once,) = [p for p in paragraphs if "(at least 500 km;" in p]
    assert once.endswith(
        "This range stands for 2 claims: United States (US embassy in Moscow, spokesperson "
        "Andrea Kalan); United States (State Department compliance reports, 2014-2018 editions)."
    )
    german = summary_text("inf-2020", lang="de").split("\n\n")
    assert len(german) == len(paragraphs) and "Diese Reichweite steht für 2 Angaben" in german[2]


def test_the_sidebar_gives_one_row_to_claims_drawing_one_disc() -> None:
    """The sidebar's rows follow the text's paragraphs: inf-2020's two "at least 500 km"
    claims of the United States are one row, as they are one paragraph."""
    from rangemap.summary import sidebar_markdown

    rows = [line for line in sidebar_markdown("inf-2020").splitlines() if line.startswith("| ")]
    assert len(rows) == len(set(rows))
    assert sum("| at least 500 km |" in row for row in rows) == 1
    assert len(rows) - 1 == len(summary_paragraphs("inf-2020"))  # a header, then one per disc
