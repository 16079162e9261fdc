"""The embed snippet: absolute, encoded src, accessible names, resizing script."""

from __future__ import annotations

import html
import re

import pytest

from rangemap.errors import InputError
from rangemap.render.embed import FIXED_HEIGHT_PX, HOST_JS, embed_path, embed_snippet, embed_src


def _attrs(snippet: str) -> dict[str, str]:
    tag = re.search(r"<iframe ([^>]*)>", snippet).group(1)
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def test_snippet_carries_title_label_no_scrolling_no_border_and_a_fixed_height():
    snippet = embed_snippet("out/inf-2020.html", 'Ranges "after" INF <2020>')
    attrs = _attrs(snippet)
    assert attrs["src"] == "inf-2020.html"
    assert attrs["title"] == 'Ranges "after" INF <2020>'
    assert attrs["aria-label"] == 'Interactive map: Ranges "after" INF <2020>'
    assert attrs["scrolling"] == "no" and attrs["frameborder"] == "0"
    assert attrs["height"] == str(FIXED_HEIGHT_PX)
    assert "border:0" in attrs["style"] and f"height:{FIXED_HEIGHT_PX}px" in attrs["style"]
    assert "data-rangemap" in snippet
    assert f"<script>{HOST_JS}</script>" in snippet
    assert "<2020>" not in snippet  # the title is escaped


def test_embed_url_is_absolute_and_percent_encoded():
    attrs = _attrs(embed_snippet("x.html", "T", url="https://example.org/maps/ä b.html?x=1&y=2"))
    assert attrs["src"] == "https://example.org/maps/%C3%A4%20b.html?x=1&y=2"
    assert embed_src("https://example.org/a%20b.html") == "https://example.org/a%20b.html"


@pytest.mark.parametrize(
    "url", ["maps/x.html", "javascript:alert(1)", "file:///etc/passwd", "https://", "//cdn/x"]
)
def test_embed_url_must_be_absolute_http(url):
    with pytest.raises(InputError, match="absolute http"):
        embed_src(url)


def test_a_file_name_with_spaces_is_encoded_in_a_relative_src():
    assert _attrs(embed_snippet("my map.html", "T"))["src"] == "my%20map.html"


def test_embed_path_sits_beside_the_map():
    assert embed_path("out/inf-2020.html").as_posix() == "out/inf-2020.embed.html"


def test_host_script_only_trusts_its_own_frames_and_clamps_the_height():
    assert "iframe[data-rangemap]" in HOST_JS and "contentWindow === event.source" in HOST_JS
    assert "Math.min(4000" in HOST_JS and "Math.max(200" in HOST_JS
