"""The interactive map's words in the reader's language: every text of the page that is not
the scene's or the catalog's own (rangemap/phrases/LANG.yaml, under `map:`), claim labels,
numbers, distances, and the names of countries, capitals and places (rangemap.language).

English reads exactly as the phrases say, so an English page stays as it was; the built-in
scenes' steps, written in English, are translated through the phrases file's `step_texts`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from rangemap import story
from rangemap.language import Language, base_language, language
from rangemap.scene_build import DrawnLayer, ResolvedScene, SceneLayer
from rangemap.summary import _country_codes, _Writer

if TYPE_CHECKING:
    from rangemap.render.labels import Callout


def pct_tenths(value: float) -> int:
    """A share of an area (percent) as MapWords.pct shows it, in tenths of a percent: 1000 from
    99.95 %, 0 below 0.1 % (shown '&lt;0.1 %'), else rounded to a tenth."""
    if value >= 99.95:
        return 1000
    if value < 0.1:
        return 0
    return round(round(value, 1) * 10)


class MapWords:
    """The map's words in one language (a phrases language or a BCP 47 tag of one)."""

    def __init__(self, lang: str = "en") -> None:
        self.code = base_language(lang)
        self.lang: Language = language(self.code)
        self.words: dict[str, Any] = self.lang.words["map"]
        self._writer = _Writer(self.code, self.code)

    def __repr__(self) -> str:
        return f"MapWords({self.code!r})"

    def __call__(self, key: str, **fields: Any) -> str:
        """The phrase under `key`, its {fields} filled in."""
        return self.words[key].format(**fields)

    def counted(self, key: str, n: int) -> str:
        """'1 country', '3 countries', '5 krajów': the form of `key` for `n`."""
        forms = self.words[key]
        form = self.lang.plural(n)
        return forms.get(form, forms["other"]).format(n=self.number(n))

    # --- numbers ---------------------------------------------------------------------------

    def number(self, value: float, decimals: int = 0) -> str:
        return self.lang.number(value, decimals)

    def pct(self, value: float) -> str:
        """A share of an area: '100 %', '12.3 %' ('12,3 %'), '&lt;0.1 %' (HTML)."""
        return self.pct_text(pct_tenths(value))

    def pct_text(self, tenths: int) -> str:
        """pct of a share in tenths of a percent (pct_tenths). The map page's script writes
        the same from the tenths and `pct_words` (one digit after the separator, no
        grouping below 100 %)."""
        if tenths >= 1000:
            return "100 %"
        if tenths <= 0:
            return f"&lt;{self.number(0.1, 1)} %"
        return f"{self.number(tenths / 10, 1)} %"

    def pct_words(self) -> dict[str, str]:
        """What the page needs to write pct_text: the whole, the least and the separator."""
        return {
            "all": self.pct_text(1000),
            "least": self.pct_text(0),
            "sep": self.number(0.1, 1)[1],
        }

    def millions(self, population: int) -> str:
        """'21.2 million', '850,000' in this language."""
        if population >= 1_000_000:
            value = round(population / 1e6, 1)
            forms = self.words["million"]  # French: 1,5 million, 2,5 millions
            if not isinstance(forms, str):
                forms = forms.get(self.lang.plural(value), forms["other"])
            return forms.format(n=self.number(value, 1))
        return self.number(population)

    def distance(self, km: float) -> str:
        return self.lang.distance(km)

    def unit_pattern(self, cldr_unit: str) -> str:
        """How the language writes a unit after a number, '{n} км' (CLDR's short form), for
        a script that fills in the number."""
        from babel.units import format_unit

        return format_unit(7, cldr_unit, length="short", locale=self.lang.locale).replace(
            "7", "{n}"
        )

    # --- what a ring covers -----------------------------------------------------------------

    def counts(self, layer: DrawnLayer) -> str:
        """'90 countries, 10 territories and 2 other areas, 81 capitals'."""
        s = layer.summary
        parts = [self.counted("countries", s.countries)]
        if s.territories:
            parts.append(self.counted("territories", len(s.territories)))
        if s.other_areas:
            parts.append(self.counted("other_areas", len(s.other_areas)))
        places = self.lang.join(parts)  # 'A, B and C'
        return self("counts", places=places, capitals=self.counted("capitals", len(s.capitals)))

    def coverage_line(self, layer: DrawnLayer) -> str:
        """'10 countries and 1 territory, 4 capitals, 21.2 million people in cities and
        towns of 15,000+*' for the legend and tooltips."""
        people = self("people", n=self.millions(layer.summary.population))
        return f"{self.counts(layer)}, {people}*"

    # --- claims ----------------------------------------------------------------------------

    def who(self, claimed_by: str) -> str:
        """A claimant as a claim label names them: English 'US'; otherwise the phrases'
        `parties` (in the case their "according to" takes: 'laut Russland')."""
        if self.code == "en":
            return story.party(claimed_by)
        return self._writer.who(claimed_by)

    def _core(self, layer: SceneLayer) -> str:
        """The distance of a layer's disc without its bound: '480 km',
        '500-1,000 km' (an en dash)."""
        ring = getattr(layer, "ring", None)
        if ring is None:  # listed, not drawn: the catalog's words
            return layer.span
        text = self.distance(ring.km)
        if ring.km_min:
            given = {getattr(km, "unit", "km") for km in (ring.km_min, ring.km)}
            low = self.number(ring.km_min) if given == {"km"} else self.distance(ring.km_min)
            text = f"{low}\u2013{text}"
        return text

    def span(self, layer: SceneLayer) -> str:
        """'up to 480 km' in this language (English: the scene's own words)."""
        if self.code == "en" or not isinstance(layer, DrawnLayer):
            return layer.span
        return self._writer.span(layer)

    def short_span(self, layer: SceneLayer) -> str:
        """'≤480 km', '≥500 km': the bound as a sign."""
        if self.code == "en" or not isinstance(layer, DrawnLayer):
            return layer.span.replace("at least ", "≥").replace("up to ", "≤")
        sign = {"at-least": "≥", "up-to": "≤"}.get(layer.bound or "", "")
        return sign + self._core(layer)

    def claim_label(self, layer: SceneLayer) -> story.ClaimLabel:
        """rangemap.story.claim_label in this language: '9M729: laut Russland bis zu
        480 km'. Weapon and treaty names stay as the catalog has them."""
        base = story.claim_label(layer)
        span, short = self.span(layer), self.short_span(layer)
        if layer.kind in ("threshold", "band"):
            treaty = layer.claimed_by.split(",")[0].split(" (")[0].removesuffix(" Treaty")
            if layer.kind == "threshold":
                return story.ClaimLabel(f"{treaty} {span}", f"{treaty} {span}", base.color)
            text = self("band", treaty=treaty, span=span)
            return story.ClaimLabel(text, f"{treaty} {span}", base.color)
        retired = self("retired") if "; retired" in layer.label else ""
        name = story.weapon(layer)
        hosting = layer.hosting
        if name is not None and hosting is not None and hosting.kind == "disputed":
            who = self.who(hosting.claimed_by)
            return story.ClaimLabel(
                self("from_here", weapon=name, who=who, span=span) + retired,
                self("from_here_short", weapon=name, who=who, span=short),
                base.color,
            )
        if layer.kind == "custom" or layer.claimed_by == "this map's author":
            return base  # the scene's own words
        plural = bool(story._PLURAL.search(story.party(layer.claimed_by)))
        key = ("estimate" if plural else "estimates") if layer.kind == "estimate" else None
        key = key or ("say" if plural else "says")
        who = self.who(layer.claimed_by)
        lead = f"{name}: " if name else ""
        return story.ClaimLabel(
            f"{lead}{self(key, who=who, span=span)}{retired}",
            f"{lead}{self(key, who=who, span=short)}",
            base.color,
        )

    def layer_label(self, layer: SceneLayer) -> str:
        """A layer as lists name it: English, the scene's label ('SM-3 — no public range
        figure (United States, stated)'); otherwise its claim label, or for a claim without
        a figure the phrases' `no_figure`."""
        if self.code == "en":
            return layer.label
        if isinstance(layer, DrawnLayer):
            return self.claim_label(layer).text
        name = story.weapon(layer) or layer.label
        return self("no_figure", weapon=name, who=self.who(layer.claimed_by))

    def legend_text(self, row: story.LegendRow, by_id: dict[str, DrawnLayer]) -> str:
        """A legend row (rangemap.story.legend_rows) in this language: its claim label, and
        for claims merged into one row, who gives each ('MFA; Putin')."""
        first = row.layer
        prefix = f"{first.site_label}: "
        where = (
            f"{self.label(first.site_label, first.site)}: " if row.text.startswith(prefix) else ""
        )
        if row.treaty:
            return where + self.treaty(row.text.removeprefix(prefix))
        text = self.claim_label(first).text
        if len(row.ids) > 1:
            details = "; ".join(dict.fromkeys(story._detail(by_id[i].claimed_by) for i in row.ids))
            kind = self.lang.words["kinds"].get(first.kind, first.kind)
            text += f" ({details}; {kind})"
        return where + text

    def treaty(self, name: str) -> str:
        """A treaty by the catalog's name ('INF Treaty') as the language names it."""
        return self.words["treaties"].get(name, name)

    # --- names -----------------------------------------------------------------------------

    def label(self, label: str, location: Any = None) -> str:
        """A site's name as the scene gives it, its note in brackets translated where it
        is a country or a note the phrases know ('Deveselu (Rumänien)', else as written),
        an area by its name in this language ('Калининградская область')."""
        if self.code == "en":
            return label
        if location is not None and location.area is not None:
            iso = _country_codes().get(label)  # Belarus
            if iso is not None:
                return self.lang.country(iso, label)
            name = self.words["site_names"].get(label) or self._writer.area_name(location)
            return name[:1].upper() + name[1:]
        name, bracket, note = label.partition(" (")
        if location is not None:  # a place GeoNames has: Kaliningrad, Калининград
            name = self.place(name, location.lat, location.lon)
        if not bracket or not note.endswith(")"):
            return name + bracket + note
        note = note.removesuffix(")")
        iso = _country_codes().get(note)
        note = (
            self.lang.country(iso, note) if iso else self.lang.words["site_notes"].get(note, note)
        )
        return f"{name} ({note})"

    def origin(self, layer: SceneLayer) -> str:
        """Where a layer's ranges are measured from: 'Deveselu (Romania)', or 'anywhere in
        the Kaliningrad region'."""
        if layer.site.area is not None and layer.site.area.radius_km is not None:
            return layer.site.anywhere  # a dispersal disc, named by the command line
        if layer.site.area is not None:
            return self("anywhere_in", area=self._writer.area_name(layer.site))
        return self.label(layer.site_label)

    def callout(self, callout: Callout) -> str:
        """'Berlin 529 km' in this language: the place's name, the distance as it writes it
        (the HTML and the static map's callouts alike)."""
        if self.code == "en":
            return callout.text
        place = self.place(callout.place.name, callout.place.lat, callout.place.lon)
        return self("callout", place=place, distance=self.distance(callout.km))

    def place(self, name: str, lat: float, lon: float) -> str:
        """A GeoNames place (a capital, a callout's end) in this language, where CLDR names
        it (rangemap.language); a place of the scene's own keeps its name."""
        if self.code == "en":
            return name
        gid = _place_ids().get((name, round(lat, 2), round(lon, 2)))
        if gid is None:
            return self.capital(name)
        return self.lang.place(gid, name)

    def capital(self, name: str) -> str:
        """A capital as coverage summaries name it (GeoNames, without its country) in this
        language; a name two capitals share (Kingston) stays as it is."""
        if self.code == "en":
            return name
        gid = _capital_ids().get(name)
        return name if gid is None else self.lang.place(gid, name)

    def country(self, map_name: str) -> str:
        """A country as the basemaps write it (rangemap.layers map_name) in this language."""
        if self.code == "en":
            return map_name
        key = _country_keys().get(map_name)
        return map_name if key is None else self.lang.country(*key)

    def country_row(self, iso_a3: str, name_en: str) -> str:
        """A country as coverage rows carry it (ISO code, English name) in this language."""
        return self.lang.country(iso_a3, name_en)

    def sovereign(self, name_en: str) -> str:
        """A territory's sovereign (Natural Earth's English name) in this language."""
        iso = _country_codes().get(name_en)
        return name_en if iso is None else self.lang.country(iso, name_en)

    def step_text(self, text: str) -> str:
        """A built-in scene's step (English) in this language, where the phrases give it."""
        return self.lang.words["step_texts"].get(" ".join(text.split()), text)


@cache
def map_words(lang: str = "en") -> MapWords:
    """The MapWords of a language (made once)."""
    return MapWords(lang)


def words_of(scene: ResolvedScene) -> MapWords:
    """The words of a scene's page: in its `lang`."""
    return map_words(scene.lang)


@cache
def _place_ids() -> dict[tuple[str, float, float], int]:
    """(GeoNames name, lat, lon to 0.01°) -> geonameid of every place the package ships."""
    from rangemap import layers

    cities = layers.cities()
    return {
        (str(n), round(float(la), 2), round(float(lo), 2)): int(g)
        for n, la, lo, g in zip(cities.name, cities.lat, cities.lon, cities.geonameid, strict=True)
    }


@cache
def _capital_ids() -> dict[str, int]:
    """A capital's GeoNames name -> its geonameid, for names only one capital has."""
    import numpy as np

    from rangemap import layers

    cities = layers.cities()
    rows = np.flatnonzero(cities.capital | cities.territory_capital)
    names = [str(cities.name[i]) for i in rows]
    return {
        n: int(cities.geonameid[i]) for n, i in zip(names, rows, strict=True) if names.count(n) == 1
    }


@cache
def _country_keys() -> dict[str, tuple[str, str]]:
    """A map name (rangemap.layers map_name) -> (ISO code, English name) of its country."""
    from rangemap import layers

    countries = layers.countries()
    return {
        countries.map_name(i): (str(countries.iso_a3[i]), str(countries.name_en[i]))
        for i in range(len(countries))
    }
