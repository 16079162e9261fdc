"""Article text from the coverage tables: what each drawn range reaches, in a chosen language.

Every figure in the text is read from table rows (rangemap.scene_export.coverage_rows and
near_miss_rows), never computed apart from them, so the text and the tables cannot disagree.
A language is a file of phrases, rangemap/phrases/LANG.yaml (rangemap.language): its words,
numbers, units, plural forms and the names of countries and capitals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from rangemap import coverage as cov
from rangemap.language import Language, base_language, language, phrases
from rangemap.language import languages as languages  # as before: rangemap.render.html_parts
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLike, as_resolved, claimant
from rangemap.scene_export import SceneCityRow, SceneCountryRow, coverage_rows

if TYPE_CHECKING:
    from rangemap.locations import Location

#: Kinds of layer the text describes: claims and the scene's own ranges. Treaty thresholds
#: and bands are the treaty's lines, not a claim about a missile: the tables list them.
DESCRIBED_KINDS = ("stated", "disputed", "estimate", "custom")
#: A capital beyond the range by at most this share of it is a near miss (10 % of 480 km is
#: 48 km); the nearest MAX_NEAR_MISSES are named.
NEAR_MISS_SHARE = 0.10
MAX_NEAR_MISSES = 3
#: Names listed in a sentence; the rest are counted ("... and 12 more").
MAX_NAMES = 8


class NearMissRow(NamedTuple):
    """A capital just beyond a drawn range: geodesic distance from the site (from an area
    site, from its nearest point) and how far beyond the (outer) range it lies, in km."""

    layer: str
    label: str
    city: str
    iso_a3: str
    distance_km: float
    beyond_km: float


def described(scene: ResolvedScene) -> tuple[DrawnLayer, ...]:
    """The drawn layers the text speaks about, in scene order: claims and own ranges that
    the map shows when it opens (a retired system's claims are one click away, and left out
    here as there)."""
    return tuple(layer for layer in scene.drawn if layer.kind in DESCRIBED_KINDS and layer.show)


def near_miss_rows(scene: SceneLike) -> list[NearMissRow]:
    """Capitals beyond each described layer's range by at most NEAR_MISS_SHARE of it, nearest
    first (at most MAX_NEAR_MISSES per layer): the table behind "just out of range"."""
    from rangemap import layers
    from rangemap.areas import nearest_launch_points
    from rangemap.geodesic import distance_km

    resolved = as_resolved(scene)
    cities = layers.cities()
    capitals = np.flatnonzero(cities.capital)
    lats, lons = cities.lat[capitals], cities.lon[capitals]
    rows = []
    measured: dict[object, np.ndarray] = {}  # distances from each site, whatever the range
    for layer in described(resolved):
        ring = layer.ring
        site = ring.site.area if ring.site.area is not None else (ring.site.lat, ring.site.lon)
        if site not in measured:
            if ring.site.area is not None:  # from an area: to its nearest point, as tables do
                measured[site] = nearest_launch_points(ring.site.area, lats, lons)[0]
            else:
                measured[site] = distance_km(ring.site.lat, ring.site.lon, lats, lons)
        dist = measured[site]
        near = np.flatnonzero((dist > ring.km) & (dist <= ring.km * (1 + NEAR_MISS_SHARE)))
        near = near[np.lexsort((cities.geonameid[capitals[near]], dist[near]))][:MAX_NEAR_MISSES]
        rows += [
            NearMissRow(
                layer.id,
                layer.label,
                str(cities.name[capitals[i]]),
                str(cities.country_iso3[capitals[i]]),
                float(dist[i]),
                float(dist[i] - ring.km),
            )
            for i in near
        ]
    return rows


@dataclass(frozen=True)
class LayerFacts:
    """The table rows one layer's sentences are built from."""

    layer: DrawnLayer
    countries: tuple[SceneCountryRow, ...]
    capitals: tuple[SceneCityRow, ...]
    near_misses: tuple[NearMissRow, ...]
    base: LayerFacts | None = None


def facts(scene: SceneLike) -> list[LayerFacts]:
    """Per described layer, its country, capital and near-miss rows, and the stated figure
    of the same system at the same site that a disputed or estimated one is compared with."""
    resolved = as_resolved(scene)
    countries = coverage_rows(resolved)
    misses = near_miss_rows(resolved)
    out: list[LayerFacts] = []
    for layer in described(resolved):
        # The rows `rangemap table --capitals` prints for this layer, computed for the
        # described layers only (not for every threshold and band).
        capitals = [
            SceneCityRow(layer.id, layer.label, layer.kind, *row)
            for row in cov.city_rows(layer.ring, capitals_only=True)
        ]
        own = LayerFacts(
            layer,
            tuple(r for r in countries if r.layer == layer.id),
            tuple(capitals),
            tuple(r for r in misses if r.layer == layer.id),
        )
        out.append(replace(own, base=_base(own, out)))
    return out


def _base(own: LayerFacts, earlier: Sequence[LayerFacts]) -> LayerFacts | None:
    """The largest stated full range of the same system and site below a disputed or
    estimated one; bands are not compared (their rows cover the band only)."""
    layer = own.layer
    if layer.kind not in ("disputed", "estimate") or layer.system is None:
        return None
    if layer.ring.km_min:
        return None
    bases = [
        f
        for f in earlier
        if f.layer.kind == "stated"
        and f.layer.system == layer.system
        and f.layer.site == layer.site
        and not f.layer.ring.km_min
        and f.layer.ring.km < layer.ring.km
    ]
    return max(bases, key=lambda f: f.layer.ring.km) if bases else None


# --- words ---------------------------------------------------------------------------------


class _Writer:
    """Numbers, names and lists of the text in one language (rangemap.language)."""

    def __init__(self, lang: str | None, scene_lang: str = "en") -> None:
        self.scene_lang = base_language(scene_lang)
        self.lang: Language = language(lang or self.scene_lang)
        self.words = self.lang.words

    def area_name(self, site: Location) -> str:
        """An area site's name as the language's `anywhere_in` needs it: the catalog's German
        one, or the phrases file's `areas` entry, else the catalog's (English) name."""
        if self.lang.code == "de" and site.name_de:
            return site.name_de
        return self.words["areas"].get(site.name, site.name)

    def site_label(self, layer: DrawnLayer) -> str:
        """The scene's name of the site ("Deveselu (Romania)"), in another language than the
        scene's with its note in brackets translated: a country by its name in this language
        ("Deveselu (Rumänien)"), a note the phrases file's `site_notes` give ("Wiesbaden
        (Referenzpunkt)"); a note neither knows is left out rather than left in English."""
        label = layer.site_label
        if self.lang.code == self.scene_lang:
            return label
        name, bracket, note = label.partition(" (")
        if not bracket or not note.endswith(")"):
            return label
        note = note.removesuffix(")")
        iso = _country_codes().get(note)
        note = self.lang.country(iso, note) if iso else self.words["site_notes"].get(note)
        return f"{name} ({note})" if note else name

    def number(self, value: float) -> str:
        return self.lang.number(value)

    def area(self, km2: float) -> str:
        """'74.6 million km²' from a million up, else '725,000 km²' (to the thousand)."""
        return self.lang.area(km2)

    def distance(self, km: float) -> str:
        """'480 km'; a range given in miles: '1,000 mi (1,609 km)'."""
        return self.lang.distance(km)

    def span(self, layer: DrawnLayer) -> str:
        ring = layer.ring
        text = self.distance(ring.km)
        if ring.km_min:
            given = {getattr(km, "unit", "km") for km in (ring.km_min, ring.km)}
            # '500-1,000 km' (an en dash): the unit once where both are in km
            low = self.number(ring.km_min) if given == {"km"} else self.distance(ring.km_min)
            text = f"{low}\u2013{text}"
        # "up to 480 km", "at least 500 km": what the claim says of the disc drawn
        if layer.bound is not None:
            return self.words["bounds"][layer.bound].format(span=text)
        return text

    def join(self, names: Sequence[str]) -> str:
        if len(names) > MAX_NAMES:
            return self.lang.counted(
                "list_more", len(names) - MAX_NAMES, names=", ".join(names[:MAX_NAMES])
            )
        return self.lang.join(names)

    def counted(self, key: str, names: Sequence[str]) -> str:
        return self.lang.counted(key, len(names), names=self.join(names))

    def country(self, row: SceneCountryRow) -> str:
        return self.lang.country(row.iso_a3, row.country)

    def city(self, name: str, iso_a3: str) -> str:
        """A capital's name in this language (rangemap.language: CLDR, else GeoNames)."""
        return self.lang.capital(name, iso_a3)

    def who(self, claimed_by: str) -> str:
        party = claimant(claimed_by)
        return self.words["parties"].get(party, party)

    def kind(self, kind: str) -> str:
        return self.words["kinds"].get(kind, kind)


@cache
def _country_codes() -> dict[str, str]:
    """English name (NAME_EN) -> ISO code of every country unit whose name is its own."""
    from collections import Counter

    from rangemap import layers

    countries = layers.countries()
    names = countries.name_en.tolist()
    twice = {name for name, n in Counter(names).items() if n > 1}
    return {
        name: iso
        for name, iso in zip(names, countries.iso_a3.tolist(), strict=True)
        if name not in twice
    }


def _states(rows: Sequence[SceneCountryRow]) -> list[SceneCountryRow]:
    """Countries as the tables count them: UN member and observer states."""
    return [r for r in rows if r.status == cov.STATE]


def _national(rows: Sequence[SceneCityRow]) -> list[SceneCityRow]:
    """National capitals (of states); territorial ones (Mariehamn, Nuuk) are told apart."""
    return [r for r in rows if r.capital == "national"]


def _sentences(item: LayerFacts, w: _Writer) -> list[str]:
    layer = item.layer
    countries = w.counted("countries", [w.country(r) for r in _states(item.countries)])
    capitals = w.counted("capitals", [w.city(r.city, r.iso_a3) for r in _national(item.capitals)])
    if layer.site.area is not None:  # ranges are measured from all of it, not from a point
        site = w.words["anywhere_in"].format(area=w.area_name(layer.site))
    else:
        site = w.words["from_site"].format(site=w.site_label(layer))
    if layer.system is None and layer.kind in ("stated", "disputed", "estimate"):
        # A scene's own range that says what it is and who gives it (SceneRange.kind).
        first = w.words["attributed"].format(
            origin=site,
            span=w.span(layer),
            kind=w.kind(layer.kind),
            who=w.who(layer.claimed_by),
            countries=countries,
            capitals=capitals,
        )
    elif layer.kind == "custom" or layer.system is None:
        first = w.words["custom"].format(
            origin=site, span=w.span(layer), countries=countries, capitals=capitals
        )
    else:
        first = w.words["claim"].format(
            origin=site,
            system=layer.system,
            span=w.span(layer),
            kind=w.kind(layer.kind),
            who=w.who(layer.claimed_by),
            countries=countries,
            capitals=capitals,
        )
    out = [first]
    # Territories of a UN state and other areas (not UN members: Kosovo, Taiwan) apart,
    # then their capitals: "Also in range: 9 territories (...), 3 other areas, not UN
    # members (...), 8 territorial capitals (...) and 1 capital of an area outside the UN".
    apart = [
        w.counted(key, names)
        for key, names in (
            ("territories", [w.country(r) for r in item.countries if r.status == cov.TERRITORY]),
            ("other_areas", [w.country(r) for r in item.countries if r.status == cov.OTHER]),
            (
                "territorial_capitals",
                [w.city(r.city, r.iso_a3) for r in item.capitals if r.capital == cov.TERRITORIAL],
            ),
            (
                "other_capitals",
                [w.city(r.city, r.iso_a3) for r in item.capitals if r.capital == cov.OTHER_CAPITAL],
            ),
        )
        if names
    ]
    if apart:
        out.append(w.words["also"].format(territories=w.join(apart)))
    if item.near_misses:
        items = [
            w.words["near_miss"].format(
                city=w.city(r.city, r.iso_a3),
                beyond=w.distance(r.beyond_km),
                distance=w.distance(r.distance_km),
            )
            for r in item.near_misses
        ]
        out.append(w.words["near_misses"].format(items=w.words["items_separator"].join(items)))
    if item.base is not None:
        base = item.base
        had_countries = {(r.iso_a3, r.country) for r in base.countries}
        had_capitals = {(r.city, r.iso_a3) for r in base.capitals}
        new_countries = [
            w.country(r)
            for r in _states(item.countries)
            if (r.iso_a3, r.country) not in had_countries
        ]
        new_capitals = [
            w.city(r.city, r.iso_a3)
            for r in _national(item.capitals)
            if (r.city, r.iso_a3) not in had_capitals
        ]
        fields = {
            "base_span": w.span(base.layer),
            "base_kind": w.kind(base.layer.kind),
            "base_who": w.who(base.layer.claimed_by),
        }
        if new_countries or new_capitals:
            out.append(
                w.words["adds"].format(
                    countries=w.counted("countries", new_countries),
                    capitals=w.counted("capitals", new_capitals),
                    **fields,
                )
            )
        else:
            out.append(w.words["adds_nothing"].format(**fields))
    return out


def paragraph_groups(
    scene: SceneLike, *, lang: str | None = None
) -> list[tuple[list[LayerFacts], str]]:
    """Each paragraph with the described layers it stands for, in `lang` (default: the
    scene's lang): one per layer, except that layers whose sentences are word for word the same
    (two claims drawing one disc, as the United States' "beyond 500 km" and the lower end of its
    500-5,500 km in inf-2020) are said once, with a sentence naming every claimant."""
    resolved = as_resolved(scene)
    writer = _Writer(lang, resolved.lang)
    groups: dict[str, list[LayerFacts]] = {}
    for item in facts(resolved):
        groups.setdefault(" ".join(_sentences(item, writer)), []).append(item)
    out = []
    for text, items in groups.items():
        claimants = list(dict.fromkeys(item.layer.claimed_by for item in items))
        if len(claimants) > 1:
            text += " " + writer.words["same_disc"].format(
                n=writer.number(len(claimants)), claims="; ".join(claimants)
            )
        out.append((items, text))
    return out


def summary_paragraphs(scene: SceneLike, *, lang: str | None = None) -> list[str]:
    """The paragraphs of the article text, each built from the table rows (paragraph_groups),
    in `lang` (default: the scene's lang)."""
    return [text for _, text in paragraph_groups(scene, lang=lang)]


def summary_text(scene: SceneLike = None, *, lang: str | None = None) -> str:
    """The article text of a scene: its title, then a paragraph per drawn range.

    >>> print(summary_text("inf-2020").splitlines()[2])  # doctest: +ELLIPSIS
    From Kaliningrad, the 9M729 at 480 km (stated, according to Russia) reaches ...
    """
    resolved = as_resolved(scene)
    return "\n\n".join([resolved.title, *summary_paragraphs(resolved, lang=lang)]) + "\n"


def sidebar_markdown(scene: SceneLike = None, *, lang: str | None = None) -> str:
    """A short Markdown sidebar for an article: per drawn range the site, the range, who
    claims it, the counts and the capitals in reach, and the area in readable units; display
    names, no ids. Built from the same table rows as summary_text, and like it one row for
    claims that draw the same disc, naming each claimant.
    """
    resolved = as_resolved(scene)
    w = _Writer(lang, resolved.lang)
    header = w.words["sidebar_columns"]
    lines = [
        f"**{_md(resolved.title)}**",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * len(header)) + "|",
    ]
    for items, _ in paragraph_groups(resolved, lang=w.lang.code):  # one row per disc
        item = items[0]
        layer = item.layer
        claim = w.kind(layer.kind)
        if layer.system is not None:
            who = "; ".join(dict.fromkeys(w.who(i.layer.claimed_by) for i in items))
            claim = f"{layer.system}, {claim} ({who})"
        cells = [
            w.site_label(layer),
            w.span(layer),
            claim,
            w.number(len(_states(item.countries))),
            w.join([w.city(r.city, r.iso_a3) for r in _national(item.capitals)]) or "\u2013",
            w.area(layer.ring.area_km2),
        ]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    from rangemap import __version__

    credits = w.words["credits"].format(version=__version__)  # the tables' credits, translated
    return "\n".join([*lines, "", _md(credits)]) + "\n"


def _md(text: str) -> str:
    """Text safe in a Markdown table cell pasted into a CMS: no pipes, no HTML, no newlines."""
    from html import escape

    return escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def text_alternative(scene: SceneLike = None, *, lang: str | None = None) -> str:
    """The text alternative of a map of the scene (HTML maps' and the static image's alt
    text): the same words as summary_text."""
    return summary_text(scene, lang=lang)


#: Visually hidden, read by screen readers: the map's text alternative takes no room from the
#: map in the page (the usual "sr-only" rule, inline so the block needs no stylesheet).
_SR_ONLY = (
    "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
    "clip:rect(0,0,0,0);border:0"
)


def text_alternative_html(scene: SceneLike = None, *, lang: str | None = None) -> str:
    """The text alternative as an HTML block for the page of an HTML map (escaped), hidden
    from view and read by screen readers."""
    from html import escape

    resolved = as_resolved(scene)
    lang = lang or base_language(resolved.lang)
    paragraphs = summary_paragraphs(resolved, lang=lang)
    label = escape(phrases(lang)["text_label"])
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<section class="rm-text" lang="{escape(lang)}" aria-label="{label}" '
        f'style="{_SR_ONLY}"><h2>{label}</h2>{body}</section>'
    )
