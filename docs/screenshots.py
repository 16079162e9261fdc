"""Make the README's screenshots of the default map, and (with --all FOLDER) every built-in
scene at 375 and 1,200 px, its first view and each step, for a person to look at.

README pictures: docs/inf-2020-aeqd.png (1,200 px, as drawn by default: inf-2020 opens in
aeqd), docs/inf-2020-phone.png (375 px) and docs/inf-2020-mercator.png (the other view).

Run from the repository root after `bash tests/install-browser.sh` (headless Chromium and its
driver) with the test extra installed:  python docs/screenshots.py [--all FOLDER]

The maps are rendered self-contained (no request at all) and photographed once their labels
are placed. Re-run it when the default map's look changes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from rangemap import story  # noqa: E402
from rangemap.render.html_map import render_map, save_map  # noqa: E402
from rangemap.scene import builtin_scenes, load_scene  # noqa: E402
from rangemap.scene_build import resolve_scene  # noqa: E402

#: file name -> (projection (None: the scene's default), width): in a window of its own the
#: map has its own height under the title, the legend beside it (1,200) or below it (375).
#: The default map of inf-2020 is its aeqd view, so that one picture stands for both.
SHOTS = {
    "inf-2020-aeqd.png": ("aeqd", 1200),
    "inf-2020-phone.png": (None, 375),
    "inf-2020-mercator.png": ("mercator", 1200),
}
HEIGHTS = {1200: 900, 375: 800}


def _driver() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"  # Debian's, as tests/install-browser.sh puts
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _shoot(driver: webdriver.Chrome, page: Path, width: int, out: Path, step: int = 0) -> None:
    driver.execute_cdp_cmd(  # the page's own viewport, without window chrome
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": HEIGHTS[width], "deviceScaleFactor": 1, "mobile": False},
    )
    driver.get(page.as_uri())
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.querySelectorAll('.rm-ml').length")
    )
    if step:
        driver.execute_script(
            "window.rmMap.rangemapStep(arguments[0]);", step
        )
    time.sleep(1.0)  # the last label placement settles
    driver.save_screenshot(str(out))
    print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", type=Path, metavar="FOLDER", help="every scene and step")
    args = parser.parse_args()
    driver = _driver()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.all is None:
                scene = resolve_scene(load_scene("inf-2020"))
                for name, (projection, width) in SHOTS.items():
                    page = Path(tmp) / f"{name}.html"
                    save_map(render_map(scene, self_contained=True, projection=projection), page)
                    _shoot(driver, page, width, DOCS / name)
                return
            args.all.mkdir(parents=True, exist_ok=True)
            for name in builtin_scenes():
                scene = resolve_scene(load_scene(name))
                page = Path(tmp) / f"{name}.html"
                save_map(render_map(scene, self_contained=True), page)
                for width in (375, 1200):
                    for step in range(len(story.steps(scene))):
                        out = args.all / f"{name}-{width}-{step + 1}.png"
                        _shoot(driver, page, width, out, step)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
