"""The map as a reader meets it: embedded with its own snippet in an article page, at phone,
tablet and desktop widths, in headless Chromium with the network off.

Everything is checked from the DOM's boxes: nothing overlaps a control or runs off screen,
the credits show, every range is labelled and can be pointed at, the page scrolls over it.
Screenshots are kept in pytest's tmp folder (the path is printed) for a person to look at.
Every built-in scene's map, azimuthal and Mercator, also passes axe-core's WCAG and
best-practice rules, and shows no type under 12 px on a phone.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import test_browser
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from rangemap.render.embed import FIXED_HEIGHT_PX, embed_snippet
from rangemap.render.html_map import render_map, save_map
from rangemap.scene import builtin_scenes, load_scene
from rangemap.scene_build import resolve_scene

#: The one headless Chromium of test_browser, network off.
browser_binaries, driver = test_browser.browser_binaries, test_browser.driver

SIZES = [(375, 640), (768, 640), (1200, 800)]
SCENES = ["inf-2020", "oreshnik-belarus-2025"]
#: A range whose outline shows for at least this long (px) must carry a label.
MIN_LABELLED_PX = 80
#: Boxes may touch; they overlap when they share more than this many px each way.
TOUCH_PX = 0.5

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>An article</title>
<style>
body {{ margin: 0; font: 18px/1.6 Georgia, serif; }}
main {{ max-width: 760px; margin: 0 auto; padding: 0 16px; }}
figure {{ max-width: 1200px; margin: 24px auto; padding: 0 16px; box-sizing: border-box; }}
</style></head>
<body><main><h1>What the missiles can reach</h1>{text}</main>
<figure>{snippet}</figure><main>{text}</main></body></html>
"""
_TEXT = "<p>" + "An article's paragraph runs on above and below the map. " * 12 + "</p>"

# Boxes (viewport px of the frame) of everything that must not overlap or leave the screen.
_BOXES = """
function box(el) {
  var r = el.getBoundingClientRect(), s = getComputedStyle(el);
  if (!r.width || !r.height || s.visibility === "hidden" || s.display === "none") { return null; }
  return {name: el.id || el.className.baseVal || el.className, l: r.left, t: r.top,
          r: r.right, b: r.bottom};
}
var out = {controls: [], panels: [], labels: [], popups: []};
document.querySelectorAll(".leaflet-control").forEach(function (el) {
  var b = box(el); if (b) { out.controls.push(b); }
});
["rm-legend", "rm-sources"].forEach(function (id) {
  var b = box(document.getElementById(id)); if (b) { out.panels.push(b); }
});
document.querySelectorAll(".rm-ml").forEach(function (el) {
  var b = box(el); if (b) { b.layers = el.getAttribute("data-layers"); b.text = el.textContent;
                            out.labels.push(b); }
});
document.querySelectorAll(".leaflet-popup, .rm-sheet").forEach(function (el) {
  var b = box(el); if (b) { out.popups.push(b); }
});
// Text wider than its own box: cut off, or run under its border (a scale bar too short for
// "1000 mi" showed "1000 m|").
out.clipped = [];
document.querySelectorAll(".rm-map *, #rm-legend *, #rm-sources *").forEach(function (el) {
  if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && box(el) &&
      el.checkVisibility({visibilityProperty: true})) {  // not in a folded panel
    out.clipped.push((el.className.baseVal || el.className) + ": " + el.textContent.slice(0, 40));
  }
});
out.map = box(document.querySelector(".rm-map"));
out.credits = box(document.querySelector(".rm-credits"));
out.view = {w: window.innerWidth, h: window.innerHeight};
out.scroll = {w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight};
return out;
"""

_MAP = "var map = window.rmMap;"

# For each shown range whose outline crosses the view: a point of the outline where the
# range's own hit line is the element under the pointer, or null.
_REACHABLE = (
    _MAP
    + """
var out = {}, box = map.getContainer().getBoundingClientRect(), slack = arguments[0];
var controls = Array.from(document.querySelectorAll(".leaflet-control"), function (el) {
  return el.getBoundingClientRect();
});
map.eachLayer(function (l) {
  var cls = (l.options && l.options.className) || "";
  if (cls.indexOf("rm-hit") !== 0) { return; }
  var id = cls.split(" ")[1].slice(5), lines = l.getLatLngs(), seen = 0, found = null;
  if (!Array.isArray(lines[0])) { lines = [lines]; }
  lines.forEach(function (line) {
    var last = null;
    line.forEach(function (ll) {
      var p = map.latLngToContainerPoint(ll), x = box.left + p.x, y = box.top + p.y;
      var inView = p.x >= 2 && p.y >= 2 && p.x <= box.width - 2 && p.y <= box.height - 2 &&
        !controls.some(function (c) {
          return x >= c.left && x <= c.right && y >= c.top && y <= c.bottom;
        });
      if (!inView) { last = null; return; }
      if (last) { seen += last.distanceTo(p); }
      last = p;
      if (found) { return; }
      var offsets = slack ? [[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]] : [[0, 0]];
      var hits = offsets.every(function (d) {
        var el = document.elementFromPoint(x + d[0], y + d[1]);
        return el && el.classList.contains("rm-hit") && el.classList.contains("rm-l-" + id);
      });
      if (hits) { found = [p.x, p.y]; }
    });
  });
  if (seen > 0) { out[id] = {"at": found, "visible_px": seen}; }
});
return out;
"""
)


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["r"], b["r"]) - max(a["l"], b["l"]) > TOUCH_PX
        and min(a["b"], b["b"]) - max(a["t"], b["t"]) > TOUCH_PX
    )


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["l"] >= outer["l"] - slack
        and inner["t"] >= outer["t"] - slack
        and inner["r"] <= outer["r"] + slack
        and inner["b"] <= outer["b"] + slack
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The self-contained maps of both scenes, each in an article page with its snippet."""
    folder = tmp_path_factory.mktemp("article")
    for name in SCENES:
        scene = resolve_scene(load_scene(name))
        save_map(render_map(scene, self_contained=True), folder / f"{name}.html")
        snippet = embed_snippet(folder / f"{name}.html", scene.title)
        (folder / f"{name}-article.html").write_text(
            ARTICLE.format(text=_TEXT, snippet=snippet), encoding="utf-8"
        )
        bare = snippet.split("<script>")[0]  # a host page that strips scripts
        (folder / f"{name}-fixed.html").write_text(
            ARTICLE.format(text=_TEXT, snippet=bare), encoding="utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("layout-screens")
    print(f"\nlayout screenshots: {folder}")
    return folder


def _open(driver, page: Path, size: tuple[int, int], *, resized: bool = True) -> None:
    driver.switch_to.default_content()
    driver.set_window_size(*size)
    driver.get_log("browser")
    driver.get(page.as_uri())
    frame = driver.find_element("css selector", "iframe")
    if resized:  # the host script has set the frame's height from the page's message
        WebDriverWait(driver, 15).until(
            lambda d: d.execute_script(
                "return arguments[0].style.height !== arguments[1] + 'px'", frame, FIXED_HEIGHT_PX
            )
        )
    driver.switch_to.frame(frame)
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.querySelectorAll('.rm-ml').length") > 0
    )
    _basemap_drawn(driver)
    time.sleep(0.3)  # a last resize settles


def _basemap_drawn(driver) -> None:
    """The page draws its country outlines after its first frame (html_map)."""
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script(
            "return document.documentElement.classList.contains('rm-basemap')"
        )
    )


def _click_map_at(driver, x: float, y: float) -> tuple[int, int]:
    """A real click at (x, y) of the map container, from the article's own viewport; returns
    where it clicked in that viewport."""
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
    left, top = driver.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.left, r.top];", frame
    )
    at = (round(left + inner[0] + x), round(top + inner[1] + y))
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(*at).click()
    actions.perform()
    driver.switch_to.frame(frame)
    return at


def _severe(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _shot(driver, shots: Path, name: str) -> None:
    driver.switch_to.default_content()
    frame = driver.find_element("css selector", "iframe")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", frame)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return window.innerWidth")
    size = driver.get_window_size()
    driver.set_window_size(size["width"], min(height, 2400))
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", frame)
    frame.screenshot(str(shots / f"{name}.png"))
    driver.set_window_size(size["width"], size["height"])
    assert width > 0
    driver.switch_to.frame(frame)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SCENES)
def test_embedded_map_lays_out_labels_and_answers(driver, site, shots, name, size):
    _open(driver, site / f"{name}-article.html", size)
    boxes = driver.execute_script(_BOXES)
    view = {"l": 0, "t": 0, "r": boxes["view"]["w"], "b": boxes["view"]["h"]}
    # The frame is as tall as its page: nothing scrolls or hides inside it.
    assert boxes["scroll"]["h"] <= boxes["view"]["h"] + 1
    assert boxes["scroll"]["w"] <= boxes["view"]["w"]
    assert _inside(boxes["credits"], view)
    assert _inside(boxes["map"], view)
    assert boxes["clipped"] == []
    for control in boxes["controls"]:
        assert _inside(control, boxes["map"]), control
    solid = boxes["controls"] + boxes["panels"]
    for i, a in enumerate(solid):
        for b in solid[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    # Labels: inside the map, clear of the controls and of one another.
    for i, label in enumerate(boxes["labels"]):
        assert _inside(label, boxes["map"]), label
        for other in boxes["controls"] + boxes["labels"][i + 1 :]:
            assert not _overlap(label, other), (label, other)
    reachable = driver.execute_script(_REACHABLE, False)
    labelled = {
        layer_id for label in boxes["labels"] for layer_id in (label["layers"] or "").split()
    }
    assert reachable, "no range crosses the initial view"
    # Every range whose outline shows for a label's length is labelled (one that only grazes
    # a corner of the view may not be), and every range in view answers the pointer.
    shown = {k for k, v in reachable.items() if v["visible_px"] >= MIN_LABELLED_PX}
    assert shown <= labelled, sorted(shown - labelled)
    assert {k: v for k, v in reachable.items() if v["at"] is None} == {}
    web = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        ".filter(function (u) { return u.indexOf('http') === 0; })"
    )
    assert web == []  # the self-contained file asks the network for nothing
    _shot(driver, shots, f"{name}-{size[0]}")
    assert _severe(driver) == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_details_open_clear_of_the_controls(driver, site, shots, size):
    _open(driver, site / "inf-2020-article.html", size)
    point = driver.execute_script(_REACHABLE, True)["kaliningrad-region--9m729-ru-480"]["at"]
    _click_map_at(driver, *point)
    WebDriverWait(driver, 5).until(
        lambda d: (
            "480 km"
            in d.execute_script(
                "var e = document.querySelector('.rm-sheet-open .rm-sheet, .leaflet-popup');"
                "return e ? e.textContent : ''"
            )
        )
    )
    time.sleep(0.5)  # the popup's auto-pan
    boxes = driver.execute_script(_BOXES)
    assert len(boxes["popups"]) == 1
    popup = boxes["popups"][0]
    assert _inside(popup, boxes["map"]), popup
    for control in boxes["controls"]:
        assert not _overlap(popup, control), (popup, control)
    sheet = driver.execute_script("return document.querySelector('.rm-sheet-open') !== null")
    assert sheet == (size[0] < 600)
    _shot(driver, shots, f"details-{size[0]}")
    assert _severe(driver) == []


@pytest.mark.parametrize("size", [(375, 640), (1200, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_wheel_scrolls_the_article_not_the_map(driver, site, size):
    _open(driver, site / "inf-2020-article.html", size)
    zoom = driver.execute_script(_MAP + "return map.getZoom();")
    driver.switch_to.default_content()
    frame = driver.find_element("css selector", "iframe")
    driver.execute_script("window.scrollTo(0, arguments[0].offsetTop - 40)", frame)
    before = driver.execute_script("return window.scrollY")
    origin = ScrollOrigin.from_element(frame, 0, 0)
    ActionChains(driver).scroll_from_origin(origin, 0, 300).perform()
    time.sleep(0.6)
    after = driver.execute_script("return window.scrollY")
    driver.switch_to.frame(frame)
    assert after > before
    assert driver.execute_script(_MAP + "return map.getZoom();") == zoom


def test_without_the_host_script_the_fixed_frame_still_shows_the_credits(driver, site, shots):
    _open(driver, site / "inf-2020-fixed.html", (375, 640), resized=False)
    boxes = driver.execute_script(_BOXES)
    assert boxes["view"]["h"] == FIXED_HEIGHT_PX
    view = {"l": 0, "t": 0, "r": boxes["view"]["w"], "b": boxes["view"]["h"]}
    assert _inside(boxes["credits"], view)
    assert _inside(boxes["map"], view) and boxes["map"]["b"] - boxes["map"]["t"] >= 200
    assert "GeoNames" in driver.execute_script(
        "return document.querySelector('.rm-credits').textContent"
    )
    _shot(driver, shots, "fixed-375")
    assert _severe(driver) == []


def test_the_wheel_zooms_after_a_click_on_the_map(driver, site):
    _open(driver, site / "inf-2020-article.html", (1200, 800))
    zoom = driver.execute_script(_MAP + "return map.getZoom();")
    point = driver.execute_script(_MAP + "var s = map.getSize(); return [s.x / 2, s.y / 2];")
    at = _click_map_at(driver, *point)
    driver.execute_script(_MAP + "map.closePopup();")  # a country's popup takes its own wheel
    driver.switch_to.default_content()
    frame = driver.find_element("css selector", "iframe")
    before = driver.execute_script("return window.scrollY")
    # the wheel where the click was: the pointer has not left the map
    ActionChains(driver).scroll_from_origin(ScrollOrigin.from_viewport(*at), 0, -300).perform()
    time.sleep(0.8)
    after = driver.execute_script("return window.scrollY")
    driver.switch_to.frame(frame)
    assert driver.execute_script(_MAP + "return map.getZoom();") > zoom
    assert after == before  # the wheel went to the map, not the article


def _touch(driver, strokes: list[list[tuple[float, float]]]) -> None:
    """One touch gesture through Chromium's input pipeline (as a phone's screen sends it):
    `strokes[k]` is where each finger is at step k, in the article's viewport."""
    kinds = ["touchStart"] + ["touchMove"] * (len(strokes) - 1)
    for kind, fingers in zip(kinds, strokes, strict=True):
        points = [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(fingers)]
        driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
        time.sleep(0.02)
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    time.sleep(0.8)


def test_touch_one_finger_scrolls_the_article_two_fingers_move_the_map(driver, site):
    """On a phone the article scrolls under a finger that crosses the map; two fingers pan
    the map and spread fingers zoom it (leaflet-gesture-handling)."""
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 640, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        _open(driver, site / "inf-2020-article.html", (375, 640))
        state = _MAP + "var c = map.getCenter(); return [c.lat, c.lng, map.getZoom()];"
        inner = driver.execute_script(
            "var b = document.querySelector('.rm-map').getBoundingClientRect();"
            "return [b.left + b.width / 2, b.top + b.height / 2];"
        )
        driver.switch_to.default_content()
        frame = driver.find_element("css selector", "iframe")
        driver.execute_script("window.scrollTo(0, arguments[0].offsetTop - 20)", frame)
        left, top = driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return [r.left, r.top];", frame
        )
        x, y = left + inner[0], top + inner[1]

        def gesture(strokes):
            driver.switch_to.default_content()
            scrolled = driver.execute_script("return window.scrollY")
            _touch(driver, strokes)
            scrolled = driver.execute_script("return window.scrollY") - scrolled
            driver.switch_to.frame(frame)
            return scrolled, driver.execute_script(state)

        driver.switch_to.frame(frame)
        before = driver.execute_script(state)
        scrolled, after = gesture([[(x, y - k)] for k in range(0, 120, 10)])
        assert scrolled > 50 and after == before  # the page moved, the map did not
        scrolled, after = gesture([[(x - 30, y + k), (x + 30, y + k)] for k in range(0, 100, 10)])
        assert scrolled == 0 and after[:2] != before[:2] and after[2] == before[2]
        moved = after
        _, after = gesture([[(x - 10 - k, y), (x + 10 + k, y)] for k in range(0, 120, 10)])
        assert after[2] > moved[2]  # spread fingers zoom in
        assert _severe(driver) == []
    finally:
        driver.switch_to.default_content()
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_legend_works_from_the_keyboard(driver, site):
    _open(driver, site / "inf-2020-article.html", (1200, 800))
    layer = "kaliningrad-region--9m729-ru-480"  # on in the first step
    paths = f"return document.querySelectorAll('path.rm-l-{layer}').length"
    assert driver.execute_script(paths) == 3
    box = driver.find_element("css selector", f'input[data-layer="{layer}"]')
    driver.execute_script("arguments[0].focus()", box)
    box.send_keys(Keys.SPACE)
    assert driver.execute_script(paths) == 0
    box.send_keys(Keys.SPACE)
    assert driver.execute_script(paths) == 3
    button = driver.find_element("css selector", f'button.rm-more[data-layer="{layer}"]')
    driver.execute_script("arguments[0].focus()", button)
    button.send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(
        lambda d: (
            "up to 480 km"
            in d.execute_script(
                "var e = document.querySelector('.leaflet-popup'); return e ? e.textContent : ''"
            )
        )
    )
    assert _severe(driver) == []


# --- accessibility: axe-core's rules and the type size on phones ----------------------------

#: axe-core, vendored for the tests by layers/vendor_js.py (tests/vendor/VENDOR.json).
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.0-2.2 A and AA, and Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PROJECTIONS = ["aeqd", "mercator"]
#: The graphics desk's floor for type on phones (320-375 px).
MIN_FONT_PX = 12

# Everything a reader can unfold, at once: the panels, the map in words, the layer list, the
# first range's details (a popup, or the bottom sheet on phones) and a ring's tooltip.
_UNFOLD = (
    _MAP
    + """
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
var layers = document.querySelector(".leaflet-control-layers");
if (layers) { layers.classList.add("leaflet-control-layers-expanded"); }
document.querySelector(".rm-more").click();
var tip = null;
map.eachLayer(function (l) { if (!tip && l.getTooltip && l.getTooltip()) { tip = l; } });
if (tip) { tip.openTooltip(); }
"""
)

# Opens the details of a site (its marker's popup) or of the country nearest the middle of
# the view (a site's long popup may pan the view out to sea, where no country's middle is).
_OPEN_DETAILS = (
    _MAP
    + """
var kind = arguments[0], middle = map.getSize().divideBy(2), found = null, best = Infinity;
map.eachLayer(function (l) {
  if (!l.getPopup || !l.getPopup()) { return; }
  if (kind === "site" && !found && l.getLatLng && !l.feature) { found = l; }
  if (kind === "country" && l.feature) {
    var d = map.latLngToContainerPoint(l.getBounds().getCenter()).distanceTo(middle);
    if (d < best) { best = d; found = l; }
  }
});
found.openPopup(found.getLatLng ? found.getLatLng() : found.getBounds().getCenter());
"""
)

_AXE_RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(function (r) {
    done(r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(function (n) {
        return n.target.join(" ") + ": " + n.failureSummary;
      })};
    }));
  }, function (err) { done([{id: "axe-error", impact: "critical", nodes: [String(err)]}]); });
"""

# The elements under `root` that show text of their own (not hidden, folded or see-through)
# in type smaller than `min` px.
_SMALL_TYPE_FN = """
function (min, root) {
  var out = [];
  root.querySelectorAll("*").forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim();
    });
    if (!own || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) {
      return;
    }
    var r = el.getBoundingClientRect(), size = parseFloat(getComputedStyle(el).fontSize);
    if (r.width && r.height && size < min) {
      out.push(size + "px " + el.tagName + "." + (el.className.baseVal || el.className) + ": " +
               el.textContent.trim().slice(0, 30));
    }
  });
  return out;
}
"""
_SMALL_TYPE = f"return ({_SMALL_TYPE_FN})(arguments[0], document.body);"
# Every popup of the map (rings, sites, countries) opened in turn, as the bottom sheet shows
# it on a phone: the small type each holds.
_SMALL_TYPE_IN_DETAILS = (
    _MAP
    + f"var small = {_SMALL_TYPE_FN};"
    + """
var min = arguments[0], sheet = document.querySelector(".rm-sheet"), out = [], n = 0;
map.eachLayer(function (l) {
  if (!l.getPopup || !l.getPopup() || l.getLatLngs && !l.getLatLngs().length) { return; }
  l.openPopup(l.getLatLngs ? undefined : l.getLatLng());
  n += 1;
  small(min, sheet).forEach(function (s) { if (out.indexOf(s) < 0) { out.push(s); } });
});
map.closePopup();
return {opened: n, small: out};
"""
)


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Each built-in scene's self-contained map, azimuthal and Web Mercator."""
    folder = tmp_path_factory.mktemp("maps")
    out = {}
    for name in builtin_scenes():
        scene = resolve_scene(load_scene(name))
        for projection in PROJECTIONS:
            out[name, projection] = save_map(
                render_map(scene, self_contained=True, projection=projection),
                folder / f"{name}-{projection}.html",
            )
    return out


def _open_map(driver, page: Path, width: int) -> None:
    driver.switch_to.default_content()
    driver.set_window_size(width, 800)
    driver.get_log("browser")
    driver.get(page.as_uri())
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.querySelectorAll('.rm-ml').length") > 0
    )
    _basemap_drawn(driver)
    time.sleep(0.3)  # a last resize settles


def _details_shown(driver) -> None:
    WebDriverWait(driver, 5).until(
        lambda d: d.execute_script(
            "return document.querySelector('.rm-sheet-open .rm-sheet, .leaflet-popup') !== null"
        )
    )
    time.sleep(0.4)  # the popup's fade-in (axe reads half-faded text as low contrast), auto-pan


def _unfold(driver) -> None:
    driver.execute_script(_UNFOLD)
    _details_shown(driver)


def _axe(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(_AXE_RUN, AXE_TAGS)


# axe over an article page and the map in its frame: each violation's nodes as target paths
# (a node inside the frame is ["iframe", "selector in the map page"]).
_AXE_RUN_FRAMES = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"],
                   iframes: true})
  .then(function (r) {
    done({
      violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) {
          return {target: n.target, summary: n.failureSummary};
        })};
      }),
      // rules that passed on a node inside the frame: proof that axe looked in there
      framed: r.passes.filter(function (v) {
        return v.nodes.some(function (n) { return n.target.length > 1; });
      }).length
    });
  }, function (err) { done({violations: [{id: "axe-error", nodes: [String(err)]}], framed: 0}); });
"""
#: The test pages are files, whose frames have an opaque origin: let axe talk to them.
_AXE_ANY_ORIGIN = ";axe.configure({allowedOrigins: ['<unsafe_all_origins>']});"


@pytest.mark.parametrize("size", [(375, 640), (1200, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SCENES)
def test_axe_finds_nothing_in_the_embedded_map(driver, site, name, size):
    """axe-core over an article with the map in its frame, as readers meet it: nothing in
    the frame, nor on the <iframe> element the snippet writes (its title, its name)."""
    _open(driver, site / f"{name}-article.html", size)
    axe = AXE.read_text(encoding="utf-8") + _AXE_ANY_ORIGIN
    driver.execute_script(axe)  # axe checks a frame only where it runs in it too
    driver.switch_to.default_content()
    driver.execute_script(axe)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(_AXE_RUN_FRAMES, AXE_TAGS)
    found = result["violations"]
    assert not [v for v in found if v["id"] == "axe-error"], found
    assert result["framed"] > 10  # rules ran on the map page's own nodes
    ours = [
        (v["id"], v["impact"], node["target"], node["summary"])
        for v in found
        for node in v["nodes"]
        if len(node["target"]) > 1 or str(node["target"][0]).startswith("iframe")
    ]
    assert ours == []
    checked = driver.execute_script("return document.querySelector('iframe').title")
    assert checked  # the frame-title rule had a title to check
    driver.switch_to.frame(driver.find_element("css selector", "iframe"))


@pytest.mark.parametrize("width", [375, 1200])
@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("name", builtin_scenes())
def test_axe_finds_no_serious_violation(driver, maps, name, projection, width):
    """axe-core on the map as it opens, with everything unfolded (panels, a range's details),
    then with a site's and a country's details."""
    _open_map(driver, maps[name, projection], width)
    found = _axe(driver)
    _unfold(driver)
    found += _axe(driver)
    for kind, words in (("site", "Position:"), ("country", "range shown on the map")):
        driver.execute_script(_OPEN_DETAILS, kind)
        _details_shown(driver)
        shown = driver.execute_script(
            "return document.querySelector('.rm-sheet-open .rm-sheet, .leaflet-popup').textContent"
        )
        assert words in shown, (kind, shown)
        found += _axe(driver)
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    # The moderate ones found before (heading order, no main landmark, text outside a
    # landmark) are fixed too; nothing minor or moderate comes back unnoticed.
    assert found == [], found
    assert _severe(driver) == []


_MAP_HEIGHT = "return document.querySelector('.rm-map').getBoundingClientRect().height"


@pytest.mark.parametrize("width", [375, 1200])
@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("name", builtin_scenes())
def test_unfolding_the_panels_keeps_the_map_height(driver, maps, name, projection, width):
    """The map's height is its own: the legend, "More ranges" and the sources unfolded beside
    or below it scroll or flow, and never stretch the map (a map grown to the panels' height
    framed another part of the world and broke the details a reader opens)."""
    _open_map(driver, maps[name, projection], width)
    before = driver.execute_script(_MAP_HEIGHT)
    _unfold(driver)
    after = driver.execute_script(_MAP_HEIGHT)
    assert abs(after - before) <= 0.1 * before, (before, after)


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("name", builtin_scenes())
def test_phone_type_is_at_least_12_px(driver, maps, name, projection, width):
    """Every text of the page on a phone: labels, scale, credits, panels, details, tooltips."""
    _open_map(driver, maps[name, projection], width)
    assert driver.execute_script(_SMALL_TYPE, MIN_FONT_PX) == []
    names = driver.execute_script(
        "return Array.from(document.querySelectorAll('.rm-label span'))"
        ".filter(function (e) { return e.checkVisibility({visibilityProperty: true}); }).length"
    )
    assert names > 0 or projection == "mercator"  # it saw the azimuthal basemap's names
    _unfold(driver)
    assert driver.execute_script(_SMALL_TYPE, MIN_FONT_PX) == []
    details = driver.execute_script(_SMALL_TYPE_IN_DETAILS, MIN_FONT_PX)
    assert details["opened"] > 0
    assert details["small"] == []
