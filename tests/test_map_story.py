"""The story at a glance, as a graphics desk checks it before publishing: every built-in
scene and a scene file of the test's own (a site far from Europe, three ranges), embedded in
an article at 375 and 1,200 px in headless Chromium with the network off.

The first view frames the lead, names the places that matter and no micro-state, words the
lead ring as a claim, keeps every ring label 4.5:1 on its halo, shows at most six legend
rows and mentions the longest range; a tooltip is wide and inside the map; unfolding every
panel leaves the map's height alone; the attribution carries no flag; no script error; axe
finds nothing. The steps answer buttons, keys and a host page's postMessage.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import test_browser
import test_map_layout as layout
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from rangemap import story
from rangemap.render.embed import embed_snippet
from rangemap.render.html_map import render_map, save_map
from rangemap.scene import builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene

browser_binaries, driver = test_browser.browser_binaries, test_browser.driver

SIZES = [(375, 640), (1200, 800)]
OWN = "own-darwin"
SCENES = [*builtin_scenes(), OWN]
#: Never named on these maps: no story here is about them.
MICRO = {"Jersey", "Monaco", "Gibraltar", "Faeroe Islands", "Faroe Islands", "Bir Tawil",
         "Vaduz", "Liechtenstein", "Saint Helier", "Tórshavn", "San Marino", "Andorra"}  # fmt: skip
#: The lead fills the map: its extent is at least this share of the map's width or height.
FILLS = 0.6

OWN_SCENE = """
title: "Kestrel at Darwin: three claims"
catalog:
  systems:
    - id: kestrel
      name: Kestrel
      operator: AUS
      description: A missile made up for this test.
      color: "#56B4E9"
      sources:
        - {publisher: Test desk, title: Kestrel fact sheet, date: 2026-01-01}
      status:
        value: in-service
        as_of: 2026-01-01
        sources: [{publisher: Test desk, title: Kestrel fact sheet, date: 2026-01-01}]
      claims:
        - id: maker-300
          km: 300
          means: figure
          kind: stated
          claimed_by: Australia (Department of Defence)
          date: 2026-01-01
          uncertain: false
          sources: [{publisher: Test desk, title: Kestrel fact sheet, date: 2026-01-01}]
        - id: analysts-1200
          km: 1200
          means: up-to
          kind: estimate
          claimed_by: Analysts (a think tank)
          date: 2026-01-02
          uncertain: true
          sources: [{publisher: Test desk, title: Kestrel estimate, date: 2026-01-02}]
        - id: rival-2500
          km: null
          km_min: 2500
          means: at-least
          kind: disputed
          claimed_by: Indonesia (ministry of defence)
          date: 2026-01-03
          uncertain: false
          sources: [{publisher: Test desk, title: Kestrel claim, date: 2026-01-03}]
sites:
  - site: "-12.46,130.84"
    name: Darwin
    claims: [kestrel]
"""


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own-scene")
    (folder / f"{OWN}.yaml").write_text(OWN_SCENE, encoding="utf-8")
    out = {}
    for name in SCENES:
        out[name] = resolve_scene(load_scene(folder / f"{name}.yaml" if name == OWN else name))
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory, scenes) -> dict[str, Path]:
    """Each scene's self-contained map in an article page with its own snippet."""
    folder = tmp_path_factory.mktemp("story-article")
    out = {}
    for name, scene in scenes.items():
        save_map(render_map(scene, self_contained=True), folder / f"{name}.html")
        snippet = embed_snippet(folder / f"{name}.html", scene.title)
        out[name] = folder / f"{name}-article.html"
        out[name].write_text(
            layout.ARTICLE.format(text=layout._TEXT, snippet=snippet), encoding="utf-8"
        )
    return out


# What the first view shows, read from the page's boxes and styles.
_FIRST_VIEW = (
    layout._MAP
    + """
var box = map.getContainer().getBoundingClientRect(), ids = arguments[0];
function visible(el) { return el.checkVisibility({visibilityProperty: true}); }
function rect(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
var lead = null;
ids.forEach(function (id) {
  document.querySelectorAll("path.rm-line.rm-l-" + id).forEach(function (p) {
    var r = p.getBoundingClientRect();
    var l = Math.max(r.left, box.left), t = Math.max(r.top, box.top);
    var rr = Math.min(r.right, box.right), b = Math.min(r.bottom, box.bottom);
    if (rr <= l || b <= t) { return; }
    lead = lead ? [Math.min(lead[0], l), Math.min(lead[1], t), Math.max(lead[2], rr),
                   Math.max(lead[3], b)] : [l, t, rr, b];
  });
});
var labels = Array.from(document.querySelectorAll(".rm-ml")).filter(visible).map(function (el) {
  return {text: el.textContent, cls: el.className, color: getComputedStyle(el).color,
          layers: el.getAttribute("data-layers") || "", box: rect(el)};
});
var names = Array.from(document.querySelectorAll(".rm-label span")).filter(visible)
  .map(function (el) { return el.textContent; });
// the legend as it first unfolds (folded on phones): the rows it shows before "More"
var legend = document.getElementById("rm-legend"), wasOpen = legend.open;
legend.open = true;
var rows = Array.from(document.querySelectorAll("#rm-legend .rm-legend-layers > li"))
  .filter(visible).length;
legend.open = wasOpen;
var steps = document.getElementById("rm-steps");
var attribution = document.querySelector(".leaflet-control-attribution");
return {map: rect(map.getContainer()), lead: lead, labels: labels, names: names, rows: rows,
        steps: steps ? steps.innerText : "", stepsBox: steps ? rect(steps) : null,
        attribution: attribution ? attribution.innerHTML : ""};
"""
)

_PLACE = layout._MAP + "return map.latLngToContainerPoint(arguments[0]).x;"


def _rgb_hex(css: str) -> str:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")
    return "#" + "".join(f"{int(float(p)):02X}" for p in parts[:3])


def _open(driver, page: Path, size: tuple[int, int]) -> None:
    layout._open(driver, page, size)
    time.sleep(0.4)  # the first step's frame and labels settle


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}")
@pytest.mark.parametrize("name", SCENES)
def test_the_first_view_tells_the_story(driver, scenes, pages, name, size):
    scene = scenes[name]
    lead = story.lead(scene)
    _open(driver, pages[name], size)
    view = driver.execute_script(_FIRST_VIEW, list(lead.layers))
    left, top, right, bottom = view["map"]
    width, height = right - left, bottom - top
    # The lead fills the map.
    assert view["lead"] is not None, "the lead is not drawn in the first view"
    x0, y0, x1, y1 = view["lead"]
    assert x1 - x0 >= FILLS * width or y1 - y0 >= FILLS * height, (view["lead"], view["map"])
    if name == "inf-2020":  # Berlin at least a quarter of the map's width from Kaliningrad
        berlin = driver.execute_script(_PLACE, [52.524, 13.411])
        kaliningrad = driver.execute_script(_PLACE, [54.71, 20.51])
        assert kaliningrad - berlin >= width / 4, (kaliningrad - berlin, width)
    texts = {label["text"] for label in view["labels"]}
    shown = texts | set(view["names"])
    # The places that matter are named, micro-states are not.
    ranked = story.ranked_places(scene)
    inside = [p.name for p in ranked if p.rank == 1]
    wanted = {
        "inf-2020": {"Warsaw", "Vilnius", "Riga", "Minsk", "Berlin 464 km"},
        "typhon-philippines-2024": {"Manila", "Taipei", "Kaohsiung"},
        "us-germany-2024": {"Berlin", "Prague", "Brussels", "Amsterdam"},
    }.get(name, set())
    named = {t.removesuffix(" 464 km") for t in shown} | shown
    missing = wanted - named
    assert len(missing) <= (1 if size[0] < 600 else 0), missing
    if inside:  # the capitals inside the lead: most of them (a phone has room for fewer)
        assert len(set(inside) & named) >= min(3 if size[0] > 600 else 2, len(inside)), inside
    assert not {n for n in shown if n in MICRO}, shown & MICRO
    # The lead's label names its weapon and who says it, as a claim.
    claim = story.claim_label(next(x for x in scene.drawn if x.id == lead.layers[0]))
    expected = claim.short if size[0] < 600 else claim.text
    lead_labels = [
        label for label in view["labels"] if set(label["layers"].split()) & set(lead.layers)
    ]
    assert any(label["text"] in (claim.text, claim.short) for label in lead_labels), (
        expected,
        lead_labels,
    )
    layer = next(x for x in scene.drawn if x.id == lead.layers[0])
    if layer.system is not None:
        assert story.weapon(layer) in claim.short and story.party(layer.claimed_by) in claim.short
        assert " says " in claim.short or " estimate" in claim.short
    # Every ring label reads 4.5:1 on its halo.
    for label in view["labels"]:
        if "rm-ml-site" in label["cls"] or "rm-ml-place" in label["cls"]:
            continue
        ratio = story.contrast_ratio(_rgb_hex(label["color"]), story.HALO)
        assert ratio >= 4.5, (label["text"], label["color"], ratio)
    # A legend of at most six rows in the first view.
    assert 1 <= view["rows"] <= 6, view["rows"]
    # The longest range is mentioned in the first view.
    far = story.longest(scene)
    figure = far.span.split()[-2] + " km"
    assert figure in view["steps"] or any(figure in t for t in texts), (figure, view["steps"])
    # No flag in the attribution.
    assert "<svg" not in view["attribution"] and "flag" not in view["attribution"]
    assert view["attribution"].startswith('<a href="https://leafletjs.com"')
    assert layout._severe(driver) == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}")
@pytest.mark.parametrize("name", SCENES)
def test_tooltip_highlight_panels_and_axe(driver, scenes, pages, name, size):
    """Hovering the lead's outline highlights it and shows a tooltip at least 140 px wide
    inside the map; unfolding every panel keeps the map's height; axe finds nothing."""
    scene = scenes[name]
    lead = story.lead(scene)
    _open(driver, pages[name], size)
    reachable = driver.execute_script(layout._REACHABLE, True)
    target = next(i for i in lead.layers if reachable.get(i, {}).get("at"))
    x, y = reachable[target]["at"]
    weight = f"return getComputedStyle(document.querySelector('path.rm-line.rm-l-{target}'))"
    before = float(driver.execute_script(weight + ".strokeWidth").removesuffix("px"))
    inner = driver.execute_script(
        "var b = document.querySelector('.rm-map').getBoundingClientRect();"
        "return [b.left, b.top];"
    )
    driver.switch_to.default_content()
    frame = driver.find_element("css selector", "iframe")
    driver.execute_script(
        "window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY"
        " + arguments[1] - window.innerHeight / 2)",
        frame,
        inner[1] + y,
    )
    fl, ft = driver.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.left, r.top];", frame
    )
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(round(fl + inner[0] + x), round(ft + inner[1] + y))
    actions.perform()
    driver.switch_to.frame(frame)
    WebDriverWait(driver, 5).until(
        lambda d: d.execute_script("return document.querySelector('.leaflet-tooltip') !== null")
    )
    time.sleep(0.3)
    tip = driver.execute_script(
        "var t = document.querySelector('.leaflet-tooltip').getBoundingClientRect(),"
        " m = document.querySelector('.rm-map').getBoundingClientRect();"
        "return [t.left, t.top, t.right, t.bottom, m.left, m.top, m.right, m.bottom];"
    )
    assert tip[2] - tip[0] >= 140, tip
    assert tip[0] >= tip[4] - 1 and tip[1] >= tip[5] - 1, tip
    assert tip[2] <= tip[6] + 1 and tip[3] <= tip[7] + 1, tip
    after = float(driver.execute_script(weight + ".strokeWidth").removesuffix("px"))
    assert after > before  # the hovered ring is highlighted
    # Unfolding every panel never changes the map's height.
    height = driver.execute_script(
        "return document.querySelector('.rm-map').getBoundingClientRect().height"
    )
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    time.sleep(0.6)
    unfolded = driver.execute_script(
        "return document.querySelector('.rm-map').getBoundingClientRect().height"
    )
    assert abs(unfolded - height) <= 0.1 * height, (height, unfolded)
    found = layout._axe(driver)
    assert found == [], found
    assert layout._severe(driver) == []


def test_steps_answer_buttons_keys_and_a_host_page(driver, scenes, pages):
    scene = scenes["inf-2020"]
    steps = story.steps(scene)
    _open(driver, pages["inf-2020"], (1200, 800))

    def state():
        return driver.execute_script(
            layout._MAP
            + """
var on = [];
document.querySelectorAll("path.rm-line").forEach(function (p) {
  var id = Array.from(p.classList).find(function (c) { return c.indexOf("rm-l-") === 0; });
  if (id && on.indexOf(id.slice(5)) < 0) { on.push(id.slice(5)); }
});
return {on: on.sort(), text: document.querySelector(".rm-step-text").textContent,
        zoom: map.getZoom(),
        current: Array.from(document.querySelectorAll(".rm-step-n")).findIndex(function (b) {
          return b.getAttribute("aria-current") === "step"; })};
"""
        )

    first = state()
    assert first["current"] == 0 and first["on"] == sorted(steps[0].show)
    assert first["text"] == steps[0].text
    driver.find_element("css selector", ".rm-step-next").click()
    time.sleep(0.8)
    second = state()
    assert second["current"] == 1 and second["on"] == sorted(steps[1].show)
    # keys: from a step button, the right arrow goes on
    button = driver.find_element("css selector", '.rm-step-n[data-step="1"]')
    button.send_keys(Keys.ARROW_RIGHT)
    time.sleep(0.8)
    third = state()
    assert third["current"] == 2 and third["text"] == steps[2].text
    assert third["zoom"] < second["zoom"]  # 2,350 km is framed wider than the lead
    # a host page drives the frame with postMessage, and hears the step back
    driver.switch_to.default_content()
    driver.execute_script(
        "window.heard = []; window.addEventListener('message', function (e) {"
        " if (e.data && e.data.rangemap === 'step') { window.heard.push(e.data); } });"
        "document.querySelector('iframe').contentWindow.postMessage("
        "{rangemap: 'step', step: 3}, '*');"
    )
    time.sleep(1.0)
    heard = driver.execute_script("return window.heard")
    assert heard and heard[-1] == {"rangemap": "step", "step": 3, "steps": len(steps)}
    driver.switch_to.frame(driver.find_element("css selector", "iframe"))
    fourth = state()
    assert fourth["current"] == 3 and fourth["on"] == sorted(steps[3].show)
    # the legend follows the map
    checked = driver.execute_script(
        "return Array.from(document.querySelectorAll('.rm-legend-layers input:checked'))"
        ".map(function (b) { return b.getAttribute('data-layer'); }).join(' ').split(' ')"
    )
    assert set(steps[3].show) <= set(checked)  # a row that switches several is ticked
    # the legend's first rows are the step's
    first_rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('#rm-legend > .rm-legend-layers "
        "input[data-layer]')).map(function (b) { return b.getAttribute('data-layer'); })"
        ".join(' ').split(' ')"
    )
    assert set(steps[3].show) <= set(first_rows)
    assert layout._severe(driver) == []


def test_the_phone_sheet_comes_into_view_with_its_close_button(driver, pages):
    _open(driver, pages["inf-2020"], (375, 640))
    driver.execute_script("document.getElementById('rm-legend').open = true;")
    button = driver.find_element("css selector", "#rm-legend .rm-more")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    driver.switch_to.default_content()
    frame = driver.find_element("css selector", "iframe")
    driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", frame)
    driver.switch_to.frame(frame)
    driver.execute_script("arguments[0].click()", button)
    WebDriverWait(driver, 5).until(
        lambda d: d.execute_script("return document.querySelector('.rm-sheet-open') !== null")
    )
    time.sleep(0.5)
    close = driver.execute_script(
        "var r = document.querySelector('.rm-sheet-close').getBoundingClientRect();"
        "return [r.top, r.bottom];"
    )
    driver.switch_to.default_content()
    top = driver.execute_script(
        "return document.querySelector('iframe').getBoundingClientRect().top"
    )
    inner = driver.execute_script("return window.innerHeight")
    driver.switch_to.frame(driver.find_element("css selector", "iframe"))
    assert top + close[0] >= 0 and top + close[1] <= inner, (top, close, inner)
    assert layout._severe(driver) == []


def test_without_javascript_the_first_step_shows(scenes, tmp_path):
    """The first step's text and buttons are in the page's HTML, before any script."""
    from rangemap.render.html_map import map_html

    scene = scenes["inf-2020"]
    page = map_html(render_map(scene, self_contained=True))
    head = page.split('<div class="rm-map"')[0]
    assert 'id="rm-steps"' in head
    assert "from the Kaliningrad region that reaches" in head
    assert 'aria-current=step aria-label="Step 1 of 5"' in head
