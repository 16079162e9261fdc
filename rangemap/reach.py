"""The reverse question: which catalog sites, and which of their claimed ranges, reach a place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from rangemap.catalog import AreaSite, Catalog, Claim, Site, load_catalog
from rangemap.geodesic import check_range, distance_km
from rangemap.locations import Location


class ReachRow(NamedTuple):
    """One catalog site and how far it is from the target (geodesic km); from an area site,
    how far its nearest point is (0 when the target lies inside it).

    `within` answers "is the site within the asked range" (None when no range was asked);
    `claims_reaching` lists the claims about systems the site hosts (or is said to host)
    that reach the distance, as they read ("at least 1,609 km", "up to 5,500 km"), whether
    they reach it for certain or possibly, with kind, status and who claims it.
    """

    target: str
    site_id: str
    site: str
    distance_km: float
    within: bool | None
    claims_reaching: str


def _reaching(catalog: Catalog, site: Site | AreaSite, dist: float) -> list[str]:
    found = []
    for hosting in site.hosts:
        system = catalog.system(hosting.system)
        for claim in system.claims:
            how = claim.reaches(dist)
            if how is not None:
                retired = system.status_of(claim).value == "retired"
                found.append(_describe(system.name, claim, hosting.kind, how, retired))
    return found


def _describe(system: str, claim: Claim, hosting_kind: str, how: str, retired: bool) -> str:
    flags = [claim.kind] + (["uncertain"] if claim.uncertain else [])
    flags += ["retired"] if retired else []
    hosted = "" if hosting_kind == "stated" else f"; hosting {hosting_kind}"
    reads = f"{claim.reads} {claim.condition}" if claim.condition else claim.reads
    return f"{system} {reads}, {how} ({', '.join(flags)}, {claim.claimed_by}{hosted})"


def reach(
    target: Location, km: float | None = None, *, sites: Sequence[Location] | None = None
) -> list[ReachRow]:
    """Catalog sites by distance from `target`; with `km`, only those within `km`.

    `sites` asks about these sites instead of the catalog's: any place or LAT,LON, listed
    whether or not within `km` (`within` answers). A catalog site among them also lists the
    claims of the systems it hosts; other places host none in the catalog.
    """
    if km is not None:
        check_range(km)
    catalog = load_catalog()
    from rangemap.locations import area_site_location

    if sites is None:
        locations = [*map(_site_point, catalog.sites), *map(area_site_location, catalog.areas)]
        entries = [*catalog.sites, *catalog.areas]
    else:
        by_id = {site.id: site for site in (*catalog.sites, *catalog.areas)}
        locations = list(sites)
        entries = [by_id.get(s.id) if s.kind in ("site", "area") else None for s in sites]
    points = [(s.id, s.name, None, None, e) for s, e in zip(locations, entries, strict=True)]
    dist = np.array([_distance(target, s) for s in locations], dtype=float)
    rows = [
        ReachRow(
            target.name,
            site_id,
            name,
            float(d),
            None if km is None else bool(d <= km),
            "; ".join(_reaching(catalog, site, float(d))) if site is not None else "",
        )
        for (site_id, name, _, _, site), d in zip(points, dist, strict=True)
        if km is None or sites is not None or d <= km
    ]
    return sorted(rows, key=lambda r: (r.distance_km, r.site_id))


def _site_point(site: Site) -> Location:
    from rangemap.locations import site_location

    return site_location(site)


def _distance(target: Location, site: Location) -> float:
    """Geodesic km from a site to the target; from an area site, from its nearest point."""
    if site.area is not None:
        from rangemap.areas import nearest_launch_points

        return float(nearest_launch_points(site.area, [target.lat], [target.lon])[0][0])
    return float(distance_km(target.lat, target.lon, np.array([site.lat]), np.array([site.lon]))[0])
