"""Ranges as people write them: 480, "480km", "1000mi", "300nmi"; always kilometres inside."""

from __future__ import annotations

import math
import re
from typing import Literal

from rangemap.errors import InputError

Unit = Literal["km", "mi", "nmi"]

#: Metres per unit: the international mile (1959) and the international nautical mile
#: (1929), both exact by definition. Metres, so that 100 nmi is exactly 185.2 km in floats.
METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "mi": 1609.344, "nmi": 1852.0}

_UNIT_WORDS = {"km": "km", "mi": "mi", "nmi": "nmi"}
#: Plain decimal digits (ASCII only: float() would also read "1_0" and full-width digits).
_NUMBER = r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|nan|inf|infinity)"
_RANGE = re.compile(rf"\s*({_NUMBER})\s*(km|mi|nmi)?\s*", re.IGNORECASE | re.ASCII)
#: "2,350", "2 350", "1.000.000" (any of the usual group separators, also thin and no-break
#: spaces) are grouped thousands: refused, since "2,350" means 2.35 in half of Europe.
_GROUPED = re.compile(
    r"\s*[0-9]{1,3}(?:[,\u00a0\u202f\u2009 .'][0-9]{3})+(?:\.[0-9]+)?\s*[a-z]*\s*", re.I
)
#: "2.350": one to three digits, a point, exactly three digits. A decimal point to some readers
#: (2.35), a thousands separator to others (2,350 in German or Polish): refused as ambiguous.
_AMBIGUOUS_POINT = re.compile(r"\s*([1-9][0-9]{0,2})\.([0-9]{3})\s*(km|mi|nmi)?\s*", re.I)
_DECIMAL_COMMA = re.compile(r"\s*[0-9]+,(?:[0-9]{1,2}|[0-9]{4,})\s*[a-z]*\s*", re.I)
_HOW = "write a range as digits with an optional unit, e.g. 2350, 2350km, 1000mi or 300nmi"


class Written(float):
    """A number read from a file that keeps the text it was written as (YAML reads `2.350`
    as 2.35; the text says whether the point may have been a thousands separator)."""

    text: str

    def __new__(cls, value: float, text: str) -> Written:
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __reduce__(self) -> tuple:
        return (Written, (float(self), self.text))


def may_be_grouped(text: str) -> bool:
    """Whether `text` reads as a number both with a decimal point and with the point grouping
    thousands ("2.350"): what files keep as Written."""
    return _AMBIGUOUS_POINT.fullmatch(text) is not None


def check_unambiguous(value: object, label: str) -> None:
    """InputError for a range written "2.350" (text, or a Written number from a file), naming
    both readings: 2.35 with a decimal point, 2,350 with a thousands separator."""
    text = value.text if isinstance(value, Written) else value
    match = _AMBIGUOUS_POINT.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return
    whole, part, written = match.group(1), match.group(2), match.group(3) or ""
    unit = written.lower() or "km"
    decimal = f"{whole}.{part}".rstrip("0").rstrip(".")
    raise InputError(
        f"{label}: {text.strip()!r} is ambiguous: {decimal} {unit} with a decimal point, or "
        f"{whole},{part} {unit} with the point as a thousands separator (as in German or Polish "
        f"text); write {decimal + written!r} or {whole + part + written!r}."
    )


class Km(float):
    """A range in km that remembers how it was written (1000 mi -> Km(1609.344), 'mi', 1000).

    It is a float, so every computation and table sees kilometres; labels use `text`.
    """

    unit: str
    given: float

    def __new__(cls, km: float, unit: str = "km", given: float | None = None) -> Km:
        self = super().__new__(cls, km)
        self.unit = unit
        self.given = float(km) if given is None else float(given)
        return self

    def __reduce__(self) -> tuple:
        return (Km, (float(self), self.unit, self.given))

    @property
    def text(self) -> str:
        """'480 km', or the figure as given with km beside it: '1,000 mi (1,609 km)'."""
        return range_text(self)


def as_km(km: float) -> float:
    """A Km stays as it is (it knows its unit); any other number becomes a plain float."""
    return km if isinstance(km, Km) else float(km)


def number_text(value: float) -> str:
    """'2,350', '1,609.3': thousands separated, one decimal at most, no trailing zero."""
    return f"{value:,.1f}".removesuffix(".0")


def range_text(km: float) -> str:
    """A range for labels: '480 km'; a Km given in miles or nautical miles shows that figure
    first and the whole km beside it: '1,000 mi (1,609 km)'."""
    if isinstance(km, Km) and km.unit != "km":
        return f"{number_text(km.given)} {km.unit} ({float(km):,.0f} km)"
    return f"{number_text(float(km))} km"


def span_text(km: float, km_min: float | None = None, *, dash: str = "\u2013") -> str:
    """A range or band for labels: '480 km', '500\u20131,000 km', '1,000 mi (1,609 km)',
    '500\u20131,000 mi (805\u20131,609 km)'."""
    if not km_min:
        return range_text(km)
    ends = (km_min, km)
    if not any(isinstance(e, Km) and e.unit != "km" for e in ends):
        return f"{number_text(float(km_min))}{dash}{number_text(float(km))} km"
    (low, low_unit), (high, high_unit) = (
        (e.given, e.unit) if isinstance(e, Km) else (float(e), "km") for e in ends
    )
    low_text = number_text(low) if low_unit == high_unit else f"{number_text(low)} {low_unit}"
    shown = f"{low_text}{dash}{number_text(high)} {high_unit}"
    return f"{shown} ({float(km_min):,.0f}{dash}{float(km):,.0f} km)"


def parse_range(value: object, *, label: str = "range", what: str = "range") -> Km:
    """A range in km from a number (km) or text: '480', '480km', '1000 mi', '300nmi'.

    `label` names the value in messages ("--km", "rings.csv, line 4, column km"); `what`
    names it in the limits' message ("inner range"). Booleans, NaN, infinities, zero and
    negative figures, unknown units, digits other than plain ASCII decimals and thousands
    separators raise InputError saying how to write the number; the limits are those of
    rangemap.geodesic.check_range (1 m up to the antipode), checked in km after conversion.

    >>> parse_range("1000mi").text
    '1,000 mi (1,609 km)'
    """
    check_unambiguous(value, label)
    if isinstance(value, Km):
        km = value
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{label}: {value!r} is not a range; {_HOW}.")
    elif isinstance(value, str):
        km = _parse_text(value, label)
    else:
        km = Km(float(value)) if math.isfinite(value) else Km(math.nan)
    if not math.isfinite(km):
        raise InputError(f"{label}: {value!r} is not a finite number; {_HOW}.")
    if km <= 0:
        raise InputError(f"{label}: {value!r} must be greater than zero.")
    # Imported here: pyproj loads with it, and parsing a range must stay cheap for --help.
    from rangemap.geodesic import check_range

    try:
        check_range(float(km), label=what)
    except InputError as err:
        raise InputError(f"{label}: {err}") from None
    return km


def _parse_text(text: str, label: str) -> Km:
    match = _RANGE.fullmatch(text)
    if match is None:
        if _GROUPED.fullmatch(text):
            plain = re.sub(r"[^\d.a-zA-Z]|(?<=\d)\.(?=\d{3})", "", text)
            raise InputError(
                f"{label}: {text!r} has a thousands separator; write the number without it, "
                f"e.g. {plain!r} ({_HOW})."
            )
        if _DECIMAL_COMMA.fullmatch(text):
            raise InputError(
                f"{label}: {text!r} has a decimal comma; write decimals with a point, e.g. "
                f"{text.strip().replace(',', '.')!r}."
            )
        raise InputError(f"{label}: {text!r} is not a number in plain decimal digits; {_HOW}.")
    number, unit = float(match.group(1)), (match.group(2) or "km").lower()
    if unit == "km":
        return Km(number, "km", number)
    km = number * METRES_PER_UNIT[unit] / 1000.0
    if math.isfinite(number) and not math.isfinite(km):  # 1e306 mi: too far, not infinite
        km = number * (METRES_PER_UNIT[unit] / 1000.0)
    return Km(km, _UNIT_WORDS[unit], number)
