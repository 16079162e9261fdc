"""Range areas as GIS files (GeoJSON, KML, GeoPackage), written through GDAL, atomically."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import shapely

from rangemap.coverage import Ring
from rangemap.output import atomic_path

#: GDAL driver, layer options and dataset options per format. RFC 7946 GeoJSON keeps 7 decimals
#: (~1 cm); KML names each placemark by its label, which Google Earth shows.
DRIVERS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "geojson": (
        "GeoJSON",
        {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"},
        {},
    ),
    "kml": ("KML", {}, {"NameField": "label"}),
    "gpkg": ("GPKG", {}, {}),
}
FORMATS = tuple(DRIVERS)


def gdal_failures() -> tuple[type[Exception], ...]:
    """GDAL's write errors (a full disk, a file size limit): the machine's failures, exit 1."""
    import pyogrio.errors

    return (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".gpkg": "gpkg"}

#: GeoPackages record a "last change" time; fixing it makes the same inputs give the same bytes.
FIXED_DATE = {"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"}


class GisLayer(NamedTuple):
    """One layer of a GIS file.

    Attributes
    ----------
    name : str
        The layer's name in the file ("rings", "ranges", "sites" ...).
    geometry : numpy.ndarray
        WKB geometries, lon/lat on WGS84, one per feature.
    fields : dict of str to numpy.ndarray
        Attribute columns, one value per feature.
    geometry_type : str
        GDAL's geometry type name: "MultiPolygon", "Point" or "Unknown" (mixed).
    """

    name: str
    geometry: np.ndarray
    fields: dict[str, np.ndarray]
    geometry_type: str


def format_for(path: Path, fmt: str | None = None) -> str:
    """The export format: `fmt` if given, else from the file suffix (GeoJSON by default)."""
    if fmt:
        return fmt
    return _SUFFIXES.get(Path(path).suffix.lower(), "geojson")


def ring_fields(rings: Sequence[Ring]) -> dict[str, np.ndarray]:
    """Attribute columns written with each ring: who, how far, how big, from where."""
    return {
        "label": np.array([r.label for r in rings], dtype=object),
        "site": np.array([r.site.name for r in rings], dtype=object),
        "site_id": np.array([r.site.id for r in rings], dtype=object),
        "site_lat": np.array([r.site.lat for r in rings], dtype=float),
        "site_lon": np.array([r.site.lon for r in rings], dtype=float),
        "range_km": np.array([r.km for r in rings], dtype=float),
        "km_min": np.array([r.km_min if r.km_min else np.nan for r in rings], dtype=float),
        "area_km2": np.array([round(r.area_km2, 1) for r in rings], dtype=float),
        "position_source": np.array([r.site.source for r in rings], dtype=object),
    }


def write_rings(rings: Sequence[Ring], path: Path, *, fmt: str | None = None) -> Path:
    """Write rings as MultiPolygons (one feature each) to `path` through GDAL, atomically.

    KML is read by Google Earth, GeoPackage by QGIS; all three are lon/lat on WGS84.
    """
    geometry = shapely.to_wkb(
        np.array([shapely.multipolygons(shapely.get_parts(r.geometry)) for r in rings]),
        output_dimension=2,
    )
    return write_gis(
        path, [GisLayer("rings", geometry, ring_fields(rings), "MultiPolygon")], fmt=fmt
    )


def write_gis(
    path: str | Path,
    layers: Sequence[GisLayer],
    *,
    fmt: str | None = None,
    name_field: str | None = None,
) -> Path:
    """Write `layers` to one GIS file through GDAL, atomically: the writer of every command.

    `fmt` defaults to the suffix of `path`; `name_field` overrides the KML placemark name
    field. Returns the path written.
    """
    import pyogrio.raw

    path = Path(path)
    fmt = format_for(path, fmt)
    driver, options, dataset_options = DRIVERS[fmt]
    if name_field and fmt == "kml":
        dataset_options = {**dataset_options, "NameField": name_field}
    with _fixed_date(), atomic_path(path, failures=gdal_failures()) as tmp:
        for i, layer in enumerate(layers):
            pyogrio.raw.write(
                str(tmp),
                layer.geometry,
                list(layer.fields.values()),
                list(layer.fields),
                driver=driver,
                geometry_type=layer.geometry_type,
                crs="EPSG:4326",
                layer=layer.name,
                layer_options=options,
                dataset_options=dataset_options if i == 0 else {},
                append=i > 0,
            )
    return path


@contextlib.contextmanager
def _fixed_date() -> Iterator[None]:
    """GDAL's date for this write only: its configuration is global, so restore it after."""
    import pyogrio

    (name, date), *_ = FIXED_DATE.items()
    before = pyogrio.get_gdal_config_option(name)
    pyogrio.set_gdal_config_options({name: date})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({name: before})
