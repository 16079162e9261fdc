"""How coverage time grows with the range of a ring and with the number of rings, side by side.

Run from the repository root:  python benchmarks/bench_growth.py [--runs N]

Warm, in one process (layers loaded, as in a long-lived process or a batch worker), median of
--runs each:
- range: one ring from Kaliningrad, 300 to 19,000 km (both poles inside from ~16,000 km):
  rangemap make_ring + country_rows against the straightforward geopandas overlay
  (benchmarks/straightforward_coverage.py: AEQD, 64-segment buffer, overlay, EPSG:6933 areas);
- rings: 1, 2, 4, 8, 16 rings of 2,000-2,150 km from Kaliningrad: rangemap batch_coverage
  (jobs=1, one ring after another) against the straightforward way with all of a site's
  buffers in one overlay. Time per ring should stay flat (near-linear growth).
The ratio is straightforward / rangemap (higher is better for rangemap).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_coverage import median_time  # noqa: E402
from straightforward_coverage import coverage_table, load_countries  # noqa: E402

from rangemap import coverage as cov  # noqa: E402
from rangemap.batch import batch_coverage  # noqa: E402
from rangemap.locations import resolve  # noqa: E402

RANGES_KM = (300, 1000, 2350, 5500, 10000, 15000, 19000)
RING_COUNTS = (1, 2, 4, 8, 16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = resolve("kaliningrad")
    countries = load_countries()
    cov.country_rows(cov.make_ring(site, 100))  # load the layer and its tile tree once

    print("One ring from Kaliningrad, by range:\n")
    print("| range | rangemap | straightforward | ratio | countries (rangemap / straightforward) |")
    print("|---|---|---|---|---|")
    for km in RANGES_KM:
        ours = median_time(lambda km=km: cov.country_rows(cov.make_ring(site, km)), args.runs)
        plain = median_time(
            lambda km=km: coverage_table(countries, site.lat, site.lon, [km]), args.runs
        )
        n_ours = len(cov.country_rows(cov.make_ring(site, km)))
        n_plain = len(coverage_table(countries, site.lat, site.lon, [km]))
        print(f"| {km:,} km | {ours * 1e3:.1f} ms | {plain * 1e3:,.0f} ms | {plain / ours:.1f}x "
              f"| {n_ours} / {n_plain} |")  # fmt: skip

    print("\nN rings of 2,000-2,150 km from Kaliningrad:\n")
    print("| rings | rangemap | per ring | straightforward (one overlay) | per ring | ratio |")
    print("|---|---|---|---|---|---|")
    for n in RING_COUNTS:
        kms = [2000.0 + 10.0 * i for i in range(n)]
        rings = [(site, km) for km in kms]
        ours = median_time(lambda rings=rings: batch_coverage(rings, jobs=1), args.runs)
        plain = median_time(
            lambda kms=kms: coverage_table(countries, site.lat, site.lon, kms), args.runs
        )
        print(f"| {n} | {ours * 1e3:.0f} ms | {ours / n * 1e3:.1f} ms | {plain * 1e3:,.0f} ms "
              f"| {plain / n * 1e3:,.0f} ms | {plain / ours:.0f}x |")  # fmt: skip
    print(f"\n(median of {args.runs} runs each)")


if __name__ == "__main__":
    main()
