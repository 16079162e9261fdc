"""Coverage of many rings at once, read from a CSV file and spread over every core or a cluster.

Reading and validating is rangemap.batch_input; running the rings (local processes or Dask) is
rangemap.batch_run and rangemap.batch_dask; this module joins them and writes the rows out as
they come, in input order, so a long batch never holds all its rows.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from rangemap import batch_run, tables
from rangemap.batch_input import (
    COLUMNS,
    MAX_BYTES,
    MAX_RINGS,
    BatchRing,
    read_rings,
    resolve_rings,
)
from rangemap.batch_run import CAPITALS, COUNTRIES, MAX_JOBS, PLACES
from rangemap.coverage import CityRow, CountryRow, prefixed
from rangemap.errors import InputError, RangemapError

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_JOBS",
    "MAX_RINGS",
    "BatchCityRow",
    "BatchCountryRow",
    "BatchRing",
    "batch_coverage",
    "batch_places",
    "default_jobs",
    "iter_batch",
    "read_rings",
    "resolve_rings",
    "write_batch",
]

#: A `rangemap coverage` row (rangemap.coverage.CountryRow) with the label of its ring.
BatchCountryRow = prefixed("BatchCountryRow", CountryRow, {"label": str})
#: A `rangemap coverage --cities` row (rangemap.coverage.CityRow) with its ring's label.
BatchCityRow = prefixed("BatchCityRow", CityRow, {"label": str})


Rings = str | os.PathLike[str] | Iterable[BatchRing | Mapping[str, object] | Sequence[object]]


def default_jobs() -> int:
    """The number of cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def batch_coverage(
    rings: Rings,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[BatchCountryRow]:
    """Countries covered by each ring, as `rangemap coverage` rows with a label, in input order.

    `rings` is a CSV path (see read_rings) or rows (see resolve_rings); every row is checked
    before any work starts. `jobs` worker processes share the rings (default: every core, at
    most MAX_JOBS; fewer than 16 rings run in this process, as starting workers would cost more
    than it saves); `scheduler` sends them to a Dask scheduler instead ("tcp://host:8786", or
    "local" for a LocalCluster of `jobs` workers). The result depends on neither.
    `progress(n)` is called as each n rings finish. For long inputs, iter_batch or write_batch
    stream the rows instead of holding them all.

    >>> rows = batch_coverage([("kaliningrad", 480, None, "9M729, stated")], jobs=1)
    >>> rows[0].label, rows[0].iso_a3
    ('9M729, stated', 'POL')
    """
    return list(iter_batch(rings, jobs=jobs, scheduler=scheduler, progress=progress))


def batch_places(
    rings: Rings,
    *,
    capitals_only: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[BatchCityRow]:
    """Populated places within each ring (`rangemap coverage --cities` rows with a label).

    Same inputs and guarantees as batch_coverage.
    """
    return list(
        iter_batch(
            rings,
            places=True,
            capitals_only=capitals_only,
            jobs=jobs,
            scheduler=scheduler,
            progress=progress,
        )
    )


def iter_batch(
    rings: Rings,
    *,
    places: bool = False,
    capitals_only: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Any]:
    """The rows of batch_coverage (or batch_places with `places`), yielded in input order as
    they are computed: at most batch_run's window of rings is held at a time.

    Every row is checked, and jobs and scheduler too, before the first ring is sent.
    """
    _check_jobs(jobs)
    check_scheduler(scheduler)
    checked = read_rings(rings) if _is_path(rings) else resolve_rings(rings)
    what = CAPITALS if capitals_only else PLACES if places else COUNTRIES
    return _stream(checked, what, jobs, scheduler, progress)


def _stream(
    checked: list[BatchRing],
    what: str,
    jobs: int | None,
    scheduler: str | None,
    progress: Callable[[int], None] | None,
) -> Iterator[Any]:
    row_type = BatchCountryRow if what == COUNTRIES else BatchCityRow
    tasks = [(r.site, r.km, r.km_min) for r in checked]
    with batch_run.stop_on_signals():
        results = batch_run.ordered(
            tasks, what, _backend(what, len(tasks), jobs, scheduler), progress
        )
        try:
            for ring, (ring_label, rows) in zip(checked, results, strict=True):
                label = ring.label or ring_label
                yield from (row_type(label, *row) for row in rows)
        finally:
            results.close()


def _is_path(rings: Rings) -> bool:
    return isinstance(rings, str | os.PathLike)


#: A scheduler's address: tcp://HOST:PORT (the scheme may be left out, as Dask allows); HOST a
#: name, an IPv4 address or an IPv6 address in brackets.
_SCHEDULER = re.compile(
    r"(?:tcp://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})"
)
_SCHEDULER_HOW = (
    "give the address `dask scheduler` prints, tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786), "
    "or 'local' for a cluster on this machine"
)


def check_scheduler(address: str | None) -> None:
    """Only plain TCP: rangemap passes no TLS certificates, and ws://, ucx:// or inproc://
    (this process's own memory) reach nothing it could use; a malformed address says so."""
    if address is None or address == "local":
        return
    if not isinstance(address, str):
        raise InputError(f"--scheduler {address!r} is not an address; {_SCHEDULER_HOW}.")
    scheme, sep, _ = address.partition("://")
    if sep and scheme.lower() != "tcp":
        raise InputError(
            f"--scheduler {address!r}: rangemap reaches a Dask scheduler over plain TCP only, "
            f"not {scheme}://; {_SCHEDULER_HOW}."
        )
    match = _SCHEDULER.fullmatch(address)
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        raise InputError(f"--scheduler {address!r} is not a scheduler address; {_SCHEDULER_HOW}.")


def _check_jobs(jobs: int | None) -> None:
    if jobs is None:
        return
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise InputError(
            f"jobs={jobs!r}: give a whole number of worker processes from 1 to {MAX_JOBS} "
            f"(this machine has {default_jobs()} cores)."
        )


def _backend(what: str, rings: int, jobs: int | None, scheduler: str | None) -> batch_run.Backend:
    """Where the rings run: a Dask cluster if asked, else this process for a few rings or one
    job, else a local process pool."""
    if scheduler is not None:
        try:
            from rangemap.batch_dask import DaskCluster
        except ImportError:
            raise RangemapError(
                "--scheduler needs Dask's distributed package: pip install 'rangemap[dask]'."
            ) from None
        return DaskCluster(scheduler, what, jobs or min(default_jobs(), MAX_JOBS))
    jobs = min(jobs or default_jobs(), MAX_JOBS)
    size = batch_run.COUNTRY_PART if what == COUNTRIES else batch_run.PLACE_PART
    jobs = min(jobs, -(-rings // size))
    if jobs <= 1 or rings < batch_run.MIN_PARALLEL or not batch_run.workers_can_start():
        return batch_run.InProcess(what)
    return batch_run.LocalPool(what, jobs)


# --- writing --------------------------------------------------------------------------------

#: Rows rendered per piece when streaming a table out.
_PIECE = 2000


def write_batch(
    rings: Rings,
    out: TextIO,
    fmt: str,
    *,
    places: bool = False,
    capitals_only: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the batch's rows to `out` as tables.render would (same bytes), piece by piece as
    they arrive; returns the number of rows. The aligned text table ("table") needs every
    column's width first: its cells go to a temporary file, then out, so memory stays bounded.
    """
    rows = iter_batch(
        rings,
        places=places,
        capitals_only=capitals_only,
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
    )
    row_type = BatchCityRow if places or capitals_only else BatchCountryRow
    columns = row_type._fields
    pieces = _pieces(rows)
    # The first piece before the first byte: a scheduler that cannot be reached fails cleanly.
    first = next(pieces, None)
    if first is not None:
        pieces = itertools.chain([first], pieces)
    if fmt == "table":
        return _write_aligned(pieces, columns, out)
    return _write_streamed(pieces, fmt, columns, out)


def _pieces(rows: Iterator[Any]) -> Iterator[list[Any]]:
    piece: list[Any] = []
    for row in rows:
        piece.append(row)
        if len(piece) == _PIECE:
            batch_run.stop_requested()
            yield piece
            piece = []
    if piece:
        yield piece


def _write_streamed(
    pieces: Iterator[list[Any]], fmt: str, columns: Sequence[str], out: TextIO
) -> int:
    """csv, md and json: each piece rendered on its own and joined as one rendering would be."""
    count = 0
    if fmt == "json":
        for piece in pieces:
            text = tables.render(piece, "json", columns=columns)
            out.write(("[\n" if not count else ",\n") + text[len("[\n") : -len("\n]\n")])
            count += len(piece)
        out.write("\n]\n" if count else "[]\n")
        return count
    header = tables.render([], fmt, columns=columns)
    out.write(header)
    for piece in pieces:
        out.write(tables.render(piece, fmt, columns=columns)[len(header) :])
        count += len(piece)
    return count


def _write_aligned(pieces: Iterator[list[Any]], columns: Sequence[str], out: TextIO) -> int:
    """The text table: cells spooled to a temporary file while widths are measured."""
    widths = [len(name) for name in columns]
    numeric = [True] * len(columns)
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for piece in pieces:
            names, values = tables.records(piece, columns)
            cells, numbers = tables.display_cells(names, values)
            for row in cells:
                spool.write(json.dumps(row, ensure_ascii=False) + "\n")
                widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
            numeric = [a and b for a, b in zip(numeric, numbers, strict=True)]
            count += len(piece)
        if not count:
            numeric = [False] * len(columns)
        spool.seek(0)
        lines = (json.loads(line) for line in spool)
        out.writelines(tables.aligned([list(columns)], widths, numeric))
        out.writelines(tables.aligned(lines, widths, numeric))
    return count
