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


def gesture_handling() -> tuple[str, str]:
    """leaflet-gesture-handling's CSS and JS (vendored by layers/vendor_js.py), page-safe."""
    from rangemap import vendor

    name = "leaflet-gesture-handling"
    return (
        style_text(vendor.text(name, f"{name}.min.css")),
        script_text(vendor.text(name, f"{name}.min.js")),
    )


def script_text(js: str) -> str:
    """JS safe to put between <script> tags: no '</' can close the element early."""
    return js.replace("</", "<\\/")


def style_text(css: str) -> str:
    """CSS safe to put between <style> tags."""
    return css.replace("</", "<\\/")
