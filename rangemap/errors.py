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


def suggest(name: str, choices: Iterable[str], *, kind: str) -> UnknownNameError:
    """Build an UnknownNameError for `name` with "did you mean" suggestions from `choices`."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in choices], n=3, cutoff=0.6)
    lower = {c.lower(): c for c in choices}
    hint = f" Did you mean {', '.join(repr(lower[c]) for c in close)}?" if close else ""
    listing = ", ".join(choices) if len(choices) <= 20 else f"{len(choices)} known names"
    return UnknownNameError(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.")
