"""Ranges as written: km, miles, nautical miles; numbers that are refused and why."""

from __future__ import annotations

import math
import pickle

import pytest
from click.testing import CliRunner

from rangemap.cli import cli
from rangemap.errors import InputError
from rangemap.units import Km, parse_range, range_text, span_text


@pytest.mark.parametrize(
    ("text", "km", "label"),
    [
        ("480", 480.0, "480 km"),
        (480, 480.0, "480 km"),
        (2350.5, 2350.5, "2,350.5 km"),
        ("480km", 480.0, "480 km"),
        (" 480 KM ", 480.0, "480 km"),
        ("1000mi", 1609.344, "1,000 mi (1,609 km)"),
        ("1725 mi", 2776.1184, "1,725 mi (2,776 km)"),
        ("300nmi", 555.6, "300 nmi (556 km)"),
        (".5mi", 0.804672, "0.5 mi (1 km)"),
    ],
)
def test_ranges_parse_to_km_and_label_as_given(text: object, km: float, label: str) -> None:
    value = parse_range(text)
    assert float(value) == pytest.approx(km, abs=1e-9)
    assert range_text(value) == label


def test_unit_factors_are_the_international_definitions() -> None:
    """1 mi = 1,609.344 m (1959), 1 nmi = 1,852 m (1929): exact, so 1,000 mi is 1,609.344 km."""
    assert float(parse_range("1000mi")) == 1609.344
    assert float(parse_range("1nmi")) == 1.852


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2,350", "'2,350' has a thousands separator; write the number without it, e.g. '2350'"),
        ("2 350", "'2 350' has a thousands separator; write the number without it, e.g. '2350'"),
        ("2\u202f350 km", "has a thousands separator; write the number without it, e.g. '2350km'"),
        ("1.000.000", "has a thousands separator; write the number without it, e.g. '1000000'"),
        ("2,5", "'2,5' has a decimal comma; write decimals with a point, e.g. '2.5'"),
        ("480 miles", "'480 miles' is not a number in plain decimal digits; write a range as"),
        ("far", "'far' is not a number in plain decimal digits"),
        ("\uff14\uff18\uff10", "is not a number in plain decimal digits"),
        ("1_0", "'1_0' is not a number in plain decimal digits"),
        ("nan", "'nan' is not a finite number"),
        (math.inf, "inf is not a finite number"),
        (True, "True is not a range"),
        (None, "None is not a range"),
        (0, "0 must be greater than zero"),
        ("-5mi", "'-5mi' must be greater than zero"),
        ("20005", "range 20005 km from any site reaches beyond the antipode"),
        ("12500mi", "range 20116.8 km from any site reaches beyond the antipode"),
        ("1e306mi", "range 1.60934e+306 km from any site reaches beyond the antipode"),
        ("0.0005", "range 0.0005 km is shorter than 0.001 km"),
    ],
)
def test_bad_ranges_say_how_to_write_them(value: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_range(value, label="--km")
    assert str(info.value).startswith("--km: ")
    assert message in str(info.value)


def test_km_survives_pickling_and_arithmetic() -> None:
    """Batch workers receive ranges by pickle; computations see plain kilometres."""
    value = parse_range("1000mi")
    again = pickle.loads(pickle.dumps(value))
    assert isinstance(again, Km) and again.unit == "mi" and again.given == 1000
    assert value * 1000 == 1609344.0
    assert value == 1609.344 and hash(value) == hash(1609.344)


def test_band_labels() -> None:
    assert span_text(1000.0, 500.0) == "500\u20131,000 km"
    assert span_text(parse_range("1000mi"), parse_range("500mi")) == (
        "500\u20131,000 mi (805\u20131,609 km)"
    )
    assert span_text(parse_range("1000mi"), 500.0, dash="-") == "500 km-1,000 mi (500-1,609 km)"


def test_cli_takes_miles_and_refuses_thousands_separators() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["coverage", "--site", "kaliningrad", "--km", "300nmi"])
    assert ok.exit_code == 0, ok.output
    assert "Kaliningrad, 300 nmi (556 km): range area" in ok.stdout
    assert "555.6" in ok.stdout  # the table's range_km stays in km
    bad = runner.invoke(cli, ["coverage", "--site", "kaliningrad", "--km", "2,350"])
    assert bad.exit_code == 2
    assert "'2,350' has a thousands separator" in bad.stderr
    assert "e.g. '2350'" in bad.stderr
    inner = runner.invoke(cli, ["ring", "--site", "deveselu", "--km", "1000", "--km-min", "0mi"])
    assert inner.exit_code == 2
    assert "'0mi' must be greater than zero" in inner.stderr


def test_api_takes_units() -> None:
    import rangemap

    ring = rangemap.make_ring("deveselu", "1000mi", km_min="500mi")
    assert (float(ring.km), float(ring.km_min)) == (1609.344, 804.672)
    assert ring.label.endswith(", 500-1,000 mi (805-1,609 km)")
    table = rangemap.countries_covered("kaliningrad", "300nmi")
    assert set(table.range_km) == {555.6}
    with pytest.raises(InputError, match="thousands separator"):
        rangemap.countries_covered("kaliningrad", "2,350")


def test_compare_notes_show_the_range_as_given() -> None:
    result = CliRunner().invoke(
        cli, ["compare", "--site", "kaliningrad", "--km", "480", "--km", "1000mi"]
    )
    assert result.exit_code == 0
    assert "pct_1609.34_km" in result.stdout  # columns stay in km
    assert "  1,000 mi (1,609 km) over 480 km adds " in result.stdout


@pytest.mark.parametrize(
    ("value", "readings"),
    [
        ("2.350", ("2.35 km with a decimal point", "2,350 km with the point as a thousands")),
        ("2.350km", ("2.35 km", "2,350 km", "write '2.35km' or '2350km'")),
        ("1.609 mi", ("1.609 mi", "1,609 mi", "write '1.609mi' or '1609mi'")),
        ("480.000", ("480 km with a decimal point", "480,000 km", "write '480' or '480000'")),
    ],
)
def test_a_point_before_three_digits_is_ambiguous(value: str, readings: tuple[str, ...]) -> None:
    """'2.350' is 2.35 km to some readers and 2,350 km to others (German, Polish): refused
    with both readings, as '2,350' is refused."""
    with pytest.raises(InputError, match="is ambiguous") as info:
        parse_range(value, label="--km")
    for reading in readings:
        assert reading in str(info.value)


@pytest.mark.parametrize("value", ["2.35", "0.350", "2350.5", "2.3500", "12.5km", "1000.0"])
def test_points_that_cannot_group_thousands_are_decimals(value: str) -> None:
    assert float(parse_range(value)) == float(value.removesuffix("km"))


def test_ambiguous_ranges_are_refused_on_the_command_line_and_in_files(tmp_path) -> None:
    bad = CliRunner().invoke(cli, ["coverage", "--site", "kaliningrad", "--km", "2.350"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "'2.350' is ambiguous: 2.35 km with a decimal point, or 2,350 km" in bad.stderr
    scene = tmp_path / "s.yaml"
    scene.write_text(
        "title: T\nsites:\n  - site: '54.350,20.500'\n    ranges:\n      - km: 2.350\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["table", str(scene)])
    assert result.exit_code == 2
    assert "line 5, site 1, range 1, field 'km': '2.350' is ambiguous" in result.stderr
    # A latitude written 54.350 is a number, not a range: it stays 54.35.
    scene.write_text(scene.read_text("utf-8").replace("2.350", "480"), encoding="utf-8")
    assert CliRunner().invoke(cli, ["table", str(scene)]).exit_code == 0


def test_ambiguous_claim_figures_are_refused_in_a_catalog(tmp_path) -> None:
    from pathlib import Path

    from rangemap.catalog import load_catalog
    from rangemap.errors import CatalogError

    own = Path(__file__).resolve().parent / "data" / "own-catalog.yaml"
    path = tmp_path / "mine.yaml"
    path.write_text(own.read_text("utf-8").replace("km: 1000", "km: 1.000"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"field 'km': '1.000' is ambiguous: 1 km with a"):
        load_catalog(extra=[path])
