"""The reverse question: which catalog sites, and which of their claimed ranges, reach a place."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rangemap.catalog import Catalog, Claim, Site, load_catalog
from rangemap.geodesic import check_range, distance_km
from rangemap.locations import Location


class ReachRow(NamedTuple):
    """One catalog site and how far it is from the target (geodesic km).

    `within` answers "is the site within the asked range" (None when no range was asked);
    `claims_reaching` lists the claimed ranges of systems the site hosts (or is said to host)
    that are at least the distance, each with its kind and who claims it.
    """

    target: str
    site_id: str
    site: str
    distance_km: float
    within: bool | None
    claims_reaching: str


def _reaching(catalog: Catalog, site: Site, dist: float) -> list[str]:
    found = []
    for hosting in site.hosts:
        system = catalog.system(hosting.system)
        for claim in system.claims:
            if claim.km is not None and claim.km >= dist:
                found.append(_describe(system.name, claim, hosting.kind))
    return found


def _describe(system: str, claim: Claim, hosting_kind: str) -> str:
    flags = [claim.kind] + (["uncertain"] if claim.uncertain else [])
    hosted = "" if hosting_kind == "stated" else f"; hosting {hosting_kind}"
    span = f"{claim.km_min:,g}-{claim.km:,g}" if claim.km_min else f"{claim.km:,g}"
    return f"{system} {span} km ({', '.join(flags)}, {claim.claimed_by}{hosted})"


def reach(target: Location, km: float | None = None) -> list[ReachRow]:
    """Catalog sites by distance from `target`; with `km`, only those within `km`."""
    if km is not None:
        check_range(km)
    catalog = load_catalog()
    sites = catalog.sites
    dist = distance_km(
        target.lat,
        target.lon,
        np.array([s.lat for s in sites]),
        np.array([s.lon for s in sites]),
    )
    rows = [
        ReachRow(
            target.name,
            site.id,
            site.name,
            float(d),
            None if km is None else bool(d <= km),
            "; ".join(_reaching(catalog, site, float(d))),
        )
        for site, d in zip(sites, dist, strict=True)
        if km is None or d <= km
    ]
    return sorted(rows, key=lambda r: (r.distance_km, r.site_id))
