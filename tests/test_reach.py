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
    claims = kaliningrad.claims_reaching
    assert "9M729 up to 2,350 km with a nuclear warhead, possibly (estimate, uncertain" in claims
    # the same report's conventional figure, with its condition
    assert "9M729 up to 2,000 km with a 500 kg conventional warhead, possibly" in claims
    assert "9M729 up to 480 km" not in kaliningrad.claims_reaching  # 529 km: out of reach
    # 529 km is beyond the interval's certain 500 km, within its possible 5,500 km
    assert "9M729 500\u20135,500 km, possibly (disputed" in kaliningrad.claims_reaching
    assert "9M729 at least 500 km" not in kaliningrad.claims_reaching


def test_a_lower_bound_reaches_for_certain_and_retired_is_flagged() -> None:
    """Regression: "more than 1,000 miles" was not listed at all (it had no maximum)."""
    rows = {r.site_id: r for r in reach(resolve("Warsaw"))}
    redzikowo = rows["redzikowo"].claims_reaching
    assert "Tomahawk at least 1,609 km, for certain (stated, Raytheon" in redzikowo
    assert "Tomahawk 2,500 km, for certain (stated, retired," in redzikowo


def test_distances_agree_with_geographiclib_and_are_sorted() -> None:
    target = resolve("Paris")
    rows = reach(target)
    catalog = load_catalog()
    assert len(rows) == len(catalog.sites) + len(catalog.areas)
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


def test_reach_answers_for_any_site() -> None:
    """Regression: reach answered for catalog sites only; a place or LAT,LON works too, and
    is listed with `within` whether or not it reaches."""
    target = resolve("Berlin")
    rows = reach(target, 1000, sites=[resolve("Minsk"), resolve("35.0,139.0"), resolve("deveselu")])
    by_id = {r.site_id: r for r in rows}
    minsk = next(r for r in rows if r.site == "Minsk")
    expected = Geodesic.WGS84.Inverse(target.lat, target.lon, 53.9, 27.56667)["s12"] / 1000
    assert minsk.distance_km == pytest.approx(expected, abs=5)
    assert minsk.within is True and minsk.claims_reaching == ""
    assert by_id["35,139"].within is False
    assert by_id["deveselu"].within is False  # 1,300 km from Berlin


def test_cli_reach_with_sites() -> None:
    result = CliRunner().invoke(
        cli, ["reach", "--target", "Berlin", "--site", "Osipovichi", "--km", "1000mi",
              "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()[1:]
    assert line.startswith("Berlin,geonames:") and ",Osipovichi,1025." in line and ",True," in line


def test_an_area_site_is_as_far_as_its_nearest_point() -> None:
    """Berlin is 529 km from Kaliningrad city but 464 km from the region's western end, so
    Russia's own 480 km figure reaches it from the region."""
    rows = {r.site_id: r for r in reach(resolve("Berlin"), 600)}
    region, city = rows["kaliningrad-region"], rows["kaliningrad"]
    assert region.distance_km < 480 < city.distance_km
    assert "9M729 up to 480 km" in region.claims_reaching
