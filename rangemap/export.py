"""Range areas as GIS files (GeoJSON, KML, GeoPackage, FlatGeobuf, Shapefile), through GDAL."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

from rangemap.coverage import Ring
from rangemap.gis_files import GisLayer, gis_format, write_layers


def format_for(path: Path, fmt: str | None = None) -> str:
    """The export format from the file suffix, agreeing with `fmt` when given; InputError
    names the suffixes that work (rangemap.formats.GIS_SUFFIXES)."""
    return gis_format(path, fmt)


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

    KML is read by Google Earth, GeoPackage and the others by QGIS; all lon/lat on WGS84.
    """
    geometry = shapely.to_wkb(
        np.array([shapely.multipolygons(shapely.get_parts(r.geometry)) for r in rings]),
        output_dimension=2,
    )
    layer = GisLayer("rings", geometry, ring_fields(rings), "MultiPolygon")
    return write_layers(path, [layer], fmt=format_for(path, fmt))
