"""The maps in a real browser: headless Chromium, offline, one session and a few page loads.

A missing browser fails these tests: they are the only check that the page works at all.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from page_data import page_circle, page_data
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.support.ui import WebDriverWait

from rangemap import story
from rangemap.catalog import Source
from rangemap.coverage import PLACES_LABEL
from rangemap.render.html_map import render_map, save_map
from rangemap.scene import Scene, SceneRange, SceneSite, load_scene
from rangemap.scene_build import resolve_scene

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: The desktop window is tall enough for the whole page (map beside its legend), so every
#: point of the map can be pointed at without scrolling.
DESKTOP, PHONE = (1280, 1400), (375, 700)

#: Each sets window.__xss if it ever runs; the page must show each as text.
XSS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
    "</script><script>window.__xss=1</script>",
    "${window.__xss=1}`",
    "{{ 7 * 7 }}{% raw %}",
]

# The map, as the page's renderer exposes it.
_MAP = "var map = window.rmMap;"

# A point (container px) on a layer's outline where that layer's hover line is on top.
_POINT_ON = (
    _MAP
    + """
var cls = arguments[0], hit = null;
map.eachLayer(function (l) {
  if (l.options && (l.options.className || "").split(" ").indexOf(cls) >= 0 &&
      (l.options.className || "").indexOf("rm-hit") === 0) { hit = l; }
});
var box = map.getContainer().getBoundingClientRect(), lines = hit.getLatLngs();
if (!Array.isArray(lines[0])) { lines = [lines]; }
for (var i = 0; i < lines.length; i++) {
  for (var j = 0; j < lines[i].length; j += 3) {
    var p = map.latLngToContainerPoint(lines[i][j]);
    if (p.x < 60 || p.y < 60 || p.x > box.width - 60 || p.y > box.height - 60) { continue; }
    var el = document.elementFromPoint(box.left + p.x, box.top + p.y);
    if (el && el.classList.contains(cls) && el.classList.contains("rm-hit")) {
      return [p.x, p.y];
    }
  }
}
return null;
"""
)

# A point (container px) near a position where the click reaches the country layer.
_POINT_ON_COUNTRY = (
    _MAP
    + """
var c = map.latLngToContainerPoint(arguments[0]), box = map.getContainer().getBoundingClientRect();
for (var r = 0; r < 60; r += 2) {
  for (var a = 0; a < 360; a += 30) {
    var x = c.x + r * Math.cos(a * Math.PI / 180), y = c.y + r * Math.sin(a * Math.PI / 180);
    var clear = true;  // the click must land on the country even a few px off
    for (var d = -4; d <= 4 && clear; d += 4) {
      for (var e = -4; e <= 4 && clear; e += 4) {
        var el = document.elementFromPoint(box.left + x + d, box.top + y + e);
        clear = el !== null && el.classList.contains("rm-country");
      }
    }
    if (clear) { return [Math.round(x), Math.round(y)]; }
  }
}
return null;
"""
)


@pytest.fixture(scope="session")
def browser_binaries() -> tuple[Path, Path]:
    """Chromium and its driver; their absence is a failure, never a skip."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"browser tests need {', '.join(missing)}: install Debian's chromium and "
            "chromium-driver (apt-get install chromium chromium-driver)",
            pytrace=False,
        )
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture(scope="module")
def driver(browser_binaries):
    """One headless Chromium for the module, with every external request made to fail."""
    chromium, chromedriver = browser_binaries
    profile = tempfile.mkdtemp(prefix="rangemap-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        # No network: every request that is not loopback goes to a closed port.
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        browser = webdriver.Chrome(service=Service(str(chromedriver)), options=options)
    except WebDriverException as err:
        pytest.fail(f"cannot start headless Chromium: {err.msg}", pytrace=False)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def inf():
    return resolve_scene(load_scene())


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Screenshots are kept (pytest's tmp folder) so a person can look at them."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, inf) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("maps")
    paths = {
        "self-contained": save_map(
            render_map(inf, self_contained=True, projection="mercator"), folder / "sc.html"
        ),
        "xss": save_map(render_map(_xss_scene(), self_contained=True), folder / "xss.html"),
    }
    tiles = render_map(inf, projection="mercator")  # the default map in Mercator
    paths["tiles"] = save_map(tiles, folder / "tiles.html")
    return paths


def _xss_scene() -> Scene:
    sites = tuple(
        SceneSite(
            site=f"{50 + i},{10 + 3 * i}",
            name=payload,
            ranges=(
                SceneRange(
                    km=300 + 100 * i,
                    label=XSS[(i + 1) % len(XSS)],
                    sources=(
                        Source(
                            publisher=XSS[(i + 2) % len(XSS)],
                            title=XSS[(i + 3) % len(XSS)],
                            date="2020-10-26",
                            url=f'https://example.org/{i}?q="><script>window.__xss=1</script>',
                            note=XSS[(i + 4) % len(XSS)],
                        ),
                    ),
                ),
            ),
        )
        for i, payload in enumerate(XSS)
    )
    return Scene(title=XSS[0], subtitle=XSS[1], caption=XSS[2], sites=sites)


def _load(driver, path: Path, size: tuple[int, int]) -> None:
    driver.set_window_size(*size)
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.as_uri())
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.querySelectorAll('path.rm-hit').length") > 0
    )
    _basemap_drawn(driver)
    driver.execute_script(_MAP + "window.__rmView = [map.getCenter(), map.getZoom()];")


def _basemap_drawn(driver) -> None:
    """The page draws its country outlines after its first frame (html_map)."""
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script(
            "return document.documentElement.classList.contains('rm-basemap')"
        )
    )


def _severe(driver, *, ignore: tuple[str, ...] = ()) -> list[str]:
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and not any(i in e["message"] for i in ignore)
    ]


def _requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _count(driver, selector: str) -> int:
    return driver.execute_script("return document.querySelectorAll(arguments[0]).length", selector)


def _pointer_to(driver, x: float, y: float) -> ActionBuilder:
    """The pointer moved to (x, y) of the map container, scrolled into the window first:
    the page is taller than the window, and WebDriver's element offsets count from the
    centre of an element's visible part only."""
    left, top = driver.execute_script(
        "var b = document.querySelector('.rm-map').getBoundingClientRect();"
        "window.scrollBy(0, b.top + arguments[0] - window.innerHeight / 2);"
        "b = document.querySelector('.rm-map').getBoundingClientRect();"
        "return [b.left, b.top];",
        y,
    )
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(round(left + x), round(top + y))
    return actions


def _click_at(driver, x: float, y: float) -> None:
    actions = _pointer_to(driver, x, y)
    actions.pointer_action.click()
    actions.perform()


def _hover_at(driver, x: float, y: float) -> None:
    _pointer_to(driver, x, y).perform()


def _text(driver, selector: str) -> str:
    return driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.textContent : null", selector
    )


def _close_popup(driver) -> None:
    """Close the open popup, undo its auto-pan, wait until its fade-out has removed it."""
    driver.execute_script(
        _MAP + "map.closePopup(); map.setView(__rmView[0], __rmView[1], {animate: false});"
    )
    WebDriverWait(driver, 5).until(lambda d: _count(d, ".leaflet-popup") == 0)


def _colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24))


def _has_colour(png: bytes, rgb: tuple[int, int, int], tolerance: int = 40) -> bool:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return any(
        all(abs(a - b) <= tolerance for a, b in zip(colour, rgb, strict=True))
        for _, colour in image.getcolors(maxcolors=1 << 24)
    )


@pytest.fixture(scope="module")
def desktop(driver, pages):
    """The self-contained default map, loaded once at desktop size with the network off."""
    _load(driver, pages["self-contained"], DESKTOP)
    return {
        "severe": _severe(driver),
        "requests": _requested_urls(driver),
        "resources": driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        ),
    }


def test_self_contained_map_runs_offline_without_errors(driver, desktop):
    assert desktop["severe"] == []
    assert desktop["requests"], "the performance log recorded no request at all"
    web = [u for u in desktop["requests"] + desktop["resources"] if u.startswith("http")]
    assert web == []
    assert driver.execute_script("return L.version") == "1.9.4"


def test_expected_layers_are_drawn(driver, desktop, inf):
    """The map opens on the story's first step: its layers drawn, the others off."""
    first = set(story.steps(inf)[0].show)
    for layer in inf.drawn:
        paths = _count(driver, f"path.rm-l-{layer.id}")
        interactive = _count(driver, f"path.leaflet-interactive.rm-l-{layer.id}")
        if layer.id not in first:
            assert (paths, interactive) == (0, 0), layer.id
        else:
            assert paths == (2 if layer.kind == "threshold" else 3), layer.id
            assert interactive == 1, layer.id  # the hover/click line; fill and line are not
    assert _count(driver, "path.rm-site") == len(inf.sites)
    assert _count(driver, "path.rm-l-deveselu--sm-3-no-official-figure") == 0


def test_mercator_page_draws_its_rings_as_python_decodes_them(driver, desktop, pages):
    """On the Web Mercator page, rmRing draws a point site's circles from their numbers
    (rmCircle, with the engine's extra azimuths near a pole; rmRound cutting one round the
    North Pole at +-180) and a band's fill from its outline, closed along the map's top edge,
    as tests/test_display_bound.py reads them in Python (page_data.page_circle)."""
    import numpy as np

    data = page_data(pages["self-contained"].read_text(encoding="utf-8"))
    rings = [layer["ring"] for layer in data["layers"]]
    outlines: list = []  # the page's rmOutlines: a line drawn before is referred to by index
    lines = []  # each ring's lines, references resolved
    for d in rings:
        for line in d["lines"]:
            if not isinstance(line, int):
                outlines.append(line)
        lines.append([outlines[x] if isinstance(x, int) else x for x in d["lines"]])
        lines[-1] = [x if isinstance(x, dict) else None for x in lines[-1]]  # circles only
    polar_at = next(i for i, d in enumerate(rings)
                    if d["fillOutline"] == [90, 0] and "p" in (lines[i][0] or {}))  # fmt: skip
    polar, (outer, inner) = rings[polar_at], lines[polar_at]
    circle = next(d for d in rings if isinstance(d["lines"][0], dict) and "c" in d["lines"][0])
    drawn = driver.execute_script(
        _MAP
        + """
        function latlngs(x) {
          return x.map(function (y) { return y.lat === undefined ? latlngs(y) : [y.lat, y.lng]; });
        }
        var style = arguments[1];
        return arguments[0].map(function (d) {
          var group = L.layerGroup().addTo(map);
          rmIndex(d);  // its new lines numbered after the page's (numbers refer to the page's)
          rmRing(group, d, style);
          var layers = group.getLayers(), out = latlngs(layers[0].getLatLngs());
          map.removeLayer(group);
          return out;
        });
        """,
        [polar, circle],
        data["ringStyle"],
    )
    (fill_outer, fill_inner), got = drawn[0], np.array(drawn[0][0][:-2])
    want = page_circle(outer)[:, ::-1]
    assert got.shape == want.shape and np.max(np.abs(got - want)) < 1e-7  # 1 cm
    assert fill_outer[-2:] == [[90.0, fill_outer[-3][1]], [90.0, fill_outer[0][1]]]
    assert {fill_outer[0][1], fill_outer[-3][1]} == {-180.0, 180.0}
    # Leaflet drops a polygon ring's closing vertex: the inner circle's
    assert inner is None or len(fill_inner) == len(page_circle(inner)) - 1
    got = np.array(drawn[1][0] if circle["fillOutline"] else drawn[1])[:, ::-1]
    want = page_circle(circle["lines"][0])[: len(got)]
    assert np.max(np.abs(got - want)) < 1e-7


def _toggle(driver, name: str) -> None:
    driver.execute_script(
        """
        var labels = document.querySelectorAll('.leaflet-control-layers-overlays label');
        for (var i = 0; i < labels.length; i++) {
          if (labels[i].textContent.trim() === arguments[0]) {
            labels[i].querySelector('input').click(); return;
          }
        }
        throw new Error('no layer named ' + arguments[0]);
        """,
        name,
    )


def _step(driver, index: int) -> None:
    """Go to a step of the story (rangemap.render.steps), as its buttons do."""
    driver.execute_script(_MAP + "map.rangemapStep(arguments[0], false);", index)
    time.sleep(0.3)


def test_toggling_a_layer_in_the_control_hides_and_shows_its_paths(driver, desktop):
    _step(driver, 2)  # Western intelligence's 2,350 km beside Russia's 480 km
    _toggle(driver, "Kaliningrad region — 9M729 ≤480 km (stated)")
    assert _count(driver, "path.rm-l-kaliningrad-region--9m729-ru-480") == 0
    assert _count(driver, "path.rm-l-kaliningrad-region--9m729-faz-2350") == 3
    _toggle(driver, "Kaliningrad region — 9M729 ≤480 km (stated)")
    assert _count(driver, "path.rm-l-kaliningrad-region--9m729-ru-480") == 3
    band = "Kaliningrad region — INF shorter-range missile band 500\u20131,000 km"
    _toggle(driver, band)
    assert _count(driver, "path.rm-l-kaliningrad-region--inf-shorter-range") == 3
    _toggle(driver, band)
    assert _count(driver, "path.rm-l-kaliningrad-region--inf-shorter-range") == 0


def test_hover_and_click_a_ring_tell_range_claimant_sources_coverage(driver, desktop):
    point = driver.execute_script(_POINT_ON, "rm-l-kaliningrad-region--9m729-faz-2350")
    assert point is not None
    _hover_at(driver, *point)
    WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-tooltip"))
    tooltip = _text(driver, ".leaflet-tooltip")
    assert "9M729: Western intelligence estimates up to 2,350 km" in tooltip
    # Drawn from the region; from the city point the same claim reaches 52 countries, 5
    # territories and 1 other area (UN member or observer states; territories and other areas,
    # such as Kosovo, counted apart)
    assert "53 countries, 7 territories and 1 other area" in tooltip and "uncertain" in tooltip
    assert "million people in cities and towns of 15,000+" in tooltip
    assert "From anywhere in the Kaliningrad region" in tooltip
    _click_at(driver, *point)
    WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-popup-content"))
    popup = _text(driver, ".leaflet-popup-content")
    for fragment in ("Claimed by:", "Frankfurter Allgemeine", "Capitals in range:", "Berlin",
                     "Territories, counted apart:", "Mariehamn",
                     "Other areas (not UN members), counted apart: Kosovo"):  # fmt: skip
        assert fragment in popup
    assert PLACES_LABEL in popup
    # The popup is panned into the map, clear of its controls (the legend is beside the map).
    inside = (
        "var p = document.querySelector('.leaflet-popup').getBoundingClientRect(),"
        " m = document.querySelector('.rm-map').getBoundingClientRect();"
        "return p.top >= m.top && p.bottom <= m.bottom && p.left >= m.left && p.right <= m.right;"
    )
    try:
        WebDriverWait(driver, 5).until(lambda d: d.execute_script(inside))
    finally:
        _close_popup(driver)


def test_click_a_country_gives_the_share_each_ring_covers(driver, desktop, inf):
    point = driver.execute_script(_POINT_ON_COUNTRY, [52.2, 19.0])
    assert point is not None
    _click_at(driver, *point)
    WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-popup-content h2"))
    assert _text(driver, ".leaflet-popup-content h2") == "Poland"
    popup = _text(driver, ".leaflet-popup-content")
    ru480 = next(layer for layer in inf.drawn if layer.id == "kaliningrad-region--9m729-ru-480")
    share = next(r.covered_pct for r in ru480.countries if r.country == "Poland")
    assert f"Kaliningrad region — 9M729 ≤480 km (stated){share:.1f} %" in popup
    _close_popup(driver)
    # Only rings that are switched on are listed: hide the 480 km ring and click again.
    _toggle(driver, ru480.name)
    try:
        _click_at(driver, *point)
        WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-popup-content h2"))
        assert "9M729 480 km" not in _text(driver, ".leaflet-popup-content")
        _close_popup(driver)
    finally:
        _toggle(driver, ru480.name)


def test_site_popup_says_what_the_point_marks_and_who_claims_what(driver, desktop):
    driver.execute_script(
        _MAP
        + """map.eachLayer(function (l) {
          if ((l.options.className || '').indexOf('rm-s-deveselu') >= 0) { l.openPopup(); }
        });"""
    )
    popup = _text(driver, ".leaflet-popup-content")
    for fragment in (
        "The point marks: whole base",
        "44.0787° N, 24.4134° E",
        "Hosting (disputed):",
        "Russia (MFA spokeswoman Maria Zakharova",
        "SM-3 — no public range figure (United States, stated) uncertain — not drawn",
    ):
        assert fragment in popup
    _close_popup(driver)


def test_desktop_screenshot_shows_rings_legend_and_title(driver, desktop, shots):
    driver.execute_script("document.getElementById('rm-legend').open = true;")  # as on load
    png = driver.get_screenshot_as_png()
    (shots / "desktop.png").write_bytes(png)
    assert _colours(png) > 300
    assert _has_colour(png, (0xD5, 0x5E, 0x00), tolerance=12)  # 9M729 rings
    assert _has_colour(png, (0x00, 0x72, 0xB2), tolerance=12)  # Tomahawk rings
    assert _text(driver, "h1").startswith("After the INF Treaty")
    assert driver.execute_script("return document.getElementById('rm-legend').offsetHeight") > 30


def test_phone_width_map_fills_the_screen_and_folds_the_panels(driver, pages, shots):
    _load(driver, pages["self-contained"], PHONE)
    assert _severe(driver) == []
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert width <= PHONE[0]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    rect = driver.execute_script(
        "return document.querySelector('.rm-map').getBoundingClientRect().toJSON()"
    )
    assert rect["width"] == width and rect["height"] >= 250
    assert driver.execute_script("return document.getElementById('rm-legend').open") is False
    png = driver.get_screenshot_as_png()
    (shots / "phone.png").write_bytes(png)
    assert _colours(png) > 200


def test_injected_text_shows_as_text_and_never_runs(driver, pages, shots):
    _load(driver, pages["xss"], DESKTOP)
    driver.execute_script(
        _MAP
        + """
        document.querySelector('.leaflet-control-layers').classList
          .add('leaflet-control-layers-expanded');
        document.getElementById('rm-sources').open = true;
        // countries first (drawn after the first frame, they come last): a ring's popup last
        function country(l) { return /rm-country/.test(l.options.className || ""); }
        [true, false].forEach(function (countries) {
          map.eachLayer(function (l) {
            if (country(l) !== countries) { return; }
            if (l.getTooltip && l.getTooltip()) { l.openTooltip(); }
            if (l.getPopup && l.getPopup()) { l.openPopup(); }
          });
        });
        """
    )
    (shots / "xss.png").write_bytes(driver.get_screenshot_as_png())
    assert driver.execute_script("return window.__xss") is None
    assert _severe(driver) == []
    assert _text(driver, "h1") == XSS[0]
    assert _text(driver, ".rm-head p") == XSS[1]
    assert _text(driver, ".rm-caption") == XSS[2]
    control = _text(driver, ".leaflet-control-layers-overlays")
    legend = _text(driver, "#rm-legend")
    for payload in XSS:
        assert payload in control and payload in legend
    assert XSS[-1] in _text(driver, ".leaflet-popup-content")  # the last popup opened
    sources = _text(driver, "#rm-sources")
    for payload in XSS:  # claim sources: publisher, title and note, shown as text
        assert payload in sources
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#rm-sources a')).map(a => a.href)"
    )
    assert any("example.org/0" in h for h in hrefs)
    assert all(h.startswith("https://") for h in hrefs)


def test_default_map_asks_the_network_for_tiles_only(driver, pages):
    """The default page with the network off: only the (blocked) tile requests may fail."""
    _load(driver, pages["tiles"], DESKTOP)
    assert _severe(driver, ignore=("basemaps.cartocdn.com",)) == []
    requested = [u for u in _requested_urls(driver) if u.startswith("http")]
    assert requested and all("basemaps.cartocdn.com/light_all/" in u for u in requested)
    tiles = driver.execute_script(
        "return Array.from(document.querySelectorAll('img.leaflet-tile'), function (i) {"
        " return i.src; })"
    )
    assert tiles and all("basemaps.cartocdn.com/light_all/" in t for t in tiles)
    assert _count(driver, "path.rm-l-kaliningrad-region--9m729-ru-480") == 3
    assert _count(driver, "path.rm-country") > 200


# --- the azimuthal equidistant map (rangemap.render.html_projection) ------------------------------

_BOX = "return document.querySelector(arguments[0]).getBoundingClientRect().toJSON()"


def _one_ring_scene(site: str, km: float) -> Scene:
    return Scene(
        title="One ring",
        projection="aeqd",
        sites=(SceneSite(site=site, name="Site", ranges=(SceneRange(km=km, label="ring"),)),),
    )


@pytest.fixture(scope="module")
def aeqd_pages(tmp_path_factory, inf) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("aeqd")
    scenes = {
        "inf": inf,  # the default scene opens in AEQD
        "5000": _one_ring_scene("52.0,30.0", 5000),
        "pole": _one_ring_scene("54.71,20.51", 5500),  # holds the North Pole
        "xss": _xss_scene().model_copy(update={"projection": "aeqd"}),
    }
    return {name: save_map(render_map(s), folder / f"{name}.html") for name, s in scenes.items()}


def _ring_class(scene: Scene) -> str:
    return f"rm-l-{resolve_scene(scene).drawn[0].id}"


def test_aeqd_map_runs_offline_without_errors(driver, aeqd_pages, shots):
    for size, name in ((DESKTOP, "desktop"), ((1200, 800), "1200"), (PHONE, "phone")):
        _load(driver, aeqd_pages["inf"], size)
        assert _severe(driver) == []
        assert [u for u in _requested_urls(driver) if u.startswith("http")] == []
        assert driver.execute_script("return typeof L.CRS.RangemapAEQD.projection") == "object"
        assert _count(driver, "path.rm-country") > 100
        assert _count(driver, ".rm-capital") > 20
        (shots / f"aeqd-{name}.png").write_bytes(driver.get_screenshot_as_png())
    # on a phone: the page does not scroll sideways and the panels are folded
    width = driver.execute_script("return window.innerWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    assert driver.execute_script("return document.getElementById('rm-legend').open") is False
    assert "(+ near Warsaw)" in _text(driver, ".leaflet-control-scale")


# Counts the page's reads of a box or a size from now on (each may lay the page out again).
_COUNT_READS = """
var reads = 0, rect = Element.prototype.getBoundingClientRect;
Element.prototype.getBoundingClientRect = function () { reads++; return rect.call(this); };
["offsetWidth", "offsetHeight"].forEach(function (name) {
  var own = Object.getOwnPropertyDescriptor(HTMLElement.prototype, name);
  Object.defineProperty(HTMLElement.prototype, name, {configurable: true,
    get: function () { reads++; return own.get.call(this); }});
});
window.__rmReads = function () { return reads; };
"""


def test_labels_placed_again_read_only_the_controls_and_the_map(driver, aeqd_pages):
    """A ring switched off and on again places the labels twice: each time the page reads the
    controls' boxes and the map's, and no label's or name's (their sizes are known: reading
    one after placing another laid the page out again for every label)."""
    _load(driver, aeqd_pages["inf"], DESKTOP)
    time.sleep(0.3)
    controls = _count(driver, ".leaflet-control")
    assert _count(driver, ".rm-ml") > 3 and _count(driver, ".rm-label") > 100
    driver.execute_script(_COUNT_READS)
    for checked in (False, True):
        driver.execute_script(
            "var box = document.querySelector('.rm-legend-layers input[data-layer]');"
            "box.checked = arguments[0]; box.dispatchEvent(new Event('change'));",
            checked,
        )
        time.sleep(0.3)
    assert driver.execute_script("return window.__rmReads()") <= 2 * (controls + 1)
    assert _count(driver, ".rm-ml") > 3


def test_aeqd_names_are_one_layer_not_a_marker_each(driver, aeqd_pages):
    """The basemap's ~350 names are plain elements of one layer: the centre's + is the only
    marker on the map."""
    _load(driver, aeqd_pages["inf"], DESKTOP)
    time.sleep(0.3)
    markers = driver.execute_script(
        _MAP + "var n = 0; map.eachLayer(function (l) { if (l instanceof L.Marker) { n++; } });"
        "return n;"
    )
    assert markers == 1
    assert _count(driver, ".rm-label.rm-capital span") > 20
    assert _count(driver, ".rm-label.rm-country-name span") > 100


def test_aeqd_map_has_the_same_layers_and_popups(driver, aeqd_pages, inf):
    _load(driver, aeqd_pages["inf"], DESKTOP)
    first = set(story.steps(inf)[0].show)
    for layer in inf.drawn:
        expected = (2 if layer.kind == "threshold" else 3) if layer.id in first else 0
        assert _count(driver, f"path.rm-l-{layer.id}") == expected, layer.id
    _step(driver, 2)
    point = driver.execute_script(_POINT_ON, "rm-l-kaliningrad-region--9m729-faz-2350")
    assert point is not None
    # Rings lie close together at this zoom: click the very element found at the point.
    driver.execute_script(
        "var box = document.querySelector('.rm-map').getBoundingClientRect();"
        "var x = box.left + arguments[0], y = box.top + arguments[1];"
        "document.elementFromPoint(x, y).dispatchEvent(new MouseEvent('click',"
        " {clientX: x, clientY: y, bubbles: true}));",
        *point,
    )
    WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-popup-content"))
    assert "Frankfurter Allgemeine" in _text(driver, ".leaflet-popup-content")
    _close_popup(driver)
    # Zoomed out to the treaty's classes (5,500 km), Poland lies under the hit lines of
    # several rings: click a country in the open.
    _step(driver, 3)
    point = driver.execute_script(_POINT_ON_COUNTRY, [48.0, 67.0])
    assert point is not None
    _click_at(driver, *point)
    WebDriverWait(driver, 5).until(lambda d: _text(d, ".leaflet-popup-content h2"))
    assert _text(driver, ".leaflet-popup-content h2") == "Kazakhstan"
    assert "9M729" in _text(driver, ".leaflet-popup-content")
    _close_popup(driver)


def test_page_projects_as_proj_does(driver, aeqd_pages):
    """The page's ellipsoidal aeqd (Vincenty, as proj4js) against PROJ, at 5,000 km."""
    from rangemap.geodesic import ring_vertices
    from rangemap.render.html_projection import aeqd_frame

    _load(driver, aeqd_pages["5000"], DESKTOP)
    frame = aeqd_frame(resolve_scene(_one_ring_scene("52.0,30.0", 5000)))
    lons, lats = ring_vertices(52.0, 30.0, 5000, vertices=72)
    got = driver.execute_script(
        _MAP + "return arguments[0].map(function (p) {"
        "  var q = map.options.crs.projection.project(L.latLng(p[0], p[1])); return [q.x, q.y];"
        "});",
        [[float(a), float(b)] for a, b in zip(lats, lons, strict=True)],
    )
    x, y = frame.forward().transform(lons, lats)
    assert max(abs(g[0] - a) + abs(g[1] - b) for g, a, b in zip(got, x, y, strict=True)) < 0.01


def test_page_projection_is_proj4js_aeqd_bit_for_bit(driver, aeqd_pages):
    """CRS_JS ports proj4js 2.22's ellipsoidal aeqd (vendored for the tests): the same
    doubles both ways for points all over the globe."""
    from rangemap.render.html_projection import aeqd_frame

    _load(driver, aeqd_pages["inf"], DESKTOP)
    frame = aeqd_frame(resolve_scene(load_scene("inf-2020")))
    proj4 = (Path(__file__).parent / "vendor" / "proj4" / "proj4.js").read_text("utf-8")
    driver.execute_script(proj4)
    differ = driver.execute_script(
        _MAP
        + """
        var crs = map.options.crs.projection, p = proj4(arguments[0]), seed = 1, differ = 0;
        function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
        for (var i = 0; i < 5000; i++) {
          var lat = rnd() * 178 - 89, lon = rnd() * 360 - 180, a = p.forward([lon, lat]);
          var b = crs.project(L.latLng(lat, lon));
          var x = (rnd() - 0.5) * 2.4e7, y = (rnd() - 0.5) * 2.4e7, c = p.inverse([x, y]);
          var d = crs.unproject(L.point(x, y));
          if (a[0] !== b.x || a[1] !== b.y || c[0] !== d.lng || c[1] !== d.lat) { differ++; }
        }
        return differ;""",
        frame.proj,
    )
    assert differ == 0


def test_page_solves_geodesics_and_decodes_as_python_does(driver, aeqd_pages):
    """The page's own circles (rmCircle: Vincenty's direct problem) are the engine's points
    within 1 cm at 5,000 km, its unproject inverts PROJ's projection within 1e-9 degrees, and
    its decoder (rmLine) gives rangemap.render.encoding's values."""
    import numpy as np

    from rangemap.geodesic import GEOD
    from rangemap.render.encoding import decode_line, encode_line
    from rangemap.render.html_projection import aeqd_frame

    _load(driver, aeqd_pages["5000"], DESKTOP)
    got = driver.execute_script(
        "return rmCircle([52.0, 30.0, 5000000, 72]).map(function (p) { return [p.lat, p.lng]; });"
    )
    azimuths = 360.0 - np.arange(72) * 5.0
    lons, lats, _ = GEOD.fwd(np.full(72, 30.0), np.full(72, 52.0), azimuths, np.full(72, 5e6))
    _, _, metres = GEOD.inv(lons, lats, [p[1] for p in got[:72]], [p[0] for p in got[:72]])
    assert np.max(metres) < 0.01 and got[-1] == got[0]
    frame = aeqd_frame(resolve_scene(_one_ring_scene("52.0,30.0", 5000)))
    x, y = frame.forward().transform(lons, lats)
    back = driver.execute_script(
        _MAP + "var crs = map.options.crs; return arguments[0].map(function (p) {"
        "  var q = crs.projection.unproject(L.point(p[0], p[1])); return [q.lat, q.lng];"
        "});",
        [[float(a), float(b)] for a, b in zip(x, y, strict=True)],
    )
    gap = np.array(back) - np.column_stack([lats, lons])
    gap[:, 1] = (gap[:, 1] + 180.0) % 360.0 - 180.0  # as proj4js, longitudes not wrapped
    assert np.max(np.abs(gap)) < 1e-9
    line = [[54.7123, 20.5], [-33.25, 179.9999], [89.9, -180.0], [0.0, 0.0]]
    text = encode_line(line, 10_000)
    decoded = driver.execute_script("return rmLine(arguments[0], 10000);", text)
    assert decoded == decode_line(text, 10_000) == line


def test_a_5000_km_ring_is_a_circle_centred_on_its_site(driver, aeqd_pages, shots):
    _load(driver, aeqd_pages["5000"], DESKTOP)
    assert _severe(driver) == []
    cls = _ring_class(_one_ring_scene("52.0,30.0", 5000))
    assert _count(driver, f"path.rm-line.{cls}") == 1
    ring = driver.execute_script(_BOX, f"path.rm-line.{cls}")
    site = driver.execute_script(_BOX, "path.rm-site")
    (shots / "aeqd-5000.png").write_bytes(driver.get_screenshot_as_png())
    assert ring["width"] > 300
    assert ring["height"] == pytest.approx(ring["width"], rel=0.02)
    centre = (ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2)
    dot = (site["x"] + site["width"] / 2, site["y"] + site["height"] / 2)
    assert math.dist(centre, dot) <= 0.02 * ring["width"]


def test_a_ring_holding_the_north_pole_is_one_closed_outline(driver, aeqd_pages, shots):
    _load(driver, aeqd_pages["pole"], DESKTOP)
    assert _severe(driver) == []
    cls = _ring_class(_one_ring_scene("54.71,20.51", 5500))
    assert _count(driver, f"path.rm-line.{cls}") == 1
    assert _count(driver, f"path.rm-fill.{cls}") == 1
    d = driver.execute_script(
        "return document.querySelector(arguments[0]).getAttribute('d')", f"path.rm-line.{cls}"
    )
    assert d.count("M") == 1  # one line, never split at a seam
    points = [tuple(map(float, p.split())) for p in re.findall(r"[ML]\s*([-\d.]+\s+[-\d.]+)", d)]
    assert math.dist(points[0], points[-1]) < 1.0  # closed
    pole = driver.execute_script(
        _MAP + "var p = map.latLngToLayerPoint([90, 0]); return [p.x, p.y];"
    )
    xs, ys = zip(*points, strict=True)
    assert min(xs) < pole[0] < max(xs) and min(ys) < pole[1] < max(ys)
    (shots / "aeqd-pole.png").write_bytes(driver.get_screenshot_as_png())


def test_injected_text_is_inert_in_the_aeqd_map(driver, aeqd_pages):
    _load(driver, aeqd_pages["xss"], DESKTOP)
    driver.execute_script(
        _MAP
        + """map.eachLayer(function (l) {  // rings and sites: the text of the scene
          if (!/rm-hit|rm-site/.test(l.options.className || "")) { return; }
          l.openTooltip();
          l.openPopup();
        });"""
    )
    assert driver.execute_script("return window.__xss") is None
    assert _severe(driver) == []
    assert _text(driver, "h1") == XSS[0]


def test_popups_read_as_the_scene_writes_them(driver, pages, inf):
    """The page builds its popups from compact data (shares in tenths of a percent, sources
    copied from the sources panel): a reader sees the figures and sources of the scene."""
    from rangemap.render.map_words import map_words

    _load(driver, pages["self-contained"], DESKTOP)
    texts = driver.execute_script(
        _MAP
        + """
        var out = {};
        function text(l) {
          l.openPopup();
          var t = document.querySelector('.leaflet-popup-content').innerText;
          map.closePopup();
          return t;
        }
        map.eachLayer(function (l) {
          var cls = (l.options && l.options.className) || "";
          if (l.feature && l.feature.properties.name === "Poland") { out.poland = text(l); }
          if (cls.indexOf("rm-hit rm-l-kaliningrad-region--9m729-ru-480") === 0) {
            out.ring = text(l);
          }
        });
        return out;
        """
    )
    ring = next(layer for layer in inf.drawn if layer.id == "kaliningrad-region--9m729-ru-480")
    poland = next(r for r in ring.countries if r.country == "Poland")
    assert map_words().pct(poland.covered_pct) in texts["poland"]  # "93.6 %"
    for source in ring.sources:
        assert source.title in texts["ring"], source.title
    assert "People in cities and towns of 15,000+" in texts["ring"]  # the shared footnote


def test_rings_not_shown_at_first_are_drawn_when_shown(driver, aeqd_pages, inf):
    """The first view waits for its own rings only: the others are built (their outlines
    decoded, their circles solved) when a step, the legend or the layer list shows them."""
    _load(driver, aeqd_pages["inf"], DESKTOP)
    count = (
        _MAP
        + """
        var decoded = rmOutlines.filter(function (o) { return o[2] !== null; }).length;
        return [decoded, rmOutlines.length, document.querySelectorAll('path.rm-line').length];
        """
    )
    before, total, paths = driver.execute_script(count)
    first = story.steps(inf)[0].show
    assert paths == len(first) and before < total / 2, (before, total, paths)
    last = len(story.steps(inf)) - 1  # every range shown at first
    driver.execute_script(_MAP + "map.rangemapStep(arguments[0]);", last)
    after, _, paths = driver.execute_script(count)
    assert paths == len(story.steps(inf)[last].show) > len(first) and after > before
