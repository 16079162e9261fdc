"""Resolving sites: catalog ids, GeoNames place names and LAT,LON, with clear errors."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rangemap.errors import AmbiguousNameError, InputError, UnknownNameError
from rangemap.locations import parse_coordinates, resolve


def test_catalog_id_and_name_resolve_to_the_site() -> None:
    site = resolve("deveselu")
    assert (site.kind, site.id) == ("site", "deveselu")
    assert site.lat == pytest.approx(44.0787, abs=1e-3)
    assert "wikipedia" in site.source.lower()
    assert resolve("DEVESELU") == site


@pytest.mark.parametrize(
    ("text", "expected"),
    [("76.53,-68.70", (76.53, -68.70)), (" -33.9 , 151.2 ", (-33.9, 151.2)), ("0,180", (0, 180))],
)
def test_coordinates_are_read_latitude_first(text: str, expected: tuple[float, float]) -> None:
    assert parse_coordinates(text) == expected
    location = resolve(text)
    assert location.kind == "coordinates"
    assert (location.lat, location.lon) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("95,20", "latitude 95.0 is out of range"),
        ("20,-181", "longitude -181.0 is out of range"),
        ("54.7;20.5;3", "cannot read '54.7;20.5;3' as coordinates"),
        ("54.7,abc", "cannot read '54.7,abc' as coordinates"),
        ("nan,20", "cannot read 'nan,20' as coordinates|not a finite number"),
        # float() reads these, a reader would not: plain ASCII decimal degrees only
        ("1_0,2_0", "cannot read '1_0,2_0' as coordinates"),
        (
            "\uff15\uff14,\uff12\uff10",
            "as coordinates: write them as LAT,LON in decimal degrees with ASCII",
        ),
        ("54.7,2e1", "cannot read '54.7,2e1' as coordinates"),
        ("inf,20", "cannot read 'inf,20' as coordinates"),
        # control characters and bytes that are not UTF-8 (a surrogate-escaped argument)
        ("Kalinin\x00grad", "site 'Kalinin\\\\x00grad' contains the control character U\\+0000"),
        ("caf\udce9", "contains bytes that are not UTF-8 at position 4"),
    ],
)
def test_malformed_coordinates_get_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve(text)


def test_place_names_resolve_offline_through_geonames() -> None:
    kyiv = resolve("Kiev")
    assert (kyiv.kind, kyiv.name) == ("place", "Kyiv")
    assert kyiv.source.startswith("GeoNames")
    assert resolve("Warszawa").name == "Warsaw"


def test_dominant_place_wins_and_country_suffix_narrows() -> None:
    assert resolve("Berlin").lat == pytest.approx(52.52, abs=0.01)
    paris_us = resolve("Paris, US")
    assert paris_us.lon < -80


def test_ambiguous_place_lists_the_candidates() -> None:
    with pytest.raises(
        AmbiguousNameError,
        match=r"matches \d+ places in \d+ countries\. Add the country code: \"Valencia, VE\"",
    ):
        resolve("Valencia")


def test_unknown_name_suggests_the_catalog_site() -> None:
    with pytest.raises(UnknownNameError, match=r"Did you mean 'kaliningrad'[,?]"):
        resolve("kalinigrad")


def test_empty_site_is_rejected() -> None:
    with pytest.raises(InputError, match="empty site"):
        resolve("  ")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789.,;+-eE nainf\t"), max_size=24) | st.text())
@example("54.7,20.5")
@example("-,")
@example("1e400,0")
def test_coordinate_parsing_only_gives_coordinates_none_or_input_error(text: str) -> None:
    """Fuzz: any text is coordinates, not coordinate-shaped (None), or one InputError."""
    try:
        parsed = parse_coordinates(text)
    except InputError as err:
        assert str(err)
        return
    if parsed is not None:
        lat, lon = parsed
        assert -90 <= lat <= 90 and -180 <= lon <= 180


def test_misspelt_place_gets_the_nearest_geonames_names() -> None:
    """Regression: "Osipovichy" (between the Russian and Belarusian spellings) got no hint."""
    with pytest.raises(UnknownNameError, match=r"Did you mean 'Osipovichi, BY'\?"):
        resolve("Osipovichy")
    # matched on an alternate spelling only: the message says which
    with pytest.raises(
        UnknownNameError, match=r"'Osipovichi, BY' \(also written 'ossipowitschi'\)"
    ):
        resolve("Ossipowitschy")
    # each suggestion resolves when given back
    assert resolve("Osipovichi, BY").name == "Osipovichi"


def test_ambiguous_place_with_its_country_lists_coordinates_not_the_country() -> None:
    """Regression: "Springfield, US" was told to add the country code it already had."""
    with pytest.raises(AmbiguousNameError) as info:
        resolve("Springfield, US")
    message = str(info.value)
    assert "Add the country code" not in message
    assert 'Springfield, US at "37.2153,-93.2982" (population 170,188)' in message
    assert "give the LAT,LON of the one you mean" in message
    assert resolve("37.2153,-93.2982").kind == "coordinates"


def test_ambiguous_place_across_countries_suggests_the_codes() -> None:
    with pytest.raises(AmbiguousNameError) as info:
        resolve("Birmingham")
    assert 'Add the country code: "Birmingham, GB"; "Birmingham, US" (3 places)' in str(info.value)
