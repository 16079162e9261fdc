"""The <iframe> snippet that embeds a map in an article, and the resizing both sides do.

The map page posts its height to the host page (``{"rangemap": "height", "height": N}``); a
small script in the snippet sets the iframe's height from it and answers, so the page knows
it may grow with its content (legend below the map on narrow screens). Without that script
the iframe keeps its fixed height and the page fits itself into it, credits included, the way
Datawrapper's responsive embeds behave.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from rangemap.errors import InputError
from rangemap.render.html_parts import esc

#: Height of the iframe before (or without) the host script: the whole map, title and
#: credits fit in it at phone and desktop widths.
FIXED_HEIGHT_PX = 720

#: Runs in the host page. Only messages from a map iframe of this snippet count, and the
#: height is clamped, so a map cannot make the host page arbitrarily tall.
HOST_JS = """
(function () {
  if (window.rangemapEmbed) { return; }
  window.rangemapEmbed = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.rangemap !== "height" || typeof data.height !== "number") { return; }
    var frames = document.querySelectorAll("iframe[data-rangemap]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = Math.max(200, Math.min(4000, Math.ceil(data.height)));
        frames[i].style.height = height + "px";
        event.source.postMessage({"rangemap": "resizer"}, "*");
      }
    }
  });
})();
""".strip()

#: Runs in the map page's head, before the map exists.
FLOW_JS = 'if (window.parent === window) { document.documentElement.classList.add("rm-flow"); }'

#: Runs in the map page (a function of the map): reports the page's height to the host
#: whenever it changes, and switches to a layout that grows with its content once the host
#: has answered.
FRAME_JS = """
function (map) {
  var root = document.documentElement;
  if (window.parent === window) { return; }  // a window of its own: FLOW_JS did it
  var last = -1;
  function post() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({"rangemap": "height", "height": height}, "*");
    }
  }
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.rangemap === "resizer" &&
        !root.classList.contains("rm-flow")) {
      root.classList.add("rm-flow");
      map.invalidateSize();
      post();
    }
  });
  if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
  window.addEventListener("load", post);
  post();
}
"""


def embed_path(path: str | Path) -> Path:
    """Where the embed snippet of a map goes: map.html -> map.embed.html."""
    path = Path(path)
    return path.with_name(f"{path.stem}.embed.html")


def embed_src(url: str) -> str:
    """An absolute http(s) URL for the iframe, percent-encoded where it must be.

    Characters that already have a meaning in URLs (and existing %XX escapes) are kept.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(
            f"--embed-url must be an absolute http(s) URL such as "
            f"'https://example.org/maps/inf-2020.html', got {url!r}"
        )
    return quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~")


def embed_snippet(
    path: str | Path,
    title: str,
    *,
    url: str | None = None,
    height_px: int = FIXED_HEIGHT_PX,
    lang: str = "en",
) -> str:
    """An <iframe> and its resizing script, to paste into an article.

    `url` is where the map will be hosted (absolute); without it the src is the map's file
    name, relative to the article, which works only when the two sit side by side. The
    frame's label is in `lang` (a phrases language: "Interactive map: ...", "Interaktive
    Karte: ...").
    """
    from rangemap.language import phrases

    # Percent-encoded, so a file name is always a relative path: a ':' makes no scheme
    # ("javascript:..."), and '#', '?' and spaces stay part of the name.
    src = embed_src(url) if url is not None else quote(Path(path).name, safe="")
    label = esc(phrases(lang)["embed_label"].format(title=title))
    return (
        f'<iframe src="{esc(src)}" title="{esc(title)}" aria-label="{label}" '
        f'data-rangemap width="100%" height="{height_px}" scrolling="no" frameborder="0" '
        f'style="width:1px;min-width:100%;height:{height_px}px;border:0;display:block;" '
        'loading="lazy" allowfullscreen></iframe>\n'
        f"<script>{HOST_JS}</script>\n"
    )
