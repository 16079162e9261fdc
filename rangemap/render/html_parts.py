"""HTML fragments of a map page: tooltips, popups, legend, sources, header and footer.

Every text from a catalog, a scene or the command line goes through `esc` here, and links
only through `link` (http and https only), so a name like `<img src=x onerror=...>` shows as
text wherever it appears.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from rangemap import __version__, story
from rangemap.catalog import Hosting, Source
from rangemap.coverage import CountryRow
from rangemap.render.map_words import MapWords, map_words, pct_tenths
from rangemap.render.style import BOUND_FILL, LINE_STYLES, fill_opacity
from rangemap.scene_build import DrawnLayer, ResolvedScene, ResolvedSite, SceneLayer

NATURAL_EARTH = "https://www.naturalearthdata.com/"
GEONAMES = "https://www.geonames.org/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CARTO_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>'
)


def esc(text: object) -> str:
    """HTML-escape any text (quotes too, so it is also safe inside attribute values)."""
    return html.escape(str(text), quote=True)


def link(url: str | None, text: str) -> str:
    """An external link for http(s) URLs; anything else is shown as plain text."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return esc(text)
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def source_item(source: Source) -> str:
    """One source as a list item: publisher, title (linked), date, what it reprints, note."""
    parts = [esc(source.publisher) + ", " + link(source.url, source.title)]
    if source.date:
        parts.append(esc(source.date))
    text = ", ".join(parts)
    if source.reprint_of:  # a copy standing in for an original not found: say so
        text += f" (reprint of {esc(source.reprint_of)})"
    text += "."
    if source.note:
        text += f" <span class=rm-cov>{esc(source.note)}</span>"
    return f"<li>{text}</li>"


def source_list(sources: Iterable[Source]) -> str:
    items = "".join(source_item(s) for s in sources)
    return f"<ol>{items}</ol>" if items else ""


def line_svg(color: str, kind: str, *, width: int = 28, fill: float | None = None) -> str:
    """A short sample of a layer's line (and fill) for the legend."""
    weight, dash, kind_fill = LINE_STYLES[kind]
    fill = kind_fill if fill is None else fill
    dash_attr = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
    box = f'<rect x="0" y="0" width="{width}" height="12" fill="{color}" fill-opacity="{fill}"/>'
    if kind == "threshold":
        box = ""
    return (
        f'<svg width="{width}" height="12" aria-hidden="true">{box}'
        f'<line x1="1" y1="6" x2="{width - 1}" y2="6" stroke="{color}" '
        f'stroke-width="{weight}"{dash_attr}/></svg>'
    )


def coverage_line(layer: DrawnLayer, w: MapWords | None = None) -> str:
    """'10 countries and 1 territory, 4 capitals, 21.2 million people in cities and towns of
    15,000+*' for the legend and tooltips (in the language of `w`, by default English)."""
    return (w or map_words()).coverage_line(layer)


def _badges(layer: SceneLayer, w: MapWords) -> str:
    tags = []
    if layer.uncertain:
        tags.append(w("uncertain"))
    if layer.hosting is not None and layer.hosting.kind == "disputed":
        tags.append(w("hosting_disputed"))
    return "".join(f" <span class=rm-tag>{esc(t)}</span>" for t in tags)


def origin_text(layer: SceneLayer, w: MapWords | None = None) -> str:
    """Where a layer's ranges are measured from: "Deveselu (Romania)", or for an area site
    "anywhere in the Kaliningrad region" (the area's own name, written to follow "in")."""
    return (w or map_words()).origin(layer)


def layer_tooltip(layer: DrawnLayer, w: MapWords | None = None) -> str:
    """Shown on hover over a ring: what it is, who says so, what it covers."""
    w = w or map_words()
    lines = [
        f"<b>{esc(w.claim_label(layer).text)}</b>{_badges(layer, w)}",
        esc(w("from", origin=w.origin(layer))),
        esc(w.coverage_line(layer)),
        f"<i>{esc(w('click_hint'))}</i>",
    ]
    return "<div class=rm-tip>" + "<br>".join(lines) + "</div>"


def _system_name(system_id: str) -> str:
    """A system's name for readers ("9M729"), from its catalog id ("9m729")."""
    from rangemap.catalog import load_catalog

    try:
        return load_catalog().system(system_id).name
    except LookupError:
        return system_id


def _hosting_text(system: str | None, hosting: Hosting, w: MapWords) -> str:
    verb = w.words["hosting_verbs"][hosting.kind]
    name = system or _system_name(hosting.system)
    label = w("hosting_label", kind=w.words["hosting_kinds"][hosting.kind])
    text = f"<b>{esc(label)}</b> "
    text += esc(w("hosting", system=name, verb=verb, who=hosting.claimed_by))
    if hosting.date:
        text += f" ({esc(hosting.date)})"
    text += "."
    if hosting.note:
        text += " " + esc(hosting.note)
    return f"<p>{text}</p>"


def _country_list(rows: Sequence[CountryRow], w: MapWords, limit: int = 8) -> str:
    shown = ", ".join(
        f"{esc(w.country_row(r.iso_a3, r.country))} {w.pct(r.covered_pct)}" for r in rows[:limit]
    )
    more = esc(w("more_countries", n=w.number(len(rows) - limit))) if len(rows) > limit else ""
    return shown + more


def _field(label: str, text: str) -> str:
    """'<p><b>Range:</b> up to 480 km</p>': `text` is HTML already."""
    return f"<p><b>{esc(label)}</b> {text}</p>"


def layer_popup(layer: DrawnLayer, w: MapWords | None = None) -> str:
    """Shown on click on a ring: first the key figure (the claim, and what it reaches),
    then claimant, note, coverage and sources."""
    w = w or map_words()
    s = layer.summary
    origin = w.origin(layer)
    reaches = w("reaches", coverage=w.coverage_line(layer), origin=origin)
    parts = [
        f"<h2>{esc(w.claim_label(layer).text)}{_badges(layer, w)}</h2>",
        f"<p class=rm-keyfig><b>{esc(w('reaches_label'))}</b> {esc(reaches)}</p>",
    ]
    if w.code == "en":  # the scene's label, in English words ("stated"); elsewhere the
        parts.append(f"<p class=rm-cov>{esc(layer.label)}</p>")  # heading says it
    parts.append(_field(w("from_label"), f"{esc(origin)} ({esc(layer.site.marks)})"))
    parts.append(_field(w("range_label"), esc(w.span(layer))))
    if layer.status:
        parts.append(_field(w("status_label"), esc(layer.status)))
    when = f" ({esc(layer.date)})" if layer.date else ""
    parts.append(_field(w("claimed_by_label"), f"{esc(layer.claimed_by)}{when}"))
    if layer.note:
        parts.append(f"<p class=rm-cov>{esc(layer.note)}</p>")
    if layer.hosting is not None:
        parts.append(_hosting_text(layer.system, layer.hosting, w))
    capitals = ", ".join(esc(w.capital(c)) for c in s.capitals) or esc(w("none"))
    apart = ""
    for title, areas, held in (
        ("territories_apart", s.territories, s.territory_capitals),
        ("other_areas_apart", s.other_areas, s.other_capitals),
    ):
        if areas:
            apart += f"<p><b>{esc(w(title))}</b> {esc(', '.join(areas))}"
            apart += esc(w("capitals_of", names=", ".join(held))) if held else ""
            apart += ".</p>"
    covers = w(
        "covers",
        countries=w.counted("countries", s.countries),
        area=w.number(s.area_km2 / 1e6, 2),
        list="\0",
    )
    covers = esc(covers).replace("\0", _country_list(layer.countries, w))
    people = w("people", n=w.millions(s.population))
    parts.append(
        _field(w("covers_label"), covers)
        + _field(w("capitals_label"), f"{capitals}.")
        + apart
        + _field(w("population_label"), esc(w("population", people=people, n=w.number(s.places))))
        + f"<p class=rm-cov>{esc(w('footnote', note=w('places_note')))}</p>"
    )
    parts.append(f"<p><b>{esc(w('sources_label'))}</b></p>" + source_list(layer.sources))
    return "<div class=rm-pop>" + "".join(parts) + "</div>"


def site_popup(site: ResolvedSite, w: MapWords | None = None) -> str:
    """What the site is, where its point is and what it stands for, what it hosts."""
    w = w or map_words()
    loc = site.location
    compass = w.words["compass"]
    ns = compass["N" if loc.lat >= 0 else "S"]
    ew = compass["E" if loc.lon >= 0 else "W"]
    title = site.entry.name if site.entry is not None else loc.name
    label = w.label(site.label, loc)
    parts = [f"<h2>{esc(label)}</h2>"]
    if title != site.label:
        parts.append(f"<p>{esc(title)}</p>")
    lat, lon = w.number(abs(loc.lat), 4), w.number(abs(loc.lon), 4)
    parts.append(
        _field(w("position_label"), f"{lat}° {esc(ns)}, {lon}° {esc(ew)} (WGS84)")
        + _field(w("point_marks_label"), esc(loc.marks))
    )
    if site.entry is not None:
        s = site.entry
        parts.append(f"<p class=rm-cov>{esc(s.position_note)}</p>")
        if s.hosts:
            hosts = "".join(
                f"<li>{_hosting_text(None, h, w).removeprefix('<p>').removesuffix('</p>')}"
                f"{source_list(h.sources)}</li>"
                for h in s.hosts
            )
            parts.append(f"<p><b>{esc(w('hosted_label'))}</b></p><ul>{hosts}</ul>")
        parts.append(f"<p><b>{esc(w('position_sources_label'))}</b></p>" + source_list(s.sources))
    else:
        parts.append(_field(w("position_from_label"), esc(loc.source)))
    shown = [
        f"<li>{esc(w.layer_label(layer))}{_badges(layer, w)}"
        + ("" if isinstance(layer, DrawnLayer) else esc(w("not_drawn")))
        + "</li>"
        for layer in site.layers
        if layer.kind not in ("threshold", "band")
    ]
    if shown:
        parts.append(f"<p><b>{esc(w('figures_label'))}</b></p><ul>{''.join(shown)}</ul>")
    return "<div class=rm-pop>" + "".join(parts) + "</div>"


def country_intro(w: MapWords | None = None) -> str:
    """The country popup's first line, which the page assembles from `country_properties`:
    each ring's name is stored once instead of once per country it touches."""
    return f"<p>{esc((w or map_words())('country_intro'))}</p>"


def country_none(w: MapWords | None = None) -> str:
    """The country popup of a country in no range shown."""
    return f"<p>{esc((w or map_words())('country_none'))}</p>"


def country_properties(
    name: str, rows: Sequence[tuple[int, CountryRow]]
) -> dict[str, str | list[list[int]]]:
    """A country's popup data: its name and, per ring (by index), the share covered in
    tenths of a percent (map_words.pct_tenths; the page writes it as MapWords.pct does)."""
    return {"name": esc(name), "cover": [[i, pct_tenths(row.covered_pct)] for i, row in rows]}


def header_html(title: str, subtitle: str | None, extra: str = "") -> str:
    """Title and subtitle; `extra` is HTML already escaped (the story's steps panel, which
    its script moves into the map)."""
    sub = f"<p>{esc(subtitle)}</p>" if subtitle else ""
    return f'<header class="rm-head"><h1>{esc(title)}</h1>{sub}{extra}</header>'


def _html_phrase(text: str, **html: str) -> str:
    """A phrase escaped, then its {fields} filled with HTML (links) made here."""
    return esc(text).format(**html)


def footer_html(
    caption: str | None, *, offline: bool, note: str | None = None, w: MapWords | None = None
) -> str:
    """Caption, then credits: data sources with their licences and the basemap; `note`
    (the projection, where it is not Web Mercator) between them."""
    w = w or map_words()
    phrases = w.words
    basemap = (
        esc(phrases["basemap_offline"])
        if offline
        else _html_phrase(phrases["basemap_tiles"], carto=CARTO_ATTRIBUTION)
    )
    credits = _html_phrase(
        phrases["credits"],
        version=esc(__version__),
        natural_earth=link(NATURAL_EARTH, "Natural Earth"),
        geonames=link(GEONAMES, "GeoNames"),
        cc_by=link(CC_BY, "CC BY 4.0"),
        basemap=basemap,
    )
    cap = f"<p class=rm-caption>{esc(caption)}</p>" if caption else ""
    if note:
        cap += f"<p class=rm-projection>{esc(note)}</p>"
    return f'<footer class="rm-foot">{cap}<p class=rm-credits>{credits}</p></footer>'


def _toggle(ids: Sequence[str], checked: bool, text: str, swatch: str) -> str:
    """A checkbox that shows or hides drawn layers (the page script wires it up)."""
    on = " checked" if checked else ""
    return (
        f'<label><input type="checkbox" data-layer="{esc(" ".join(ids))}"{on}>{swatch}'
        f"<span>{text}</span></label>"
    )


#: Rows of the legend in the first view; the rest are folded under one "More ranges".
LEGEND_ROWS = 6


def _legend_row(
    row: story.LegendRow, shown: set[str], by_id: dict[str, DrawnLayer], w: MapWords
) -> str:
    layer = row.layer
    checked = any(i in shown for i in row.ids)
    text = row.text if w.code == "en" else w.legend_text(row, by_id)
    if row.treaty:
        boxes = []
        for layer_id in row.ids:
            ring = by_id[layer_id]
            swatch = line_svg(ring.color, ring.kind, width=14, fill=fill_opacity(ring))
            boxes.append(_toggle([layer_id], layer_id in shown, esc(w.span(ring)), swatch))
        return f'<li class="rm-treaty"><span>{esc(text)}:</span>{"".join(boxes)}</li>'
    swatch = line_svg(layer.color, layer.line_kind, width=22, fill=fill_opacity(layer))
    return (
        f"<li>{_toggle(row.ids, checked, esc(text), swatch)}"
        f'<button type="button" class="rm-more" data-layer="{esc(layer.id)}" '
        f'title="{esc(w("details_title"))}" aria-label="{esc(w("details_of", row=text))}">'
        "i</button></li>"
    )


def legend_html(
    scene: ResolvedScene, shown: Iterable[str] | None = None, w: MapWords | None = None
) -> str:
    """A legend that reads in five seconds: a one-line key of the line styles drawn, the
    rows of the first view (`shown`: the layers on at first; at most LEGEND_ROWS rows), and
    every other row under one fold. Claims that draw the same disc are one row naming each
    source (rangemap.story.legend_rows); each row has a checkbox and a Details button, so
    the whole legend works from the keyboard."""
    w = w or map_words()
    shown = {layer.id for layer in scene.drawn if layer.show} if shown is None else set(shown)
    # one line: the line styles of the rings (bands are explained under the fold)
    kinds = [k for k in LINE_STYLES if k != "band" and any(x.line_kind == k for x in scene.drawn)]
    key = "".join(
        f"<li>{line_svg(scene.colors[k], k, width=16)}<span>{esc(w.words['key'][k])}</span></li>"
        for k in kinds
    )
    by_id = {layer.id: layer for layer in scene.drawn}
    first, later = [], []
    for row in story.legend_rows(scene):
        on = any(i in shown for i in row.ids)
        html = _legend_row(row, shown, by_id, w)
        (first if on and len(first) < LEGEND_ROWS else later).append(html)
    listed = [
        f"<li><span>{esc(w('listed_not_drawn', label=w.layer_label(layer)))}</span></li>"
        for layer in scene.layers
        if not isinstance(layer, DrawnLayer)
    ]
    fills = ""
    if any(x.kind == "band" for x in scene.drawn):
        band = line_svg(scene.colors["band"], "band", width=16)
        fills = f"<li>{band}<span>{esc(w.words['key']['band'])}</span></li>"
    fills += "".join(
        f"<li>{line_svg('#444444', 'stated', width=22, fill=BOUND_FILL[b])}"
        f"<span>{esc(w.words['bound_key'][b])}</span></li>"
        for b in BOUND_FILL
        if any(layer.bound == b for layer in scene.drawn)
    )
    note = f"<p class=rm-note>{esc(w('legend_note'))}</p>"
    more = ""
    if later or listed or fills:
        # the steps move rows in and out of it: no count that would go stale
        more = (
            f'<details class="rm-later"><summary>{esc(w("more_ranges"))}</summary>'
            f"<ul class=rm-legend-layers>{''.join(later + listed)}</ul>"
            f"<ul class=rm-key>{fills}</ul>{note}</details>"
        )
    return (
        f'<details class="rm-panel" id="rm-legend" open><summary>{esc(w("legend"))}</summary>'
        f'<ul class="rm-key rm-key-line">{key}</ul>'
        f"<ul class=rm-legend-layers>{''.join(first)}</ul>{more}</details>"
    )


def sources_html(scene: ResolvedScene, w: MapWords | None = None) -> str:
    """Every source behind the map, grouped by what it supports, without repeats."""
    w = w or map_words()
    sections: dict[str, tuple[Source, ...]] = {}
    if scene.event is not None or scene.sources:
        heading = scene.event.title if scene.event is not None else w("about")
        sections[heading] = scene.sources

    def add(heading: str, sources: Iterable[Source]) -> None:
        sections[heading] = tuple(dict.fromkeys((*sections.get(heading, ()), *sources)))

    for layer in scene.layers:
        hosting = layer.hosting
        if layer.kind in ("threshold", "band"):  # one entry per treaty, not per ring
            add(w.treaty(layer.claimed_by.split(",")[0].split(" (")[0]), layer.sources)
            continue
        heading = layer.label if w.code == "en" else w.claim_label(layer).text
        add(heading, (s for s in layer.sources if hosting is None or s not in hosting.sources))
        if hosting is not None:
            kind = w.words["hosting_kinds"][hosting.kind]
            site = w.label(layer.site_label, layer.site)
            add(w("hosting_heading", system=layer.system, site=site, kind=kind), hosting.sources)
    for site in scene.sites:
        if site.entry is not None:
            sections[w("position_of", site=w.label(site.label, site.location))] = site.entry.sources
    body = "".join(
        f"<h2>{esc(heading)}</h2>{source_list(sources)}"
        for heading, sources in sections.items()
        if sources
    )
    summary = f"<summary>{esc(w('sources'))}</summary>"
    return f'<details class="rm-panel" id="rm-sources">{summary}{body}</details>'


def description_html(scene: ResolvedScene) -> str:
    """The map in words (rangemap.summary, from the same coverage numbers), folded under the
    map: what each range reaches, for readers who cannot see the map or want it in text."""
    from rangemap.summary import languages, phrases, summary_paragraphs

    lang = scene.lang.split("-")[0].lower()
    lang = lang if lang in languages() else "en"
    label = esc(phrases(lang)["text_label"])
    body = "".join(f"<p>{esc(p)}</p>" for p in summary_paragraphs(scene, lang=lang))
    # A named section is a landmark: screen readers list it beside the map and the panels.
    return (
        '<section class="rm-words" aria-labelledby="rm-text-label">'
        f'<details class="rm-text" id="rm-text" lang="{esc(lang)}">'
        f'<summary id="rm-text-label">{label}</summary>{body}</details></section>'
    )
