"""Country outlines as shared arcs, TopoJSON-style: a border two countries share is written once.

Rings are cut at junctions, the points where the set of rings passing through changes (found
by the neighbours each vertex has in each ring: a point whose occurrences do not all sit
between the same two neighbours). The pieces between junctions are arcs; an arc that another
ring has already produced, in either direction, is referred to instead of written again
(TopoJSON's ~i for the reverse of arc i). A ring with no junction is one closed arc, started
at its smallest point so that the same ring elsewhere (an enclave and the hole it leaves)
is written once too. Works on the integer grid of rangemap.render.encoding, so that "the
same point" is exact. The page rebuilds each ring with ARCS_JS.
"""

from __future__ import annotations

import numpy as np
import shapely

from rangemap.render import encoding

#: Signed arc indices per ring, rings per polygon, polygons per country (TopoJSON's "arcs").
Shape = list[list[list[int]]]


def ring_arcs(points: np.ndarray, starts: np.ndarray) -> tuple[list[np.ndarray], list[list[int]]]:
    """Split rings into shared arcs.

    `points`: (n, 2) integers, every ring's vertices one after another without the closing
    vertex; ring k is points[starts[k]:starts[k + 1]] (at least one vertex each).
    Returns the arcs (each (m, 2), both ends included; a closed arc ends where it starts) and,
    per ring, its arcs in order as indices, ~i where arc i is walked backwards. Joining a
    ring's arcs (each less its first vertex) gives the ring back, started at a junction.
    """
    n = len(points)
    if n == 0:
        return [], [[] for _ in range(len(starts) - 1)]
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
    for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
        ids = pid[a:b]
        cuts = np.flatnonzero(junction[a:b])
        if cuts.size == 0:  # one closed arc from the ring's smallest point
            cuts = np.array([int(np.argmin(ids))])
        order = np.roll(np.arange(b - a), -int(cuts[0]))
        ends = np.append(cuts - cuts[0], b - a)
        refs.append([])
        for start, stop in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True):
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
    """A ring from its arcs (ring_arcs' inverse; ARCS_JS in Python), without closing vertex."""
    pieces = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in refs]
    return np.concatenate([pieces[0], *(p[1:] for p in pieces[1:])])[:-1]


def country_arcs(display: np.ndarray, scale: int) -> tuple[list[str], list[Shape]]:
    """Countries' outlines (one geometry each, empty where none is drawn) on the grid of
    1/scale degree, as encoded shared arcs (rangemap.render.encoding, [lat, lon]) and, per
    country, its polygons' rings as arc indices (an empty list for an empty geometry).

    Vertices are rounded, not snapped: shapely.set_precision would collapse Monaco or the
    Vatican. Every ring is the same as when encoded on its own, up to where it starts.
    """
    parts, part_owner = shapely.get_parts(display, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    keep = np.ones(len(coords), dtype=bool)  # each ring without its closing vertex
    keep[np.searchsorted(coord_ring, np.arange(1, len(rings) + 1)) - 1] = False
    grid = np.round(coords[keep, ::-1] * scale).astype(np.int64)
    starts = np.searchsorted(coord_ring[keep], np.arange(len(rings) + 1))
    arcs, refs = ring_arcs(grid, starts)
    polygons: list[list[list[int]]] = [[] for _ in range(len(parts))]
    for ref, part in zip(refs, ring_owner.tolist(), strict=True):
        polygons[part].append(ref)
    shapes: list[Shape] = [[] for _ in range(len(display))]
    for polygon, owner in zip(polygons, part_owner.tolist(), strict=True):
        if polygon:
            shapes[owner].append(polygon)
    encoded = [encoding.encode_ints(np.diff(arc, axis=0, prepend=0)) for arc in arcs]
    return encoded, shapes


#: rmArcs(arcs, shape) -> a country's polygons for L.polygon, from its rings' arc indices
#: (country_arcs) and the arcs decoded once (rmLines: encoding.DECODE_JS). Leaflet copies
#: the arrays it is given, so arcs are shared between countries safely.
ARCS_JS = """
function rmArcs(arcs, shape) {
  return shape.map(function (polygon) {
    return polygon.map(function (refs) {
      var out = [];
      refs.forEach(function (i) {
        var arc = i < 0 ? arcs[~i] : arcs[i], n = arc.length;
        for (var k = out.length ? 1 : 0; k < n; k++) { out.push(arc[i < 0 ? n - 1 - k : k]); }
      });
      out.pop();  // the ring's closing vertex: L.polygon closes it
      return out;
    });
  });
}
"""
