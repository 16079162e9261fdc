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
    "area_range": "rangemap.buffer",
    "band_area": "rangemap.geodesic",
    "batch_coverage": "rangemap.batch",
    "batch_places": "rangemap.batch",
    "builtin_scenes": "rangemap.scene",
    "compare_ranges": "rangemap.api",
    "countries_covered": "rangemap.api",
    "embed_snippet": "rangemap.render.embed",
    "export_scene": "rangemap.scene_export",
    "MapPage": "rangemap.render.map_page",
    "load_catalog": "rangemap.catalog",
    "launch_location": "rangemap.locations",
    "load_scene": "rangemap.scene",
    "make_ring": "rangemap.api",
    "places_covered": "rangemap.api",
    "range_area": "rangemap.geodesic",
    "render_image": "rangemap.render.static_map",
    "render_map": "rangemap.render.html_map",
    "resolve_scene": "rangemap.scene_build",
    "resolve_site": "rangemap.api",
    "rings_to_frame": "rangemap.api",
    "save_image": "rangemap.render.static_map",
    "save_image_with_alt": "rangemap.render.static_map",
    "save_embeddable": "rangemap.render.html_map",
    "save_map": "rangemap.render.html_map",
    "scene_coverage": "rangemap.api",
    "scene_frame": "rangemap.scene_export",
    "sidebar_markdown": "rangemap.summary",
    "summary_text": "rangemap.summary",
    "text_alternative": "rangemap.summary",
    "using_catalog": "rangemap.catalog",
}

__all__ = [
    "MapPage",
    "RangemapError",
    "__version__",
    "area_km2",
    "area_range",
    "band_area",
    "batch_coverage",
    "batch_places",
    "builtin_scenes",
    "compare_ranges",
    "countries_covered",
    "embed_snippet",
    "export_scene",
    "launch_location",
    "load_catalog",
    "load_scene",
    "make_ring",
    "places_covered",
    "range_area",
    "render_image",
    "render_map",
    "resolve_scene",
    "resolve_site",
    "rings_to_frame",
    "save_embeddable",
    "save_image",
    "save_image_with_alt",
    "save_map",
    "scene_coverage",
    "scene_frame",
    "sidebar_markdown",
    "summary_text",
    "text_alternative",
    "using_catalog",
]

if TYPE_CHECKING:
    from rangemap.api import (
        compare_ranges,
        countries_covered,
        make_ring,
        places_covered,
        resolve_site,
        rings_to_frame,
        scene_coverage,
    )
    from rangemap.batch import batch_coverage, batch_places
    from rangemap.buffer import area_range
    from rangemap.catalog import load_catalog, using_catalog
    from rangemap.errors import RangemapError
    from rangemap.geodesic import area_km2, band_area, range_area
    from rangemap.locations import launch_location
    from rangemap.render.embed import embed_snippet
    from rangemap.render.html_map import render_map, save_embeddable, save_map
    from rangemap.render.map_page import MapPage
    from rangemap.render.static_map import render_image, save_image, save_image_with_alt
    from rangemap.scene import builtin_scenes, load_scene
    from rangemap.scene_build import resolve_scene
    from rangemap.scene_export import export_scene, scene_frame
    from rangemap.summary import sidebar_markdown, summary_text, text_alternative


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rangemap' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
