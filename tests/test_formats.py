"""Every -o is checked against its command's formats: written and read back, or exit 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from rangemap.cli import cli
from rangemap.errors import InputError
from rangemap.formats import GIS_SUFFIXES, MAP_SUFFIXES, TABLE_SUFFIXES, output_format, suffix


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_suffix_counts_shp_zip_as_one() -> None:
    assert [suffix(p) for p in ("a.SHP.zip", "b.tar.gz", "c", "Map.PNG")] == [
        ".shp.zip", ".gz", "", ".png"
    ]  # fmt: skip


def test_format_and_suffix_must_agree() -> None:
    assert output_format("t.txt", TABLE_SUFFIXES, what="a table") == "table"
    assert output_format("t.md", TABLE_SUFFIXES, what="a table", fmt="md") == "md"
    with pytest.raises(InputError, match=r"--format csv does not match 't\.md', which names a md"):
        output_format("t.md", TABLE_SUFFIXES, what="a table", fmt="csv")


@pytest.mark.parametrize(
    ("args", "listing"),
    [
        (["map", "-o", "{}/x.jpg"], "HTML (.html, .htm), PNG (.png), SVG (.svg), PDF (.pdf)"),
        (["map", "-o", "{}/x.csv"], "HTML (.html, .htm), PNG (.png), SVG (.svg), PDF (.pdf)"),
        (["export", "inf-2020", "-o", "{}/x.csv"], "GeoJSON (.geojson, .json), KML (.kml)"),
        (["export", "inf-2020", "-o", "{}/x.shp"], "zipped Shapefile (.shp.zip, .shz)"),
        (["ring", "--site", "kaliningrad", "--km", "500", "-o", "{}/r.png"], "FlatGeobuf (.fgb)"),
        (["table", "inf-2020", "-o", "{}/t.xlsx"], "CSV (.csv), JSON (.json), Markdown (.md)"),
        (["coverage", "--site", "kaliningrad", "--km", "480", "-o", "{}/c.html"], "text table"),
        (["sites", "-o", "{}/s"], "CSV (.csv)"),
        (["systems", "--format", "md", "-o", "{}/s.csv"], "--format md does not match"),
        (["reach", "--target", "Berlin", "-o", "{}/r.geojson"], "Markdown (.md), text table"),
        (["compare", "--site", "kaliningrad", "--km", "480", "--km", "2350", "-o", "{}/c.pdf"],
         "JSON (.json)"),
    ],
)  # fmt: skip
def test_wrong_output_type_exits_2_naming_the_formats(
    tmp_path: Path, args: list[str], listing: str
) -> None:
    code, out, err = run(*[a.format(tmp_path) for a in args])
    assert code == 2, err
    assert listing in err
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


@pytest.mark.parametrize("end", sorted(TABLE_SUFFIXES))
def test_table_suffix_gives_the_format(tmp_path: Path, end: str) -> None:
    """`-o FILE.csv` without --format writes CSV (it used to write a text table)."""
    path = tmp_path / f"sites{end}"
    code, _, err = run("sites", "-o", str(path))
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    if end == ".csv":
        assert next(csv.DictReader(text.splitlines()))["id"] == "kaliningrad"
    elif end == ".json":
        assert json.loads(text)[0]["id"] == "kaliningrad"
    elif end == ".md":
        assert text.startswith("| id | name |")
    else:  # the text table, as printed: fitted to 160 columns (--wide for every column)
        assert text.split()[:2] == ["id", "kind"]


def test_ring_writes_every_range_as_a_feature(tmp_path: Path) -> None:
    """Regression: `ring --km 2350 --km 480` kept one ring; now each is a feature."""
    for end in GIS_SUFFIXES:
        path = tmp_path / f"rings{end}"
        code, _, err = run(
            "ring", "--site", "kaliningrad", "--km", "2350", "--km", "1000mi", "-o", str(path)
        )
        assert code == 0, err
        frame = pyogrio.read_dataframe(path)
        assert list(frame.range_km) == [2350.0, 1609.344]
        assert frame.geometry.is_valid.all()


def test_map_suffixes_cover_the_static_formats() -> None:
    from rangemap.render.static_map import IMAGE_FORMATS

    assert sorted(set(MAP_SUFFIXES.values()) - {"html"}) == sorted(IMAGE_FORMATS)
