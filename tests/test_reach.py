"""The reverse question: which sites and claims reach a place, by geodesic distance."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from geographiclib.geodesic import Geodesic

from rangemap.catalog import load_catalog
from rangemap.cli import cli
from rangemap.errors import InputError
from rangemap.locations import resolve
from rangemap.reach import reach


def test_berlin_within_2350_km_lists_kaliningrad_with_the_estimate() -> None:
    rows = {r.site_id: r for r in reach(resolve("Berlin"), 2350)}
    assert "kaliningrad" in rows and "kamyshlov" not in rows
    kaliningrad = rows["kaliningrad"]
    assert kaliningrad.within is True
    assert "9M729 2,350 km (estimate, uncertain" in kaliningrad.claims_reaching
    assert "9M729 480 km" not in kaliningrad.claims_reaching  # 529 km away: out of reach
    assert "9M729 500-5,500 km (disputed" in kaliningrad.claims_reaching


def test_distances_agree_with_geographiclib_and_are_sorted() -> None:
    target = resolve("Paris")
    rows = reach(target)
    assert len(rows) == len(load_catalog().sites)
    assert [r.distance_km for r in rows] == sorted(r.distance_km for r in rows)
    site = resolve(rows[0].site_id)
    expected = Geodesic.WGS84.Inverse(target.lat, target.lon, site.lat, site.lon)["s12"] / 1000
    assert rows[0].distance_km == pytest.approx(expected, abs=1e-6)
    assert all(r.within is None for r in rows)


def test_reach_rejects_a_bad_range() -> None:
    with pytest.raises(InputError, match="must be greater than zero"):
        reach(resolve("Paris"), -1)


def test_cli_reach_csv() -> None:
    result = CliRunner().invoke(cli, ["reach", "--target", "Berlin", "--km", "2350",
                                      "--format", "csv"])  # fmt: skip
    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    assert header == "target,site_id,site,distance_km,within,claims_reaching"
    assert any(line.startswith("Berlin,kaliningrad,Kaliningrad,528.") for line in lines)
