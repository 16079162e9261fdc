"""`rangemap batch` locally and on a two-worker Dask LocalCluster, and its memory on long inputs.

Run from the repository root (needs `pip install -e '.[dask]'` and psutil):

    python benchmarks/bench_batch_cluster.py --rings 10000            # local vs LocalCluster
    python benchmarks/bench_batch_cluster.py --rings 100000 --memory  # peak memory only

Each run is a fresh `python -m rangemap batch rings.csv --format csv -o FILE` process with the
rings of benchmarks/bench_batch.py (sites in turn, ranges 300 to 5,500 km, all different).
The timed variants are `--jobs 2` (a local process pool) and `--scheduler local --jobs 2` (a
LocalCluster of two single-threaded workers); their outputs must be byte-identical. The
overhead per ring is (cluster - local) / rings. Memory is the peak resident set size of the
batch process alone and of its whole process tree (sampled every 0.2 s with psutil).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_batch import rings, write_csv  # noqa: E402


def run(csv_path: Path, out: Path, *extra: str) -> tuple[float, int, int]:
    """Seconds, peak RSS of the batch process and peak RSS of its process tree (bytes)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "rangemap", "batch", str(csv_path), "--format", "csv",
           "-o", str(out), *extra]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    main = psutil.Process(proc.pid)
    peak_main = peak_tree = 0
    said = start
    while proc.poll() is None:
        try:
            tree = [main, *main.children(recursive=True)]
            sizes = [p.memory_info().rss for p in tree]
        except psutil.Error:
            continue
        peak_main, peak_tree = max(peak_main, sizes[0]), max(peak_tree, sum(sizes))
        if time.perf_counter() - said > 60:  # a long run says how far it got, on stderr
            said = time.perf_counter()
            print(f"  {said - start:.0f} s: up to {_last_ring(out)} written; peak RSS "
                  f"{peak_main / 2**20:.0f} MiB (batch), {peak_tree / 2**20:.0f} MiB (tree)",
                  file=sys.stderr, flush=True)  # fmt: skip
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return time.perf_counter() - start, peak_main, peak_tree


def _last_ring(out: Path) -> str:
    """The label of the last row in the output's temporary file ("ring N"), if any yet."""
    for part in out.parent.glob(f".{out.name}.*"):
        # The atomic writer's temporary file, or the file in its private folder.
        tmp = next((p for p in part.iterdir() if p.is_file()), None) if part.is_dir() else part
        if tmp is None:
            continue
        with tmp.open("rb") as f:
            f.seek(max(0, tmp.stat().st_size - 400))
            lines = f.read().decode("utf-8", "replace").splitlines()
        return lines[-2].split(",")[0] if len(lines) > 1 else "nothing"
    return "nothing"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rings", type=int, default=10_000)
    parser.add_argument("--memory", action="store_true", help="only the local run's memory")
    args = parser.parse_args()
    mib = 2**20
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "rings.csv", rings(args.rings))
        local = run(folder / "rings.csv", folder / "local.csv", "--jobs", "2")
        rows = sum(1 for _ in (folder / "local.csv").open(encoding="utf-8")) - 1
        print(f"{args.rings:,} rings, {rows:,} rows; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores\n")  # fmt: skip
        print("| run | time | per ring | peak RSS, batch process | peak RSS, process tree |")
        print("|---|---|---|---|---|")
        print(f"| `--jobs 2` | {local[0]:.1f} s | {local[0] / args.rings * 1e3:.2f} ms | "
              f"{local[1] / mib:.0f} MiB | {local[2] / mib:.0f} MiB |")  # fmt: skip
        if args.memory:
            return
        cluster = run(folder / "rings.csv", folder / "cluster.csv", "--scheduler", "local",
                      "--jobs", "2")  # fmt: skip
        same = (folder / "local.csv").read_bytes() == (folder / "cluster.csv").read_bytes()
        print(f"| `--scheduler local --jobs 2` | {cluster[0]:.1f} s | "
              f"{cluster[0] / args.rings * 1e3:.2f} ms | {cluster[1] / mib:.0f} MiB | "
              f"{cluster[2] / mib:.0f} MiB |")  # fmt: skip
        print(f"\noverhead per ring: {(cluster[0] - local[0]) / args.rings * 1e3:+.2f} ms; "
              f"outputs identical: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
