"""Batch coverage: same rows as one ring at a time, whatever the worker count; clear row errors."""

from __future__ import annotations

import csv
import io
import json
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from rangemap import batch, batch_run
from rangemap.cli import cli
from rangemap.coverage import CountryRow, city_rows, country_rows, make_ring
from rangemap.errors import InputError
from rangemap.locations import resolve

#: A few dozen rings (more than batch_run.MIN_PARALLEL, so jobs=2 really uses two workers): catalog
#: sites, a place name and coordinates, small and large ranges, bands, a ring over open ocean.
SITES = ("kaliningrad", "deveselu", "redzikowo", "Warsaw", "-45.5,-140.25", "mozdok")
RINGS = [
    (site, km, km_min)
    for site in SITES
    for km, km_min in ((300.0, None), (1200.0, 500.0), (2350.0, None), (5500.0, None))
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _csv(rings: list[tuple[str, float, float | None]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["site", "km", "km_min", "label"])
    writer.writerows([site, km, "" if km_min is None else km_min, f"ring {i}"]
                     for i, (site, km, km_min) in enumerate(rings))  # fmt: skip
    return buffer.getvalue()


def test_rows_do_not_depend_on_the_worker_count_and_match_one_ring_at_a_time(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "rings.csv", _csv(RINGS))
    assert len(RINGS) >= batch_run.MIN_PARALLEL
    serial = batch.batch_coverage(path, jobs=1)
    parallel = batch.batch_coverage(path, jobs=2)
    assert parallel == serial
    expected = [
        (f"ring {i}", *row)
        for i, (site, km, km_min) in enumerate(RINGS)
        for row in country_rows(make_ring(resolve(site), km, km_min=km_min))
    ]
    assert [tuple(row) for row in serial] == expected
    assert {row.label for row in serial} >= {"ring 0", f"ring {len(RINGS) - 1}"}


def test_places_match_one_ring_at_a_time() -> None:
    rings = [(site, km, km_min) for site, km, km_min in RINGS if km <= 2350]
    rows = batch.batch_places(rings, capitals_only=True, jobs=2)
    expected = [
        row
        for site, km, km_min in rings
        for row in city_rows(make_ring(resolve(site), km, km_min=km_min), capitals_only=True)
    ]
    assert [tuple(row)[1:] for row in rows] == [tuple(row) for row in expected]
    assert all(row.capital for row in rows)


def test_missing_label_is_the_rings_own_and_repeated_rings_are_all_listed() -> None:
    progress: list[int] = []
    rows = batch.batch_coverage(
        [("kaliningrad", 480), {"site": "kaliningrad", "km": "480", "label": "again"}],
        jobs=1,
        progress=progress.append,
    )
    labels = [row.label for row in rows]
    half = len(rows) // 2
    assert labels == ["Kaliningrad, 480 km"] * half + ["again"] * half
    assert [tuple(r)[1:] for r in rows[:half]] == [tuple(r)[1:] for r in rows[half:]]
    assert sum(progress) == 2


def test_open_ocean_ring_adds_no_rows() -> None:
    rows = batch.batch_coverage([("-45.5,-140.25", 300), ("kaliningrad", 300)], jobs=1)
    assert rows and {row.site for row in rows} == {"Kaliningrad"}


BAD_FILES = [
    ("", "rings.csv is empty: the header row must name the columns site and km"),
    ("\n\n", "rings.csv is empty"),
    ("site,km\n", "rings.csv has a header row but no rings"),
    ("site,label\nkaliningrad,x\n", "rings.csv, line 1: missing column 'km'"),
    ("km,label\n480,x\n", "rings.csv, line 1: missing column 'site'"),
    ("site,km,range\nkaliningrad,480,1\n", "rings.csv, line 1: unknown column 'range'"),
    ("site;km\nkaliningrad;480\n", "Columns are separated by commas"),
    ("site,km,km\nkaliningrad,480,480\n", "rings.csv, line 1: column 'km' appears twice"),
    ("site,km\nkaliningrad,480\n\ndeveselu,abc\n",
     "rings.csv, line 4, column km: 'abc' is not a number in plain decimal digits; write a "
     "range as digits"),
    ("site,km\nkaliningrad,\n", "rings.csv, line 2, column km: missing value"),
    ("site,km\nkaliningrad,nan\n", "rings.csv, line 2, column km: 'nan' is not a finite number"),
    ("site,km\nkaliningrad,0\n", "rings.csv, line 2, column km: '0' must be greater than zero"),
    ("site,km\nkaliningrad,-480\n",
     "rings.csv, line 2, column km: '-480' must be greater than zero"),
    ("site,km\nkaliningrad,25000\n",
     "rings.csv, line 2, column km: range 25000 km from any site reaches beyond the antipode"),
    ("site,km\nkaliningradd,480\n",
     "rings.csv, line 2, column site: unknown site or place 'kaliningradd'. "
     "Did you mean 'kaliningrad'"),
    ("site,km\n,480\n", "rings.csv, line 2, column site: missing value"),
    ("site,km\n54.7,20.5\n", 'In CSV, put LAT,LON in quotes'),
    ("site,km\n54.7,20.5,480\n", "rings.csv, line 2: 3 values but the header names 2 columns"),
    ("site,km,km_min\ndeveselu,500,1000\n",
     "line 2, column km_min: '1000' must be less than km (500 km)"),
    ("site,km\ndeveselu,20003\n", "rings.csv, line 2, column km: range 20003 km from"),
    ("site,km\nkaliningrad,\"2,350\"\n",
     "line 2, column km: '2,350' has a thousands separator; write the number without it, "
     "e.g. '2350'"),
    ("site,km,km_min\ndeveselu,500,-1\n", "line 2, column km_min: '-1' must be greater than zero"),
    ("site,km,km_min\ndeveselu,500,x\n",
     "line 2, column km_min: 'x' is not a number in plain decimal digits"),
    # 1e306 km is infinite in metres; 1e-12 km at a pole left a ring of no vertices
    ("site,km\nkaliningrad,1e306\n", "line 2, column km: range 1e+306 km from any site reaches"),
    ('site,km\n"90,0",1e-12\n', "line 2, column km: range 1e-12 km is shorter than 0.001 km"),
    ("site,km,km_min\ndeveselu,500,1e-9\n", "column km_min: inner range 1e-09 km is shorter"),
    # float() reads these; a table means plain decimal digits
    ("site,km\nkaliningrad,1_0\n", "column km: '1_0' is not a number in plain decimal digits"),
    ("site,km\nkaliningrad,\uff14\uff18\uff10\n", "is not a number in plain decimal digits"),
    ("site,km,label\nkaliningrad,480,a\x00b\n",
     "line 2, column label: label 'a\\x00b' contains the control character U+0000"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file_gives_one_message_with_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "rings.csv", text)
    with pytest.raises(InputError) as info:
        batch.read_rings("rings.csv")
    assert message in str(info.value)


def test_bad_row_fails_before_any_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A bad last row must stop the batch before the first ring is computed."""
    monkeypatch.setattr(batch_run, "ordered", pytest.fail)
    path = _write(tmp_path / "rings.csv", "site,km\nkaliningrad,480\ndeveselu,abc\n")
    with pytest.raises(InputError, match=r"rings\.csv, line 3, column km"):
        batch.batch_coverage(path)


def test_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes("site,km\nKraków,480\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.csv, line 2: not UTF-8"):
        batch.read_rings(tmp_path / "latin1.csv")
    with pytest.raises(InputError, match="file not found"):
        batch.read_rings(tmp_path / "missing.csv")


def test_python_rows_are_checked_like_file_rows() -> None:
    with pytest.raises(
        InputError, match="row 2, column km: 'far' is not a number in plain decimal digits"
    ):
        batch.resolve_rings([("kaliningrad", 480), ("deveselu", "far")])
    with pytest.raises(InputError, match="row 1: unknown column 'kms'"):
        batch.resolve_rings([{"site": "kaliningrad", "kms": 480}])
    with pytest.raises(InputError, match="no rings given"):
        batch.resolve_rings([])
    with pytest.raises(InputError, match="jobs=0"):
        batch.batch_coverage([("kaliningrad", 480)], jobs=0)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_batch_csv_has_the_coverage_columns_plus_label(tmp_path: Path) -> None:
    path = _write(tmp_path / "rings.csv", "site,km,label\nkaliningrad,480,stated\n")
    code, out, _ = run("batch", str(path), "--format", "csv", "--jobs", "1")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["label", *CountryRow._fields]
    assert {r["label"] for r in rows} == {"stated"}
    assert "POL" in {r["iso_a3"] for r in rows}


def test_cli_batch_cities_json_to_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "rings.csv", "site,km\ndeveselu,1000\nkaliningrad,480\n")
    target = tmp_path / "places.json"
    code, _, err = run("batch", str(path), "--cities", "--format", "json", "-o", str(target))
    assert code == 0 and "wrote" in err
    places = json.loads(target.read_text(encoding="utf-8"))
    assert {p["label"] for p in places} == {"NSF Deveselu, Aegis Ashore Romania (99th Military "
                                            "Base), 1,000 km", "Kaliningrad, 480 km"}  # fmt: skip
    assert "Warsaw" in {p["city"] for p in places if p["label"] == "Kaliningrad, 480 km"}


def test_cli_batch_bad_row_exits_2_with_the_message(tmp_path: Path) -> None:
    path = _write(tmp_path / "rings.csv", "site,km\nkaliningrad,480\nkaliningrad,abc\n")
    code, out, err = run("batch", str(path))
    assert code == 2 and out == ""
    assert f"{path}, line 3, column km: 'abc' is not a number in plain decimal digits" in err


def test_cli_batch_rejects_zero_jobs(tmp_path: Path) -> None:
    path = _write(tmp_path / "rings.csv", "site,km\nkaliningrad,480\n")
    code, _, err = run("batch", str(path), "--jobs", "0")
    assert code == 2 and "--jobs" in err


def test_script_from_stdin_runs_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers re-import the main script; one read from standard input cannot be, so the batch
    runs in this process instead of failing with BrokenProcessPool."""
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = "<stdin>"
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert not batch_run.workers_can_start()
    rings = [("kaliningrad", 300.0 + i) for i in range(batch_run.MIN_PARALLEL)]
    assert len(batch.batch_coverage(rings, jobs=2)) > 0


def test_rows_take_miles_and_nautical_miles() -> None:
    """A batch row may give its range with a unit; rows stay in km, labels show the unit."""
    rings = batch.resolve_rings([("kaliningrad", "1000mi"), ("kaliningrad", "300 nmi", None)])
    assert [float(r.km) for r in rings] == [1609.344, 555.6]
    rows = batch.batch_coverage([("deveselu", "1000mi", "500mi")], jobs=1)
    assert {r.range_km for r in rows} == {1609.344}
    assert {r.km_min for r in rows} == {804.672}
    assert {r.label.split(", ")[-1] for r in rows} == {"500-1,000 mi (805-1,609 km)"}


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "md"])
@pytest.mark.parametrize("places", [False, True])
def test_streamed_output_is_the_one_piece_rendering(
    monkeypatch: pytest.MonkeyPatch, fmt: str, places: bool
) -> None:
    """Rows written piece by piece (7 rows a piece here) give the bytes of one tables.render."""
    from rangemap import tables

    monkeypatch.setattr(batch, "_PIECE", 7)
    rings = [(site, km, km_min) for site, km, km_min in RINGS if km <= 1200]
    run = batch.batch_places if places else batch.batch_coverage
    rows = run(rings, jobs=1)
    out = io.StringIO()
    count = batch.write_batch(rings, out, fmt, places=places, jobs=2)
    assert count == len(rows) > 7
    assert out.getvalue() == tables.render(rows, fmt, columns=type(rows[0])._fields)


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "md"])
def test_streamed_output_without_rows_is_the_empty_rendering(fmt: str) -> None:
    from rangemap import tables

    out = io.StringIO()
    assert batch.write_batch([("-45.5,-140.25", 300)], out, fmt, jobs=1) == 0
    assert out.getvalue() == tables.render([], fmt, columns=batch.BatchCountryRow._fields)


def test_jobs_above_the_cap_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"from 1 to {batch.MAX_JOBS}"):
        batch.batch_coverage([("kaliningrad", 480)], jobs=batch.MAX_JOBS + 1)
    path = _write(tmp_path / "rings.csv", "site,km\nkaliningrad,480\n")
    code, out, err = run("batch", str(path), "--jobs", "1000")
    assert code == 2 and out == "" and "jobs=1000: give a whole number" in err


def test_batch_rows_from_an_area_site_name_their_launch_points() -> None:
    rows = batch.batch_places(
        [("kaliningrad-region", 480, None, "region")], capitals_only=True, jobs=1
    )
    berlin = next(r for r in rows if r.city == "Berlin")
    assert berlin.label == "region" and berlin.distance_km < 480
    assert berlin.from_lon < 20.0  # the region's western end, not the city (20.51 E)
