"""Catalogs of basing sites, systems with their sourced range claims, and treaty thresholds."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rangemap._yamlio import Loc, LocatedProblem, Number, display_path, locate_in, validate
from rangemap.errors import CatalogError, InputError, invisible_character, suggest
from rangemap.units import number_text, span_text

SITES_FILE = "sites.yaml"
SYSTEMS_FILE = "systems.yaml"
TREATIES_FILE = "treaties.yaml"
AREAS_FILE = "areas.yaml"

_T = TypeVar("_T")


def _date_text(value: object) -> object:
    """YAML reads `2019-01-23` as a date and `2019` as an int: both mean the text written."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")  # then rejected: sources are dated to the day at most
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _check_partial_date(value: str) -> str:
    """Sources are often dated to the month or year only; the date must still exist."""
    match = _PARTIAL_DATE.fullmatch(value)
    if match is None:
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"no such date: {value!r}") from None
    return value


def _check_url(value: str) -> str:
    """Only web links: a `javascript:` or `file:` URL must never reach a rendered map."""
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError(f"URL must not contain spaces or control characters, got {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"URL must start with http:// or https:// and a host, got {value!r}")
    return value


def _check_slug(value: str) -> str:
    """Ids are typed on command lines and used in file names: keep them plain."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValueError(f"ids are lowercase letters and digits joined by hyphens, got {value!r}")
    return value


def _check_iso_a3(value: str) -> str:
    """Alpha-3 as in the country layers (ADM0_A3 / ISO_A3), so sites join to countries."""
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"country codes are ISO 3166-1 alpha-3 (RUS, ROU), got {value!r}")
    return value


#: Spans of km are joined by an en dash, as in print: "500\u20135,500 km".
EN_DASH = "\u2013"


def km_text(km: float) -> str:
    """'2,350', '1,609.3': thousands separated, no trailing zeros."""
    return number_text(km)


def km_span(km: float, km_min: float | None = None) -> str:
    """'2,350 km', a band '500\u20135,500 km' (an en dash), or a range given in miles
    '1,000 mi (1,609 km)': how every text writes a range (rangemap.units.span_text)."""
    return span_text(km, km_min or None, dash=EN_DASH)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_name(value: str) -> str:
    """Names are compared and shown: no invisible format characters (rangemap.errors)."""
    bad = invisible_character(value)
    if bad:
        raise ValueError(
            f"the name contains {bad}; delete it (it does not show, so the name "
            "would read as another)"
        )
    return value


#: A name or label readers see and the catalog compares: Text without invisible characters.
Name = Annotated[Text, AfterValidator(_check_name)]
Slug = Annotated[str, AfterValidator(_check_slug)]
IsoA3 = Annotated[str, AfterValidator(_check_iso_a3)]
PartialDate = Annotated[str, BeforeValidator(_date_text), AfterValidator(_check_partial_date)]
Url = Annotated[str, AfterValidator(_check_url)]


def _check_km(value: float) -> float:
    """A range within the documented limits (geodesic.check_range), checked as the file is
    read so the message names the line: 1e306 km would overflow to infinity in metres."""
    from rangemap.geodesic import check_range

    check_range(value)
    return value


def _check_written(value: object) -> object:
    """A figure written "2.350" is 2.35 or 2,350 (a thousands point): refused as ambiguous."""
    from rangemap.units import check_unambiguous

    try:
        check_unambiguous(value, "range")
    except InputError as err:
        raise ValueError(str(err).removeprefix("range: ")) from None
    return value


Km = Annotated[Number, BeforeValidator(_check_written), AfterValidator(_check_km)]


def _check_color(value: str) -> str:
    """Only #RRGGBB: colours go into style attributes and scripts, so nothing else may pass."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"colours are written #RRGGBB, e.g. '#0072B2', got {value!r}")
    return value.upper()


Color = Annotated[str, AfterValidator(_check_color)]


def _key(name: str) -> str:
    """Lookup key: case, spaces, hyphens, dots and underscores do not matter ("SSC-8" = "ssc8")."""
    return re.sub(r"[\s\-_.]", "", name.casefold())


def km_min_below_km(value: float | None, info: ValidationInfo) -> float | None:
    """Validator for km_min fields: a band's inner range lies below its outer range `km`."""
    km = info.data.get("km")
    if value is not None and km is not None and value >= km:
        raise ValueError(f"km_min ({value:g}) must be less than km ({km:g})")
    return value


class _Model(BaseModel):
    """Immutable, and strict about unknown fields so a typo in a catalog is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Source(_Model):
    """Where a fact comes from. A reader must be able to find it: a URL, or a date to search by."""

    publisher: Text = Field(description="Who published it: 'TASS', 'Reuters'.")
    title: Text = Field(
        description="Title as published; in [brackets], a description where the title is unknown."
    )
    date: PartialDate | None = Field(
        default=None, description="Publication date: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    url: Url | None = Field(default=None, description="http(s) link, or null when not known.")
    reprint_of: Text | None = Field(
        default=None,
        description=(
            "The original this is a copy of, where the original's own page was not found "
            "('a Reuters report'): `publisher` is then the site that reprinted it."
        ),
    )
    note: Text | None = Field(default=None, description="Caveats: a mirror, a translation ...")

    def cite(self) -> str:
        """One-line citation for tables: "Publisher, Title, date, url" (plain text), and
        "(reprint of ...)" for a copy standing in for an original not found."""
        text = ", ".join(
            str(part) for part in (self.publisher, self.title, self.date, self.url) if part
        )
        return f"{text} (reprint of {self.reprint_of})" if self.reprint_of else text

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if self.url is None and self.date is None:
            raise ValueError("a source without a url needs a date, so a reader can find it")
        return self


Sources = Annotated[tuple[Source, ...], Field(min_length=1)]


def _check_known(value: str, info: ValidationInfo, kind: str) -> str:
    """Check a reference to another catalog entry against the names handed in as context."""
    known = (info.context or {}).get(f"{kind}s")
    if known is not None and value not in known:
        raise ValueError(str(suggest(value, known, kind=kind)))
    return value


class Hosting(_Model):
    """A claim that a site hosts a system: who says so, and on what source."""

    system: Slug = Field(description="Id of the system in systems.yaml.")
    kind: Literal["stated", "planned", "reported", "implied", "disputed"] = Field(
        description=(
            "stated: the operating state says so; planned: the operating state has announced "
            "a deployment that has not verifiably taken place; reported: media citing "
            "intelligence or officials; implied: an official text implies it without saying "
            "it; disputed: one side claims it, the other denies it."
        )
    )
    claimed_by: Name = Field(description="Who says so: 'Russia (MFA, Maria Zakharova)'.")
    date: PartialDate | None = Field(default=None, description="When it was said.")
    sources: Sources
    note: Text | None = None

    @field_validator("system")
    @classmethod
    def _known_system(cls, value: str, info: ValidationInfo) -> str:
        return _check_known(value, info, "system")


class Site(_Model):
    """A basing site: a point on WGS84 and what that point stands for."""

    id: Slug
    name: Name
    country: IsoA3 = Field(description="ISO 3166-1 alpha-3 code of the country it lies in.")
    lat: Annotated[Number, Field(ge=-90, le=90)] = Field(description="Latitude, degrees north.")
    lon: Annotated[Number, Field(ge=-180, le=180)] = Field(description="Longitude, degrees east.")
    marks: Text = Field(description="What the point marks: base, town centre, whole test range.")
    position_note: Text = Field(description="How precise the point is; where sources differ.")
    sources: Sources = Field(description="Sources of the position and of what it marks.")
    hosts: tuple[Hosting, ...] = Field(description="Systems it hosts or is claimed to host.")


#: What a claim's figures mean. figure: a range given as one number ("a range of 480 km");
#: at-least: a lower bound (`km_min`: "more than 1,000 miles", "beyond 500 km"); up-to: an
#: upper bound (`km`: "up to 2,350 km"); interval: both (`km_min` to `km`: the US "500 to
#: 5,500 km"), which reaches at least km_min for certain and up to km at most.
Means = Literal["figure", "at-least", "up-to", "interval"]

#: Where a system or variant stands: in-service (in a force's inventory), deployed (fielded at
#: or sent to named places), tested (flown or fired, not yet in service), planned (announced,
#: not yet verifiably there), retired (out of service: listed, not drawn by default).
StatusValue = Literal["in-service", "deployed", "tested", "planned", "retired"]


class Status(_Model):
    """Where a system (or one variant a claim is about) stands, as of a date, with sources."""

    value: StatusValue
    as_of: PartialDate = Field(description="When the sources say so: YYYY, YYYY-MM or YYYY-MM-DD.")
    sources: Sources
    note: Text | None = None

    def text(self) -> str:
        """'retired (as of 1992)': for tables and popups."""
        return f"{self.value.replace('-', ' ')} (as of {self.as_of})"


class AreaSite(_Model):
    """A launch area: launchers may be anywhere in it (rangemap.areas measures from all of it).

    The area is a country's Natural Earth outline, or with `holding`, the detached part of
    it that holds that catalog site (the Kaliningrad exclave is the part of Russia holding
    Kaliningrad).
    """

    id: Slug
    name: Name = Field(description="Name used after 'from anywhere in': 'the Kaliningrad region'.")
    name_de: Name = Field(
        description="German name as used after 'überall in' (dative): 'der Oblast Kaliningrad'."
    )
    country: IsoA3 = Field(description="ADM0_A3 code of the country whose outline is used.")
    holding: Slug | None = Field(
        default=None, description="Id of a site in sites.yaml: the area is the part holding it."
    )
    marks: Text = Field(description="What the area stands for.")
    position_note: Text = Field(description="How the outline is drawn and how exact it is.")
    sources: Sources = Field(description="Sources of the outline and of what it stands for.")
    hosts: tuple[Hosting, ...] = Field(default=(), description="Systems it hosts or is said to.")

    @field_validator("holding")
    @classmethod
    def _known_site(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _check_known(value, info, "site")


class Claim(_Model):
    """One range figure for a system, as one party gives it. Figures in km on the ground.

    `means` says what the figures are: one figure (`km`), an at-least (`km_min`), an up-to
    (`km`) or an interval (`km_min` to `km`); a claim without a figure has neither and no
    `means` (it is uncertain, listed and never drawn).
    """

    id: Slug = Field(description="Unique within the system: 'ru-480', 'us-inf-band'.")
    km: Km | None = Field(
        description="The figure, or the upper bound of an up-to or interval claim, in km."
    )
    km_min: Km | None = Field(
        default=None, description="The lower bound of an at-least or interval claim, in km."
    )
    means: Means | None = Field(
        default=None,
        validate_default=True,
        description=(
            "figure (km), at-least (km_min), up-to (km) or interval (km_min and km); null "
            "only for a claim without a figure."
        ),
    )
    kind: Literal["stated", "disputed", "estimate"] = Field(
        description=(
            "stated: an official or manufacturer figure; disputed: a figure one party asserts "
            "against another's; estimate: by analysts, intelligence or media."
        )
    )
    claimed_by: Name = Field(description="Who gives the figure.")
    date: PartialDate | None = Field(description="When the figure was given.")
    variant: Text | None = Field(default=None, description="Variant it applies to: 'Block IIA'.")
    condition: Text | None = Field(
        default=None,
        description=(
            "What the figure holds for, as the source says: 'with a nuclear warhead', 'with a "
            "500 kg conventional warhead'. Shown with the figure wherever it is listed."
        ),
    )
    status: Status | None = Field(
        default=None, description="The variant's status when it differs from the system's."
    )
    sources: Sources
    uncertain: bool = Field(description="Show as uncertain on maps and in tables.")
    note: Text | None = None

    _below_km = field_validator("km_min")(km_min_below_km)

    @field_validator("means")
    @classmethod
    def _matches_figures(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "km" not in info.data or "km_min" not in info.data:
            return value  # a figure field is already invalid: that error is the one to fix
        has = (info.data["km_min"] is not None, info.data["km"] is not None)
        needs = {
            "figure": (False, True),
            "up-to": (False, True),
            "at-least": (True, False),
            "interval": (True, True),
            None: (False, False),
        }
        if needs[value] != has:
            given = " and ".join(n for n, h in zip(("km_min", "km"), has, strict=True) if h)
            raise ValueError(
                f"means {value!r} does not fit the figures given ({given or 'none'}): figure "
                "and up-to need km only, at-least km_min only, interval both; a claim "
                "without a figure has neither and no means"
            )
        return value

    @property
    def reads(self) -> str:
        """How the claim reads: '480 km', 'at least 500 km', 'up to 2,350 km', '500-5,500 km'
        (with an en dash), or 'no public range figure'."""
        if self.means == "interval" and self.km_min is not None and self.km is not None:
            return km_span(self.km, self.km_min)
        if self.means == "at-least" and self.km_min is not None:
            return f"at least {km_span(self.km_min)}"
        if self.means == "up-to" and self.km is not None:
            return f"up to {km_span(self.km)}"
        if self.km is not None:
            return km_span(self.km)
        return "no public range figure"

    def reaches(self, distance_km: float) -> str | None:
        """Whether the claim reaches a place this far: 'for certain' (within its figure or
        lower bound), 'possibly' (within an interval's upper bound only), or None."""
        if self.means == "interval" and self.km_min is not None and distance_km <= self.km_min:
            return "for certain"
        if self.means == "interval" and self.km is not None and distance_km <= self.km:
            return "possibly"
        if self.means == "at-least" and self.km_min is not None and distance_km <= self.km_min:
            return "for certain"
        if self.means == "up-to" and self.km is not None and distance_km <= self.km:
            return "possibly"
        if self.km is not None and distance_km <= self.km:
            return "for certain"
        return None

    @field_validator("uncertain")
    @classmethod
    def _uncertain_when_unknown(cls, value: bool, info: ValidationInfo) -> bool:
        if value:
            return value
        if info.data.get("kind") == "estimate":
            raise ValueError("an estimate is uncertain: set uncertain: true")
        if "km" in info.data and info.data["km"] is None and info.data.get("km_min") is None:
            raise ValueError("a claim without a figure is uncertain: set uncertain: true")
        return value


class System(_Model):
    """A missile or launcher system and every range claim made about it."""

    id: Slug
    name: Name = Field(description="Name used in labels: '9M729', 'Tomahawk'.")
    aliases: tuple[Name, ...] = Field(
        default=(), description="Other designations accepted by lookups: 'SSC-8', 'TLAM'."
    )
    operator: IsoA3 = Field(description="ISO alpha-3 code of the state that fields it.")
    description: Text
    sources: Sources = Field(description="Sources of the name, designations and description.")
    status: Status = Field(description="Where the system stands, with its sources.")
    color: Color = Field(
        description=(
            "The system's colour on every map (#RRGGBB), so it reads the same in every scene; "
            "colour-blind safe (Okabe & Ito, Tol), with the line style as the second cue."
        )
    )
    claims: Annotated[tuple[Claim, ...], Field(min_length=1)]

    def claim(self, claim_id: str) -> Claim:
        """The claim with this id; UnknownNameError with suggestions otherwise."""
        return _lookup(self.claims, claim_id, "claim", lambda c: [c.id])

    def status_of(self, claim: Claim) -> Status:
        """A claim's status: its variant's when given, else the system's."""
        return claim.status or self.status


class Band(_Model):
    """A treaty's range band, with explicit inclusivity at each end as the treaty words it.

    Its ends are `km_min` and `km` as for a claim or a ring; the file names them min_km and
    max_km, as a treaty speaks of its lower and upper limits.
    """

    id: Slug = Field(description="'shorter-range', 'intermediate-range'.")
    name: Name
    article: Text = Field(description="Where the treaty defines it: 'Article II(6)'.")
    wording: Text = Field(description="The defining words, quoted from the treaty text.")
    km_min: Annotated[Number, Field(ge=0, alias="min_km")]
    min_inclusive: bool
    km: Annotated[Number, Field(gt=0, alias="max_km")]
    max_inclusive: bool

    @field_validator("km")
    @classmethod
    def _above_min(cls, value: float, info: ValidationInfo) -> float:
        low = info.data.get("km_min")
        if low is not None and value <= low:
            raise ValueError(f"max_km ({value:g}) must be greater than min_km ({low:g})")
        return value

    def contains(self, km: float) -> bool:
        """Whether a range capability of `km` falls in this band."""
        above = km >= self.km_min if self.min_inclusive else km > self.km_min
        below = km <= self.km if self.max_inclusive else km < self.km
        return above and below


class Treaty(_Model):
    """A treaty whose range thresholds maps and tables compare claims against."""

    id: Slug
    name: Name
    full_name: Name
    signed: dt.date
    entered_into_force: dt.date
    ended: dt.date | None = Field(description="When it ceased to be in force; null if in force.")
    applies_to: Text = Field(description="Which missiles the bands apply to.")
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    sources: Sources
    note: Text | None = None

    @field_validator("bands")
    @classmethod
    def _disjoint(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        ordered = sorted(bands, key=lambda b: b.km_min)
        for low, high in itertools.pairwise(ordered):
            touching = low.km == high.km_min and low.max_inclusive and high.min_inclusive
            if low.km > high.km_min or touching:
                raise ValueError(f"bands {low.id!r} and {high.id!r} overlap")
        return bands

    @property
    def thresholds_km(self) -> tuple[float, ...]:
        """Every band boundary, ascending: (500, 1000, 5500) for the INF Treaty."""
        return tuple(sorted({b.km_min for b in self.bands} | {b.km for b in self.bands}))

    def classify(self, km: float) -> str | None:
        """Id of the band a range capability of `km` falls in, or None outside every band.

        >>> inf = load_catalog().treaty("inf")
        >>> inf.classify(500), inf.classify(1000), inf.classify(1000.001), inf.classify(5500.1)
        ('shorter-range', 'shorter-range', 'intermediate-range', None)
        """
        if isinstance(km, bool) or not isinstance(km, int | float) or math.isnan(km) or km < 0:
            raise InputError(f"range must be a number of km >= 0, got {km!r}")
        return next((b.id for b in self.bands if b.contains(km)), None)


class Event(_Model):
    """A dated statement or offer that maps can point to (e.g. the October 2020 offer)."""

    id: Slug
    date: PartialDate
    title: Name
    summary: Text
    sites: tuple[Slug, ...] = Field(default=(), description="Ids of the sites it concerns.")
    systems: tuple[Slug, ...] = Field(default=(), description="Ids of the systems it concerns.")
    sources: Sources
    note: Text | None = None

    @field_validator("sites")
    @classmethod
    def _known_sites(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return tuple(_check_known(v, info, "site") for v in value)

    @field_validator("systems")
    @classmethod
    def _known_systems(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return tuple(_check_known(v, info, "system") for v in value)


class Catalog(_Model):
    """Everything in layers/: look entries up by id or alias, in any case.

    Build it with `load_catalog`, which also checks the references between the files.
    """

    sites: tuple[Site, ...]
    systems: tuple[System, ...]
    treaties: tuple[Treaty, ...]
    events: tuple[Event, ...] = ()
    areas: tuple[AreaSite, ...] = ()
    #: Where each name was defined, for messages about clashes: _key(name) of every system
    #: name and alias, and of every site id and name -> (file, location in it).
    _origins: dict[tuple[str, str], tuple[Path, Loc]] = PrivateAttr(default_factory=dict)

    def defined_at(self, kind: str, name: str) -> str | None:
        """'layers/systems.yaml, line 24': where a system or site name was defined."""
        origin = self._origins.get((kind, _key(name)))
        if origin is None:
            return None
        path, loc = origin
        return f"{display_path(path)}, line {locate_in(path, loc)}"

    def extend(self, own: CatalogFile, path: Path, prefix: Loc = ()) -> Catalog:
        """This catalog plus the systems and sites of `own`, read from `path` (at `prefix`
        inside it: a scene's `catalog:` block). Clashes were checked when `own` was read."""
        merged = Catalog(
            sites=(*self.sites, *own.sites),
            systems=(*self.systems, *own.systems),
            treaties=self.treaties,
            events=self.events,
            areas=self.areas,
        )
        merged._origins = {**self._origins, **_origins_of(own, path, prefix)}
        return merged

    def site(self, name: str) -> Site:
        """The site with this id ("Kapustin Yar" finds 'kapustin-yar')."""
        return _lookup(self.sites, name, "site", lambda s: [s.id])

    def system(self, name: str) -> System:
        """The system with this id, name or alias ("SSC-8", "3M-14", "TLAM")."""
        return _lookup(self.systems, name, "system", _system_names)

    def treaty(self, name: str) -> Treaty:
        """The treaty with this id or name ("INF")."""
        return _lookup(self.treaties, name, "treaty", lambda t: [t.id, t.name])


def _system_names(system: System) -> list[str]:
    """Every name a system answers to, its id first."""
    return [system.id, system.name, *system.aliases]


def _lookup(items: Iterable[_T], name: str, kind: str, names: Callable[[_T], list[str]]) -> _T:
    """The item one of whose names matches `name` by `_key`; UnknownNameError otherwise."""
    items = list(items)
    key = _key(name)
    for item in items:
        if key in {_key(n) for n in names(item)}:
            return item
    every = [n for item in items for n in names(item)]
    raise suggest(name, every, kind=kind, known=[names(item)[0] for item in items])


def _unique_systems(systems: tuple[System, ...], prefix: Loc = ()) -> None:
    """No two systems share a name or alias, no system two claim ids."""
    _check_unique(
        (loc, i, name)
        for i, system in enumerate(systems)
        for loc, name in [
            ((*prefix, "systems", i, "id"), system.id),
            ((*prefix, "systems", i, "name"), system.name),
            *(((*prefix, "systems", i, "aliases", j), a) for j, a in enumerate(system.aliases)),
        ]
    )
    for i, system in enumerate(systems):
        _check_unique(
            ((*prefix, "systems", i, "claims", j, "id"), j, c.id)
            for j, c in enumerate(system.claims)
        )


def _unique_sites(sites: tuple[Site, ...], prefix: Loc = ()) -> None:
    _check_unique(((*prefix, "sites", i, "id"), i, s.id) for i, s in enumerate(sites))


def _system_locs(system: System, i: int) -> list[tuple[str, Loc]]:
    """Each name of a system with where it is written in its file."""
    return [
        (system.id, ("systems", i, "id")),
        (system.name, ("systems", i, "name")),
        *((a, ("systems", i, "aliases", j)) for j, a in enumerate(system.aliases)),
    ]


def _site_locs(site: Site, i: int) -> list[tuple[str, Loc]]:
    """A site's id and name (both find it) with where they are written."""
    return [(site.id, ("sites", i, "id")), (site.name, ("sites", i, "name"))]


def _origins_of(
    own: CatalogFile | _SystemsFile | _SitesFile, path: Path, prefix: Loc = ()
) -> dict[tuple[str, str], tuple[Path, Loc]]:
    origins: dict[tuple[str, str], tuple[Path, Loc]] = {}
    for i, system in enumerate(getattr(own, "systems", ())):
        for name, loc in _system_locs(system, i):
            origins.setdefault(("system", _key(name)), (path, (*prefix, *loc)))
    for i, site in enumerate(getattr(own, "sites", ())):
        for name, loc in _site_locs(site, i):
            origins.setdefault(("site", _key(name)), (path, (*prefix, *loc)))
    return origins


class _SystemsFile(_Model):
    systems: Annotated[tuple[System, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> _SystemsFile:
        _unique_systems(self.systems)
        return self


class _SitesFile(_Model):
    sites: Annotated[tuple[Site, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> _SitesFile:
        _unique_sites(self.sites)
        return self


class CatalogFile(_Model):
    """Systems and sites added to the built-in catalog: a `--catalog FILE`, or a scene's
    `catalog:` block. Each entry has the schema of layers/systems.yaml or layers/sites.yaml;
    no name may repeat one the catalog already has.
    """

    systems: tuple[System, ...] = Field(
        default=(), description="Own systems with their claims, as in layers/systems.yaml."
    )
    sites: tuple[Site, ...] = Field(
        default=(), description="Own basing sites, as in layers/sites.yaml."
    )

    @field_validator("systems")
    @classmethod
    def _new_systems(cls, value: tuple[System, ...], info: ValidationInfo) -> tuple:
        # Validated before `sites`, whose `hosts` may name these systems.
        context = info.context or {}
        _unique_systems(value, context.get("prefix", ()))
        entries = [(name, loc) for i, s in enumerate(value) for name, loc in _system_locs(s, i)]
        _check_new(context, "system", entries)
        base: Catalog | None = context.get("catalog")
        if base is not None and info.context is not None:
            info.context["systems"] = sorted({s.id for s in (*base.systems, *value)})
        return value

    @field_validator("sites")
    @classmethod
    def _new_sites(cls, value: tuple[Site, ...], info: ValidationInfo) -> tuple:
        context = info.context or {}
        _unique_sites(value, context.get("prefix", ()))
        entries = [(name, loc) for i, s in enumerate(value) for name, loc in _site_locs(s, i)]
        _check_new(context, "site", entries)
        return value


def _check_new(context: dict, kind: str, entries: list[tuple[str, Loc]]) -> None:
    """No added system or site may take a name the catalog in `context` already has: a
    lookup would then find one of them silently. The message names both places."""
    base: Catalog | None = context.get("catalog")
    if base is None:
        return
    if kind == "system":
        taken = {_key(n) for s in base.systems for n in _system_names(s)}
    else:
        taken = {_key(n) for s in (*base.sites, *base.areas) for n in (s.id, s.name)}
    for name, loc in entries:
        if _key(name) in taken:
            where = base.defined_at(kind, name) or "the catalog"
            raise LocatedProblem(
                (*context.get("prefix", ()), *loc),
                f"{kind} {name!r} is already defined in {where}; ids, names and aliases "
                "must be unique across catalogs",
                f"Rename it here (or use the {kind} already defined) and run again.",
            )


class _AreasFile(_Model):
    areas: tuple[AreaSite, ...] = ()

    @model_validator(mode="after")
    def _unique(self, info: ValidationInfo) -> _AreasFile:
        _check_unique((("areas", i, "id"), i, a.id) for i, a in enumerate(self.areas))
        site_ids = {_key(s) for s in (info.context or {}).get("sites", ())}
        for i, area in enumerate(self.areas):
            if _key(area.id) in site_ids:
                raise LocatedProblem(
                    ("areas", i, "id"),
                    f"{area.id!r} is already a site id in {SITES_FILE}; ids must be unique",
                    "Rename the area and run again.",
                )
        return self


class _TreatiesFile(_Model):
    treaties: Annotated[tuple[Treaty, ...], Field(min_length=1)]
    events: tuple[Event, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> _TreatiesFile:
        _check_unique(
            (loc, i, name)
            for i, t in enumerate(self.treaties)
            for loc, name in ((("treaties", i, "id"), t.id), (("treaties", i, "name"), t.name))
        )
        for i, treaty in enumerate(self.treaties):
            _check_unique(
                (("treaties", i, "bands", j, "id"), j, b.id) for j, b in enumerate(treaty.bands)
            )
        _check_unique((("events", i, "id"), i, e.id) for i, e in enumerate(self.events))
        return self


def _check_unique(names: Iterable[tuple[Loc, int, str]]) -> None:
    """Names of different entries must differ under `_key`, or a lookup finds the wrong one.

    `names` holds (location, owning entry, name); an entry may repeat its own name
    (id 'tomahawk', name 'Tomahawk').
    """
    seen: dict[str, tuple[int, str, Loc]] = {}
    for loc, owner, name in names:
        other_owner, other, first = seen.setdefault(_key(name), (owner, name, loc))
        if other_owner != owner:
            same = "" if other == name else f" as {other!r}"
            raise LocatedProblem(
                loc,
                f"{name!r} is already used{same} by another entry; names must be unique",
                "Rename one of them and run again.",
                first=first,
            )


#: The catalog commands use: the built-in one plus any added with `using_catalog`.
_ACTIVE: ContextVar[Catalog | None] = ContextVar("rangemap_catalog", default=None)


def load_catalog(directory: Path | None = None, *, extra: Iterable[Path] = ()) -> Catalog:
    """Load and cross-check sites.yaml, systems.yaml and treaties.yaml from `directory`, then
    add each `extra` catalog file (see `add_catalog`).

    The default is the packaged catalog, loaded once and cached, or the one `using_catalog`
    made current. Any problem raises one CatalogError naming the file, line, entry and field.
    """
    catalog = (_ACTIVE.get() or _default_catalog()) if directory is None else _load(Path(directory))
    for path in extra:
        catalog = add_catalog(catalog, Path(path))
    return catalog


def add_catalog(base: Catalog, path: Path) -> Catalog:
    """`base` plus the systems and sites of a catalog file (keys `systems:` and `sites:`, in
    the schema of layers/); a name `base` already has is an error naming both places."""
    own = validate(CatalogFile, path, context={"catalog": base})
    return base.extend(own, path)


@contextmanager
def using_catalog(catalog: Catalog) -> Iterator[Catalog]:
    """Make `catalog` the one `load_catalog()` returns (and site lookups search) inside the
    block: how `--catalog FILE` reaches every step of a command."""
    token = _ACTIVE.set(catalog)
    try:
        yield catalog
    finally:
        _ACTIVE.reset(token)


@functools.cache
def _default_catalog() -> Catalog:
    # Imported here: rangemap.layers pulls in numpy and shapely, which catalogs never need.
    from rangemap.layers import layers_dir

    return _load(layers_dir())


def _load(directory: Path) -> Catalog:
    """Systems first: sites and events refer to them, and are checked against their ids."""
    if not directory.is_dir():
        raise CatalogError(f"{display_path(directory)}: catalog folder not found.")
    systems_file = validate(_SystemsFile, directory / SYSTEMS_FILE)
    systems = systems_file.systems
    known_systems = sorted(s.id for s in systems)
    sites_file = validate(_SitesFile, directory / SITES_FILE, context={"systems": known_systems})
    sites = sites_file.sites
    treaties = validate(
        _TreatiesFile,
        directory / TREATIES_FILE,
        context={"systems": known_systems, "sites": sorted(s.id for s in sites)},
    )
    areas: tuple[AreaSite, ...] = ()
    if (directory / AREAS_FILE).is_file():
        context = {"systems": known_systems, "sites": sorted(s.id for s in sites)}
        areas = validate(_AreasFile, directory / AREAS_FILE, context=context).areas
    catalog = Catalog(
        sites=sites,
        systems=systems,
        treaties=treaties.treaties,
        events=treaties.events,
        areas=areas,
    )
    catalog._origins = {
        **_origins_of(systems_file, directory / SYSTEMS_FILE),
        **_origins_of(sites_file, directory / SITES_FILE),
    }
    return catalog
