"""A scene's drawn layers and sites as GIS files, and its coverage as tables for articles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from rangemap import __version__
from rangemap import coverage as cov
from rangemap.catalog import Source
from rangemap.coverage import CityRow, CountryRow, prefixed
from rangemap.errors import InputError
from rangemap.export import format_for
from rangemap.gis_files import MULTI_LAYER, GisLayer, write_layers
from rangemap.scene_build import ResolvedScene, ResolvedSite, SceneLike, as_resolved

if TYPE_CHECKING:
    import geopandas
    import pandas

#: GeoPackage layer names. GeoJSON and KML hold one collection: the sites follow the ranges
#: in it as points with kind "site", then the launch areas of area sites as polygons with
#: kind "area" (QGIS offers each geometry type as a sublayer; Google Earth lists them as
#: placemarks in one folder).
RANGES_LAYER, SITES_LAYER, AREAS_LAYER, SCENE_LAYER = "ranges", "sites", "areas", "scene"

#: Columns of the ranges layer (one polygon feature per drawn layer) and of the sites layer
#: (also those of the areas layer: one polygon feature per area site, where it is drawn).
RANGE_COLUMNS = (
    "layer", "name", "label", "kind", "site_id", "site", "system", "range_km", "km_min",
    "claimed_by", "uncertain", "color", "area_km2", "sources", "site_lat", "site_lon",
    "bound", "status",
)  # fmt: skip
SITE_COLUMNS = (
    "name", "kind", "site_id", "site", "marks", "position_note", "sources", "site_lat", "site_lon",
)  # fmt: skip

_PLACES_NOTE = f"* {cov.PLACES_LABEL}."
#: Capitals named per layer in the notes under a table (nearest first); the rest are counted.
_MAX_CAPITALS = 8
_CREDITS = (
    f"Ranges: geodesic on the WGS84 ellipsoid (rangemap {__version__}). Borders: Natural "
    "Earth (public domain). Places: GeoNames (CC BY 4.0)."
)


_LAYER_COLUMNS = {"layer": str, "label": str, "kind": str}
#: A `rangemap coverage` row (rangemap.coverage.CountryRow) of one drawn scene layer.
SceneCountryRow = prefixed("SceneCountryRow", CountryRow, _LAYER_COLUMNS)
#: A `rangemap coverage --cities` row (rangemap.coverage.CityRow) of one drawn layer.
SceneCityRow = prefixed("SceneCityRow", CityRow, _LAYER_COLUMNS)


def sources_text(sources: Sequence[Source]) -> str:
    """Citations in one field ("Publisher, Title, date, url; ..."): GIS attributes are flat."""
    return "; ".join(s.cite() for s in sources)


# --- coverage tables -----------------------------------------------------------------------


def coverage_rows(
    scene: SceneLike, *, places: bool = False, capitals_only: bool = False
) -> list[SceneCountryRow] | list[SceneCityRow]:
    """Coverage of every drawn layer, in scene order: countries, or places with `places`.

    Country rows reuse the coverage computed when the scene was resolved.
    """
    resolved = as_resolved(scene)
    if places or capitals_only:
        return [
            SceneCityRow(layer.id, layer.label, layer.kind, *row)
            for layer in resolved.drawn
            for row in cov.city_rows(layer.ring, capitals_only=capitals_only)
        ]
    return [
        SceneCountryRow(layer.id, layer.label, layer.kind, *row)
        for layer in resolved.drawn
        for row in layer.countries
    ]


def coverage_notes(scene: SceneLike, *, markdown: bool = False) -> list[str]:
    """What each drawn layer covers in a line, then the population label and the credits.

    Printed under Markdown and text tables: the sidebar of an article in a few lines. With
    `markdown`, the scene's own texts are escaped so that they show as written.
    """
    from rangemap.tables import md_text

    def text(value: str) -> str:
        return md_text(value) if markdown else value

    resolved = as_resolved(scene)
    lines = [text(resolved.title), ""]
    for layer in resolved.drawn:
        summary = layer.summary
        capitals = ", ".join(summary.capitals[:_MAX_CAPITALS]) or "none named"
        if len(summary.capitals) > _MAX_CAPITALS:
            capitals += f" and {len(summary.capitals) - _MAX_CAPITALS} more"
        flag = " (uncertain)" if layer.uncertain else ""
        lines.append(
            f"- {text(layer.name)}{flag}: range area {summary.area_km2:,.0f} km2; "
            f"{summary.counts()} ({capitals}); "
            f"{cov.millions(summary.population)} {cov.PEOPLE_LABEL}*"
        )
    return [*lines, "", _PLACES_NOTE, _CREDITS]


def render_table(
    scene: SceneLike, fmt: str = "csv", *, places: bool = False, capitals_only: bool = False
) -> str:
    """The coverage table as text: csv, json, md (with notes for an article) or table."""
    from rangemap import tables

    if fmt not in tables.FORMATS:
        raise InputError(f"unknown table format {fmt!r}; choose one of {sorted(tables.FORMATS)}")
    resolved = as_resolved(scene)
    rows = coverage_rows(resolved, places=places, capitals_only=capitals_only)
    columns = (SceneCityRow if places or capitals_only else SceneCountryRow)._fields
    text = tables.render(rows, fmt, columns=columns)
    if fmt in ("md", "table"):
        text += "\n" + "\n".join(coverage_notes(resolved, markdown=fmt == "md")) + "\n"
    return text


def coverage_frame(
    scene: SceneLike, *, places: bool = False, capitals_only: bool = False
) -> pandas.DataFrame:
    """The coverage table as a DataFrame (places as a point GeoDataFrame, EPSG:4326)."""
    import pandas

    rows = coverage_rows(scene, places=places, capitals_only=capitals_only)
    if not (places or capitals_only):
        return pandas.DataFrame(rows, columns=list(SceneCountryRow._fields))
    import geopandas

    frame = geopandas.GeoDataFrame(rows, columns=list(SceneCityRow._fields))
    return frame.set_geometry(geopandas.points_from_xy(frame.lon, frame.lat), crs="EPSG:4326")


# --- GIS files -----------------------------------------------------------------------------


def range_fields(scene: ResolvedScene) -> dict[str, np.ndarray]:
    """Attributes of the drawn layers, one row each, in RANGE_COLUMNS order."""
    layers = scene.drawn
    rings = [layer.ring for layer in layers]

    def text(values: list[Any]) -> np.ndarray:
        return np.array(values, dtype=object)

    columns = {
        "layer": text([layer.id for layer in layers]),
        "name": text([layer.name for layer in layers]),
        "label": text([layer.label for layer in layers]),
        "kind": text([layer.kind for layer in layers]),
        "site_id": text([layer.site.id for layer in layers]),
        "site": text([layer.site.name for layer in layers]),
        "system": text([layer.system for layer in layers]),
        "range_km": np.array([r.km for r in rings], dtype=float),
        "km_min": np.array([r.km_min or np.nan for r in rings], dtype=float),
        "claimed_by": text([layer.claimed_by for layer in layers]),
        "uncertain": np.array([layer.uncertain for layer in layers], dtype=bool),
        "color": text([layer.color for layer in layers]),
        "area_km2": np.array([round(r.area_km2, 1) for r in rings], dtype=float),
        "sources": text([sources_text(layer.sources) for layer in layers]),
        "site_lat": np.array([r.site.lat for r in rings], dtype=float),
        "site_lon": np.array([r.site.lon for r in rings], dtype=float),
        "bound": text([layer.bound for layer in layers]),
        "status": text([layer.status for layer in layers]),
    }
    return {name: columns[name] for name in RANGE_COLUMNS}


def site_fields(scene: ResolvedScene, *, kind: str = "site") -> dict[str, np.ndarray]:
    """Attributes of the scene's sites, one row each, in SITE_COLUMNS order; with kind
    "area", of its area sites' launch areas (site_lat, site_lon: where the name is drawn)."""
    sites = scene.sites if kind == "site" else _area_sites(scene)

    def text(values: list[Any]) -> np.ndarray:
        return np.array(values, dtype=object)

    columns = {
        "name": text([s.label for s in sites]),
        "kind": text([kind] * len(sites)),
        "site_id": text([s.location.id for s in sites]),
        "site": text([s.location.name for s in sites]),
        "marks": text([s.location.marks for s in sites]),
        "position_note": text([s.entry.position_note if s.entry else None for s in sites]),
        "sources": text(
            [sources_text(s.entry.sources) if s.entry else s.location.source for s in sites]
        ),
        "site_lat": np.array([s.location.lat for s in sites], dtype=float),
        "site_lon": np.array([s.location.lon for s in sites], dtype=float),
    }
    return {name: columns[name] for name in SITE_COLUMNS}


def _range_wkb(scene: ResolvedScene) -> np.ndarray:
    geometries = [shapely.multipolygons(shapely.get_parts(x.ring.geometry)) for x in scene.drawn]
    return shapely.to_wkb(np.array(geometries, dtype=object), output_dimension=2)


def _site_wkb(scene: ResolvedScene) -> np.ndarray:
    lons = [s.location.lon for s in scene.sites]
    lats = [s.location.lat for s in scene.sites]
    return shapely.to_wkb(shapely.points(lons, lats), output_dimension=2)


def _area_sites(scene: ResolvedScene) -> list[ResolvedSite]:
    return [s for s in scene.sites if s.location.area is not None]


def _area_wkb(scene: ResolvedScene) -> np.ndarray:
    geometries = [
        shapely.multipolygons(shapely.get_parts(area.geometry))
        for s in scene.sites
        if (area := s.location.area) is not None
    ]
    return shapely.to_wkb(np.array(geometries, dtype=object), output_dimension=2)


def _combined(ranges: dict[str, np.ndarray], sites: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Range rows, then site (and area) rows, under the union of both column sets (missing:
    null)."""
    n_ranges, n_sites = len(ranges["layer"]), len(sites["name"])
    out: dict[str, np.ndarray] = {}
    for name in (*RANGE_COLUMNS, *(c for c in SITE_COLUMNS if c not in RANGE_COLUMNS)):
        first, second = ranges.get(name), sites.get(name)
        sample = first if first is not None else second
        size = n_sites if second is None else n_ranges
        if sample is not None and sample.dtype == bool:  # a point is never "uncertain"
            fill: Any = np.zeros(size, dtype=bool)
        elif sample is not None and sample.dtype == float:
            fill = np.full(size, np.nan)
        else:
            fill = np.full(size, None, dtype=object)
        a = first if first is not None else fill
        b = second if second is not None else fill
        out[name] = np.concatenate([a, b])
    return out


def export_scene(scene: SceneLike, path: str | Path, *, fmt: str | None = None) -> Path:
    """Write every drawn layer of a scene, and its sites, to a GIS file through GDAL.

    GeoPackage (QGIS) and zipped Shapefile: a "ranges" layer of MultiPolygons, a "sites"
    layer of points and, for area sites, an "areas" layer of their launch areas. GeoJSON
    (RFC 7946), KML (Google Earth) and FlatGeobuf: one collection, the ranges, the sites
    (kind "site"), then the launch areas (kind "area"). All lon/lat on WGS84, split at the 180th
    meridian; the same scene gives the same bytes. Returns the path written.
    """
    resolved = as_resolved(scene)
    path = Path(path)
    fmt = format_for(path, fmt)
    ranges, sites = range_fields(resolved), site_fields(resolved)
    areas = site_fields(resolved, kind="area")
    if fmt in MULTI_LAYER:
        layers = [
            GisLayer(RANGES_LAYER, _range_wkb(resolved), ranges, "MultiPolygon"),
            GisLayer(SITES_LAYER, _site_wkb(resolved), sites, "Point"),
        ]
        if len(areas["name"]):
            layers.append(GisLayer(AREAS_LAYER, _area_wkb(resolved), areas, "MultiPolygon"))
    else:
        geometry = np.concatenate([_range_wkb(resolved), _site_wkb(resolved), _area_wkb(resolved)])
        points = {name: np.concatenate([sites[name], areas[name]]) for name in SITE_COLUMNS}
        layers = [GisLayer(SCENE_LAYER, geometry, _combined(ranges, points), "Unknown")]
    # KML placemarks by layer name: "Kaliningrad — 9M729 ≤480 km (stated)"
    options = {"NameField": "name"} if fmt == "kml" else None
    return write_layers(path, layers, fmt=fmt, dataset_options=options)


def scene_frame(scene: SceneLike) -> geopandas.GeoDataFrame:
    """The drawn layers as a GeoDataFrame (EPSG:4326), one row each, with the export columns."""
    import geopandas

    resolved = as_resolved(scene)
    return geopandas.GeoDataFrame(
        range_fields(resolved),
        geometry=[layer.ring.geometry for layer in resolved.drawn],
        crs="EPSG:4326",
    )
