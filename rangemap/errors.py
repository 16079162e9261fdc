"""Errors raised by rangemap: one base class, specific subclasses that also inherit the builtin."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RangemapError(Exception):
    """Base class of every error rangemap raises on purpose.

    `exit_code` is the command line's exit status for it: 2 where the user's input is at
    fault (fix the argument or the file), 1 for every other failure, as the README says.
    """

    exit_code = 1


class InputError(RangemapError, ValueError):
    """A value given by the user (argument, option, coordinate, range) is invalid."""

    exit_code = 2


class CatalogError(RangemapError, ValueError):
    """A catalog or scene file is missing, not valid YAML, or has a wrong or missing field."""

    exit_code = 2


class LayerFileError(CatalogError):
    """A data layer file shipped with the package is missing or corrupt: not the user's input."""

    exit_code = 1


class UnknownNameError(RangemapError, LookupError):
    """A site, system, place or scene name that no catalog knows."""

    exit_code = 2


class AmbiguousNameError(RangemapError, LookupError):
    """A place name that matches several places; the message lists them."""

    exit_code = 2


class OutputError(RangemapError, OSError):
    """An output path given by the user cannot be written (missing or read-only folder)."""

    exit_code = 2


class MissingPackageError(RangemapError, ImportError):
    """A package rangemap needs is not installed: the installation, not the input, is at fault."""


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
