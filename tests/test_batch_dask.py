"""Batch on a real Dask cluster on the loopback interface: a scheduler and two worker processes.

Same bytes as the local run; a worker killed mid-run loses and repeats no row; an interrupted
run leaves no task on the cluster.
"""

from __future__ import annotations

import http.server
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest
from click.testing import CliRunner

from rangemap import batch, batch_dask
from rangemap.cli import cli
from rangemap.errors import InputError

REPO = Path(__file__).resolve().parents[1]

#: Capitals within small rings: one ring per task (batch_run.PLACE_PART), so a few dozen tasks
#: spread over both workers and the kill lands mid-run.
RINGS = [
    (site, km, None, f"r{i}")
    for i, (site, km) in enumerate(
        (s, km)
        for km in (400.0, 650.0, 900.0, 1150.0, 1400.0, 1650.0)
        for s in ("kaliningrad", "deveselu", "Warsaw", "52.2,21.0", "mozdok", "Ankara")
    )
]


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list]]:
    """A `dask scheduler` and two `dask worker` processes (no nanny: a killed worker stays
    dead), all on 127.0.0.1; yields the scheduler's address and the worker processes."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    procs = [
        _start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(info)],
            folder / "scheduler.log",
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = [
            _start(
                ["distributed.cli.dask_worker", "--scheduler-file", str(info), "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
                folder / f"worker{i}.log",
            )
            for i in range(2)
        ]  # fmt: skip
        procs += workers
        with distributed.Client(scheduler_file=str(info), timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address, workers
    finally:
        for proc in reversed(procs):
            proc.kill()
            proc.wait(10)


def test_area_sites_run_on_the_cluster_as_locally(cluster: tuple[str, list]) -> None:
    """Launch areas travel to the workers (pickled with their outlines) and give the same
    rows, nearest launch points included; runs before the test that kills a worker."""
    address, _ = cluster
    rings = [("kaliningrad-region", 480.0), ("belarus", 1000.0), ("kaliningrad-region", 2350.0)]
    local, remote = io.StringIO(), io.StringIO()
    batch.write_batch(rings, local, "csv", places=True, capitals_only=True, jobs=1)
    batch.write_batch(rings, remote, "csv", places=True, capitals_only=True, scheduler=address)
    assert remote.getvalue() == local.getvalue()
    assert "from_lat" in local.getvalue().splitlines()[0]


def test_cluster_run_matches_the_local_bytes_even_when_a_worker_dies(
    cluster: tuple[str, list],
) -> None:
    address, workers = cluster
    local = io.StringIO()
    batch.write_batch(RINGS, local, "csv", places=True, capitals_only=True, jobs=1)
    assert local.getvalue().count("\n") > len(RINGS)  # capitals in every ring but open sea

    remote = io.StringIO()
    batch.write_batch(RINGS, remote, "csv", places=True, capitals_only=True, scheduler=address)
    assert remote.getvalue() == local.getvalue()

    done: list[int] = []

    def kill_one_worker_early(n: int) -> None:
        done.append(n)
        if len(done) == 3:
            workers[0].send_signal(signal.SIGKILL)

    after = io.StringIO()
    batch.write_batch(
        RINGS,
        after,
        "csv",
        places=True,
        capitals_only=True,
        scheduler=address,
        progress=kill_one_worker_early,
    )
    assert workers[0].wait(10) == -signal.SIGKILL
    assert after.getvalue() == local.getvalue()
    assert sum(done) == len(RINGS)  # the progress count follows the cluster, each ring once


def test_interrupted_run_leaves_no_task_on_the_cluster(cluster: tuple[str, list]) -> None:
    address, _ = cluster

    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    rows = [(site, km * 3, None, label) for site, km, _, label in RINGS]
    with pytest.raises(KeyboardInterrupt):
        batch.write_batch(rows, io.StringIO(), "csv", places=True, scheduler=address,
                          progress=interrupt)  # fmt: skip
    with distributed.Client(address, timeout=30) as client:
        deadline = time.monotonic() + 20
        left = -1
        while time.monotonic() < deadline:
            left = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
            if left == 0:
                break
            time.sleep(0.2)
        assert left == 0


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_closed_port_fails_fast_with_one_message() -> None:
    start = time.monotonic()
    with pytest.raises(InputError, match="cannot connect there") as info:
        batch.batch_coverage([("kaliningrad", 480)], scheduler=f"tcp://127.0.0.1:{_closed_port()}")
    assert time.monotonic() - start < 3  # Dask itself retried for its whole 30 s timeout
    assert "dask scheduler" in str(info.value)


@pytest.fixture
def web_server() -> Iterator[str]:
    """A plain HTTP server on the loopback interface: it accepts TCP and never speaks Dask."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_is_not_dask_is_refused_within_seconds(web_server: str) -> None:
    """Dask's connect waits for its handshake without end: a web server held the command
    until it was killed."""
    start = time.monotonic()
    with pytest.raises(InputError, match="answers there, but not as a Dask scheduler"):
        batch.batch_coverage([("kaliningrad", 480)], scheduler=web_server)
    assert time.monotonic() - start < batch_dask.HANDSHAKE_TIMEOUT + 3


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ws://127.0.0.1:8786", "over plain TCP only, not ws://"),
        ("wss://127.0.0.1:8786", "over plain TCP only, not wss://"),
        ("tls://127.0.0.1:8786", "over plain TCP only, not tls://"),
        ("ucx://127.0.0.1:8786", "over plain TCP only, not ucx://"),
        ("inproc://x", "over plain TCP only, not inproc://"),
        ("tcp://127.0.0.1", "is not a scheduler address"),
        ("tcp://:8786", "is not a scheduler address"),
        ("tcp://127.0.0.1:0", "is not a scheduler address"),
        ("tcp://127.0.0.1:65536", "is not a scheduler address"),
        ("tcp://127.0.0.1:87x6", "is not a scheduler address"),
        ("", "is not a scheduler address"),
    ],
)
def test_scheduler_addresses_rangemap_cannot_use_are_one_message(
    tmp_path: Path, address: str, message: str
) -> None:
    rings = tmp_path / "rings.csv"
    rings.write_text("site,km\nkaliningrad,480\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(rings), "--scheduler", address])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
