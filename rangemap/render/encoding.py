"""Compact coordinates for the map page: quantised, delta-encoded integers as short strings.

A [lat, lon] line costs ~20 bytes a vertex as JSON floats; as the difference from the previous
vertex in integer steps of 1/scale degree, each written as a zigzag varint in 5-bit digits, it
costs 2-6 characters. The digits are the URL-safe base64 alphabet (first 32 characters end a
number, last 32 continue it), so a string needs no escaping in JSON, HTML or Jinja, and the
page decodes it with DECODE_JS. Only what the page draws is encoded: tables, GIS exports and
every figure keep the exact values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
#: Enough 5-bit digits for any |delta| below 2**34 steps (1e4 steps a degree: 1.7e6 degrees).
_DIGITS = 7


def encode_ints(values: np.ndarray) -> str:
    """Integers as zigzag varints, least significant 5-bit digit first."""
    return _varints(values)[0]


def _varints(values: np.ndarray) -> tuple[str, np.ndarray]:
    """encode_ints, and the number of characters each value took."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size and int(np.abs(v).max()) >= 2 ** (5 * _DIGITS - 1):
        raise ValueError("a coordinate step is too large to encode")
    zig = np.where(v >= 0, 2 * v, -2 * v - 1).astype(np.uint64)
    shifts = np.arange(_DIGITS, dtype=np.uint64) * np.uint64(5)
    digits = (zig[:, None] >> shifts[None, :]) & np.uint64(31)
    rest = zig[:, None] >> (shifts[None, :] + np.uint64(5))  # what is left after each digit
    used = np.concatenate([np.ones((v.size, 1), dtype=bool), (zig[:, None] >> shifts)[:, 1:] > 0],
                          axis=1)  # fmt: skip
    codes = digits + np.where(rest > 0, np.uint64(32), np.uint64(0))
    return _CHARS[codes[used].astype(np.intp)].tobytes().decode("ascii"), used.sum(axis=1)


def encode_line(latlngs: Sequence[Sequence[float]] | np.ndarray, scale: int) -> str:
    """A line of [lat, lon] vertices in steps of 1/scale degree, each the step from the last."""
    q = np.round(np.asarray(latlngs, dtype=float).reshape(-1, 2) * scale).astype(np.int64)
    return encode_ints(np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)))


def encode_lines(
    latlngs: np.ndarray, starts: Sequence[int], scale: int, *, chained: bool = False
) -> list[str]:
    """Many lines in one pass, each as encode_line gives it: `latlngs` holds them one after
    another, line i being rows starts[i]:starts[i + 1] (`starts` ends with the row count).
    `chained`: each line steps on from the last vertex of the line before it instead of from
    zero (decode_chain; rmChain in the page): nearby lines start with a short step."""
    q = np.round(np.asarray(latlngs, dtype=float).reshape(-1, 2) * scale).astype(np.int64)
    steps = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    if not chained:
        first = np.asarray(starts[:-1], dtype=np.intp)
        steps[first] = q[first]  # each line starts from zero
    text, counts = _varints(steps)
    ends = np.concatenate([[0], np.cumsum(counts)])[2 * np.asarray(starts, dtype=np.intp)]
    return [text[a:b] for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True)]


def decode_chain(texts: Sequence[str], scale: int) -> list[list[list[float]]]:
    """encode_lines(..., chained=True)'s inverse (rmChain), for tests and checks."""
    lines, at = [], np.zeros(2)
    for text in texts:
        # decode_line at scale 1: the vertices in steps, as if the line started from zero
        q = at + np.round(np.array(decode_line(text, 1)).reshape(-1, 2))
        if len(q):
            at = q[-1]
        lines.append((q / scale).tolist())
    return lines


def decode_line(text: str, scale: int) -> list[list[float]]:
    """encode_line's inverse (DECODE_JS in Python), for tests and checks."""
    index = {c: i for i, c in enumerate(ALPHABET)}
    values, n, shift = [], 0, 0
    for char in text:
        digit = index[char]
        n += (digit & 31) << shift
        shift += 5
        if digit < 32:
            values.append(-(n + 1) // 2 if n & 1 else n // 2)
            n, shift = 0, 0
    q = np.cumsum(np.array(values, dtype=np.int64).reshape(-1, 2), axis=0)
    return (q / scale).tolist()


#: rmLine(text, scale) -> [[lat, lon], ...]; rmLines maps it over nested arrays of strings;
#: rmText joins a text from its pieces and the page's table of shared ones (rmShared).
DECODE_JS = """
var rmLine = (function () {
  var A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", T = {};
  for (var i = 0; i < 64; i++) { T[A.charCodeAt(i)] = i; }
  return function (s, scale, at) {  // at: [lat, lon] in steps to start from, updated
    var out = [], lat = at ? at[0] : 0, lon = at ? at[1] : 0, n = 0, f = 1, odd = false;
    for (var j = 0; j < s.length; j++) {
      var d = T[s.charCodeAt(j)];
      n += (d & 31) * f; f *= 32;
      if (d < 32) {
        var v = n % 2 ? -(n + 1) / 2 : n / 2;
        if (odd) { lon += v; out.push([lat / scale, lon / scale]); } else { lat += v; }
        odd = !odd; n = 0; f = 1;
      }
    }
    if (at) { at[0] = lat; at[1] = lon; }
    return out;
  };
})();
function rmShare(table, items) {  // table entries {"li": k}: the k-th of the page's items
  return table.map(function (s) { return typeof s === "string" ? s : items[s.li].outerHTML; });
}
function rmText(parts) {  // rangemap.render.encoding.shared_fragments
  return parts.map(function (p) { return typeof p === "number" ? rmShared[p] : p; }).join("");
}
function rmChain(scale) {  // a decoder of nested lines, each from where the last one ended
  var at = [0, 0];
  return function walk(x) { return typeof x === "string" ? rmLine(x, scale, at) : x.map(walk); };
}
function rmLines(x, scale) {
  if (typeof x === "string") { return rmLine(x, scale); }
  return x.map(function (y) { return rmLines(y, scale); });
}
"""


#: The HTML pieces a popup is cut into to find those repeated across popups: paragraphs and
#: list items (a source cited by several claims, a footnote every ring carries).
_FRAGMENT = re.compile(r"(<p[ >].*?</p>|<li>.*?</li>)", re.S)


def shared_fragments(
    texts: Sequence[str], page_items: Sequence[str] = ()
) -> tuple[list[str | dict[str, int]], list[list[str | int]]]:
    """Each text as a list of pieces, where a paragraph or list item found in more than one
    text, or among `page_items` (list items the page already shows, in document order: the
    sources panel's), is the index of its one copy in the returned table; a table entry is
    the piece, or {"li": k} for the k-th of `page_items`, which the page copies from its own
    HTML (rmText in DECODE_JS joins them back). Gzip sees only 32 KB back: the same source
    list in 24 ring popups cost it ~5 KB."""
    pieces = [[p for p in _FRAGMENT.split(text) if p] for text in texts]
    on_page = {item: k for k, item in reversed(list(enumerate(page_items)))}
    seen: dict[str, int] = {}
    for fragments in pieces:
        for piece in set(fragments):
            if _FRAGMENT.fullmatch(piece):
                seen[piece] = seen.get(piece, 0) + 1
    shared = sorted(piece for piece, n in seen.items() if n > 1 or piece in on_page)
    index = {piece: i for i, piece in enumerate(shared)}
    table: list[str | dict[str, int]] = [
        {"li": on_page[piece]} if piece in on_page else piece for piece in shared
    ]
    return table, [[index.get(p, p) for p in fragments] for fragments in pieces]


def page_items(html: str) -> list[str]:
    """The <li> items of an HTML text, in order (what shared_fragments may point at)."""
    return re.findall(r"<li>.*?</li>", html, re.S)
