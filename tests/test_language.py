"""rangemap.language: phrases with a listed English fallback, CLDR numbers, units, plural
forms and names in every language rangemap writes."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from rangemap import language as language_module
from rangemap import layers
from rangemap.errors import InputError
from rangemap.language import Language, base_language, english_fallback, languages, phrases

LANGS = ["de", "en", "fr", "pl", "ro", "ru", "uk"]
NBSP, NNBSP = "\u00a0", "\u202f"
#: Keys of a phrases file that hold words by name, not phrases with forms.
WORDS = {"language", "sidebar_columns", "areas", "site_notes", "kinds", "bounds", "parties"}


def test_the_languages_are_the_phrases_files() -> None:
    assert languages() == LANGS
    assert base_language("de-CH") == "de"
    with pytest.raises(InputError, match=r"'it' has no phrases file.*de, en, fr, pl, ro, ru, uk"):
        base_language("it")


@pytest.mark.parametrize(
    ("lang", "small", "large", "km", "km2"),
    [
        ("en", "2,350", "12,350", "2,350 km", "725,000 km²"),
        ("de", "2.350", "12.350", "2.350 km", "725.000 km²"),
        ("ro", "2.350", "12.350", "2.350 km", "725.000 km²"),
        # Polish: CLDR's minimumGroupingDigits 2, four digits stay together
        ("pl", "2350", f"12{NBSP}350", "2350 km", f"725{NBSP}000 km²"),
        ("ru", f"2{NBSP}350", f"12{NBSP}350", f"2{NBSP}350 км", f"725{NBSP}000 км²"),
        ("uk", f"2{NBSP}350", f"12{NBSP}350", f"2{NBSP}350 км", f"725{NBSP}000 км²"),
        # French: a narrow no-break space in the number and before the unit
        ("fr", f"2{NNBSP}350", f"12{NNBSP}350", f"2{NNBSP}350{NNBSP}km", f"725{NNBSP}000{NNBSP}km²"),  # noqa: E501
    ],
)
def test_numbers_and_units_as_cldr_writes_them(lang, small, large, km, km2) -> None:
    words = Language(lang)
    assert (words.number(2350), words.number(12350), words.number(480)) == (small, large, "480")
    assert words.distance(2350) == km
    assert words.area(725_000) == km2


def test_ranges_given_in_miles_and_areas_in_millions() -> None:
    from rangemap.units import parse_range

    assert Language("en").distance(parse_range("1000mi")) == "1,000 mi (1,609 km)"
    assert Language("de").distance(parse_range("1000mi")) == "1.000 mi (1.609 km)"
    # the unit in the plural form of its number
    assert Language("pl").distance(parse_range("3400mi")) == "3400 mil (5472 km)"
    assert Language("pl").distance(parse_range("1mi")) == "1 mila (2 km)"
    assert Language("uk").distance(parse_range("3400mi")) == "3\u00a0400 миль (5\u00a0472 км)"
    assert Language("en").area(74.6e6) == "74.6 million km²"
    assert Language("de").area(74.6e6) == "74,6 Mio. km²"
    assert Language("fr").area(74.6e6) == "74,6 millions de km²"
    assert Language("fr").area(1.5e6) == "1,5 million de km²"  # French: plural from 2


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {0: "other", 1: "one", 2: "other", 5: "other", 22: "other"}),
        ("pl", {0: "many", 1: "one", 2: "few", 5: "many", 12: "many", 22: "few", 25: "many"}),
        ("ru", {1: "one", 2: "few", 5: "many", 11: "many", 21: "one", 22: "few"}),
        ("uk", {1: "one", 3: "few", 7: "many", 21: "one", 24: "few"}),
        ("ro", {1: "one", 2: "few", 19: "few", 20: "other", 102: "few"}),
        ("fr", {0: "one", 1: "one", 2: "other"}),
    ],
)
def test_plural_forms_from_cldr(lang, expected) -> None:
    words = Language(lang)
    assert {n: words.plural(n) for n in expected} == expected


def test_counted_phrases_take_the_form_of_the_number() -> None:
    pl, ru, ro = Language("pl"), Language("ru"), Language("ro")
    assert pl.counted("countries", 1, names="Polska") == "1 państwo (Polska)"
    assert pl.counted("countries", 3, names="…") == "3 państwa (…)"
    assert pl.counted("countries", 11, names="…") == "11 państw (…)"
    assert pl.counted("countries", 22, names="…") == "22 państwa (…)"
    assert pl.counted("capitals", 0, names="") == "żadna stolica"
    assert ru.counted("capitals", 21, names="…") == "21 столица (…)"
    assert ro.counted("countries", 20, names="…") == "20 de țări (…)"
    assert ro.counted("countries", 19, names="…") == "19 țări (…)"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_every_phrases_file_says_everything_english_says(lang) -> None:
    """Every key of en.yaml (or listed under english_fallback), each phrase with English's
    {placeholders}, and each counted phrase with every plural form CLDR has for the
    language."""
    english, own = phrases("en"), phrases(lang)
    assert set(english) <= set(own)
    assert english_fallback(lang) == []  # all seven are translated in full
    tags = Language(lang).locale.plural_form.tags | {"other"}
    for key, value in english.items():
        if key in WORDS:
            continue  # words, not sentences: checked below
        theirs, ours = own[key], value
        if isinstance(theirs, dict) or isinstance(ours, dict):  # a phrase with forms
            theirs = theirs if isinstance(theirs, dict) else {"other": theirs}
            ours = ours if isinstance(ours, dict) else {"other": ours}
            if len(theirs) > 1:
                assert tags <= set(theirs), (lang, key, tags - set(theirs))
            for form, text in theirs.items():
                assert _fields(text) == _fields(ours.get(form, ours["other"])), (lang, key)
        else:
            assert _fields(theirs) == _fields(ours), (lang, key)
    for bound, text in own["bounds"].items():
        assert _fields(text) == {"span"}, (lang, bound)
    assert set(own["kinds"]) == set(english["kinds"])
    assert len(own["sidebar_columns"]) == len(english["sidebar_columns"])


def _phrases_dir(tmp_path: Path, monkeypatch, text: str) -> None:
    (tmp_path / "en.yaml").write_text(
        (language_module.PHRASES_DIR / "en.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "xx.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(language_module, "PHRASES_DIR", tmp_path)
    language_module.phrases.cache_clear()


def test_a_key_falls_back_to_english_only_when_listed(tmp_path, monkeypatch) -> None:
    import yaml

    english = yaml.safe_load((language_module.PHRASES_DIR / "en.yaml").read_text("utf-8"))
    own = {k: v for k, v in english.items() if k != "text_label"}
    _phrases_dir(tmp_path, monkeypatch, yaml.safe_dump(own, allow_unicode=True))
    try:
        with pytest.raises(ValueError, match=r"xx\.yaml: keys missing.*\['text_label'\]"):
            phrases("xx")
        language_module.phrases.cache_clear()
        own["english_fallback"] = ["text_label"]
        (tmp_path / "xx.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), "utf-8")
        assert phrases("xx")["text_label"] == "What the map shows, in words"
        assert english_fallback("xx") == ["text_label"]
    finally:
        language_module.phrases.cache_clear()


def test_an_unknown_language_is_one_clear_message() -> None:
    with pytest.raises(InputError, match="unknown language 'it'; known languages: de, en"):
        phrases("it")


# --- names -------------------------------------------------------------------------------


def test_german_names_are_keyed_on_the_names_rows_carry() -> None:
    """The bug: rows carry Natural Earth's NAME_EN ("People's Republic of China") and the
    lookup keyed on its short NAME ("China"), so these stayed English in German text."""
    de = Language("de")
    assert de.country("CHN", "People's Republic of China") == "China"
    assert de.country("FRO", "Faroe Islands") == "Färöer"
    assert de.country("CZE", "Czech Republic") == "Tschechien"
    assert de.country("WSB", "Akrotiri Sovereign Base Area") == "Akrotiri"
    # one ISO code, several units: Ashmore and Cartier is not "Australien"
    assert de.country("AUS", "Australia") == "Australien"
    assert de.country("AUS", "Ashmore and Cartier Islands") == "Ashmore- und Cartierinseln"


@pytest.mark.parametrize(
    ("lang", "germany", "warsaw", "palestine"),
    [
        ("en", "Germany", "Warsaw", "Palestine"),
        ("de", "Deutschland", "Warschau", "Palästina"),
        ("fr", "Allemagne", "Varsovie", "Palestine"),
        ("pl", "Niemcy", "Warszawa", "Palestyna"),
        ("ro", "Germania", "Varșovia", "Palestina"),
        ("ru", "Германия", "Варшава", "Палестина"),
        ("uk", "Німеччина", "Варшава", "Палестина"),
    ],
)
def test_names_in_every_language(lang, germany, warsaw, palestine) -> None:
    words = Language(lang)
    assert words.country("DEU", "Germany") == germany
    assert words.capital("Warsaw", "POL") == warsaw
    assert words.country("PSE", "Palestine") == palestine  # the state, not CLDR's territories


def test_cldr_interface_forms_are_corrected() -> None:
    """CLDR's Russian abbreviations and "special administrative region" qualifiers are
    spelled as running text writes them (layers/name_corrections.tsv)."""
    assert Language("ru").country("FRO", "Faroe Islands") == "Фарерские острова"
    assert Language("fr").country("HKG", "Hong Kong") == "Hong Kong"
    names = (layers.layers_dir() / "data" / "country_names.tsv").read_text(encoding="utf-8")
    assert not re.search(r"о-ва|о-в |R\.A\.S\.|SRA |САР|ОАР|\u00ad", names)  # noqa: RUF001


def test_what_falls_back_is_listed() -> None:
    """Every name not from CLDR is in layers/data/names_fallback.tsv with what it fell back
    to, and a name listed as English is the English one."""
    header, *rows = (
        line.split("\t")
        for line in (layers.layers_dir() / "data" / "names_fallback.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    assert header == ["lang", "kind", "key", "english", "used"]
    countries = layers.countries()
    iso3 = dict(zip(countries.adm0_a3.tolist(), countries.iso_a3.tolist(), strict=True))
    for lang, kind, key, english, used in rows:
        assert lang in LANGS and used in ("natural-earth", "english")
        if kind == "country" and used == "english":
            assert Language(lang).country(iso3[key], english) == english
    listed = {(r[0], r[2]) for r in rows if r[1] == "country"}
    # Romanian has no Natural Earth names: its units without an ISO code stay English
    assert ("ro", "WSB") in listed and Language("ro").country("WSB", "Akrotiri Sovereign Base Area") == "Akrotiri Sovereign Base Area"  # noqa: E501
    assert ("de", "DEU") not in listed
    capitals = {(r[0], r[3]) for r in rows if r[1] == "capital"}
    assert ("ru", "Douglas") in capitals and ("ru", "Warsaw") not in capitals


def test_a_language_whose_names_were_not_built_says_how_to_build_them() -> None:
    for table in (language_module._country_names, language_module._place_names):
        with pytest.raises(ValueError, match=r"no names in 'xx': run python layers/build_coun"):
            table.__wrapped__("xx")
