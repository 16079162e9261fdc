"""Scenes: loading and validation, claim semantics, layer ids, colours and coverage."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rangemap import coverage as cov
from rangemap._yamlio import MAX_YAML_BYTES, validate
from rangemap.catalog import load_catalog
from rangemap.errors import CatalogError, UnknownNameError
from rangemap.scene import (
    DEFAULT_COLORS,
    MAX_SITES,
    Scene,
    SceneRange,
    SceneSite,
    SceneStyle,
    builtin_scenes,
    load_scene,
    scenes_dir,
)
from rangemap.scene_build import DrawnLayer, resolve_scene

INF_THRESHOLDS_KM = (500.0, 1000.0, 5500.0)


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene())


def _layer(scene, layer_id):
    return next(layer for layer in scene.layers if layer.id == layer_id)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scene.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- loading ---------------------------------------------------------------------------------


def test_builtin_scenes_ship_with_the_layers():
    assert "inf-2020" in builtin_scenes()
    assert (scenes_dir() / "inf-2020.yaml").is_file()


def test_default_scene_is_the_2020_offer():
    scene = load_scene()
    assert [s.site for s in scene.sites] == [
        "kaliningrad-region",
        "kaliningrad",
        "deveselu",
        "redzikowo",
    ]
    assert scene.event == "ru-offer-2020-10"
    assert scene.sites[1].claims == () and scene.sites[1].thresholds == ()  # the city, a reference
    assert all(s.thresholds == ("inf",) for s in scene.sites if s.site != "kaliningrad")


def test_load_by_path_equals_load_by_name():
    assert load_scene(scenes_dir() / "inf-2020.yaml") == load_scene("inf-2020")


def test_unknown_scene_name_suggests_builtin():
    with pytest.raises(UnknownNameError, match=r"unknown scene 'inf-202'.*'inf-2020'"):
        load_scene("inf-202")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # a misspelt field: named, with the fix
        ("title: T\nsites:\n  - site: kaliningrad\n    claim: [9m729]\n", r"line 4, site 1, "
         r"field 'claim': unknown field 'claim'.*Did you mean 'claims'"),
        # an unknown claim id: the item's own line
        ("title: T\nsites:\n  - site: kaliningrad\n    claims:\n      - 9m729/ru-480\n"
         "      - 9m729/ru-48\n", r"line 6, site 1, claim 2: unknown claim 'ru-48'.*'ru-480'"),
        # an unknown site or place
        ("title: T\nsites:\n  - site: Kalinigrad\n", r"line 3, site 1, field 'site': "
         r"unknown site or place 'Kalinigrad'.*'kaliningrad'"),
        # an unknown treaty
        ("title: T\nsites:\n  - site: kaliningrad\n    thresholds: [salt]\n",
         r"line 4, site 1, threshold 1: unknown treaty 'salt'"),
        # a band whose inner range is not inside
        ("title: T\nsites:\n  - site: '54.7,20.5'\n    ranges:\n      - {km: 300, km_min: 400}\n",
         r"line 5, site 1, range 1, field 'km_min': km_min \(400\) must be less than km \(300\)"),
        # only web links, in scenes as in catalogs
        ("title: T\nsources:\n  - {publisher: X, title: Y, url: 'javascript:alert(1)'}\n"
         "sites:\n  - site: kaliningrad\n", r"line 3, source 1, field 'url': URL must start "
         r"with http:// or https://"),
        # colours reach style attributes: only #RRGGBB
        ("title: T\nsites:\n  - site: kaliningrad\nstyle:\n  colors: {stated: 'red;x:y'}\n",
         r"line 5, .*colours are written #RRGGBB"),
        ("title: T\nsites:\n  - site: kaliningrad\nstyle:\n  colors: {9m72: '#000000'}\n",
         r"line 5, .*unknown colour key '9m72'.*'9m729'"),
        ("title: T\nsites: []\n", r"line 2, field 'sites': a scene needs at least one site"),
        ("title: T\nevent: offer\nsites:\n  - site: kaliningrad\n",
         r"line 2, field 'event': unknown event 'offer'"),
        ("sites:\n  - site: kaliningrad\n", r"line 1.*'title'.*Field required"),
        # an unknown field far from every known one gets no suggestion (not 'km_min')
        ("title: T\nsites:\n  - site: kaliningrad\n    ranges:\n      - {km: 300, weapon: x}\n",
         r"line 5, .*field 'weapon': unknown field 'weapon'; known fields: claimed_by, color, "
         r"kind, km, km_min, label, line, sources\. Remove or rename it"),
        # ranges are written like on the command line, never with thousands separators
        ("title: T\nsites:\n  - site: kaliningrad\n    ranges:\n      - {km: '2,350'}\n",
         r"line 5, site 1, range 1, field 'km': '2,350' has a thousands separator; write the "
         r"number without it, e.g. '2350'"),
        ("title: T\nsites:\n  - site: kaliningrad\n    ranges:\n      - {km: 1000 miles}\n",
         r"line 5, .*field 'km': '1000 miles' is not a number in plain decimal digits; write a "
         r"range as digits with an "
         r"optional unit, e.g. 2350, 2350km, 1000mi or 300nmi"),
        # invisible characters in what readers see as names: refused, each named
        ('title: "INF\\u200b"\nsites:\n  - site: kaliningrad\n',
         r"line 1, field 'title': the name contains the invisible character U\+200B"),
        ('title: T\nsites:\n  - site: belarus\n    name: "Bela\\u200crus"\n',
         r"line 4, site 1, field 'name': the name contains the invisible character U\+200C "
         r"\(ZERO WIDTH NON-JOINER\) at position 5"),
        ('title: T\nsites:\n  - site: kaliningrad\n    ranges:\n      - {km: 700, label: '
         '"\\u202e700 km"}\n',
         r"line 5, site 1, range 1, field 'label': the text contains the bidirectional control "
         r"character U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 1"),
        ('title: T\ncaption: "a\\u2066b"\nsites:\n  - site: kaliningrad\n',
         r"line 2, field 'caption': the text contains the bidirectional control character "
         r"U\+2066"),
    ],
)  # fmt: skip
def test_bad_scene_file_names_file_line_and_field(tmp_path, text, where):
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError, match=re.escape(path.name) + r".*" + where):
        load_scene(path)


def test_missing_scene_file_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        load_scene(tmp_path / "nothing.yaml")


# --- claim semantics -----------------------------------------------------------------------


def test_stated_maximum_is_an_up_to_disc(inf):
    layer = _layer(inf, "kaliningrad-region--9m729-ru-480")
    assert (layer.kind, layer.ring.km, layer.ring.km_min) == ("stated", 480.0, None)
    assert layer.label == "9M729 — up to 480 km (Russia, stated)"
    assert layer.name == "Kaliningrad region — 9M729 ≤480 km (stated)"
    assert layer.ring.label == "480 km from anywhere in the Kaliningrad region"
    assert (layer.bound, layer.uncertain) == ("up-to", False)


def test_interval_claim_is_its_two_discs_not_a_band(inf):
    """Regression: the US 500-5,500 km position was drawn as the band 500-5,500 km, so its
    counts left out Warsaw, Vilnius, Riga and Minsk and Germany read 95.8 %. A missile that
    reaches at least 500 km reaches everything nearer: the claim is two discs, the certain
    one (at least 500 km) and the possible one (up to 5,500 km)."""
    low = _layer(inf, "kaliningrad-region--9m729-us-inf-band-at-least")
    high = _layer(inf, "kaliningrad-region--9m729-us-inf-band-up-to")
    assert (low.ring.km, low.ring.km_min, low.bound) == (500.0, None, "at-least")
    assert (high.ring.km, high.ring.km_min, high.bound) == (5500.0, None, "up-to")
    assert (low.span, high.span) == ("at least 500 km", "up to 5,500 km")
    assert low.label == "9M729 — at least 500 km (United States, disputed; claim 500\u20135,500 km)"
    assert low.kind == high.kind == "disputed" and low.uncertain and high.uncertain
    capitals = set(low.summary.capitals)
    assert {"Warsaw", "Vilnius", "Riga", "Minsk"} <= capitals
    assert {"Warsaw", "Vilnius", "Riga", "Minsk"} <= set(high.summary.capitals)
    germany = next(r for r in high.countries if r.iso_a3 == "DEU")
    assert germany.covered_pct == 100.0


def test_interval_capitals_agree_with_geographiclib(inf):
    """Independent check of the certain disc, drawn from the Kaliningrad region: no capital
    that GeographicLib puts beyond 500 km of the region's boundary (0.5 km apart) is counted,
    and the four the issue names are."""
    import numpy as np
    import shapely
    from geographiclib.geodesic import Geodesic

    from rangemap import layers

    low = _layer(inf, "kaliningrad-region--9m729-us-inf-band-at-least")
    region = low.site.area.geometry
    edge = shapely.get_coordinates(shapely.segmentize(region.boundary, 0.0045))
    cities = layers.cities()
    expected = set()
    for i in np.flatnonzero(cities.capital & (np.abs(cities.lat - 55) < 8)):
        nearest = min(
            Geodesic.WGS84.Inverse(cities.lat[i], cities.lon[i], y, x, Geodesic.DISTANCE)["s12"]
            for x, y in edge[:: 1 if abs(cities.lon[i] - 21) < 12 else 10**9]
        )
        if nearest <= 500_000:
            expected.add(cities.name[i])
    counted = set(low.summary.capitals)
    assert counted <= expected
    assert {"Warsaw", "Vilnius", "Riga", "Minsk"} <= counted


def test_at_least_claim_is_the_disc_it_reaches_read_at_least(inf):
    layer = _layer(inf, "kaliningrad-region--9m729-us-beyond-500")
    assert (layer.ring.km, layer.ring.km_min, layer.bound) == (500.0, None, "at-least")
    assert layer.label == "9M729 — at least 500 km (United States, disputed)"


def test_estimate_is_uncertain(inf):
    layer = _layer(inf, "kaliningrad-region--9m729-faz-2350")
    assert (layer.kind, layer.ring.km, layer.uncertain) == ("estimate", 2350.0, True)


def test_claim_without_figure_is_listed_not_drawn(inf):
    layer = _layer(inf, "deveselu--sm-3-no-official-figure")
    assert not isinstance(layer, DrawnLayer)
    assert layer.span == "no public range figure"
    assert layer.uncertain
    assert layer not in inf.drawn


def test_disputed_hosting_makes_the_ring_disputed_with_both_sources(inf):
    """Russia claims the Mk 41 at Deveselu can fire Tomahawk; the US denies it."""
    catalog = load_catalog()
    hosting = next(h for h in catalog.site("deveselu").hosts if h.system == "tomahawk")
    claim = catalog.system("tomahawk").claim("raytheon-1000mi")
    layer = _layer(inf, "deveselu--tomahawk-raytheon-1000mi")
    assert claim.kind == "stated" and layer.kind == "disputed"
    assert layer.hosting == hosting
    assert "claimed by Russia, disputed" in layer.label
    assert layer.claimed_by.startswith(hosting.claimed_by)
    assert set(claim.sources) <= set(layer.sources)
    assert set(hosting.sources) <= set(layer.sources)


def test_variant_is_named(inf):
    layer = _layer(inf, "redzikowo--tomahawk-crs-tlam-n-2500")
    assert layer.label.startswith("Tomahawk (TLAM-N) — 2,500 km")


def test_thresholds_are_rings_and_bands_hidden_at_first(inf):
    """Thresholds show around the first site that asks for them only: the same figures
    around every site crowded the map (the others are one click away)."""
    asking = [s for s in inf.sites if s.id != "kaliningrad"]  # the city: a reference point
    for index, site in enumerate(asking):
        thresholds = [layer for layer in site.layers if layer.kind == "threshold"]
        bands = [layer for layer in site.layers if layer.kind == "band"]
        assert tuple(layer.ring.km for layer in thresholds) == INF_THRESHOLDS_KM
        assert all(layer.ring.km_min is None for layer in thresholds)
        assert all(layer.show == (index == 0) for layer in thresholds)
        assert [(b.ring.km_min, b.ring.km) for b in bands] == [(500.0, 1000.0), (1000.0, 5500.0)]
        assert not any(b.show for b in bands)


def test_iskander_up_to_500_is_a_disc_not_a_band():
    """Iskander-M "50 to 500 km": the 50 km minimum of a mobile launcher is not drawn."""
    scene = Scene(title="t", sites=(SceneSite(site="chernyakhovsk", claims=("iskander-m",)),))
    (layer,) = resolve_scene(scene).layers
    assert (layer.ring.km_min, layer.ring.km, layer.span) == (None, 500.0, "up to 500 km")


def test_retired_variant_is_listed_but_off_by_default(inf):
    """TLAM-N is retired: its ring exists (switch it on) but is not drawn by default."""
    for site in ("deveselu", "redzikowo"):
        layer = _layer(inf, f"{site}--tomahawk-crs-tlam-n-2500")
        assert layer.ring is not None and not layer.show
        assert layer.status.startswith("retired")
        assert "retired" in layer.label
    in_service = _layer(inf, "deveselu--tomahawk-raytheon-1000mi")
    assert in_service.show and in_service.status.startswith("in service")


def test_only_treaty_and_user_bands_are_annuli():
    """Claims never draw a band; treaty categories and explicit km_min ranges do."""
    scenes = [resolve_scene(load_scene(name)) for name in builtin_scenes()]
    for scene in scenes:
        for layer in scene.drawn:
            if layer.ring.km_min is not None:
                assert layer.kind in ("band", "custom"), layer.id


def test_system_reference_means_all_its_claims():
    scene = Scene(title="t", sites=(SceneSite(site="kaliningrad", claims=("SSC-8",)),))
    layers = resolve_scene(scene).layers
    parts = [
        f"{c.id}-{end}" if c.means == "interval" else c.id
        for c in load_catalog().system("9m729").claims
        for end in (("at-least", "up-to") if c.means == "interval" else ("",))
    ]
    assert [layer.id for layer in layers] == [f"kaliningrad--9m729-{p}" for p in parts]


def test_place_and_coordinates_sites_with_explicit_ranges():
    scene = Scene(
        title="t",
        sites=(
            SceneSite(site="Warsaw", ranges=(SceneRange(km=300, label="300 km drill"),)),
            SceneSite(site="54.7,20.5", name="Here", ranges=(SceneRange(km=900, km_min=300),)),
        ),
    )
    warsaw, here = resolve_scene(scene).sites
    assert warsaw.location.kind == "place" and warsaw.entry is None
    assert warsaw.layers[0].label == "300 km drill"
    assert here.label == "Here" and here.location.kind == "coordinates"
    layer = here.layers[0]
    assert (layer.kind, layer.ring.km_min, layer.ring.km) == ("custom", 300.0, 900.0)
    assert layer.color == DEFAULT_COLORS["custom"]


def test_layer_ids_are_unique_slugs(inf):
    ids = [layer.id for layer in inf.layers]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-+[a-z0-9]+)*", i) for i in ids)
    names = [layer.name for layer in inf.layers]
    assert len(names) == len(set(names))


def test_repeated_site_gets_distinct_ids():
    site = SceneSite(site="kaliningrad", ranges=(SceneRange(km=100),))
    layers = resolve_scene(Scene(title="t", sites=(site, site))).layers
    assert layers[0].id != layers[1].id and layers[0].name != layers[1].name


def test_summary_is_coverage_of_the_full_resolution_ring(inf):
    layer = _layer(inf, "kaliningrad-region--9m729-ru-480")
    assert layer.summary == cov.summarize(layer.ring)
    assert layer.countries == tuple(cov.country_rows(layer.ring))
    assert "Warsaw" in layer.summary.capitals and "Moscow" not in layer.summary.capitals


# --- colours -------------------------------------------------------------------------------


def test_a_system_keeps_its_catalog_colour_in_every_scene(inf):
    """Regression: colours were dealt in order of appearance, so orange was the 9M729 in one
    scene and the SM-6 in another."""
    catalog = load_catalog()
    expected = {s.name: s.color for s in catalog.systems}
    for name in builtin_scenes():
        scene = resolve_scene(load_scene(name))
        for layer in scene.drawn:
            if layer.system:
                assert layer.color == expected[layer.system], (name, layer.id)
    colors = [s.color for s in catalog.systems]
    assert len(set(colors)) == len(colors)  # no two systems share a colour
    colors = {layer.system: layer.color for layer in inf.drawn if layer.system}
    assert colors == {"9M729": "#D55E00", "Tomahawk": "#0072B2"}
    assert {layer.color for layer in inf.drawn if layer.kind == "threshold"} == {
        DEFAULT_COLORS["threshold"]
    }


def test_colour_overrides_by_system_then_kind():
    style = SceneStyle(colors={"9m729": "#112233", "disputed": "#445566", "threshold": "#778899"})
    site = SceneSite(site="kaliningrad", claims=("9m729/ru-480",), thresholds=("inf",))
    site2 = SceneSite(site="deveselu", claims=("tomahawk/raytheon-1000mi",))
    scene = resolve_scene(Scene(title="t", sites=(site, site2), style=style))
    by_id = {layer.id: layer.color for layer in scene.layers}
    assert by_id["kaliningrad--9m729-ru-480"] == "#112233"
    assert by_id["deveselu--tomahawk-raytheon-1000mi"] == "#445566"
    assert by_id["kaliningrad--inf-500"] == "#778899"


RANGE = (
    "title: T\nsites:\n  - site: '54.35,18.65'\n    name: {name}\n"
    "    ranges:\n      - {{km: {km}}}\n"
)


@pytest.mark.parametrize(
    ("name", "km", "where"),
    [
        # 1e306 km is finite, but infinite in metres: every country came out 100 %
        ("G", "1e306", r"line 6, site 1, range 1, field 'km': range 1e\+306 km from any site "
         r"reaches beyond the antipode"),
        ("G", "0.0000000001", r"field 'km': range 1e-10 km is shorter than 0.001 km"),
        # YAML 1.1 leftovers: true is 1, 1:30 is 90 (base 60), 1_0 is 10, 010 is 8 (octal)
        ("G", "true", r"field 'km': expected a number, got True"),
        ("G", "yes", r"field 'km': expected a number, got True"),
        ("G", "1:30", r"field 'km': '1:30' is not a plain decimal number"),
        ("G", "1_0", r"field 'km': '1_0' is not a plain decimal number"),
        ("G", "010", r"field 'km': '010' is not a plain decimal number"),
        ("G", "0x10", r"field 'km': '0x10' is not a plain decimal number"),
        ("G", "'1_0'", r"field 'km': expected a number in plain decimal digits, got '1_0'"),
        # control characters: a NUL truncated GIS attributes, others made the SVG invalid XML
        ('"a\\0b"', "50", r"line 4, site 1, field 'name': the text contains the control "
         r"character U\+0000 at position 2"),
        ('"a\\x1bb"', "50", r"field 'name': the text contains the control character U\+001B"),
        ('"\\x85"', "50", r"field 'name': the text contains the control character U\+0085"),
    ],
)  # fmt: skip
def test_numbers_are_numbers_and_text_is_text(tmp_path, name, km, where):
    """Regression: `km: true` drew 1 km, `km: 1:30` drew 90 km, 1e306 km covered every
    country, a NUL in a label truncated GIS attributes."""
    path = _write(tmp_path, RANGE.format(name=name, km=km))
    with pytest.raises(CatalogError, match=re.escape(path.name) + r", .*" + where):
        load_scene(path)


@pytest.mark.parametrize("depth", [60, 495, 700, 999, 1500])
def test_deep_nesting_is_one_message(tmp_path, depth):
    """Regression: YAML nested 495-999 deep raised RecursionError."""
    path = _write(tmp_path, "title: T\nsites: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(CatalogError, match=r"nested (more than 50 levels|too) deep"):
        load_scene(path)


def test_devices_fifos_and_huge_files_are_not_read(tmp_path):
    """Regression: `map /dev/zero` read until MemoryError (and a FIFO would block)."""
    with pytest.raises(CatalogError, match="/dev/zero: not a regular file"):
        load_scene("/dev/zero")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CatalogError, match="not a regular file"):
        load_scene(fifo)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_YAML_BYTES + 1))
    with pytest.raises(CatalogError, match="larger than 2,000,000 bytes"):
        load_scene(big)


def test_many_unknown_sites_fail_fast(tmp_path):
    """Regression: a scene with 10,000 unknown sites took 2 minutes and 4.7 GB to print its
    first error: a scene holds at most MAX_SITES sites, checked before any is resolved, and
    after the first unknown site the others are not looked up."""
    many = "".join(f"  - site: nowhere{i}x\n" for i in range(10_000))
    path = _write(tmp_path, "title: T\nsites:\n" + many)
    with pytest.raises(CatalogError, match=r"line 2, field 'sites': a scene holds at most 200"):
        load_scene(path)
    some = "".join(f"  - site: nowhere{i}x\n" for i in range(MAX_SITES))
    path = _write(tmp_path, "title: T\nsites:\n" + some)
    calls = []

    def resolve(spec):
        calls.append(spec)
        raise UnknownNameError(f"unknown site or place {spec!r}")

    context = {"catalog": load_catalog(), "resolve": resolve}
    with pytest.raises(CatalogError, match=r"line 3, site 1, field 'site': unknown site"):
        validate(Scene, path, context=context)
    assert calls == ["nowhere0x"]


def test_scene_ranges_take_units_and_label_as_given(tmp_path):
    """1,000 mi is drawn at 1,609.344 km; the label shows the miles with km beside them."""
    path = _write(
        tmp_path,
        "title: T\nsites:\n  - site: deveselu\n    ranges:\n      - {km: 1000mi}\n"
        "      - {km: 300nmi, km_min: 100 nmi}\n      - {km: 480km}\n",
    )
    miles, nautical, km = resolve_scene(load_scene(path)).layers
    assert (miles.ring.km, miles.label, miles.span) == (1609.344, *["1,000 mi (1,609 km)"] * 2)
    assert nautical.label == "100\u2013300 nmi (185\u2013556 km)"
    assert (nautical.ring.km, nautical.ring.km_min) == (555.6, 185.2)
    assert km.label == "480 km"
    assert {row.range_km for row in miles.countries} == {1609.344}


# --- language, view, callouts ------------------------------------------------------------


def test_lang_view_and_callouts_are_read_and_resolved():
    scene = Scene(
        title="t",
        lang="de-CH",
        view=((45.0, 5.0), (56.0, 25.0)),
        sites=(SceneSite(site="kaliningrad", callouts=("Berlin", "52.23,21.01")),),
    )
    resolved = resolve_scene(scene)
    assert (resolved.lang, resolved.view) == ("de-CH", ((45.0, 5.0), (56.0, 25.0)))
    berlin, warsaw = resolved.sites[0].callouts
    assert berlin.name == "Berlin" and (warsaw.lat, warsaw.lon) == (52.23, 21.01)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lang", "english!", "language tag"),
        ("lang", "es", r"'es': rangemap writes de, en, fr, pl, ro, ru, uk .*give one of them"),
        ("view", [[60, 5], [50, 25]], "south below north"),
        ("view", [[45, 5], [56, 250]], r"\[\[south, west\], \[north, east\]\]"),
    ],
)
def test_bad_lang_and_view_are_refused(tmp_path, field, value, message):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"title: t\n{field}: {value}\nsites:\n  - site: kaliningrad\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=message):
        load_scene(path)


def test_an_unknown_callout_place_is_named_at_its_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: t\nsites:\n  - site: kaliningrad\n    callouts: [Berlinn]\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"line 4, site 1, callout 1: .*Did you mean .Berlin"):
        load_scene(path)


# --- a scene's own catalog -------------------------------------------------------------------

OWN_CATALOG = (Path(__file__).resolve().parent / "data" / "own-catalog.yaml").read_text(
    encoding="utf-8"
)


def _own_scene(body: str, catalog: str = OWN_CATALOG) -> str:
    """A scene whose `catalog:` block is tests/data/own-catalog.yaml, then `body`."""
    block = "".join(
        f"  {line}\n" if line.strip() and not line.startswith("#") else ""
        for line in catalog.splitlines()
    )
    return f"title: Own catalog\ncatalog:\n{block}{body}"


def test_scene_draws_its_own_system_from_its_own_site(tmp_path):
    path = _write(tmp_path, _own_scene("sites:\n  - site: test-range\n    claims: [tglcm-1]\n"))
    scene = resolve_scene(load_scene(path))
    (layer,) = scene.layers
    assert layer.id == "test-range--test-glcm-maker-1000"
    assert layer.color == "#117733"  # the system's own colour
    assert layer.label == "Test GLCM — 1,000 km (The maker, stated)"
    assert scene.sites[0].entry is not None and scene.sites[0].entry.marks.startswith("a made-up")
    assert layer.ring is not None and layer.ring.km == 1000


def test_scene_colour_wins_over_its_systems_own(tmp_path):
    body = (
        "sites:\n  - site: test-range\n    claims: [test-glcm]\n"
        "style:\n  colors:\n    test-glcm: '#aa3377'\n"
    )
    (layer,) = resolve_scene(load_scene(_write(tmp_path, _own_scene(body)))).layers
    assert layer.color == "#AA3377"


def test_own_catalog_does_not_outlive_its_scene(tmp_path):
    load_scene(_write(tmp_path, _own_scene("sites:\n  - site: test-range\n")))
    with pytest.raises(UnknownNameError):
        load_catalog().site("test-range")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "id: test-range",
            "id: kaliningrad",
            "line 34, site 'kaliningrad', field 'id': site 'kaliningrad' is already "
            "defined in layers/sites.yaml, line ",
        ),
        (
            "kind: stated\n        claimed_by: The maker",
            "kind: guess\n        claimed_by: The maker",
            "line 25, system 'test-glcm', claim 'maker-1000', field 'kind': Input "
            "should be 'stated', 'disputed' or 'estimate'",
        ),
    ],
)
def test_own_catalog_problems_name_the_scene_line(tmp_path, old, new, message):
    text = _own_scene("sites:\n  - site: test-range\n", OWN_CATALOG.replace(old, new))
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError, match=re.escape(f"{path}, {message}")):
        load_scene(path)


def test_scene_site_unknown_to_its_own_catalog_suggests_it(tmp_path):
    path = _write(tmp_path, _own_scene("sites:\n  - site: test-rang\n"))
    with pytest.raises(CatalogError, match="Did you mean 'test-range'"):
        load_scene(path)


# --- own ranges styled like claims -----------------------------------------------------------

STYLED = """title: Styled ranges
sites:
  - site: krychaw
    ranges:
      - km: 1000
        kind: stated
        claimed_by: Russia (President Putin)
        color: "#aa3377"
        line: dotted
        sources:
          - {publisher: TASS, title: "[test]", date: 2025}
      - km: 2500
      - km: 3000
        kind: estimate
        claimed_by: Analysts
        sources:
          - {publisher: Reuters, title: "[test]", date: 2025}
style:
  colors: {estimate: "#0072b2"}
"""


def test_own_ranges_carry_kind_claimant_colour_and_line(tmp_path):
    stated, plain, estimate = resolve_scene(load_scene(_write(tmp_path, STYLED))).layers
    assert (stated.kind, stated.line, stated.line_kind) == ("stated", "dotted", "estimate")
    assert (stated.color, stated.label) == ("#AA3377", "1,000 km (Russia, stated)")
    assert stated.claimed_by == "Russia (President Putin)" and not stated.uncertain
    assert stated.sources[0].publisher == "TASS"
    assert (plain.kind, plain.line_kind, plain.color) == ("custom", "custom", "#009E73")
    assert (plain.label, plain.claimed_by) == ("2,500 km", "this map's author")
    assert (estimate.kind, estimate.line_kind, estimate.color) == (
        "estimate",
        "estimate",
        "#0072B2",
    )
    assert estimate.uncertain  # an estimate is always shown as uncertain


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: stated", "kind: official",
         "line 6, site 1, range 1, field 'kind': Input should be 'stated', 'disputed' or "
         "'estimate', got 'official'"),
        ('color: "#aa3377"', "color: purple",
         "line 8, site 1, range 1, field 'color': colours are written #RRGGBB"),
        ("line: dotted", "line: dashdot",
         "line 9, site 1, range 1, field 'line': Input should be 'solid', 'dashed' or 'dotted'"),
        ("        claimed_by: Analysts\n", "",
         "line 13, site 1, range 3: a range of kind 'estimate' needs claimed_by: who gives it"),
        ("        kind: estimate\n        claimed_by: Analysts\n        sources:\n"
         "          - {publisher: Reuters, title: \"[test]\", date: 2025}\n",
         "        claimed_by: Analysts\n",
         "line 13, site 1, range 3: a range with claimed_by needs sources"),
    ],
)  # fmt: skip
def test_own_range_style_is_checked_at_its_line(tmp_path, old, new, message):
    assert old in STYLED
    path = _write(tmp_path, STYLED.replace(old, new))
    with pytest.raises(CatalogError, match=re.escape(f"{path}, {message}")):
        load_scene(path)
