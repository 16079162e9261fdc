"""Coverage of countries and places, checked against direct computations and known distances."""

from __future__ import annotations

import pytest
import shapely
from geographiclib.geodesic import Geodesic

from rangemap import coverage as cov
from rangemap import layers
from rangemap.errors import InputError
from rangemap.geodesic import area_km2
from rangemap.locations import Location

KALININGRAD = Location("kaliningrad", "Kaliningrad", 54.717, 20.517, "site", "city centre", "")
DEVESELU = Location("deveselu", "Deveselu", 44.078667, 24.413417, "site", "base", "")


def _at(name: str, lat: float, lon: float) -> Location:
    return Location(name, name, lat, lon, "coordinates", "test point", "")


def _by_iso(rows: list[cov.CountryRow]) -> dict[str, cov.CountryRow]:
    return {r.iso_a3: r for r in rows}


def test_russia_480_km_reaches_four_capitals_but_not_berlin() -> None:
    """Russia's stated 9M729 range from Kaliningrad: Warsaw, Vilnius, Riga, Minsk; not Berlin."""
    capitals = {c.city for c in cov.city_rows(cov.make_ring(KALININGRAD, 480), capitals_only=True)}
    assert capitals == {"Warsaw", "Vilnius", "Riga", "Minsk"}
    berlin = Geodesic.WGS84.Inverse(54.717, 20.517, 52.52437, 13.41053)["s12"] / 1000
    assert berlin == pytest.approx(529, abs=3)
    wider = {c.city for c in cov.city_rows(cov.make_ring(KALININGRAD, 540), capitals_only=True)}
    assert "Berlin" in wider


def test_city_distances_agree_with_geographiclib() -> None:
    for row in cov.city_rows(cov.make_ring(DEVESELU, 300))[:50]:
        expected = Geodesic.WGS84.Inverse(DEVESELU.lat, DEVESELU.lon, row.lat, row.lon)["s12"]
        assert row.distance_km == pytest.approx(expected / 1000, abs=1e-6)
        assert row.distance_km <= 300


def test_a_range_inside_one_country_reports_one_row_of_the_whole_area() -> None:
    ring = cov.make_ring(_at("Siberia", 62.0, 100.0), 300)
    rows = cov.country_rows(ring)
    assert [r.iso_a3 for r in rows] == ["RUS"]
    assert rows[0].covered_km2 == pytest.approx(ring.area_km2, rel=5e-4)


def test_a_range_over_open_ocean_covers_nothing() -> None:
    ring = cov.make_ring(_at("Pacific", -30.0, -130.0), 300)
    assert cov.country_rows(ring) == []
    assert cov.city_rows(ring) == []


def test_whole_countries_report_exactly_100_percent() -> None:
    rows = _by_iso(cov.country_rows(cov.make_ring(KALININGRAD, 480)))
    assert rows["LTU"].covered_pct == 100.0
    assert rows["LTU"].covered_km2 == rows["LTU"].country_km2
    assert 0 < rows["POL"].covered_pct < 100


@pytest.mark.parametrize(
    ("site", "km", "iso"),
    [
        (KALININGRAD, 480, "POL"),
        (KALININGRAD, 5500, "CAN"),  # holds the North Pole
        (_at("Fiji", -17.7, 178.0), 2500, "FJI"),  # across the 180th meridian
        (_at("Fiji", -17.7, 178.0), 2500, "NZL"),
        (_at("McMurdo", -77.85, 166.67), 1500, "ATA"),  # holds the South Pole
    ],
)
def test_tiled_coverage_equals_a_direct_intersection(site: Location, km: float, iso: str):
    """Cut tiles plus whole tiles give what intersecting the whole country would give."""
    ring = cov.make_ring(site, km)
    countries = layers.countries()
    row = countries.country_index(iso)
    direct = area_km2(shapely.intersection(countries.geometry[row], ring.geometry))
    covered = _by_iso(cov.country_rows(ring))[iso].covered_km2
    assert covered == pytest.approx(direct, rel=1e-6)


def test_covered_areas_add_up_to_at_most_the_range_area() -> None:
    ring = cov.make_ring(DEVESELU, 1000)
    total = sum(r.covered_km2 for r in cov.country_rows(ring))
    assert 0.5 * ring.area_km2 < total < ring.area_km2


def test_a_range_holding_both_poles_covers_antarctica_whole() -> None:
    rows = _by_iso(cov.country_rows(cov.make_ring(_at("Gulf of Guinea", 0.0, 0.0), 15_000)))
    assert rows["ATA"].covered_pct == 100.0
    assert rows["GHA"].covered_pct == 100.0
    assert rows["NZL"].covered_pct < 100.0


def test_band_counts_only_places_beyond_the_inner_range() -> None:
    band = cov.make_ring(KALININGRAD, 1000, km_min=500)
    places = cov.city_rows(band)
    assert places and all(500 < p.distance_km <= 1000 for p in places)
    assert "Berlin" in {p.city for p in places}
    assert band.label == "Kaliningrad, 500-1,000 km"


def test_compare_lists_what_the_disputed_range_adds() -> None:
    """US/FAZ estimate 2,350 km over Russia's stated 480 km from Kaliningrad."""
    added = cov.compare(KALININGRAD, 480, 2350)
    new = {r.iso_a3 for r in added.new_countries}
    assert {"FRA", "GBR", "ITA", "NOR"} <= new
    assert not {"DEU", "POL"} & new  # partly within 480 km already
    assert {"Berlin", "Paris", "London", "Rome"} <= {c.city for c in added.new_capitals}
    stated, wide = cov.make_ring(KALININGRAD, 480), cov.make_ring(KALININGRAD, 2350)
    assert added.added_km2 == pytest.approx(wide.area_km2 - stated.area_km2)
    more = {after.iso_a3: (before, after) for before, after in added.more_covered}
    assert more["POL"][1].covered_pct == 100.0
    assert more["DEU"][0].covered_pct < 10
    assert more["DEU"][1].covered_pct > 99
    assert added.added_population == sum(
        p.population for p in cov.city_rows(cov.make_ring(KALININGRAD, 2350, km_min=480))
    )


def test_compare_needs_a_larger_second_range() -> None:
    with pytest.raises(InputError, match="compare needs a larger second range"):
        cov.compare(KALININGRAD, 2350, 480)


def test_matrix_has_one_column_per_ring() -> None:
    rings = [cov.make_ring(KALININGRAD, 480), cov.make_ring(DEVESELU, 1000)]
    labels, rows = cov.matrix(rings)
    assert labels == ["Kaliningrad, 480 km", "Deveselu, 1,000 km"]
    table = {iso: values for iso, _, _, values in rows}
    assert table["LTU"][0] == 100.0 and table["LTU"][1] == 0.0
    assert table["ROU"][0] == 0.0 and table["ROU"][1] == 100.0


def test_summary_labels_population_honestly() -> None:
    summary = cov.summarize(cov.make_ring(KALININGRAD, 480))
    assert summary.countries == 10
    assert set(summary.capitals) == {"Warsaw", "Vilnius", "Riga", "Minsk"}
    assert summary.population > 5_000_000
    assert summary.territories == () == summary.other_areas
    assert cov.PEOPLE_LABEL == "people in cities and towns of 15,000+"
    assert "districts not counted" in cov.PLACES_LABEL and "Not everyone" in cov.PLACES_LABEL


MINSK = _at("Minsk", 53.9, 27.56667)
#: Units that a 5,000 km ring from Minsk touches and that are no UN member or observer state:
#: territories of a UN state, and other areas that no UN state holds.
MINSK_5000_TERRITORIES = {
    "Akrotiri Sovereign Base Area", "Dhekelia Cantonment", "Åland", "Jersey", "Guernsey",
    "Isle of Man", "Faroe Islands", "Gibraltar", "Greenland",
}  # fmt: skip
MINSK_5000_OTHER_AREAS = {"Bir Tawil", "Western Sahara", "Kosovo"}


def test_countries_are_states_and_territories_are_listed_apart() -> None:
    """Regression: a 5,000 km ring from Belarus counted "106 countries", among them Bir Tawil,
    Akrotiri, Dhekelia, Åland, the Channel Islands, the Isle of Man, the Faroes, Gibraltar,
    Greenland and Western Sahara."""
    ring = cov.make_ring(MINSK, 5000)
    rows = cov.country_rows(ring)
    summary = cov.summarize(ring, countries=rows)
    assert set(summary.territories) == MINSK_5000_TERRITORIES
    assert set(summary.other_areas) == MINSK_5000_OTHER_AREAS
    assert summary.countries + len(summary.territories) + len(summary.other_areas) == len(rows)
    assert summary.countries == sum(r.status == "state" for r in rows)
    by_name = {r.country: r for r in rows}
    assert by_name["Jersey"].sovereign == "United Kingdom"
    assert by_name["Greenland"].sovereign == "Denmark"
    assert (by_name["Kosovo"].status, by_name["Kosovo"].sovereign) == ("other", "")
    assert by_name["Western Sahara"].status == by_name["Bir Tawil"].status == "other"
    assert by_name["Greenland"].status == "territory"
    assert by_name["Bosnia and Herzegovina"].status == "state"  # full names, not "Bosnia and Herz."
    assert summary.counts().startswith(
        f"{summary.countries} countries, 9 territories and 3 other areas, "
    )


def test_counts_wording() -> None:
    """'and' joins the last two parts; a part with nothing in it is left out."""
    base = cov.Summary("S", 1.0, None, 1.0, 2, ("A",), 1, 1)
    assert base.counts() == "2 countries, 1 capital"
    assert base._replace(territories=("T",)).counts() == "2 countries and 1 territory, 1 capital"
    assert base._replace(other_areas=("Kosovo",)).counts() == (
        "2 countries and 1 other area, 1 capital"
    )
    assert base._replace(territories=("T", "U"), other_areas=("K", "W")).counts() == (
        "2 countries, 2 territories and 2 other areas, 1 capital"
    )


def test_capitals_are_national_capitals_territorial_ones_apart() -> None:
    """Regression: the same ring's "87 capitals" included Mariehamn, Douglas, St Helier,
    St Peter Port, Tórshavn, Longyearbyen, Nuuk and Gibraltar."""
    summary = cov.summarize(cov.make_ring(MINSK, 5000))
    territorial = {"Mariehamn", "Douglas", "Saint Helier", "Saint Peter Port", "Tórshavn",
                   "Longyearbyen", "Nuuk", "Gibraltar"}  # fmt: skip
    assert set(summary.territory_capitals) == territorial
    assert summary.other_capitals == ("Pristina",)  # Kosovo: not a territory
    assert not (territorial | {"Pristina"}) & set(summary.capitals)
    assert {"Warsaw", "Berlin", "London", "Ankara", "Moscow"} <= set(summary.capitals)
    rows = cov.city_rows(cov.make_ring(MINSK, 5000), capitals_only=True)
    kinds = {r.city: r.capital for r in rows}
    assert kinds["Nuuk"] == "territorial" and kinds["Warsaw"] == "national"
    assert {r.status for r in rows if r.capital == "territorial"} == {"territory"}
    assert (kinds["Pristina"], next(r.status for r in rows if r.city == "Pristina")) == (
        "other",
        "other",
    )


@pytest.mark.parametrize(
    ("lat", "lon", "km"),
    [(54.717, 20.517, 2350), (89.5, 10.0, 3000), (-45.0, 179.9, 6000), (0.0, 0.0, 19_000)],
)
def test_spherical_prefilter_drops_no_place_in_range(lat: float, lon: float, km: float) -> None:
    """Every place whose exact geodesic distance is within range is listed (brute force)."""
    from rangemap.geodesic import distance_km

    cities = layers.cities()
    exact = distance_km(lat, lon, cities.lat, cities.lon) <= km
    listed = cov.city_rows(cov.make_ring(_at("probe", lat, lon), km))
    assert len(listed) == int(exact.sum())


@pytest.mark.parametrize(
    ("site", "km_min", "km", "iso"),
    [
        (DEVESELU, 500, 1000, "DEU"),
        (KALININGRAD, 1000, 5500, "CAN"),  # outer area holds the North Pole
        (KALININGRAD, 500, 5500, "POL"),  # partly inside the inner area
        (_at("Fiji", -17.7, 178.0), 800, 2500, "NZL"),  # across the 180th meridian
    ],
)
def test_band_coverage_equals_a_direct_intersection(site, km_min, km, iso) -> None:
    """A band's coverage (outer minus inner area) is what intersecting the band gives."""
    band = cov.make_ring(site, km, km_min=km_min)
    countries = layers.countries()
    row = countries.country_index(iso)
    direct = area_km2(shapely.intersection(countries.geometry[row], band.geometry))
    covered = _by_iso(cov.country_rows(band)).get(iso)
    assert (covered.covered_km2 if covered else 0.0) == pytest.approx(direct, rel=1e-6)


def test_a_band_leaves_out_countries_wholly_inside_its_inner_range() -> None:
    rows = _by_iso(cov.country_rows(cov.make_ring(KALININGRAD, 1000, km_min=500)))
    assert "LTU" not in rows  # wholly within 500 km
    assert rows["DEU"].covered_pct < 100
    inner = _by_iso(cov.country_rows(cov.make_ring(KALININGRAD, 500)))
    outer = _by_iso(cov.country_rows(cov.make_ring(KALININGRAD, 1000)))
    assert rows["POL"].covered_km2 == pytest.approx(
        outer["POL"].covered_km2 - inner["POL"].covered_km2
    )


def test_compare_tells_apart_territories_that_share_their_sovereigns_code() -> None:
    """Regression: Indian Ocean Ter. and Ashmore and Cartier Is. carry ISO code AUS, like
    Australia; keyed by code alone they hid behind Australia and were never 'newly in range'."""
    added = cov.compare(_at("Perth", -31.95, 115.86), 480, 3000)
    new = {r.country for r in added.new_countries}
    assert {"Australian Indian Ocean Territories", "Ashmore and Cartier Islands"} <= new
    assert "Australia" not in new
    assert {r.iso_a3 for r in added.new_countries if r.country != "Indonesia"} >= {"AUS"}


# --- launch areas ----------------------------------------------------------------------------


def _region() -> Location:
    from rangemap.locations import resolve

    return resolve("kaliningrad-region")


def test_region_tables_name_the_nearest_launch_point_for_every_capital() -> None:
    """From the Kaliningrad region every capital gets a distance to the region's nearest point
    (GeographicLib, 0.5 km boundary spacing) and that point, which lies on the region's edge."""
    region = _region()
    rows = cov.city_rows(cov.make_ring(region, 2350), capitals_only=True)
    assert len(rows) > 20
    edge = region.area.geometry.boundary
    for row in rows:
        back = Geodesic.WGS84.Inverse(row.lat, row.lon, row.from_lat, row.from_lon)["s12"]
        assert back / 1000 == pytest.approx(row.distance_km, abs=1e-6), row.city
        assert edge.distance(shapely.Point(row.from_lon, row.from_lat)) < 1e-9, row.city
    by_city = {r.city: r for r in rows}
    assert by_city["Berlin"].distance_km < 480 < by_city["Berlin"].distance_km + 65


def test_region_distances_are_never_longer_than_from_its_city() -> None:
    """The region holds the city, so a place is never farther from the region than from it."""
    region = _region()
    city = _at("Kaliningrad", 54.70639, 20.51102)
    from_region = {r.city: r.distance_km for r in cov.city_rows(cov.make_ring(region, 800))}
    from_city = {r.city: r.distance_km for r in cov.city_rows(cov.make_ring(city, 800))}
    assert set(from_city) <= set(from_region)
    assert all(from_region[c] <= d + 1e-9 for c, d in from_city.items())


def test_region_coverage_equals_a_direct_intersection() -> None:
    ring = cov.make_ring(_region(), 480)
    rows = _by_iso(cov.country_rows(ring))
    poland = layers.countries().geometry[layers.countries().country_index("POL")]
    direct = area_km2(shapely.intersection(poland, ring.geometry))
    assert rows["POL"].covered_km2 == pytest.approx(direct, rel=1e-9)
    assert rows["LTU"].covered_pct == 100.0
    assert "DEU" in rows and "DNK" in rows


def test_places_inside_the_area_are_at_zero_km_from_themselves() -> None:
    rows = cov.city_rows(cov.make_ring(_region(), 100))
    inside = [r for r in rows if r.iso_a3 == "RUS"]
    assert inside and all(r.distance_km == 0 for r in inside)
    assert all((r.from_lat, r.from_lon) == (r.lat, r.lon) for r in inside)


def test_point_site_rows_are_measured_from_the_site() -> None:
    site = _at("Kaliningrad", 54.70639, 20.51102)
    rows = cov.city_rows(cov.make_ring(site, 480), capitals_only=True)
    assert {(r.from_lat, r.from_lon) for r in rows} == {(54.70639, 20.51102)}


def test_region_band_and_compare() -> None:
    """What the 2,350 km estimate adds over Russia's 480 km, from the region."""
    result = cov.compare(_region(), 480, 2350)
    assert "Berlin" not in {c.city for c in result.new_capitals}  # in reach at 480 already
    assert {"Paris", "London", "Rome"} <= {c.city for c in result.new_capitals}
    band = cov.make_ring(_region(), 2350, km_min=480)
    assert all(480 < r.distance_km <= 2350 for r in cov.city_rows(band))


@pytest.mark.parametrize(
    ("where", "km", "km_min"),
    [
        ("kaliningrad-region", 480, None),
        ("kaliningrad-region", 5500, None),
        ("kaliningrad-region", 5500, 500),  # the US interval's band
        ("belarus", 2350, 480),
        ("dispersal", 1500, None),  # within 50 km of Deveselu
        ("fiji", 3000, None),  # an area across the 180th meridian
    ],
)
def test_summaries_from_an_area_count_the_places_the_tables_list(where, km, km_min) -> None:
    """Summaries settle most places of an area's range on the sphere and measure only those
    near its edge: the set they count is exactly the tables' set."""
    from rangemap import areas
    from rangemap.locations import resolve

    if where == "dispersal":
        area = areas.dispersal_area(44.08, 24.35, 50)
    elif where == "fiji":
        area = areas.country_area("FJI")
    else:
        area = resolve(where).area
    site = Location(where, where, 0.0, 0.0, "area", "", "", area=area)
    ring = cov.make_ring(site, km, km_min=km_min)
    listed = set(cov._places_within(ring)[0].tolist())  # the rows city_rows lists
    counted = cov._places_set(ring).tolist()
    assert len(counted) == len(set(counted))
    assert set(counted) == listed
    assert len(listed) > 10


def test_capitals_of_an_area_range_are_the_capital_rows_of_all_places() -> None:
    """Capitals alone are measured without the other places: the same rows, the same figures."""
    ring = cov.make_ring(_region(), 2350)
    capitals = cov.city_rows(ring, capitals_only=True)
    assert len(capitals) > 20
    assert capitals == [row for row in cov.city_rows(ring) if row.capital]
