"""Build layers/data/aeqd_basemaps.npz: the built-in scenes' azimuthal basemaps, prebuilt.

Run from the repository root (after build_layers.py):  python layers/build_basemaps.py

An interactive map in the azimuthal equidistant projection draws the countries clipped to a
cap around its centre, joined across +-180 and the poles and simplified in the projection
(rangemap.render.html_projection.project_back): ~0.2 s of every `rangemap map`, always the
same for a built-in scene. This file holds that result for the frame of each built-in scene
(keyed by the frame's projection and cap), as WKB, which round-trips doubles exactly, with the
country labels and the graticule drawn on it (JSON, exact too): a map reads what it would
compute, and computes it for any other frame. Re-running the
script rewrites the file byte for byte; tests/test_html_projection.py checks that it does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "layers"))

from build_layers import write_npz  # noqa: E402  (after the sys.path fix)

OUT = REPO / "layers" / "data"


def build() -> dict[str, np.ndarray]:
    """The arrays of the file: `keys` (one per frame) and `wkb_<i>`, `offsets_<i>` (the
    countries' little-endian WKB, concatenated, and where each starts), `labels_<i>` and
    `graticule_<i>` (the country labels and graticule lines as UTF-8 JSON)."""
    from rangemap.render import html_projection as hp
    from rangemap.scene import builtin_scenes, load_scene
    from rangemap.scene_build import resolve_scene

    frames = {}
    for name in builtin_scenes():
        frame = hp.aeqd_frame(resolve_scene(load_scene(name)))
        frames[hp.basemap_key(frame)] = frame
    arrays: dict[str, np.ndarray] = {"keys": np.array(sorted(frames), dtype=str)}
    for i, key in enumerate(sorted(frames)):
        display = hp.compute_countries_display(frames[key])
        blobs = shapely.to_wkb(display, byte_order=1).tolist()
        arrays[f"wkb_{i}"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        arrays[f"offsets_{i}"] = np.cumsum([0, *map(len, blobs)], dtype=np.int64)
        labels = hp.compute_country_labels(frames[key], display)
        arrays[f"labels_{i}"] = _utf8(json.dumps(labels, ensure_ascii=False))
        arrays[f"graticule_{i}"] = _utf8(json.dumps(hp.compute_graticule(frames[key])))
    return arrays


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    out = parser.parse_args(argv).out
    path = out / "aeqd_basemaps.npz"
    write_npz(path, build())
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
