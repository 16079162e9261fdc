"""Scene exports read back through GDAL with the layers' geodesic areas; coverage tables."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

import rangemap
from rangemap import coverage as cov
from rangemap.cli import cli
from rangemap.geodesic import area_km2
from rangemap.gis_files import SHAPEFILE_NAMES
from rangemap.scene import Scene, SceneRange, SceneSite, load_scene
from rangemap.scene_build import resolve_scene
from rangemap.scene_export import (
    RANGE_COLUMNS,
    SITE_COLUMNS,
    SceneCityRow,
    SceneCountryRow,
    coverage_rows,
    export_scene,
    render_table,
    sources_text,
)

SUFFIXES = (".geojson", ".kml", ".gpkg", ".fgb", ".shp.zip")


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene("inf-2020"))


@pytest.fixture(scope="module")
def awkward():
    """A ring holding the North Pole, and a band split at the 180th meridian."""
    return resolve_scene(
        Scene(
            title="Poles & seams <test>",
            sites=(
                SceneSite(site="kaliningrad", ranges=(SceneRange(km=5500),)),
                SceneSite(site="-17.7,178", name="Fiji", ranges=(SceneRange(km=2500, km_min=900),)),
            ),
        )
    )


def read_layers(path: Path) -> dict[str, tuple[dict, np.ndarray, dict[str, np.ndarray]]]:
    out = {}
    for name, _ in pyogrio.list_layers(path):
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=name)
        out[str(name)] = (
            meta,
            shapely.from_wkb(wkb),
            dict(zip(meta["fields"], fields, strict=True)),
        )
    return out


def _dbf_cut(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= 254 else data[:251].decode("utf-8", "ignore") + "\u2026"


@pytest.mark.parametrize("scene_name", ["inf", "awkward"])
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_reads_back_with_the_layers_areas(request, tmp_path, scene_name, suffix):
    scene = request.getfixturevalue(scene_name)
    path = export_scene(scene, tmp_path / f"scene{suffix}")
    found = read_layers(path)
    with_area = [s for s in scene.sites if s.location.area is not None]
    if suffix in (".gpkg", ".shp.zip"):
        assert sorted(found) == ["areas", "ranges", "sites"][0 if with_area else 1 :]
        (meta, geoms, fields), (site_meta, points, site_fields) = found["ranges"], found["sites"]
        short = SHAPEFILE_NAMES if suffix == ".shp.zip" else {}
        assert list(meta["fields"]) == list(RANGE_COLUMNS)
        assert list(site_meta["fields"]) == [short.get(c, c) for c in SITE_COLUMNS]
        _, areas, area_fields = found.get("areas", (None, [], {"site_id": []}))
    else:
        ((meta, everything, all_fields),) = found.values()
        n, m = len(scene.drawn), len(scene.drawn) + len(scene.sites)
        kinds = all_fields["kind"]
        assert list(kinds[n:]) == ["site"] * len(scene.sites) + ["area"] * len(with_area)
        geoms, points, areas = everything[:n], everything[n:m], everything[m:]
        fields = {k: v[:n] for k, v in all_fields.items()}
        site_fields = {k: v[n:m] for k, v in all_fields.items()}
        area_fields = {k: v[m:] for k, v in all_fields.items()}
    # each area site's launch area, as a polygon feature of its own
    assert list(area_fields["site_id"]) == [s.location.id for s in with_area]
    for site, geometry in zip(with_area, areas, strict=True):
        # (a shapefile reads a one-part MultiPolygon back as a Polygon)
        assert geometry.geom_type == ("Polygon" if suffix == ".shp.zip" else "MultiPolygon")
        assert area_km2(geometry) == pytest.approx(area_km2(site.location.area.geometry), rel=1e-7)
    assert meta["crs"] == "EPSG:4326"
    assert all(shapely.is_valid(geoms))
    assert len(geoms) == len(scene.drawn)
    for layer, geometry in zip(scene.drawn, geoms, strict=True):
        assert area_km2(geometry) == pytest.approx(layer.ring.area_km2, rel=1e-7)
    assert list(fields["layer"]) == [layer.id for layer in scene.drawn]
    assert list(fields["kind"]) == [layer.kind for layer in scene.drawn]
    assert list(fields["range_km"]) == [layer.ring.km for layer in scene.drawn]
    assert [bool(u) for u in fields["uncertain"]] == [layer.uncertain for layer in scene.drawn]
    if scene_name == "inf":  # the awkward scene's own ranges have no sources
        expected = [sources_text(layer.sources) for layer in scene.drawn]
        if suffix == ".shp.zip":  # dBase text fields hold 254 bytes: cut, with an ellipsis
            expected = [_dbf_cut(text) for text in expected]
        assert list(fields["sources"]) == expected
    assert [(p.x, p.y) for p in points] == [(s.location.lon, s.location.lat) for s in scene.sites]
    assert list(site_fields["site_id"]) == [s.location.id for s in scene.sites]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_same_scene_gives_identical_bytes(tmp_path, awkward, suffix):
    first = export_scene(awkward, tmp_path / f"a{suffix}").read_bytes()
    second = export_scene(awkward, tmp_path / f"b{suffix}").read_bytes()
    assert first == second


def test_geojson_is_rfc7946_with_sources_as_text(tmp_path, inf):
    data = json.loads(export_scene(inf, tmp_path / "inf.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    first = data["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"]["uncertain"] is False
    assert first["properties"]["sources"].startswith("Associated Press (Vladimir Isachenkov), ")
    assert data["features"][-2]["geometry"]["type"] == "Point"
    assert data["features"][-2]["properties"]["kind"] == "site"
    region = data["features"][-1]  # the launch area the Kaliningrad ranges are drawn from
    assert region["geometry"]["type"] == "MultiPolygon"
    assert region["properties"]["kind"] == "area"
    assert region["properties"]["site_id"] == "kaliningrad-region"


def test_kml_names_placemarks_by_layer_name(tmp_path, inf):
    text = export_scene(inf, tmp_path / "inf.kml").read_text(encoding="utf-8")
    assert "<name>Kaliningrad region — 9M729 ≤480 km (stated)</name>" in text
    assert "<name>Deveselu (Romania)</name>" in text  # a site placemark


def test_scene_frame_matches_the_export(inf):
    frame = rangemap.scene_frame(inf)
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns[:-1]) == list(RANGE_COLUMNS)
    assert frame["layer"].tolist() == [layer.id for layer in inf.drawn]


# --- tables ----------------------------------------------------------------------------------


def test_country_rows_are_the_layers_coverage(inf):
    rows = coverage_rows(inf)
    for layer in inf.drawn:
        mine = [r for r in rows if r.layer == layer.id]
        assert [cov.CountryRow(*r[3:]) for r in mine] == list(layer.countries)
        assert {(r.label, r.kind) for r in mine} == {(layer.label, layer.kind)}
    assert list(SceneCountryRow._fields[3:]) == list(cov.CountryRow._fields)


def test_capital_rows_name_the_capitals_in_range(inf):
    rows = coverage_rows(inf, capitals_only=True)
    ru480 = {r.city for r in rows if r.layer == "kaliningrad-region--9m729-ru-480"}
    # From the city point Berlin (529 km) and Copenhagen are out of reach; from the region in.
    assert ru480 == {"Warsaw", "Vilnius", "Riga", "Minsk", "Berlin", "Copenhagen"}
    launch = {r.city: (r.from_lat, r.from_lon) for r in rows if r.layer.endswith("ru-480")}
    assert all(launch.values()) and launch["Berlin"] != launch["Vilnius"]
    assert list(SceneCityRow._fields[3:]) == list(cov.CityRow._fields)


def test_markdown_table_ends_with_a_sidebar(inf):
    text = render_table(inf, "md")
    assert text.startswith("| layer | label | kind | site | range_km |")
    assert "- Kaliningrad region — 9M729 ≤480 km (stated): range area" in text
    line = next(
        x for x in text.splitlines() if x.startswith("- Kaliningrad region — 9M729 ≤480 km")
    )
    assert (
        "11 countries, 6 capitals (Vilnius, Riga, Warsaw, Minsk, Berlin, Copenhagen); "
        "34.0 million people in cities and towns of 15,000+*"
    ) in line
    assert cov.PLACES_LABEL in text and "GeoNames (CC BY 4.0)" in text


def test_scene_coverage_api_is_the_table(inf):
    frame = rangemap.scene_coverage(inf)
    assert list(frame.columns) == list(SceneCountryRow._fields)
    assert len(frame) == len(coverage_rows(inf))
    places = rangemap.scene_coverage(inf, capitals_only=True)
    assert places.crs.to_epsg() == 4326 and "Warsaw" in set(places.city)


# --- command line ----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_command_csv_and_json():
    code, out, _ = run("table", "us-germany-2024", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(SceneCountryRow._fields)
    assert {r["layer"] for r in rows} >= {"mainz-kastel--tomahawk-raytheon-1000mi"}
    code, out, _ = run("table", "us-germany-2024", "--capitals", "--format", "json")
    assert code == 0
    assert "Berlin" in {r["city"] for r in json.loads(out)}


def test_export_command_writes_each_format(tmp_path):
    for suffix in SUFFIXES:
        path = tmp_path / f"germany{suffix}"
        code, out, err = run("export", "us-germany-2024", "-o", str(path))
        assert code == 0 and out == "" and "wrote" in err
        assert path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "germany.fgb", "germany.geojson", "germany.gpkg", "germany.kml", "germany.shp.zip"
    ]  # fmt: skip


def test_export_command_to_stdout_is_geojson():
    code, out, _ = run("export", "us-germany-2024")
    assert code == 0
    assert json.loads(out)["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "us-germany-2024", "--format", "kml"], "writes a file"),
        (["export", "nope"], "unknown scene 'nope'"),
        (["table", "inf-202"], "Did you mean 'inf-2020'"),
        (["export", "inf-2020", "-o", "/nonexistent/x.gpkg"], "does not exist"),
        (
            ["export", "inf-2020", "-o", "x.shp"],
            "A Shapefile is written zipped, as one file: -o x.shp.zip",
        ),
        (
            ["export", "inf-2020", "-o", "x.csv"],
            "cannot write a GIS file to 'x.csv' (.csv); it "
            "can be written as GeoJSON (.geojson, .json), KML (.kml), GeoPackage (.gpkg), "
            "FlatGeobuf (.fgb), zipped Shapefile (.shp.zip, .shz)",
        ),
        (
            ["export", "inf-2020", "--format", "kml", "-o", "x.gpkg"],
            "--format kml does not match 'x.gpkg'",
        ),
    ],
)
def test_bad_export_and_table_input_exit_2(args, message):
    code, out, err = run(*args)
    assert code == 2 and message in err and "Traceback" not in out + err


def test_exports_say_which_disc_is_certain_and_what_is_retired(tmp_path, inf):
    """GIS users get the claim's bound and status, read back through GDAL."""
    frame = pyogrio.read_dataframe(export_scene(inf, tmp_path / "inf.gpkg"), layer="ranges")
    rows = frame.set_index("layer")
    low = rows.loc["kaliningrad-region--9m729-us-inf-band-at-least"]
    high = rows.loc["kaliningrad-region--9m729-us-inf-band-up-to"]
    assert (low.bound, low.range_km, high.bound, high.range_km) == ("at-least", 500, "up-to", 5500)
    assert np.isnan(low.km_min) and np.isnan(high.km_min)
    assert rows.loc["deveselu--tomahawk-crs-tlam-n-2500"].status.startswith("retired")
    assert (
        rows.loc["kaliningrad-region--inf-shorter-range"].km_min == 500
    )  # treaty bands stay bands
