"""The data block of a map page (rangemap.render.map_page), read as the page's renderer does."""

from __future__ import annotations

import json
import re
from typing import Any

_DATA = re.compile(r'<script type="application/json" id="rm-data">(.*?)</script>', re.S)


def page_data(page: str) -> dict[str, Any]:
    """The JSON the renderer draws: map options, rings, sites, countries, page config."""
    blocks = _DATA.findall(page)
    assert len(blocks) == 1, "a map page has exactly one data block"
    return json.loads(blocks[0])


def rings(page: str) -> list[dict[str, Any]]:
    """Each drawn layer's ring data (rmRing's argument), in drawing order."""
    return [layer["ring"] for layer in page_data(page)["layers"]]
