"""Coverage of many rings at once, read from a CSV file and spread over every core."""

from __future__ import annotations

import csv
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple, TypeVar

from rangemap.coverage import CityRow, CountryRow, prefixed
from rangemap.errors import InputError, RangemapError, check_text
from rangemap.geodesic import SAFE_MAX_KM, ring_vertices
from rangemap.locations import Location
from rangemap.units import Km, parse_range, range_text

__all__ = [
    "COLUMNS",
    "BatchCityRow",
    "BatchCountryRow",
    "BatchRing",
    "batch_coverage",
    "batch_places",
    "default_jobs",
    "read_rings",
    "resolve_rings",
]

#: Columns a batch file may have; the first two are required.
COLUMNS = ("site", "km", "km_min", "label")
_REQUIRED = ("site", "km")
_HEADER_HINT = "the header row must name the columns site and km (optional: km_min, label)"

#: Fewer rings than this run in this process: starting workers (~0.3 s) would cost more than
#: sharing ~5-30 ms of work per ring saves.
_MIN_PARALLEL = 16

#: Rings per task sent to a worker: small enough for an even spread and a smooth progress bar,
#: large enough that pickling and queueing stay negligible next to ~5-30 ms of work per ring.
_MAX_CHUNK = 16


class BatchRing(NamedTuple):
    """One validated input row: the resolved site, its ranges in km and the row's label.

    `label` is None when the row has none; results then carry the ring's own label
    ("Kaliningrad, 480 km").
    """

    site: Location
    km: float
    km_min: float | None
    label: str | None


#: A `rangemap coverage` row (rangemap.coverage.CountryRow) with the label of its ring.
BatchCountryRow = prefixed("BatchCountryRow", CountryRow, {"label": str})
#: A `rangemap coverage --cities` row (rangemap.coverage.CityRow) with its ring's label.
BatchCityRow = prefixed("BatchCityRow", CityRow, {"label": str})


_Row = TypeVar("_Row", BatchCountryRow, BatchCityRow)
Rings = str | os.PathLike[str] | Iterable[BatchRing | Mapping[str, object] | Sequence[object]]


def default_jobs() -> int:
    """The number of cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# --- reading and validating ----------------------------------------------------------------


def read_rings(path: str | os.PathLike[str]) -> list[BatchRing]:
    """Read, validate and resolve every row of a batch CSV file before any work starts.

    The file has a header row naming its columns (site, km; optional km_min, label), then one
    ring per line; blank lines are skipped. Any problem raises one InputError naming the file,
    the line and the column, e.g. ``rings.csv, line 7, column km: 'abc' is not a number``.
    """
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{shown}: file not found.") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder; give a CSV file.") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read the file ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's UTF-8 export starts with a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{shown}, line {line}: not UTF-8 text; save the file as UTF-8.") from None
    reader = csv.reader(text.splitlines())
    try:
        lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"{shown}, line {reader.line_num}: not valid CSV ({exc}).") from None
    if not lines:
        raise InputError(f"{shown} is empty: {_HEADER_HINT}, then one ring per line.")
    header_line, header = lines[0]
    names = _header(header, f"{shown}, line {header_line}")
    if len(lines) == 1:
        raise InputError(f"{shown} has a header row but no rings: add one ring per line.")
    rows = []
    for number, cells in lines[1:]:
        where = f"{shown}, line {number}"
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            raise InputError(
                f"{where}: {len(cells)} values but the header names {len(names)} columns "
                f"({', '.join(names)}); quote values that contain commas."
            )
        rows.append((where, dict(zip(names, cells, strict=False))))
    return _validate(rows)


def resolve_rings(
    rows: Iterable[BatchRing | Mapping[str, object] | Sequence[object]],
) -> list[BatchRing]:
    """Validate and resolve rings given in Python: BatchRing, mappings with the CSV's column
    names, or sequences (site, km[, km_min[, label]]). Errors name the row (1-based)."""
    checked: list[tuple[str, Mapping[str, object]]] = []
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        if isinstance(row, BatchRing):
            checked.append((where, row._asdict()))
        elif isinstance(row, Mapping):
            unknown = sorted(set(map(str, row)) - set(COLUMNS))
            if unknown:
                raise InputError(
                    f"{where}: unknown column {unknown[0]!r}; known columns: {', '.join(COLUMNS)}."
                )
            checked.append((where, row))
        elif isinstance(row, Sequence) and not isinstance(row, str) and 2 <= len(row) <= 4:
            checked.append((where, dict(zip(COLUMNS, row, strict=False))))
        else:
            raise InputError(
                f"{where}: expected (site, km[, km_min[, label]]) or a mapping with the columns "
                f"{', '.join(COLUMNS)}, got {row!r}."
            )
    if not checked:
        raise InputError("no rings given: pass at least one (site, km) row.")
    return _validate(checked)


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


def _validate(rows: list[tuple[str, Mapping[str, object]]]) -> list[BatchRing]:
    """Check every value and resolve every site (each distinct spelling once)."""
    from rangemap.locations import resolve

    sites: dict[object, Location] = {}
    rings = []
    for where, row in rows:
        site_value = row.get("site")
        if isinstance(site_value, Location):
            location = site_value
        else:
            spec = "" if site_value is None else str(site_value).strip()
            if not spec:
                raise InputError(f"{where}, column site: missing value.")
            if spec not in sites:
                try:
                    sites[spec] = resolve(spec)
                except RangemapError as err:
                    hint = ""
                    if _number_or_none(spec) is not None:
                        hint = ' In CSV, put LAT,LON in quotes: "54.717,20.517".'
                    raise InputError(f"{where}, column site: {err}{hint}") from None
            location = sites[spec]
        km = _range(row.get("km"), f"{where}, column km", required=True)
        km_min = _range(
            row.get("km_min"), f"{where}, column km_min", required=False, what="inner range"
        )
        if km_min is not None and km_min >= km:
            raise InputError(
                f"{where}, column km_min: {_shown(row.get('km_min'))} must be less than "
                f"km ({range_text(km)})."
            )
        if km > SAFE_MAX_KM:
            _check_cut_locus(location, km, f"{where}, column km")
        label = row.get("label")
        label = str(label).strip() if label is not None else ""
        _checked(f"{where}, column label", check_text, label, field="label")
        rings.append(BatchRing(location, km, km_min or None, label or None))
    return rings


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _shown(value: object) -> str:
    return repr(value.strip()) if isinstance(value, str) else repr(value)


def _range(value: object, where: str, *, required: bool, what: str = "range") -> Km | None:
    """A range from CSV text ("480", "1000mi") or a Python number (km); None for an empty
    optional value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"{where}: missing value.")
        return None
    return parse_range(value, label=where, what=what)


def _checked(where: str, check: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run a check of rangemap.geodesic or rangemap.errors; its message names the file, line
    and column."""
    try:
        check(*args, **kwargs)
    except InputError as err:
        raise InputError(f"{where}: {err}") from None


def _check_cut_locus(site: Location, km: float, where: str) -> None:
    """Ranges past SAFE_MAX_KM are valid from some sites only: find out now, not in a worker."""
    try:
        ring_vertices(site.lat, site.lon, km)
    except RangemapError as err:
        raise InputError(f"{where}: {err}") from None


# --- running --------------------------------------------------------------------------------


def batch_coverage(
    rings: Rings, *, jobs: int | None = None, progress: Callable[[int], None] | None = None
) -> list[BatchCountryRow]:
    """Countries covered by each ring, as `rangemap coverage` rows with a label, in input order.

    `rings` is a CSV path (see read_rings) or rows (see resolve_rings); every row is checked
    before any work starts. `jobs` worker processes share the rings (default: every core;
    fewer than 16 rings run in this process, as starting workers would cost more than it
    saves); the result does not depend on `jobs`. A ring given twice is computed once.
    `progress(n)` is called as each n rings finish.

    >>> rows = batch_coverage([("kaliningrad", 480, None, "9M729, stated")], jobs=1)
    >>> rows[0].label, rows[0].iso_a3
    ('9M729, stated', 'POL')
    """
    return _run(rings, jobs, progress, _COUNTRIES, BatchCountryRow)


def batch_places(
    rings: Rings,
    *,
    capitals_only: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[BatchCityRow]:
    """Populated places within each ring (`rangemap coverage --cities` rows with a label).

    Same inputs and guarantees as batch_coverage.
    """
    return _run(rings, jobs, progress, _CAPITALS if capitals_only else _PLACES, BatchCityRow)


_COUNTRIES, _PLACES, _CAPITALS = "countries", "places", "capitals"
_Task = tuple[Location, float, float | None]


def _run(
    rings: Rings,
    jobs: int | None,
    progress: Callable[[int], None] | None,
    what: str,
    row_type: type[_Row],
) -> list[_Row]:
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InputError(f"jobs={jobs!r}: give a whole number of worker processes, 1 or more.")
    from_file = isinstance(rings, str | os.PathLike)
    checked = read_rings(rings) if from_file else resolve_rings(rings)
    # The same ring asked for twice (same site, same ranges) is computed once.
    tasks = list(dict.fromkeys((r.site, r.km, r.km_min) for r in checked))
    results = _compute(tasks, what, jobs or default_jobs(), progress)
    if progress is not None and len(checked) > len(tasks):
        progress(len(checked) - len(tasks))
    out: list[_Row] = []
    for ring in checked:
        ring_label, rows = results[(ring.site, ring.km, ring.km_min)]
        label = ring.label or ring_label
        out.extend(row_type(label, *row) for row in rows)
    return out


def _compute(
    tasks: list[_Task], what: str, jobs: int, progress: Callable[[int], None] | None
) -> dict[_Task, tuple[str, list[tuple]]]:
    """Each task's ring label and rows: in this process for one job, else in a process pool."""
    chunk = max(1, min(_MAX_CHUNK, math.ceil(len(tasks) / (4 * jobs))))
    chunks = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    jobs = min(jobs, len(chunks))
    results: dict[_Task, tuple[str, list[tuple]]] = {}
    if jobs <= 1 or len(tasks) < _MIN_PARALLEL or not _workers_can_start():
        for task in tasks:
            results[task] = _work_one(task, what)
            if progress is not None:
                progress(1)
        return results
    # forkserver (or spawn) rather than fork: forking a process that already runs threads
    # (numpy's BLAS pool) may deadlock, and Python 3.12+ warns about it.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(jobs, context, initializer=_init_worker, initargs=(what,)) as pool:
        futures = {pool.submit(_work, part, what): part for part in chunks}
        try:
            for future in as_completed(futures):
                part = futures[future]
                results.update(zip(part, future.result(), strict=True))
                if progress is not None:
                    progress(len(part))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _workers_can_start() -> bool:
    """False when new worker processes could not re-import the main script: forkserver and
    spawn workers run it again, which fails for a script read from standard input."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


def _init_worker(what: str) -> None:
    """Load the layers once per worker, before its first ring; leave Ctrl-C to the parent."""
    from rangemap import coverage, layers

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if what == _COUNTRIES:
        layers.countries()
        coverage._tile_tree()
    else:
        layers.cities()
        coverage._city_vectors()


def _work(tasks: list[_Task], what: str) -> list[tuple[str, list[tuple]]]:
    return [_work_one(task, what) for task in tasks]


def _work_one(task: _Task, what: str) -> tuple[str, list[tuple]]:
    """One ring's label and rows as plain tuples (cheaper to send back than named tuples)."""
    from rangemap import coverage

    site, km, km_min = task
    ring = coverage.make_ring(site, km, km_min=km_min)
    if what == _COUNTRIES:
        rows = coverage.country_rows(ring)
    else:
        rows = coverage.city_rows(ring, capitals_only=what == _CAPITALS)
    return ring.label, [tuple(row) for row in rows]
