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
    """Leaflet's CSS with the layer control's icon inlined as a data: URI. The high-density
    icon serves every screen, scaled as Leaflet scales it on one (26 px): the page carries
    one image, not two. The default marker's image is left out (`none`): Leaflet reads it
    only to find the default icon, which no map uses (every marker has a divIcon). Together
    2.4 KB of gzip."""
    text = _leaflet_file("leaflet.css").decode("utf-8")
    text = text.replace("url(images/marker-icon.png)", "none")
    text = text.replace(
        "background-image: url(images/layers.png);",
        "background-image: url(images/layers-2x.png);\n\tbackground-size: 26px 26px;",
    )

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_leaflet_file(f"images/{match.group(1)}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, text)


#: leaflet-gesture-handling's table of its hint in 53 languages (two thirds of its bytes):
#: `var o={ar:{touch:"...",scroll:"...",scrollMac:"..."},...}`.
_HINT_TABLE = re.compile(r"var o=\{(.*?)\};L\.Map\.mergeOptions", re.S)
_HINT_ENTRY = re.compile(
    r'("?[\w-]+"?):\{touch:"(?:[^"\\]|\\.)*",scroll:"(?:[^"\\]|\\.)*",'
    r'scrollMac:"(?:[^"\\]|\\.)*"\}'
)


def gesture_handling(lang: str = "en") -> tuple[str, str]:
    """leaflet-gesture-handling's CSS and JS (vendored by layers/vendor_js.py), page-safe,
    its hints kept in the page's language and English (its fallback) only: the page asks
    for no other (html_map.language_js), and the other 51 cost ~4 KB of gzip."""
    from rangemap import vendor

    name = "leaflet-gesture-handling"
    js = vendor.text(name, f"{name}.min.js")
    table = _HINT_TABLE.search(js)
    entries = list(_HINT_ENTRY.finditer(table.group(1))) if table else []
    if not entries or ",".join(e.group(0) for e in entries) != table.group(1):
        raise ValueError(f"{name}: its table of hints is not where it was; check the version")
    kept = ",".join(e.group(0) for e in entries if e.group(1).strip('"') in {lang, "en"})
    js = js[: table.start(1)] + kept + js[table.end(1) :]
    return style_text(vendor.text(name, f"{name}.min.css")), script_text(js)


def script_text(js: str) -> str:
    """JS safe to put between <script> tags: no '</' can close the element early."""
    return js.replace("</", "<\\/")


def style_text(css: str) -> str:
    """CSS safe to put between <style> tags."""
    return css.replace("</", "<\\/")
