"""Table formats: the same rows as text, CSV, JSON and Markdown, rounded the same way."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import NamedTuple

import markdown
import pytest
from markdown_it import MarkdownIt

from rangemap.tables import csv_cell, md_text, render


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


class Labelled(NamedTuple):
    label: str
    range_km: float
    pct_480_km: float


PAYLOAD = '<img src=x onerror="alert(1)"> & [x](javascript:alert(2)) *a*'
HOSTILE = [
    Labelled(PAYLOAD, 480.0, 12.5),
    Labelled("two|cells\nand a row", -1.5, -0.25),
    Labelled('=HYPERLINK("http://evil","x")', 500.0, 1.0),
]


@pytest.mark.parametrize("renderer", ["markdown-it", "Python-Markdown"])
def test_markdown_shows_scene_text_as_text(renderer: str) -> None:
    """Regression: labels went into Markdown raw, so markdown-it and Python-Markdown rendered
    `<img onerror>` as an element, and `|` or a newline forged cells and rows."""
    text = render(HOSTILE, "md")
    if renderer == "markdown-it":
        page = MarkdownIt("commonmark").enable("table").render(text)
    else:
        page = markdown.markdown(text, extensions=["tables"])
    assert "<img" not in page and "<a " not in page and "<em>" not in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)
    assert len(cells) == 3 * 3  # three rows of three cells: nothing forged
    assert "&lt;img src=x onerror=" in cells[0]
    assert cells[3] == "two|cells and a row"


def test_markdown_escapes_markup_pipes_and_line_breaks() -> None:
    assert md_text("a|b\r\nc <b>&") == "a\\|b c &lt;b&gt;&amp;"


def test_csv_neutralises_formulas_but_not_numbers() -> None:
    """Regression: `=HYPERLINK(...)` in a label was written as it is, a formula in a
    spreadsheet (OWASP CSV injection): cells starting with = + - @ tab or CR get a `'`."""
    rows = list(csv.reader(io.StringIO(render(HOSTILE, "csv"))))
    assert rows[3][0] == '\'=HYPERLINK("http://evil","x")'
    assert rows[2][1:] == ["-1.5", "-0.25"]  # numeric columns as they are
    for start in "=+-@\t\r":
        assert csv_cell(start + "SUM(A1)") == "'" + start + "SUM(A1)"
    assert csv_cell("-33.9,18.4") == "-33.9,18.4"  # coordinates, not a formula
    assert csv_cell(-3) == -3 and csv_cell(None) == ""
