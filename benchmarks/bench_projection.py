"""The azimuthal equidistant map against the Mercator map: distortion, accuracy, size, time.

Run from the repository root:
    python benchmarks/bench_projection.py [--runs N] [--no-browser]

Measures, for BENCHMARKS.md:
- how Web Mercator misdraws exact rings (the default-projection threshold in
  rangemap.render.html_projection): the scale at a ring's poleward edge over its equatorward edge,
  and its outline's height over its width (EPSG:3857, pyproj);
- proj4js's ellipsoidal aeqd (the vendored proj4.js, run by node) against PROJ: the largest
  difference in projected position over 360 ring vertices at each distance;
- for each built-in scene, the self-contained page in Mercator and in AEQD: bytes, the
  Python time to build and write it (warm, median of N), and the time headless Chromium
  takes from navigation until every ring is drawn (median of N).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyproj

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rangemap.geodesic import GEOD, ring_vertices  # noqa: E402
from rangemap.render import html_projection  # noqa: E402
from rangemap.render.html_map import map_html, render_map  # noqa: E402
from rangemap.scene import (  # noqa: E402
    Scene,
    SceneRange,
    SceneSite,
    builtin_scenes,
    load_scene,
)
from rangemap.scene_build import resolve_scene  # noqa: E402

LATITUDES = (0.0, 45.0, 54.71)
RANGES_KM = (480, 1000, 1500, 2000, 2350, 3000, 5500)
PROJ4_DISTANCES_KM = (500, 2350, 5000, 5500, 10000, 15000, 19000, 19900)


def distortion() -> None:
    print("| latitude | range | Mercator scale, poleward / equatorward edge | height / width |")
    print("|---|---|---|---|")
    mercator = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    for lat in LATITUDES:
        for km in RANGES_KM:
            scene = Scene(
                title="t",
                sites=(SceneSite(site=f"{lat},20.5", ranges=(SceneRange(km=km),)),),
            )
            layer = resolve_scene(scene).drawn[0]
            ratio = html_projection.mercator_scale_ratio(layer)
            if ratio == float("inf"):
                shape = "holds a pole"
            else:
                lons, lats = ring_vertices(lat, 20.5, km, vertices=1440)
                x, y = mercator.transform(lons, lats)
                shape = f"{(np.ptp(y) / np.ptp(x)):.3f}"
            print(f"| {lat:g} | {km:,} km | {ratio:.2f} | {shape} |")


def proj4js_against_proj() -> None:
    node = shutil.which("node")
    if node is None:
        print("node is not installed: proj4js not measured")
        return
    lat0, lon0 = 53.9, 27.56
    points, radii = [], []
    for km in PROJ4_DISTANCES_KM:
        az = np.linspace(0.0, 360.0, 360, endpoint=False)
        lons, lats, _ = GEOD.fwd(np.full(360, lon0), np.full(360, lat0), az, np.full(360, km * 1e3))
        points += np.column_stack([lons, lats]).tolist()
        radii += [km] * 360
    definition = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m +no_defs"
    script = (
        f"const proj4 = require({json.dumps(str(REPO / 'rangemap/vendor/proj4/proj4.js'))});"
        "const pts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"const def = {json.dumps(definition)};"
        "console.log(JSON.stringify(pts.map(p => proj4('EPSG:4326', def, p))));"
    )
    out = subprocess.run(
        [node, "-e", script], input=json.dumps(points), capture_output=True, text=True, check=True
    )
    js = np.array(json.loads(out.stdout))
    tr = pyproj.Transformer.from_crs("EPSG:4326", definition, always_xy=True)
    pts = np.array(points)
    x, y = tr.transform(pts[:, 0], pts[:, 1])
    error = np.hypot(js[:, 0] - x, js[:, 1] - y)
    radii_arr = np.array(radii)
    print("| distance from the centre | largest difference, proj4js vs PROJ |")
    print("|---|---|")
    for km in PROJ4_DISTANCES_KM:
        print(f"| {km:,} km | {error[radii_arr == km].max() * 1000:.3f} mm |")


def pages(runs: int, browser: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="rangemap-bench-"))
    driver = _driver() if browser else None
    print("| scene | projection | bytes | build (Python, warm) | draw (Chromium) |")
    print("|---|---|---|---|---|")
    for name in builtin_scenes():
        scene = resolve_scene(load_scene(name))
        for projection in ("mercator", "aeqd"):
            times, page = [], ""
            for _ in range(runs):
                start = time.perf_counter()
                page = map_html(render_map(scene, self_contained=True, projection=projection))
                times.append(time.perf_counter() - start)
            path = folder / f"{name}-{projection}.html"
            path.write_text(page, encoding="utf-8")
            draw = _draw_ms(driver, path, runs) if driver else float("nan")
            print(
                f"| {name} | {projection} | {len(page.encode()):,} | "
                f"{statistics.median(times) * 1000:,.0f} ms | {draw:,.0f} ms |"
            )
    if driver:
        driver.quit()
    shutil.rmtree(folder)


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--proxy-server=127.0.0.1:9")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(1280, 900)
    return driver


def _draw_ms(driver, path: Path, runs: int) -> float:
    from selenium.webdriver.support.ui import WebDriverWait

    times = []
    for _ in range(runs):
        driver.get("about:blank")
        start = time.perf_counter()
        driver.get(path.as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.querySelectorAll('path.rm-hit').length")
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    distortion()
    print()
    proj4js_against_proj()
    print()
    pages(args.runs, browser=not args.no_browser)


if __name__ == "__main__":
    main()
