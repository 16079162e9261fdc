"""Area files (--area FILE.geojson): read as strictly as scenes and catalogs. Every problem is
one InputError naming the file and where in it; nothing is repaired or dropped unsaid."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rangemap import area_files
from rangemap.area_files import MAX_AREA_BYTES, MAX_PARTS, MAX_VERTICES, read_geojson_area
from rangemap.cli import cli
from rangemap.errors import InputError

SQUARE = [[20, 54], [21, 54], [21, 55], [20, 55], [20, 54]]


def _polygon(*rings: list) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def _write(tmp_path: Path, data: object, name: str = "a.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_geojson_area(path)
    message = str(info.value)
    assert message.startswith(path.name) or str(path) in message
    return message


def test_polygon_feature_and_collection_give_the_same_area(tmp_path: Path) -> None:
    plain = read_geojson_area(_write(tmp_path, _polygon(SQUARE), "p.geojson"))
    feature = {"type": "Feature", "properties": {}, "geometry": _polygon(SQUARE)}
    collection = {"type": "FeatureCollection", "features": [feature]}
    for data in (feature, collection):
        area = read_geojson_area(_write(tmp_path, data, "f.geojson"))
        assert shapely.equals(area.geometry, plain.geometry)
    assert plain.description == "p"


def test_geojson_without_polygons_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"type": "Point", "coordinates": [20, 54]})
    assert "no Polygon or MultiPolygon" in _refused(path)


def test_geojson_with_latitude_first_is_an_input_error(tmp_path: Path) -> None:
    ring = [[54, 120], [55, 120], [55, 121], [54, 120]]
    message = _refused(_write(tmp_path, _polygon(ring)))
    assert "longitude first" in message and "outer ring, position 1" in message


@pytest.mark.parametrize(
    ("data", "where", "what"),
    [
        ({"type": "Blob"}, "a.geojson: ", "unknown geometry type \"Blob\""),
        ({"type": "GeometryCollection", "geometries": 5}, "a.geojson: ", "'geometries' list"),
        ({"type": "FeatureCollection", "features": {}}, "a.geojson: ", "'features' list"),
        (
            {"type": "FeatureCollection", "features": [{"type": "Polygon"}]},
            "feature 1",
            "not a GeoJSON Feature",
        ),
        ({"type": "Polygon", "coordinates": 7}, "a.geojson: ", "needs a 'coordinates' list"),
        (_polygon([[20, 54], [21, 54], [20, 54]]), "outer ring", "at least 4 positions"),
        (_polygon([*SQUARE[:-1], [20, 54.5]]), "outer ring", "not closed"),
        (_polygon([*SQUARE[:2], [21, True], *SQUARE[3:]]), "position 3", "true in"),
        (_polygon([*SQUARE[:2], [21, "55"], *SQUARE[3:]]), "position 3", '"55" in'),
        (_polygon([*SQUARE[:2], [21], *SQUARE[3:]]), "position 3", "is not a position"),
        (_polygon([*SQUARE[:2], [21, 55, 0, 0], *SQUARE[3:]]), "position 3", "not a position"),
        (_polygon([*SQUARE[:2], None, *SQUARE[3:]]), "position 3", "null is not a position"),
        # a bow tie: its ring crosses itself
        (_polygon([[20, 54], [21, 55], [21, 54], [20, 55], [20, 54]]), "a.geojson: ",
         "not a valid polygon: self-intersection at lon 20.5, lat 54.5"),
        # a hole outside its shell: it became a second launch area
        (_polygon(SQUARE, [[30, 54], [30, 55], [31, 55], [31, 54], [30, 54]]), "a.geojson: ",
         "not a valid polygon: hole lies outside shell at lon 30, lat 54"),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[0, 0], [1, 1], [1, 0]]]]},
            "polygon 2, outer ring",
            "at least 4 positions",
        ),
    ],
)  # fmt: skip
def test_bad_geometry_is_refused_with_where_it_is(tmp_path: Path, data, where, what) -> None:
    message = _refused(_write(tmp_path, data))
    assert where in message and what in message, message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('{"type": "Polygon", "coordinates": [[[NaN, 54], [21, 54], [21, 55], [NaN, 54]]]}',
         "NaN is not a JSON number"),
        ('{"type": "Polygon", "coordinates": [[[20, 54], [21, 54], [Infinity, 55], [20, 54]]]}',
         "Infinity is not a JSON number"),
        ('{"type": "Polygon", "coordinates": [[[1e400, 54], [21, 54], [21, 55], [20, 54]]]}',
         "position 1: [(a number too large), 54] holds a number too large"),
        ('{"type": "Polygon", "coordinates": [[[' + "9" * 5000 + ", 54], [21, 54], [21, 55], "
         "[20, 54]]]}", "position 1: [(a number too large), 54] holds a number too large"),
        ("{bad", "line 1, column 2: not JSON"),
        ("", "not JSON"),
        ('{"type": "GeometryCollection", "geometries": [' * 3000 + "]}" * 3000,
         "nested"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)  # fmt: skip
def test_bad_json_and_numbers_are_one_message(tmp_path: Path, text: str, what: str) -> None:
    message = _refused(_write(tmp_path, text))
    assert what in message, message


def test_a_part_with_nan_is_refused_not_dropped(tmp_path: Path) -> None:
    text = json.dumps(
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[30, 54], [31, 54], [31, 55]]]]}
    ).replace("[31, 55]]", "[31, 55], [NaN, 54]]")
    assert "NaN is not a JSON number" in _refused(_write(tmp_path, text))


def test_not_a_regular_file_is_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.geojson"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.geojson"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        start = time.monotonic()
        with pytest.raises(InputError, match="not a regular file"):
            read_geojson_area(path)
        assert time.monotonic() - start < 1


def test_limits_say_what_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.geojson"
    with big.open("wb") as out:
        out.truncate(MAX_AREA_BYTES + 1)
    assert f"larger than {MAX_AREA_BYTES:,} bytes, the limit for an area file" in _refused(big)

    many = {"type": "MultiPolygon", "coordinates": [
        [[[x / 10 - 150, 0], [x / 10 - 149.95, 0], [x / 10 - 149.95, 0.05], [x / 10 - 150, 0]]]
        for x in range(MAX_PARTS + 1)
    ]}  # fmt: skip
    message = _refused(_write(tmp_path, many))
    assert f"polygon {MAX_PARTS + 1}: more than {MAX_PARTS:,} polygons, the limit" in message

    monkeypatch.setattr(area_files, "MAX_VERTICES", 9)
    two = {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[x + 5, y] for x, y in SQUARE]]]}
    message = _refused(_write(tmp_path, two))
    assert "polygon 2, outer ring: more than 9 vertices, the limit for an area file" in message
    assert MAX_VERTICES >= 68_193  # Natural Earth's Canada, the largest outline shipped


def test_overlapping_polygons_are_joined(tmp_path: Path) -> None:
    moved = [[x + 0.5, y] for x, y in SQUARE]
    data = {"type": "MultiPolygon", "coordinates": [[SQUARE], [moved]]}
    area = read_geojson_area(_write(tmp_path, data))
    assert shapely.equals(area.geometry, shapely.box(20, 54, 21.5, 55))


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "Blob"}',
        '{"type": "Polygon", "coordinates": [[[20, 54], [21, 55], [21, 54], [20, 55], [20, 54]]]}',
        '{"type": "GeometryCollection", "geometries": 5}',
    ],
)
def test_the_command_line_says_one_line_and_exits_2(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    result = CliRunner().invoke(cli, ["coverage", "--area", str(path), "--km", "300"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_an_invisible_character_in_the_file_name_is_refused(tmp_path: Path) -> None:
    """The file's name labels the area in every table: "o\\u200bk" would read as "ok"."""
    path = _write(tmp_path, _polygon(SQUARE), "o\u200bk.geojson")
    message = _refused(path)
    assert "the file name contains the invisible character U+200B (ZERO WIDTH SPACE)" in message


# --- fuzzing ---------------------------------------------------------------------------------

_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**30), 10**30),
    st.floats(-200, 200),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
)
_json = st.recursive(
    _numbers,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.sampled_from(["type", "coordinates", "geometries", "features", "geometry", "x"]),
            inner,
            max_size=4,
        ),
        st.sampled_from(
            [
                "Polygon",
                "MultiPolygon",
                "Feature",
                "FeatureCollection",
                "GeometryCollection",
                "Point",
                "Blob",
            ]
        ),
    ),
    max_leaves=30,
)


@st.composite
def _mutated_area(draw: st.DrawFn) -> str:
    """A valid area file with one value somewhere replaced by anything JSON can hold."""
    tree: dict = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": _polygon(SQUARE)},
            {"type": "Feature", "properties": {}, "geometry": {
                "type": "MultiPolygon", "coordinates": [[[[x + 2, y] for x, y in SQUARE]]]}},
        ],
    }  # fmt: skip
    node: Any = tree
    for _ in range(draw(st.integers(0, 8))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            break
        if not isinstance(node[key], dict | list) or draw(st.booleans()):
            node[key] = draw(_json)
            break
        node = node[key]
    return json.dumps(tree, allow_nan=True)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_mutated_area(), _json.map(lambda v: json.dumps(v, allow_nan=True))))
def test_any_json_gives_an_area_or_one_message_naming_the_file(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.geojson"
    path.write_text(text, encoding="utf-8")
    try:
        area = read_geojson_area(path)
    except InputError as err:
        assert str(err).startswith("fuzz.geojson") or str(path) in str(err)
    else:
        assert area.geometry.is_valid and not area.geometry.is_empty
