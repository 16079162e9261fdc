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
from rangemap.coverage import PEOPLE_LABEL, PLACES_LABEL, CountryRow, millions
from rangemap.render.style import (
    BOUND_FILL,
    BOUND_SHORT,
    KIND_KEY,
    LINE_STYLES,
    fill_opacity,
)
from rangemap.scene_build import DrawnLayer, ResolvedScene, ResolvedSite, SceneLayer

NATURAL_EARTH = "https://www.naturalearthdata.com/"
GEONAMES = "https://www.geonames.org/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CARTO_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>'
)


def esc(text: object) -> str:
    """HTML-escape any text (quotes too, so it is also safe inside attribute values).

    Braces become character references as well: branca compiles the output of every folium
    element's script as a Jinja template once more, so a name such as "{{ ... }}" that
    reached a layer control or a script would be evaluated while the page is written.
    """
    return html.escape(str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def link(url: str | None, text: str) -> str:
    """An external link for http(s) URLs; anything else is shown as plain text."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return esc(text)
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def source_item(source: Source) -> str:
    """One source as a list item: publisher, title (linked), date, note."""
    parts = [esc(source.publisher) + ", " + link(source.url, source.title)]
    if source.date:
        parts.append(esc(source.date))
    text = ", ".join(parts) + "."
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


def pct(value: float) -> str:
    if value >= 99.95:
        return "100 %"
    if value < 0.1:
        return "&lt;0.1 %"
    return f"{value:.1f} %"


def coverage_line(layer: DrawnLayer) -> str:
    """'10 countries and 1 territory, 4 capitals, 21.2 million people in cities and towns of
    15,000+*' for the legend and tooltips."""
    s = layer.summary
    return f"{s.counts()}, {millions(s.population)} {PEOPLE_LABEL}*"


def _badges(layer: SceneLayer) -> str:
    tags = []
    if layer.uncertain:
        tags.append("uncertain")
    if layer.hosting is not None and layer.hosting.kind == "disputed":
        tags.append("hosting disputed")
    return "".join(f" <span class=rm-tag>{t}</span>" for t in tags)


def origin_text(layer: SceneLayer) -> str:
    """Where a layer's ranges are measured from: "Deveselu (Romania)", or for an area site
    "anywhere in the Kaliningrad region" (the area's own name, written to follow "in")."""
    if layer.site.area is not None:
        return f"anywhere in {layer.site.name}"
    return layer.site_label


def layer_tooltip(layer: DrawnLayer) -> str:
    """Shown on hover over a ring: what it is, who says so, what it covers."""
    lines = [
        f"<b>{esc(story.claim_label(layer).text)}</b>{_badges(layer)}",
        f"From {esc(origin_text(layer))}",
        esc(coverage_line(layer)),
        "<i>Click for sources and details</i>",
    ]
    return "<div class=rm-tip>" + "<br>".join(lines) + "</div>"


def _system_name(system_id: str) -> str:
    """A system's name for readers ("9M729"), from its catalog id ("9m729")."""
    from rangemap.catalog import load_catalog

    try:
        return load_catalog().system(system_id).name
    except LookupError:
        return system_id


def _hosting_text(system: str | None, hosting: Hosting) -> str:
    verb = {
        "stated": "stated by",
        "planned": "announced as planned by",
        "reported": "reported by",
        "implied": "implied by",
        "disputed": "claimed by",
    }[hosting.kind]
    name = system or _system_name(hosting.system)
    text = f"<b>Hosting ({esc(hosting.kind)}):</b> {esc(name)} at this site, {verb} "
    text += esc(hosting.claimed_by)
    if hosting.date:
        text += f" ({esc(hosting.date)})"
    text += "."
    if hosting.note:
        text += " " + esc(hosting.note)
    return f"<p>{text}</p>"


def _country_list(rows: Sequence[CountryRow], limit: int = 8) -> str:
    shown = ", ".join(f"{esc(r.country)} {pct(r.covered_pct)}" for r in rows[:limit])
    more = f", and {len(rows) - limit} more" if len(rows) > limit else ""
    return shown + more


def layer_popup(layer: DrawnLayer) -> str:
    """Shown on click on a ring: first the key figure (the claim, and what it reaches),
    then claimant, note, coverage and sources."""
    s = layer.summary
    parts = [
        f"<h2>{esc(story.claim_label(layer).text)}{_badges(layer)}</h2>",
        f"<p class=rm-keyfig><b>Reaches:</b> {esc(coverage_line(layer))}, from "
        f"{esc(origin_text(layer))}.</p>",
        f"<p class=rm-cov>{esc(layer.label)}</p>",
    ]
    parts.append(f"<p><b>From:</b> {esc(origin_text(layer))} ({esc(layer.site.marks)})</p>")
    parts.append(f"<p><b>Range:</b> {esc(layer.span)}</p>")
    if layer.status:
        parts.append(f"<p><b>Status:</b> {esc(layer.status)}</p>")
    when = f" ({esc(layer.date)})" if layer.date else ""
    parts.append(f"<p><b>Claimed by:</b> {esc(layer.claimed_by)}{when}</p>")
    if layer.note:
        parts.append(f"<p class=rm-cov>{esc(layer.note)}</p>")
    if layer.hosting is not None:
        parts.append(_hosting_text(layer.system, layer.hosting))
    capitals = ", ".join(esc(c) for c in s.capitals) or "none"
    apart = ""
    for title, areas, held in (
        ("Territories", s.territories, s.territory_capitals),
        ("Other areas (not UN members)", s.other_areas, s.other_capitals),
    ):
        if areas:
            apart += f"<p><b>{title}, counted apart:</b> {esc(', '.join(areas))}"
            apart += f" (capitals: {esc(', '.join(held))})" if held else ""
            apart += ".</p>"
    parts.append(
        f"<p><b>Covers:</b> {s.countries} countries, {s.area_km2 / 1e6:,.2f} million km² "
        f"({_country_list(layer.countries)}).</p>"
        f"<p><b>Capitals in range:</b> {capitals}.</p>{apart}"
        f"<p><b>Population:</b> {millions(s.population)} {PEOPLE_LABEL}, "
        f"in {s.places:,} places.*</p>"
        f"<p class=rm-cov>* {esc(PLACES_LABEL)}. Geodesic distance on WGS84.</p>"
    )
    parts.append("<p><b>Sources:</b></p>" + source_list(layer.sources))
    return "<div class=rm-pop>" + "".join(parts) + "</div>"


def site_popup(site: ResolvedSite) -> str:
    """What the site is, where its point is and what it stands for, what it hosts."""
    loc = site.location
    ns = "N" if loc.lat >= 0 else "S"
    ew = "E" if loc.lon >= 0 else "W"
    title = site.entry.name if site.entry is not None else loc.name
    parts = [f"<h2>{esc(site.label)}</h2>"]
    if title != site.label:
        parts.append(f"<p>{esc(title)}</p>")
    parts.append(
        f"<p><b>Position:</b> {abs(loc.lat):.4f}° {ns}, {abs(loc.lon):.4f}° {ew} "
        "(WGS84)</p>"
        f"<p><b>The point marks:</b> {esc(loc.marks)}</p>"
    )
    if site.entry is not None:
        s = site.entry
        parts.append(f"<p class=rm-cov>{esc(s.position_note)}</p>")
        if s.hosts:
            hosts = "".join(
                f"<li>{_hosting_text(None, h).removeprefix('<p>').removesuffix('</p>')}"
                f"{source_list(h.sources)}</li>"
                for h in s.hosts
            )
            parts.append(f"<p><b>Systems hosted or claimed (who says so):</b></p><ul>{hosts}</ul>")
        parts.append("<p><b>Sources of the position:</b></p>" + source_list(s.sources))
    else:
        parts.append(f"<p><b>Position from:</b> {esc(loc.source)}</p>")
    shown = [
        f"<li>{esc(layer.label)}{_badges(layer)}"
        + ("" if isinstance(layer, DrawnLayer) else " — not drawn")
        + "</li>"
        for layer in site.layers
        if layer.kind not in ("threshold", "band")
    ]
    if shown:
        parts.append(f"<p><b>Range figures on this map:</b></p><ul>{''.join(shown)}</ul>")
    return "<div class=rm-pop>" + "".join(parts) + "</div>"


#: Texts of the country popups, which the page assembles from `country_properties`: each
#: ring's name is stored once instead of once per country it touches.
COUNTRY_INTRO = "<p>Share of its area within each range shown on the map:</p>"
COUNTRY_NONE = (
    "<p>Not within any range shown on the map; switch on more in the layer list (top right).</p>"
)


def country_properties(
    name: str, rows: Sequence[tuple[int, CountryRow]]
) -> dict[str, str | list[list[int | str]]]:
    """A country's popup data: its name and, per ring (by index), the share covered."""
    return {"name": esc(name), "cover": [[i, pct(row.covered_pct)] for i, row in rows]}


def header_html(title: str, subtitle: str | None, extra: str = "") -> str:
    """Title and subtitle; `extra` is HTML already escaped (the story's steps panel, which
    its script moves into the map)."""
    sub = f"<p>{esc(subtitle)}</p>" if subtitle else ""
    return f'<header class="rm-head"><h1>{esc(title)}</h1>{sub}{extra}</header>'


def footer_html(caption: str | None, *, offline: bool, note: str | None = None) -> str:
    """Caption, then credits: data sources with their licences and the basemap; `note`
    (the projection, where it is not Web Mercator) between them."""
    basemap = (
        "Basemap: Natural Earth country outlines."
        if offline
        else (f"Basemap tiles: {CARTO_ATTRIBUTION}.")
    )
    credits = (
        f"Ranges: geodesic, WGS84 (rangemap {esc(__version__)}). "
        f"Borders: {link(NATURAL_EARTH, 'Natural Earth')} (public domain). "
        f"Places and populations: {link(GEONAMES, 'GeoNames')} "
        f"({link(CC_BY, 'CC BY 4.0')}). {basemap} Map: Leaflet."
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


def _legend_row(row: story.LegendRow, shown: set[str], by_id: dict[str, DrawnLayer]) -> str:
    layer = row.layer
    checked = any(i in shown for i in row.ids)
    if row.treaty:
        boxes = []
        for layer_id in row.ids:
            ring = by_id[layer_id]
            swatch = line_svg(ring.color, ring.kind, width=14, fill=fill_opacity(ring))
            boxes.append(_toggle([layer_id], layer_id in shown, esc(ring.span), swatch))
        return f'<li class="rm-treaty"><span>{esc(row.text)}:</span>{"".join(boxes)}</li>'
    swatch = line_svg(layer.color, layer.line_kind, width=22, fill=fill_opacity(layer))
    return (
        f"<li>{_toggle(row.ids, checked, esc(row.text), swatch)}"
        f'<button type="button" class="rm-more" data-layer="{esc(layer.id)}" '
        f'title="Details and sources" aria-label="Details: {esc(row.text)}">'
        "i</button></li>"
    )


def legend_html(scene: ResolvedScene, shown: Iterable[str] | None = None) -> str:
    """A legend that reads in five seconds: a one-line key of the line styles drawn, the
    rows of the first view (`shown`: the layers on at first; at most LEGEND_ROWS rows), and
    every other row under one fold. Claims that draw the same disc are one row naming each
    source (rangemap.story.legend_rows); each row has a checkbox and a Details button, so
    the whole legend works from the keyboard."""
    shown = {layer.id for layer in scene.drawn if layer.show} if shown is None else set(shown)
    # one line: the line styles of the rings (bands are explained under the fold)
    kinds = [k for k in LINE_STYLES if k != "band" and any(x.line_kind == k for x in scene.drawn)]
    key = "".join(
        f"<li>{line_svg(scene.colors[k], k, width=16)}<span>{esc(KIND_KEY[k])}</span></li>"
        for k in kinds
    )
    by_id = {layer.id: layer for layer in scene.drawn}
    first, later = [], []
    for row in story.legend_rows(scene):
        on = any(i in shown for i in row.ids)
        html = _legend_row(row, shown, by_id)
        (first if on and len(first) < LEGEND_ROWS else later).append(html)
    listed = [
        f"<li><span>{esc(layer.label)} — listed, not drawn</span></li>"
        for layer in scene.layers
        if not isinstance(layer, DrawnLayer)
    ]
    fills = ""
    if any(x.kind == "band" for x in scene.drawn):
        band = line_svg(scene.colors["band"], "band", width=16)
        fills = f"<li>{band}<span>{esc(KIND_KEY['band'])}</span></li>"
    fills += "".join(
        f"<li>{line_svg('#444444', 'stated', width=22, fill=BOUND_FILL[b])}"
        f"<span>{esc(BOUND_SHORT[b])}</span></li>"
        for b in BOUND_FILL
        if any(layer.bound == b for layer in scene.drawn)
    )
    note = (
        "<p class=rm-note>Tick a range to show or hide it; (i) or a click on a ring gives "
        "who says so, what it covers and the sources; a click on a country, its share in "
        "each range.</p>"
    )
    more = ""
    if later or listed or fills:
        # the steps move rows in and out of it: no count that would go stale
        more = (
            '<details class="rm-later"><summary>More ranges and the key</summary>'
            f"<ul class=rm-legend-layers>{''.join(later + listed)}</ul>"
            f"<ul class=rm-key>{fills}</ul>{note}</details>"
        )
    return (
        '<details class="rm-panel" id="rm-legend" open><summary>Legend</summary>'
        f'<ul class="rm-key rm-key-line">{key}</ul>'
        f"<ul class=rm-legend-layers>{''.join(first)}</ul>{more}</details>"
    )


def sources_html(scene: ResolvedScene) -> str:
    """Every source behind the map, grouped by what it supports, without repeats."""
    sections: dict[str, tuple[Source, ...]] = {}
    if scene.event is not None or scene.sources:
        heading = scene.event.title if scene.event is not None else "About this map"
        sections[heading] = scene.sources

    def add(heading: str, sources: Iterable[Source]) -> None:
        sections[heading] = tuple(dict.fromkeys((*sections.get(heading, ()), *sources)))

    for layer in scene.layers:
        hosting = layer.hosting
        if layer.kind in ("threshold", "band"):  # one entry per treaty, not per ring
            add(layer.claimed_by.split(",")[0].split(" (")[0], layer.sources)
            continue
        add(layer.label, (s for s in layer.sources if hosting is None or s not in hosting.sources))
        if hosting is not None:
            add(f"{layer.system} at {layer.site_label}: hosting {hosting.kind}", hosting.sources)
    for site in scene.sites:
        if site.entry is not None:
            sections[f"Position of {site.label}"] = site.entry.sources
    body = "".join(
        f"<h2>{esc(heading)}</h2>{source_list(sources)}"
        for heading, sources in sections.items()
        if sources
    )
    return f'<details class="rm-panel" id="rm-sources"><summary>Sources</summary>{body}</details>'


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
