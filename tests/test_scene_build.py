"""Building a scene's layers: drawn layers always carry a range area, each site is looked up
once (when the scene is validated), and a site's catalog entry comes with it.

How claims, ranges and thresholds turn into layers (ids, labels, colours, coverage) is
tested in test_scene.py, next to the scene files they come from."""

from __future__ import annotations

import dataclasses

import pytest

from rangemap import coverage as cov
from rangemap import locations
from rangemap.catalog import AreaSite, Site, load_catalog
from rangemap.errors import UnknownNameError
from rangemap.layers import layers_dir
from rangemap.locations import Location
from rangemap.scene import Scene, SceneRange, SceneSite, load_scene
from rangemap.scene_build import DrawnLayer, SceneLayer, claimant, resolve_scene


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene("inf-2020"))


def test_drawn_layers_carry_their_range_area_and_coverage(inf):
    assert inf.drawn and all(isinstance(layer, DrawnLayer) for layer in inf.drawn)
    for layer in inf.drawn:
        assert isinstance(layer.ring, cov.Ring) and isinstance(layer.summary, cov.Summary)
        assert layer.countries and layer.summary.countries <= len(layer.countries)
    assert {f.name for f in dataclasses.fields(DrawnLayer)} - {
        f.name for f in dataclasses.fields(SceneLayer)
    } == {"ring", "summary", "countries"}


def test_a_claim_without_a_figure_is_a_layer_without_a_range_area(inf):
    listed = [layer for layer in inf.layers if not isinstance(layer, DrawnLayer)]
    assert [layer.id for layer in listed] == [
        "deveselu--sm-3-no-official-figure",
        "redzikowo--sm-3-no-official-figure",
    ]
    assert not any(hasattr(layer, "ring") for layer in listed)


def test_sites_resolved_while_loading_are_not_looked_up_again(monkeypatch):
    scene = load_scene("inf-2020")
    places = scene.places_resolved_with(load_catalog())
    assert set(places) == {s.site for s in scene.sites} | {
        c for s in scene.sites for c in s.callouts
    }

    def again(spec: str, **_: object) -> Location:
        raise AssertionError(f"{spec!r} resolved a second time")

    monkeypatch.setattr(locations, "resolve", again)
    resolved = resolve_scene(scene)
    assert [site.location for site in resolved.sites] == [places[s.site] for s in scene.sites]
    assert [site.callouts for site in resolved.sites] == [
        tuple(places[c] for c in s.callouts) for s in scene.sites
    ]


def test_sites_are_resolved_anew_against_another_catalog_or_resolver():
    scene = load_scene("inf-2020")
    other = load_catalog(layers_dir())
    assert other is not load_catalog()
    assert scene.places_resolved_with(other) == {}
    asked: list[str] = []

    def resolver(spec: str) -> Location:
        asked.append(spec)
        return locations.resolve(spec)

    resolve_scene(scene, resolver=resolver)
    assert asked[0] == scene.sites[0].site and len(asked) >= len(scene.sites)


def test_a_scene_made_in_python_resolves_its_sites_when_built():
    scene = Scene(
        title="Made in Python",
        sites=(SceneSite(site="deveselu", ranges=(SceneRange(km=500),)),),
    )
    assert scene.places_resolved_with(load_catalog()) == {}
    (site,) = resolve_scene(scene).sites
    assert site.location.id == "deveselu" and isinstance(site.entry, Site)


def test_each_site_keeps_its_catalog_entry(inf):
    entries = {site.id: site.entry for site in inf.sites}
    assert isinstance(entries["kaliningrad-region"], AreaSite)
    assert isinstance(entries["deveselu"], Site) and entries["deveselu"].id == "deveselu"


def test_a_resolver_that_invents_a_catalog_site_is_refused():
    invented = Location("nowhere", "Nowhere", 0.0, 0.0, "site", "a made-up point", "none")
    scene = Scene(title="Invented", sites=(SceneSite(site="x", ranges=(SceneRange(km=500),)),))
    with pytest.raises(UnknownNameError, match="nowhere"):
        resolve_scene(scene, resolver=lambda spec: invented)


@pytest.mark.parametrize(
    ("claimed_by", "party"),
    [
        ("Russia (Ministry of Foreign Affairs)", "Russia"),
        ("United States, per the State Department", "United States"),
        ("United States (US Navy, Missile Defense Agency); NATO", "United States"),
        ("United States; NATO", "United States"),
        ("Germany", "Germany"),
    ],
)
def test_claimant_is_the_first_party_named(claimed_by: str, party: str) -> None:
    """One rule for the legend, the labels and the article text (they had two)."""
    assert claimant(claimed_by) == party


def test_coverage_computed_on_two_threads_is_the_sequential_coverage(monkeypatch):
    """resolve_scene lists the scene's figures first and computes their coverage on two
    threads: every ring, summary and country row is the one computed one after another."""
    import shapely

    from rangemap import coverage as cov
    from rangemap.scene_build import _Builder

    def digest(scene):
        return [(layer.id, shapely.to_wkb(layer.ring.geometry), layer.summary, layer.countries)
                for layer in scene.drawn]  # fmt: skip

    scene = load_scene("oreshnik-belarus-2025")  # a country's launch area and point sites
    threaded = digest(resolve_scene(scene))
    cov._DISKS.clear(), cov._PLACES.clear()  # computed again, one after another
    monkeypatch.setattr(_Builder, "prefetch", lambda self, keys: None)
    assert digest(resolve_scene(scene)) == threaded
