"""Exported rings read back through GDAL with the same geodesic areas, byte-for-byte stable."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyogrio
import pytest
import shapely

from rangemap.coverage import make_ring
from rangemap.errors import InputError
from rangemap.export import format_for, write_rings
from rangemap.geodesic import area_km2
from rangemap.locations import resolve

RINGS = [
    make_ring(resolve("kaliningrad"), 5500),  # holds the North Pole
    make_ring(resolve("deveselu"), 1000, km_min=500),  # INF shorter-range band
    make_ring(resolve("-17.7,178"), 2500),  # split at the 180th meridian
]


@pytest.mark.parametrize("suffix", [".geojson", ".kml", ".gpkg", ".fgb", ".shp.zip"])
def test_rings_read_back_through_gdal_with_the_same_areas(tmp_path: Path, suffix: str) -> None:
    path = write_rings(RINGS, tmp_path / f"rings{suffix}")
    meta, _, wkb, fields = pyogrio.raw.read(path)
    assert meta["crs"] == "EPSG:4326"
    geometries = shapely.from_wkb(wkb)
    assert all(shapely.is_valid(geometries))
    for ring, geometry in zip(RINGS, geometries, strict=True):
        assert area_km2(geometry) == pytest.approx(ring.area_km2, rel=1e-7)
    label_field = "Name" if suffix == ".kml" else "label"  # KML keeps the label as <name>
    labels = fields[list(meta["fields"]).index(label_field)]
    assert list(labels) == [r.label for r in RINGS]


@pytest.mark.parametrize("suffix", [".geojson", ".kml", ".gpkg", ".fgb", ".shp.zip"])
def test_same_rings_give_identical_bytes(tmp_path: Path, suffix: str) -> None:
    first = write_rings(RINGS, tmp_path / f"a{suffix}").read_bytes()
    second = write_rings(RINGS, tmp_path / f"b{suffix}").read_bytes()
    assert first == second


def test_kml_names_placemarks_by_label(tmp_path: Path) -> None:
    text = write_rings(RINGS[:1], tmp_path / "ring.kml").read_text()
    assert "<name>Kaliningrad, 5,500 km</name>" in text


def test_format_follows_the_suffix() -> None:
    paths = ("a.kml", "b.GPKG", "c.json", "d.fgb", "e.shp.zip", "f.SHZ")
    assert [format_for(Path(p)) for p in paths] == ["kml", "gpkg", "geojson", "fgb", "shp", "shp"]
    assert format_for(Path("a.kml"), "kml") == "kml"


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("d.out", None, "cannot write a GIS file to 'd.out' (.out); it can be written as "
         "GeoJSON (.geojson, .json), KML (.kml), GeoPackage (.gpkg), FlatGeobuf (.fgb), zipped "
         "Shapefile (.shp.zip, .shz): give -o a file with one of these suffixes."),
        ("r.shp", None, "A Shapefile is written zipped, as one file: -o r.shp.zip."),
        ("r.csv", None, "cannot write a GIS file to 'r.csv' (.csv)"),
        ("rings", None, "(no suffix)"),
        ("a.kml", "geojson", "--format geojson does not match 'a.kml', which names a kml file"),
    ],
)  # fmt: skip
def test_unknown_suffix_names_the_formats(path: str, fmt: str | None, message: str) -> None:
    with pytest.raises(InputError) as info:
        format_for(Path(path), fmt)
    assert message in str(info.value)


def test_shapefile_keeps_dbf_limits_without_losing_the_start_of_long_text(tmp_path: Path) -> None:
    """dBase fields hold 254 bytes and 10-character names: long text is cut with an ellipsis,
    position_source becomes pos_source; the zip holds the shapefile's five files."""
    path = write_rings(RINGS[:1], tmp_path / "ring.shp.zip")
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
    assert names == ["rings.cpg", "rings.dbf", "rings.prj", "rings.shp", "rings.shx"]
    frame = pyogrio.read_dataframe(path)
    assert frame.pos_source[0] == RINGS[0].site.source[:254]


def test_fixed_gdal_date_applies_to_the_write_only(tmp_path: Path) -> None:
    """GDAL's configuration is process-wide: the fixed GeoPackage date must not outlive a write."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    write_rings(RINGS[:1], tmp_path / "a.gpkg")
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None
    write_rings(RINGS[:1], tmp_path / "b.gpkg")
    assert (tmp_path / "a.gpkg").read_bytes() == (tmp_path / "b.gpkg").read_bytes()
