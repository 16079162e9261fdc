"""Running batch rings: in this process, in a local process pool, or on a Dask cluster.

Whatever runs them, rings go out in parts of a few rings and come back in input order through
a bounded window: at most `window` parts are in flight or waiting for an earlier part, so the
rows held at any time are those of at most window x part-size rings, however long the input.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from rangemap.locations import Location

COUNTRIES, PLACES, CAPITALS = "countries", "places", "capitals"

#: One ring to compute: site, km, km_min. Result: the ring's own label and its rows as tuples.
Task = tuple[Location, float, float | None]
Result = tuple[str, list[tuple]]

#: Fewer rings than this run in this process: starting workers (~0.3 s) would cost more than
#: sharing ~5-30 ms of work per ring saves.
MIN_PARALLEL = 16
#: Most worker processes `jobs` may ask for: each loads the layers (~100 MB), and past the
#: number of cores more workers only add memory.
MAX_JOBS = 32
#: Rings per part for country rows (at most ~250 rows a ring): small enough for an even spread
#: and a smooth progress bar, large enough that pickling and queueing stay negligible.
COUNTRY_PART = 16
#: Rings per part for place rows: one ring near the antipode lists ~all places, so keep it 1.
PLACE_PART = 1
#: Seconds an interrupted pool gets to end its workers before they are killed.
STOP_WAIT = 2.0
#: Parts in flight per worker slot: enough to keep every worker busy while the head part waits.
WINDOW_PER_SLOT = 3
#: Most parts in flight however big the cluster: the bound on rows held stays fixed.
MAX_WINDOW = 192


class Handle(Protocol):
    """A submitted part: done() without blocking, result() its results in order."""

    def done(self) -> bool: ...

    def result(self) -> list[Result]: ...


class Backend(Protocol):
    """Where parts run. `slots` is how many run at once; close(ok) stops the workers, ok=False
    cancelling whatever is still queued or running."""

    slots: int

    def submit(self, part: list[Task], on_done: Callable[[], None]) -> Handle: ...

    def close(self, ok: bool) -> None: ...


def preload(what: str) -> None:
    """Load the layers a worker needs before its first ring (once per worker process)."""
    from rangemap import coverage, layers

    if what == COUNTRIES:
        layers.countries()
        coverage._tile_tree()
    else:
        layers.cities()
        coverage._city_vectors()


def work(part: Sequence[Task], what: str) -> list[Result]:
    """Each ring's label and rows; a ring repeated within the part is computed once."""
    done: dict[Task, Result] = {}
    return [done[t] if t in done else done.setdefault(t, _work_one(t, what)) for t in part]


def _work_one(task: Task, what: str) -> Result:
    """One ring's label and rows as plain tuples (cheaper to send back than named tuples)."""
    from rangemap import coverage

    site, km, km_min = task
    ring = coverage.make_ring(site, km, km_min=km_min)
    if what == COUNTRIES:
        rows = coverage.country_rows(ring)
    else:
        rows = coverage.city_rows(ring, capitals_only=what == CAPITALS)
    return ring.label, [tuple(row) for row in rows]


def ordered(
    tasks: Sequence[Task],
    what: str,
    backend: Backend,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Result]:
    """Every task's result in input order, holding at most WINDOW_PER_SLOT x slots parts
    (and never more than MAX_WINDOW).

    progress(n) is called as parts of n rings finish anywhere (not only at the head), so a
    progress bar follows the workers. Leaving early (an exception, Ctrl-C, SIGTERM, or the
    generator closed) cancels the rest; the backend is closed either way.
    """
    size = COUNTRY_PART if what == COUNTRIES else PLACE_PART
    parts = (list(tasks[i : i + size]) for i in range(0, len(tasks), size))
    window = min(MAX_WINDOW, max(2, WINDOW_PER_SLOT * backend.slots))
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    pending: deque[_Part] = deque()

    def report(part: _Part) -> None:
        if not part.reported:
            part.reported = True
            if progress is not None:
                progress(part.rings)

    ok = False
    try:
        for number, part in enumerate(parts):
            stop_requested()
            handle = backend.submit(part, lambda i=number: finished.put(i))
            pending.append(_Part(number, len(part), handle))
            if len(pending) >= window:
                yield from _pop_head(pending, finished, report)
        while pending:
            yield from _pop_head(pending, finished, report)
        ok = True
    finally:
        backend.close(ok)


class _Part:
    """A part in the window: its number, how many rings, its handle, whether counted yet."""

    __slots__ = ("handle", "ident", "reported", "rings")

    def __init__(self, ident: int, rings: int, handle: Handle) -> None:
        self.ident, self.rings, self.handle, self.reported = ident, rings, handle, False


def _pop_head(
    pending: deque[_Part], finished: queue.SimpleQueue[int], report: Callable[[_Part], None]
) -> list[Result]:
    """Wait for the oldest part (reporting others as they finish), then hand over its results."""
    head = pending[0]
    while not head.handle.done():
        stop_requested()
        _drain(finished, pending, report, wait=0.2)
    _drain(finished, pending, report, wait=0)
    report(head)
    pending.popleft()
    return head.handle.result()


def _drain(
    finished: queue.SimpleQueue[int],
    pending: deque[_Part],
    report: Callable[[_Part], None],
    *,
    wait: float,
) -> None:
    """Report the parts that finished anywhere in the window, waiting up to `wait` s for one."""
    try:
        ident = finished.get(timeout=wait) if wait else finished.get_nowait()
        by_ident = {part.ident: part for part in pending}
        while True:
            if ident in by_ident:
                report(by_ident[ident])
            ident = finished.get_nowait()
    except queue.Empty:
        return


# --- backends ------------------------------------------------------------------------------


class _Done:
    """A part computed on the spot (in this process)."""

    def __init__(self, results: list[Result]) -> None:
        self._results = results

    def done(self) -> bool:
        return True

    def result(self) -> list[Result]:
        return self._results


class InProcess:
    """Rings computed here, one part at a time, as they are submitted."""

    slots = 1

    def __init__(self, what: str) -> None:
        self.what = what

    def submit(self, part: list[Task], on_done: Callable[[], None]) -> Handle:
        results = work(part, self.what)
        on_done()
        return _Done(results)

    def close(self, ok: bool) -> None:
        return None


class LocalPool:
    """A pool of worker processes on this machine that can be ended at once.

    multiprocessing.Pool rather than concurrent.futures: its terminate() stops the workers
    immediately, where ProcessPoolExecutor's exit waits for running work (the Ctrl-C hang).
    forkserver (or spawn) rather than fork: forking a process that already runs threads
    (numpy's BLAS pool) may deadlock, and Python 3.12+ warns about it.
    """

    def __init__(self, what: str, jobs: int) -> None:
        method = (
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        context = multiprocessing.get_context(method)
        self.what, self.slots = what, jobs
        before = set(multiprocessing.active_children())
        self._pool = context.Pool(jobs, initializer=_init_worker, initargs=(what,))
        self._workers = [p for p in multiprocessing.active_children() if p not in before]

    def submit(self, part: list[Task], on_done: Callable[[], None]) -> Handle:
        return _PoolHandle(
            self._pool.apply_async(
                work,
                (part, self.what),
                callback=lambda _: on_done(),
                error_callback=lambda _: on_done(),
            )
        )

    def close(self, ok: bool) -> None:
        if ok:
            self._pool.close()
            self._pool.join()
            return
        # terminate() can block on the task queue's lock while a worker holds it; bound the
        # wait, then end the workers outright so that nothing outlives this process.
        stopper = threading.Thread(target=self._pool.terminate, daemon=True)
        stopper.start()
        stopper.join(STOP_WAIT)
        for process in self._workers:
            if process.is_alive():
                process.kill()
                process.join(STOP_WAIT)


class _PoolHandle:
    def __init__(self, result: multiprocessing.pool.AsyncResult) -> None:
        self._result = result

    def done(self) -> bool:
        return self._result.ready()

    def result(self) -> list[Result]:
        return self._result.get()


def _init_worker(what: str) -> None:
    """Leave Ctrl-C to the parent (which ends the pool), then load the layers once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    preload(what)


def workers_can_start() -> bool:
    """False when new worker processes could not re-import the main script: forkserver and
    spawn workers run it again, which fails for a script read from standard input."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


#: The signal that asked this run to stop, kept so that a stop is never lost: an exception
#: raised by a signal handler while Python runs a finaliser (__del__, a weakref callback) is
#: printed and dropped, so the run checks this flag as well (stop_requested).
_stop: list[int] = []


def stop_requested() -> None:
    """Raise again for a Ctrl-C or SIGTERM already received, in case its exception was lost."""
    if _stop:
        raise KeyboardInterrupt if _stop[0] == signal.SIGINT else SystemExit(128 + _stop[0])


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While running, Ctrl-C raises KeyboardInterrupt and SIGTERM SystemExit(143), and either
    is remembered (stop_requested): the workers are ended and the unfinished output removed,
    instead of the process vanishing and leaving them, or a lost exception leaving it running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        _stop.append(signum)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    hook = sys.unraisablehook

    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        # The stop raised inside a finaliser is dropped by Python; it is kept in _stop and raised
        # again by stop_requested, so the "Exception ignored" traceback would only alarm the user.
        if not (_stop and isinstance(unraisable.exc_value, KeyboardInterrupt | SystemExit)):
            hook(unraisable)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sys.unraisablehook = quiet
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.unraisablehook = hook
        _stop.clear()
