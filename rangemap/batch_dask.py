"""Batch rings on a Dask cluster: a running scheduler (tcp://host:8786) or a LocalCluster.

Workers need rangemap installed with the dask extra (`pip install 'rangemap[dask]'`): tasks
name rangemap.batch_run.work, and a worker plugin loads the layers once per worker process.
A worker lost mid-run is no loss: the scheduler runs its tasks again elsewhere, and the client
still collects every part in input order.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import distributed
from distributed.comm import connect
from distributed.comm.addressing import parse_host_port

from rangemap import batch_run
from rangemap.batch_run import Handle, Result, Task
from rangemap.errors import InputError, RangemapError

#: Seconds to wait for a scheduler to answer and for its first worker to join.
CONNECT_TIMEOUT = 30
#: Seconds for the first contact: a TCP connection, then Dask's handshake and an "identity"
#: answer. Dask's own connect bounds neither the handshake nor the reply, so a server that is
#: not a scheduler (a web server) would hold the command forever; a closed port fails at once.
HANDSHAKE_TIMEOUT = 5.0


def check_is_scheduler(address: str) -> None:
    """InputError unless a Dask scheduler answers at `address` (tcp://HOST:PORT) within
    HANDSHAKE_TIMEOUT seconds."""
    host, port = parse_host_port(address.removeprefix("tcp://"))
    how = "start one with `dask scheduler` and give the address it prints (tcp://HOST:PORT)"
    try:
        socket.create_connection((host, port), timeout=HANDSHAKE_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(
            f"--scheduler {address!r}: cannot connect there ({reason}); {how}."
        ) from None

    async def identity() -> object:
        comm = await connect(address if "://" in address else f"tcp://{address}")
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> object:
        return await asyncio.wait_for(identity(), HANDSHAKE_TIMEOUT)

    # A thread of its own: the caller may already run an event loop (a notebook).
    with ThreadPoolExecutor(1) as pool:
        try:
            reply = pool.submit(asyncio.run, bounded()).result()
        except Exception:  # whatever the far end sent or did, it was no scheduler's answer
            reply = None
    if not (isinstance(reply, dict) and reply.get("type") == "Scheduler"):
        raise InputError(
            f"--scheduler {address!r}: something answers there, but not as a Dask scheduler "
            f"within {HANDSHAKE_TIMEOUT:g} s (another kind of server?); {how}."
        )


class _Preload(distributed.WorkerPlugin):
    """Loads the layers once per worker process, when it joins (or when registered).

    On a LocalCluster (`local`) the workers also leave Ctrl-C to this process: a terminal
    sends it to the whole process group, and this process cancels their tasks and closes them,
    rather than each worker printing a KeyboardInterrupt traceback. Workers someone else
    started keep their own Ctrl-C.
    """

    idempotent = True

    def __init__(self, what: str, local: bool) -> None:
        self.what, self.local = what, local
        self.name = f"rangemap-layers-{what}"

    def setup(self, worker: distributed.Worker) -> None:
        if self.local and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        batch_run.preload(self.what)


def _local_cluster(jobs: int) -> distributed.LocalCluster:
    """`jobs` single-threaded worker processes on the loopback interface."""
    return distributed.LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )


class DaskCluster:
    """A batch_run.Backend sending parts to Dask workers."""

    def __init__(self, address: str, what: str, jobs: int) -> None:
        # Dask logs each lost worker and retried task as warnings; the run itself says enough.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        self.what = what
        self._cluster = None
        if address != "local":
            check_is_scheduler(address)
        try:
            if address == "local":
                self._cluster = _local_cluster(jobs)
                self._client = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close(False)
            raise InputError(
                f"--scheduler {address}: cannot reach a Dask scheduler there ({exc}). Start one "
                "with `dask scheduler` and give its address, e.g. tcp://host:8786."
            ) from None
        try:
            self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            self._client.register_plugin(_Preload(what, address == "local"))
        except TimeoutError:
            self.close(False)
            raise RangemapError(
                f"--scheduler {address}: no worker joined within {CONNECT_TIMEOUT} s; start "
                "workers with `dask worker ADDRESS`."
            ) from None
        self.slots = max(1, sum(self._client.nthreads().values()))
        self._futures: set[Any] = set()

    def submit(self, part: list[Task], on_done: Callable[[], None]) -> Handle:
        future = self._client.submit(batch_run.work, part, self.what, pure=False)
        future.add_done_callback(lambda _: on_done())
        self._futures.add(future)
        return _DaskHandle(future, self._futures)

    def close(self, ok: bool) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            if not ok and self._futures:
                client.cancel(list(self._futures), force=True)
            client.close()
        if self._cluster is not None:
            self._cluster.close()


class _DaskHandle:
    def __init__(self, future: Any, live: set[Any]) -> None:
        self._future, self._live = future, live

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> list[Result]:
        try:
            return self._future.result()
        finally:
            self._live.discard(self._future)  # release it on the cluster as soon as it is read
