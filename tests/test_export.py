"""Exported rings read back through GDAL with the same geodesic areas, byte-for-byte stable."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely

from rangemap.coverage import make_ring
from rangemap.export import format_for, write_rings
from rangemap.geodesic import area_km2
from rangemap.locations import resolve

RINGS = [
    make_ring(resolve("kaliningrad"), 5500),  # holds the North Pole
    make_ring(resolve("deveselu"), 1000, km_min=500),  # INF shorter-range band
    make_ring(resolve("-17.7,178"), 2500),  # split at the 180th meridian
]


@pytest.mark.parametrize("suffix", [".geojson", ".kml", ".gpkg"])
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


@pytest.mark.parametrize("suffix", [".geojson", ".kml", ".gpkg"])
def test_same_rings_give_identical_bytes(tmp_path: Path, suffix: str) -> None:
    first = write_rings(RINGS, tmp_path / f"a{suffix}").read_bytes()
    second = write_rings(RINGS, tmp_path / f"b{suffix}").read_bytes()
    assert first == second


def test_kml_names_placemarks_by_label(tmp_path: Path) -> None:
    text = write_rings(RINGS[:1], tmp_path / "ring.kml").read_text()
    assert "<name>Kaliningrad, 5,500 km</name>" in text


def test_format_follows_the_suffix() -> None:
    assert [format_for(Path(p)) for p in ("a.kml", "b.GPKG", "c.json", "d.out")] == [
        "kml", "gpkg", "geojson", "geojson"
    ]  # fmt: skip
    assert format_for(Path("a.kml"), "geojson") == "geojson"


def test_fixed_gdal_date_applies_to_the_write_only(tmp_path: Path) -> None:
    """GDAL's configuration is process-wide: the fixed GeoPackage date must not outlive a write."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    write_rings(RINGS[:1], tmp_path / "a.gpkg")
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None
    write_rings(RINGS[:1], tmp_path / "b.gpkg")
    assert (tmp_path / "a.gpkg").read_bytes() == (tmp_path / "b.gpkg").read_bytes()
