"""Text from files can never become script: every text field of a scene, of the catalog it
adds and the name of an area file, filled with what breaks out of JavaScript strings and
template literals (backticks, "${", "</script>", "<!--", quotes, U+2028), through both
projections of the interactive map in Chromium and through the static maps and tables.

The launch-area tooltip once placed an area site's name in a template literal: a backtick
ran the rest of the name as script, and an innocent one blanked the map.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import test_browser
import yaml
from click.testing import CliRunner
from selenium.webdriver.support.ui import WebDriverWait

from rangemap.cli import cli

browser_binaries, driver = test_browser.browser_binaries, test_browser.driver

#: Each part sets window.__xss if it ever runs as script, or breaks the script it lands in.
PAYLOAD = (
    "`+(window.__xss=1)+` ${window.__xss=1} </script><script>window.__xss=1</script> "
    "<!-- <script> <img src=x onerror=window.__xss=1> \"'\\ \u2028\u2029 {{ 7 * 7 }} `"
)
#: The text fields of catalog entries (every other field is an id, a code, a date, a number,
#: a colour, a URL or one of a few words).
_TEXT_KEYS = {
    "name", "aliases", "description", "publisher", "title", "note", "claimed_by", "variant",
    "marks", "position_note", "reprint_of", "condition",
}  # fmt: skip
_OWN = Path(__file__).resolve().parent / "data" / "own-catalog.yaml"


def _fill(node: object, counter: list[int]) -> object:
    """Every text field of a catalog tree set to a numbered copy of PAYLOAD (names must
    differ from each other), and a note added wherever one may stand."""
    if isinstance(node, list):
        return [_fill(item, counter) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, str):
            counter[0] += 1
            out[key] = f"{key}{counter[0]} {PAYLOAD}"
        elif key == "aliases":
            counter[0] += 1
            out[key] = [f"alias{counter[0]} {PAYLOAD}"]
        else:
            out[key] = _fill(value, counter)
    if "publisher" in out or "claimed_by" in out or "as_of" in out:
        counter[0] += 1
        out.setdefault("note", f"note{counter[0]} {PAYLOAD}")
    if "publisher" in out:  # a source: the original it reprints
        out.setdefault("reprint_of", f"original {PAYLOAD}")
    if "claimed_by" in out and "means" in out:  # a claim
        out.setdefault("variant", f"variant {PAYLOAD}")
        out.setdefault("condition", f"with {PAYLOAD}")
    return out


def _scene() -> dict:
    counter = [0]
    catalog = _fill(yaml.safe_load(_OWN.read_text(encoding="utf-8")), counter)
    source = {
        "publisher": f"scene publisher {PAYLOAD}",
        "title": f"scene source {PAYLOAD}",
        "date": "2026",
        "url": "https://example.org/?q=</script>`${x}'\"",
        "note": f"scene note {PAYLOAD}",
    }
    return {
        "catalog": catalog,
        "title": f"Title {PAYLOAD}",
        "subtitle": f"Subtitle {PAYLOAD}",
        "caption": f"Caption {PAYLOAD}",
        "basemap": "offline",
        "sources": [source],
        "sites": [
            {"site": "test-range", "name": f"own site {PAYLOAD}", "claims": ["test-glcm"],
             "callouts": ["Berlin"]},
            {"site": "belarus", "name": f"Belarus`+(window.__xss=1)+` {PAYLOAD}",
             "ranges": [{"km": 300, "label": f"area label {PAYLOAD}"}]},
            {"site": "kaliningrad-region", "name": f"the `Oreshnik` zone {PAYLOAD}",
             "ranges": [{"km": "200mi", "label": f"miles {PAYLOAD}", "kind": "disputed",
                         "claimed_by": f"who {PAYLOAD}", "sources": [source]}]},
            {"site": "50.45,30.52", "name": f"point {PAYLOAD}",
             "ranges": [{"km": 400, "km_min": 100, "label": f"band {PAYLOAD}"}]},
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The scene through every renderer: both projections, PNG and SVG, and its table."""
    folder = tmp_path_factory.mktemp("injection")
    scene = folder / "scene.yaml"
    scene.write_text(yaml.safe_dump(_scene(), allow_unicode=False), encoding="utf-8")
    runs = {
        "mercator": ["map", str(scene), "--projection", "mercator", "-o"],
        "aeqd": ["map", str(scene), "--projection", "aeqd", "-o"],
        "png": ["map", str(scene), "-o"],
        "svg": ["map", str(scene), "-o"],
        "json": ["table", str(scene), "--capitals", "-o"],
    }
    suffix = {"mercator": ".html", "aeqd": ".html", "png": ".png", "svg": ".svg", "json": ".json"}
    paths = {}
    for name, args in runs.items():
        path = folder / f"{name}{suffix[name]}"
        result = CliRunner().invoke(cli, [*args, str(path)])
        assert result.exit_code == 0, (name, result.output)
        paths[name] = path
    return paths


@pytest.mark.parametrize("projection", ["mercator", "aeqd"])
def test_no_text_runs_as_script_and_everything_draws(driver, outputs, projection) -> None:
    page = outputs[projection]
    driver.set_window_size(*test_browser.DESKTOP)
    driver.get_log("browser")
    driver.get(page.as_uri())
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    paths = driver.execute_script("return document.querySelectorAll('path').length")
    assert paths > 0  # a script broken by a backtick drew nothing at all
    # The map opens on its first step; every range switched on from the legend
    driver.execute_script(
        "document.querySelectorAll('details').forEach(function (d) { d.open = true; });"
        "document.querySelectorAll('input[type=checkbox]').forEach(function (c) {"
        "  if (!c.checked) { c.click(); } });"
    )
    hits = driver.execute_script("return document.querySelectorAll('path.rm-hit').length")
    assert hits == 4  # the own claim's 1,000 km, 300 km, 200 mi and the band: all drawn
    # Every tooltip and popup opened: their text enters the page only then.
    opened = driver.execute_script(
        test_browser._MAP
        + """
        var n = 0, countries = 0;
        document.querySelector('.leaflet-control-layers').classList
          .add('leaflet-control-layers-expanded');
        map.eachLayer(function (l) {
          // A few countries: their popups list the rings (named) that cover them.
          if (l.feature && (l.feature.properties.cover || []).length === 0) { return; }
          if (l.feature && ++countries > 5) { return; }
          if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; }
          if (l.getPopup && l.getPopup()) { l.openPopup(); n++; }
        });
        return [n, countries];
        """
    )
    assert opened[0] > 10 and opened[1] > 0
    assert driver.execute_script("return window.__xss") is None
    assert test_browser._severe(driver) == []
    # ... and each text shows as written.
    assert driver.execute_script("return document.querySelector('h1').textContent") == (
        f"Title {PAYLOAD}"
    )
    body = driver.execute_script("return document.body.textContent")
    for text in ("own site", "area label", "miles", "band", "Caption", "scene note"):
        assert f"{text} `+(window.__xss=1)+` ${{window.__xss=1}} </script>" in body
    tooltips = driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.textContent)"
    )
    assert any("`Oreshnik` zone" in t and t.endswith(": launch area") for t in tooltips)


def test_static_maps_draw_the_text_as_text(outputs) -> None:
    assert outputs["png"].stat().st_size > 10_000
    svg = ET.parse(outputs["svg"]).getroot()  # well-formed XML, whatever the text held
    assert not [e for e in svg.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "foreignObject")]
    alt = outputs["png"].with_suffix(".alt.txt").read_text(encoding="utf-8")
    assert f"Title {PAYLOAD}" in alt


def test_tables_keep_the_text_as_data(outputs) -> None:
    rows = json.loads(outputs["json"].read_text(encoding="utf-8"))
    sites = {row["site"] for row in (rows if isinstance(rows, list) else rows["rows"])}
    assert any(site.endswith(f" {PAYLOAD}") for site in sites)  # the catalog site's name


def test_area_file_names_pass_through_as_text(tmp_path: Path) -> None:
    """An area file's name labels its area in every table; it holds no script either."""
    name = "`${x}<script>`+1+`<!--'\"" + ".geojson"  # no /: a file name
    square = [[20, 54], [21, 54], [21, 55], [20, 55], [20, 54]]
    (tmp_path / name).write_text(
        json.dumps({"type": "Polygon", "coordinates": [square]}), encoding="utf-8"
    )
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(
            cli, ["coverage", "--area", name, "--km", "100", "--format", "csv"]
        )
    assert result.exit_code == 0, result.output
    sites = {row["site"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert sites == {name.removesuffix(".geojson")}


def test_the_scene_fills_every_text_field_of_the_catalog() -> None:
    """The fill reaches every text field the own catalog's schema has (so a new field is
    covered, or this fails)."""
    from rangemap.catalog import CatalogFile

    scene = _scene()
    catalog = CatalogFile.model_validate(copy.deepcopy(scene["catalog"]))
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, tuple | list):
            for item in node:
                walk(item)
        elif hasattr(type(node), "model_fields"):
            for field, info in type(node).model_fields.items():
                value = getattr(node, field)
                if "StringConstraints" in repr(info):  # Text or Name: free text
                    assert field in _TEXT_KEYS, f"{type(node).__name__}.{field} not filled"
                if field in _TEXT_KEYS:
                    assert value is not None, f"{type(node).__name__}.{field} left empty"
                    walk(value)
                elif isinstance(value, tuple | list) or hasattr(type(value), "model_fields"):
                    walk(value)

    walk(catalog)
    assert texts and all(PAYLOAD in t for t in texts)
