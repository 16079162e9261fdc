"""What a range area covers: countries (geodesic km2 and percent) and populated places."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from rangemap import areas, layers
from rangemap.buffer import area_range
from rangemap.errors import InputError
from rangemap.geodesic import (
    GEOD,
    SPHERE_KM,
    SPHERE_MARGIN,
    _assemble,
    _polygons,
    area_km2,
    band_area,
    check_range,
    distance_km,
    outline_lines,
    range_area,
    ring_vertices,
    unit_vectors,
)
from rangemap.locations import Location
from rangemap.units import as_km, span_text

#: What a summed population is, said after the figure ("21.2 million people in ...").
PEOPLE_LABEL = "people in cities and towns of 15,000+"

#: The footnote wherever a summed population is shown.
PLACES_LABEL = (
    "People in cities and towns of 15,000+: the sum over GeoNames populated places of "
    "15,000+ inhabitants, a city's districts not counted on top of it. Not everyone within "
    "range: people in smaller towns and the countryside are left out"
)
#: Country status (rangemap.layers.CountryLayer.status): counted as countries, or apart:
#: territories of a UN state, and other areas that no UN state holds (Kosovo, Taiwan).
STATE, TERRITORY, OTHER = "state", "territory", "other"
#: CityRow.capital values: national capital of a state, capital of a territory, capital of
#: an other area (Pristina, Taipei), or neither.
NATIONAL, TERRITORIAL, OTHER_CAPITAL = "national", "territorial", "other"

#: Vertices of each boundary circle that maps draw: smooth at any zoom, light in a page.
OUTLINE_VERTICES = 720


def millions(population: int) -> str:
    """'21.2 million', '850,000': populations as a reader takes them in (with PEOPLE_LABEL)."""
    if population >= 1_000_000:
        return f"{population / 1e6:,.1f} million"
    return f"{population:,}"


@dataclass(frozen=True)
class Ring:
    """A range area (or a band, when `km_min` is set) drawn around one site.

    `geometry` is lon/lat, RFC 7946 (see rangemap.geodesic.range_area); `area_km2` is its
    ellipsoidal area.
    """

    site: Location
    km: float
    km_min: float | None
    geometry: Polygon | MultiPolygon
    area_km2: float

    @cached_property
    def boundaries(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """The circles bounding the area as (lons, lats), the outer first, then a band's inner
        one: the lines maps draw, computed once. The polygon's own edge also runs along the
        180th meridian and the poles, where the area has no boundary."""
        if self.site.area is not None:  # from an area: the true edge of the union
            return tuple((line[:, 0], line[:, 1]) for line in outline_lines(self.geometry))
        kms = (self.km, self.km_min) if self.km_min else (self.km,)
        return tuple(
            ring_vertices(self.site.lat, self.site.lon, km, vertices=OUTLINE_VERTICES) for km in kms
        )

    @cached_property
    def _directions(self) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The (lon, lat) points of `boundaries`, and each one's azimuth (0-360) and distance
        (m) from the site, or from an area's label point."""
        lines = [np.column_stack(line) for line in self.boundaries]
        points = np.concatenate(lines)
        n = len(points)
        azimuth, _, metres = GEOD.inv(
            np.full(n, self.site.lon), np.full(n, self.site.lat), points[:, 0], points[:, 1]
        )
        return lines, np.asarray(azimuth) % 360.0, np.asarray(metres)

    def outline_toward(self, azimuths: Sequence[float]) -> np.ndarray:
        """(lon, lat) of the outline's outermost point in each direction (azimuth, degrees)
        from the site, or from an area's label point: where a map can name the range.

        Points of `boundaries`, not computed again: on a circle, its vertex at that azimuth
        (OUTLINE_VERTICES puts one every half degree); for a band, on its outer circle; for
        the range of an area, the farthest point within half a degree of that direction.
        """
        lines, azimuth, metres = self._directions
        points = np.concatenate(lines)
        wanted = np.asarray(azimuths, dtype=float)[:, None]
        off = np.abs((azimuth[None, :] - wanted + 180.0) % 360.0 - 180.0)
        near = off <= off.min(axis=1, keepdims=True) + 0.5
        reach = np.where(near, metres[None, :], -np.inf)
        # The outermost points there (a metre's slack: a circle's vertices are all at its
        # radius), and of those the one closest to the direction asked for.
        outer = near & (reach >= reach.max(axis=1, keepdims=True) - 1.0)
        return points[np.where(outer, off, np.inf).argmin(axis=1)]

    def outline_between(self, start: float, stop: float) -> list[np.ndarray]:
        """The outline's (lon, lat) lines whose azimuth from the site (or an area's label
        point) is within [start, stop] degrees, each in increasing azimuth: the share of an
        outline that one of several layers drawn on it answers on. For rings, not bands."""
        lines, azimuth, _ = self._directions
        # A vertex due north may come back as 359.999...: allow a micro-degree each side.
        inside = (azimuth - start + 1e-6) % 360.0 <= (stop - start) + 2e-6
        out: list[np.ndarray] = []
        first = 0
        for line in lines:
            keep = inside[first : first + len(line)]
            first += len(line)
            closed = self.site.area is None or bool(np.array_equal(line[0], line[-1]))
            if closed and np.array_equal(line[0], line[-1]):
                line, keep = line[:-1], keep[:-1]
            if closed and not keep.all():  # start the walk where it leaves the arc
                shift = int(np.argmin(keep))
                line, keep = np.roll(line, -shift, axis=0), np.roll(keep, -shift)
            # Runs of kept points; the boundary walks with the area on its left, so its
            # azimuth from the site decreases: each run is reversed.
            edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(int), [0]])))
            out += [line[a:b][::-1] for a, b in zip(edges[::2], edges[1::2], strict=True)]
        return out

    @property
    def label(self) -> str:
        """Short human label, e.g. "Kaliningrad, 480 km", "Deveselu, 500-1,000 km" or, for a
        range given in miles, "Deveselu, 1,000 mi (1,609 km)"; from an area, "480 km from
        anywhere in the Kaliningrad region"."""
        span = span_text(self.km, self.km_min, dash="-")
        if self.site.area is not None:
            return f"{span} from {self.site.anywhere}"
        return f"{self.site.name}, {span}"


class CountryRow(NamedTuple):
    """One country or territory touched by a ring. Areas in km2, on the WGS84 ellipsoid.

    `status` is "state" (a UN member or observer state, counted as a country), "territory"
    (of the UN state `sovereign` names) or "other" (no UN state holds it: Kosovo, Taiwan,
    Western Sahara, Bir Tawil; `sovereign` is ""); the last two are listed apart: see
    layers/README.md.
    """

    site: str
    range_km: float
    km_min: float | None
    iso_a3: str
    country: str
    status: str
    sovereign: str
    covered_km2: float
    country_km2: float
    covered_pct: float


class CityRow(NamedTuple):
    """One populated place within a ring; distance is geodesic, from the site, in km.

    `status` is that of the place's country ("state", "territory" or "other"); `capital` is
    "national" (capital of a state), "territorial" (of a territory: Mariehamn, Nuuk),
    "other" (of an other area: Pristina, Taipei) or "".

    From an area site the distance is to the nearest point of the area (0 inside it), and
    from_lat/from_lon name that point, the nearest launch point; from a point site they are
    the site's position.
    """

    site: str
    range_km: float
    km_min: float | None
    city: str
    iso_a3: str
    status: str
    population: int
    distance_km: float
    capital: str
    lat: float
    lon: float
    from_lat: float
    from_lon: float


def prefixed(name: str, row_type: type, columns: Mapping[str, type]) -> type:
    """A row type with `columns` in front of `row_type`'s (a batch label, a scene layer).

    Tables built from it keep the `rangemap coverage` columns, in their order, after the new
    ones, so scripts can read every table the same way.
    """
    return NamedTuple(name, [*columns.items(), *row_type.__annotations__.items()])


def make_ring(site: Location, km: float, *, km_min: float | None = None) -> Ring:
    """The range area of `site` out to `km`, or the band from `km_min` to `km`."""
    if site.area is not None:
        geometry = area_range(site.area, km)
        if km_min:
            check_range(km_min, label="inner range")
            if km_min >= km:
                raise InputError(
                    f"inner range {km_min:g} km must be smaller than the outer range {km:g} km."
                )
            inner = area_range(site.area, km_min)
            geometry = _assemble(_polygons(shapely.difference(geometry, inner)))
    elif km_min:
        geometry = band_area(site.lat, site.lon, km_min, km)
    else:
        geometry = range_area(site.lat, site.lon, km)
    # Km keeps how a range was written (1,000 mi) for labels; tables read it as a float.
    return Ring(site, as_km(km), as_km(km_min) if km_min else None, geometry, area_km2(geometry))


@cache
def _tile_tree() -> shapely.STRtree:
    return shapely.STRtree(layers.countries().tile_geometry)


@cache
def _tile_boxes() -> np.ndarray:
    return shapely.box(*shapely.bounds(layers.countries().tile_geometry).T)


class _ByDisk:
    """Results for whole range areas by (lat, lon, km, area), read-only arrays. A band is its
    outer area minus its inner one, so once a scene's threshold rings are known its bands
    cost a subtraction. Emptied past `size` entries, so that a long batch stays small."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.store: dict[tuple[float, float, float, object], Any] = {}

    def get(self, site: Location, km: float, compute: Callable[[], Any]) -> Any:
        key = (site.lat, site.lon, float(km), site.area)
        if key not in self.store:
            if len(self.store) >= self.size:
                self.store.clear()
            value = compute()
            for array in value if isinstance(value, tuple) else (value,):
                array.setflags(write=False)
            self.store[key] = value
        return self.store[key]

    def clear(self) -> None:
        self.store.clear()


#: Country coverage (covered km2, whole flags) of whole range areas.
_DISKS = _ByDisk()


def covered_km2_by_country(ring: Ring) -> tuple[np.ndarray, np.ndarray]:
    """Covered km2 for every country (aligned with the countries layer) and a 'whole' flag.

    A band's figures are those of its outer range area minus its inner one: areas add up, and
    a country lies wholly in the band when it lies wholly in the outer area and not at all in
    the inner one.
    """
    if not ring.km_min:
        return _disk_coverage(ring.site, ring.km, ring.geometry)
    outer, outer_whole = _disk_coverage(ring.site, ring.km)
    inner, inner_whole = _disk_coverage(ring.site, ring.km_min)
    covered = np.where(inner_whole, 0.0, np.maximum(outer - inner, 0.0))
    return covered, outer_whole & (inner == 0)


def _disk_coverage(
    site: Location, km: float, geometry: Polygon | MultiPolygon | None = None
) -> tuple[np.ndarray, np.ndarray]:
    return _DISKS.get(
        site, km, lambda: _cover(make_ring(site, km).geometry if geometry is None else geometry)
    )


def _cover(geometry: Polygon | MultiPolygon) -> tuple[np.ndarray, np.ndarray]:
    """Covered km2 and 'whole' flags of every country for one range area.

    Countries are pre-cut into small tiles, so only tiles on the area's edge are intersected;
    tiles wholly inside count with their cached area, so a wholly covered country is exact.
    """
    countries = layers.countries()
    shapely.prepare(geometry)
    candidates = _tile_tree().query(geometry, predicate="intersects")
    # covers, not contains_properly: tiles along latitude +-90 or the 180th meridian share the
    # boundary of a pole-holding or split range area and are still wholly inside it.
    # A tile lies within its bounding box, so a covered box means a covered tile: testing the
    # 5-vertex boxes first settles most inner tiles at a fraction of the cost (~30 % of this
    # step), and only the others get the exact test on their own vertices. Same result.
    inside = shapely.covers(geometry, _tile_boxes()[candidates])
    unsure = np.flatnonzero(~inside)
    inside[unsure] = shapely.covers(geometry, countries.tile_geometry[candidates[unsure]])
    whole_tiles, cut_tiles = candidates[inside], candidates[~inside]
    pieces = shapely.intersection(countries.tile_geometry[cut_tiles], geometry)
    n = len(countries)
    covered = np.bincount(
        countries.tile_owner[whole_tiles], countries.tile_area_km2[whole_tiles], minlength=n
    ) + np.bincount(countries.tile_owner[cut_tiles], area_km2(pieces), minlength=n)
    tiles_per_country = np.bincount(countries.tile_owner, minlength=n)
    whole = np.bincount(countries.tile_owner[whole_tiles], minlength=n) == tiles_per_country
    return covered, whole


def country_rows(ring: Ring) -> list[CountryRow]:
    """Countries the ring covers, largest covered area first; whole countries report 100 %."""
    countries = layers.countries()
    covered, whole = covered_km2_by_country(ring)
    covered = np.where(whole, countries.area_km2, np.minimum(covered, countries.area_km2))
    hit = np.flatnonzero(covered > 0)
    pct = np.where(whole, 100.0, 100.0 * covered / countries.area_km2)
    order = sorted(hit, key=lambda i: (-covered[i], countries.iso_a3[i]))
    return [
        CountryRow(
            ring.site.name,
            float(ring.km),
            ring.km_min and float(ring.km_min),
            str(countries.iso_a3[i]),
            str(countries.name_en[i]),
            str(countries.status[i]),
            str(countries.sovereign[i]),
            float(covered[i]),
            float(countries.area_km2[i]),
            float(pct[i]),
        )
        for i in order
    ]


def city_rows(ring: Ring, *, capitals_only: bool = False) -> list[CityRow]:
    """Populated places within the ring (exact geodesic distance), nearest first."""
    cities = layers.cities()
    hit, dist, from_lat, from_lon = _places_within(ring, capitals_only=capitals_only)
    # Whole columns to Python objects at once (.tolist()): a 12,000 km ring holds ~29,000
    # places, and indexing numpy scalars one by one took most of the time.
    kind = np.where(cities.status[hit] == OTHER, OTHER_CAPITAL, TERRITORIAL)
    capital = np.where(
        cities.capital[hit], NATIONAL, np.where(cities.territory_capital[hit], kind, "")
    )
    columns = (
        cities.name[hit].tolist(),
        cities.country_iso3[hit].tolist(),
        cities.status[hit].tolist(),
        cities.population[hit].tolist(),
        dist.tolist(),
        capital.tolist(),
        cities.lat[hit].tolist(),
        cities.lon[hit].tolist(),
        from_lat.tolist(),
        from_lon.tolist(),
    )
    head = (ring.site.name, float(ring.km), ring.km_min and float(ring.km_min))
    return [CityRow(*head, *values) for values in zip(*columns, strict=True)]


def _places_within(ring: Ring, *, capitals_only: bool = False) -> tuple[np.ndarray, ...]:
    """Rows of the city layer within the ring, their geodesic distances in km and the points
    measured from (lat, lon arrays), nearest first (ties by GeoNames id). `capitals_only`
    keeps national capitals and those of territories and other areas."""
    cities = layers.cities()
    if ring.site.area is not None:
        near, dist, from_lat, from_lon = _area_places(ring.site.area, ring.km, capitals_only)
    else:
        near, _ = _near_on_sphere(ring.site, ring.km)
        if capitals_only:
            near = near[cities.capital[near] | cities.territory_capital[near]]
        dist, from_lat, from_lon = _distances(ring.site, near)
    inside = dist <= ring.km
    if ring.km_min:
        inside &= dist > ring.km_min
    hit, dist = near[inside], dist[inside]
    order = np.lexsort((cities.geonameid[hit], dist))
    return hit[order], dist[order], from_lat[inside][order], from_lon[inside][order]


@lru_cache(maxsize=32)
def _area_places(
    area: areas.LaunchArea, km: float, capitals_only: bool = False
) -> tuple[np.ndarray, ...]:
    """Places that may be within `km` of an area (or only the capitals among them), their
    distances and nearest launch points: computed once per area and range, shared by tables,
    summaries and bands. Each place is measured on its own, so a capital's figures are the
    same either way; the text needs only the ~200 capitals, not the ~11,000 places."""
    cities = layers.cities()
    near = areas.candidates(area, cities.lat, cities.lon, km)
    if capitals_only:
        near = near[cities.capital[near] | cities.territory_capital[near]]
    dist, from_lat, from_lon = areas.nearest_launch_points(area, cities.lat[near], cities.lon[near])
    for array in (near, dist, from_lat, from_lon):
        array.setflags(write=False)
    return near, dist, from_lat, from_lon


def _distances(site: Location, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Geodesic km from the site to these rows of the city layer, and from which point."""
    cities = layers.cities()
    lats, lons = cities.lat[rows], cities.lon[rows]
    if site.area is not None:
        return areas.nearest_launch_points(site.area, lats, lons)
    dist = distance_km(site.lat, site.lon, lats, lons)
    return dist, np.full(dist.shape, site.lat), np.full(dist.shape, site.lon)


@cache
def _city_vectors() -> np.ndarray:
    cities = layers.cities()
    return unit_vectors(cities.lat, cities.lon)


def _near_on_sphere(site: Location, km: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of places that may be within `km`, and their spherical distances in km: a cheap
    prefilter before exact distances."""
    site_vector = unit_vectors(np.array([site.lat]), np.array([site.lon]))[0]
    sphere_km = np.arccos(np.clip(_city_vectors() @ site_vector, -1.0, 1.0)) * SPHERE_KM
    near = np.flatnonzero(sphere_km <= km * SPHERE_MARGIN + 1.0)
    return near, sphere_km[near]


#: Rows of the city layer within whole range areas: a band's places are its outer area's
#: minus its inner one's, so a scene's bands cost a set difference.
_PLACES = _ByDisk()


def _places_set(ring: Ring) -> np.ndarray:
    """Rows of the city layer within the ring, unordered: what summaries count.

    The same bound that makes the prefilter safe settles places well inside on the sphere
    alone; only those near an edge of the ring get an exact geodesic distance (a 5,500 km
    ring: ~1,000 of ~11,000). The set is the one _places_within finds: a band holds the
    places within its outer range and not within its inner one.
    """
    if ring.km_min:
        inner = _disk_places(ring.site, ring.km_min)
        return np.setdiff1d(_disk_places(ring.site, ring.km), inner, assume_unique=True)
    return _disk_places(ring.site, ring.km)


def _disk_places(site: Location, km: float) -> np.ndarray:
    compute = _area_places_set if site.area is not None else _point_places
    return _PLACES.get(site, km, lambda: compute(site, km))


def _point_places(site: Location, km: float) -> np.ndarray:
    near, sphere_km = _near_on_sphere(site, km)
    sure = sphere_km * SPHERE_MARGIN + 1.0 <= km
    unsure = near[~sure]
    cities = layers.cities()
    dist = distance_km(site.lat, site.lon, cities.lat[unsure], cities.lon[unsure])
    return np.concatenate([near[sure], unsure[dist <= km]])


def _area_places_set(site: Location, km: float) -> np.ndarray:
    """_disk_places from a launch area: spherical bounds settle the places well inside or out,
    nearest_launch_points measures the rest (a 5,500 km range of the Kaliningrad region: the
    geodesic for a few hundred places instead of ~11,000)."""
    area, cities = site.area, layers.cities()
    near = areas.candidates(area, cities.lat, cities.lon, km)
    low, high = areas.distance_bounds_km(area, cities.lat[near], cities.lon[near], settle=(km,))
    sure, out = high <= km, low > km
    unsure = near[~sure & ~out]
    dist = areas.nearest_launch_points(area, cities.lat[unsure], cities.lon[unsure])[0]
    return np.concatenate([near[sure], unsure[dist <= km]])


class Summary(NamedTuple):
    """What one ring covers, in a line: counts, areas in km2 and summed place population.

    `countries` counts states (UN members and observers) only; the territories and other
    areas touched and their capitals are listed apart. `capitals` are national capitals,
    nearest first; `population` is the sum over PLACES_LABEL places in range.
    """

    site: str
    range_km: float
    km_min: float | None
    area_km2: float
    countries: int
    capitals: tuple[str, ...]
    places: int
    population: int
    territories: tuple[str, ...] = ()
    territory_capitals: tuple[str, ...] = ()
    other_areas: tuple[str, ...] = ()
    other_capitals: tuple[str, ...] = ()

    def counts(self) -> str:
        """'90 countries, 10 territories and 2 other areas, 81 capitals': the counts a reader
        quotes (other areas: not UN members, held by no UN state, such as Kosovo)."""
        parts = [f"{self.countries} countr{'ies' if self.countries != 1 else 'y'}"]
        if self.territories:
            n = len(self.territories)
            parts.append(f"{n} territor{'ies' if n != 1 else 'y'}")
        if self.other_areas:
            n = len(self.other_areas)
            parts.append(f"{n} other area{'s' if n != 1 else ''}")
        text = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        n = len(self.capitals)
        return f"{text}, {n} capital{'s' if n != 1 else ''}"


def summarize(ring: Ring, *, countries: Sequence[CountryRow] | None = None) -> Summary:
    """Counts for a ring; population is the sum over PLACES_LABEL places in range.

    Pass the ring's `countries` (country_rows) when you have them: they are not computed again.
    Places are counted from arrays, without building a CityRow for each.
    """
    if countries is None:
        countries = country_rows(ring)
    cities = layers.cities()
    hit = _places_set(ring)

    def nearest_first(rows: np.ndarray) -> tuple[str, ...]:
        dist = _distances(ring.site, rows)[0]
        return tuple(cities.name[rows[np.lexsort((cities.geonameid[rows], dist))]].tolist())

    return Summary(
        ring.site.name,
        float(ring.km),
        ring.km_min and float(ring.km_min),
        ring.area_km2,
        sum(r.status == STATE for r in countries),
        nearest_first(hit[cities.capital[hit]]),
        len(hit),
        int(cities.population[hit].sum()),
        tuple(r.country for r in countries if r.status == TERRITORY),
        nearest_first(hit[cities.territory_capital[hit] & (cities.status[hit] == TERRITORY)]),
        tuple(r.country for r in countries if r.status == OTHER),
        nearest_first(hit[cities.territory_capital[hit] & (cities.status[hit] == OTHER)]),
    )


class Comparison(NamedTuple):
    """What the `km` range of a site adds over its `base_km` range (e.g. disputed over stated)."""

    site: str
    base_km: float
    km: float
    added_km2: float
    new_countries: tuple[CountryRow, ...]
    more_covered: tuple[tuple[CountryRow | None, CountryRow], ...]
    new_capitals: tuple[CityRow, ...]
    added_places: int
    added_population: int


def compare(site: Location, base_km: float, km: float) -> Comparison:
    """What the larger range adds: countries and capitals newly in range, area, population."""
    if km <= base_km:
        raise InputError(f"compare needs a larger second range: got {base_km:g} km then {km:g} km.")
    base, wider = make_ring(site, base_km), make_ring(site, km)
    # Keyed by code and name: a few Natural Earth dependencies share their sovereign's ISO
    # code (Indian Ocean Ter. and Australia are both AUS).
    before = {(r.iso_a3, r.country): r for r in country_rows(base)}
    after = country_rows(wider)
    added = city_rows(make_ring(site, km, km_min=base_km))
    more = []
    for r in after:
        old = before.get((r.iso_a3, r.country))
        if r.covered_km2 > (old.covered_km2 if old else 0.0):
            more.append((old, r))
    return Comparison(
        site.name,
        float(base_km),
        float(km),
        wider.area_km2 - base.area_km2,
        tuple(r for r in after if (r.iso_a3, r.country) not in before),
        tuple(more),
        tuple(c for c in added if c.capital == NATIONAL),
        len(added),
        sum(c.population for c in added),
    )


def matrix(rings: list[Ring]) -> tuple[list[str], list[tuple[str, str, str, list[float]]]]:
    """Countries by ring: column labels and, per country, its status and covered percent in
    each ring."""
    columns = [ring.label for ring in rings]
    table: dict[tuple[str, str, str], list[float]] = {}
    for j, ring in enumerate(rings):
        for row in country_rows(ring):
            key = (row.iso_a3, row.country, row.status)
            table.setdefault(key, [0.0] * len(rings))[j] = row.covered_pct
    rows = sorted(table.items(), key=lambda kv: ([-v for v in kv[1]], kv[0][0]))
    return columns, [(iso, name, status, values) for (iso, name, status), values in rows]
