"""Range areas as GIS files (GeoJSON RFC 7946), written through GDAL (pyogrio), atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

from rangemap.coverage import Ring
from rangemap.output import atomic_path

#: GDAL driver and layer options per export format; RFC 7946 GeoJSON keeps 7 decimals (~1 cm).
DRIVERS = {
    "geojson": ("GeoJSON", {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"}),
}


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


def write_rings(rings: Sequence[Ring], path: Path, *, fmt: str = "geojson") -> Path:
    """Write rings as MultiPolygons (one feature each) to `path` through GDAL, atomically."""
    import pyogrio.raw

    driver, options = DRIVERS[fmt]
    fields = ring_fields(rings)
    geometry = shapely.to_wkb(
        np.array([shapely.multipolygons(shapely.get_parts(r.geometry)) for r in rings]),
        output_dimension=2,
    )
    with atomic_path(Path(path)) as tmp:
        pyogrio.raw.write(
            str(tmp),
            geometry,
            list(fields.values()),
            list(fields),
            driver=driver,
            geometry_type="MultiPolygon",
            crs="EPSG:4326",
            layer="rings",
            layer_options=options,
        )
    return Path(path)
