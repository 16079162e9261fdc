"""`rangemap batch` on 1,000 rings as whole processes: --jobs 1 against --jobs 2, as a speed-up.

Run from the repository root:  python benchmarks/bench_batch.py [--rings N] [--runs N]

The rings mix catalog sites, place names and coordinates with ranges spread evenly from 300 to
5,500 km, every ring different (batch computes a repeated ring once, which would flatter it).
Each run is a fresh `python -m rangemap batch rings.csv --format csv -o FILE` process (start-up,
validation, worker start, layers, output included); the --jobs variants are interleaved and
their outputs must be byte-identical. Target: 1,000 rings in under a minute.

Side by side, the straightforward geopandas way (benchmarks/straightforward_coverage.py: AEQD,
buffer, overlay, EPSG:6933 areas), warm in this process on --sample rings spread over the
list and scaled to all rings (at ~1 s a ring, running all of them would take a quarter hour).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

SITES = (
    "kaliningrad", "deveselu", "redzikowo", "chernyakhovsk", "kapustin-yar", "mozdok",
    "Warsaw", "Paris, FR", "Kyiv", "Ankara", "40.7128,-74.006", "-33.87,151.21",
)  # fmt: skip


def rings(n: int) -> list[tuple[str, float, str]]:
    """n different rings: sites in turn, ranges evenly from 300 to 5,500 km."""
    step = 5200.0 / max(n - 1, 1)
    return [(SITES[i % len(SITES)], round(300.0 + i * step, 3), f"ring {i}") for i in range(n)]


def write_csv(path: Path, items: list[tuple[str, float, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["site", "km", "label"])
        writer.writerows(items)


def run_batch(csv_path: Path, jobs: int, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "rangemap", "batch", str(csv_path), "--jobs", str(jobs),
           "--format", "csv", "-o", str(out)]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def straightforward_estimate(items: list[tuple[str, float, str]], sample: int) -> float:
    """Seconds for all rings the geopandas way, from `sample` rings spread over the list."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(REPO))
    from straightforward_coverage import coverage_table, load_countries

    from rangemap.locations import resolve

    start = time.perf_counter()
    countries = load_countries()
    load = time.perf_counter() - start
    picked = items[:: max(1, len(items) // sample)][:sample]
    per_ring = []
    for site, km, _ in picked:
        location = resolve(site)
        start = time.perf_counter()
        coverage_table(countries, location.lat, location.lon, [km])
        per_ring.append(time.perf_counter() - start)
    return load + statistics.mean(per_ring) * len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per --jobs value")
    parser.add_argument("--sample", type=int, default=20, help="rings for the estimate; 0: skip")
    args = parser.parse_args()
    items = rings(args.rings)
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "rings.csv", items)
        for _ in range(args.runs):
            for jobs in times:
                times[jobs].append(run_batch(folder / "rings.csv", jobs, folder / f"j{jobs}.csv"))
        same = (folder / "j1.csv").read_bytes() == (folder / "j2.csv").read_bytes()
        with (folder / "j1.csv").open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"{args.rings:,} rings ({len(SITES)} sites, 300-5,500 km), {rows:,} rows; "
          f"median of {args.runs} whole processes; outputs identical: {same}\n")  # fmt: skip
    print("| run | time | per ring | speed-up |")
    print("|---|---|---|---|")
    print(f"| `rangemap batch --jobs 1` | {one:.1f} s | {one / args.rings * 1e3:.1f} ms | 1.00x |")
    print(f"| `rangemap batch --jobs 2` | {two:.1f} s | {two / args.rings * 1e3:.1f} ms | "
          f"{one / two:.2f}x (jobs 1 / jobs 2) |")  # fmt: skip
    if args.sample:
        plain = straightforward_estimate(items, args.sample)
        print(f"| straightforward: geopandas overlay per ring, warm, estimated from {args.sample} "
              f"rings | {plain:.0f} s | {plain / args.rings * 1e3:.0f} ms | "
              f"{plain / two:.0f}x (straightforward / jobs 2) |")  # fmt: skip


if __name__ == "__main__":
    main()
