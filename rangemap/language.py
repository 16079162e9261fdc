"""The reader's language: its phrases, its numbers and units, its plural forms, its names.

A language is a phrases file, rangemap/phrases/LANG.yaml, with every key of en.yaml. A file
may leave keys to English only by listing them under `english_fallback:`; a key missing and
not listed is an error, so nothing falls back to English unseen. Numbers, units and plural
forms come from CLDR through babel (`2,350 km`, `2.350 km`, `2 350 km`; Polish one, few,
many). Country and place names in each language are built into layers/data/ by
layers/build_country_names.py from CLDR (and Natural Earth), with what falls back to English
listed in layers/data/names_fallback.tsv.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from rangemap.errors import InputError

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"
#: Keys of a phrases file that are settings, not words (English has no fallback list).
_SETTINGS = ("english_fallback", "min_grouping_digits")
#: Unit names of rangemap.units.Km.unit as CLDR calls them.
_CLDR_UNITS = {"km": "length-kilometer", "mi": "length-mile", "nmi": "length-nautical-mile"}


def languages() -> list[str]:
    """The languages with a phrases file: ['de', 'en', 'fr', 'pl', 'ro', 'ru', 'uk']."""
    return sorted(p.stem for p in PHRASES_DIR.glob("*.yaml"))


def _read(lang: str) -> dict[str, Any]:
    """A phrases file (the package's own): read by libyaml where PyYAML has it, ~10x faster
    than its pure-Python loader and the same data."""
    import yaml

    with open(PHRASES_DIR / f"{lang}.yaml", encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def phrases(lang: str) -> Mapping[str, Any]:
    """The phrases of `lang`, the keys it lists under `english_fallback` taken from English.

    InputError for an unknown language; ValueError for a file that lacks a key of en.yaml
    without listing it, or lists one it has (a broken file in the package)."""
    if lang not in languages():
        raise InputError(f"unknown language {lang!r}; known languages: {', '.join(languages())}.")
    own, english = _read(lang), _read("en")
    listed = set(own.get("english_fallback") or ())
    missing = set(english) - set(own) - set(_SETTINGS)
    if missing - listed or listed & set(own):
        raise ValueError(
            f"rangemap/phrases/{lang}.yaml: keys missing and not listed under english_fallback: "
            f"{sorted(missing - listed)}; listed but present: {sorted(listed & set(own))}"
        )
    return {**{k: english[k] for k in listed}, **own}


def english_fallback(lang: str) -> list[str]:
    """The keys `lang` leaves to English (its file's `english_fallback` list)."""
    return sorted(phrases(lang).get("english_fallback") or ())


def base_language(tag: str) -> str:
    """The phrases language of a BCP 47 tag ('de-CH' -> 'de'); InputError for one without
    a phrases file."""
    lang = tag.split("-")[0].lower()
    if lang not in languages():
        raise InputError(
            f"language {tag!r} has no phrases file; known languages: {', '.join(languages())} "
            "(add rangemap/phrases/LANG.yaml to add one)."
        )
    return lang


class Language:
    """Numbers, units, plural forms, words and names in one language."""

    def __init__(self, lang: str) -> None:
        from babel import Locale

        self.code = lang
        self.words = phrases(lang)
        self.locale = Locale(lang)
        self._min_grouping = int(self.words.get("min_grouping_digits", 1))
        self._numbers: dict[tuple[float, int], str] = {}  # babel takes ~0.1 ms a number

    def __repr__(self) -> str:
        return f"Language({self.code!r})"

    # --- numbers -------------------------------------------------------------------------

    def _pattern(self, value: float, decimals: int) -> str:
        """CLDR's number pattern with `decimals` places, ungrouped below the language's
        minimum grouping (pl: 2350, but 12 350)."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        if abs(value) < 10 ** (3 + self._min_grouping - 1):
            pattern = pattern.replace("#,##", "")
        return pattern

    def number(self, value: float, decimals: int = 0) -> str:
        """`value` rounded, grouped as CLDR groups it for the language: 2,350 (en), 2.350 (de,
        ro), 2 350 with a no-break space (ru, uk), 2 350 with a narrow no-break space (fr),
        2350 but 12 350 (pl: CLDR's minimumGroupingDigits 2, which babel does not carry)."""
        value = round(value, decimals) + 0.0  # -0.0 is 0
        text = self._numbers.get((value, decimals))
        if text is None:
            from babel.numbers import format_decimal

            pattern = self._pattern(value, decimals)
            text = format_decimal(value, format=pattern, locale=self.locale)
            self._numbers[value, decimals] = text
        return text

    def unit(self, value: float, unit: str) -> str:
        """A rounded number with its unit as CLDR writes it, in the plural form of the number:
        '480 km', '480 км', '480\u202fkm' (fr), '1000 mil' (pl); `unit` is km, mi, nmi or
        km2."""
        from babel.units import format_unit

        value = round(value)
        cldr = "area-square-kilometer" if unit == "km2" else _CLDR_UNITS[unit]
        pattern = self._pattern(value, 0)
        return format_unit(value, cldr, length="short", format=pattern, locale=self.locale)

    def distance(self, km: float) -> str:
        """'480 km'; a range given in miles: '1,000 mi (1,609 km)', in this language."""
        given_unit = getattr(km, "unit", "km")
        if given_unit != "km":
            return f"{self.unit(km.given, given_unit)} ({self.unit(km, 'km')})"
        return self.unit(km, "km")

    def area(self, km2: float) -> str:
        """'74.6 million km²' from a million up, else '725,000 km²' (to the thousand)."""
        if km2 >= 1e6:
            millions = round(km2 / 1e6, 1)
            forms = self.words["area_million"]  # French: 1,5 million, 2,5 millions
            if not isinstance(forms, str):
                forms = forms[self.plural(millions)]
            return forms.format(n=self.number(millions, 1))
        return self.unit(round(km2, -3), "km2")

    # --- plural forms --------------------------------------------------------------------

    def plural(self, n: int) -> str:
        """CLDR's plural category of `n`: one, few, many or other (pl: 1 one, 2-4 few,
        5-21 many, 22 few)."""
        return self.locale.plural_form(n)

    def counted(self, key: str, n: int, **fields: Any) -> str:
        """The phrase under `key` in the form for `n` (`zero` where the file gives one),
        with {n} formatted; a phrase that is one string has one form for every number."""
        forms = self.words[key]
        if isinstance(forms, str):
            return forms.format(n=self.number(n), **fields)
        form = "zero" if n == 0 and "zero" in forms else self.plural(n)
        return forms[form].format(n=self.number(n), **fields)

    def join(self, names: Sequence[str]) -> str:
        """'A, B and C' in this language."""
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + self.words["and"] + names[-1]

    # --- names ---------------------------------------------------------------------------

    def country(self, iso_a3: str, name_en: str) -> str:
        """The name of a country unit (as rows carry it: ISO code and English name) in this
        language; English where layers/data/names_fallback.tsv says so."""
        return _country_names(self.code).get((iso_a3, name_en), name_en)

    def place(self, geonameid: int, name: str) -> str:
        """A place's name in this language where CLDR gives one (places that name a time
        zone: Warsaw -> Varșovia), else its GeoNames name."""
        return _place_names(self.code).get(int(geonameid), name)

    def capital(self, name: str, iso_a3: str) -> str:
        """A capital (as table rows carry it: GeoNames name and country code) in this
        language, where CLDR names it; else its GeoNames name."""
        gid = _capital_ids().get((name, iso_a3))
        return name if gid is None else self.place(gid, name)


def _table(name: str, lang: str) -> tuple[int, list[list[str]]]:
    """The column of `lang` in layers/data/NAME and the table's rows."""
    from rangemap import layers

    text = (layers.layers_dir() / "data" / name).read_text(encoding="utf-8")
    header, *rows = (line.split("\t") for line in text.splitlines())
    if lang not in header:  # a phrases file added without building its names
        raise ValueError(
            f"layers/data/{name} has no names in {lang!r}: run python layers/build_country_names.py"
        )
    return header.index(lang), rows


@cache
def _country_names(lang: str) -> dict[tuple[str, str], str]:
    """(iso_a3, English name) -> name in `lang` (layers/data/country_names.tsv, by ADM0_A3).

    Rows carry the ISO code and the English name (NAME_EN): Natural Earth gives one ISO code to
    several units (AUS to Ashmore and Cartier too), so both are the key."""
    from rangemap import layers

    if lang == "en":
        return {}
    column, rows = _table("country_names.tsv", lang)
    by_adm0 = {row[0]: row[column] for row in rows}
    countries = layers.countries()
    return {
        (str(iso), str(name)): by_adm0[str(adm0)]
        for adm0, iso, name in zip(
            countries.adm0_a3, countries.iso_a3, countries.name_en, strict=True
        )
    }


@cache
def _place_names(lang: str) -> dict[int, str]:
    """geonameid -> name in `lang` (layers/data/place_names.tsv)."""
    if lang == "en":
        return {}
    column, rows = _table("place_names.tsv", lang)
    return {int(row[0]): row[column] for row in rows}


@cache
def _capital_ids() -> dict[tuple[str, str], int]:
    """(GeoNames name, ISO alpha-3) -> geonameid of every national or territorial capital."""
    import numpy as np

    from rangemap import layers

    cities = layers.cities()
    rows = np.flatnonzero(cities.capital | cities.territory_capital)
    return {
        (str(cities.name[i]), str(cities.country_iso3[i])): int(cities.geonameid[i]) for i in rows
    }


@cache
def language(lang: str) -> Language:
    """The Language of a phrases language code ('de')."""
    return Language(lang)
