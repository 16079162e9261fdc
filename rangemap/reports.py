"""Rows for the listing and comparison tables shared by the CLI and the Python API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from rangemap import coverage as cov
from rangemap.errors import InputError
from rangemap.locations import Location


class SiteRow(NamedTuple):
    """One catalog site: position in WGS84 degrees, what the point marks, and its sources.

    `kind` is `point` for a basing site, `area` for a launch area (areas.yaml: ranges from
    anywhere in it), which has no single position (lat and lon empty)."""

    id: str
    name: str
    kind: str
    country: str
    lat: float | None
    lon: float | None
    marks: str
    hosts: str
    sources: str


class ClaimRow(NamedTuple):
    """One range claim: what its figures mean (`reads`: 'at least 500 km', 'up to 2,350 km',
    '500-5,500 km'), and the status of the system or variant it is about, with its sources."""

    system: str
    claim: str
    km_min: float | None
    km: float | None
    means: str
    reads: str
    condition: str
    kind: str
    uncertain: bool
    claimed_by: str
    date: str
    source: str
    status: str
    status_source: str


def site_rows() -> list[SiteRow]:
    """Every site of the catalog, in catalog order, then the launch areas."""
    from rangemap.catalog import Site, load_catalog  # the catalog's schema only where needed

    catalog = load_catalog()
    return [
        SiteRow(
            s.id,
            s.name,
            "point" if isinstance(s, Site) else "area",
            s.country,
            s.lat if isinstance(s, Site) else None,
            s.lon if isinstance(s, Site) else None,
            s.marks,
            "; ".join(f"{h.system} ({h.kind}, per {h.claimed_by})" for h in s.hosts),
            "; ".join(src.cite() for src in s.sources),
        )
        for s in (*catalog.sites, *catalog.areas)
    ]


#: What the terminal tables of `sites`, `systems` and `reach` show without --wide: the
#: columns a reader scans, in an order that reads left to right; the rest is in --wide,
#: CSV, JSON and Markdown.
BRIEF_COLUMNS = {
    "sites": ("id", "kind", "country", "lat", "lon", "systems", "name"),
    "systems": (
        "system",
        "claim",
        "reads",
        "condition",
        "kind",
        "uncertain",
        "status",
        "claimed_by",
    ),
    "reach": ("site_id", "distance_km", "within", "claims_reaching"),
}
#: The columns whose text may be cut to fit, the first first; the others (ids, figures,
#: status) never are.
CUT_COLUMNS = {
    "sites": ("name", "systems"),
    "systems": ("claimed_by", "condition"),
    "reach": ("claims_reaching",),
}


#: The line under a cut terminal table.
BRIEF_NOTE = "Every column, uncut: --wide, or --format csv, json or md."


def brief(command: str, rows: Sequence[Any]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The columns BRIEF_COLUMNS names for `command`, taken from full rows; a site's
    `systems` are the ids of the systems it hosts, with how ("9m729 (reported)")."""
    from rangemap.catalog import load_catalog

    names = BRIEF_COLUMNS[command]
    hosted = {}
    if command == "sites":
        catalog = load_catalog()
        hosted = {
            s.id: ", ".join(f"{h.system} ({h.kind})" for h in s.hosts)
            for s in (*catalog.sites, *catalog.areas)
        }
    out = []
    for row in rows:
        values = {**row._asdict(), "systems": hosted.get(getattr(row, "id", ""), "")}
        out.append([values[n] for n in names])
    return names, out


def claim_rows() -> list[ClaimRow]:
    """Every claim of every system, in catalog order."""
    from rangemap.catalog import load_catalog

    return [
        ClaimRow(
            system.id,
            claim.id,
            claim.km_min,
            claim.km,
            claim.means or "",
            claim.reads,
            claim.condition or "",
            claim.kind,
            claim.uncertain,
            claim.claimed_by,
            str(claim.date),
            "; ".join(src.cite() for src in claim.sources),
            system.status_of(claim).text(),
            "; ".join(src.cite() for src in system.status_of(claim).sources),
        )
        for system in load_catalog().systems
        for claim in system.claims
    ]


def compare_rows(
    sites: list[Location], kms: list[float]
) -> tuple[list[str], list[list[Any]], list[str]]:
    """Matrix of covered percent (countries by ring) and notes on what each range adds.

    One column per site and range: `pct_<KM>_km` for one site, `pct_<SITE>_<KM>_km` for
    several (SITE the site id). The notes say, per site, what each range adds over the first.
    """
    if len(kms) < 2 and len(sites) < 2:
        raise InputError(
            "compare needs two rings or more: give several --km values (the base range, then "
            "others), or several --site values."
        )
    _refuse_repeats([f"{km:g}" for km in kms], "range", "--km")
    _refuse_repeats([site.id for site in sites], "site", "--site or --area")
    rings = [cov.make_ring(site, km) for site in sites for km in kms]
    labels, matrix = cov.matrix(rings)
    if len(sites) == 1:
        columns = [f"pct_{km:g}_km" for km in kms]
    else:
        columns = [f"pct_{site.id}_{km:g}_km" for site in sites for km in kms]
    rows = [[iso, name, status, *values] for iso, name, status, values in matrix]
    notes = [f"Rings: {', '.join(labels)}"]
    for site in sites:
        where = "anywhere in the area" if site.area is not None else f"{site.lat:g}, {site.lon:g}"
        notes.append(f"{site.name} ({where}):")
        notes += _additions(site, kms)
    return ["iso_a3", "country", "status", *columns], rows, notes


def _refuse_repeats(names: list[str], kind: str, option: str) -> None:
    """Each ring gets a column: a range or site given twice would repeat a column name (and
    JSON would keep only one of them)."""
    seen = [name for i, name in enumerate(names) if name in names[:i]]
    if seen:
        raise InputError(
            f"the {kind} {seen[0]} is given twice: each {kind} makes a column, so give each "
            f"once (remove the repeated {option})."
        )


def _given(km: float) -> str:
    """'2,350 km'; a range given in miles: '1,000 mi (1,609 km)'."""
    from rangemap.units import Km, range_text

    return range_text(km) if isinstance(km, Km) and km.unit != "km" else f"{km:,g} km"


def _additions(site: Location, kms: list[float]) -> list[str]:
    """What each range in kms[1:] adds over kms[0] at one site, as note lines."""
    notes = []
    base = kms[0]
    for km in kms[1:]:
        if km <= base:
            continue
        c = cov.compare(site, base, km)
        new = [f"{r.country} ({r.iso_a3})" for r in c.new_countries if r.status == cov.STATE]
        apart = [f"{r.country} ({r.iso_a3})" for r in c.new_countries if r.status != cov.STATE]
        # territories and other areas (not UN members) alike: the status column tells which
        capitals = ", ".join(f"{r.city} ({r.iso_a3})" for r in c.new_capitals) or "none"
        notes += [
            f"  {_given(km)} over {_given(base)} adds {c.added_km2:,.0f} km2;",
            f"    countries newly in range: {', '.join(new) or 'none'}",
            *(
                [f"    territories and other areas newly in range: {', '.join(apart)}"]
                if apart
                else []
            ),
            f"    capitals newly in range: {capitals}",
            f"    {c.added_places:,} more places, {c.added_population:,} "
            f"{cov.PEOPLE_LABEL} ({cov.PLACES_LABEL})",
        ]
    return notes


def coverage_report(
    site: Location,
    kms: Sequence[float],
    *,
    km_min: float | None = None,
    places: bool = False,
    capitals_only: bool = False,
) -> tuple[tuple[str, ...], list[Any], list[str]]:
    """Columns, rows and footer lines of `rangemap coverage`: countries (or places) per range."""
    rows: list[Any] = []
    footer = []
    for km in kms:
        ring = cov.make_ring(site, km, km_min=km_min)
        if places:
            found = cov.city_rows(ring, capitals_only=capitals_only)
            rows += found
            footer.append(coverage_footer(ring, found))
        else:
            found_countries = cov.country_rows(ring)
            rows += found_countries
            footer.append(coverage_footer(ring, countries=found_countries))
    return (cov.CityRow if places else cov.CountryRow)._fields, rows, footer


def coverage_footer(
    ring: cov.Ring,
    places: Sequence[cov.CityRow] | None = None,
    *,
    countries: Sequence[cov.CountryRow] = (),
) -> str:
    """The line under a text or Markdown coverage table: the range area and how many states
    and territories it reaches, or the places and the people living in them."""
    if places is None:
        n = {s: sum(r.status == s for r in countries) for s in (cov.TERRITORY, cov.OTHER)}
        parts = [f"{sum(r.status == cov.STATE for r in countries)} countries"]
        parts += [f"{n[cov.TERRITORY]} territories"] if n[cov.TERRITORY] else []
        parts += [f"{n[cov.OTHER]} other areas"] if n[cov.OTHER] else []
        counts = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        note = " (status column)" if len(parts) > 1 else ""
        return f"{ring.label}: range area {ring.area_km2:,.0f} km2; {counts}{note}"
    return (
        f"{ring.label}: {len(places):,} places, "
        f"{sum(p.population for p in places):,} {cov.PEOPLE_LABEL} ({cov.PLACES_LABEL})"
    )
