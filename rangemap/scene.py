"""What a map shows, as data: a scene file names sites, claims, ranges and treaty thresholds."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rangemap import coverage as cov
from rangemap._yamlio import plain_number, validate
from rangemap.catalog import (
    Catalog,
    CatalogFile,
    Claim,
    Color,
    Event,
    Hosting,
    Site,
    Slug,
    Source,
    System,
    Text,
    km_min_below_km,
    km_span,
)
from rangemap.errors import RangemapError, suggest
from rangemap.locations import Location
from rangemap.units import Km, parse_range

SCENES_DIR = "scenes"
DEFAULT_SCENE = "inf-2020"


Kind = Literal["stated", "disputed", "estimate", "threshold", "band", "custom"]
ClaimKind = Literal["stated", "disputed", "estimate"]
#: How a ring's line is drawn. Each is the look of one kind of claim, so a scene's own range
#: can be drawn as a stated (solid), disputed (dashed) or estimated (dotted) figure.
LineStyle = Literal["solid", "dashed", "dotted"]
LINE_KINDS: dict[str, Kind] = {"solid": "stated", "dashed": "disputed", "dotted": "estimate"}
#: How a claim's disc reads: at-least (reached for certain: the lower bound of an at-least or
#: interval claim) or up-to (possible, at most: an up-to claim or an interval's upper bound).
#: A plain figure has no bound.
Bound = Literal["at-least", "up-to"]
Basemap = Literal["light", "offline"]
#: Projections of the interactive map (rangemap.render.html_projection).
Projection = Literal["mercator", "aeqd"]

#: Colours of everything that is not a claim, and the neutral ink of the legend's line key.
DEFAULT_COLORS: dict[str, str] = {
    "stated": "#444444",
    "disputed": "#444444",
    "estimate": "#444444",
    "threshold": "#555555",
    "band": "#777777",
    "custom": "#009E73",
    "site": "#000000",
}
_COLOR_KEYS = frozenset(DEFAULT_COLORS)


def _check_color_key(value: str, info: ValidationInfo) -> str:
    """A kind of layer, 'site', or (checked against the catalog when loading) a system id."""
    catalog: Catalog | None = (info.context or {}).get("catalog")
    if value in _COLOR_KEYS or catalog is None:
        return value
    try:
        return catalog.system(value).id
    except RangemapError:
        known = sorted(_COLOR_KEYS | {s.id for s in catalog.systems})
        raise ValueError(str(suggest(value, known, kind="colour key"))) from None


ColorKey = Annotated[Slug, AfterValidator(_check_color_key)]


#: Most sites a scene may hold: a map with more is unreadable, and each is resolved.
MAX_SITES = 200


def _check_site(value: str, info: ValidationInfo) -> str:
    """Resolve the site while validating, so an unknown name is reported at its line.

    After the first unknown site the others are not looked up: the first is the one
    reported, and each miss costs a fuzzy search through thousands of place names.
    """
    context = info.context if info.context is not None else {}
    resolver = context.get("resolve")
    if resolver is not None and not context.get("site_failed"):
        try:
            resolver(value)
        except RangemapError as err:
            context["site_failed"] = True
            raise ValueError(str(err)) from None
    return value


def _check_claim(value: str, info: ValidationInfo) -> str:
    catalog: Catalog | None = (info.context or {}).get("catalog")
    if catalog is not None:
        try:
            lookup_claims(catalog, value)
        except RangemapError as err:
            raise ValueError(str(err)) from None
    return value


def _check_treaty(value: str, info: ValidationInfo) -> str:
    catalog: Catalog | None = (info.context or {}).get("catalog")
    if catalog is not None:
        try:
            catalog.treaty(value)
        except RangemapError as err:
            raise ValueError(str(err)) from None
    return value


def _check_range(value: object) -> Km:
    """A number (km) or text with a unit, as on the command line (rangemap.units); YAML's
    booleans and numbers not in plain decimal digits are refused as in every number field."""
    value = plain_number(value)
    try:
        return parse_range(value, label="range")
    except RangemapError as err:
        raise ValueError(str(err).removeprefix("range: ")) from None


#: A range in a scene file: 480, "480km", "1000mi" or "300nmi"; km inside, as given in labels.
RangeKm = Annotated[Km, PlainValidator(_check_range), PlainSerializer(float)]


class _SceneModel(BaseModel):
    """Immutable, and strict about unknown fields so a typo in a scene file is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class SceneRange(_SceneModel):
    """An explicit range drawn from a site: a ring at `km`, or a band from `km_min` to `km`."""

    km: RangeKm = Field(description="Outer range: 480, '480km', '1000mi' or '300nmi'.")
    km_min: RangeKm | None = Field(
        default=None, description="Inner range, same units: draw the band km_min..km."
    )
    label: Text | None = Field(default=None, description="Label on the map: '300 km (drill)'.")
    sources: tuple[Source, ...] = Field(default=(), description="Where the figure comes from.")
    kind: ClaimKind | None = Field(
        default=None,
        description=(
            "What the figure is, as for a claim: stated, disputed or estimate (needs "
            "claimed_by). Default: a range of the map's own (drawn in the 'custom' colour)."
        ),
    )
    claimed_by: Text | None = Field(
        default=None, description="Who gives the figure: 'Russia (President Putin)'. Needs sources."
    )
    color: Color | None = Field(
        default=None, description="Its colour, #RRGGBB; default: style.colors of its kind."
    )
    line: LineStyle | None = Field(
        default=None,
        description=(
            "solid, dashed or dotted; default: its kind's (solid stated, dashed disputed, "
            "dotted estimate; solid for a range of the map's own)."
        ),
    )

    _below_km = field_validator("km_min")(km_min_below_km)

    @model_validator(mode="after")
    def _attributed(self) -> SceneRange:
        if self.kind is not None and self.claimed_by is None:
            raise ValueError(f"a range of kind {self.kind!r} needs claimed_by: who gives it")
        if self.claimed_by is not None and not self.sources:
            raise ValueError("a range with claimed_by needs sources: where the figure is given")
        return self


class SceneSite(_SceneModel):
    """One site of a scene and what is drawn around it."""

    site: Annotated[Text, AfterValidator(_check_site)] = Field(
        description='Catalog site id, place name ("Warsaw", "Paris, FR") or "LAT,LON".'
    )
    name: Text | None = Field(default=None, description="Label shown instead of the site name.")
    claims: tuple[Annotated[Text, AfterValidator(_check_claim)], ...] = Field(
        default=(), description='"system/claim-id", or "system" for all its claims.'
    )
    ranges: tuple[SceneRange, ...] = Field(default=(), description="Explicit ranges.")
    thresholds: tuple[Annotated[Slug, AfterValidator(_check_treaty)], ...] = Field(
        default=(), description='Treaty ids ("inf"): a ring at each threshold, plus its bands.'
    )
    callouts: tuple[Annotated[Text, AfterValidator(_check_site)], ...] = Field(
        default=(),
        description=(
            "Places to measure to, drawn as the geodesic line from the site with its length "
            '("Berlin 529 km"): place names ("Berlin", "Paris, FR") or "LAT,LON".'
        ),
    )


class SceneStyle(_SceneModel):
    """Overrides of the default look."""

    colors: dict[ColorKey, Color] = Field(
        default_factory=dict,
        description=(
            "Colours by kind of layer or by system id: {threshold: '#555555', "
            "9m729: '#D55E00'}. For a claim the system's colour wins, then its kind's."
        ),
    )


def _check_lang(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        raise ValueError(f"a language tag such as 'en' or 'de-CH' (BCP 47), got {value!r}")
    return value


def _check_view(
    value: tuple[tuple[float, float], tuple[float, float]],
) -> tuple[tuple[float, float], tuple[float, float]]:
    (south, west), (north, east) = value
    if not (-90 <= south < north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(
            "view is [[south, west], [north, east]] in degrees, south below north, e.g. "
            f"[[35, -12], [68, 45]]; got {[list(corner) for corner in value]}"
        )
    return value


View = Annotated[tuple[tuple[float, float], tuple[float, float]], AfterValidator(_check_view)]


class Scene(_SceneModel):
    """A map as data: title, texts, basemap and the sites with what to draw around each."""

    catalog: CatalogFile | None = Field(
        default=None,
        description=(
            "The scene's own systems and sites, added to the built-in catalog (validated "
            "first, so the rest of the scene can use them)."
        ),
    )
    title: Text
    lang: Annotated[str, AfterValidator(_check_lang)] = Field(
        default="en", description="Language of the scene's texts (BCP 47): the page's lang."
    )
    view: View | None = Field(
        default=None,
        description=(
            "Initial view of the interactive map, [[south, west], [north, east]] in degrees; "
            "default: every drawn claim's range (treaty rings too when there is no claim)."
        ),
    )
    subtitle: Text | None = None
    caption: Text | None = None
    basemap: Basemap = Field(
        default="light", description="light: CartoDB Positron tiles; offline: countries only."
    )
    projection: Projection | None = Field(
        default=None,
        description=(
            "Interactive map: mercator (tiles or countries) or aeqd (azimuthal equidistant "
            "centred on the scene: distances from the centre true). Default: aeqd when "
            "Mercator would misdraw a ring (see rangemap.render.html_projection)."
        ),
    )
    event: Slug | None = Field(default=None, description="Catalog event the map is about.")
    sources: tuple[Source, ...] = Field(default=(), description="Sources of the scene's texts.")
    sites: tuple[SceneSite, ...]
    style: SceneStyle = Field(default_factory=SceneStyle)

    @field_validator("sites", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any) -> Any:
        # Before the sites are validated (each is resolved): a huge list fails at once.
        if isinstance(value, list | tuple) and len(value) > MAX_SITES:
            raise ValueError(
                f"a scene holds at most {MAX_SITES} sites, this one has {len(value):,}"
            )
        return value

    @field_validator("sites")
    @classmethod
    def _some_site(cls, value: tuple[SceneSite, ...]) -> tuple[SceneSite, ...]:
        # A validator, not min_length: that would also fire when one site is invalid.
        if not value:
            raise ValueError("a scene needs at least one site")
        return value

    @field_validator("catalog")
    @classmethod
    def _add_own_catalog(cls, value: CatalogFile | None, info: ValidationInfo) -> Any:
        # The fields after this one check claims, sites and colours against the catalog.
        context = info.context
        if value is not None and context is not None and context.get("catalog") is not None:
            from rangemap.locations import resolve

            merged = context["catalog"].extend(value, context["path"], ("catalog",))
            context["catalog"] = merged
            context["resolve"] = functools.partial(resolve, catalog=merged)
        return value

    @field_validator("event")
    @classmethod
    def _known_event(cls, value: str | None, info: ValidationInfo) -> str | None:
        catalog: Catalog | None = (info.context or {}).get("catalog")
        if value is not None and catalog is not None:
            known = [e.id for e in catalog.events]
            if value not in known:
                raise ValueError(str(suggest(value, known, kind="event")))
        return value


# --- loading -------------------------------------------------------------------------------


def scenes_dir() -> Path:
    """The folder of built-in scenes (layers/scenes, shipped as rangemap/_layers/scenes)."""
    from rangemap.layers import layers_dir

    return layers_dir() / SCENES_DIR


def builtin_scenes() -> list[str]:
    """Names of the built-in scenes, sorted: what `rangemap map NAME` accepts."""
    return sorted(p.stem for p in scenes_dir().glob("*.yaml"))


def load_scene(name_or_path: str | Path = DEFAULT_SCENE) -> Scene:
    """Load a built-in scene by name, or a scene YAML file by path, checking every reference.

    Problems raise CatalogError naming the file, line and field; an unknown built-in name
    raises UnknownNameError listing the built-in scenes.
    """
    from rangemap.catalog import load_catalog
    from rangemap.locations import resolve

    path = Path(name_or_path)
    text = str(name_or_path)
    if not (path.suffix in (".yaml", ".yml") or path.exists() or "/" in text or "\\" in text):
        if text not in builtin_scenes():
            raise suggest(text, builtin_scenes(), kind="scene")
        path = scenes_dir() / f"{text}.yaml"
    context: Mapping[str, Any] = {
        "catalog": load_catalog(),
        "resolve": resolve,
        "path": path,
        "prefix": ("catalog",),
    }
    return validate(Scene, path, context=context)


def lookup_claims(catalog: Catalog, ref: str) -> tuple[System, tuple[Claim, ...]]:
    """The system and claims a reference names: "9m729/ru-480", or "9m729" for all claims."""
    system_name, _, claim_id = ref.partition("/")
    system = catalog.system(system_name.strip())
    if claim_id.strip():
        return system, (system.claim(claim_id.strip()),)
    return system, system.claims


# --- resolving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SceneLayer:
    """One drawn ring or band (or a claim listed without a figure), with what it covers.

    `ring` is None for a claim that gives no figure: it is listed, never drawn. `summary` and
    `countries` come from the full-resolution ring (rangemap.coverage).
    """

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
    ring: cov.Ring | None
    summary: cov.Summary | None
    countries: tuple[cov.CountryRow, ...]
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


@dataclass(frozen=True)
class ResolvedSite:
    """A scene site resolved to a point, with its catalog entry when it has one."""

    id: str
    location: Location
    label: str
    site: Site | None
    layers: tuple[SceneLayer, ...]
    callouts: tuple[Location, ...] = ()


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

    @property
    def layers(self) -> tuple[SceneLayer, ...]:
        """Every layer of every site, in scene order."""
        return tuple(layer for site in self.sites for layer in site.layers)

    @property
    def drawn(self) -> tuple[SceneLayer, ...]:
        """The layers that have a ring to draw."""
        return tuple(layer for layer in self.layers if layer.ring is not None)


def slug(text: str) -> str:
    """Lowercase letters and digits joined by hyphens: safe in CSS class names and ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _who(claimed_by: str) -> str:
    """The party in a 'claimed_by' text: 'Russia (MFA, ...)' -> 'Russia'."""
    return re.split(r" \(|, ", claimed_by, maxsplit=1)[0].strip()


def _short_name(name: str) -> str:
    """Site names in layer names: 'NSF Deveselu, Aegis Ashore Romania (...)' -> 'NSF Deveselu'."""
    return re.split(r", | \(", name, maxsplit=1)[0].strip() or name


class _Builder:
    """Builds layers for one scene, sharing rings and coverage between identical ranges."""

    def __init__(self, catalog: Catalog, colors: Mapping[str, str]) -> None:
        self.catalog = catalog
        self.colors = {**DEFAULT_COLORS, **colors}
        self.overrides = dict(colors)
        self.cache: dict[tuple[Location, float, float | None], tuple[Any, ...]] = {}
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
        key = (site, float(km), float(km_min) if km_min else None)
        if key not in self.cache:
            ring = cov.make_ring(site, km, km_min=km_min)
            countries = tuple(cov.country_rows(ring))
            self.cache[key] = (ring, cov.summarize(ring, countries=countries), countries)
        return self.cache[key]  # type: ignore[return-value]

    def layer(
        self,
        site: ResolvedSite,
        part: str,
        figure: tuple[float, float | None] | None,
        **fields: Any,
    ) -> SceneLayer:
        layer_id = self.unique(f"{site.id}--{slug(part)}", self.ids, "-")
        name = self.unique(f"{site.label} — {fields.pop('short')}", self.names, " #")
        ring = summary = None
        countries: tuple[cov.CountryRow, ...] = ()
        if figure is not None:
            ring, summary, countries = self.coverage(site.location, *figure)
        return SceneLayer(
            id=layer_id,
            site=site.location,
            site_label=site.label,
            name=name,
            ring=ring,
            summary=summary,
            countries=countries,
            **fields,
        )

    def claim_layers(self, site: ResolvedSite, ref: str) -> list[SceneLayer]:
        """One layer per disc a claim draws (two for an interval), or one undrawn listing.

        A retired system or variant is listed but switched off (`show=False`).
        """
        system, claims = lookup_claims(self.catalog, ref)
        hosting = None
        if site.site is not None:
            hosting = next((h for h in site.site.hosts if h.system == system.id), None)
        layers = []
        for claim in claims:
            status = system.status_of(claim)
            kind: Kind = claim.kind
            who = _who(claim.claimed_by)
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
            for part, figure, span, bound in claim_discs(claim):
                of_claim = f"; claim {claim.reads}" if claim.means == "interval" else ""
                if disputed_here:
                    label = (
                        f"{title} — {span} ({who}, {claim.kind}{of_claim}{retired}; launch from "
                        f"here claimed by {_who(hosting.claimed_by)}, disputed)"
                    )
                else:
                    label = f"{title} — {span} ({who}, {claim.kind}{of_claim}{retired})"
                short_span = span.replace("at least ", "≥").replace("up to ", "≤")
                layers.append(
                    self.layer(
                        site,
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

    def threshold_layers(self, site: ResolvedSite, treaty_id: str) -> list[SceneLayer]:
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
                site,
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
        for index, band in enumerate(sorted(treaty.bands, key=lambda b: b.min_km)):
            span = km_span(band.max_km, band.min_km)
            layers.append(
                self.layer(
                    site,
                    f"{treaty.id}-{band.id}",
                    (band.max_km, band.min_km or None),
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

    def range_layer(self, site: ResolvedSite, spec: SceneRange) -> SceneLayer:
        span = km_span(spec.km, spec.km_min or None)
        kind: Kind = spec.kind or "custom"
        if spec.claimed_by is not None and spec.kind is not None:
            label = spec.label or f"{span} ({_who(spec.claimed_by)}, {spec.kind})"
        else:
            label = spec.label or span
        part = f"range-{spec.km_min:g}-{spec.km:g}" if spec.km_min else f"range-{spec.km:g}"
        return self.layer(
            site,
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


def resolve_scene(
    scene: Scene,
    *,
    resolver: Callable[[str], Location] | None = None,
    catalog: Catalog | None = None,
) -> ResolvedScene:
    """Resolve sites and references and build every layer with its coverage.

    Layer ids are stable slugs ("kaliningrad--9m729-ru-480"): renderers use them as class
    names and element ids, so the same scene always gives the same output.
    """
    from rangemap.catalog import load_catalog
    from rangemap.locations import resolve

    catalog = catalog or load_catalog()
    if scene.catalog is not None:
        catalog = catalog.extend(scene.catalog, Path("<scene>"), ("catalog",))
    resolver = resolver or functools.partial(resolve, catalog=catalog)
    builder = _Builder(catalog, scene.style.colors)
    site_ids: set[str] = set()
    sites = []
    for spec in scene.sites:
        location = resolver(spec.site)
        catalog_site = next(
            (s for s in (*catalog.sites, *catalog.areas) if s.id == location.id), None
        )
        if location.kind == "site" and catalog_site is None:  # pragma: no cover - defensive
            raise RangemapError(f"site {location.id!r} is not in the catalog")
        label = spec.name or _short_name(location.name)
        site = ResolvedSite(
            builder.unique(slug(location.id), site_ids, "-"),
            location,
            label,
            catalog_site,
            (),
        )
        layers: list[SceneLayer] = []
        for ref in spec.claims:
            layers += builder.claim_layers(site, ref)
        for spec_range in spec.ranges:
            layers.append(builder.range_layer(site, spec_range))
        for treaty_id in spec.thresholds:
            layers += builder.threshold_layers(site, treaty_id)
        callouts = tuple(resolver(place) for place in spec.callouts)
        sites.append(ResolvedSite(site.id, location, label, catalog_site, tuple(layers), callouts))
    event = None
    if scene.event is not None:
        event = next((e for e in catalog.events if e.id == scene.event), None)
        if event is None:
            raise suggest(scene.event, [e.id for e in catalog.events], kind="event")
    return ResolvedScene(
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
