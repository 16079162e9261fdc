"""The command line: exit codes, messages, and the stable table contract scripts depend on."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic

from rangemap import __version__, layers, output
from rangemap.cli import cli
from rangemap.geodesic import area_km2, range_area

COUNTRY_COLUMNS = [
    "site", "range_km", "km_min", "iso_a3", "country", "status", "sovereign", "covered_km2",
    "country_km2", "covered_pct",
]  # fmt: skip
CITY_COLUMNS = [
    "site", "range_km", "km_min", "city", "iso_a3", "status", "population", "distance_km",
    "capital", "lat", "lon", "from_lat", "from_lon",
]  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run("--help")
    assert code == 0
    assert all(c in out for c in ("coverage", "compare", "ring", "sites", "systems"))


def test_sites_lists_positions_and_sources() -> None:
    code, out, _ = run("sites", "--format", "csv")
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert {"kaliningrad", "deveselu", "redzikowo", "chernyakhovsk"} <= set(rows)
    assert float(rows["deveselu"]["lat"]) == pytest.approx(44.0787, abs=1e-3)
    assert all(r["sources"].strip() for r in rows.values())


def test_sites_lists_the_launch_areas_too() -> None:
    """`--site` help sends readers to `rangemap sites` for kaliningrad-region: it is there."""
    code, out, _ = run("sites", "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["kaliningrad-region"]["kind"] == "area" and rows["belarus"]["kind"] == "area"
    assert rows["kaliningrad-region"]["lat"] == "" and rows["kaliningrad"]["kind"] == "point"
    assert rows["kaliningrad-region"]["hosts"].startswith("9m729 (implied")
    code, out, _ = run("sites")
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("kaliningrad-region "))
    assert " area " in line and "9m729 (implied)" in line


@pytest.mark.parametrize(
    "argv", [["sites"], ["systems"], ["reach", "--target", "Berlin"]], ids=lambda a: a[0]
)
def test_terminal_tables_fit_160_columns_and_say_where_the_rest_is(argv) -> None:
    """sites, systems and reach printed lines of 1,298, 1,672 and 1,018 characters."""
    code, out, _ = run(*argv)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 160
    assert out.rstrip().endswith("Every column, uncut: --wide, or --format csv, json or md.")
    code, wide, _ = run(*argv, "--wide")
    assert code == 0 and max(len(line) for line in wide.splitlines()) > 160
    assert "\u2026" not in wide
    code, md, _ = run(*argv, "--format", "md")
    assert "| sources |" in md or "| source |" in md or "| claims_reaching |" in md


def test_a_cut_cell_ends_in_an_ellipsis_and_numbers_are_never_cut() -> None:
    from rangemap import tables

    rows = [("x" * 200, 1234567, "y" * 50)]
    text = tables.render(rows, "table", columns=["a", "n", "b"], width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "1,234,567" in text and "\u2026" in text


def test_systems_lists_every_claim_with_its_source() -> None:
    code, out, _ = run("systems", "--format", "json")
    assert code == 0
    claims = json.loads(out)
    ru = next(c for c in claims if c["system"] == "9m729" and c["km"] == 480)
    assert ru["kind"] == "stated" and "Russia" in ru["claimed_by"] and ru["source"]
    assert all(c["source"] for c in claims)
    assert any(c["system"] == "sm-3" and c["uncertain"] for c in claims)


def test_systems_lists_oreshnik_and_every_status() -> None:
    code, out, _ = run("systems", "--format", "json")
    assert code == 0
    claims = {(c["system"], c["claim"]): c for c in json.loads(out)}
    assert claims["oreshnik", "putin-5500"]["reads"] == "up to 5,500 km"
    assert claims["oreshnik", "putin-5500"]["status"] == "deployed (as of 2025-12-30)"
    assert claims["tomahawk", "crs-tlam-n-2500"]["status"].startswith("retired")
    assert claims["9m729", "us-inf-band"]["reads"] == "500\u20135,500 km"
    assert claims["tomahawk", "raytheon-1000mi"]["reads"] == "at least 1,609 km"
    assert all(c["status"] and c["status_source"] for c in claims.values())
    code, out, _ = run("systems")
    assert code == 0 and "deployed (as of 2025-12-30)" in out


def test_coverage_csv_has_the_documented_columns() -> None:
    code, out, _ = run("coverage", "--site", "kaliningrad", "--km", "480", "--km", "2350",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == COUNTRY_COLUMNS
    rows = list(reader)
    ltu = next(r for r in rows if r["iso_a3"] == "LTU" and r["range_km"] == "480")
    assert float(ltu["covered_pct"]) == 100.0
    assert {r["range_km"] for r in rows} == {"480", "2350"}
    assert "FRA" in {r["iso_a3"] for r in rows if r["range_km"] == "2350"}


def test_coverage_cities_json() -> None:
    code, out, _ = run("coverage", "--site", "kaliningrad", "--km", "480", "--cities",
                       "--format", "json")  # fmt: skip
    assert code == 0
    places = json.loads(out)
    assert list(places[0]) == CITY_COLUMNS
    capitals = {p["city"] for p in places if p["capital"]}
    assert capitals == {"Warsaw", "Vilnius", "Riga", "Minsk"}


def test_coverage_table_and_markdown_label_population_honestly() -> None:
    code, out, _ = run("coverage", "--site", "deveselu", "--km", "300", "--capitals",
                       "--format", "md")  # fmt: skip
    assert code == 0
    assert out.startswith("| site | range_km |")
    assert "Bucharest" in out and "Sofia" in out
    assert "people in cities and towns of 15,000+" in out and "Not everyone" in out


def test_coverage_over_open_ocean_keeps_the_csv_header() -> None:
    code, out, _ = run("coverage", "--site", "-30,-130", "--km", "200", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [",".join(COUNTRY_COLUMNS)]


def test_ring_geojson_reads_back_through_gdal(tmp_path: Path) -> None:
    path = tmp_path / "ring.geojson"
    code, _, err = run("ring", "--site", "kaliningrad", "--km", "5500", "-o", str(path))
    assert code == 0 and "wrote" in err
    meta, _, wkb, fields = pyogrio.raw.read(path)
    assert meta["crs"] == "EPSG:4326"
    geometry = shapely.from_wkb(wkb[0])
    assert geometry.is_valid
    assert area_km2(geometry) == pytest.approx(area_km2(range_area(54.70639, 20.51102, 5500)),
                                               rel=1e-6)  # fmt: skip
    props = dict(zip(meta["fields"], (f[0] for f in fields), strict=True))
    assert props["range_km"] == 5500 and props["site_id"] == "kaliningrad"


def test_ring_band_to_stdout_is_geojson() -> None:
    code, out, _ = run("ring", "--site", "deveselu", "--km", "1000", "--km-min", "500")
    assert code == 0
    feature = json.loads(out)["features"][0]
    assert feature["properties"]["km_min"] == 500
    assert feature["geometry"]["type"] == "MultiPolygon"


def test_compare_shows_what_the_disputed_range_adds() -> None:
    code, out, _ = run("compare", "--site", "kaliningrad", "--km", "480", "--km", "2350")
    assert code == 0
    assert "pct_480_km" in out and "pct_2350_km" in out
    assert "capitals newly in range:" in out and "Berlin" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coverage", "--site", "kalinigrad", "--km", "480"], "Did you mean 'kaliningrad'"),
        (["coverage", "--site", "95,20", "--km", "480"], "latitude 95.0 is out of range"),
        (["coverage", "--site", "kaliningrad", "--km", "0"], "'0' must be greater than zero"),
        (["coverage", "--site", "kaliningrad", "--km", "nan"], "not a finite number"),
        (["ring", "--site", "0,0", "--km", "20003"], "beyond the cut locus"),
        (["ring", "--site", "0,0", "--km", "500", "--km-min", "600"], "inner range 600 km"),
        (["compare", "--site", "kaliningrad", "--km", "480"], "compare needs two rings or more"),
        (
            ["coverage", "--site", "kaliningrad", "--km", "480", "-o", "/nonexistent/x.csv"],
            "folder '/nonexistent' does not exist",
        ),
    ],
)
def test_bad_input_gives_one_message_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "cov.csv"
    code, out, _ = run("coverage", "--site", "deveselu", "--km", "500", "--format", "csv",
                       "-o", str(path))  # fmt: skip
    assert code == 0 and out == ""
    assert path.read_text().startswith(",".join(COUNTRY_COLUMNS))
    assert [p.name for p in tmp_path.iterdir()] == ["cov.csv"]


def test_compare_puts_several_sites_side_by_side() -> None:
    code, out, _ = run("compare", "--site", "kaliningrad", "--site", "deveselu",
                       "--km", "480", "--km", "1600", "--format", "csv")  # fmt: skip
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == [
        "iso_a3", "country", "status", "pct_kaliningrad_480_km", "pct_kaliningrad_1600_km",
        "pct_deveselu_480_km", "pct_deveselu_1600_km",
    ]  # fmt: skip
    rou = next(r for r in reader if r["iso_a3"] == "ROU")
    assert float(rou["pct_deveselu_1600_km"]) == 100.0
    assert 99 < float(rou["pct_deveselu_480_km"]) < 100
    assert float(rou["pct_kaliningrad_480_km"]) == 0.0


SMALL_SCENE = """\
title: Small
sites:
  - site: "54.35,18.65"
    name: Gdansk
    ranges:
      - {km: 50, label: "50 km"}
"""


@pytest.mark.parametrize(
    "args",
    [
        ["table", "{scene}", "-o", "{scene}"],
        ["map", "{scene}", "-o", "{scene}"],
        ["export", "{scene}", "-o", "{scene}"],
        ["batch", "{rings}", "-o", "{rings}"],
    ],
)
def test_output_naming_the_input_is_refused(tmp_path: Path, args: list[str]) -> None:
    """Regression: `table s.yaml -o s.yaml`, `map s.yaml -o s.yaml` and `batch r.csv -o r.csv`
    exited 0 and destroyed their input."""
    scene, rings = tmp_path / "s.yaml", tmp_path / "r.csv"
    scene.write_text(SMALL_SCENE)
    rings.write_text('site,km\n"54.35,18.65",50\n')
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, out, err = run(*[a.format(scene=scene, rings=rings) for a in args])
    assert code == 2, err
    assert "it is the input file" in err and "Traceback" not in err + out
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_links_fifos_and_devices_are_refused_as_outputs(tmp_path: Path) -> None:
    """Regression: `-o` on a symlink, FIFO or device replaced it with a regular file (as root,
    `-o /dev/null` replaced the machine's /dev/null)."""
    real = tmp_path / "real.csv"
    real.write_text("keep")
    (tmp_path / "link.csv").symlink_to(real)
    os.mkfifo(tmp_path / "fifo")
    for target, message in [
        (tmp_path / "link.csv", "symbolic link"),
        (tmp_path / "fifo", "not a regular file"),
        (Path("/dev/null"), "not a regular file"),
    ]:
        code, out, err = run("sites", "-o", str(target))
        assert code == 2 and message in err and "Traceback" not in err + out
    assert real.read_text() == "keep" and (tmp_path / "link.csv").is_symlink()
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_map_writes_map_and_snippet_or_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `map -o NAME.html` replaced the map, then failed writing the embed snippet
    (exit 1): a failed command had changed its output."""
    scene, page = tmp_path / "s.yaml", tmp_path / "m.html"
    scene.write_text(SMALL_SCENE)
    page.write_text("old map")
    real_fdopen = os.fdopen
    opened = []

    def fdopen(fd, *args, **kwargs):  # the disk fills up while the snippet is written
        opened.append(fd)
        if len(opened) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(output.os, "fdopen", fdopen)
    code, out, err = run("map", str(scene), "-o", str(page))
    assert code == 1 and "the disk is full" in err and "Traceback" not in err + out
    assert page.read_text() == "old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html", "s.yaml"]


def test_map_refuses_a_bad_size_before_any_work(tmp_path: Path) -> None:
    """--size is read as WIDTHxHEIGHT whatever the output: a typo is not ignored because the
    map happens to be HTML."""
    page = tmp_path / "m.html"
    code, out, err = run("map", "-o", str(page), "--size", "1800")
    assert code == 2 and "give WIDTHxHEIGHT in pixels" in err and "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []


def test_map_default_folder_problems_are_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `rangemap map` with ./output a file or a dangling link gave a traceback."""
    monkeypatch.chdir(tmp_path)
    Path("output").write_text("")
    code, out, err = run("map")
    assert code == 2 and "it is a file, not a folder" in err and "Traceback" not in err + out
    Path("output").unlink()
    Path("output").symlink_to(tmp_path / "nowhere")
    code, out, err = run("map")
    assert code == 2 and "a symbolic link to nothing" in err


@pytest.mark.parametrize(
    ("args", "suffix"),
    [
        (["export", "inf-2020"], ".gpkg"),
        (["coverage", "--site", "deveselu", "--km", "900"], ".csv"),
        (["map", "inf-2020"], ".png"),
    ],
)
def test_file_size_limit_is_one_message_and_exit_1(
    tmp_path: Path, args: list[str], suffix: str
) -> None:
    """Regression: `ulimit -f` (and a full disk) ended in an OSError or GDAL traceback."""
    target = tmp_path / f"out{suffix}"
    target.write_text("old")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    result = subprocess.run(
        [sys.executable, "-m", "rangemap", *args, "-o", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


# Exit status: 2 when the user's input is at fault, 1 for every other failure (README).


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ring", "--site", "90,0", "--km", "1e-12"], "shorter than 0.001 km"),
        (["coverage", "--site", "kaliningrad", "--km", "1e306"], "beyond the antipode"),
        (["compare", "--site", "kaliningrad", "--km", "480", "--km", "1e306"], "antipode"),
        (["reach", "--target", "Berlin", "--km", "1e306"], "beyond the antipode"),
        (["compare", "--site", "kaliningrad", "--km", "480", "--km", "480.0"],
         "the range 480 is given twice"),
        (["compare", "--site", "kaliningrad", "--site", "Kaliningrad", "--km", "480"],
         "the site kaliningrad is given twice"),
        (["coverage", "--site", "1_0,2_0", "--km", "5"], "cannot read '1_0,2_0' as coordinates"),
        (["map", "--title", "a\x00b"], "--title 'a\\x00b' contains the control character U+0000"),
        (["map", "--caption", "caf\udce9"], "--caption 'caf\\udce9' contains bytes that are not"),
        (["sites", "-o", "caf\udce9.csv"], "the file name contains bytes that are not valid UTF-8"),
        (["sites", "-o", "x" * 300 + ".csv"], "the file name is 304 bytes long"),
        (["map", "/dev/zero"], "/dev/zero: not a regular file"),
    ],
)  # fmt: skip
def test_more_bad_input_gives_one_message_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """Regressions: each of these gave a traceback, a repeated column or a silent wrong answer
    (1e306 km covered every country 100 %)."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 2, err
    assert message in err and "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []


def test_coverage_footer_counts_states_and_territories_apart() -> None:
    """Regression: a 5,000 km ring from Belarus was "106 countries" with no rule stated."""
    code, out, _ = run("coverage", "--site", "minsk", "--km", "5000")
    assert code == 0
    assert out.rstrip().endswith("94 countries, 9 territories and 3 other areas (status column)")
    greenland = next(line for line in out.splitlines() if "Greenland" in line)
    assert "territory" in greenland.split() and "Denmark" in greenland.split()
    kosovo = next(line for line in out.splitlines() if "Kosovo" in line)
    assert "other" in kosovo.split() and "territory" not in kosovo.split()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # InputError: a value out of range.
        (["coverage", "--site", "91,20", "--km", "500"], "latitude"),
        # UnknownNameError, with its suggestion.
        (["coverage", "--site", "kalinigrad", "--km", "500"], "Did you mean 'kaliningrad'"),
        # AmbiguousNameError: several places of that name.
        (["coverage", "--site", "Valencia", "--km", "500"], "Add the country code"),
        # OutputError: -o into a folder that does not exist, checked before any work.
        (["sites", "-o", "no/such/folder/sites.csv"], "does not exist"),
        # BadInput: an option combination the command refuses.
        (["ring", "--site", "kaliningrad", "--km", "500", "--format", "kml"], "give it with -o"),
        (["compare", "--site", "kaliningrad", "--km", "480"], "two rings or more"),
    ],
)
def test_users_input_exits_2(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_scene_file_exits_2(tmp_path: Path) -> None:
    """CatalogError: a scene file the user wrote, with a field the schema does not know."""
    scene = tmp_path / "scene.yaml"
    scene.write_text("title: T\nsites:\n  - site: kaliningrad\n    colour: red\n", encoding="utf-8")
    code, _, err = run("export", str(scene))
    assert code == 2 and "scene.yaml" in err


def test_corrupt_layer_file_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LayerFileError: a broken installation, not the user's input."""
    from rangemap import layers

    bad = tmp_path / "countries.npz"
    bad.write_bytes(b"not a zip file")
    monkeypatch.setattr(layers, "countries", lambda: layers._load_countries(bad))
    code, _, err = run("coverage", "--site", "54.7,20.5", "--km", "500")
    assert code == 1 and "corrupt" in err and "Traceback" not in err


def test_missing_package_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MissingPackageError: the Leaflet wheel is not installed."""
    from rangemap.render import html_assets

    monkeypatch.setattr(html_assets, "_LEAFLET_PACKAGE", "no_such_leaflet_package")
    html_assets.leaflet_js.cache_clear()
    html_assets.leaflet_css.cache_clear()
    try:
        code, _, err = run("map", "--self-contained", "-o", str(tmp_path / "m.html"))
    finally:
        html_assets.leaflet_js.cache_clear()
        html_assets.leaflet_css.cache_clear()
    assert code == 1 and "django-js-lib-leaflet" in err and not (tmp_path / "m.html").exists()


def test_os_error_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError while writing (here a full disk) is no input mistake: one line, status 1."""
    import errno

    from rangemap import cli as cli_module

    def full_disk(path: Path, text: str) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(cli_module, "write_text", full_disk)
    code, _, err = run("sites", "-o", str(tmp_path / "sites.csv"))
    assert code == 1 and "No space left on device" in err and "Traceback" not in err


def test_quiet_hides_notices_and_verbose_adds_details(tmp_path: Path) -> None:
    rings = tmp_path / "rings.csv"
    rings.write_text('site,km\n"54.7,20.5",500\n', encoding="utf-8")
    out = tmp_path / "t.csv"
    _, _, err = run("batch", str(rings), "-j", "1", "-o", str(out))
    assert err == f"wrote {out}\n"
    _, _, err = run("-q", "batch", str(rings), "-j", "1", "-o", str(out))
    assert err == ""
    _, _, err = run("-v", "batch", str(rings), "-j", "1", "-o", str(out))
    lines = err.splitlines()
    assert lines[0].startswith("1 rings, ") and lines[0].endswith(" rows")
    assert lines[1:] == [f"wrote {out}"]


# --- --catalog FILE ------------------------------------------------------------------------

OWN_CATALOG = Path(__file__).resolve().parent / "data" / "own-catalog.yaml"


def test_catalog_option_on_every_command_that_takes_sites_or_claims() -> None:
    help_text = CliRunner().invoke(cli, ["--help"]).stdout
    commands = re.findall(r"^  ([a-z]+) ", help_text.split("Commands:")[1], flags=re.M)
    without = {c for c in commands if "--catalog FILE" not in run(c, "--help")[1]}
    assert without == {"scenes", "reference"}


def test_catalog_option_adds_sites_and_systems() -> None:
    code, out, _ = run("coverage", "--catalog", str(OWN_CATALOG), "--site", "test-range",
                       "--km", "100", "--format", "csv")  # fmt: skip
    assert code == 0
    assert next(csv.DictReader(io.StringIO(out)))["site"] == "Test range near Olsztyn"
    code, out, _ = run("systems", "--catalog", str(OWN_CATALOG), "--format", "csv")
    assert code == 0 and "test-glcm,maker-1000" in out
    code, out, _ = run("systems", "--format", "csv")
    assert code == 0 and "test-glcm" not in out


def test_catalog_option_problems_exit_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        OWN_CATALOG.read_text(encoding="utf-8").replace("id: test-glcm\n", "id: tomahawk\n")
    )
    code, _, err = run("sites", "--catalog", str(bad))
    assert code == 2
    assert "bad.yaml, line 3, system 'tomahawk', field 'id': system 'tomahawk' is already " \
        "defined in layers/systems.yaml, line " in err  # fmt: skip
    assert "Traceback" not in err
    code, _, err = run("sites", "--catalog", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml: file not found" in err


def test_coverage_from_an_area_site_names_the_launch_point() -> None:
    code, out, _ = run(
        "coverage", "--site", "kaliningrad-region", "--km", "480", "--capitals", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CITY_COLUMNS
    berlin = next(r for r in rows if r["city"] == "Berlin")
    assert float(berlin["distance_km"]) < 480 and berlin["site"] == "the Kaliningrad region"
    assert float(berlin["from_lon"]) < 20.0  # the region's western end, not the city


#: A 1 x 1 degree lon/lat square west of Lithuania, as a GeoJSON Feature.
SQUARE = {
    "type": "Feature",
    "properties": {},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[20, 54], [21, 54], [21, 55], [20, 55], [20, 54]]],
    },
}


def _oracle_km(geometry: shapely.Geometry, lat: float, lon: float) -> float:
    """GeographicLib distance (km) to a lon/lat polygon's boundary densified to 0.002 degrees."""
    points = shapely.get_coordinates(shapely.segmentize(shapely.boundary(geometry), 0.002))
    return min(Geodesic.WGS84.Inverse(lat, lon, y, x)["s12"] for x, y in points) / 1000.0


def test_coverage_from_a_geojson_area_matches_geographiclib(tmp_path: Path) -> None:
    area = tmp_path / "square.geojson"
    area.write_text(json.dumps(SQUARE), encoding="utf-8")
    code, out, _ = run(
        "coverage", "--area", str(area), "--km", "300", "--capitals", "--format", "csv"
    )
    assert code == 0
    rows = {r["city"]: r for r in csv.DictReader(io.StringIO(out))}
    assert {"Warsaw", "Vilnius", "Riga"} <= set(rows)
    square = shapely.geometry.shape(SQUARE["geometry"])
    for row in rows.values():
        km = _oracle_km(square, float(row["lat"]), float(row["lon"]))
        assert row["site"] == "square"
        assert float(row["distance_km"]) == pytest.approx(km, abs=0.15)  # printed to 0.1 km
        # the launch point named is on the area's edge, and as far from the city as said
        origin = float(row["from_lat"]), float(row["from_lon"])
        assert square.boundary.distance(shapely.Point(origin[::-1])) < 1e-6
        s12 = Geodesic.WGS84.Inverse(*origin, float(row["lat"]), float(row["lon"]))["s12"]
        assert s12 / 1000.0 == pytest.approx(float(row["distance_km"]), abs=0.15)


def test_ring_with_a_dispersal_radius_is_the_wider_disc(tmp_path: Path) -> None:
    """Anywhere within 50 km of a point, out to 430 km, is the 480 km disc around the point
    (geodesics from the centre pass through the 50 km circle)."""
    out = tmp_path / "d.geojson"
    code, _, _ = run(
        "ring", "--site", "54.7,20.5", "--dispersal", "50", "--km", "430", "-o", str(out)
    )
    assert code == 0
    geometry = shapely.from_geojson(out.read_text(encoding="utf-8"))
    disc = range_area(54.7, 20.5, 480)
    ring = (
        shapely.get_geometry(geometry, 0)
        if geometry.geom_type == "GeometryCollection"
        else geometry
    )
    assert area_km2(ring) == pytest.approx(area_km2(disc), rel=1e-3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{bad", "line 1, column 2: not JSON"),
        ('{"type": "Point", "coordinates": [1, 2]}', "no Polygon or MultiPolygon found"),
        ('{"features": []}', "not a GeoJSON object"),
        (
            '{"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}',
            "coordinates outside lon -180..180",
        ),
    ],
)
@pytest.mark.parametrize("command", ["ring", "coverage"])
def test_bad_area_file_is_one_clear_message(tmp_path: Path, command, text, message) -> None:
    area = tmp_path / "a.geojson"
    area.write_text(text, encoding="utf-8")
    extra = ["-o", str(tmp_path / "r.geojson")] if command == "ring" else []
    code, out, err = run(command, "--area", str(area), "--km", "300", *extra)
    assert code == 2 and out == ""
    assert message in err and "a.geojson" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.geojson").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ring", "--km", "300"], "no launch site given"),
        (["ring", "--site", "kaliningrad", "--area", "x.geojson", "--km", "3"], "not both"),
        (["coverage", "--area", "missing.geojson", "--km", "3"], "area file not found"),
        (
            ["coverage", "--site", "kaliningrad-region", "--dispersal", "5", "--km", "3"],
            "already an area",
        ),
        (["reach", "--target", "Berlin", "--dispersal", "50"], "give at least one --site"),
        (["compare", "--km", "480"], "at least one --site or --area"),
    ],
)
def test_launch_options_that_do_not_fit_together(args, message) -> None:
    code, _, err = run(*args)
    assert code == 2 and message in err


def test_compare_and_reach_take_area_files(tmp_path: Path) -> None:
    area = tmp_path / "square.geojson"
    area.write_text(json.dumps(SQUARE), encoding="utf-8")
    code, out, _ = run(
        "compare", "--area", str(area), "--site", "kaliningrad", "--km", "300", "--format", "csv"
    )
    assert code == 0
    header = next(csv.reader(io.StringIO(out)))
    assert header[-2:] == ["pct_kaliningrad_300_km", "pct_area:square_300_km"]
    code, out, _ = run(
        "reach", "--target", "Berlin", "--area", str(area), "--site", "kaliningrad",
        "--dispersal", "50", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    rows = {r["site_id"]: r for r in csv.DictReader(io.StringIO(out))}
    cities = layers.cities()
    i = next(i for i in range(len(cities.name)) if cities.capital[i] and cities.name[i] == "Berlin")
    berlin = float(cities.lat[i]), float(cities.lon[i])
    square = shapely.geometry.shape(SQUARE["geometry"])
    assert float(rows["area:square"]["distance_km"]) == pytest.approx(
        _oracle_km(square, *berlin), abs=0.15
    )
    # anywhere within 50 km of the city: 50 km nearer than the city along the geodesic
    city = Geodesic.WGS84.Inverse(54.70639, 20.51102, *berlin)["s12"] / 1000.0
    assert float(rows["kaliningrad+50km"]["distance_km"]) == pytest.approx(city - 50, abs=0.5)


def test_dispersal_is_labelled_with_its_unit_and_within() -> None:
    """--dispersal 50mi: 'within 50 mi (80 km) of ...', as ranges show their units."""
    code, out, _ = run(
        "coverage", "--site", "deveselu", "--dispersal", "50mi", "--km", "500", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["site"] for r in rows} == {
        "within 50 mi (80 km) of NSF Deveselu, Aegis Ashore Romania (99th Military Base)"
    }
    code, out, _ = run("ring", "--site", "54.7,20.5", "--dispersal", "50", "--km", "430")
    assert code == 0
    label = json.loads(out)["features"][0]["properties"]["label"]
    assert label == "430 km from anywhere within 50 km of 54.7, 20.5"


def test_dispersal_plus_range_beyond_the_antipode_says_what_is_checked() -> None:
    code, out, err = run("coverage", "--site", "deveselu", "--dispersal", "19970", "--km", "500")
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "reaches 20,470 km from that point (dispersal radius + range)" in err
    assert "that distance is what is checked" in err


def test_compare_tells_apart_area_files_of_the_same_name(tmp_path: Path) -> None:
    """ok.geojson and d2/ok.geojson are two areas, each its own column; the same file given
    twice is still one area given twice."""
    (tmp_path / "d2").mkdir()
    (tmp_path / "ok.geojson").write_text(json.dumps(SQUARE), encoding="utf-8")
    moved = json.loads(json.dumps(SQUARE))
    moved["geometry"]["coordinates"] = [
        [[x + 3, y] for x, y in moved["geometry"]["coordinates"][0]]
    ]
    (tmp_path / "d2" / "ok.geojson").write_text(json.dumps(moved), encoding="utf-8")
    with contextlib.chdir(tmp_path):
        code, out, err = run(
            "compare", "--area", "ok.geojson", "--area", "d2/ok.geojson", "--km", "100",
            "--format", "csv",
        )  # fmt: skip
        assert code == 0, err
        header = next(csv.reader(io.StringIO(out)))
        assert header[-2:] == ["pct_area:ok_100_km", "pct_area:d2/ok_100_km"]
        code, _, err = run("compare", "--area", "ok.geojson", "--area", "./ok.geojson", "--km", "9")
        assert code == 2 and "the site area:ok is given twice" in err


def test_bidi_controls_in_command_line_text_are_refused(tmp_path: Path) -> None:
    """U+202E reverses the text after it: a title could show other words than it holds."""
    code, out, err = run("map", "--title", "Range \u202e007", "-o", str(tmp_path / "m.html"))
    assert code == 2 and out == "" and not (tmp_path / "m.html").exists()
    assert "the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE)" in err


# --- finding one's way: a scene to start from, the field reference ----------------------------


def test_scenes_show_prints_a_scene_to_start_from(tmp_path) -> None:
    from rangemap.scene import scenes_dir

    code, out, _ = run("scenes", "show", "inf-2020")
    assert code == 0
    assert out == (scenes_dir() / "inf-2020.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "my.yaml"
    mine.write_text(out, encoding="utf-8")  # rangemap scenes show inf-2020 > my.yaml
    assert run("summary", str(mine)) == run("summary", "inf-2020")
    code, _, err = run("scenes", "show", "inf2020")
    assert code == 2 and "Did you mean 'inf-2020'?" in err and "Traceback" not in err


def test_scenes_says_where_the_files_are_and_how_to_start() -> None:
    from rangemap.scene import scenes_dir

    code, out, err = run("scenes")
    assert code == 0 and out.startswith("9m729-battalions-2019\t")
    assert str(scenes_dir()) in err and "rangemap scenes show NAME > my.yaml" in err
    assert "rangemap reference" in err


def test_map_help_points_to_scenes_show_and_the_reference() -> None:
    code, out, _ = run("map", "--help")
    assert code == 0
    assert "rangemap scenes show inf-2020 > my.yaml" in out and "rangemap reference" in out
    assert "docs/reference.md" not in run("sites", "--help")[1]


def test_reference_prints_the_field_reference_shipped_with_the_package() -> None:
    code, out, _ = run("reference")
    root = Path(__file__).resolve().parents[1]
    assert code == 0 and out == (root / "docs" / "reference.md").read_text(encoding="utf-8")
    assert "<!-- fields of Scene -->" in out
    # the wheel carries it as rangemap/_docs/reference.md, where reference_path looks first
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert '"docs/reference.md" = "rangemap/_docs/reference.md"' in pyproject
