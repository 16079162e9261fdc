"""Make the README's screenshots of the default map: docs/inf-2020-aeqd.png (1,200 px, as
drawn by default: inf-2020 opens in aeqd) and docs/inf-2020-mercator.png (the other view).

Run from the repository root after `bash tests/install-browser.sh` (headless Chromium and its
driver) with the test extra installed:  python docs/screenshots.py

The maps are rendered self-contained (no request at all) and photographed once their labels
are placed. Re-run it when the default map's look changes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from rangemap.render.html_map import render_map, save_map  # noqa: E402
from rangemap.scene import load_scene  # noqa: E402
from rangemap.scene_build import resolve_scene  # noqa: E402

#: file name -> projection, photographed at 1,200 x 900 px: in a window of its own the map
#: fills the height below the title, the legend beside it. The default map of inf-2020 is
#: its aeqd view (the scene's rings need it), so that one picture stands for both.
SHOTS = {"inf-2020-aeqd.png": "aeqd", "inf-2020-mercator.png": "mercator"}


def main() -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"  # Debian's, as tests/install-browser.sh puts
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    scene = resolve_scene(load_scene("inf-2020"))
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, projection in SHOTS.items():
                page = Path(tmp) / f"{name}.html"
                save_map(render_map(scene, self_contained=True, projection=projection), page)
                driver.execute_cdp_cmd(  # the page's own viewport, without window chrome
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                )
                driver.get(page.as_uri())
                WebDriverWait(driver, 15).until(
                    lambda d: d.execute_script("return document.querySelectorAll('.rm-ml').length")
                )
                time.sleep(1.0)  # the last label placement settles
                driver.save_screenshot(str(DOCS / name))
                print(DOCS / name)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
