"""The story a scene tells, as data that every map draws: what it opens on, in which steps it
widens, which places it names, how each ring reads and in which colour, what its legend lists.

A graphics desk frames the range the argument is about, not the largest one; names the
capitals that range reaches rather than whatever the basemap labels; words each ring as a
claim ("9M729: Russia says up to 480 km"), never as ownership; and keeps every text 4.5:1 on
its halo (WCAG 2.x). This module decides all of that once, in plain Python, for the
interactive map (rangemap.render.html_map) and the static map (rangemap.render.static_map);
the renderers only place what it gives them.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from rangemap.geodesic import distance_km
from rangemap.locations import Location
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLayer, claimant

#: WCAG 2.x minimum contrast for text (success criterion 1.4.3, level AA).
MIN_CONTRAST = 4.5
#: The halo every map label sits on.
HALO = "#FFFFFF"
#: Treaty thresholds and bands: grey text, lighter than any claim (5.7:1 on white).
FAINT_TEXT = "#666666"
#: States smaller than this (km²) are named only when the story is about them: Monaco,
#: Liechtenstein, Andorra, San Marino, Malta, the Vatican.
MICRO_STATE_KM2 = 1_000.0
#: Territories and areas that are not UN members, smaller than this (km²), likewise: Jersey,
#: Gibraltar, the Faroe Islands, Bir Tawil.
MICRO_TERRITORY_KM2 = 5_000.0
#: Other places are named by population: at least this many people (GeoNames), biggest first.
MIN_NAMED_POPULATION = 500_000
#: At most this many such places are offered to a map (it names those that fit).
MAX_POPULATED = 120
#: A default first step also shows the lead site's rings up to this factor of the lead's range
#: (Russia's 480 km with the United States' "at least 500 km" and the treaty's 500 km).
NEAR_LEAD = 1.25
#: Azimuths of the outline points a frame must hold (every 10 degrees).
_FRAME_AZIMUTHS = np.arange(0.0, 360.0, 10.0)
#: Parties written short on labels, as newsrooms do.
_SHORT_PARTY = {"United States": "US", "United Kingdom": "UK"}
#: Claimants named in the plural ("US congressional documents say").
_T = TypeVar("_T")
#: The last results of each per-scene function below, by the scene's identity: a resolved
#: scene never changes, and one map asks for its steps, lead and places many times.
_RECENT: OrderedDict[tuple[str, int], tuple[ResolvedScene, Any]] = OrderedDict()


def _per_scene(function: Callable[[ResolvedScene], list[_T]]) -> Callable[..., list[_T]]:
    """`function(scene)` computed once for the last few scenes; each call gets its own list."""

    @functools.wraps(function)
    def cached(scene: ResolvedScene, **options: Any) -> list[_T]:
        if options:  # not the default question: not kept
            return function(scene, **options)
        key = (function.__name__, id(scene))
        hit = _RECENT.get(key)
        if hit is None or hit[0] is not scene:
            hit = _RECENT[key] = (scene, function(scene))
            while len(_RECENT) > 24:
                _RECENT.popitem(last=False)
        return list(hit[1])

    return cached


_PLURAL = re.compile(r"(documents|sources|officials|reports|analysts|media)$", re.I)


# --- colour and contrast -------------------------------------------------------------------


def _rgb(color: str) -> tuple[float, float, float]:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour (0 black .. 1 white)."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(color)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 to 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


@functools.cache
def text_color(color: str, background: str = HALO, minimum: float = MIN_CONTRAST) -> str:
    """The colour itself if its text reads at `minimum` on `background`, else the lightest
    darker shade of the same hue that does (each channel scaled by the same factor), so a
    label keeps its ring's hue: Typhon's sky blue becomes a deep blue, not black."""
    r, g, b = _rgb(color)
    for step in range(101):
        k = 1.0 - step / 100.0
        shade = "#{:02X}{:02X}{:02X}".format(*(round(c * k * 255) for c in (r, g, b)))
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return "#000000"


# --- labels as claims ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLabel:
    """How a ring reads on the map: `text` where there is room, `short` on phones (the
    weapon kept in both), and the text colour (4.5:1 on the halo)."""

    text: str
    short: str
    color: str


def _short_span(span: str) -> str:
    return span.replace("at least ", "≥").replace("up to ", "≤")


def party(claimed_by: str) -> str:
    """Who makes a claim, as a label names them: 'United States (US embassy ...)' -> 'US'."""
    who = claimant(claimed_by)
    return _SHORT_PARTY.get(who, who)


def weapon(layer: SceneLayer) -> str | None:
    """The weapon a claim is about, with its variant: 'Tomahawk (TLAM-N)'; None for
    treaty rings and ranges of the map's own."""
    if layer.system is None:
        return None
    return layer.label.split(" — ", 1)[0]


def claim_label(layer: SceneLayer) -> ClaimLabel:
    """'9M729: Russia says up to 480 km' / '9M729: Russia says ≤480 km'.

    A claim names its weapon and who gives the figure; where the launch site itself is
    disputed, the ring is the claim of whoever says the weapon can be fired there
    ('Tomahawk from here (Russia's claim): at least 1,609 km'). Treaty rings read
    'INF 500 km' in grey; a range of the map's own reads as its label.
    """
    span, short_span = layer.span, _short_span(layer.span)
    if layer.kind in ("threshold", "band"):
        treaty = layer.claimed_by.split(",")[0].split(" (")[0].removesuffix(" Treaty")
        if layer.kind == "threshold":
            return ClaimLabel(f"{treaty} {span}", f"{treaty} {span}", FAINT_TEXT)
        return ClaimLabel(f"{treaty} band {span}", f"{treaty} {span}", FAINT_TEXT)
    color = text_color(layer.color)
    retired = " (retired)" if "; retired" in layer.label else ""
    name = weapon(layer)
    hosting = layer.hosting
    if name is not None and hosting is not None and hosting.kind == "disputed":
        who = party(hosting.claimed_by)
        return ClaimLabel(
            f"{name} from here ({who}'s claim): {span}{retired}",
            f"{name} {short_span} ({who}'s claim)",
            color,
        )
    if layer.kind == "custom" or layer.claimed_by == "this map's author":
        return ClaimLabel(layer.label, layer.label if len(layer.label) <= 24 else short_span, color)
    who = party(layer.claimed_by)
    plural = bool(_PLURAL.search(who))
    verb = (
        ("estimate" if plural else "estimates")
        if layer.kind == "estimate"
        else ("say" if plural else "says")
    )
    lead = f"{name}: " if name else ""
    return ClaimLabel(
        f"{lead}{who} {verb} {span}{retired}", f"{lead}{who} {verb} {short_span}", color
    )


# --- the lead and the steps ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A named point of the story: a callout's end, a place the scene adds."""

    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Frame:
    """What a view must hold: the layers' outlines and the places, as (lat, lon) points.

    `points` serve any projection (the interactive map projects them itself); `bounds`
    is their box in degrees, longitudes unwrapped from the first point (east may pass 180).
    """

    layers: tuple[str, ...]
    places: tuple[Place, ...]
    points: tuple[tuple[float, float], ...]

    @property
    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        lat = np.array([p[0] for p in self.points])
        lon = np.array([p[1] for p in self.points])
        lon = lon[0] + (lon - lon[0] + 180.0) % 360.0 - 180.0
        if lon.max() - lon.min() > 300.0:  # round a pole: every longitude, as far as it goes
            return ((float(lat.min()), -180.0), (min(float(lat.max()), 85.0), 180.0))
        return (
            (float(lat.min()), float(lon.min())),
            (float(lat.max()), float(lon.max())),
        )


@dataclass(frozen=True)
class Lead:
    """The story's lead: the layers the first view is about, its places, its frame."""

    layers: tuple[str, ...]
    places: tuple[Place, ...]
    frame: Frame


@dataclass(frozen=True)
class Step:
    """One step: its line of text, the layers on, what the view frames."""

    index: int
    text: str
    show: tuple[str, ...]
    frame: Frame


def _drawn(scene: ResolvedScene) -> dict[str, DrawnLayer]:
    return {layer.id: layer for layer in scene.drawn}


def _is_claim(layer: SceneLayer) -> bool:
    return layer.kind not in ("threshold", "band")


def _place(location: Location) -> Place:
    return Place(location.name, location.lat, location.lon)


def frame_of(scene: ResolvedScene, layer_ids: Iterable[str], places: Iterable[Place] = ()) -> Frame:
    """The frame holding the layers' whole outlines (a point every 10 degrees of azimuth,
    on the true edge of each range area) and the places; the sites when there is nothing."""
    drawn = _drawn(scene)
    ids = tuple(dict.fromkeys(i for i in layer_ids if i in drawn))
    places = tuple(places)
    points: list[tuple[float, float]] = []
    for layer_id in ids:
        outline = drawn[layer_id].ring.outline_toward(_FRAME_AZIMUTHS)
        points += [(round(float(lat), 4), round(float(lon), 4)) for lon, lat in outline]
    points += [(p.lat, p.lon) for p in places]
    if not points:
        points = [(s.location.lat, s.location.lon) for s in scene.sites]
    return Frame(ids, places, tuple(points))


def lead(scene: ResolvedScene) -> Lead:
    """The scene's `focus:` (and `focus_places:`), else what its first step frames, else
    the first site's shortest drawn claim or range shown at first (every layer of that site
    drawing the same figure) with the site's callouts; without any claim, its shortest
    treaty ring."""
    drawn = _drawn(scene)
    places = tuple(_place(p) for p in scene.focus_places)
    focus = scene.focus
    if not focus and scene.steps:
        focus = scene.steps[0].focus or scene.steps[0].show
        places += tuple(_place(p) for p in scene.steps[0].places)
    if focus:
        ids = tuple(i for i in focus if i in drawn)
        callouts = tuple(_place(c) for s in scene.sites for c in s.callouts
                         if any(layer.id in ids for layer in s.layers))  # fmt: skip
        places = places + tuple(c for c in callouts if c not in places)
        return Lead(ids, places, frame_of(scene, ids, places))
    for claims_only in (True, False):
        for site in scene.sites:
            candidates = [
                layer
                for layer in site.layers
                if isinstance(layer, DrawnLayer) and layer.show
                and (_is_claim(layer) or not claims_only)
            ]  # fmt: skip
            if not candidates:
                continue
            shortest = min(layer.ring.km for layer in candidates)
            ids = tuple(layer.id for layer in candidates if layer.ring.km == shortest)
            places = places + tuple(_place(c) for c in site.callouts)
            return Lead(ids, places, frame_of(scene, ids, places))
    return Lead((), places, frame_of(scene, (), places))


def longest(scene: ResolvedScene) -> DrawnLayer | None:
    """The longest drawn claim (the longest ring when there is none): what the first view
    must at least mention."""
    drawn = scene.drawn
    claims = [layer for layer in drawn if _is_claim(layer)] or list(drawn)
    if not claims:
        return None
    return max(claims, key=lambda layer: (layer.ring.km, -drawn.index(layer)))


@_per_scene
def steps(scene: ResolvedScene) -> list[Step]:
    """The scene's `steps:`, each resolved (a step without `show` shows the lead's layers,
    without `focus` frames what it shows); by default two steps: the lead with the rings
    of its site near its figure, then everything shown at first, framed on the claims (or
    the scene's `view`)."""
    first = lead(scene)
    drawn = _drawn(scene)
    out: list[Step] = []
    if scene.steps:
        for index, step in enumerate(scene.steps):
            show = step.show or first.layers
            focus = step.focus or show
            places = tuple(_place(p) for p in step.places)
            if index == 0 or (not step.focus and not step.show):
                places = first.places + tuple(p for p in places if p not in first.places)
            out.append(Step(index, step.text, show, frame_of(scene, focus, places)))
        return out
    if first.layers:
        reach = max(drawn[i].ring.km for i in first.layers) * NEAR_LEAD
        site = drawn[first.layers[0]].site
        near = tuple(
            layer.id
            for layer in scene.drawn
            if layer.show and layer.site == site and layer.ring.km <= reach
            and layer.kind != "band"
        )  # fmt: skip
        show = tuple(dict.fromkeys(first.layers + near))
        label = claim_label(drawn[first.layers[0]]).text
        ends = [c for c in first.places]
        text = label + "".join(f"; {p.name} marked" for p in ends[:1])
        out.append(Step(0, text, show, first.frame))
    everything = tuple(layer.id for layer in scene.drawn if layer.show)
    if not out or set(everything) - set(out[0].show):
        claims = [i for i in everything if _is_claim(drawn[i])]
        if scene.view is not None:
            (south, west), (north, east) = scene.view
            corners = (Place("", south, west), Place("", north, east))
            frame = frame_of(scene, (), corners)
        else:
            frame = frame_of(scene, claims or everything)
        far = longest(scene)
        text = "Every range on this map" + (
            f"; the longest: {claim_label(far).text}" if far is not None else ""
        )
        out.append(Step(len(out), text, everything, frame))
    return out


def step_showing(scene: ResolvedScene, layer_id: str) -> int | None:
    """The first step that shows a layer (its index), None if none does."""
    for step in steps(scene):
        if layer_id in step.show:
            return step.index
    return None


# --- places by news value ------------------------------------------------------------------

#: Why a place is named, in the order they are ranked.
RANKS = ("story", "capital inside the lead", "capital beyond the lead", "host capital",
         "population")  # fmt: skip


@dataclass(frozen=True)
class RankedPlace:
    """A place to name, with its rank (an index into RANKS: lower first) and population."""

    name: str
    lat: float
    lon: float
    rank: int
    population: int

    @property
    def why(self) -> str:
        return RANKS[self.rank]


@functools.cache
def _country_sizes() -> dict[str, tuple[float, str]]:
    """(area km², status) by ISO3 of every country of the layer."""
    from rangemap import layers as data

    countries = data.countries()
    out: dict[str, tuple[float, str]] = {}
    for iso, area, status in zip(countries.iso_a3, countries.area_km2, countries.status,
                                 strict=True):  # fmt: skip
        # several rows may share a code (a state and its small territories): the largest
        if str(iso) not in out or float(area) > out[str(iso)][0]:
            out[str(iso)] = (float(area), str(status))
    return out


def is_micro(area_km2: float, status: str) -> bool:
    """A micro-state or micro-territory, named only when the story is about it."""
    if status == "state":
        return area_km2 < MICRO_STATE_KM2
    return area_km2 < MICRO_TERRITORY_KM2


@functools.cache
def minor_countries() -> frozenset[str]:
    """Map names of the countries a map leaves unnamed unless the story is about them."""
    from rangemap import layers as data

    countries = data.countries()
    return frozenset(
        countries.map_name(i)
        for i in range(len(countries))
        if is_micro(float(countries.area_km2[i]), str(countries.status[i]))
    )


@functools.cache
def minor_capitals() -> frozenset[tuple[str, float, float]]:
    """The capitals of micro-states and micro-territories (Vaduz, Monaco, Saint Helier,
    Tórshavn) as (name, lat, lon) rounded to 0.1 degrees (a name alone is not unique:
    Kingston), which a map leaves unnamed unless the story adds them."""
    from rangemap import layers as data

    cities = data.cities()
    seats = np.flatnonzero(cities.capital | cities.territory_capital)
    return frozenset(
        minor_key(str(cities.name[i]), float(cities.lat[i]), float(cities.lon[i]))
        for i in seats
        if str(cities.country_iso3[i]) in _micro_codes()
    )


def minor_key(name: str, lat: float, lon: float) -> tuple[str, float, float]:
    """The key minor_capitals() holds a place under."""
    return (name, round(lat, 1) + 0.0, round(lon, 1) + 0.0)


@functools.cache
def _micro_cities() -> np.ndarray:
    """Which places of the cities layer lie in a micro-state or micro-territory (read-only)."""
    from rangemap import layers as data

    iso3, codes = data.cities().country_iso3.tolist(), _micro_codes()
    micro = np.fromiter((c in codes for c in iso3), dtype=bool, count=len(iso3))
    micro.setflags(write=False)
    return micro


@functools.cache
def _micro_codes() -> frozenset[str]:
    """ISO3 codes of the micro-states and micro-territories (is_micro) of the layer."""
    return frozenset(iso for iso, (area, status) in _country_sizes().items()
                     if is_micro(area, status))  # fmt: skip


def host_countries(scene: ResolvedScene) -> list[str]:
    """ISO3 codes of the countries the scene's sites lie in, in scene order."""
    import shapely

    from rangemap import layers as data

    countries = data.countries()
    out: list[str] = []
    for site in scene.sites:
        inside = np.flatnonzero(
            shapely.contains_xy(countries.geometry, site.location.lon, site.location.lat)
        )
        for i in inside[:1]:
            iso = str(countries.iso_a3[i])
            if iso not in out:
                out.append(iso)
    return out


def _km_from(
    layer: DrawnLayer, lat: np.ndarray, lon: np.ndarray, *, nearest: int = 0
) -> np.ndarray:
    """Geodesic km from the layer's site to each point, as the tables measure it (from an
    area: to its nearest point). From an area, exact where it decides something: whether
    the point is within the range, and for the `nearest` points beyond it, their order;
    elsewhere a spherical bound on the same side of the range (areas.distance_bounds_km),
    which costs a thousandth of the geodesic against every boundary point."""
    ring = layer.ring
    area = ring.site.area
    if area is None:
        return distance_km(ring.site.lat, ring.site.lon, lat, lon)
    from rangemap.areas import distance_bounds_km, nearest_launch_points

    low, high = distance_bounds_km(area, lat, lon, settle=(ring.km,))
    measure = (low <= ring.km) & (high > ring.km)  # not settled by the bounds
    outside = np.flatnonzero(low > ring.km)
    if nearest and outside.size:  # any of the nearest beyond could be within this
        reach = np.partition(high[outside], min(nearest, outside.size) - 1)[
            min(nearest, outside.size) - 1
        ]
        measure |= (low <= reach) & (high > ring.km)
    km = np.where(high <= ring.km, low, high)  # within: a bound within; beyond: beyond
    todo = np.flatnonzero(measure)
    if todo.size:
        km[todo] = nearest_launch_points(area, lat[todo], lon[todo])[0]
    return km


@_per_scene
def ranked_places(scene: ResolvedScene, *, beyond: int = 2) -> list[RankedPlace]:
    """Places to name, most newsworthy first: the scene's callouts and added names; the
    national capitals inside the lead (most populous first) and the `beyond` nearest
    outside each lead ring; the capitals of the countries hosting the sites; then places of
    MIN_NAMED_POPULATION or more within the longest drawn range, biggest first. Capitals
    and places of micro-states and micro-territories are left out unless the scene adds
    them, and every name in `names: drop:` is. A map names them in this order where each
    fits."""
    from rangemap import layers as data

    cities = data.cities()
    drawn = _drawn(scene)
    first = lead(scene)
    drop = set(scene.names_drop)
    out: list[RankedPlace] = []
    seen: set[str] = set()

    def add(name: str, lat: float, lon: float, rank: int, population: int = 0) -> None:
        if name in drop or name in seen or not name:
            return
        seen.add(name)
        out.append(RankedPlace(name, round(lat, 4), round(lon, 4), rank, population))

    for site in scene.sites:
        for c in site.callouts:
            add(c.name, c.lat, c.lon, 0)
    for p in (*scene.names_add, *scene.focus_places):
        add(p.name, p.lat, p.lon, 0)
    iso3 = cities.country_iso3
    # States' capitals, and those of areas that are not UN members (Taipei, Pristina);
    # not those of territories (Douglas, Mariehamn).
    status = getattr(cities, "status", np.full(len(cities), "state"))
    seat = cities.capital | ((status == "other") & cities.territory_capital)
    micro = _micro_cities()
    capitals = np.flatnonzero(seat & np.isin(status, ["state", "other"]) & ~micro)
    lat, lon = cities.lat[capitals], cities.lon[capitals]
    pop = cities.population[capitals]

    def row(i: int, rank: int) -> None:
        j = capitals[i]
        add(str(cities.name[j]), float(cities.lat[j]), float(cities.lon[j]), rank,
            int(cities.population[j]))  # fmt: skip

    lead_layers = [drawn[i] for i in first.layers]
    if lead_layers:
        km = np.stack([_km_from(layer, lat, lon, nearest=beyond) for layer in lead_layers])
        inside = (km <= np.array([[layer.ring.km] for layer in lead_layers])).any(axis=0)
        for i in np.flatnonzero(inside)[np.argsort(-pop[inside], kind="stable")]:
            row(int(i), 1)
        for layer, dist in zip(lead_layers, km, strict=True):
            outside = np.flatnonzero(dist > layer.ring.km)
            for i in outside[np.argsort(dist[outside], kind="stable")[:beyond]]:
                row(int(i), 2)
    hosts = host_countries(scene)
    for iso in hosts:
        for i in np.flatnonzero(iso3[capitals] == iso):
            row(int(i), 3)
    far = longest(scene)
    if far is not None:
        # a city of a million is news wherever it is (Hong Kong, Singapore)
        big = np.flatnonzero(
            (cities.population >= MIN_NAMED_POPULATION) & (~micro | (cities.population >= 1e6))
        )
        big = big[np.argsort(-cities.population[big], kind="stable")]
        reach = np.zeros(len(big), dtype=bool)
        for layer in scene.drawn:
            if layer.ring.km >= far.ring.km or layer is far:
                reach |= _km_from(layer, cities.lat[big], cities.lon[big]) <= layer.ring.km
        for j in big[reach][:MAX_POPULATED]:
            add(str(cities.name[j]), float(cities.lat[j]), float(cities.lon[j]), 4,
                int(cities.population[j]))  # fmt: skip
    return out


# --- the legend ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendRow:
    """One legend row: the layers it switches (claims drawing the same disc are one row,
    naming every source), its text, and the first of its layers (colour, line, details)."""

    ids: tuple[str, ...]
    text: str
    layer: DrawnLayer
    treaty: bool = False


def _detail(claimed_by: str) -> str:
    """'United States (US embassy in Moscow, spokesperson ...)' -> 'US embassy in Moscow'."""
    inner = claimed_by.split(" (", 1)[1] if " (" in claimed_by else claimed_by
    return re.split(r", |; |\)", inner, maxsplit=1)[0].strip()


def legend_rows(scene: ResolvedScene) -> list[LegendRow]:
    """The legend's rows in scene order: one per drawn disc and weapon (merging the claims
    that draw it), one per site for its treaty rings. Rows name their site when several
    sites draw claims."""
    groups: dict[tuple, list[DrawnLayer]] = {}
    for layer in scene.drawn:
        ring = layer.ring
        if _is_claim(layer):
            key = (layer.site, ring.km, ring.km_min, layer.system or layer.id, layer.kind)
        else:
            key = (layer.site, "treaty", layer.claimed_by.split(",")[0].split(" (")[0])
        groups.setdefault(key, []).append(layer)
    claim_sites = {layer.site for layer in scene.drawn if _is_claim(layer)}
    rows = []
    for key, layers in groups.items():
        first = layers[0]
        where = f"{first.site_label}: " if len(claim_sites) > 1 else ""
        if key[1] == "treaty":
            rows.append(LegendRow(tuple(x.id for x in layers), where + key[2], first, True))
            continue
        if len(layers) == 1:
            text = first.label
        else:
            who = party(first.claimed_by)
            details = "; ".join(dict.fromkeys(_detail(x.claimed_by) for x in layers))
            text = f"{weapon(first)} — {first.span} ({who}: {details}; {first.kind})"
        rows.append(LegendRow(tuple(x.id for x in layers), where + text, first))
    return rows


def merged_same_disc(scene: ResolvedScene) -> list[tuple[str, ...]]:
    """The groups of layers that draw the same disc for the same weapon (one legend row)."""
    return [row.ids for row in legend_rows(scene) if not row.treaty and len(row.ids) > 1]


def nearest_capital(lat: float, lon: float) -> str:
    """The national capital nearest a point: how a map says where its centre is."""
    from rangemap import layers as data

    cities = data.cities()
    index = np.flatnonzero(cities.capital)
    km = distance_km(lat, lon, cities.lat[index], cities.lon[index])
    return str(cities.name[index[int(np.argmin(km))]])
