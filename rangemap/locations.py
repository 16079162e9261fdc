"""Where a ring is drawn from: a catalog site, a place name or "LAT,LON", resolved offline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from rangemap import layers
from rangemap.errors import (
    AmbiguousNameError,
    InputError,
    UnknownNameError,
    check_text,
    did_you_mean,
)
from rangemap.geodesic import check_position

if TYPE_CHECKING:
    from rangemap.catalog import Site

_LOOKS_NUMERIC = re.compile(r"^\s*[-+.\d]")
#: A coordinate as written in decimal degrees: ASCII digits, an optional sign and point.
#: float() would also take "1_0", full-width digits, "nan", "inf" and "1e1".
_DEGREES = re.compile(r"\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*", re.ASCII)


def _number(text: str) -> float | None:
    return float(text) if _DEGREES.fullmatch(text) else None


def _numberish(text: str) -> bool:
    """Text a reader would take for a number (full-width digits, 1_0, 1e5, nan) but that is
    not plain decimal degrees."""
    try:
        float(text)
    except ValueError:
        return False
    return True


#: A place name picks the most populous match outright when it has this many times the
#: population of the next one (Berlin, Germany over Berlin, New Hampshire); else it is ambiguous.
_DOMINANCE = 10


@dataclass(frozen=True)
class Location:
    """A point rings are drawn from, with what it is and where its position comes from.

    kind is "site" (the basing catalog), "place" (GeoNames) or "coordinates" (given by the user).
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: Literal["site", "place", "coordinates"]
    marks: str
    source: str


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lat, lon) from "LAT,LON" in decimal degrees; None if text is not coordinate-shaped.

    Text that starts like a number, or has a number on either side of its one comma, is meant
    as coordinates: if it cannot be read as two finite degrees, InputError says how to write it.
    """
    parts = text.split(",")
    numbers = [_number(p) for p in parts]
    if not _LOOKS_NUMERIC.match(text) and not (
        len(parts) == 2
        and any(n is not None or _numberish(p) for n, p in zip(numbers, parts, strict=True))
    ):
        return None
    if len(parts) != 2 or None in numbers:
        raise InputError(
            f"cannot read {text!r} as coordinates: write them as LAT,LON in decimal "
            'degrees with ASCII digits, latitude first, e.g. "54.717,20.517" (south and west '
            "negative)."
        )
    lat, lon = numbers
    check_position(lat, lon)
    return lat, lon


def resolve(spec: str) -> Location:
    """Resolve a site id ("deveselu"), a place name ("Warsaw", "Paris, FR") or "LAT,LON"."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError("empty site: give a catalog id, a place name or LAT,LON.")
    check_text(spec, field="site")
    coords = parse_coordinates(spec)
    if coords is not None:
        lat, lon = coords
        return Location(
            f"{lat:g},{lon:g}",
            f"{lat:g}, {lon:g}",
            lat,
            lon,
            "coordinates",
            "coordinates given by the user",
            "user input",
        )
    # Imported here, after coordinates: the catalog needs pydantic and YAML (~70 ms).
    from rangemap.catalog import load_catalog

    catalog = load_catalog()
    key = layers.fold_name(spec)
    for site in catalog.sites:
        if layers.fold_name(site.id) == key or layers.fold_name(site.name) == key:
            return site_location(site)
    try:
        return place(spec)
    except UnknownNameError:
        pass
    names = [s.id for s in catalog.sites] + _popular_place_names()
    hint = did_you_mean(spec, names, key=layers.fold_name)
    raise UnknownNameError(
        f"unknown site or place {spec!r}.{hint} Give a catalog site id "
        f"({', '.join(sorted(s.id for s in catalog.sites))}), a place name from GeoNames "
        '(places of 15,000+ inhabitants, e.g. "Warsaw" or "Paris, FR") or LAT,LON.'
    )


def _popular_place_names(limit: int = 5000) -> list[str]:
    """Names of the most populous places: enough for suggestions, quick to compare."""
    cities = layers.cities()
    order = np.argsort(-cities.population, kind="stable")[:limit]
    return [str(n) for n in cities.name[order]]


def site_location(site: Site) -> Location:
    """The Location of a catalog site, citing the first source of its position."""
    return Location(
        site.id, site.name, site.lat, site.lon, "site", site.marks, site.sources[0].cite()
    )


def place(spec: str) -> Location:
    """A GeoNames place by name, optionally narrowed by country: "Paris, FR" or "Paris, FRA"."""
    name, _, country = spec.partition(",")
    cities = layers.cities()
    hits = cities.find(name)
    if country.strip():
        code = country.strip().upper()
        hits = hits[(cities.country_iso2[hits] == code) | (cities.country_iso3[hits] == code)]
    if hits.size == 0:
        raise UnknownNameError(f"no GeoNames place named {spec!r}.")
    hits = hits[np.argsort(-cities.population[hits], kind="stable")]
    top = hits[0]
    if hits.size > 1 and cities.population[top] < _DOMINANCE * cities.population[hits[1]]:
        listing = "; ".join(
            f"{cities.name[i]}, {cities.country_iso2[i]} (population {cities.population[i]:,})"
            for i in hits[:8]
        )
        raise AmbiguousNameError(
            f"place {spec!r} matches {hits.size} places: {listing}. Add the country code "
            f'(e.g. "{cities.name[top]}, {cities.country_iso2[top]}") or give LAT,LON.'
        )
    return Location(
        f"geonames:{cities.geonameid[top]}",
        str(cities.name[top]),
        float(cities.lat[top]),
        float(cities.lon[top]),
        "place",
        "place centre (GeoNames)",
        f"GeoNames, geonameid {cities.geonameid[top]} (CC BY 4.0)",
    )
