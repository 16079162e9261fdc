"""The Python API: the CLI's computations as (Geo)DataFrames, for notebooks and scripts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rangemap import coverage as cov
from rangemap.locations import Location, resolve
from rangemap.units import parse_range

if TYPE_CHECKING:
    import geopandas
    import pandas

    from rangemap.scene_build import SceneLike


def resolve_site(site: str | Location) -> Location:
    """A Location from a catalog id or area site id ("kaliningrad-region"), a place name,
    "LAT,LON" or an existing Location (rangemap.launch_location also takes GeoJSON areas
    and dispersal radii)."""
    return site if isinstance(site, Location) else resolve(site)


def make_ring(
    site: str | Location, km: float | str, *, km_min: float | str | None = None
) -> cov.Ring:
    """The geodesic range area of `site` out to `km` (or the band from `km_min`).

    Ranges are km, or text with a unit as on the command line: "1000mi", "300nmi".
    """
    inner = parse_range(km_min, label="km_min") if km_min is not None else None
    return cov.make_ring(resolve_site(site), parse_range(km, label="km"), km_min=inner)


def countries_covered(
    site: str | Location, km: float | str, *, km_min: float | str | None = None
) -> pandas.DataFrame:
    """Countries within range: site, range_km, km_min, iso_a3, country, covered_km2,
    country_km2, covered_pct (the `rangemap coverage` columns), largest covered area first.

    >>> countries_covered("kaliningrad", 480).set_index("iso_a3").loc["LTU", "covered_pct"]
    100.0
    """
    import pandas

    rows = cov.country_rows(make_ring(site, km, km_min=km_min))
    return pandas.DataFrame(rows, columns=list(cov.CountryRow._fields))


def places_covered(
    site: str | Location,
    km: float | str,
    *,
    km_min: float | str | None = None,
    capitals_only: bool = False,
) -> geopandas.GeoDataFrame:
    """Populated places within range, nearest first, as points (EPSG:4326)."""
    import geopandas

    rows = cov.city_rows(make_ring(site, km, km_min=km_min), capitals_only=capitals_only)
    frame = geopandas.GeoDataFrame(rows, columns=list(cov.CityRow._fields))
    return frame.set_geometry(geopandas.points_from_xy(frame.lon, frame.lat), crs="EPSG:4326")


def compare_ranges(site: str | Location, base_km: float | str, km: float | str) -> cov.Comparison:
    """What the range `km` adds over `base_km` (e.g. a disputed range over a stated one)."""
    base, wider = parse_range(base_km, label="base_km"), parse_range(km, label="km")
    return cov.compare(resolve_site(site), base, wider)


def rings_to_frame(rings: Sequence[cov.Ring]) -> geopandas.GeoDataFrame:
    """Rings as a GeoDataFrame (EPSG:4326), one row each, with the export attributes."""
    import geopandas

    from rangemap.export import ring_fields

    return geopandas.GeoDataFrame(
        {name: values for name, values in ring_fields(rings).items()},
        geometry=[r.geometry for r in rings],
        crs="EPSG:4326",
    )


def scene_coverage(
    scene: SceneLike = None, *, places: bool = False, capitals_only: bool = False
) -> pandas.DataFrame:
    """Coverage of every drawn layer of a scene, as `rangemap table` prints it: layer, label,
    kind, then the `rangemap coverage` columns (places: a point GeoDataFrame, EPSG:4326).

    `scene` is a built-in name, a scene file, a Scene or a ResolvedScene (fastest when
    making several outputs: rangemap.resolve_scene(rangemap.load_scene(name))).
    """
    from rangemap.scene_export import coverage_frame

    return coverage_frame(scene, places=places, capitals_only=capitals_only)
