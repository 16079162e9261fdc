"""Leaflet and the page's own CSS and JS, inlined: maps load no script from the network."""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

from rangemap.errors import MissingPackageError

LEAFLET_VERSION = "1.9.4"
#: The PyPI wheel django-js-lib-leaflet ships Leaflet's dist files; nothing is downloaded.
_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = "static/js_lib_leaflet"


def _leaflet_file(name: str) -> bytes:
    try:
        root = resources.files(_LEAFLET_PACKAGE)
    except ModuleNotFoundError:
        raise MissingPackageError(
            "maps inline Leaflet from the package django-js-lib-leaflet, which "
            "is not installed: pip install 'django-js-lib-leaflet==1.9.4.1'"
        ) from None
    return root.joinpath(_LEAFLET_DIR, name).read_bytes()


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified JS, without its source-map comment (a file the page must not ask for)."""
    text = _leaflet_file("leaflet.js").decode("utf-8")
    return re.sub(r"//# sourceMappingURL=\S+\s*$", "", text)


@functools.cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images (layer-control icon, marker) inlined as data: URIs."""
    text = _leaflet_file("leaflet.css").decode("utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_leaflet_file(f"images/{match.group(1)}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, text)


def script_text(js: str) -> str:
    """JS safe to put between <script> tags: no '</' can close the element early."""
    return js.replace("</", "<\\/")


def style_text(css: str) -> str:
    """CSS safe to put between <style> tags."""
    return css.replace("</", "<\\/")


#: Page layout: title above the map, caption and credits below, the map filling the rest, so
#: the page fills whatever iframe or window it is shown in, down to a 375 px wide phone.
PAGE_CSS = """
html, body { height: 100%; margin: 0; }
body {
  display: flex; flex-direction: column; font: 14px/1.4 system-ui, -apple-system,
  "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; background: #fff;
}
.rm-head { padding: 8px 12px 6px; border-bottom: 1px solid #ddd; }
.rm-head h1 { font-size: clamp(15px, 2.4vw, 21px); line-height: 1.25; margin: 0; }
.rm-head p { margin: 3px 0 0; font-size: clamp(12px, 1.6vw, 14px); color: #444; }
body > .folium-map {
  flex: 1 1 auto; position: relative !important; height: auto !important;
  min-height: 220px; width: 100% !important; top: 0 !important; left: 0 !important;
}
.leaflet-container.rm-offline { background: #D6E4EE; }
.rm-foot { padding: 5px 12px 7px; font-size: 12px; color: #444; border-top: 1px solid #ddd; }
.rm-foot p { margin: 2px 0; }
.rm-foot .rm-credits { color: #666; font-size: 11px; }
body > .rm-panel { display: none; } /* until moved into the map, they must not take space */
.rm-panel {
  background: rgba(255, 255, 255, 0.96); border-radius: 5px; padding: 4px 8px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35); font-size: 12px; line-height: 1.35;
  max-width: min(360px, calc(100vw - 60px)); max-height: 42vh; overflow: auto;
}
.rm-panel summary { cursor: pointer; font-weight: 600; padding: 2px 0; }
.rm-panel h3 { font-size: 12px; margin: 6px 0 2px; }
.rm-panel ul, .rm-panel ol { margin: 0; padding-left: 0; list-style: none; }
.rm-panel ol { padding-left: 18px; list-style: decimal; }
.rm-panel li { margin: 2px 0; }
.rm-key li, .rm-legend-layers li { display: flex; gap: 6px; align-items: baseline; }
.rm-key svg, .rm-legend-layers svg { flex: none; position: relative; top: 1px; }
.rm-cov { color: #555; }
.rm-note { color: #555; margin: 6px 0 2px; }
.rm-tag {
  display: inline-block; font-size: 10px; padding: 0 4px; border-radius: 3px;
  background: #f3e3c3; color: #5a3d00; margin-left: 3px; white-space: nowrap;
}
.rm-pop { font-size: 12px; line-height: 1.35; max-height: 48vh; overflow: auto; }
.rm-pop h3 { font-size: 13px; margin: 0 0 4px; }
.rm-pop p { margin: 3px 0; }
.rm-pop ol { margin: 2px 0; padding-left: 18px; }
.rm-pop table { border-collapse: collapse; }
.rm-pop td { padding: 1px 4px; vertical-align: top; }
.rm-pop td.rm-num { text-align: right; white-space: nowrap; }
.rm-tip { font-size: 12px; }
.leaflet-control-layers-overlays label { font-size: 12px; }
.leaflet-control-layers-expanded { max-width: min(340px, calc(100vw - 70px)); }
/* Leaflet 1.9 paths keep a focus ring, drawn as a box around the whole ring once clicked. */
.leaflet-container path.leaflet-interactive:focus { outline: none; }
/* Only drawn paths take clicks: an overlay pane's SVG must not block the panes below. */
.leaflet-pane > svg { pointer-events: none; }
@media (max-width: 600px) {
  .rm-head { padding: 5px 8px 4px; }
  .rm-head p { font-size: 12px; line-height: 1.3; }
  .rm-foot { padding: 4px 8px 5px; font-size: 11px; max-height: 18vh; overflow: auto; }
  .rm-panel { max-height: 38vh; }
}
"""

#: Moves the legend and sources panels into Leaflet controls, closes them on small screens.
PAGE_JS = """
function (map, offline) {
  if (offline) { map.getContainer().classList.add("rm-offline"); }
  var small = window.matchMedia("(max-width: 600px)").matches;
  ["rm-sources", "rm-legend"].forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    };
    control.addTo(map);
    if (small) { el.open = false; }
    // A popup opens under the panels (controls sit above popups): fold them away.
    map.on("popupopen", function () { el.open = false; });
  });
}
"""
