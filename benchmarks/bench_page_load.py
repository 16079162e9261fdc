"""What a reader pays for a map: bytes on the wire and time to load, on a mid-range phone profile.

Run from the repository root:
    python benchmarks/bench_page_load.py [--runs N] [--scene NAME ...] [--repo DIR] [--before DIR]

Each scene's page is made by `python -m rangemap map SCENE --self-contained` (PYTHONPATH set to
--repo, and to --before for an older checkout, `git archive COMMIT | tar -x -C DIR`), served
gzip-compressed (level 6, as web servers do) from 127.0.0.1 only, and opened in headless Chromium
(Debian's chromium + chromedriver through selenium) with the DevTools Protocol's
Network.emulateNetworkConditions (150 ms round trip, 1.6 Mbps down, 750 kbps up),
Emulation.setCPUThrottlingRate 4 and the cache disabled, in a 412 x 915 window.

The floor is a bare page built the same way: the same Leaflet, inlined from the package it is
installed from (django-js-lib-leaflet), drawing one circle: what any Leaflet embed pays.

Per page: HTML bytes, gzip bytes, first contentful paint, the load event (navigation start to
loadEventEnd) and "settled": the end of the last long task (> 50 ms on the main thread) seen
within 3 s after the load event, or the load event if none; a page that defers work past its
load event pays for it there. Pages run interleaved (floor, then each page in turn, in every
run), so all see the same machine load; the tables give medians and ratios to the floor's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENES = ("inf-2020", "oreshnik-belarus-2025")
LATENCY_MS, DOWN_BPS, UP_BPS, CPU_SLOWDOWN = 150, 1_600_000, 750_000, 4
WINDOW = (412, 915)

#: Installed before any page script: records long tasks for the "settled" time.
_OBSERVER = """
window.__rmLong = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__rmLong.push(e.startTime + e.duration); });
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""

_TIMINGS = """
var nav = performance.getEntriesByType("navigation")[0];
var fcp = performance.getEntriesByName("first-contentful-paint")[0];
return {load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : null,
        long: window.__rmLong.slice()};
"""


def floor_page() -> str:
    """A bare page inlining the same Leaflet (from its installed package) with one circle."""
    root = resources.files("js_lib_leaflet").joinpath("static/js_lib_leaflet")
    js = root.joinpath("leaflet.js").read_text("utf-8").replace("</", "<\\/")
    css = root.joinpath("leaflet.css").read_text("utf-8")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Leaflet floor</title><style>{css}</style><script>{js}</script></head>"
        '<body style="margin:0"><div id="map" style="height:100vh"></div><script>'
        "var map = L.map('map').setView([54.7, 20.5], 4);"
        "L.circle([54.7, 20.5], {radius: 500000}).addTo(map);"
        "</script></body></html>\n"
    )


def build_pages(repo: Path, scenes: list[str], out: Path) -> dict[str, bytes]:
    """Each scene's self-contained page, made by `rangemap map` from the checkout `repo`."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    pages = {}
    for scene in scenes:
        path = out / f"{scene}.html"
        subprocess.run(
            [sys.executable, "-m", "rangemap", "map", scene, "--self-contained", "-o", str(path)],
            env=env, cwd=out, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        pages[scene] = path.read_bytes()
    return pages


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, dict[str, bytes]]:
    """Serve each page gzip-compressed at /<name>.html from 127.0.0.1 on a free port."""
    packed = {name: gzip.compress(html, compresslevel=6, mtime=0) for name, html in pages.items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = packed.get(self.path.lstrip("/").removesuffix(".html"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, packed


def browser():  # selenium is imported here: a benchmark-only dependency
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-extensions",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--disable-dev-shm-usage"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": LATENCY_MS, "downloadThroughput": DOWN_BPS / 8,
         "uploadThroughput": UP_BPS / 8},
    )  # fmt: skip
    driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _OBSERVER})
    return driver


def measure(driver, url: str) -> dict[str, float]:
    driver.get("about:blank")
    driver.get(url)  # returns after the load event
    time.sleep(3.0)  # long tasks queued after load (heavy layers drawn later) still count
    t = driver.execute_script(_TIMINGS)
    after = [end for end in t["long"] if end > t["load"]]
    return {"load": t["load"], "fcp": t["fcp"] or float("nan"),
            "settled": max([t["load"], *after])}  # fmt: skip


def kb(n: int) -> str:
    return f"{n / 1000:,.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="interleaved runs of every page")
    parser.add_argument("--scene", action="append", help=f"scenes (default: {', '.join(SCENES)})")
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument("--before", type=Path, default=None, help="also this older checkout")
    args = parser.parse_args()
    scenes = args.scene or list(SCENES)
    with tempfile.TemporaryDirectory() as tmp:
        pages = {"floor": floor_page().encode("utf-8")}
        trees = {"after": args.repo.resolve()}
        if args.before is not None:
            trees = {"before": args.before.resolve(), **trees}
        for side, repo in trees.items():
            out = Path(tmp) / side
            out.mkdir()
            for scene, html in build_pages(repo, scenes, out).items():
                pages[f"{side}-{scene}" if args.before is not None else scene] = html
        server, packed = serve(pages)
        driver = browser()
        port = server.server_address[1]
        times: dict[str, list[dict[str, float]]] = {name: [] for name in pages}
        try:
            for name in pages:  # one warm-up each, not counted
                measure(driver, f"http://127.0.0.1:{port}/{name}.html")
            for _ in range(args.runs):
                for name in pages:
                    times[name].append(measure(driver, f"http://127.0.0.1:{port}/{name}.html"))
        finally:
            driver.quit()
            server.shutdown()

    def med(name: str, key: str) -> float:
        return statistics.median(run[key] for run in times[name])

    floor = med("floor", "load")
    print(f"median of {args.runs} interleaved runs; latency {LATENCY_MS} ms, "
          f"{DOWN_BPS / 1e6:g} Mbps down, CPU {CPU_SLOWDOWN}x slower, window "
          f"{WINDOW[0]}x{WINDOW[1]}\n")  # fmt: skip
    print("| page | HTML | gzip | first paint | load event | load / floor | settled "
          "| settled / floor |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name in pages:
        load, settled = med(name, "load"), med(name, "settled")
        print(f"| {name} | {kb(len(pages[name]))} | {kb(len(packed[name]))} "
              f"| {med(name, 'fcp'):,.0f} ms | {load:,.0f} ms | {load / floor:.2f}x "
              f"| {settled:,.0f} ms | {settled / med('floor', 'settled'):.2f}x |")  # fmt: skip
    print("\nload event per run (ms):")
    for name in pages:
        print(f"  {name}: " + ", ".join(f"{run['load']:.0f}" for run in times[name]))


if __name__ == "__main__":
    main()
