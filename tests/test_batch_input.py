"""Batch input: size limits, the row model, and fuzzing (any bytes give rings or one message)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rangemap import batch_input
from rangemap.batch_input import BatchRing, read_rings, resolve_rings
from rangemap.cli import cli
from rangemap.errors import InputError

FUZZ = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Cells that mean something to the batch reader: sites in each spelling, numbers in and out of
#: range, CSV quoting, encodings, separators.
CELLS = [
    "kaliningrad", "deveselu", "Warsaw", "Paris, FR", "54.7,20.5", "91,0", "0,181",
    "-45.5,-140.25", "kaliningradd", "", " ", "480", "0", "-1", "1e306", "1e-12", "nan", "inf",
    "-inf", "25000", "19999.9", "abc", "1_0", "١٢٣", "true", "1:30", '"', '""', "\x00", "\ufeff",
    "é", "=HYPERLINK(1)", ";", "\t", "\r", "\n", "site", "km", "km_min", "label", "🚀",
]  # fmt: skip
HEADERS = ["site,km", "site,km,km_min,label", "km,site,label", "site;km", "SITE, KM ", "", "site"]


def _check(path: Path) -> None:
    """read_rings either gives valid rings or raises one InputError naming the file."""
    try:
        rings = read_rings(path)
    except InputError as err:
        assert str(path) in str(err) and "Traceback" not in str(err)
        return
    assert rings
    for ring in rings:
        assert isinstance(ring, BatchRing)
        assert math.isfinite(ring.km) and ring.km > 0
        assert ring.km_min is None or 0 < ring.km_min < ring.km
        assert ring.label is None or ring.label == ring.label.strip() != ""


@FUZZ
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(st.sampled_from(CELLS), max_size=5), max_size=6),
    quoted=st.booleans(),
)
@example(header="site,km,km_min", rows=[["deveselu", "500", "1000"]], quoted=False)
def test_any_csv_gives_rings_or_one_message(
    tmp_path: Path, header: str, rows: list[list[str]], quoted: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="\n", quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL
    )
    writer.writerows(rows)
    path = tmp_path / "rings.csv"
    path.write_text(header + "\n" + buffer.getvalue(), encoding="utf-8")
    _check(path)


@FUZZ
@given(data=st.binary(max_size=200))
@example(data=b"site,km\nkaliningrad,480\n\xff\n")
@example(data=b'site,km\n"kaliningrad,480\n')
def test_any_bytes_give_rings_or_one_message(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "rings.csv"
    path.write_bytes(b"site,km\n" + data)
    _check(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(CELLS),
            st.one_of(st.sampled_from(CELLS), st.floats(), st.integers(), st.none(), st.booleans()),
        ),
        max_size=4,
    )
)
def test_python_rows_give_rings_or_one_message(rows: list[tuple[object, object]]) -> None:
    try:
        rings = resolve_rings(rows)
    except InputError as err:
        assert str(err).startswith(("row ", "no rings given"))
        return
    assert len(rings) == len(rows)


def test_cli_fuzzed_file_exits_0_or_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "rings.csv"
    for text in ("site,km\n\x00,480\n", 'site,km\n"54.7,20.5",-1e306\n', "km\n1\n", "\ufeff"):
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["batch", str(path), "-j", "1"])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "rings.csv" in result.stderr


def test_a_file_above_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_input, "MAX_BYTES", 1024)
    path = tmp_path / "rings.csv"
    path.write_text("site,km\n" + "kaliningrad,480\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match=r"rings\.csv: larger than"):
        read_rings(path)


def test_an_endless_device_is_refused_not_read_to_the_end() -> None:
    with pytest.raises(InputError, match="larger than 64 MiB"):
        read_rings("/dev/zero")


def test_more_rings_than_the_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_input, "MAX_RINGS", 3)
    path = tmp_path / "rings.csv"
    path.write_text("site,km\n" + "kaliningrad,480\n" * 4, encoding="utf-8")
    with pytest.raises(InputError, match="more than 3 rings"):
        read_rings(path)
    with pytest.raises(InputError, match="more than 3 rings"):
        resolve_rings([("kaliningrad", 480)] * 4)


def test_row_model_keeps_the_column_of_the_first_error() -> None:
    with pytest.raises(InputError, match=r"row 1, column site: missing value"):
        resolve_rings([("", "abc")])
    with pytest.raises(InputError, match=r"row 1, column km: True is not a range"):
        resolve_rings([("kaliningrad", True)])
    ring = resolve_rings([{"site": "kaliningrad", "km": "480", "km_min": " ", "label": " x "}])[0]
    assert (ring.km, ring.km_min, ring.label) == (480.0, None, "x")


def test_an_area_row_beyond_the_cut_locus_names_the_areas_offending_point() -> None:
    """Checked from the area's boundary points, not from the point its name is drawn at."""
    with pytest.raises(InputError, match=r"from \(54\.4567, 19\.6095\).*at most 19992 km"):
        batch_input.resolve_rings([("kaliningrad-region", 19995)])


@pytest.mark.parametrize(
    ("label", "what"),
    [
        ("Kaliningrad\u200b", "the invisible character U+200B (ZERO WIDTH SPACE)"),
        ("\u202e700 km", "the bidirectional control character U+202E"),
    ],
)
def test_a_label_with_an_invisible_character_is_refused(tmp_path: Path, label, what) -> None:
    path = tmp_path / "rings.csv"
    path.write_text(f"site,km,label\nkaliningrad,480,{label}\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2") as info:
        read_rings(path)
    assert what in str(info.value)
