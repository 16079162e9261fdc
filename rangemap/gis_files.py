"""The one GIS writer (ring, export, scenes) through GDAL: GeoJSON, KML, GeoPackage,
FlatGeobuf and zipped Shapefile."""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rangemap.formats import GIS_SUFFIXES, output_format
from rangemap.output import atomic_path

#: GDAL driver, layer options and dataset options per format. RFC 7946 GeoJSON keeps 7 decimals
#: (~1 cm); KML names each placemark by its label, which Google Earth shows. FlatGeobuf without
#: its spatial index keeps the features in the order given (the index sorts them). Shapefiles
#: are UTF-8 with a fixed "last update" date in the .dbf header, so the bytes do not change.
DRIVERS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "geojson": (
        "GeoJSON",
        {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"},
        {},
    ),
    "kml": ("KML", {}, {"NameField": "label"}),
    "gpkg": ("GPKG", {}, {}),
    "fgb": ("FlatGeobuf", {"SPATIAL_INDEX": "NO"}, {}),
    "shp": ("ESRI Shapefile", {"ENCODING": "UTF-8", "DBF_DATE_LAST_UPDATE": "2000-01-01"}, {}),
}
FORMATS = tuple(DRIVERS)
#: Formats that hold several layers in one file: a scene's ranges and sites go in two layers.
MULTI_LAYER = frozenset({"gpkg", "shp"})

#: GeoPackages record a "last change" time; fixing it makes the same inputs give the same bytes.
FIXED_DATE = {"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"}

#: dBase (.dbf) limits: field names of 10 characters, text of 254 bytes. Longer names get
#: these short forms; longer text is cut with an ellipsis (GeoPackage keeps it whole).
SHAPEFILE_NAMES = {"position_source": "pos_source", "position_note": "pos_note"}
_DBF_TEXT_BYTES = 254

#: Zip entries carry a modification time: a fixed one keeps the file byte-identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def gdal_failures() -> tuple[type[Exception], ...]:
    """GDAL's write errors (a full disk, a file size limit): the machine's failures, exit 1."""
    import pyogrio.errors

    return (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


class GisLayer(NamedTuple):
    """One layer to write: its name, WKB geometries, attribute columns and geometry type."""

    name: str
    geometry: np.ndarray
    fields: Mapping[str, np.ndarray]
    geometry_type: str


def gis_format(path: str | Path, fmt: str | None = None) -> str:
    """The GIS format of `path` from its suffix (agreeing with `fmt`), else InputError."""
    return output_format(path, GIS_SUFFIXES, what="a GIS file", fmt=fmt)


def write_layers(
    path: str | Path,
    layers: Sequence[GisLayer],
    *,
    fmt: str,
    dataset_options: Mapping[str, str] | None = None,
) -> Path:
    """Write `layers` to one file in `fmt`, atomically; one layer unless fmt is MULTI_LAYER."""
    if len(layers) > 1 and fmt not in MULTI_LAYER:
        raise ValueError(f"{fmt} holds one layer, got {len(layers)}")  # a programming error
    path = Path(path)
    with _fixed_date(), atomic_path(path, failures=gdal_failures()) as tmp:
        if fmt == "shp":
            _write_shapefile_zip(tmp, layers)
        else:
            for index, layer in enumerate(layers):
                _write(tmp, layer, fmt, dict(dataset_options or {}), append=index > 0)
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


def _write(
    path: Path, layer: GisLayer, fmt: str, dataset_options: dict[str, str], *, append: bool
) -> None:
    import pyogrio.raw

    driver, layer_options, defaults = DRIVERS[fmt]
    pyogrio.raw.write(
        str(path),
        layer.geometry,
        list(layer.fields.values()),
        list(layer.fields),
        driver=driver,
        geometry_type=layer.geometry_type,
        crs="EPSG:4326",
        layer=layer.name,
        layer_options=layer_options,
        dataset_options={} if append else {**defaults, **dataset_options},
        append=append,
    )


def _write_shapefile_zip(path: Path, layers: Sequence[GisLayer]) -> None:
    """Each layer as NAME.shp (+ .shx .dbf .prj .cpg) in a zip with fixed entry times."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as folder:
        for layer in layers:
            fields = {SHAPEFILE_NAMES.get(k, k): _dbf_text(v) for k, v in layer.fields.items()}
            _write(Path(folder, f"{layer.name}.shp"), layer._replace(fields=fields), "shp", {},
                   append=False)  # fmt: skip
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(Path(folder).iterdir()):
                info = zipfile.ZipInfo(file.name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, file.read_bytes())


def _dbf_text(values: np.ndarray) -> np.ndarray:
    """Text longer than a .dbf field holds, cut at a character boundary with an ellipsis."""
    if values.dtype != object:
        return values
    out = values.copy()
    for i, value in enumerate(values):
        if isinstance(value, str) and len(value.encode("utf-8")) > _DBF_TEXT_BYTES:
            cut = value.encode("utf-8")[: _DBF_TEXT_BYTES - 3].decode("utf-8", "ignore")
            out[i] = cut + "\u2026"
    return out
