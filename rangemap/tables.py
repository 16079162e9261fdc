"""Rows of named tuples as text tables, CSV, JSON or Markdown: deterministic and script-friendly."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMATS = ("table", "csv", "json", "md")

#: Decimal places kept per column in every format (areas to 0.1 km2, percents to 0.001).
_DECIMALS = {
    "covered_km2": 1,
    "country_km2": 1,
    "area_km2": 1,
    "added_km2": 1,
    "covered_pct": 3,
    "distance_km": 1,
    "lat": 6,
    "lon": 6,
    "from_lat": 6,
    "from_lon": 6,
}


#: Range columns shown as whole numbers when they are whole (480, not 480.0).
_WHOLE_KM = {"range_km", "km_min", "km", "base_km"}


def _clean(column: str, value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        places = _DECIMALS.get(column, 3 if column.startswith("pct_") else None)
        if places is not None:
            value = round(value, places)
        return int(value) if value.is_integer() and column in _WHOLE_KM else value
    if isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value)
    return value


def _display(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        places = _DECIMALS.get(column, 2 if column.startswith("pct_") else None)
        if column.endswith("pct") or column.startswith("pct_"):
            places = 2
        elif column in ("lat", "lon", "from_lat", "from_lon"):
            places = 4
        if places is None:
            return f"{value:,g}"
        return f"{value:,.{places}f}"
    return str(value)


def records(
    rows: Sequence[Sequence[Any]], columns: Sequence[str] | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Column names and cleaned values (rounded as in _DECIMALS) of named tuples or sequences.

    `columns` names the columns of plain sequences, and keeps a header when rows is empty.
    """
    names = list(columns) if columns is not None else list(rows[0]._fields) if rows else []
    return names, [[_clean(c, v) for c, v in zip(names, row, strict=True)] for row in rows]


#: The widest a terminal table is drawn by the listing commands (sites, systems, reach)
#: unless --wide is given: their full text is for CSV, JSON and Markdown.
TERMINAL_WIDTH = 160
#: A text column is never cut below this many characters.
_MIN_CUT = 12
ELLIPSIS = "\u2026"


def fit_widths(widths: Sequence[int], order: Sequence[int], width: int) -> list[int]:
    """Column widths whose lines (two spaces between columns) fit `width`: the columns of
    `order` (indexes) are narrowed in that order, each as far as needed but never below
    _MIN_CUT; the others keep their width (the line may then stay wider)."""
    fitted = list(widths)
    for i in order:
        excess = sum(fitted) + 2 * (len(fitted) - 1) - width
        if excess <= 0:
            break
        fitted[i] = max(min(_MIN_CUT, fitted[i]), fitted[i] - excess)
    return fitted


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, ending in an ellipsis where it was cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS


def render(
    rows: Sequence[Sequence[Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    width: int | None = None,
    cut: Iterable[str] | None = None,
) -> str:
    """Format rows (named tuples, or sequences with `columns`) as table, csv, json or md.

    `width`: a text table's lines are kept to that many characters, the text of the `cut`
    columns shortened with an ellipsis, in that order (default: every text column, left to
    right); other formats keep every character."""
    names, values = records(rows, columns)
    if fmt == "json":
        return json.dumps([dict(zip(names, v, strict=True)) for v in values], indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([[csv_cell(x) for x in v] for v in values])
        return buffer.getvalue()
    cells, numeric = display_cells(names, values)
    if fmt == "md":
        lines = ["| " + " | ".join(map(md_text, names)) + " |", "|" + "---|" * len(names)]
        rows = ["| " + " | ".join(map(md_text, row)) + " |" for row in cells]
        return "\n".join(lines + rows) + "\n"
    widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(names)]
    if width is not None:
        text = [i for i, num in enumerate(numeric) if not num]
        order = text if cut is None else [names.index(n) for n in cut if n in names]
        widths = fit_widths(widths, [i for i in order if not numeric[i]], width)
        names = [_cut(n, w) for n, w in zip(names, widths, strict=True)]
        cells = [[_cut(c, w) for c, w in zip(row, widths, strict=True)] for row in cells]
    return "".join(aligned([names, *cells], widths, numeric))


def display_cells(
    names: Sequence[str], values: Sequence[Sequence[Any]]
) -> tuple[list[list[str]], list[bool]]:
    """Each cell of `records` output as shown in a text table, and which columns are all
    numbers (right-aligned). A table written in parts (rangemap batch) merges these per part."""
    cells = [[_display(c, x) for c, x in zip(names, v, strict=True)] for v in values]
    numeric = [bool(values) and all(_is_number(v[i]) for v in values) for i in range(len(names))]
    return cells, numeric


def aligned(
    lines: Iterable[Sequence[str]], widths: Sequence[int], numeric: Sequence[bool]
) -> Iterator[str]:
    """Text-table lines (each ending in a newline): numbers right-aligned, text left-aligned."""
    for items in lines:
        yield (
            "  ".join(
                s.rjust(w) if num else s.ljust(w)
                for s, w, num in zip(items, widths, numeric, strict=True)
            ).rstrip()
            + "\n"
        )


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


#: Characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"): a cell
#: starting with one is prefixed with an apostrophe, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Text that is plainly a number or "LAT,LON" ("-33.9,18.4"): no formula, left as it is.
_NUMBERS = re.compile(r"[-+]?\d+(\.\d+)?(,\s*[-+]?\d+(\.\d+)?)?", re.ASCII)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula; numbers are written as they are."""
    if value is None:
        return ""
    formula = isinstance(value, str) and value.startswith(_FORMULA_START)
    return "'" + value if formula and not _NUMBERS.fullmatch(value) else value


#: Markdown punctuation that makes links, emphasis, code or table cells (not "_", which
#: column names hold and which inside a word is text in CommonMark and Python-Markdown).
_MD_SPECIAL = re.compile(r"([\\`*\[\]|])")


def md_text(text: str) -> str:
    """Text for a Markdown table cell or line, shown as written: HTML markup escaped (no tag
    or entity renders), link, emphasis and cell syntax escaped, line breaks folded to spaces."""
    one_line = " ".join(str(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))
