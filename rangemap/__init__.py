"""rangemap: true geodesic range areas around basing sites, what they cover, and maps of them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module. Loaded on first use (PEP 562) so that `rangemap --help` and
# `import rangemap` stay instant: numpy, shapely, pyproj and pydantic load only when needed.
_EXPORTS = {
    "RangemapError": "rangemap.errors",
    "area_km2": "rangemap.geodesic",
    "band_area": "rangemap.geodesic",
    "compare_ranges": "rangemap.api",
    "countries_covered": "rangemap.api",
    "load_catalog": "rangemap.catalog",
    "make_ring": "rangemap.api",
    "places_covered": "rangemap.api",
    "range_area": "rangemap.geodesic",
    "resolve_site": "rangemap.api",
    "rings_to_frame": "rangemap.api",
}

__all__ = [
    "RangemapError",
    "__version__",
    "area_km2",
    "band_area",
    "compare_ranges",
    "countries_covered",
    "load_catalog",
    "make_ring",
    "places_covered",
    "range_area",
    "resolve_site",
    "rings_to_frame",
]

if TYPE_CHECKING:
    from rangemap.api import (
        compare_ranges,
        countries_covered,
        make_ring,
        places_covered,
        resolve_site,
        rings_to_frame,
    )
    from rangemap.catalog import load_catalog
    from rangemap.errors import RangemapError
    from rangemap.geodesic import area_km2, band_area, range_area


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rangemap' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
