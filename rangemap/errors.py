"""Errors raised by rangemap: one base class, specific subclasses that also inherit the builtin."""

from __future__ import annotations

import difflib
import re
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
    """An output path that cannot be used: a missing or read-only folder, a link, a device,
    a FIFO, the command's own input, a name too long or not UTF-8 (exit status 2)."""


class WriteError(RangemapError, OSError):
    """Writing failed on the machine's side: disk full, file size limit, permissions.

    Not the user's input, so the command line exits with status 1, not 2.
    """

    exit_status = 1


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


#: Control characters: they truncate GIS attributes (NUL) and make SVG invalid XML. Tabs and
#: line breaks are text; lone surrogates are bytes that were not UTF-8 (an argument's).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """What is wrong with `text`, if anything: "the control character U+0000 at position 3",
    or "bytes that are not UTF-8 at position 5"; None for plain text."""
    bad = _CONTROL.search(text)
    if bad is None:
        return None
    char = bad.group()
    what = (
        "bytes that are not UTF-8"
        if "\ud800" <= char <= "\udfff"
        else f"the control character U+{ord(char):04X}"
    )
    return f"{what} at position {bad.start() + 1}"


def check_text(text: str, *, field: str) -> str:
    """Return `text` if it holds no control characters and is valid UTF-8; else InputError
    naming the field and the first offending character."""
    bad = control_character(text)
    if bad is None:
        return text
    raise InputError(f"{field} {text[:60]!r} contains {bad}. Remove it and run again.")


def describe_os_error(err: OSError) -> str:
    """One line for an OSError that reached the command line: what failed, on which file."""
    where = f" {err.filename!s}" if err.filename is not None else ""
    reason = err.strerror or str(err) or type(err).__name__
    return f"cannot complete the command:{where}: {reason}."
