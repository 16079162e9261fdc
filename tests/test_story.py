"""rangemap.story: the lead, the steps, places by news value, labels as claims, contrast."""

from __future__ import annotations

import pytest

from rangemap import story
from rangemap.errors import RangemapError
from rangemap.geodesic import distance_km
from rangemap.scene import builtin_scenes, load_scene
from rangemap.scene_build import match_layers, resolve_scene

#: Micro-states and micro-territories no built-in story is about.
MICRO = {"Jersey", "Monaco", "Gibraltar", "Faeroe Islands", "Bir Tawil", "Liechtenstein"}
MICRO_CAPITALS = {"Saint Helier", "Monaco", "Gibraltar", "Tórshavn", "Vaduz", "San Marino"}


@pytest.fixture(scope="module")
def scenes():
    return {name: resolve_scene(load_scene(name)) for name in builtin_scenes()}


@pytest.fixture(scope="module")
def inf(scenes):
    return scenes["inf-2020"]


# --- contrast ------------------------------------------------------------------------------


def test_contrast_ratio_is_wcag():
    assert story.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert story.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA
    assert story.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert story.contrast_ratio("#777777", "#FFFFFF") < 4.5


@pytest.mark.parametrize("color", ["#56B4E9", "#E69F00", "#CC79A7", "#D55E00", "#009E73"])
def test_text_colour_is_a_darker_shade_of_the_same_hue_that_reads(color):
    """The catalog's pale hues (Typhon's sky blue 2.2:1, Dark Eagle's orange 2.0:1) get the
    lightest darker shade that reads 4.5:1 on the halo, in the same hue."""
    shade = story.text_color(color)
    assert story.contrast_ratio(color, "#FFFFFF") < 4.5  # it needed it
    assert story.contrast_ratio(shade, "#FFFFFF") >= 4.5
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    r2, g2, b2 = (int(shade[i : i + 2], 16) for i in (1, 3, 5))
    assert r2 <= r and g2 <= g and b2 <= b
    # same hue: the channels keep their proportions (to rounding)
    assert abs(r2 * g - g2 * r) <= max(r, g) * 2 and abs(g2 * b - b2 * g) <= max(g, b) * 2
    assert story.contrast_ratio(shade, "#FFFFFF") < 4.8  # the lightest that passes


def test_a_colour_that_reads_is_kept():
    assert story.text_color("#0072B2") == "#0072B2"


def test_every_ring_label_of_every_built_in_scene_reads(scenes):
    for scene in scenes.values():
        for layer in scene.drawn:
            label = story.claim_label(layer)
            assert story.contrast_ratio(label.color, story.HALO) >= 4.5, (layer.id, label)


# --- labels as claims ----------------------------------------------------------------------


def test_labels_read_as_claims_with_the_weapon_at_every_width(inf, scenes):
    by_id = {layer.id: layer for layer in inf.drawn}
    label = story.claim_label(by_id["kaliningrad-region--9m729-ru-480"])
    assert label.text == "9M729: Russia says up to 480 km"
    assert label.short == "9M729: Russia says ≤480 km"
    assert story.claim_label(by_id["kaliningrad-region--9m729-us-beyond-500"]).text == (
        "9M729: US says at least 500 km"
    )
    assert story.claim_label(by_id["kaliningrad-region--9m729-faz-2350"]).text == (
        "9M729: Western intelligence estimates up to 2,350 km"
    )
    # Russia claims the launch from Aegis Ashore: the ring is Russia's claim, not its missile
    tomahawk = story.claim_label(by_id["deveselu--tomahawk-raytheon-1000mi"])
    assert tomahawk.text == "Tomahawk from here (Russia's claim): at least 1,609 km"
    assert "Tomahawk" in tomahawk.short and "Russia" in tomahawk.short
    threshold = story.claim_label(by_id["kaliningrad-region--inf-500"])
    assert (threshold.text, threshold.color) == ("INF 500 km", story.FAINT_TEXT)
    for scene in scenes.values():
        for layer in scene.drawn:
            if layer.system is not None:
                assert story.claim_label(layer).short.startswith(story.weapon(layer))


# --- the lead and the steps ----------------------------------------------------------------


def test_the_lead_is_the_shortest_argued_range_with_its_callout(inf):
    lead = story.lead(inf)
    assert lead.layers == ("kaliningrad-region--9m729-ru-480",)
    assert [p.name for p in lead.places] == ["Berlin"]
    (south, west), (north, east) = lead.frame.bounds
    assert 49 < south < 51 and 59 < north < 60.5 and 11 < west < 14 and 29 < east < 31


def test_without_steps_or_focus_the_lead_is_the_first_sites_shortest_claim(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: t\nsites:\n  - site: laoag\n    claims: [tomahawk/raytheon-1000mi, "
        "sm-6/media-500]\n    thresholds: [inf]\n",
        encoding="utf-8",
    )
    scene = resolve_scene(load_scene(path))
    assert story.lead(scene).layers == ("laoag--sm-6-media-500",)
    steps = story.steps(scene)
    # the lead with the treaty's 500 km beside it, then everything shown at first
    assert steps[0].show == ("laoag--sm-6-media-500", "laoag--inf-500")
    assert "laoag--tomahawk-raytheon-1000mi" in steps[1].show
    assert story.longest(scene).id == "laoag--tomahawk-raytheon-1000mi"
    assert story.step_showing(scene, "laoag--tomahawk-raytheon-1000mi") == 1


def test_focus_and_steps_of_a_scene_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: t\nfocus: [tomahawk]\nfocus_places: [Taipei]\nnames: {add: [Monaco], "
        "drop: [Manila]}\nsites:\n  - site: laoag\n    claims: [tomahawk/raytheon-1000mi, "
        "sm-6/media-500]\nsteps:\n  - text: One\n  - text: Two\n    show: [sm-6]\n",
        encoding="utf-8",
    )
    scene = resolve_scene(load_scene(path))
    assert story.lead(scene).layers == ("laoag--tomahawk-raytheon-1000mi",)
    one, two = story.steps(scene)
    assert one.show == ("laoag--tomahawk-raytheon-1000mi",) and one.text == "One"
    assert "Taipei" in [p.name for p in one.frame.places]
    assert two.show == ("laoag--sm-6-media-500",)
    names = [p.name for p in story.ranked_places(scene)]
    assert "Monaco" in names and "Manila" not in names


def test_a_reference_that_names_no_layer_is_an_error_naming_it(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: t\nsites:\n  - site: laoag\n    claims: [sm-6/media-500]\nsteps:\n"
        "  - text: One\n    show: [sm-7]\n",
        encoding="utf-8",
    )
    with pytest.raises(RangemapError, match=r"steps\[0\]\.show: unknown layer 'sm-7'"):
        resolve_scene(load_scene(path))


def test_layer_references(inf):
    layers = inf.layers
    assert match_layers(layers, "9m729/us-inf-band") == (
        "kaliningrad-region--9m729-us-inf-band-at-least",
        "kaliningrad-region--9m729-us-inf-band-up-to",
    )
    assert match_layers(layers, "kaliningrad-region--inf-5500") == (
        "kaliningrad-region--inf-5500",
    )
    assert match_layers(layers, "inf-5") == ()  # whole parts only
    assert len(match_layers(layers, "inf")) == 15


def test_built_in_scenes_tell_their_story_in_steps(scenes):
    inf = story.steps(scenes["inf-2020"])
    assert len(inf) >= 4
    assert "480 km" in inf[0].text and "Berlin" in inf[0].text
    assert "kaliningrad-region--9m729-us-beyond-500" in inf[1].show
    assert "kaliningrad-region--9m729-faz-2350" in inf[2].show
    assert "kaliningrad-region--inf-shorter-range" in inf[3].show
    for scene in scenes.values():
        steps = story.steps(scene)
        assert steps[0].frame.layers == story.lead(scene).layers
        assert all(step.text and step.show for step in steps)


# --- places by news value ------------------------------------------------------------------


def test_places_rank_capitals_inside_the_lead_then_beyond_then_hosts(inf):
    ranked = story.ranked_places(inf)
    by_name = {p.name: p for p in ranked}
    assert by_name["Berlin"].why == "story"
    assert {"Warsaw", "Vilnius", "Riga", "Minsk"} <= {
        p.name for p in ranked if p.why == "capital inside the lead"
    }
    assert by_name["Moscow"].why == "host capital"  # Russia hosts the Kaliningrad region
    assert [p.rank for p in ranked] == sorted(p.rank for p in ranked)
    inside = [p for p in ranked if p.rank == 1]
    assert [p.population for p in inside] == sorted((p.population for p in inside), reverse=True)
    # "inside" is within 480 km of the region's nearest point, "beyond" just outside it
    beyond = [p for p in ranked if p.rank == 2]
    assert beyond and all(p.name not in {q.name for q in inside} for p in beyond)


def test_typhon_names_taipei_and_manila_oreshnik_no_vaduz(scenes):
    typhon = [p.name for p in story.ranked_places(scenes["typhon-philippines-2024"])]
    assert {"Manila", "Taipei", "Kaohsiung", "Beijing", "Shanghai"} <= set(typhon)
    assert typhon.index("Taipei") < typhon.index("Shanghai")
    for scene in scenes.values():
        names = {p.name for p in story.ranked_places(scene)}
        assert not names & MICRO_CAPITALS, names & MICRO_CAPITALS


def test_micro_states_and_territories_are_minor():
    minor = story.minor_countries()
    assert minor >= MICRO
    assert not {"Luxembourg", "Taiwan", "Kosovo", "Greenland", "Lithuania"} & minor
    capitals = {key[0] for key in story.minor_capitals()}
    assert {"Vaduz", "Monaco", "Saint Helier", "Tórshavn"} <= capitals
    assert not {"Paris", "Canberra", "Warsaw"} & capitals


def test_host_countries_and_the_centre_named(inf):
    assert story.host_countries(inf) == ["RUS", "ROU", "POL"]
    assert story.nearest_capital(52.06, 21.06) == "Warsaw"


# --- the legend ----------------------------------------------------------------------------


def test_claims_drawing_the_same_disc_are_one_row_naming_both_sources(inf):
    rows = story.legend_rows(inf)
    row = next(r for r in rows if "kaliningrad-region--9m729-us-beyond-500" in r.ids)
    assert row.ids == (
        "kaliningrad-region--9m729-us-beyond-500",
        "kaliningrad-region--9m729-us-inf-band-at-least",
    )
    assert "US embassy in Moscow" in row.text and "State Department" in row.text
    ids = [i for r in rows for i in r.ids]
    assert sorted(ids) == sorted(layer.id for layer in inf.drawn)  # each layer in one row


def test_berlin_is_inside_the_lead_from_the_region(inf):
    """The lead's figure and its callout agree: Berlin within 480 km of the region."""
    berlin = next(p for p in story.lead(inf).places if p.name == "Berlin")
    city = distance_km(54.71, 20.51, berlin.lat, berlin.lon)
    assert 520 < float(city) < 540  # 529 km from the city, 464 km from the region's edge


def test_capitals_inside_and_beyond_the_lead_by_true_distance(inf):
    """Oracle: GeographicLib's distance to the region's outline, densified to 0.02 degrees:
    rank 1 is every capital within 480 km of the region, rank 2 the two nearest beyond."""
    import shapely
    from geographiclib.geodesic import Geodesic

    from rangemap import layers as data

    lead = next(x for x in inf.drawn if x.id == "kaliningrad-region--9m729-ru-480")
    outline = shapely.segmentize(shapely.boundary(lead.site.area.geometry), 0.02)
    points = shapely.get_coordinates(outline)
    cities = data.cities()
    capitals = [i for i in range(len(cities)) if cities.capital[i]]

    def km(i: int) -> float:
        lat, lon = float(cities.lat[i]), float(cities.lon[i])
        if lead.site.area.geometry.contains(shapely.Point(lon, lat)):
            return 0.0
        return min(Geodesic.WGS84.Inverse(y, x, lat, lon)["s12"] for x, y in points) / 1000

    near = {
        str(cities.name[i]): km(i)
        for i in capitals
        if abs(float(cities.lat[i]) - 55) < 12 and abs(float(cities.lon[i]) - 21) < 20
    }
    ranked = story.ranked_places(inf)
    inside = {p.name for p in ranked if p.rank == 1}
    assert inside == {name for name, d in near.items() if d <= 480} - {"Berlin"}  # a callout
    beyond = sorted((d, name) for name, d in near.items() if d > 480)[:2]
    assert {p.name for p in ranked if p.rank == 2} == {name for _, name in beyond}


def test_places_are_ranked_as_exact_distances_from_every_area_rank_them(scenes, monkeypatch):
    """From a launch area, places are measured exactly only where a spherical bound cannot
    decide (within the range or not, and which are nearest beyond it): the ranking is the
    one exact distances to every place give."""
    from rangemap.areas import nearest_launch_points

    def exact(layer, lat, lon, *, nearest=0):
        ring = layer.ring
        if ring.site.area is not None:
            return nearest_launch_points(ring.site.area, lat, lon)[0]
        return distance_km(ring.site.lat, ring.site.lon, lat, lon)

    areas = [s for s in scenes.values() if any(x.location.area for x in s.sites)]
    assert {s.title for s in areas} >= {scenes["inf-2020"].title}
    bounded = {s.title: story.ranked_places(s) for s in areas}
    monkeypatch.setattr(story, "_km_from", exact)
    story._RECENT.clear()  # ranked again, not read from the per-scene cache
    for scene in areas:
        assert story.ranked_places(scene) == bounded[scene.title], scene.title


def test_steps_and_places_are_computed_once_per_scene(inf, monkeypatch):
    """A map asks for its scene's steps and places many times: each is computed once, and
    every caller gets a list of its own."""
    story._RECENT.clear()
    calls = []
    lead = story.lead
    monkeypatch.setattr(story, "lead", lambda scene: calls.append(1) or lead(scene))
    first = story.steps(inf)
    first.append("changed by a caller")
    assert story.steps(inf) == first[:-1] and story.ranked_places(inf) == story.ranked_places(inf)
    assert len(calls) == 2  # once for the steps, once for the places
    other = resolve_scene(load_scene("us-germany-2024"))
    assert story.steps(other) != story.steps(inf)
