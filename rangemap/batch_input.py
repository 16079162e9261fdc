"""Batch input: a CSV file (or Python rows) read, size-checked and validated before any work.

Each row goes through one pydantic model, BatchRow; its messages keep the file, the line and
the column ("rings.csv, line 7, column km: 'abc' is not a number").
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    InstanceOf,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from rangemap.errors import InputError, RangemapError, check_name
from rangemap.geodesic import SAFE_MAX_KM, ring_vertices
from rangemap.locations import Location
from rangemap.units import Km, parse_range, range_text

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_RINGS",
    "BatchRing",
    "BatchRow",
    "read_rings",
    "resolve_rings",
]

#: Columns a batch file may have; the first two are required.
COLUMNS = ("site", "km", "km_min", "label")
_REQUIRED = ("site", "km")
_HEADER_HINT = "the header row must name the columns site and km (optional: km_min, label)"

#: Largest batch file read (64 MiB, about 1.5 million short rows): the whole input is checked
#: before work starts, so it is held in memory; a bigger file (or /dev/zero) is refused early.
MAX_BYTES = 64 * 1024 * 1024
#: Most rings in one batch; split bigger grids into several files.
MAX_RINGS = 1_000_000


class BatchRing(NamedTuple):
    """One validated input row: the resolved site, its ranges in km and the row's label.

    `label` is None when the row has none; results then carry the ring's own label
    ("Kaliningrad, 480 km").
    """

    site: Location
    km: Km
    km_min: Km | None
    label: str | None


def _shown(value: object) -> str:
    return repr(value.strip()) if isinstance(value, str) else repr(value)


def _range(
    value: object, info: ValidationInfo, column: str, *, required: bool, what: str = "range"
) -> Km | None:
    """A range from CSV text ("480", "1000mi") or a Python number (km); None for an empty
    optional value. rangemap.units' message names the file, line and column itself."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError("missing value.")
        return None
    return parse_range(value, label=f"{info.context['where']}, column {column}", what=what)


class BatchRow(BaseModel):
    """One batch row as given (CSV text or Python values), checked column by column.

    Validate with ``context={"resolve": callable}``: the callable turns a site spelling into a
    Location (the caller caches it, so each distinct spelling is resolved once).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    # checked as an instance only: pydantic need not (and cannot, without importing the
    # launch-area machinery) build a schema of Location's fields
    site: InstanceOf[Location]
    km: Km
    km_min: Km | None
    label: str | None

    @field_validator("site", mode="before")
    @classmethod
    def _site(cls, value: Any, info: ValidationInfo) -> Location:
        if isinstance(value, Location):
            return value
        spec = "" if value is None else str(value).strip()
        if not spec:
            raise ValueError("missing value.")
        try:
            return info.context["resolve"](spec)
        except RangemapError as err:
            hint = ""
            if _is_float(spec):
                hint = ' In CSV, put LAT,LON in quotes: "54.717,20.517".'
            raise ValueError(f"{err}{hint}") from None

    @field_validator("km", mode="before")
    @classmethod
    def _km(cls, value: Any, info: ValidationInfo) -> Km:
        km = _range(value, info, "km", required=True)
        assert km is not None
        site = info.data.get("site")
        if km > SAFE_MAX_KM and site is not None:
            # Ranges past SAFE_MAX_KM are valid from some sites only: find out now.
            try:
                if site.area is not None:  # every boundary point's disc must stay a circle
                    from rangemap.buffer import area_range

                    area_range(site.area, km)
                else:
                    ring_vertices(site.lat, site.lon, km)
            except RangemapError as err:
                raise ValueError(str(err)) from None
        return km

    @field_validator("km_min", mode="before")
    @classmethod
    def _km_min(cls, value: Any, info: ValidationInfo) -> Km | None:
        km_min = _range(value, info, "km_min", required=False, what="inner range")
        if km_min is None:
            return None
        km = info.data.get("km")
        if km is not None and km_min >= km:
            raise ValueError(f"{_shown(value)} must be less than km ({range_text(km)}).")
        return km_min

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: Any) -> str | None:
        text = "" if value is None else str(value).strip()
        try:
            check_name(text, field="label")
        except InputError as err:
            raise ValueError(str(err)) from None
        return text or None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_rings(path: str | os.PathLike[str]) -> list[BatchRing]:
    """Read, validate and resolve every row of a batch CSV file before any work starts.

    The file has a header row naming its columns (site, km; optional km_min, label), then one
    ring per line; blank lines are skipped. Any problem raises one InputError naming the file,
    the line and the column, e.g. ``rings.csv, line 7, column km: 'abc' is not a number``.
    Files above MAX_BYTES or MAX_RINGS rings are refused.
    """
    shown = str(path)
    raw = _read_limited(path, shown)
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's UTF-8 export starts with a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{shown}, line {line}: not UTF-8 text; save the file as UTF-8.") from None
    del raw
    reader = csv.reader(text.splitlines())
    lines: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                lines.append((reader.line_num, row))
                if len(lines) > MAX_RINGS + 1:
                    raise InputError(
                        f"{shown}: more than {MAX_RINGS:,} rings; split it into several files."
                    )
    except csv.Error as exc:
        raise InputError(f"{shown}, line {reader.line_num}: not valid CSV ({exc}).") from None
    if not lines:
        raise InputError(f"{shown} is empty: {_HEADER_HINT}, then one ring per line.")
    header_line, header = lines[0]
    names = _header(header, f"{shown}, line {header_line}")
    if len(lines) == 1:
        raise InputError(f"{shown} has a header row but no rings: add one ring per line.")

    def rows() -> Iterable[tuple[str, Mapping[str, object]]]:
        for number, cells in lines[1:]:
            where = f"{shown}, line {number}"
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                raise InputError(
                    f"{where}: {len(cells)} values but the header names {len(names)} columns "
                    f"({', '.join(names)}); quote values that contain commas."
                )
            yield where, dict(zip(names, cells, strict=False))

    return _validate(rows())


def _read_limited(path: str | os.PathLike[str], shown: str) -> bytes:
    """The file's bytes, refusing anything above MAX_BYTES before reading it all."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(_too_big(shown))
            raw = f.read(MAX_BYTES + 1)  # devices and pipes have no size: stop reading early
    except FileNotFoundError:
        raise InputError(f"{shown}: file not found.") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder; give a CSV file.") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read the file ({exc.strerror}).") from None
    if len(raw) > MAX_BYTES:
        raise InputError(_too_big(shown))
    return raw


def _too_big(shown: str) -> str:
    return (
        f"{shown}: larger than {MAX_BYTES // 2**20} MiB, the most one batch reads; "
        "split it into several files."
    )


def resolve_rings(
    rows: Iterable[BatchRing | Mapping[str, object] | Sequence[object]],
) -> list[BatchRing]:
    """Validate and resolve rings given in Python: BatchRing, mappings with the CSV's column
    names, or sequences (site, km[, km_min[, label]]). Errors name the row (1-based)."""

    def checked() -> Iterable[tuple[str, Mapping[str, object]]]:
        for number, row in enumerate(rows, start=1):
            where = f"row {number}"
            if number > MAX_RINGS:
                raise InputError(f"more than {MAX_RINGS:,} rings; split them into several runs.")
            if isinstance(row, BatchRing):
                yield where, row._asdict()
            elif isinstance(row, Mapping):
                unknown = sorted(set(map(str, row)) - set(COLUMNS))
                if unknown:
                    raise InputError(
                        f"{where}: unknown column {unknown[0]!r}; "
                        f"known columns: {', '.join(COLUMNS)}."
                    )
                yield where, row
            elif isinstance(row, Sequence) and not isinstance(row, str) and 2 <= len(row) <= 4:
                yield where, dict(zip(COLUMNS, row, strict=False))
            else:
                raise InputError(
                    f"{where}: expected (site, km[, km_min[, label]]) or a mapping with the "
                    f"columns {', '.join(COLUMNS)}, got {row!r}."
                )

    rings = _validate(checked())
    if not rings:
        raise InputError("no rings given: pass at least one (site, km) row.")
    return rings


def _header(cells: list[str], where: str) -> list[str]:
    """Column names from the header row: known, unique, and the required ones present."""
    names = [cell.strip().lower() for cell in cells]
    for name in names:
        if name not in COLUMNS:
            hint = ""
            if ";" in name or "\t" in name:
                hint = " Columns are separated by commas."
            raise InputError(
                f"{where}: unknown column {name!r}; {_HEADER_HINT}.{hint}"
                if name
                else f"{where}: a column has no name; {_HEADER_HINT}."
            )
        if names.count(name) > 1:
            raise InputError(f"{where}: column {name!r} appears twice; {_HEADER_HINT}.")
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise InputError(f"{where}: missing column {missing[0]!r}; {_HEADER_HINT}.")
    return names


def _validate(rows: Iterable[tuple[str, Mapping[str, object]]]) -> list[BatchRing]:
    """Check every row with BatchRow, resolving each distinct site spelling once."""
    from rangemap.locations import resolve

    sites: dict[str, Location] = {}

    def cached(spec: str) -> Location:
        if spec not in sites:
            sites[spec] = resolve(spec)
        return sites[spec]

    context: dict[str, Any] = {"resolve": cached}
    rings = []
    for where, row in rows:
        values = {column: row.get(column) for column in COLUMNS}
        try:
            model = BatchRow.model_validate(values, context={**context, "where": where})
        except ValidationError as exc:
            raise InputError(_message(where, exc)) from None
        rings.append(BatchRing(model.site, model.km, model.km_min, model.label))
    return rings


def _message(where: str, exc: ValidationError) -> str:
    """The first failing column, in column order, as 'WHERE, column C: what is wrong'."""
    error = exc.errors(include_url=False)[0]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, InputError) and str(cause).startswith(where):
        return str(cause)  # rangemap.units named the place already
    text = str(cause) if isinstance(cause, ValueError) else error["msg"]
    return f"{where}, column {error['loc'][0]}: {text}"
