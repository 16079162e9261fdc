"""Table formats: the same rows as text, CSV, JSON and Markdown, rounded the same way."""

from __future__ import annotations

import csv
import io
import json
from typing import NamedTuple

from rangemap.tables import render


class Row(NamedTuple):
    country: str
    covered_km2: float
    covered_pct: float
    capital: bool
    km_min: float | None


ROWS = [
    Row("Lithuania", 64938.88306, 100.0, True, None),
    Row("Po|and", 1234.56, 9.0312, False, 500),
]


def test_csv_rounds_and_leaves_missing_values_empty() -> None:
    rows = list(csv.reader(io.StringIO(render(ROWS, "csv"))))
    assert rows[0] == ["country", "covered_km2", "covered_pct", "capital", "km_min"]
    assert rows[1] == ["Lithuania", "64938.9", "100.0", "True", ""]


def test_json_keeps_types() -> None:
    records = json.loads(render(ROWS, "json"))
    assert records[0] == {
        "country": "Lithuania", "covered_km2": 64938.9, "covered_pct": 100.0, "capital": True,
        "km_min": None,
    }  # fmt: skip
    assert records[1]["km_min"] == 500


def test_markdown_escapes_pipes() -> None:
    text = render(ROWS, "md")
    assert text.splitlines()[1] == "|---|---|---|---|---|"
    assert "Po\\|and" in text


def test_text_table_aligns_numbers_right() -> None:
    lines = render(ROWS, "table").splitlines()
    assert lines[0].split() == ["country", "covered_km2", "covered_pct", "capital", "km_min"]
    assert "64,938.9" in lines[1] and "100.00" in lines[1] and "yes" in lines[1]
    assert lines[1].index("64,938.9") + len("64,938.9") == lines[2].index("1,234.6") + len(
        "1,234.6"
    )


def test_empty_rows_keep_their_header() -> None:
    assert render([], "csv", columns=Row._fields) == ",".join(Row._fields) + "\n"
    assert json.loads(render([], "json", columns=Row._fields)) == []
