"""Static maps: round rings in AEQD, no seams, size, content, escaping and stable bytes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from PIL import Image

from rangemap import layers
from rangemap.cli import cli
from rangemap.errors import InputError
from rangemap.geodesic import range_area
from rangemap.render.static_map import (
    PRESETS,
    MapView,
    alt_path,
    figure_view,
    fit_view,
    project_areas,
    render_image,
    ring_outline,
    save_image,
    save_image_with_alt,
    scene_centre,
)
from rangemap.scene import Scene, SceneRange, SceneSite, builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene
from rangemap.story import claim_label
from rangemap.summary import summary_text, text_alternative

#: Small and quick, still large enough to read.
SIZE = {"width_px": 900, "height_px": 600, "dpi": 100}


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene("inf-2020"))


@pytest.fixture(scope="module")
def pole():
    """One site, one ring that holds the North Pole (Kaliningrad, 5,500 km)."""
    site = SceneSite(site="kaliningrad", ranges=(SceneRange(km=5500),))
    return resolve_scene(Scene(title="Kaliningrad, 5,500 km", sites=(site,)))


@pytest.fixture(scope="module")
def inf_png(inf, tmp_path_factory):
    return save_image(render_image(inf, **SIZE), tmp_path_factory.mktemp("png") / "inf.png")


def test_png_has_the_size_asked_for_and_is_not_blank(inf_png):
    image = Image.open(inf_png)
    assert image.size == (900, 600)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 500  # countries, sea, rings, fills, text: not a blank page


def test_default_size_is_1800_by_1200(inf, tmp_path):
    path = save_image(render_image(inf), tmp_path / "map.png")
    assert Image.open(path).size == (1800, 1200)


def test_svg_keeps_escaped_text_and_its_size(inf, tmp_path):
    title = 'Ranges <script>alert("x")</script> & more'
    path = save_image(render_image(inf, title=title, **SIZE), tmp_path / "map.svg")
    text = path.read_text(encoding="utf-8")
    assert re.search(r'<svg [^>]*width="648pt" height="432pt"', text)  # 9 x 6 in at 72 pt/in
    assert 'Ranges &lt;script&gt;alert("x")&lt;/script&gt; &amp; more' in text
    assert "<script" not in text
    assert "Natural Earth" in text and "GeoNames (CC BY 4.0)" in text
    assert "<dc:date>" not in text  # no date: the same scene gives the same file


DOLLAR_SCENE = r"""title: 'Costs $5 or $6'
sites:
  - site: '54.35,18.65'
    name: 'Gdansk $\frac{$'
    ranges:
      - {km: 50, label: '50 $km$'}
"""


def test_dollar_signs_are_text_not_tex(tmp_path):
    """Regression: matplotlib read text between two "$" as TeX, so a scene whose names held
    prices or a stray "$\\frac{" drew italics or stopped with a traceback (exit 1)."""
    scene = tmp_path / "s.yaml"
    scene.write_text(DOLLAR_SCENE, encoding="utf-8")
    out = tmp_path / "map.svg"
    result = CliRunner().invoke(cli, ["map", str(scene), "-o", str(out), "--subtitle", "$x^2$",
                                      "--caption", "$y^2$"])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for literal in ("Costs $5 or $6", "Gdansk $\\frac{$", "50 $km$", "$x^2$"):
        assert literal in text, literal
    assert "$y^2$" in (tmp_path / "map.sources.txt").read_text(encoding="utf-8")  # the caption


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_same_scene_gives_identical_bytes(inf, tmp_path, suffix):
    first = save_image(render_image(inf, **SIZE), tmp_path / f"a{suffix}").read_bytes()
    second = save_image(render_image(inf, **SIZE), tmp_path / f"b{suffix}").read_bytes()
    assert first == second


def test_image_and_its_alt_text_are_written_together(inf, tmp_path):
    """map.png gets map.alt.txt beside it: the text alternative in the language asked for."""
    path = save_image_with_alt(render_image(inf, **SIZE), inf, tmp_path / "map.png", lang="de")
    assert alt_path(path) == tmp_path / "map.alt.txt"
    assert alt_path(path).read_text(encoding="utf-8") == text_alternative(inf, lang="de")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "map.alt.txt", "map.png", "map.sources.txt"
    ]  # fmt: skip


def test_map_command_writes_the_alt_text_beside_the_image(tmp_path):
    image = tmp_path / "germany.png"
    done = CliRunner().invoke(
        cli, ["map", "us-germany-2024", "-o", str(image), "--size", "900x600", "--dpi", "100"]
    )
    assert done.exit_code == 0, done.stderr
    assert alt_path(image).read_text(encoding="utf-8") == summary_text("us-germany-2024")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "germany.alt.txt", "germany.png", "germany.sources.txt"
    ]  # fmt: skip


def test_pole_ring_renders(pole, tmp_path):
    path = save_image(render_image(pole, **SIZE), tmp_path / "pole.png")
    assert len(Image.open(path).convert("RGB").getcolors(maxcolors=1_000_000)) > 200


def test_ring_around_the_centre_is_a_true_circle_in_aeqd(pole):
    """PROJ's ellipsoidal AEQD is exact for distances from its centre: the outline projected
    from the geodesic ring vertices lies at 5,500 km within a millimetre."""
    view = fit_view(pole, 1.5)
    assert (view.lat, view.lon) == (pole.sites[0].location.lat, pole.sites[0].location.lon)
    tr = view.transformer()
    (outline,) = ring_outline(view, tr, pole.drawn[0])
    radius = np.hypot(outline[:, 0], outline[:, 1])
    np.testing.assert_allclose(radius, 5_500_000.0, atol=1e-3)


def test_pole_ring_fill_is_one_round_polygon_holding_the_pole(pole):
    """The lon/lat polygon is split at +-180 and closed along latitude 90; projected and
    unioned it is one disc: no slit to the pole, no seam."""
    view = fit_view(pole, 1.5)
    tr = view.transformer()
    cap = range_area(view.lat, view.lon, view.cap_km)
    geometry = np.array([pole.drawn[0].ring.geometry], dtype=object)
    (fill,) = project_areas(view, tr, geometry, cap, close_m=3000.0)
    assert fill.geom_type == "Polygon" and not fill.interiors
    radius = np.hypot(*np.asarray(fill.exterior.coords).T)
    assert radius.min() == pytest.approx(5_500_000.0, abs=100.0)
    assert radius.max() == pytest.approx(5_500_000.0, abs=100.0)
    assert fill.contains(shapely.Point(tr.transform(0.0, 90.0)))


@pytest.mark.parametrize(
    ("centre", "country", "lonlat"),
    [
        ((64.73, 177.5), "RUS", (180.0, 67.5)),  # Chukotka, cut by Natural Earth at 180
        ((-77.85, 166.67), "ATA", (180.0, -87.0)),  # Antarctica, closed along the pole
    ],
)
def test_countries_cut_at_the_180th_meridian_show_no_seam(centre, country, lonlat):
    """Regression: the two sides of Natural Earth's cut were densified differently and left
    a sliver that the border stroke drew as a line from the coast along the 180th meridian."""
    view = MapView(*centre, -3e6, 3e6, -3e6, 3e6, 6000.0)
    tr = view.transformer()
    countries = layers.countries()
    shape = countries.display[countries.country_index(country)]
    cap = range_area(view.lat, view.lon, view.cap_km)
    (projected,) = project_areas(view, tr, np.array([shape], dtype=object), cap, close_m=2000.0)
    point = shapely.Point(tr.transform(*lonlat))
    assert projected.is_valid and projected.contains(point)
    assert projected.boundary.distance(point) > 50_000.0  # metres: only coasts are borders


def test_centre_is_the_mean_position_of_the_sites(inf):
    lat, lon = scene_centre(inf)
    assert 44 < lat < 55 and 17 < lon < 25
    across = Scene(
        title="t",
        sites=(
            SceneSite(site="0,179", ranges=(SceneRange(km=100),)),
            SceneSite(site="0,-179", ranges=(SceneRange(km=100),)),
        ),
    )
    assert scene_centre(resolve_scene(across)) == (0.0, 180.0)  # not 0 E


def test_interval_discs_are_filled_certain_solid_possible_light(inf):
    """The certain disc (at least 500 km) is filled more strongly than the possible one."""
    from rangemap.render.style import fill_opacity

    layers = {layer.id: layer for layer in inf.layers}
    low = layers["kaliningrad-region--9m729-us-inf-band-at-least"]
    high = layers["kaliningrad-region--9m729-us-inf-band-up-to"]
    assert fill_opacity(low) > 3 * fill_opacity(high) > 0


def test_too_small_or_odd_sizes_are_rejected(inf):
    with pytest.raises(InputError, match="no room for the map"):
        render_image(inf, width_px=120, height_px=80, dpi=100)
    with pytest.raises(InputError, match="width_px must be a whole number"):
        render_image(inf, width_px=True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"use one of \.png, \.svg, \.pdf"):
        save_image(render_image(inf, **SIZE), Path("map.jpg"))


# --- command line ----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_map_command_draws_png_svg_and_pdf(tmp_path):
    for suffix in (".png", ".svg", ".pdf"):
        path = tmp_path / f"germany{suffix}"
        code, out, _ = run("map", "us-germany-2024", "-o", str(path), "--size", "900x600",
                           "--dpi", "100")  # fmt: skip
        assert code == 0 and out.strip() == str(path)
    assert Image.open(io.BytesIO((tmp_path / "germany.png").read_bytes())).size == (900, 600)
    assert "Wiesbaden (reference point)" in (tmp_path / "germany.svg").read_text()
    pdf = (tmp_path / "germany.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and re.findall(rb"/Type /Pages\b[^>]*?/Count (\d+)", pdf) == [
        b"1"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "germany.alt.txt", "germany.pdf", "germany.png", "germany.sources.txt", "germany.svg"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "big"], "give WIDTHxHEIGHT in pixels"),
        (["--self-contained"], "apply to HTML maps"),
        (["--size", "100x60"], "no room for the map"),
    ],
)
def test_bad_static_map_options_exit_2(tmp_path, args, message):
    code, out, err = run("map", "inf-2020", "-o", str(tmp_path / "x.png"), *args)
    assert code == 2 and message in err and "Traceback" not in out + err
    assert not (tmp_path / "x.png").exists()


def test_band_fill_keeps_its_hole():
    """Regression: matplotlib fills by the nonzero rule, so a hole running the same way as
    its exterior (as GEOS may return it) was filled. The inner disc of a band stays empty."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    from rangemap.render.static_map import _path

    site = SceneSite(site="deveselu", ranges=(SceneRange(km=1000, km_min=500),))
    scene = resolve_scene(Scene(title="band", sites=(site,)))
    view = fit_view(scene, 1.0)
    tr = view.transformer()
    cap = range_area(view.lat, view.lon, view.cap_km)
    geometry = np.array([scene.drawn[0].ring.geometry], dtype=object)
    (fill,) = project_areas(view, tr, geometry, cap, close_m=2000.0)
    fill = shapely.orient_polygons(fill)
    (hole,) = fill.interiors
    same_way = shapely.Polygon(fill.exterior.coords, [hole.coords[::-1]])
    figure = Figure(figsize=(2, 2), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(-1.1e6, 1.1e6)
    ax.set_ylim(-1.1e6, 1.1e6)
    ax.axis("off")
    ax.add_patch(PathPatch(_path(same_way), facecolor="black", lw=0))
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
    assert (pixels[100, 100] == 255).all()  # the site: 500 km inside the inner edge, empty
    assert (pixels[100, 168] == 0).all()  # 750 km east: in the band


# --- presets, layouts, readable type, labels that never collide -----------------------------

@pytest.fixture(scope="module")
def builtin():
    """Every built-in scene, resolved once."""
    return {name: resolve_scene(load_scene(name)) for name in builtin_scenes()}


def _site_labels(figure) -> list:
    return [t for t in figure.axes[0].texts if t.get_gid() == "rm-site"]


def _place_labels(figure) -> list:
    return [t for t in figure.axes[0].texts if t.get_gid() == "rm-place"]


def _sites_in_frame(scene, figure) -> list[str]:
    ax = figure.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    tr = MapView(*_centre(ax), 0, 0, 0, 0, 0).transformer()
    out = []
    for site in scene.sites:
        x, y = tr.transform(site.location.lon, site.location.lat)
        if x0 <= x <= x1 and y0 <= y <= y1:
            out.append(site.label)
    return out


def _centre(ax) -> tuple[float, float]:
    view = figure_view(ax.figure)
    return view.lat, view.lon


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("name", builtin_scenes())
def test_site_labels_never_overlap_and_type_stays_readable(builtin, name, preset):
    """Every preset draws every scene (none is refused for lack of room), the map frame at
    least 70 % of a social card. Measured from the drawn text: no site or place label
    overlaps another, a site dot or the scale bar, or leaves the map; every site in the
    frame is named; no text on the image is smaller than the preset's minimum."""
    scene = builtin[name]
    figure = render_image(scene, preset=preset)
    renderer = figure.canvas.get_renderer()
    map_ax = figure.axes[0]
    frame = map_ax.get_position()
    if preset.startswith("social"):
        assert frame.width * frame.height >= 0.70, (name, preset)
    labels = _site_labels(figure)
    assert [t.get_text() for t in labels] == _sites_in_frame(scene, figure)
    assert labels, (name, preset)
    labels += _place_labels(figure)
    boxes = [t.get_window_extent(renderer) for t in labels]
    frame = map_ax.get_window_extent(renderer)
    dots = map_ax.transData.transform([(t.xy[0], t.xy[1]) for t in labels])
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other), (labels[i].get_text(), name, preset)
        for x, y in dots:
            assert not box.contains(x, y)
    smallest_px = min(
        t.get_fontsize() * figure.dpi / 72
        for ax in (figure, *figure.axes)
        for t in ax.texts
        if t.get_text()
    )
    assert smallest_px >= PRESETS[preset].min_text_px - 1e-6


def test_kaliningrad_and_redzikowo_labels_apart_at_the_default_size(inf):
    """Regression: 'Kaliningrad' was drawn over 'Redzikowo (Poland)' (about 300 km apart);
    the scene now names the region and, for reference, the city: neither may cover Redzikowo."""
    figure = render_image(inf)
    renderer = figure.canvas.get_renderer()
    boxes = {t.get_text(): t.get_window_extent(renderer) for t in _site_labels(figure)}
    for kaliningrad in ("Kaliningrad region", "Kaliningrad (city)"):
        assert not boxes[kaliningrad].overlaps(boxes["Redzikowo (Poland)"])


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_presets_have_their_size_and_the_key_under_the_map(builtin, preset, tmp_path):
    chosen = PRESETS[preset]
    figure = render_image(builtin["oreshnik-belarus-2025"], preset=preset)
    image = Image.open(save_image(figure, tmp_path / "map.png"))
    assert image.size == (chosen.width_px, chosen.height_px)
    map_box = figure.axes[0].get_position()
    key_box = next(ax for ax in figure.axes if ax.get_gid() == "rm-key").get_position()
    assert key_box.y1 <= map_box.y0 and map_box.width * map_box.height >= 0.55


def test_preset_and_size_are_not_given_together(inf):
    with pytest.raises(InputError, match="not both"):
        render_image(inf, preset="a4", dpi=100)
    with pytest.raises(InputError, match="unknown preset 'a5'; choose one of a4, a4-landscape"):
        render_image(inf, preset="a5")


def test_cli_preset_writes_its_size_to_a_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "oreshnik-belarus-2025", "--preset", "social-square"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "output" / "oreshnik-belarus-2025-social-square.png"
    assert Image.open(path).size == (1080, 1080)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "a4", "--size", "900x600"], "leave out --size"),
        (["--preset", "tiktok"], "'tiktok' is not a preset; choose one of a4,"),
        (["--preset", "a4", "-o", "map.html"], "give -o FILE.png, .svg or .pdf"),
    ],
)  # fmt: skip
def test_cli_preset_mistakes_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "oreshnik-belarus-2025", *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


def test_cli_help_lists_every_preset():
    # click wraps help lines after hyphens: "social-" / "landscape"
    help_text = re.sub(r"-\s+", "-", CliRunner().invoke(cli, ["map", "--help"]).output)
    for name in PRESETS:
        assert name in help_text


@pytest.mark.parametrize(
    ("preset", "mm"), [("a4", (210, 297)), ("letter", (215.9, 279.4)), ("a4-landscape", (297, 210))]
)
def test_print_presets_write_one_page_of_their_paper_size(tmp_path, monkeypatch, preset, mm):
    """Without -o a page preset writes a PDF: one page, its MediaBox the paper (in points)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "oreshnik-belarus-2025", "--preset", preset])
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "output" / f"oreshnik-belarus-2025-{preset}.pdf").read_bytes()
    assert re.findall(rb"/Type /Pages\b[^>]*?/Count (\d+)", pdf) == [b"1"]
    (box,) = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in box)
    assert width_mm == pytest.approx(mm[0], abs=0.2)  # 2480 px at 300 dpi is 209.97 mm
    assert height_mm == pytest.approx(mm[1], abs=0.2)


def _callouts(figure) -> list:
    return [t for t in figure.axes[0].texts if t.get_gid() == "rm-callout"]


def test_the_story_place_is_named_with_its_distance_as_on_the_html_map(builtin):
    """inf-2020's callout: Berlin with its distance from the Kaliningrad region, the same
    text and figure as on the interactive map, measured to the area's nearest point."""
    from rangemap.render.html_map import map_html, render_map

    scene = builtin["inf-2020"]
    (label,) = _callouts(render_image(scene))
    assert re.fullmatch(r"Berlin \d{3} km", label.get_text())
    page = map_html(render_map(scene, self_contained=True))
    assert f'"text":"{label.get_text()}"' in page


def _range_labels(figure) -> list:
    return [t for t in figure.axes[0].texts if (t.get_gid() or "").startswith("rm-range-")]


@pytest.mark.parametrize("preset", [None, "social-portrait"])
@pytest.mark.parametrize("name", builtin_scenes())
def test_ranges_are_named_on_their_outlines_clear_of_every_other_label(builtin, name, preset):
    """As on the HTML map, each range says what it is where it is drawn: each label is
    centred on a point of its own outline (checked with GeographicLib, or for an area's
    range against its nearest launch point) and overlaps no other label, no site label and
    nothing outside the map."""
    from geographiclib.geodesic import Geodesic
    from pyproj import Transformer

    from rangemap.areas import nearest_launch_points

    scene = builtin[name]
    figure = render_image(scene, preset=preset)
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    ranges = _range_labels(figure)
    assert ranges, name
    countries = [t for t in ax.texts if t.get_gid() == "rm-country"]
    named = ranges + _site_labels(figure) + _callouts(figure) + _place_labels(figure) + countries
    boxes = [t.get_window_extent(renderer) for t in named]
    frame = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        assert box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), (name, i)
    lat0, lon0 = _centre(ax)
    to_lonlat = Transformer.from_crs(MapView(lat0, lon0, 0, 0, 0, 0, 0).proj, "EPSG:4326",
                                     always_xy=True)  # fmt: skip
    by_id = {layer.id: layer for layer in scene.drawn}
    for text in ranges:
        ring = by_id[text.get_gid().removeprefix("rm-range-")].ring
        x, y = text.get_position()  # map metres, as every layer is drawn
        lon, lat = to_lonlat.transform(x, y)
        if ring.site.area is None:
            km = Geodesic.WGS84.Inverse(ring.site.lat, ring.site.lon, lat, lon)["s12"] / 1000
        else:
            km = nearest_launch_points(ring.site.area, np.array([lat]), np.array([lon]))[0][0]
        assert abs(km - ring.km) < 0.05, (text.get_text(), km)
        claim = claim_label(by_id[text.get_gid().removeprefix("rm-range-")])
        assert text.get_text() in (claim.text, claim.short)


def test_every_range_of_a_roomy_map_is_named(builtin):
    """Where there is room, every range the first step draws carries its long label as a
    claim ("Tomahawk: Raytheon says at least 1,000 mi"), the thresholds too."""
    from rangemap import story

    scene = builtin["us-germany-2024"]
    named = {t.get_gid().removeprefix("rm-range-"): t.get_text()
             for t in _range_labels(render_image(scene))}  # fmt: skip
    first = set(story.steps(scene)[0].show)
    shown = {layer.id: claim_label(layer).text for layer in scene.drawn if layer.id in first}
    assert named == shown


# --- the story at first view, measured from the SVG ------------------------------------------


def _svg_layout(path: Path) -> tuple[tuple[float, float, float, float], list[dict], float]:
    """The map frame (x0, y0, x1, y1 in SVG points, y down), every text element (text, its
    estimated box from its anchor, size and length) and the image's area, read from the
    SVG as written."""
    import html
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    width = float(root.get("width").removesuffix("pt"))
    height = float(root.get("height").removesuffix("pt"))
    frame = root.find(".//svg:g[@id='rm-map-frame']/svg:path", ns)
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", frame.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    box = (min(xs), min(ys), max(xs), max(ys))
    texts = []
    for element in root.iter("{http://www.w3.org/2000/svg}text"):
        style = element.get("style")
        size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
        bold = "font-weight: 700" in style
        anchor = re.search(r"text-anchor: (\w+)|$", style).group(1) or "start"
        text = html.unescape("".join(element.itertext()))
        w = len(text) * size * (0.64 if bold else 0.56)  # the renderer's own estimate
        if element.get("x") is not None:
            x, y = float(element.get("x")), float(element.get("y"))
        else:  # multi-line texts: one element a line, placed by a translation
            x, y = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)",
                                        element.get("transform")).groups())  # fmt: skip
        x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        texts.append({"text": text, "box": (x0, y - size, x0 + w, y), "size": size})
    return box, texts, width * height


def _centre_of(box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


@pytest.mark.parametrize(
    ("preset", "share"),
    [(None, 0.55), ("social-landscape", 0.70), ("social-square", 0.70), ("social-portrait", 0.70)],
)
def test_inf_story_at_first_view_measured_from_the_svg(inf, tmp_path, preset, share):
    """The issue's measure of done: the map frame is most of the image; Berlin, Warsaw and
    Vilnius are named inside it; Kaliningrad's and Berlin's labels are at least a fifth of
    the frame's width apart; at most four lines of text sit under the map."""
    path = save_image(render_image(inf, preset=preset), tmp_path / "map.svg")
    frame, texts, area = _svg_layout(path)
    assert (frame[2] - frame[0]) * (frame[3] - frame[1]) >= share * area
    inside = {
        t["text"].split(" ")[0]: t for t in texts
        if frame[0] <= t["box"][0] and t["box"][2] <= frame[2]
        and frame[1] <= t["box"][1] and t["box"][3] <= frame[3]
    }  # fmt: skip
    for name in ("Berlin", "Warsaw", "Vilnius", "Kaliningrad"):
        assert name in inside, name
    berlin = _centre_of(inside["Berlin"]["box"])
    for t in texts:
        if t["text"].startswith("Kaliningrad"):
            kx, ky = _centre_of(t["box"])
            assert np.hypot(kx - berlin[0], ky - berlin[1]) >= 0.2 * (frame[2] - frame[0])
    under = {round(t["box"][3], 1) for t in texts if t["box"][1] > frame[3]}
    assert 2 <= len(under) <= 4
    sources = [t["text"] for t in texts if t["text"].startswith("Sources: ")]
    assert len(sources) == 1 and sources[0].endswith("full list in the sources file beside "
                                                      "this image")  # fmt: skip


KOREA_SCENE = """title: 'A short-range launcher near the DMZ'
sites:
  - site: '38.0,127.0'
    name: Launcher
    ranges:
      - {km: 250, label: '250 km'}
"""


def test_a_scene_far_from_europe_names_its_capitals(tmp_path):
    """Regression: no place was named on a static map; a short range near the Korean DMZ
    names the capitals next to the site and in range, inside the frame."""
    scene_file = tmp_path / "korea.yaml"
    scene_file.write_text(KOREA_SCENE, encoding="utf-8")
    out = tmp_path / "korea.svg"
    result = CliRunner().invoke(cli, ["map", str(scene_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame, texts, _ = _svg_layout(out)
    named = {
        t["text"] for t in texts
        if frame[0] <= t["box"][0] and t["box"][2] <= frame[2]
        and frame[1] <= t["box"][1] and t["box"][3] <= frame[3]
    }  # fmt: skip
    assert {"Seoul", "Pyongyang", "Launcher"} <= named


def test_labels_sit_by_their_own_symbols_and_the_centre_mark_is_not_a_site(inf):
    """Regression: 'Kaliningrad (city)' was labelled beside the '+' (the projection's
    centre, in central Poland). On the lead frame the scale is true within 1 %, so no '+' is
    drawn, and each site's label touches its own dot's neighbourhood (no leader line)."""
    figure = render_image(inf)
    ax = figure.axes[0]
    assert not [line for line in ax.lines if line.get_marker() == "+"]
    renderer = figure.canvas.get_renderer()
    for label in _site_labels(figure):
        box = label.get_window_extent(renderer)
        x, y = ax.transData.transform(label.xy)
        gap = max(box.x0 - x, x - box.x1, box.y0 - y, y - box.y1, 0)
        assert gap <= 12 * figure.dpi / 72, label.get_text()  # 12 pt at most


def test_long_ranges_go_to_an_inset_with_the_frame_marked(inf):
    """The first step frames Russia's 480 km; the longer ranges shown at first are drawn in
    an overview inset, on which the frame is a rectangle, and named there or in the key."""
    from matplotlib.patches import Rectangle

    from rangemap import story

    figure = render_image(inf)
    (inset,) = [ax for ax in figure.axes if ax.get_gid() == "rm-inset"]
    view = figure_view(figure)
    (frame,) = [p for p in inset.patches if isinstance(p, Rectangle)]
    assert frame.get_x() == view.xmin and frame.get_width() == view.xmax - view.xmin
    named = " ".join(t.get_text() for ax in figure.axes for t in ax.texts)
    for layer in inf.drawn:
        if layer.show and layer.ring.km > 3000 and layer.kind != "threshold":
            claim = story.claim_label(layer)
            assert claim.short.split(": ")[-1].split(" says ")[-1] in named or claim.text in named


def test_sources_sidecar_lists_every_source_and_the_image_names_it(inf, tmp_path):
    """One line of sources on the image names the sidecar; the sidecar, written with the
    image, cites every source of every layer in full, and keeps the caption."""
    code, _, _ = run("map", "inf-2020", "-o", str(tmp_path / "inf.svg"), "--size", "900x600",
                       "--dpi", "100")  # fmt: skip
    assert code == 0
    svg = (tmp_path / "inf.svg").read_text(encoding="utf-8")
    assert "full list in inf.sources.txt" in svg
    sidecar = (tmp_path / "inf.sources.txt").read_text(encoding="utf-8")
    for layer in inf.layers:
        for source in layer.sources:
            assert source.cite() in sidecar
    assert " ".join(inf.caption.split()) in sidecar


def test_steps_one_image_each_with_the_step_text(tmp_path):
    """--steps draws every step of the story (a carousel), --step N one of them, each
    with "N/M · its text" under the title."""
    from rangemap import story

    scene = resolve_scene(load_scene("inf-2020"))
    steps = story.steps(scene)
    code, _, err = run("map", "inf-2020", "--steps", "-o", str(tmp_path / "c.svg"),
                         "--size", "900x600", "--dpi", "100")  # fmt: skip
    assert code == 0, err
    for i in range(len(steps)):
        text = (tmp_path / f"c-step{i + 1}.svg").read_text(encoding="utf-8")
        assert f"{i + 1}/{len(steps)} · " in text
        assert (tmp_path / f"c-step{i + 1}.sources.txt").exists()
    assert not (tmp_path / f"c-step{len(steps) + 1}.svg").exists()
    one = tmp_path / "one"
    one.mkdir()  # the same name, so the same sources line
    code, _, err = run("map", "inf-2020", "--step", "3", "-o", str(one / "c-step3.svg"),
                       "--size", "900x600", "--dpi", "100")  # fmt: skip
    assert code == 0, err
    assert (one / "c-step3.svg").read_bytes() == (tmp_path / "c-step3.svg").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "9", "-o", "x.png"], "--step 9: inf-2020 has 5 steps; give --step 1 to 5."),
        (["--step", "1", "--steps", "-o", "x.png"], "not both"),
        (["--step", "1", "-o", "x.html"], "give -o FILE.png, .svg or .pdf"),
    ],
)
def test_bad_step_options_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "inf-2020", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not list(tmp_path.iterdir())


def test_countries_are_named_quietly_where_they_fit(inf):
    """The basemap names countries (grey, after everything else): Poland and Germany in
    the lead frame of the default map; never a micro-state."""
    from rangemap.story import minor_countries

    figure = render_image(inf)
    names = [t.get_text() for t in figure.axes[0].texts if t.get_gid() == "rm-country"]
    assert {"Poland", "Germany"} <= set(names)
    assert not set(names) & minor_countries()


def test_overlapping_fills_do_not_stack():
    """Nested rings of one site and discs of two sites: each part of the map keeps one fill,
    the strongest there (the earlier of equals), so overlaps never darken into murk."""
    from rangemap.render.static_map import _unstacked

    big, small = shapely.Point(0, 0).buffer(10), shapely.Point(0, 0).buffer(4)
    beside = shapely.Point(12, 0).buffer(5)
    fills = np.array([big, small, beside], dtype=object)
    out = _unstacked(fills, [0.10, 0.22, 0.10])
    assert out[1].equals(small)  # the strongest keeps its whole disc
    assert out[0].area == pytest.approx(big.area - small.area, rel=1e-9)
    assert out[2].area == pytest.approx(beside.difference(big).area, rel=1e-9)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert shapely.intersection(out[i], out[j]).area == pytest.approx(0.0, abs=1e-9)
    union = shapely.union_all(out)
    lost = union.symmetric_difference(shapely.union_all(fills)).area
    assert lost == pytest.approx(0.0, abs=1e-9)
