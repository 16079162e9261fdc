"""The data block of a map page (rangemap.render.map_page), read as the page's renderer does."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from rangemap.geodesic import GEOD, ring_vertices
from rangemap.render.display_geometry import split_at_antimeridian

_DATA = re.compile(r'<script type="application/json" id="rm-data">(.*?)</script>', re.S)
#: The countries, in a block of their own after the renderer (drawn after the load event).
_LATE = re.compile(
    r'<script type="application/json" id="rm-countries">(.*?)</script>\n</body>', re.S
)


def page_data(page: str) -> dict[str, Any]:
    """The JSON the renderer draws: map options, rings, sites, page config, and the
    countries from the page's last block."""
    blocks, late = _DATA.findall(page), _LATE.findall(page)
    assert len(blocks) == len(late) == 1, "a map page has one data block and one late block"
    return json.loads(blocks[0]) | {"countries": json.loads(late[0])}


def rings(page: str) -> list[dict[str, Any]]:
    """Each drawn layer's ring data (rmRing's argument), in drawing order."""
    return [layer["ring"] for layer in page_data(page)["layers"]]


def page_circle(line: dict[str, list[float]]) -> np.ndarray:
    """What the page draws for a circle it solves itself, {"c": [lat, lon, metres, n]} (rmCircle:
    Vincenty's direct problem there, Karney's here, the same points within 1 mm), as closed
    (lon, lat) rows: with a fifth number the engine's own vertices, to which ring_vertices
    adds the same extra azimuths near a pole; {"p": ...} is one round a pole, cut at +-180
    (rmRound, as display_geometry.split_at_antimeridian cuts it)."""
    lat, lon, metres, n, *extra = line.get("c") or line["p"]
    if extra:
        circle = np.column_stack(ring_vertices(lat, lon, metres / 1000.0, vertices=n))
    else:
        azimuths = 360.0 - np.arange(n) * 360.0 / n
        lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, metres))
        circle = np.column_stack([lons, lats])
    circle[:, 0] = (circle[:, 0] + 180.0) % 360.0 - 180.0  # as rmCircle wraps
    if "p" in line:
        (piece,) = split_at_antimeridian(*circle.T)
        return piece
    return np.vstack([circle, circle[:1]])
