"""What a map names on itself: each ring's label and where it may go, capitals, callouts.

Placement on screen depends on the reader's screen, so the page places labels when it draws
(greedy, in a fixed order, never two labels on top of each other); this module gives it the
texts and the candidate points, computed once on the true geodesic outline.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from rangemap import story
from rangemap.coverage import Ring
from rangemap.geodesic import geodesic_line
from rangemap.locations import Location
from rangemap.scene_build import DrawnLayer, ResolvedScene, claimant

#: Candidate label points per ring: every 10 degrees of azimuth.
ANCHOR_STEP_DEG = 10
#: Azimuths tried first: the north of a ring, then alternating east and west of it, so
#: labels sit on the part of the outline a reader looks at first and spread out from there.
_FIRST_AZIMUTH = 0.0
#: Points along a callout's geodesic line: a smooth curve at any zoom that shows it.
CALLOUT_POINTS = 64


@dataclass(frozen=True)
class RingLabel:
    """A drawn range's label.

    Attributes
    ----------
    layer_id : str
        The layer's id (its CSS class is ``rm-l-<layer_id>``).
    text : str
        Long form, figure and who claims it: "9M729 ≤480 km · Russia".
    short : str
        Short form for narrow screens: "≤480 km".
    kind : str
        The layer's kind; thresholds are drawn lighter.
    color : str
        The layer's colour (#RRGGBB).
    anchors : list of [lat, lon]
        Points on the outline, in the order the page tries them.
    """

    layer_id: str
    text: str
    short: str
    kind: str
    color: str
    anchors: list[list[float]]


@dataclass(frozen=True)
class MapPlace:
    """A place named on the map with a dot: a capital, or a callout's end."""

    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Callout:
    """A measured line from a site to a place: "Berlin 529 km".

    ``line`` is the geodesic in [lat, lon] points, split where it crosses the 180th meridian.
    """

    site_label: str
    place: MapPlace
    km: float
    line: list[list[list[float]]]

    @property
    def text(self) -> str:
        return f"{self.place.name} {self.km:,.0f} km"


def _short_span(span: str) -> str:
    return span.replace("at least ", "≥").replace("up to ", "≤")


def label_texts(layer: DrawnLayer) -> tuple[str, str]:
    """(long, short) label of a drawn layer, from the names the legend uses.

    A claim reads "<system> <figure> · <who>", who being the party the ring is drawn for:
    the claimant of the figure, or of the launch site where that is disputed.
    """
    short = _short_span(layer.span)
    body = layer.name.removeprefix(f"{layer.site_label} — ")
    body = re.sub(r" #\d+$", "", body)
    if layer.kind in ("threshold", "band"):
        return body.replace(" threshold", ""), short
    if layer.kind == "custom":
        return body, short
    figure = body.rsplit(" (", 1)[0] if body.endswith(")") else body
    return f"{figure} · {claimant(layer.claimed_by)}", short


def _latlng(points: np.ndarray) -> list[list[float]]:
    """(lon, lat) rows -> [lat, lon] lists rounded to 1e-4 degrees (~11 m), as Leaflet takes."""
    return (np.round(points[:, ::-1], 4) + 0.0).tolist()


def ring_anchors(ring: Ring) -> list[list[float]]:
    """Points of the ring's outline as [lat, lon], in the directions `anchor_azimuths` lists:
    north first, then alternately east and west of north, so a label's first choice is
    stable. They are points of the engine's outline (rangemap.coverage.Ring.outline_toward):
    on a circle exactly `km` from the site; from an area, on the range's true edge."""
    return _latlng(ring.outline_toward(anchor_azimuths()))


def south_point(ring: Ring) -> list[float]:
    """The outline's point due south of its site, [lat, lon]: where the page drops a
    ring's name when it has room for nothing else."""
    return _latlng(ring.outline_toward([180.0]))[0]


def ring_labels(layers: Iterable[DrawnLayer]) -> list[RingLabel]:
    """Labels of the drawn layers, in the order the page places them: claims before
    thresholds and bands, smaller rings first (they have the least room)."""
    drawn = [(layer, layer.ring) for layer in layers]
    rank = {"threshold": 1, "band": 2}
    drawn.sort(key=lambda pair: (rank.get(pair[0].kind, 0), pair[1].km))
    labels = []
    for layer, ring in drawn:
        text, short = label_texts(layer)
        labels.append(
            RingLabel(
                layer_id=layer.id,
                text=text,
                short=short,
                kind=layer.kind,
                color=layer.color,
                anchors=ring_anchors(ring),
            )
        )
    return labels


def launch_point(site: Location, lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) a callout to (lat, lon) starts from: the site, or an area's nearest point
    (its length is then the place's distance from the area, as in the tables)."""
    if site.area is None:
        return site.lat, site.lon
    from rangemap.areas import nearest_launch_points

    _, from_lat, from_lon = nearest_launch_points(site.area, np.array([lat]), np.array([lon]))
    return float(from_lat[0]), float(from_lon[0])


def scene_callouts(scene: ResolvedScene) -> list[Callout]:
    """The measured lines every map of the scene draws: each site's `callouts:`, from the
    site or, for an area, from its point nearest the place."""
    return [
        callout(
            site.label,
            *launch_point(site.location, place.lat, place.lon),
            MapPlace(place.name, place.lat, place.lon),
        )
        for site in scene.sites
        for place in site.callouts
    ]


def callout(site_label: str, lat: float, lon: float, place: MapPlace) -> Callout:
    """The geodesic from a site to a place, with its length in km (WGS84)."""
    points, km = geodesic_line(lat, lon, place.lat, place.lon, CALLOUT_POINTS)
    return Callout(site_label, place, km, [_latlng(piece) for piece in split_line(points)])


def split_line(points: np.ndarray) -> list[np.ndarray]:
    """An open line of (lon, lat) points cut where it crosses the 180th meridian.

    Each crossing gets an interpolated point on both sides (at +180 and -180).
    """
    pieces = [[points[0]]]
    for prev, here in itertools.pairwise(points):
        step = here[0] - prev[0]
        if abs(step) > 180.0:  # crossed +-180: go the short way round
            edge = 180.0 if step < 0 else -180.0
            unwrapped = here[0] + (360.0 if step < 0 else -360.0)
            t = (edge - prev[0]) / (unwrapped - prev[0])
            lat = prev[1] + t * (here[1] - prev[1])
            pieces[-1].append(np.array([edge, lat]))
            pieces.append([np.array([-edge, lat])])
        pieces[-1].append(here)
    return [np.asarray(piece) for piece in pieces]


def shared_arcs(layers: Iterable[DrawnLayer]) -> dict[str, tuple[float, float]]:
    """For rings drawn on exactly the same outline, the arc (azimuths) each one answers on.

    Two claims can draw the same circle ("at least 500 km" twice, and the treaty's 500 km):
    no hit area can lie on top of the others along the whole outline, so each takes an equal
    share of it, in scene order. Rings alone on their outline are not listed.
    """
    groups: dict[tuple[float, float, float, float | None], list[str]] = {}
    for layer in layers:
        if not layer.ring.km_min:
            ring = layer.ring
            groups.setdefault((ring.site.lat, ring.site.lon, ring.km, None), []).append(layer.id)
    arcs = {}
    for ids in groups.values():
        if len(ids) > 1:
            share = 360.0 / len(ids)
            arcs.update({layer_id: (i * share, (i + 1) * share) for i, layer_id in enumerate(ids)})
    return arcs


def hit_outline(
    layer: DrawnLayer, arcs: dict[str, tuple[float, float]]
) -> list[list[list[float]]] | None:
    """The line that takes hover and clicks for a ring: its arc when it shares its outline."""
    ring = layer.ring
    if layer.id not in arcs:
        return None
    return [
        _latlng(piece)
        for line in ring.outline_between(*arcs[layer.id])
        for piece in split_line(line)
    ]


def _in_arc(anchor_azimuths: np.ndarray, arc: tuple[float, float]) -> np.ndarray:
    return (anchor_azimuths >= arc[0]) & (anchor_azimuths < arc[1])


def anchor_azimuths() -> np.ndarray:
    """The azimuths of `ring_anchors`' points, in their order: 0, 10, 350, 20, 340 ... (by
    angular distance from north, east first on ties)."""
    steps = np.arange(0, 360, ANCHOR_STEP_DEG, dtype=float)
    offsets = np.where(steps <= 180, steps, steps - 360)
    order = np.lexsort((offsets < 0, np.abs(offsets)))
    return (_FIRST_AZIMUTH + offsets[order]) % 360


def page_labels(layers: Sequence[DrawnLayer]) -> list[dict]:
    """The ring labels as the page takes them: one per text and outline, with every layer id
    it stands for; on a shared outline, each layer's own arc is tried first."""
    arcs = shared_arcs(layers)
    azimuths = anchor_azimuths()
    merged: dict[tuple[str, float, float, float], dict] = {}
    out = []
    for label in ring_labels(layers):
        layer = next(layer for layer in layers if layer.id == label.layer_id)
        ring = layer.ring
        anchors = label.anchors
        if label.layer_id in arcs:  # its own arc first: the outline is shared, all of it fits
            keep = _in_arc(azimuths, arcs[label.layer_id])
            anchors = [a for a, k in zip(anchors, keep, strict=True) if k] + [
                a for a, k in zip(anchors, keep, strict=True) if not k
            ]
        key = (story.claim_label(layer).text, ring.site.lat, ring.site.lon, ring.km)
        if key in merged:
            merged[key]["ids"].append(label.layer_id)
            merged[key]["anchors"] += anchors
            continue
        claim = story.claim_label(layer)  # as a claim, in a shade that reads 4.5:1
        entry = {
            "ids": [label.layer_id],
            "text": claim.text,
            "short": claim.short,
            "kind": label.kind,
            "color": claim.color,
            "anchors": anchors,
            "south": south_point(ring),
            "site": [ring.site.lat, ring.site.lon],
            "outline": f"{ring.site.lat},{ring.site.lon},{ring.km}",
        }
        merged[key] = entry
        out.append(entry)
    return out


def basemap_labels() -> dict[str, list]:
    """Country names and capitals for the offline basemap, each with the zoom it appears at.

    Countries at a point inside their largest part, from zoom 2 (over 1.5 million km2) to 6;
    capitals from zoom 4 (over a million people) or 5.
    """
    import shapely

    from rangemap import layers as data

    countries = data.countries()
    names = []
    for i in range(len(countries)):
        parts = shapely.get_parts(countries.display[i])
        if len(parts) == 0:
            continue
        largest = parts[int(np.argmax(shapely.area(parts)))]
        point = shapely.point_on_surface(largest)
        area = float(countries.area_km2[i])
        if story.is_micro(area, str(countries.status[i])):  # noise unless the story adds it
            continue
        zoom = (
            2
            if area > 1.5e6
            else 3
            if area > 2.5e5
            else 4
            if area > 4e4
            else 5
            if area > 5e3
            else 6
        )
        at = [round(point.y, 2) + 0.0, round(point.x, 2) + 0.0]
        names.append([countries.map_name(i), *at, zoom])
    names.sort(key=lambda row: (row[3], row[0]))
    cities = data.cities()
    micro = story.minor_capitals()
    capitals = [
        [str(cities.name[i]), round(float(cities.lat[i]), 3) + 0.0,
         round(float(cities.lon[i]), 3) + 0.0, 4 if cities.population[i] > 1_000_000 else 5]
        for i in np.flatnonzero(cities.capital)
        if story.minor_key(str(cities.name[i]), float(cities.lat[i]), float(cities.lon[i]))
        not in micro
    ]  # fmt: skip
    capitals.sort(key=lambda row: (row[3], row[0]))
    return {"countries": names, "capitals": capitals}
