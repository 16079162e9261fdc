"""What a map shows, as data: a scene file names sites, claims, ranges and treaty thresholds.

This module holds the schema and the loading, with every reference checked and every site
resolved at its line; rangemap.scene_build turns a loaded scene into the layers drawn.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rangemap._yamlio import plain_number, validate
from rangemap.catalog import (
    Catalog,
    CatalogFile,
    Claim,
    Color,
    Slug,
    Source,
    System,
    Text,
    km_min_below_km,
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
    """Resolve the site while validating, so an unknown name is reported at its line; the
    place found is kept (context "places") for rangemap.scene_build, which draws from it.

    After the first unknown site the others are not looked up: the first is the one
    reported, and each miss costs a fuzzy search through thousands of place names.
    """
    context = info.context if info.context is not None else {}
    resolver = context.get("resolve")
    if resolver is not None and not context.get("site_failed"):
        try:
            location = resolver(value)
        except RangemapError as err:
            context["site_failed"] = True
            raise ValueError(str(err)) from None
        context.setdefault("places", {})[value] = location
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


#: A reference to drawn layers in `focus:`, `steps:` and `names:` (rangemap.story): a
#: layer's id without its site part, or the start of it up to a hyphen ("9m729/ru-480",
#: slashes read as hyphens; "inf-500"; "inf" for every INF ring and band), or a whole id
#: with its site ("kaliningrad-region--inf-5500"); checked when the scene is resolved.
def _check_ref(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./-]*", value):
        raise ValueError(
            f"a layer reference such as '9m729/ru-480', 'inf-500' or 'inf', got {value!r}"
        )
    return value


LayerRef = Annotated[str, AfterValidator(_check_ref)]


class SceneStep(_SceneModel):
    """One step of the story the interactive map tells (buttons, keys, a host page's
    postMessage): the layers on, what the view frames, one line of text."""

    text: Text = Field(description="One line shown with the step: what the reader sees.")
    show: tuple[LayerRef, ...] = Field(
        default=(), description="Layers on in this step (the others off); default: the lead's."
    )
    focus: tuple[LayerRef, ...] = Field(
        default=(), description="Layers the view frames; default: those shown."
    )
    places: tuple[Annotated[Text, AfterValidator(_check_site)], ...] = Field(
        default=(), description="Places the view also frames (names or 'LAT,LON')."
    )


class SceneNames(_SceneModel):
    """Places named on the map beyond the ranking of rangemap.story, or kept off it."""

    add: tuple[Annotated[Text, AfterValidator(_check_site)], ...] = Field(
        default=(), description="Places always named (names or 'LAT,LON')."
    )
    drop: tuple[Text, ...] = Field(default=(), description="Names never shown on the map.")


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
    focus: tuple[LayerRef, ...] = Field(
        default=(),
        description=(
            "The story's lead, which the map opens on: layer references; default: the "
            "first site's shortest drawn claim or range with its callouts."
        ),
    )
    focus_places: tuple[Annotated[Text, AfterValidator(_check_site)], ...] = Field(
        default=(), description="Places the lead's frame also holds (names or 'LAT,LON')."
    )
    steps: tuple[SceneStep, ...] = Field(
        default=(),
        description="The story in steps; default: the lead, then every range shown.",
    )
    names: SceneNames = Field(default_factory=SceneNames)

    #: The sites and callouts resolved while validating, and the catalog they were resolved
    #: against (before the scene's own was added): see places_resolved_with.
    _places: dict[str, Location] = PrivateAttr(default_factory=dict)
    _resolved_with: Catalog | None = PrivateAttr(default=None)

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

    @model_validator(mode="after")
    def _keep_places(self, info: ValidationInfo) -> Scene:
        context = info.context or {}
        self._places = dict(context.get("places", {}))
        self._resolved_with = context.get("base_catalog")
        return self

    def places_resolved_with(self, catalog: Catalog) -> Mapping[str, Location]:
        """Each site and callout as validation resolved it (by the text in the file), if
        resolved against `catalog`: so that building the scene looks none of them up again."""
        return self._places if catalog is self._resolved_with else {}


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
    catalog = load_catalog()
    context: Mapping[str, Any] = {
        "catalog": catalog,
        "base_catalog": catalog,
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
