"""Range areas of a launch area (the Kaliningrad region), against buffering it in a projection.

Run from the repository root:  python benchmarks/bench_areas.py [--runs N]

- rangemap: the range area of the region (fans of boundary discs, rangemap.buffer), its country
  coverage, its places with the nearest launch point, and the summary; "cold" clears the
  caches first (every step computed), "warm" is a second call in the same process.
- straightforward: project the region to an ellipsoidal AEQD centred on it, shapely
  buffer(R) (16 segments a quarter circle), project back, then geopandas.overlay with the
  countries projected to the same AEQD (areas in EPSG:6933) and places tested in the AEQD.
Accuracy of each range area: for 400 of its boundary vertices, the geodesic distance to the
region (rangemap.areas.nearest_launch_points, 0.5 km boundary spacing) minus R; the largest
gap is shown beside the tolerance, max(0.01 % of R, 100 m).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402
from bench_coverage import median_time, straightforward_layers  # noqa: E402

from rangemap import areas, buffer  # noqa: E402
from rangemap import coverage as cov  # noqa: E402
from rangemap.locations import Location, resolve  # noqa: E402


def ours(site: Location, km: float, *, cold: bool) -> object:
    if cold:
        buffer.area_range.cache_clear()
        cov._area_places.cache_clear()
        cov._DISKS.clear()
        cov._PLACES.clear()
    ring = cov.make_ring(site, km)
    countries = cov.country_rows(ring)
    cov.city_rows(ring)
    cov.summarize(ring, countries=countries)
    return ring.geometry


def straightforward(
    region: shapely.Geometry, countries: geopandas.GeoDataFrame, places: geopandas.GeoDataFrame,
    km: float,
) -> shapely.Geometry:  # fmt: skip
    """The region buffered in its own AEQD, and its coverage the geopandas way."""
    centre = region.centroid
    aeqd = f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +ellps=WGS84 +units=m"
    to_aeqd = pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    back = pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    projected = shapely.transform(region, lambda xy: np.column_stack(to_aeqd.transform(*xy.T)))
    buffered = projected.buffer(km * 1000, quad_segs=16)
    frame = geopandas.GeoDataFrame(geometry=[buffered], crs=aeqd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pieces = geopandas.overlay(
            countries.to_crs(aeqd).assign(geometry=lambda f: f.make_valid()), frame,
            how="intersection", keep_geom_type=True,
        )  # fmt: skip
        pieces.to_crs("EPSG:6933").area.sum()
    places.to_crs(aeqd).within(buffered).sum()
    return shapely.transform(buffered, lambda xy: np.column_stack(back.transform(*xy.T)))


def worst_gap_m(region: areas.LaunchArea, geometry: shapely.Geometry, km: float) -> float:
    coords = shapely.get_coordinates(geometry.boundary)
    coords = coords[(np.abs(coords[:, 0]) < 180) & (np.abs(coords[:, 1]) < 90)]
    picked = coords[np.linspace(0, len(coords) - 1, 400).astype(int)]
    dist, _, _ = areas.nearest_launch_points(region, picked[:, 1], picked[:, 0])
    return float(np.max(np.abs(dist - km))) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    site = resolve("kaliningrad-region")
    countries, places = straightforward_layers()
    ours(site, 100, cold=True)  # load the layers, tile tree and place vectors once

    print("| range | rangemap cold | rangemap warm | straightforward | ratio (cold) |"
          " worst gap: rangemap / straightforward | tolerance |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for km in (480, 2350, 5500):
        t_cold = median_time(lambda km=km: ours(site, km, cold=True), args.runs)
        t_warm = median_time(lambda km=km: ours(site, km, cold=False), args.runs)
        t_plain = median_time(
            lambda km=km: straightforward(site.area.geometry, countries, places, km), args.runs
        )
        gap_ours = worst_gap_m(site.area, ours(site, km, cold=False), km)
        plain = straightforward(site.area.geometry, countries, places, km)
        gap_plain = worst_gap_m(site.area, plain, km)
        tol = buffer.tolerance_m(km)
        print(f"| {km:,} km | {t_cold * 1e3:.0f} ms | {t_warm * 1e3:.1f} ms | "
              f"{t_plain * 1e3:.0f} ms | {t_plain / t_cold:.1f}x | "
              f"{gap_ours:,.0f} m / {gap_plain:,.0f} m | {tol:,.0f} m |")  # fmt: skip
    versions = f"shapely {shapely.__version__}, pyproj {pyproj.__version__}"
    print(f"\n(median of {args.runs} runs; {versions})")


if __name__ == "__main__":
    main()
