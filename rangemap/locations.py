"""Where a ring is drawn from: a catalog site, a place name or "LAT,LON", resolved offline."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np

from rangemap import layers
from rangemap.errors import (
    AmbiguousNameError,
    InputError,
    UnknownNameError,
    check_text,
    close_matches,
)
from rangemap.geodesic import check_position
from rangemap.units import range_text

if TYPE_CHECKING:
    from pathlib import Path

    from rangemap.areas import LaunchArea
    from rangemap.catalog import AreaSite, Catalog, Site

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

    kind is "site" (the basing catalog), "place" (GeoNames), "coordinates" (given by the user)
    or "area": launchers anywhere in `area` (a region, a GeoJSON polygon, a dispersal disc);
    lat/lon then mark where its name is drawn, and ranges are measured from the whole area.
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: Literal["site", "place", "coordinates", "area"]
    marks: str
    source: str
    area: LaunchArea | None = None
    #: The name in German article text, where one is known (catalog area sites).
    name_de: str | None = None

    @property
    def anywhere(self) -> str:
        """Where launchers may be, for labels: "anywhere in the Kaliningrad region", or for a
        dispersal disc (named "within 50 mi (80 km) of Deveselu") "anywhere within ..."."""
        if self.area is not None and self.area.radius_km is not None:
            return f"anywhere {self.name}"
        return f"anywhere in {self.name}"


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


def resolve(spec: str, *, catalog: Catalog | None = None) -> Location:
    """Resolve a site id ("deveselu"), a place name ("Warsaw", "Paris, FR") or "LAT,LON".

    Sites are looked up in `catalog`, by default the current one (`load_catalog()`).
    """
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

    catalog = catalog or load_catalog()
    key = layers.fold_name(spec)
    for site in catalog.sites:
        if layers.fold_name(site.id) == key or layers.fold_name(site.name) == key:
            return site_location(site)
    for area in catalog.areas:
        if layers.fold_name(area.id) == key:
            return area_site_location(area)
    try:
        return place(spec)
    except UnknownNameError:
        pass
    hint = _place_hint(spec, [s.id for s in catalog.sites] + [a.id for a in catalog.areas])
    raise UnknownNameError(
        f"unknown site or place {spec!r}.{hint} Give a catalog site id "
        f"({', '.join(sorted(s.id for s in catalog.sites))}), an area site id "
        f"({', '.join(sorted(a.id for a in catalog.areas))}), a place name from GeoNames "
        '(places of 15,000+ inhabitants, e.g. "Warsaw" or "Paris, FR") or LAT,LON.'
    )


def _place_hint(spec: str, site_ids: list[str]) -> str:
    """' Did you mean ...?' with the nearest catalog ids and GeoNames names, alternate
    spellings included ("Osipovichy" -> 'Osipovichi, BY', listed also as 'asipovichy'), or ''.

    Only runs when a name is not found, so comparing every spelling (~170,000, ~0.3 s) is
    affordable; each suggestion is written so that it resolves when given back.
    """
    name = spec.partition(",")[0]
    key = layers.fold_name(name)
    spellings = _spellings()
    choices = {layers.fold_name(s): s for s in site_ids}
    near = [k for k in spellings if abs(len(k) - len(key)) <= 2]
    close = close_matches(key, [*choices, *near], n=8, key=str, cutoff=0.75)
    cities = layers.cities()
    shown: dict[str, str] = {}
    for match in close:
        if match in choices:
            shown.setdefault(choices[match], repr(choices[match]))
            continue
        i = spellings[match]
        full = f"{cities.name[i]}, {cities.country_iso2[i]}"
        # Matched on another spelling only: say which ("Asipovichy" for Osipovichi).
        own = layers.fold_name(str(cities.name[i])) in close
        shown.setdefault(full, f"{full!r}" if own else f"{full!r} (also written {match!r})")
    if not shown:
        return ""
    return f" Did you mean {', '.join(list(shown.values())[:3])}?"


@cache
def _spellings() -> dict[str, int]:
    """Every folded name and alternate name of the places layer -> its most populous place."""
    cities = layers.cities()
    out: dict[str, int] = {}
    for i in np.argsort(-cities.population, kind="stable").tolist():
        for key in str(cities.search_keys[i]).strip("|").split("|"):
            out.setdefault(key, i)
    return out


def site_location(site: Site) -> Location:
    """The Location of a catalog site, citing the first source of its position."""
    return Location(
        site.id, site.name, site.lat, site.lon, "site", site.marks, site.sources[0].cite()
    )


def _ambiguous(spec: str, hits: np.ndarray, *, country_given: bool) -> str:
    """Name the candidates and a fix the user has not tried yet: the country code when the
    places lie in several countries and none was given, else the coordinates of each."""
    cities = layers.cities()
    countries = dict.fromkeys(str(c) for c in cities.country_iso2[hits])
    name = str(cities.name[hits[0]])
    if not country_given and len(countries) > 1:
        counts = {c: int((cities.country_iso2[hits] == c).sum()) for c in countries}
        listing = "; ".join(
            f'"{name}, {c}"' + (f" ({n} places)" if n > 1 else "") for c, n in counts.items()
        )
        return (
            f"place {spec!r} matches {hits.size} places in {len(countries)} countries. Add the "
            f"country code: {listing}; or give LAT,LON."
        )
    listing = "; ".join(
        f"{cities.name[i]}, {cities.country_iso2[i]} at "
        f'"{cities.lat[i]:.4f},{cities.lon[i]:.4f}" (population {cities.population[i]:,})'
        for i in hits[:8]
    )
    more = f" and {hits.size - 8} more" if hits.size > 8 else ""
    return (
        f"place {spec!r} matches {hits.size} places: {listing}{more}. GeoNames gives no "
        "finer name for them here: give the LAT,LON of the one you mean, as listed."
    )


def launch_location(
    site: str | Location | None = None,
    *,
    area: Path | str | None = None,
    dispersal_km: float | None = None,
) -> Location:
    """Where ranges are measured from: a site (point or area site id), the polygons of a
    GeoJSON file (`area`), or, with `dispersal_km`, anywhere within that distance of a point.

    >>> launch_location("kaliningrad-region").kind
    'area'
    """
    from pathlib import Path

    if site is None and area is None:
        raise InputError(
            "no launch site given: give a site id, place or LAT,LON (--site), or a GeoJSON "
            "area file (--area)."
        )
    if site is not None and area is not None:
        raise InputError("give either a site (--site) or a GeoJSON area file (--area), not both.")
    if area is not None:
        if dispersal_km is not None:
            raise InputError(
                "a dispersal radius widens a site point; it cannot be used with an area file."
            )
        return geojson_location(Path(area))
    location = site if isinstance(site, Location) else resolve(site)
    return location if dispersal_km is None else dispersal_location(location, dispersal_km)


def area_site_location(area: AreaSite) -> Location:
    """The Location of a catalog area site: a country, or the part of it holding a site."""
    from rangemap.catalog import load_catalog

    holding = load_catalog().site(area.holding) if area.holding else None
    launch = _catalog_area(
        area.country,
        holding.lat if holding else None,
        holding.lon if holding else None,
        holding.name if holding else None,
    )
    location = _area_location(area.id, area.name, launch, area.marks, area.sources[0].cite())
    return replace(location, name_de=area.name_de)


@cache
def _catalog_area(
    country: str, lat: float | None, lon: float | None, place: str | None
) -> LaunchArea:
    """Built once per process: the coverage caches key on the area itself."""
    from rangemap import areas

    if lat is None or lon is None:
        return areas.country_area(country)
    return areas.part_holding(country, lat, lon, place=place)


def geojson_location(path: Path, *, name: str | None = None) -> Location:
    """An area site from the polygons of a GeoJSON file (`--area FILE.geojson`), named for
    the file's stem, or `name` (area_names: two files of the same stem in different folders)."""
    from rangemap.area_files import read_geojson_area

    launch = read_geojson_area(path)
    name = name or path.stem
    return _area_location(
        f"area:{name}", name, launch, "area from a GeoJSON file", f"user file {path.name}"
    )


def area_names(paths: list[Path]) -> list[str]:
    """A name for each area file: its stem, or where different files share a stem (ok.geojson,
    d2/ok.geojson) the path as given without its suffix ("ok", "d2/ok"). The same file given
    twice keeps one name, so that compare refuses it as given twice."""
    import os

    def same_file(a: Path, b: Path) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:
            return os.path.abspath(a) == os.path.abspath(b)

    names = []
    for path in paths:
        clash = any(p.stem == path.stem and not same_file(p, path) for p in paths)
        names.append(path.with_suffix("").as_posix() if clash else path.stem)
    return names


def dispersal_location(centre: Location, km: float) -> Location:
    """Launchers anywhere within `km` of a point site ("within 50 km of the base")."""
    from rangemap.areas import dispersal_area

    if centre.area is not None:
        raise InputError(
            f"--dispersal needs a point site, and {centre.name!r} is already an area; "
            "give a site id, a place or LAT,LON."
        )
    launch = dispersal_area(centre.lat, centre.lon, km, name=centre.name)
    within = f"within {range_text(km)} of"
    return _area_location(
        f"{centre.id}+{km:g}km",
        f"{within} {centre.name}",
        launch,
        f"{within} {centre.marks}",
        centre.source,
    )


def _area_location(id_: str, name: str, launch: LaunchArea, marks: str, source: str) -> Location:
    lat, lon = launch.label_point()
    return Location(id_, name, lat, lon, "area", marks, source, launch)


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
        raise AmbiguousNameError(_ambiguous(spec, hits, country_given=bool(country.strip())))
    return Location(
        f"geonames:{cities.geonameid[top]}",
        str(cities.name[top]),
        float(cities.lat[top]),
        float(cities.lon[top]),
        "place",
        "place centre (GeoNames)",
        f"GeoNames, geonameid {cities.geonameid[top]} (CC BY 4.0)",
    )
