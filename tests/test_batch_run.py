"""Running batch rings: input order through a bounded window; Ctrl-C and SIGTERM end it all."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from rangemap import batch_run
from rangemap.batch_run import COUNTRIES, PLACES, Result, Task
from rangemap.locations import resolve

REPO = Path(__file__).resolve().parents[1]


class _Recording:
    """An in-process backend that records how many parts are out at once."""

    def __init__(self, slots: int) -> None:
        self.slots, self.out, self.most, self.closed = slots, 0, 0, None
        self.inner = batch_run.InProcess(COUNTRIES)

    def submit(self, part: list[Task], on_done: Callable[[], None]) -> batch_run.Handle:
        self.out += 1
        self.most = max(self.most, self.out)
        return self.inner.submit(part, on_done)

    def taken(self) -> None:
        self.out -= 1

    def close(self, ok: bool) -> None:
        self.closed = ok


def test_results_come_in_input_order_through_a_bounded_window() -> None:
    kaliningrad = resolve("kaliningrad")
    tasks = [(kaliningrad, 300.0 + 7 * i, None) for i in range(200)]
    backend = _Recording(slots=2)
    progress: list[int] = []
    labels = []
    for label, _rows in batch_run.ordered(tasks, COUNTRIES, backend, progress.append):
        labels.append(label)
        if len(labels) % batch_run.COUNTRY_PART == 0:
            backend.taken()
    assert labels == [f"Kaliningrad, {300 + 7 * i:,} km" for i in range(200)]
    assert backend.most <= batch_run.WINDOW_PER_SLOT * 2
    assert sum(progress) == 200 and backend.closed is True


def test_leaving_early_closes_the_backend_as_failed() -> None:
    site = resolve("deveselu")
    backend = _Recording(slots=1)
    results = batch_run.ordered([(site, 500.0, None)] * 40, PLACES, backend)
    next(results)
    results.close()
    assert backend.closed is False


def test_a_ring_repeated_within_a_part_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Task] = []
    real = batch_run._work_one

    def counted(task: Task, what: str) -> Result:
        calls.append(task)
        return real(task, what)

    monkeypatch.setattr(batch_run, "_work_one", counted)
    site = resolve("kaliningrad")
    out = batch_run.work([(site, 480.0, None)] * 3 + [(site, 500.0, None)], COUNTRIES)
    assert len(calls) == 2 and out[0] == out[1] == out[2] != out[3]


def _process_tree(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def test_a_stop_lost_in_a_finaliser_is_raised_again_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Ctrl-C that lands in a __del__ or gc callback (Dask's gc hook did, in CI) is dropped by
    Python; the run raises it again at its next check and prints no "Exception ignored"."""

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs here, inside the finaliser

    class Broken:
        def __del__(self) -> None:
            raise ValueError("a real bug in a finaliser")

    seen: list[sys.UnraisableHookArgs] = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)  # Python's hook prints to stderr
    with pytest.raises(KeyboardInterrupt), batch_run.stop_on_signals():
        Finalised()  # dropped at once: the KeyboardInterrupt is lost in __del__
        Broken()  # other lost exceptions are still reported
        batch_run.stop_requested()
    assert [type(u.exc_value) for u in seen] == [ValueError]  # only the real bug is reported
    assert sys.unraisablehook == seen.append  # and the hook is given back


@pytest.mark.parametrize(
    ("signum", "where", "group"),
    [
        (signal.SIGINT, [], False),
        (signal.SIGTERM, [], False),
        # A terminal's Ctrl-C reaches the whole process group, the cluster's workers too.
        (signal.SIGINT, ["--scheduler", "local"], True),
        (signal.SIGTERM, ["--scheduler", "local"], False),
    ],
)
def test_signal_ends_the_run_its_workers_and_leaves_no_file(
    tmp_path: Path, signum: signal.Signals, where: list[str], group: bool
) -> None:
    """`rangemap batch -j 2` stopped mid-run: out within seconds, no output, no process left,
    no traceback; with a local pool and with a Dask LocalCluster."""
    rings = tmp_path / "rings.csv"
    with rings.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["site", "km"])
        writer.writerows(["kaliningrad", 19000 - i] for i in range(300))  # ~all places each
    out = tmp_path / "places.csv"
    proc = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "rangemap", "batch", str(rings), "--cities",
         "-j", "2", *where, "--format", "csv", "-o", str(out)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        children: list[psutil.Process] = []
        # Wait for both workers (and the pool's forkserver and resource tracker, if local).
        least = 3 if where else 4
        while len(children) < least and time.monotonic() < deadline:
            time.sleep(0.2)
            children = _process_tree(proc.pid)
        assert len(children) >= least, proc.stderr.read() if proc.poll() is not None else children
        time.sleep(3.0 if where else 1.0)  # the workers are loading layers or computing
        sent = time.monotonic()
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        code = proc.wait(timeout=15)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints where it hangs, for the report
            time.sleep(2)
            proc.kill()
            proc.wait()
            print(proc.stderr.read().decode())
    err = proc.stderr.read().decode()
    assert took < 5, took
    assert code == (1 if signum == signal.SIGINT else 128 + signal.SIGTERM), err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rings.csv"]  # no output, no temp
    time.sleep(0.5)
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == []
