"""Would TopoJSON-style shared arcs shrink the basemap? Measured: no (issue 23).

Run from the repository root:
    python benchmarks/bench_shared_arcs.py

The page writes each country's rings as delta-encoded lines on a 0.04 degree grid
(rangemap.render.encoding), so a border two countries share is written twice. This splits the
rings into arcs at junctions (points whose neighbours differ between the rings through them,
found by hashing grid points with numpy), writes each arc once (a ring refers to it by index,
~i when walked backwards) and compares gzip sizes, for the azimuthal basemaps of inf-2020 and
oreshnik-belarus-2025 and for the world outlines Web Mercator pages draw. It also prints the
most arcs could ever save: what a second copy of every shared arc costs in the page, before
any index or arc-start overhead. Every ring is checked to come back from its arcs exactly
(same vertices in the same order, up to where it starts).

Natural Earth's outlines were simplified one country at a time (layers/build_layers.py), so
neighbours' borders rarely share vertices: ~10 % of the basemap's vertices are in shared arcs.
"""

from __future__ import annotations

import gzip
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rangemap import layers  # noqa: E402
from rangemap.render import encoding  # noqa: E402
from rangemap.render import html_projection as hp  # noqa: E402
from rangemap.scene import load_scene  # noqa: E402
from rangemap.scene_build import resolve_scene  # noqa: E402

SCALE = 25  # html_map._COUNTRY_SCALE: 0.04 degree


def ring_arcs(points: np.ndarray, starts: np.ndarray) -> tuple[list[np.ndarray], list[list[int]]]:
    """Rings (points[starts[k]:starts[k + 1]], integer grid, no closing vertex) as shared arcs
    (both ends included) and, per ring, its arcs in order (~i: arc i walked backwards)."""
    n = len(points)
    _, pid = np.unique(points, axis=0, return_inverse=True)
    pid = pid.ravel()
    ring = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    index = np.arange(n)
    first, last = starts[ring], starts[ring + 1] - 1
    prev = pid[np.where(index == first, last, index - 1)]
    after = pid[np.where(index == last, first, index + 1)]
    pairs = np.column_stack([pid, np.minimum(prev, after), np.maximum(prev, after)])
    distinct = np.unique(pairs, axis=0)[:, 0]
    junction = (np.bincount(distinct, minlength=pid.max() + 1) > 1)[pid]
    arcs: list[np.ndarray] = []
    known: dict[bytes, int] = {}
    refs: list[list[int]] = []
    for a, b in itertools.pairwise(starts.tolist()):
        ids = pid[a:b]
        cuts = np.flatnonzero(junction[a:b])
        if cuts.size == 0:  # one closed arc from its smallest point: an enclave and its hole
            cuts = np.array([int(np.argmin(ids))])
        order = np.roll(np.arange(b - a), -int(cuts[0]))
        ends = np.append(cuts - cuts[0], b - a)
        refs.append([])
        for start, stop in itertools.pairwise(ends.tolist()):
            piece = order[np.arange(start, stop + 1) % (b - a)]
            key, back = ids[piece].tobytes(), ids[piece[::-1]].tobytes()
            if key in known:
                refs[-1].append(known[key])
            elif back in known:
                refs[-1].append(~known[back])
            else:
                known[key] = len(arcs)
                refs[-1].append(len(arcs))
                arcs.append(points[a + piece])
    return arcs, refs


def join_arcs(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    """A ring from its arcs, without closing vertex (what a page's decoder would do)."""
    pieces = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in refs]
    return np.concatenate([pieces[0], *(p[1:] for p in pieces[1:])])[:-1]


def _same_ring(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to where the ring starts."""
    if len(a) != len(b):
        return False
    return any(np.array_equal(np.roll(a, -k, axis=0), b) for k in range(len(a)))


def measure(name: str, display: np.ndarray) -> None:
    rings = shapely.get_rings(shapely.get_parts(display))
    coords, owner = shapely.get_coordinates(rings, return_index=True)
    keep = np.ones(len(coords), dtype=bool)
    keep[np.searchsorted(owner, np.arange(1, len(rings) + 1)) - 1] = False  # closing vertices
    grid = np.round(coords[keep, ::-1] * SCALE).astype(np.int64)
    starts = np.searchsorted(owner[keep], np.arange(len(rings) + 1))
    arcs, refs = ring_arcs(grid, starts)
    for k, ref in enumerate(refs):
        assert _same_ring(join_arcs(arcs, ref), grid[starts[k] : starts[k + 1]]), k
    lines = [encoding.encode_ints(np.diff(grid[a:b], axis=0, prepend=0))
             for a, b in itertools.pairwise(starts.tolist())]  # fmt: skip
    encoded = [encoding.encode_ints(np.diff(arc, axis=0, prepend=0)) for arc in arcs]
    uses = np.bincount([i if i >= 0 else ~i for ref in refs for i in ref], minlength=len(arcs))
    second = sum(
        len(encoding.encode_ints(np.diff(arcs[i], axis=0))) for i in np.flatnonzero(uses > 1)
    )

    def gz(value: object) -> int:
        text = json.dumps(value, separators=(",", ":")).encode()
        return len(gzip.compress(text, 6))

    shared = int(sum(len(arcs[i]) for i in np.flatnonzero(uses > 1)))
    print(
        f"{name}: {len(grid)} vertices in {len(rings)} rings; {len(arcs)} arcs, "
        f"{int((uses > 1).sum())} shared ({shared} vertices)\n"
        f"  rings encoded on their own: {gz(lines):,} B gzip; as shared arcs: "
        f"{gz([encoded, refs]):,} B gzip\n"
        f"  most arcs could save: {second:,} of {sum(map(len, lines)):,} characters "
        f"(before gzip, before any overhead)"
    )


def main() -> None:
    for scene in ("inf-2020", "oreshnik-belarus-2025"):
        frame = hp.aeqd_frame(resolve_scene(load_scene(scene)))
        measure(f"{scene} (azimuthal basemap)", hp.countries_display(frame))
    measure("world (Web Mercator pages)", layers.countries().display)


if __name__ == "__main__":
    main()
