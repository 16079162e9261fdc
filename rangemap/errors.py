"""Errors raised by rangemap: one base class, specific subclasses that also inherit the builtin."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RangemapError(Exception):
    """Base class of every error rangemap raises on purpose."""


class InputError(RangemapError, ValueError):
    """A value given by the user (argument, option, coordinate, range) is invalid."""


class CatalogError(RangemapError, ValueError):
    """A catalog or scene file is missing, not valid YAML, or has a wrong or missing field."""


class UnknownNameError(RangemapError, LookupError):
    """A site, system, place or scene name that no catalog knows."""


class AmbiguousNameError(RangemapError, LookupError):
    """A place name that matches several places; the message lists them."""


class OutputError(RangemapError, OSError):
    """An output file cannot be written (missing or read-only directory)."""


def suggest(
    name: str, choices: Iterable[str], *, kind: str, known: Iterable[str] | None = None
) -> UnknownNameError:
    """Build an UnknownNameError for `name` with "did you mean" suggestions from `choices`.

    `known` lists the canonical names shown as the valid choices (default: `choices`), so
    aliases can be matched for suggestions without crowding the listing.
    """
    listed = sorted(set(choices if known is None else known))
    # One spelling per lower-cased name, the listed one first: id 'tomahawk' over 'Tomahawk'.
    lower: dict[str, str] = {}
    for choice in [*listed, *sorted(set(choices))]:
        lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(lower[c]) for c in close)}?" if close else ""
    listing = ", ".join(listed) if len(listed) <= 20 else f"{len(listed)} known names"
    return UnknownNameError(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.")
