"""HTML maps: layers, escaping, determinism, size, display geometry and the `map` command."""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from page_data import page_data
from pyproj import Geod

from rangemap import story
from rangemap.cli import cli
from rangemap.coverage import make_ring
from rangemap.geodesic import range_area
from rangemap.locations import resolve
from rangemap.render.display_geometry import (
    fill_latlngs,
    mercator_scale,
    mercator_xy,
    outline_fill,
    outline_latlngs,
    split_at_antimeridian,
)
from rangemap.render.embed import embed_path, embed_snippet
from rangemap.render.encoding import decode_line
from rangemap.render.html_map import (
    js_value,
    map_html,
    render_map,
    save_embeddable,
    save_map,
)
from rangemap.render.html_parts import esc, link
from rangemap.scene import Scene, SceneRange, SceneSite, load_scene
from rangemap.scene_build import resolve_scene

GEOD = Geod(ellps="WGS84")
MAX_DEFAULT_BYTES = 1_500_000
MAX_SELF_CONTAINED_BYTES = 2_000_000

#: Strings that must show as text wherever scene or command-line text ends up.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
]
#: Harmless in HTML, but they would run if text reached a JS template literal or Jinja.
TEMPLATE_PAYLOADS = ["${alert(1)}`", "{{ 7 * 7 }}{% raw %}"]


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene())


@pytest.fixture(scope="module")
def default_html(inf):
    """The Mercator map on tiles (the scene's ranges call for AEQD: test_html_projection)."""
    return map_html(render_map(inf, projection="mercator"))


@pytest.fixture(scope="module")
def self_contained_html(inf):
    return map_html(render_map(inf, self_contained=True, projection="mercator"))


def payload_scene(payload: str) -> Scene:
    return Scene(
        title=payload,
        subtitle=payload,
        caption=payload,
        sites=(
            SceneSite(
                site="54.7,20.5",
                name=payload,
                ranges=(SceneRange(km=400, label=payload),),
            ),
        ),
    )


# --- content -------------------------------------------------------------------------------


def _overlay_names(page: str) -> list[str]:
    """The layer control's entries as the reader sees them (Leaflet sets them as HTML)."""
    data = page_data(page)
    keys = [layer["name"] for layer in data["layers"]] + [data["sitesName"]]
    return [html.unescape(re.sub(r"<svg.*?</svg>\s*", "", k)) for k in keys]


def test_every_drawn_layer_is_a_named_group_with_its_class(inf, default_html):
    assert _overlay_names(default_html) == [layer.name for layer in inf.drawn] + ["Sites"]
    # each ring's paths get the class rm-l-ID from its id (the browser tests find them by it)
    assert [layer["id"] for layer in page_data(default_html)["layers"]] == [
        layer.id for layer in inf.drawn
    ]
    # listed without a figure: named in legend and popups, never drawn
    assert "rm-l-deveselu--sm-3-no-official-figure" not in default_html
    assert "SM-3 — no public range figure" in default_html


def test_sources_panel_links_every_source_once_per_claim(inf, default_html):
    panel = re.search(r'id="rm-sources">.*?</details>', default_html, re.S).group(0)
    for layer in inf.layers:
        for source in layer.sources:
            if source.url:
                assert f'href="{esc(source.url)}"' in panel
    assert all(h.startswith(("http://", "https://")) for h in re.findall(r'href="([^"]*)"', panel))
    # the same claim from two sites is one section; its disputed hosting is another
    assert panel.count("<h2>Tomahawk — at least 1,609 km") == 1
    assert "<h2>Tomahawk at Deveselu (Romania): hosting disputed</h2>" in panel
    # a copy standing in for an original says what it copies (the FAZ figures: RFE/RL's)
    assert "American Military News, " in panel
    assert "(reprint of a Radio Free Europe/Radio Liberty report)." in panel


def test_a_reprint_is_marked_and_escaped():
    from rangemap.catalog import Source
    from rangemap.render.html_parts import source_item

    item = source_item(Source(publisher="P", title="T", date="2025", reprint_of="<b>R</b>"))
    assert item == "<li>P, T, 2025 (reprint of &lt;b&gt;R&lt;/b&gt;).</li>"


def test_links_are_web_links_only():
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://a.example/?q=<b>", "t").startswith(
        '<a href="https://a.example/?q=&lt;b&gt;"'
    )


def test_page_has_title_legend_sources_and_attribution(default_html):
    assert "<title>After the INF Treaty" in default_html
    assert 'id="rm-legend"' in default_html and 'id="rm-sources"' in default_html
    for credit in ("Natural Earth", "GeoNames", "CC BY 4.0", "CARTO", "OpenStreetMap"):
        assert credit in default_html
    assert "https://tass.com/defense/1041549" in default_html  # a claim's source, linked


def test_default_map_inlines_leaflet_and_asks_only_for_light_tiles(default_html):
    """Only the tiles the user chose come from the network: no CDN, no script or stylesheet."""
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", default_html)
    assert not [t for t in tags if re.search(r"\b(?:src|href)=", t)]
    assert "window.L=t" in default_html  # Leaflet itself, inlined
    assert "cdn.jsdelivr" not in default_html
    assert "basemaps.cartocdn.com/light_all" in default_html
    for dropped in ("jquery", "bootstrap", "awesome-markers", "font-awesome"):
        assert dropped not in default_html.lower()


def test_self_contained_map_names_no_external_resource(self_contained_html):
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", self_contained_html)
    assert not [t for t in tags if re.search(r"\b(?:src|href)=", t)]
    assert "cartocdn" not in self_contained_html
    assert not re.search(r"url\((?!data:|#default#VML)", self_contained_html)
    assert "sourceMappingURL" not in self_contained_html
    assert "window.L=t" in self_contained_html  # Leaflet itself, inlined


def test_offline_map_draws_countries_as_basemap(inf):
    page = map_html(render_map(inf, offline=True, projection="mercator"))
    assert "cartocdn" not in page
    assert '"fillOpacity":1' in page
    assert "Basemap: Natural Earth country outlines." in page


def test_title_subtitle_caption_override(inf):
    page = map_html(render_map(inf, title="New title", subtitle="Sub", caption="Cap"))
    assert "<h1>New title</h1><p>Sub</p>" in page
    assert "<p class=rm-caption>Cap</p>" in page
    assert "<title>New title</title>" in page


def test_country_popups_carry_percent_per_ring(inf, default_html):
    data = page_data(default_html)
    countries = data["countries"]
    cover = next(c[0]["cover"] for c in countries["data"] if c[0]["name"] == "Poland")
    names = [layer["name"] for layer in data["layers"]]  # what the covers count
    index = {html.unescape(n): i for i, n in enumerate(names)}
    ru480 = next(layer for layer in inf.drawn if layer.id == "kaliningrad-region--9m729-ru-480")
    row = next(r for r in ru480.countries if r.country == "Poland")
    # in tenths of a percent, which the page writes as "93.6 %" (map_words.pct_text)
    assert [index[ru480.name], round(row.covered_pct * 10)] in cover
    assert countries["pct"] == {"all": "100 %", "least": "&lt;0.1 %", "sep": "."}


def test_country_popups_use_full_names_and_mark_territories(default_html):
    """Reader-facing names are Natural Earth's full English names ("Bosnia and Herz." was
    shown before); a territory says it is one, and whose, and still carries its coverage;
    Kosovo, held by no UN state, is no territory but "not a UN member"."""
    assert '"name":"Bosnia and Herzegovina","cover":[[' in default_html
    assert "Bosnia and Herz." not in default_html
    assert '"name":"Greenland (territory of Denmark)","cover":[[' in default_html
    assert '"name":"Kosovo (not a UN member)","cover":[[' in default_html
    assert "Kosovo (territory" not in default_html


def test_legend_names_what_a_population_counts(default_html):
    """No population figure without its definition: "people in cities and towns of 15,000+"
    after every figure, and the footnote saying it is not everyone within range."""
    figures = re.findall(r"[\d.,]+ (?:million )?people[^<*]*", default_html)
    assert figures
    assert all(
        f.split("people", 1)[1].startswith(" in cities and towns of 15,000+") for f in figures
    )
    assert "Not everyone within range" in default_html


# --- escaping ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS + TEMPLATE_PAYLOADS)
def test_scene_text_is_escaped_everywhere(payload):
    page = map_html(render_map(payload_scene(payload)))
    if payload in PAYLOADS:
        assert payload not in page
    assert f"<h1>{esc(payload)}</h1>" in page
    assert page.count(esc(payload)) >= 4  # <title>, h1, subtitle, caption
    body = re.sub(r'"[\w-]+"', '""', page.split("<body>", 1)[1])  # no encoded coordinates
    assert "49" not in re.sub(r"[\d.]{4,}", "", body)  # no template ran
    # in scripts, scene text only ever appears inside JSON strings
    assert "alert(1)" not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', _scripts(page))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_command_line_text_is_escaped(payload):
    page = map_html(render_map(payload_scene("x"), title=payload, caption=payload))
    assert payload not in page
    assert f"<h1>{esc(payload)}</h1>" in page


def test_template_syntax_in_scene_text_is_never_evaluated():
    """A site named "{{ ... }}" reaches the page as text: nothing evaluates it (or breaks)
    while the page is written."""
    probe = '{{ "EVAL" ~ "UATED" }}{% if true %}open{% endif %}'
    page = map_html(render_map(payload_scene(probe)))
    assert "EVALUATED" not in page
    assert f"<h1>{esc(probe)}</h1>" in page
    assert page.count(esc(probe)) >= 4


def _scripts(page: str) -> str:
    return "".join(re.findall(r"<script>(.*?)</script>", page, re.S))


def test_js_value_cannot_close_a_script():
    value = {"a": "</script><!-- \u2028 & ' {{ x }} {% y %}", "b": [1.5, {"c": '\\"'}]}
    text = js_value(value)
    for bad in ("<", ">", "&", "\u2028"):
        assert bad not in text
    assert json.loads(text) == value


# --- determinism and size ------------------------------------------------------------------

_RENDER = (
    "import sys; from rangemap.render.html_map import render_map, save_map; "
    "save_map(render_map(self_contained=sys.argv[2] == '1', projection=sys.argv[3]), sys.argv[1])"
)


@pytest.mark.parametrize(
    ("self_contained", "projection"), [("0", "mercator"), ("1", "mercator"), ("1", "aeqd")]
)
def test_same_scene_same_bytes_across_processes(tmp_path, self_contained, projection):
    """Nothing in the page depends on the process (ids, hash order) or the time."""
    digests = []
    for name in ("a.html", "b.html"):
        path = tmp_path / name
        args = [str(path), self_contained, projection]
        subprocess.run([sys.executable, "-c", _RENDER, *args], check=True, timeout=180)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_sizes_stay_within_budget(default_html, self_contained_html):
    assert len(default_html.encode()) <= MAX_DEFAULT_BYTES
    assert len(self_contained_html.encode()) <= MAX_SELF_CONTAINED_BYTES


def test_save_map_writes_utf8_atomically(tmp_path, inf):
    path = save_map(render_map(inf), tmp_path / "m.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]


def test_save_embeddable_writes_what_the_map_command_writes(tmp_path, inf):
    """The Python API and `rangemap map` write the same map and snippet, byte for byte."""
    assert CliRunner().invoke(cli, ["map", "-o", str(tmp_path / "cli.html")]).exit_code == 0
    api = tmp_path / "api"
    api.mkdir()
    page, snippet = save_embeddable(render_map(inf), api / "cli.html", title=inf.title)
    assert snippet == embed_path(page) and sorted(p.name for p in api.iterdir()) == [
        "cli.embed.html", "cli.html"
    ]  # fmt: skip
    for path in (page, snippet):
        assert path.read_bytes() == (tmp_path / path.name).read_bytes()


# --- display geometry ----------------------------------------------------------------------


def _distances_km(lat, lon, points):
    pts = np.asarray(points)
    n = len(pts)
    return GEOD.inv(np.full(n, lon), np.full(n, lat), pts[:, 1], pts[:, 0])[2] / 1000


@pytest.mark.parametrize(
    ("lat", "lon", "km", "pieces"),
    [
        (54.70639, 20.51102, 5500, 1),  # holds the North Pole: one line from +180 to -180
        (-17.7, 178.0, 1000, 2),  # Fiji: crosses the 180th meridian twice
        (54.70639, 20.51102, 480, 1),  # closed, crosses nothing
        (0, 0, 19000, 2),  # holds both poles: the circle around the antipode, cut in two
    ],
)
def test_outline_is_the_true_circle_split_at_180(lat, lon, km, pieces):
    lines = _outline(make_ring(resolve(f"{lat},{lon}"), km))
    for line in lines:
        pts = np.asarray(line)
        assert np.all(np.abs(pts[:, 1]) <= 180) and np.all(np.abs(pts[:, 0]) < 90)
        assert np.all(np.abs(np.diff(pts[:, 1])) < 180)  # never a jump across the map
        # no artificial edge along the 180th meridian or a pole
        along_edge = (np.abs(pts[1:, 1]) == 180) & (np.abs(pts[:-1, 1]) == 180)
        assert not along_edge.any()
        # every vertex on the circle; crossings are interpolated, within 1 km
        assert np.all(np.abs(_distances_km(lat, lon, line) - km) < 1.0)
    assert len(lines) == pieces


def _outline(ring, zoom=13):
    return outline_latlngs(ring.boundaries, zoom, mercator_scale(zoom, ring.geometry))


def test_polar_fill_closes_along_the_maps_edge_and_outline_does_not():
    """Web Mercator draws nothing beyond 85.0511: the fill closes there, where Leaflet would
    clamp a vertex at the pole; the outline runs from one side of the map to the other."""
    area = range_area(54.70639, 20.51102, 5500)
    fill = fill_latlngs(area, 13, mercator_scale(13, area))
    lats = np.asarray(fill[0][0])[:, 0]
    assert lats.max() == pytest.approx(85.0511287798, abs=1e-6)
    (outline,) = _outline(make_ring(resolve("54.70639,20.51102"), 5500))
    assert max(p[0] for p in outline) < 85 and {outline[0][1], outline[-1][1]} == {-180.0, 180.0}


@pytest.mark.parametrize(
    ("site", "km", "km_min", "closures"),
    [
        ("54.7,20.5", 480, None, [0]),  # closed: the outline is the fill's edge
        ("54.7,20.5", 5500, 500, [90, 0]),  # round the North Pole, a closed hole
        ("54.7,20.5", 5500, 4500, [90, 90]),  # both circles round the pole
        ("-70,0", 3000, None, [-90]),
        ("-17.7,178.0", 1000, None, None),  # cut at +-180 in two: filled on its own
        ("0,0", 19000, None, None),  # round both poles
    ],
)
def test_mercator_fill_reuses_the_outline_where_it_bounds_the_area(site, km, km_min, closures):
    ring = make_ring(resolve(site), km, km_min=km_min)
    outline = _outline(ring)
    assert outline_fill(ring, outline) == closures
    if closures is not None:
        _assert_bounds_the_area(ring, outline, closures)


def test_mercator_fill_of_a_launch_areas_range_closes_round_the_pole():
    ring = make_ring(resolve("belarus"), 5500)  # Belarus's range area holds the North Pole
    outline = _outline(ring)
    assert outline_fill(ring, outline) == [90]
    _assert_bounds_the_area(ring, outline, [90])


def _assert_bounds_the_area(ring, outline, closures):
    """The lines, closed as the page closes them and filled even-odd, cover the range area
    as Web Mercator draws it (clamped at 85.0511), to a thousandth of its area (the outline
    is simplified, and cut at +-180 where its chord crosses, not where the polygon's edge
    does): the wrong side of a line, or a hole filled, would be off by far more."""
    rings = []
    for line, pole in zip(outline, closures, strict=True):
        if pole:
            line = [*line, [pole, line[-1][1]], [pole, line[0][1]]]
        rings.append(shapely.make_valid(shapely.Polygon(mercator_xy(np.array(line)[:, ::-1]))))
    drawn = rings[0]
    for other in rings[1:]:
        drawn = shapely.symmetric_difference(drawn, other)
    exact = shapely.make_valid(shapely.transform(ring.geometry, mercator_xy))
    assert shapely.area(shapely.symmetric_difference(drawn, exact)) < 1e-3 * shapely.area(exact)


def test_split_keeps_a_ring_that_never_crosses_whole():
    lons = np.array([10.0, 11.0, 11.0, 10.0])
    lats = np.array([50.0, 50.0, 51.0, 51.0])
    (line,) = split_at_antimeridian(lons, lats)
    assert line.tolist()[0] == line.tolist()[-1] == [10.0, 50.0]


def test_display_rings_are_light_on_the_countries_alone():
    """An offline Mercator page stops at zoom 6 (html_projection.mercator_max_zoom): a
    5,500 km ring needs a fraction of its 720 vertices there."""
    ring = make_ring(resolve("54.7,20.5"), 5500)
    assert sum(len(line) for line in _outline(ring, zoom=6)) < 400


# --- command -------------------------------------------------------------------------------


def test_map_command_default_writes_output_and_snippet(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == Path("output/inf-2020.html") and path.is_file()
    snippet = embed_path(path).read_text(encoding="utf-8")
    assert snippet.startswith('<iframe src="inf-2020.html" title="After the INF Treaty')
    assert "inf-2020.embed.html" in result.stderr


def test_map_command_options(tmp_path):
    out = tmp_path / "m.html"
    result = CliRunner().invoke(
        cli, ["map", "inf-2020", "-o", str(out), "--self-contained", "--title", "<b>T</b>"]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h1>&lt;b&gt;T&lt;/b&gt;</h1>" in page and "cartocdn" not in page
    assert "&lt;b&gt;T&lt;/b&gt;" in (tmp_path / "m.embed.html").read_text(encoding="utf-8")


def test_map_command_unknown_scene_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "inf-202"])
    assert result.exit_code == 2
    assert "unknown scene 'inf-202'" in result.output
    assert not (tmp_path / "output").exists()


def test_map_command_bad_scene_file_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("title: T\nsites:\n  - site: Kalinigrad\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["map", str(path), "-o", str(tmp_path / "m.html")])
    assert result.exit_code == 2
    assert "bad.yaml, line 3, site 1, field 'site'" in result.output


def test_retired_tlam_n_is_in_the_layer_list_but_off_by_default():
    """TLAM-N is retired: it is listed (layer control, legend) but not drawn at first."""
    from rangemap.render.html_map import map_html, render_map

    groups = {
        html.unescape(layer["name"]): layer
        for layer in page_data(map_html(render_map("inf-2020", offline=True)))["layers"]
    }
    tlam = [g for name, g in groups.items() if "TLAM-N" in name]
    assert len(tlam) == 2 and not any(g["show"] for g in tlam)
    assert all("retired" in name for name in groups if "TLAM-N" in name)
    tomahawk = [g for name, g in groups.items() if "Tomahawk ≥1,609 km" in name]
    # off at first too, as the story opens on Russia's 480 km; a step shows them
    assert len(tomahawk) == 2 and not any(g["show"] for g in tomahawk)
    scene = resolve_scene(load_scene("inf-2020"))
    assert any("deveselu--tomahawk-raytheon-1000mi" in step.show for step in story.steps(scene)[1:])


def test_popup_and_legend_say_at_least_up_to_and_status(inf, default_html):
    from rangemap.render.html_parts import layer_popup

    low = next(x for x in inf.layers if x.id == "kaliningrad-region--9m729-us-inf-band-at-least")
    popup = layer_popup(low)
    assert "<b>Range:</b> at least 500 km" in popup
    assert "<b>Status:</b> deployed (as of 2019-02)" in popup
    assert "solid: at least (certain)" in default_html
    assert "light: up to (possible)" in default_html
    # the retired TLAM-N, off at first, is folded under "More ranges and the key"
    more = default_html[default_html.index('<details class="rm-later">') :]
    assert "retired; launch from here claimed by Russia, disputed)" in more.split("</details>")[0]


@pytest.mark.parametrize(
    ("name", "src"),
    [
        ("javascript:alert(document.domain).html", "javascript%3Aalert%28document.domain%29.html"),
        ("a map #2?.html", "a%20map%20%232%3F.html"),
        ('x"><script>.html', "x%22%3E%3Cscript%3E.html"),
    ],
)
def test_embed_snippet_encodes_the_file_name(name, src):
    """Regression: `-o 'javascript:alert(document.domain).html'` made an iframe that ran
    script, and '#', '?' or spaces broke the link: the name is percent-encoded now."""
    snippet = embed_snippet(Path("/out") / name, 'T "1" <b>')
    assert snippet.startswith(f'<iframe src="{src}" title="T &quot;1&quot; &lt;b&gt;"')


# --- reader and embed ----------------------------------------------------------------------


def test_page_has_its_language_a_labelled_map_and_lets_readers_zoom(default_html):
    assert default_html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "user-scalable" not in default_html and "maximum-scale" not in default_html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in default_html
    assert '<aside class="rm-side" aria-label="Legend and sources">' in default_html
    assert '"mapLabel":"Map: After the INF Treaty' in default_html


def test_lang_comes_from_the_scene(tmp_path):
    scene = Scene(title="Reichweiten", lang="de", sites=(SceneSite(site="kaliningrad"),))
    assert map_html(render_map(scene)).startswith('<!DOCTYPE html>\n<html lang="de">')


def test_legend_entries_are_keyboard_controls_for_every_drawn_claim(inf, default_html):
    """Every drawn layer has a checkbox (claims drawing the same disc share one), ticked
    when the first step shows it, and every claim's row a Details button."""
    first = set(story.steps(inf)[0].show)
    for row in story.legend_rows(inf):
        groups = [[i] for i in row.ids] if row.treaty else [list(row.ids)]
        for ids in groups:
            checked = " checked" if set(ids) & first else ""
            box = f'<input type="checkbox" data-layer="{" ".join(ids)}"{checked}>'
            assert box in default_html
        if not row.treaty:
            assert f'<button type="button" class="rm-more" data-layer="{row.ids[0]}"' in (
                default_html
            )
    merged = story.merged_same_disc(inf)
    assert merged == [
        (
            "kaliningrad-region--9m729-us-beyond-500",
            "kaliningrad-region--9m729-us-inf-band-at-least",
        )
    ]


def test_reader_text_names_systems_not_ids(default_html):
    """Regression: popups said "9m729 here" and notes "see kapustin-yar, shuya"."""
    for internal in ("9m729 here", "sm-3 here", "see kapustin-yar", "see us-inf-band"):
        assert internal not in default_html
    assert "9M729 at this site" in default_html


def test_the_map_opens_on_the_first_step_and_callouts_are_measured():
    scene = resolve_scene(load_scene())
    page = map_html(render_map(scene, projection="mercator"))
    first = story.steps(scene)[0]
    assert first.show == ("kaliningrad-region--9m729-ru-480",)
    data = page_data(page)["page"]
    scale = data["pointScale"]  # the rings' own steps (display_geometry.mercator_scale)
    frame = decode_line(data["steps"][0]["points"], scale)
    assert frame == (np.round(np.array(first.frame.points) * scale) / scale).tolist()
    assert [p.name for p in first.frame.places] == ["Berlin"]
    # from the region's nearest point (its western end), as the tables measure; 529 km from
    # the city
    assert '"text":"Berlin 464 km"' in page


def test_scene_view_is_the_azimuthal_maps_opening_box_too():
    """The view's corners, projected, bound the box the azimuthal map opens on."""
    from rangemap.render.html_projection import aeqd_frame

    scene = resolve_scene(load_scene())
    frame = aeqd_frame(scene)
    tr = frame.forward()
    xmin, ymin, xmax, ymax = frame.focus
    for lon, lat in [(-18, 29.5), (59, 29.5), (59, 76), (-18, 76)]:
        x, y = tr.transform(lon, lat)
        assert xmin - 1 <= x <= xmax + 1 and ymin - 1 <= y <= ymax + 1
    # and it is the view's box, not the 5,500 km ring's, which reaches round the pole
    assert xmax - xmin < 8_000_000


def test_map_command_embed_url_gives_an_absolute_encoded_src(tmp_path):
    out = tmp_path / "m.html"
    url = "https://example.org/maps/inf 2020.html"
    result = CliRunner().invoke(cli, ["map", "-o", str(out), "--embed-url", url])
    assert result.exit_code == 0, result.output
    snippet = (tmp_path / "m.embed.html").read_text(encoding="utf-8")
    assert snippet.startswith('<iframe src="https://example.org/maps/inf%202020.html" title=')
    assert 'scrolling="no"' in snippet and "postMessage" in snippet


def test_map_command_refuses_a_relative_embed_url(tmp_path):
    result = CliRunner().invoke(
        cli, ["map", "-o", str(tmp_path / "m.html"), "--embed-url", "maps/m.html"]
    )
    assert result.exit_code == 2
    assert "absolute http(s) URL" in result.output
    assert not (tmp_path / "m.html").exists()


def test_claims_drawing_the_same_disc_fill_it_once(default_html):
    """The US embassy's and the State Department's "at least 500 km" are one disc: filled
    once (two fills on top of each other darken it into murk), both outlines kept."""
    rings = {layer["id"]: layer["ring"] for layer in page_data(default_html)["layers"]}
    filled, unfilled = (
        rings[f"kaliningrad-region--9m729-{i}"] for i in ("us-beyond-500", "us-inf-band-at-least")
    )
    assert filled["fillColor"] is not None  # the renderer fills a ring with a fill colour
    assert unfilled["fillColor"] is None and not unfilled["fill"] and not unfilled["fillOutline"]
    assert unfilled["lines"]  # its outline is drawn
