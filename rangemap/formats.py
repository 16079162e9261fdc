"""Which files each command writes: the format of `-o FILE`, from its suffix, or exit 2."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rangemap.errors import InputError

#: `rangemap map`: the interactive map, or a static one (matplotlib: PNG, SVG, PDF).
MAP_SUFFIXES: Mapping[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
}
#: `rangemap export` and `rangemap ring`: GIS files written through GDAL. A Shapefile is
#: several files (.shp, .shx, .dbf, .prj, .cpg), so it is written as one zip that QGIS,
#: ArcGIS and GDAL open as it is: one file can be replaced atomically, a set cannot.
GIS_SUFFIXES: Mapping[str, str] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".gpkg": "gpkg",
    ".fgb": "fgb",
    ".shp.zip": "shp",
    ".shz": "shp",
}
#: Tables (sites, systems, coverage, compare, reach, table, batch), by --format name.
TABLE_SUFFIXES: Mapping[str, str] = {".csv": "csv", ".json": "json", ".md": "md", ".txt": "table"}


#: Format names in messages.
NAMES = {
    "html": "HTML",
    "png": "PNG",
    "svg": "SVG",
    "pdf": "PDF",
    "geojson": "GeoJSON",
    "kml": "KML",
    "gpkg": "GeoPackage",
    "fgb": "FlatGeobuf",
    "shp": "zipped Shapefile",
    "csv": "CSV",
    "json": "JSON",
    "md": "Markdown",
    "table": "text table",
}


def listing(suffixes: Mapping[str, str]) -> str:
    """'GeoJSON (.geojson, .json), KML (.kml), ...': every format with its suffixes."""
    by_format: dict[str, list[str]] = {}
    for end, fmt in suffixes.items():
        by_format.setdefault(fmt, []).append(end)
    return ", ".join(f"{NAMES.get(f, f)} ({', '.join(ends)})" for f, ends in by_format.items())


def suffix(path: str | Path) -> str:
    """The lower-cased suffix, counting '.shp.zip' as one: 'Map.PNG' -> '.png'."""
    name = Path(path).name.lower()
    if name.endswith(".shp.zip"):
        return ".shp.zip"
    return Path(name).suffix


def output_format(
    path: str | Path,
    suffixes: Mapping[str, str],
    *,
    what: str,
    fmt: str | None = None,
) -> str:
    """The format to write `path` in: its suffix's, which must agree with `fmt` when given.

    `what` names the output in messages ("a map", "a GIS file", "a table"). A suffix outside
    `suffixes` raises InputError listing the suffixes that work.
    """
    found = suffixes.get(suffix(path))
    if found is None:
        hint = ""
        if suffix(path) == ".shp":
            stem = Path(path).name[: -len(".shp")]
            hint = f" A Shapefile is written zipped, as one file: -o {stem}.shp.zip."
        shown = suffix(path) or "no suffix"
        raise InputError(
            f"cannot write {what} to {str(path)!r} ({shown}); it can be written as "
            f"{listing(suffixes)}: give -o a file with one of these suffixes.{hint}"
        )
    if fmt is not None and fmt != found:
        raise InputError(
            f"--format {fmt} does not match {str(path)!r}, which names a {found} file: "
            f"drop --format or give -o a file ending in "
            f"{' or '.join(s for s, f in suffixes.items() if f == fmt)}."
        )
    return found
