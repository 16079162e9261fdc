"""Coverage speed, side by side with the straightforward geopandas approach, as ratios.

Run from the repository root:  python benchmarks/bench_coverage.py [--runs N]

Both sides run warm in one process on the same Natural Earth 1:10m countries (the layer's
full-resolution geometry) and the same GeoNames places, for rings from Kaliningrad:
- rangemap: make_ring + country_rows + city_rows (exact ring, pre-cut tiles, prepared ring,
  cached tile areas, spherical prefilter before exact place distances);
- straightforward: project every country to the site's ellipsoidal AEQD, buffer the site,
  geopandas.overlay, project the pieces to EPSG:6933 and take their areas; places by
  projecting them to the AEQD and testing the buffer.
The ratio is straightforward time / rangemap time (higher is better for rangemap). The last
columns say how far the straightforward areas are from rangemap's (AEQD tears countries near
the antipode and a 64-segment buffer is not a circle).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from rangemap import coverage as cov  # noqa: E402
from rangemap import layers  # noqa: E402
from rangemap.locations import Location, resolve  # noqa: E402


def straightforward(
    countries: geopandas.GeoDataFrame, places: geopandas.GeoDataFrame, lat: float, lon: float,
    km: float,
) -> tuple[dict[str, float], int]:  # fmt: skip
    """Covered km2 by ISO code and the number of places in range, the geopandas way."""
    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"
    disk = geopandas.GeoDataFrame(geometry=[Point(0, 0).buffer(km * 1000, 64)], crs=aeqd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projected = countries.to_crs(aeqd)
        projected["geometry"] = projected.make_valid()
        pieces = geopandas.overlay(projected, disk, how="intersection", keep_geom_type=True)
        areas = pieces.to_crs("EPSG:6933").area / 1e6
    inside = places.to_crs(aeqd).within(disk.geometry.iloc[0])
    return dict(zip(pieces["iso_a3"], areas, strict=True)), int(inside.sum())


def ours(site: Location, km: float) -> tuple[dict[str, float], int]:
    ring = cov.make_ring(site, km)
    rows = cov.country_rows(ring)
    return {r.iso_a3: r.covered_km2 for r in rows}, len(cov.city_rows(ring))


def straightforward_layers() -> tuple[geopandas.GeoDataFrame, geopandas.GeoDataFrame]:
    """The countries (full-resolution geometry) and places the straightforward side reads:
    the same data as rangemap's, as GeoDataFrames."""
    return layers.countries().to_frame().drop(columns="display"), layers.cities().to_frame()


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    site = resolve("kaliningrad")
    countries, places = straightforward_layers()
    ours(site, 100)  # warm the tile tree and place vectors once, as a long-lived process would

    print("| range | rangemap | straightforward | ratio | countries differing > 0.5 % |"
          " places (rangemap / straightforward) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for km in (500, 1000, 2350, 5500, 12000):
        t_ours = median_time(lambda km=km: ours(site, km), args.runs)
        t_plain = median_time(
            lambda km=km: straightforward(countries, places, site.lat, site.lon, km), args.runs
        )
        a, n_a = ours(site, km)
        b, n_b = straightforward(countries, places, site.lat, site.lon, km)
        keys = set(a) | set(b)
        off = sum(
            1 for k in keys if abs(a.get(k, 0) - b.get(k, 0)) > 0.005 * max(a.get(k, 0), 1e-9)
        )
        print(f"| {km:,} km | {t_ours * 1e3:.1f} ms | {t_plain * 1e3:.0f} ms | "
              f"{t_plain / t_ours:.1f}x | {off} of {len(keys)} | {n_a:,} / {n_b:,} |")  # fmt: skip
    versions = f"numpy {np.__version__}, geopandas {geopandas.__version__}"
    print(f"\n(median of {args.runs} runs; {versions})")


if __name__ == "__main__":
    main()
