"""From a loaded scene to what is drawn: each site resolved to a point, each claim, range and
treaty threshold built into a layer with its range area and coverage."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from rangemap import coverage as cov
from rangemap.catalog import AreaSite, Catalog, Claim, Event, Hosting, Site, Source, System, km_span
from rangemap.errors import suggest
from rangemap.locations import Location
from rangemap.scene import (
    DEFAULT_COLORS,
    DEFAULT_SCENE,
    LINE_KINDS,
    Basemap,
    Bound,
    Kind,
    LineStyle,
    Projection,
    Scene,
    SceneRange,
    load_scene,
    lookup_claims,
)


@dataclass(frozen=True, kw_only=True)
class SceneLayer:
    """One layer of a scene as the legend lists it. A plain SceneLayer is a claim that gives
    no figure: listed, never drawn. Every drawn ring or band is a DrawnLayer."""

    id: str
    kind: Kind
    color: str
    site: Location
    site_label: str
    system: str | None
    span: str
    label: str
    name: str
    claimed_by: str
    sources: tuple[Source, ...]
    uncertain: bool
    note: str | None
    hosting: Hosting | None = None
    date: str | None = None
    show: bool = True
    band_index: int = 0
    bound: Bound | None = None
    status: str | None = None
    line: LineStyle | None = None

    @property
    def line_kind(self) -> Kind:
        """The kind whose line look the ring is drawn with: its own, or its line style's."""
        return LINE_KINDS[self.line] if self.line is not None else self.kind


@dataclass(frozen=True, kw_only=True)
class DrawnLayer(SceneLayer):
    """A drawn ring or band: its range area, and what that covers at full resolution
    (rangemap.coverage)."""

    ring: cov.Ring
    summary: cov.Summary
    countries: tuple[cov.CountryRow, ...]


@dataclass(frozen=True)
class ResolvedSite:
    """A scene site resolved to a point, with its catalog entry (a basing site or a launch
    area) when it has one."""

    id: str
    location: Location
    label: str
    entry: Site | AreaSite | None
    layers: tuple[SceneLayer, ...]
    callouts: tuple[Location, ...] = ()


@dataclass(frozen=True)
class ResolvedStep:
    """A scene's step with its references resolved to layer ids and places."""

    text: str
    show: tuple[str, ...]
    focus: tuple[str, ...]
    places: tuple[Location, ...] = ()


@dataclass(frozen=True)
class ResolvedScene:
    """Everything a renderer needs: texts, colours, sites and their layers, sources."""

    title: str
    subtitle: str | None
    caption: str | None
    basemap: Basemap
    colors: Mapping[str, str]
    sites: tuple[ResolvedSite, ...]
    event: Event | None = None
    sources: tuple[Source, ...] = field(default=())
    projection: Projection | None = None
    lang: str = "en"
    view: tuple[tuple[float, float], tuple[float, float]] | None = None
    #: The story (rangemap.story): the lead's layer ids and places, the steps, the names
    #: the scene adds to the map or keeps off it.
    focus: tuple[str, ...] = ()
    focus_places: tuple[Location, ...] = ()
    steps: tuple[ResolvedStep, ...] = ()
    names_add: tuple[Location, ...] = ()
    names_drop: tuple[str, ...] = ()

    @property
    def layers(self) -> tuple[SceneLayer, ...]:
        """Every layer of every site, in scene order."""
        return tuple(layer for site in self.sites for layer in site.layers)

    @property
    def drawn(self) -> tuple[DrawnLayer, ...]:
        """The layers that have a ring to draw."""
        return tuple(layer for layer in self.layers if isinstance(layer, DrawnLayer))


def slug(text: str) -> str:
    """Lowercase letters and digits joined by hyphens: safe in CSS class names and ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def claimant(claimed_by: str) -> str:
    """The party in a 'claimed_by' text, the first where several are named:
    'Russia (MFA, ...)' -> 'Russia', 'United States; NATO' -> 'United States'."""
    return re.split(r" \(|, |; ", claimed_by, maxsplit=1)[0].strip()


def _short_name(name: str) -> str:
    """Site names in layer names: 'NSF Deveselu, Aegis Ashore Romania (...)' -> 'NSF Deveselu'."""
    return re.split(r", | \(", name, maxsplit=1)[0].strip() or name


class _Origin(NamedTuple):
    """The site a layer is drawn from, as the builder needs it (its layers come after)."""

    id: str
    location: Location
    label: str
    entry: Site | AreaSite | None


class _Builder:
    """Builds layers for one scene, sharing rings and coverage between identical ranges."""

    def __init__(self, catalog: Catalog, colors: Mapping[str, str]) -> None:
        self.catalog = catalog
        self.colors = {**DEFAULT_COLORS, **colors}
        self.overrides = dict(colors)
        self.cache: dict[
            tuple[Location, float, float | None],
            tuple[cov.Ring, cov.Summary, tuple[cov.CountryRow, ...]],
        ] = {}
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.treaties: set[str] = set()

    def unique(self, value: str, seen: set[str], sep: str) -> str:
        out, n = value, 2
        while out in seen:
            out, n = f"{value}{sep}{n}", n + 1
        seen.add(out)
        return out

    def claim_color(self, system: System, kind: str) -> str:
        """The scene's colour for the system or the kind if it sets one, else the catalog's
        colour of the system: one missile keeps one colour in every scene."""
        if system.id in self.overrides:
            return self.overrides[system.id]
        if kind in self.overrides:
            return self.overrides[kind]
        return system.color

    def coverage(
        self, site: Location, km: float, km_min: float | None
    ) -> tuple[cov.Ring, cov.Summary, tuple[cov.CountryRow, ...]]:
        key = _key(site, km, km_min)
        if key not in self.cache:
            self.cache[key] = _coverage(site, km, km_min)
        return self.cache[key]

    def prefetch(self, figures: Sequence[tuple[Location, float, float | None]]) -> None:
        """The coverage of every figure in `figures`, on two threads: GEOS and PROJ release the
        GIL, and a scene's rings are independent (a band is its outer disc less its inner
        one, cached: discs go first). `figures` are (site, km, km_min) as `coverage` gets
        them (a km may carry its unit); the results are the ones it would compute."""
        from concurrent.futures import ThreadPoolExecutor

        from rangemap import layers

        layers.countries()  # loaded once, before the threads share them
        layers.cities()
        first = {_key(*figure): figure for figure in reversed(figures)}  # as coverage: the first
        todo = {key: figure for key, figure in first.items() if key not in self.cache}
        with ThreadPoolExecutor(max_workers=2) as pool:
            for band in (False, True):
                keys = [key for key in todo if (key[2] is not None) == band]
                done = pool.map(lambda key: _coverage(*todo[key]), keys)
                self.cache.update(zip(keys, done, strict=True))

    def layer(
        self,
        origin: _Origin,
        part: str,
        figure: tuple[float, float | None] | None,
        *,
        short: str,
        kind: Kind,
        color: str,
        system: str | None,
        span: str,
        label: str,
        claimed_by: str,
        sources: tuple[Source, ...],
        uncertain: bool,
        note: str | None,
        hosting: Hosting | None = None,
        date: str | None = None,
        show: bool = True,
        band_index: int = 0,
        bound: Bound | None = None,
        status: str | None = None,
        line: LineStyle | None = None,
    ) -> SceneLayer:
        """The layer of one figure, (km, km_min), drawn from `origin`; None lists it undrawn.

        `part` makes its id and `short` its name, each made unique within the scene.
        """
        listed = SceneLayer(
            id=self.unique(f"{origin.id}--{slug(part)}", self.ids, "-"),
            kind=kind,
            color=color,
            site=origin.location,
            site_label=origin.label,
            system=system,
            span=span,
            label=label,
            name=self.unique(f"{origin.label} — {short}", self.names, " #"),
            claimed_by=claimed_by,
            sources=sources,
            uncertain=uncertain,
            note=note,
            hosting=hosting,
            date=date,
            show=show,
            band_index=band_index,
            bound=bound,
            status=status,
            line=line,
        )
        if figure is None:
            return listed
        ring, summary, countries = self.coverage(origin.location, *figure)
        return DrawnLayer(**vars(listed), ring=ring, summary=summary, countries=countries)

    def claim_layers(self, origin: _Origin, ref: str) -> list[SceneLayer]:
        """One layer per disc a claim draws (two for an interval), or one undrawn listing.

        A retired system or variant is listed but switched off (`show=False`).
        """
        system, claims = lookup_claims(self.catalog, ref)
        hosting = None
        if origin.entry is not None:
            hosting = next((h for h in origin.entry.hosts if h.system == system.id), None)
        layers = []
        for claim in claims:
            status = system.status_of(claim)
            kind: Kind = claim.kind
            who = claimant(claim.claimed_by)
            title = (
                f"{system.name} ({_short_name(claim.variant)})" if claim.variant else system.name
            )
            claimed_by = claim.claimed_by
            disputed_here = hosting is not None and hosting.kind == "disputed"
            if disputed_here:
                kind = "disputed"
                claimed_by = f"{hosting.claimed_by}; range figure: {claim.claimed_by}"
            sources = tuple(dict.fromkeys((*claim.sources, *(hosting.sources if hosting else ()))))
            qualifier = "disputed" if kind == "disputed" else claim.kind
            retired = "; retired" if status.value == "retired" else ""
            condition = f" {claim.condition}" if claim.condition else ""
            for part, figure, span, bound in claim_discs(claim):
                of_claim = f"; claim {claim.reads}" if claim.means == "interval" else ""
                if disputed_here:
                    label = (
                        f"{title} — {span}{condition} ({who}, {claim.kind}{of_claim}{retired}; "
                        f"launch from here claimed by {claimant(hosting.claimed_by)}, disputed)"
                    )
                else:
                    label = f"{title} — {span}{condition} ({who}, {claim.kind}{of_claim}{retired})"
                short_span = span.replace("at least ", "≥").replace("up to ", "≤")
                layers.append(
                    self.layer(
                        origin,
                        f"{system.id}-{claim.id}{part}",
                        figure,
                        short=f"{title} {short_span} ({qualifier}{retired})",
                        kind=kind,
                        color=self.claim_color(system, kind) if figure else self.colors[kind],
                        system=system.name,
                        span=span,
                        label=label,
                        claimed_by=claimed_by,
                        sources=sources,
                        uncertain=claim.uncertain,
                        note=claim.note,
                        hosting=hosting,
                        date=claim.date,
                        show=status.value != "retired",
                        bound=bound,
                        status=status.text(),
                    )
                )
        return layers

    def threshold_layers(self, origin: _Origin, treaty_id: str) -> list[SceneLayer]:
        """A ring at each threshold and the treaty's bands (bands off at first).

        The thresholds are shown around the first site that asks for them only: the same
        figures around every site would crowd the map; the others are one click away.
        """
        treaty = self.catalog.treaty(treaty_id)
        short = treaty.name.removesuffix(" Treaty")
        first = treaty.id not in self.treaties
        self.treaties.add(treaty.id)
        layers = [
            self.layer(
                origin,
                f"{treaty.id}-{km:g}",
                (km, None),
                short=f"{short} {km_span(km)} threshold",
                kind="threshold",
                color=self.colors["threshold"],
                system=None,
                span=km_span(km),
                label=f"{treaty.name} threshold — {km_span(km)}",
                claimed_by=f"{treaty.name} (Article II)",
                sources=treaty.sources,
                uncertain=False,
                note=treaty.note,
                show=first,
            )
            for km in treaty.thresholds_km
            if km > 0
        ]
        for index, band in enumerate(sorted(treaty.bands, key=lambda b: b.km_min)):
            span = km_span(band.km, band.km_min)
            layers.append(
                self.layer(
                    origin,
                    f"{treaty.id}-{band.id}",
                    (band.km, band.km_min or None),
                    short=f"{short} {band.name} band {span}",
                    kind="band",
                    color=self.colors["band"],
                    system=None,
                    span=span,
                    label=f"{treaty.name}: {band.name}, {span} ({band.article})",
                    claimed_by=f"{treaty.name}, {band.article}",
                    sources=treaty.sources,
                    uncertain=False,
                    note=band.wording,
                    show=False,
                    band_index=index,
                )
            )
        return layers

    def range_layer(self, origin: _Origin, spec: SceneRange) -> SceneLayer:
        span = km_span(spec.km, spec.km_min or None)
        kind: Kind = spec.kind or "custom"
        if spec.claimed_by is not None and spec.kind is not None:
            label = spec.label or f"{span} ({claimant(spec.claimed_by)}, {spec.kind})"
        else:
            label = spec.label or span
        part = f"range-{spec.km_min:g}-{spec.km:g}" if spec.km_min else f"range-{spec.km:g}"
        return self.layer(
            origin,
            part,
            (spec.km, spec.km_min),
            short=label,
            kind=kind,
            color=spec.color or self.overrides.get(kind) or self.colors["custom"],
            system=None,
            span=span,
            label=label,
            claimed_by=spec.claimed_by or "this map's author",
            sources=spec.sources,
            uncertain=kind == "estimate",
            note=None,
            line=spec.line,
        )


class _Figures(_Builder):
    """A builder that only lists the figures a scene draws, computing no coverage: what
    _Builder.prefetch is given before the scene's layers are built."""

    def __init__(self, catalog: Catalog, colors: Mapping[str, str]) -> None:
        super().__init__(catalog, colors)
        self.figures: list[tuple[Location, float, float | None]] = []

    def coverage(self, site: Location, km: float, km_min: float | None) -> Any:
        self.figures.append((site, km, km_min))
        return None, None, ()


def _key(site: Location, km: float, km_min: float | None) -> tuple[Location, float, float | None]:
    return (site, float(km), float(km_min) if km_min else None)


def _coverage(
    site: Location, km: float, km_min: float | None
) -> tuple[cov.Ring, cov.Summary, tuple[cov.CountryRow, ...]]:
    """One figure's ring, its summary and its country rows."""
    ring = cov.make_ring(site, km, km_min=km_min)
    countries = tuple(cov.country_rows(ring))
    return ring, cov.summarize(ring, countries=countries), countries


def claim_discs(
    claim: Claim,
) -> list[tuple[str, tuple[float, None] | None, str, Bound | None]]:
    """The discs a claim draws: (id suffix, (km, None) or None, span, bound).

    A figure or an up-to draws its disc; an at-least draws the disc it reaches for certain;
    an interval draws both: the certain disc of its lower bound and the possible disc of its
    upper bound, never the band between them (a missile that reaches 500 km also reaches
    everything nearer). A claim without a figure draws nothing and is listed.
    """
    span = claim.reads
    if claim.means == "interval" and claim.km_min is not None and claim.km is not None:
        return [
            ("-at-least", (claim.km_min, None), f"at least {km_span(claim.km_min)}", "at-least"),
            ("-up-to", (claim.km, None), f"up to {km_span(claim.km)}", "up-to"),
        ]
    if claim.means == "at-least" and claim.km_min is not None:
        return [("", (claim.km_min, None), span, "at-least")]
    if claim.km is not None:
        return [("", (claim.km, None), span, "up-to" if claim.means == "up-to" else None)]
    return [("", None, span, None)]


def _ref_tail(ref: str) -> str:
    return slug(ref.replace("/", "-"))


def match_layers(layers: Sequence[SceneLayer], ref: str) -> tuple[str, ...]:
    """Ids of the drawn layers a reference names, in scene order: a whole id
    ("kaliningrad-region--inf-5500"), or an id without its site part or its start up to a
    hyphen ("9m729/ru-480", "inf-500", "inf"), at every site."""
    drawn = [layer.id for layer in layers if isinstance(layer, DrawnLayer)]
    if "--" in ref:
        return tuple(i for i in drawn if i == ref or i.startswith(ref + "-"))
    tail = _ref_tail(ref)
    out = []
    for layer_id in drawn:
        own = layer_id.split("--", 1)[-1]
        if own == tail or own.startswith(tail + "-"):
            out.append(layer_id)
    return tuple(out)


def _resolve_refs(layers: Sequence[SceneLayer], refs: Sequence[str], where: str) -> tuple:
    """Every reference's layer ids; a reference that names none is an error naming it."""
    ids: list[str] = []
    for ref in refs:
        found = match_layers(layers, ref)
        if not found:
            known = sorted({layer.id.split("--", 1)[-1] for layer in layers
                            if isinstance(layer, DrawnLayer)})  # fmt: skip
            err = suggest(ref, known, kind="layer")
            raise type(err)(f"{where}: {err}")
        ids += [i for i in found if i not in ids]
    return tuple(ids)


def _entry(catalog: Catalog, location: Location) -> Site | AreaSite | None:
    """The catalog entry a location was resolved from; none for a place or coordinates."""
    if location.kind == "site":
        return catalog.site(location.id)
    return next((a for a in catalog.areas if a.id == location.id), None)


def resolve_scene(
    scene: Scene,
    *,
    resolver: Callable[[str], Location] | None = None,
    catalog: Catalog | None = None,
) -> ResolvedScene:
    """Resolve sites and references and build every layer with its coverage.

    Sites and callouts that `load_scene` resolved while validating are reused when no other
    resolver or catalog is given. Layer ids are stable slugs ("kaliningrad--9m729-ru-480"):
    renderers use them as class names and element ids, so the same scene always gives the
    same output.
    """
    from rangemap.catalog import load_catalog
    from rangemap.locations import resolve

    catalog = catalog or load_catalog()
    known = scene.places_resolved_with(catalog) if resolver is None else {}
    if scene.catalog is not None:
        catalog = catalog.extend(scene.catalog, Path("<scene>"), ("catalog",))
    resolver = resolver or functools.partial(resolve, catalog=catalog)

    def place(spec: str) -> Location:
        return known[spec] if spec in known else resolver(spec)

    def build(builder: _Builder) -> list[ResolvedSite]:
        site_ids: set[str] = set()
        sites = []
        for spec in scene.sites:
            location = place(spec.site)
            origin = _Origin(
                builder.unique(slug(location.id), site_ids, "-"),
                location,
                spec.name or _short_name(location.name),
                _entry(catalog, location),
            )
            layers: list[SceneLayer] = []
            for ref in spec.claims:
                layers += builder.claim_layers(origin, ref)
            for spec_range in spec.ranges:
                layers.append(builder.range_layer(origin, spec_range))
            for treaty_id in spec.thresholds:
                layers += builder.threshold_layers(origin, treaty_id)
            callouts = tuple(place(name) for name in spec.callouts)
            sites.append(ResolvedSite(*origin, tuple(layers), callouts))
        return sites

    # The layers are built twice: first only to list the figures they draw, whose coverage
    # is then computed on two threads, then for good from those results.
    figures = _Figures(catalog, scene.style.colors)
    build(figures)
    builder = _Builder(catalog, scene.style.colors)
    builder.prefetch(figures.figures)
    sites = build(builder)
    event = None
    if scene.event is not None:
        event = next((e for e in catalog.events if e.id == scene.event), None)
        if event is None:
            raise suggest(scene.event, [e.id for e in catalog.events], kind="event")
    all_layers = [layer for site in sites for layer in site.layers]
    steps = tuple(
        ResolvedStep(
            text=step.text,
            show=_resolve_refs(all_layers, step.show, f"steps[{i}].show"),
            focus=_resolve_refs(all_layers, step.focus, f"steps[{i}].focus"),
            places=tuple(place(name) for name in step.places),
        )
        for i, step in enumerate(scene.steps)
    )
    return ResolvedScene(
        focus=_resolve_refs(all_layers, scene.focus, "focus"),
        focus_places=tuple(place(name) for name in scene.focus_places),
        steps=steps,
        names_add=tuple(place(name) for name in scene.names.add),
        names_drop=scene.names.drop,
        title=scene.title,
        subtitle=scene.subtitle,
        caption=scene.caption,
        basemap=scene.basemap,
        colors=builder.colors,
        sites=tuple(sites),
        event=event,
        sources=tuple(dict.fromkeys((*scene.sources, *(event.sources if event else ())))),
        projection=scene.projection,
        lang=scene.lang,
        view=scene.view,
    )


#: What the renderers and exporters accept: a loaded or resolved scene, a built-in scene name,
#: a scene file, or None for the default scene.
SceneLike = Scene | ResolvedScene | str | Path | None


def as_resolved(scene: SceneLike) -> ResolvedScene:
    """The resolved scene for any SceneLike; a ResolvedScene comes back as it is.

    Resolving computes every layer's coverage (about half a second for the default scene):
    resolve once and pass the result when making several outputs from one scene.
    """
    if isinstance(scene, ResolvedScene):
        return scene
    if scene is None or isinstance(scene, str | Path):
        scene = load_scene(DEFAULT_SCENE if scene is None else scene)
    return resolve_scene(scene)
