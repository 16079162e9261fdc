"""A hypothesis strategy shared by the loader fuzz tests: real YAML text with a few line edits."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


@st.composite
def mutated_lines(draw: st.DrawFn, texts: Sequence[str], pieces: st.SearchStrategy[str]) -> str:
    """One of `texts` with 1-4 lines deleted, duplicated, swapped, re-indented, replaced,
    spliced with one of `pieces`, or with the text cut short there."""
    lines = draw(st.sampled_from(list(texts))).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(
            st.sampled_from(["delete", "duplicate", "swap", "indent", "noise", "splice", "cut"])
        )
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip(" ")
        elif op == "noise":
            lines[i] = draw(pieces) + "\n"
        elif op == "splice":
            at = draw(st.integers(0, len(lines[i])))
            cut = draw(st.integers(0, 3))
            lines[i] = lines[i][:at] + draw(pieces) + lines[i][at + cut :]
        else:
            lines = lines[:i]
    return "".join(lines)
