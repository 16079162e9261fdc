"""Errors raised by rangemap: one base class, specific subclasses that also inherit the builtin."""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any


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
    """An output path that cannot be used: a missing or read-only folder, a link, a device,
    a FIFO, the command's own input, a name too long or not UTF-8."""

    exit_code = 2


class WriteError(RangemapError, OSError):
    """Writing failed on the machine's side: disk full, file size limit, permissions.

    Not the user's input, so the command line exits with status 1, not 2.
    """


class MissingPackageError(RangemapError, ImportError):
    """A package rangemap needs is not installed: the installation, not the input, is at fault."""


#: How alike a name must be to a known one to be suggested (difflib's ratio, 0 to 1) ...
SUGGEST_CUTOFF = 0.5
#: ... and how close to the best match: "lattitude" finds "lat" among a few field names,
#: while "kalinigrad" finds "kaliningrad" and not also "Paulinia" among 5,000 place names.
SUGGEST_SPREAD = 0.1


def close_matches(
    name: str,
    choices: Iterable[str],
    *,
    n: int = 3,
    key: Callable[[str], str] = str.lower,
    cutoff: float = SUGGEST_CUTOFF,
) -> list[str]:
    """Up to `n` of `choices` spelled like `name`, closest first: every "did you mean".

    Names are compared by `key` (lower case by default); of choices with the same key, the
    first one's spelling is returned. Short names need a higher `cutoff`: among a few field
    names, 'kind' and 'km_min' share half their letters without being alike.
    """
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(key(choice), choice)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key(name))
    scored = []
    for candidate in by_key:  # difflib.get_close_matches's quick tests, keeping the scores
        matcher.set_seq1(candidate)
        if (
            matcher.real_quick_ratio() >= cutoff
            and matcher.quick_ratio() >= cutoff
            and (score := matcher.ratio()) >= cutoff
        ):
            scored.append((score, candidate))
    best = heapq.nlargest(n, scored)
    return [by_key[c] for score, c in best if score >= best[0][0] - SUGGEST_SPREAD]


def did_you_mean(name: str, choices: Iterable[str], **kwargs: Any) -> str:
    """' Did you mean 'a', 'b'?' for the close matches of `name`, or ''."""
    close = close_matches(name, choices, **kwargs)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def suggest(
    name: str, choices: Iterable[str], *, kind: str, known: Iterable[str] | None = None
) -> UnknownNameError:
    """Build an UnknownNameError for `name` with "did you mean" suggestions from `choices`.

    `known` lists the canonical names shown as the valid choices (default: `choices`), so
    aliases can be matched for suggestions without crowding the listing.
    """
    listed = sorted(set(choices if known is None else known))
    # The listed spelling first: id 'tomahawk' over 'Tomahawk'.
    hint = did_you_mean(name, [*listed, *sorted(set(choices))])
    listing = ", ".join(listed) if len(listed) <= 20 else f"{len(listed)} known names"
    return UnknownNameError(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.")


#: Control characters: they truncate GIS attributes (NUL) and make SVG invalid XML. Tabs and
#: line breaks are text; lone surrogates are bytes that were not UTF-8 (an argument's). Bidi
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder the text after
#: them: U+202E made a legend read "007" for 700 km.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def _describe(char: str) -> str:
    """ "U+202E (RIGHT-TO-LEFT OVERRIDE)": a character's code point and Unicode name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def control_character(text: str) -> str | None:
    """What is wrong with `text`, if anything: "the control character U+0000 at position 3",
    or "bytes that are not UTF-8 at position 5"; None for plain text."""
    bad = _CONTROL.search(text)
    if bad is None:
        return None
    char = bad.group()
    if "\ud800" <= char <= "\udfff":
        what = "bytes that are not UTF-8"
    elif unicodedata.category(char) == "Cf":
        what = f"the bidirectional control character {_describe(char)}"
    else:
        what = f"the control character U+{ord(char):04X}"
    return f"{what} at position {bad.start() + 1}"


def invisible_character(text: str) -> str | None:
    """What makes a name look like another, if anything: an invisible format character
    (Unicode category Cf: zero-width spaces and joiners, bidi marks, soft hyphens, U+FEFF),
    "the invisible character U+200B (ZERO WIDTH SPACE) at position 5"; None for a plain name.
    A name with one reads as its twin without it ("9M729" and "9M\u200b729") and would pass
    every duplicate check."""
    control = control_character(text)
    if control is not None:
        return control
    for i, char in enumerate(text):
        if unicodedata.category(char) == "Cf":
            return f"the invisible character {_describe(char)} at position {i + 1}"
    return None


def check_text(text: str, *, field: str) -> str:
    """Return `text` if it holds no control characters and is valid UTF-8; else InputError
    naming the field and the first offending character."""
    bad = control_character(text)
    if bad is None:
        return text
    raise InputError(f"{field} {text[:60]!r} contains {bad}. Remove it and run again.")


def check_name(text: str, *, field: str) -> str:
    """check_text for names and labels: no invisible format characters either."""
    bad = invisible_character(text)
    if bad is None:
        return text
    raise InputError(f"{field} {text[:60]!r} contains {bad}. Remove it and run again.")


def describe_os_error(err: OSError) -> str:
    """One line for an OSError that reached the command line: what failed, on which file."""
    where = f" {err.filename!s}" if err.filename is not None else ""
    reason = err.strerror or str(err) or type(err).__name__
    return f"cannot complete the command:{where}: {reason}."
