"""The rangemap command line: a thin front over the package's functions."""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import importlib
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rangemap import __version__, tables
from rangemap.cli_params import RANGE
from rangemap.errors import RangemapError, describe_os_error
from rangemap.output import atomic_path, check_writable, write_text

if TYPE_CHECKING:
    from rangemap.locations import Location
    from rangemap.scene import Scene

log = logging.getLogger("rangemap")


class BadInput(click.ClickException):
    """A user mistake: message on stderr, exit status 2, no traceback."""

    exit_code = 2


class _Group(click.Group):
    """Turns every error into one clear message: exit status 2 for the user's input (the
    error's `exit_code`), 1 for anything else, such as a corrupt layer file or a full disk."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RangemapError as err:
            failure = click.ClickException(str(err))
            failure.exit_code = err.exit_code
            raise failure from None
        except OSError as err:
            if err.errno == errno.EPIPE:  # click reports a closed pipe itself
                raise
            raise click.ClickException(describe_os_error(err)) from None


def _text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option (title, caption): no control characters, valid UTF-8."""
    from rangemap.errors import check_text

    return None if value is None else check_text(value, field=f"--{param.name}")


_KM_HELP = "Range: km (480, 480km), miles (1000mi) or nautical miles (300nmi)."


class _Echo(logging.Handler):
    """Log records on standard error through click, so CliRunner and pipes both see them."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _checked_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Check -o before any work: a missing or read-only folder fails at once."""
    return None if value is None else check_writable(value)


def output_opt(help: str = "Write to FILE (atomically) instead of standard output.") -> Callable:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        callback=_checked_output,
        help=help,
    )


#: Table formats of every listing command (rangemap.tables.FORMATS).
format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(tables.FORMATS, case_sensitive=False),
    default="table",
    show_default=True,
    help="Output format.",
)
_SITE_HELP = (
    'Catalog id or area site id (see "rangemap sites"), a place name ("Warsaw", "Paris, FR") '
    "or LAT,LON"
)
_AREA_HELP = (
    "Launch area from a GeoJSON file (RFC 7946 lon/lat polygons): ranges are measured from "
    "anywhere in it"
)
_DISPERSAL_HELP = (
    "Launchers anywhere within KM of the --site point (a dispersal area), not at the point."
)


#: An area file: read and checked by rangemap.areas.read_geojson_area, which says what is wrong.
_AREA_FILE = click.Path(dir_okay=False, path_type=Path)
dispersal_opt = click.option(
    "--dispersal", type=RANGE, default=None, metavar="KM", help=_DISPERSAL_HELP
)


def launch_opts(command: Callable) -> Callable:
    """--site, --area FILE.geojson and --dispersal KM, passed on as one `site` Location
    (rangemap.locations.launch_location decides what they mean together)."""

    @functools.wraps(command)
    def wrapper(*args: Any, site: str | None, area: Path | None, dispersal: float | None, **kw):
        from rangemap.locations import launch_location

        return command(*args, site=launch_location(site, area=area, dispersal_km=dispersal), **kw)

    wrapper = dispersal_opt(wrapper)
    wrapper = click.option(
        "--area", type=_AREA_FILE, default=None, metavar="FILE.geojson", help=_AREA_HELP + "."
    )(wrapper)
    return click.option(
        "--site", "site", default=None, metavar="SITE", help=_SITE_HELP + "; or give --area."
    )(wrapper)


def launch_list_opts(command: Callable) -> Callable:
    """Repeatable --site and --area, and one --dispersal for every --site point, passed on
    as `sites`, a list of Locations (empty when none is given)."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        sites: tuple[str, ...],
        areas: tuple[Path, ...],
        dispersal: float | None,
        **kw: Any,
    ):
        from rangemap.errors import InputError
        from rangemap.locations import launch_location

        if dispersal is not None and not sites:
            raise InputError("--dispersal widens --site points: give at least one --site.")
        located = [launch_location(s, dispersal_km=dispersal) for s in sites]
        located += [launch_location(area=a) for a in areas]
        return command(*args, sites=located, **kw)

    wrapper = dispersal_opt(wrapper)
    wrapper = click.option(
        "--area",
        "areas",
        type=_AREA_FILE,
        multiple=True,
        metavar="FILE.geojson",
        help=_AREA_HELP + "; repeat for several.",
    )(wrapper)
    return click.option(
        "--site", "sites", multiple=True, metavar="SITE", help=_SITE_HELP + "; repeat for several."
    )(wrapper)


km_opt = click.option(
    "--km", type=RANGE, required=True, multiple=True, metavar="KM", help=_KM_HELP + " Repeat."
)
km_min_opt = click.option(
    "--km-min",
    type=RANGE,
    default=None,
    metavar="KM",
    help="Inner range: draw the band from KM-MIN to KM instead of the full area.",
)
scene_arg = click.argument("scene", required=False, default=None, metavar="[SCENE]")


def places_opts(command: Callable) -> Callable:
    """--cities and --capitals: list populated places (or capitals only) instead of countries."""
    command = click.option("--capitals", is_flag=True, help="With --cities: capitals only.")(
        command
    )
    return click.option(
        "--cities", is_flag=True, help="List populated places in range, not countries."
    )(command)


def _wrote(path: Path, what: str = "") -> None:
    log.info("wrote %s%s", path, what)


#: GIS formats of `ring` and `export` (rangemap.formats.GIS_SUFFIXES).
gis_format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "kml", "gpkg", "fgb", "shp"], case_sensitive=False),
    default=None,
    help="GeoJSON (RFC 7946), KML (Google Earth), GeoPackage (QGIS), FlatGeobuf or zipped "
    "Shapefile; default: from the -o suffix (.geojson .kml .gpkg .fgb .shp.zip), else "
    "GeoJSON on standard output. Only GeoJSON goes to standard output.",
)


def gis_opts(command: Callable) -> Callable:
    """--format and -o of a GIS command, checked against each other before any work: the
    command gets the format to write (None: GeoJSON); only GeoJSON goes to standard output."""

    @functools.wraps(command)
    def checked(*args: Any, fmt: str | None, output: Path | None, **kwargs: Any) -> Any:
        if output is None:
            if fmt not in (None, "geojson"):
                raise BadInput(f"--format {fmt} writes a file: give it with -o FILE.")
        else:
            from rangemap.export import format_for

            check_writable(output, inputs=_inputs(kwargs))
            fmt = format_for(output, fmt)
        return command(*args, fmt=fmt, output=output, **kwargs)

    return gis_format_opt(output_opt()(checked))


def _inputs(kwargs: dict[str, Any]) -> list[Any]:
    """The command's input files (SCENE, FILE.csv) that -o must not overwrite."""
    return [kwargs[k] for k in ("scene", "file") if kwargs.get(k)]


def table_opts(command: Callable) -> Callable:
    """--format and -o of a table command: -o FILE must be .csv, .json, .md or .txt; its
    suffix gives the format unless --format is given, and then the two must agree. Checked
    before any work."""

    @functools.wraps(command)
    def checked(*args: Any, fmt: str, output: Path | None, **kwargs: Any) -> Any:
        if output is not None:
            from click.core import ParameterSource

            from rangemap.formats import TABLE_SUFFIXES, output_format

            # The input named as the output is the worse mistake: say that one first.
            check_writable(output, inputs=_inputs(kwargs))
            given = click.get_current_context().get_parameter_source("fmt")
            chosen = None if given is ParameterSource.DEFAULT else fmt
            fmt = output_format(output, TABLE_SUFFIXES, what="a table", fmt=chosen)
        return command(*args, fmt=fmt, output=output, **kwargs)

    return format_opt(output_opt()(checked))


lang_opt = click.option(
    "--lang",
    # One choice per phrases file (rangemap/phrases/LANG.yaml): a new file is a new language.
    type=click.Choice(sorted(p.stem for p in (Path(__file__).parent / "phrases").glob("*.yaml"))),
    default="en",
    show_default=True,
    help="Language of the text (en English, de German; country names from Natural Earth).",
)


def _add_catalogs(ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]) -> None:
    """Each --catalog FILE joins the built-in catalog for the rest of the command."""
    if value:
        from rangemap.catalog import load_catalog, using_catalog

        ctx.with_resource(using_catalog(load_catalog(extra=value)))


catalog_opt = click.option(
    "--catalog",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    metavar="FILE",
    expose_value=False,
    is_eager=True,
    callback=_add_catalogs,
    help="Add the systems and sites of a catalog FILE (YAML, as in layers/; see "
    "docs/reference.md) to the built-in catalog; repeat for several.",
)


def _preset(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A static-map preset name (render.static_map.PRESETS, imported only when one is given)."""
    if value is None:
        return None
    from rangemap.render.static_map import PRESETS

    if value not in PRESETS:
        raise click.BadParameter(
            f"{value!r} is not a preset; choose one of {', '.join(sorted(PRESETS))}."
        )
    return value


def _emit(text: str, output: Path | None) -> None:
    """Data to standard output, or atomically to a file with a notice on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    write_text(output, text)
    _wrote(output)


def _emit_table(
    rows: Sequence[Sequence[Any]],
    fmt: str,
    output: Path | None,
    *,
    columns: Sequence[str] | None = None,
    notes: list[str] | None = None,
) -> None:
    """A table in `fmt` (rangemap.tables), through _emit; text and Markdown tables end with
    their `notes`, CSV and JSON stay plain data."""
    text = tables.render(rows, fmt, columns=columns)
    if notes is not None and fmt in ("table", "md"):
        text += "\n" + "\n".join(notes) + "\n"
    _emit(text, output)


def _emit_gis(write: Callable[[Path], Path], output: Path | None) -> None:
    """A GIS file to -o FILE, or GeoJSON to standard output through a temporary file (GDAL
    writes files, not streams). The format is checked before, by gis_opts."""
    if output is not None:
        write(output)
        _wrote(output)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "data.geojson")
        click.echo(path.read_text(encoding="utf-8"), nl=False)


@contextlib.contextmanager
def _importing(module: str) -> Iterator[None]:
    """Import `module` on a second thread while the block runs: folium is slow to import
    (BENCHMARKS.md), and the block's coverage runs mostly in GEOS and PROJ without the GIL."""
    loader = threading.Thread(target=importlib.import_module, args=(module,))
    loader.start()
    try:
        yield
    finally:
        loader.join()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rangemap")
@click.option("-v", "--verbose", count=True, help="More messages on stderr (details of the work).")
@click.option("-q", "--quiet", count=True, help='Fewer messages on stderr (no "wrote FILE").')
def cli(verbose: int, quiet: int) -> None:
    """True geodesic range areas around basing sites: what they cover, as maps and tables.

    Ranges are exact on the WGS84 ellipsoid; every site and claim carries its source.
    """
    handler = _Echo()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO - 10 * verbose + 10 * quiet)


@cli.command()
@catalog_opt
@table_opts
def sites(fmt: str, output: Path | None) -> None:
    """List the basing sites: position, what the point marks, hosted systems, sources.

    Example: rangemap sites --format csv
    """
    from rangemap import reports

    _emit_table(reports.site_rows(), fmt, output)


@cli.command()
@catalog_opt
@table_opts
def systems(fmt: str, output: Path | None) -> None:
    """List every range claim: what it says, kind, who claims it, sources, status.

    A claim reads as a figure, "at least", "up to" or an interval; each carries the status
    of its system or variant (in service, deployed, tested, planned, retired) with sources.

    Example: rangemap systems --format md
    """
    from rangemap import reports

    _emit_table(reports.claim_rows(), fmt, output)


@cli.command()
@catalog_opt
@launch_opts
@km_opt
@km_min_opt
@gis_opts
def ring(
    site: Location,
    km: tuple[float, ...],
    km_min: float | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Write the geodesic range area (or band) of SITE as a GIS file: one feature per --km.

    From an area (an area site, --area or --dispersal) the range area holds every point
    within KM of some point of the area.

    Example: rangemap ring --site kaliningrad --km 480 --km 1000mi -o kaliningrad.fgb
    """
    from rangemap.api import make_ring
    from rangemap.export import write_rings

    rings = [make_ring(site, value, km_min=km_min) for value in km]
    _emit_gis(lambda path: write_rings(rings, path, fmt=fmt), output)


@cli.command()
@catalog_opt
@launch_opts
@km_opt
@km_min_opt
@places_opts
@table_opts
def coverage(
    site: Location,
    km: tuple[float, ...],
    km_min: float | None,
    cities: bool,
    capitals: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Countries (or, with --cities, places) within KM of SITE, with covered km2 and percent.

    From an area, a place's distance is to the area's nearest point, given as from_lat and
    from_lon.

    Example: rangemap coverage --site kaliningrad-region --km 480 --cities --format csv
    """
    from rangemap import reports

    columns, rows, footer = reports.coverage_report(
        site, km, km_min=km_min, places=cities or capitals, capitals_only=capitals
    )
    _emit_table(rows, fmt, output, columns=columns, notes=footer)


@cli.command()
@catalog_opt
@launch_list_opts
@click.option(
    "--km",
    type=RANGE,
    required=True,
    multiple=True,
    metavar="KM",
    help="Ranges in km: the first is the base (e.g. the stated range), then the others.",
)
@table_opts
def compare(sites: list[Location], km: tuple[float, ...], fmt: str, output: Path | None) -> None:
    """What larger ranges add over the first: countries, capitals, area and population.

    Prints a matrix of countries by ring (percent covered: one column per site and range)
    and, in table and md formats, what each range adds over the first at each site.

    Example: rangemap compare --site kaliningrad --site kaliningrad-region --km 480 --km 2350
    """
    from rangemap import reports
    from rangemap.errors import InputError

    if not sites:
        raise InputError("compare needs at least one --site or --area.")
    columns, rows, notes = reports.compare_rows(sites, list(km))
    _emit_table(rows, fmt, output, columns=columns, notes=notes)


@cli.command()
@catalog_opt
@click.option(
    "--target", required=True, metavar="PLACE", help="Place name, catalog site or LAT,LON."
)
@launch_list_opts
@click.option("--km", type=RANGE, default=None, metavar="KM", help="Only sites within KM.")
@table_opts
def reach(
    target: str, sites: list[Location], km: float | None, fmt: str, output: Path | None
) -> None:
    """Which catalog sites, and which of their claimed ranges, reach PLACE.

    Lists sites by geodesic distance from PLACE, with the claimed ranges of systems each site
    hosts (or is said to host) that reach that far. With --site or --area, answers for those
    sites (any place, LAT,LON or launch area, measured from its nearest point), with --km
    saying whether each is within KM.

    Example: rangemap reach --target Berlin --site "53.9,27.57" --km 1000mi
    """
    from rangemap.api import resolve_site
    from rangemap.reach import ReachRow
    from rangemap.reach import reach as find

    rows = find(resolve_site(target), km, sites=sites or None)
    _emit_table(rows, fmt, output, columns=ReachRow._fields)


@cli.command(name="map")
@catalog_opt
@scene_arg
@output_opt(
    "Write the map to FILE (default: output/SCENE.html, output/ created if missing); "
    "FILE.png, FILE.svg or FILE.pdf draws a static map instead."
)
@click.option("--offline", is_flag=True, help="Draw the countries as the basemap: no map tiles.")
@click.option(
    "--self-contained",
    is_flag=True,
    help="One file that makes no request at all (Leaflet is always inlined; implies --offline).",
)
@click.option(
    "--projection",
    type=click.Choice(["mercator", "aeqd"]),
    default=None,
    help="HTML maps: mercator (Web Mercator, tiles) or aeqd (azimuthal equidistant centred "
    "on the scene, true distances from the centre). Default: the scene's, else aeqd when "
    "Mercator would misdraw a ring by more than 1.5x (README).",
)
@click.option(
    "--title", default=None, callback=_text, help="Title above the map (replaces the scene's)."
)
@click.option("--subtitle", default=None, callback=_text, help="Subtitle (replaces the scene's).")
@click.option(
    "--caption", default=None, callback=_text, help="Caption below the map (replaces the scene's)."
)
@click.option(
    "--embed-url",
    default=None,
    metavar="URL",
    help="Where the map will be hosted (absolute http(s) URL): the src of the <iframe> "
    "snippet, percent-encoded. Default: the map's file name, relative to the article.",
)
@click.option(
    "--size",
    default="1800x1200",
    show_default=True,
    metavar="WIDTHxHEIGHT",
    help="Static maps (-o FILE.png, .svg or .pdf): size in pixels.",
)
@click.option(
    "--dpi",
    type=click.IntRange(min=50, max=1200),
    default=200,
    show_default=True,
    help="Static maps: dots per inch (type and lines scale with the size in inches).",
)
@lang_opt
@click.option(
    "--preset",
    default=None,
    metavar="NAME",
    callback=_preset,
    help="Static maps: the size and layout for where the image goes, instead of --size and "
    "--dpi: social-landscape (1200x675), social-square (1080x1080), social-portrait "
    "(1080x1350), a4, a4-landscape, letter, letter-landscape (300 dpi). Without -o: "
    "output/SCENE-NAME.png (.pdf for the pages).",
)
def map_command(
    scene: str | None,
    output: Path | None,
    offline: bool,
    self_contained: bool,
    projection: str | None,
    title: str | None,
    subtitle: str | None,
    caption: str | None,
    embed_url: str | None,
    size: str,
    dpi: int,
    lang: str,
    preset: str | None,
) -> None:
    """Render SCENE as an interactive HTML map for articles; print the path written.

    SCENE is a built-in scene name (see "rangemap scenes"; default: inf-2020, the October
    2020 verification offer) or a scene YAML file. An <iframe> snippet to embed the map is
    written beside it (map.html -> map.embed.html): it resizes the frame to the map page
    (pass --embed-url with the map's address for an absolute src). With -o FILE.png, .svg
    or .pdf, a static map for print and social media is drawn instead, in an azimuthal
    equidistant projection centred on the scene, with its alt text beside it (map.png ->
    map.alt.txt, in --lang).

    Example: rangemap map inf-2020 --self-contained -o inf-2020.html
    """
    from rangemap.formats import MAP_SUFFIXES, output_format
    from rangemap.render.embed import embed_src
    from rangemap.scene import DEFAULT_SCENE, load_scene

    name = scene or DEFAULT_SCENE
    if embed_url is not None:
        embed_src(embed_url)  # refuse a bad URL before any work
    the_scene = load_scene(name)
    output = _map_output(name, output, preset)
    check_writable(output, inputs=[name])
    texts = (title, subtitle, caption)
    if output_format(output, MAP_SUFFIXES, what="a map") == "html":
        _html_map(
            the_scene,
            output,
            name=name,
            offline=offline,
            self_contained=self_contained,
            projection=projection,
            texts=texts,
            embed_url=embed_url,
        )
        return
    if offline or self_contained:
        raise BadInput("--offline and --self-contained apply to HTML maps, not PNG, SVG, PDF.")
    if projection == "mercator":
        raise BadInput(
            "--projection mercator applies to HTML maps; static maps are always "
            "azimuthal equidistant. Leave it out or write FILE.html."
        )
    _static_map(the_scene, output, size=size, dpi=dpi, preset=preset, texts=texts, lang=lang)


def _map_output(name: str, output: Path | None, preset: str | None) -> Path:
    """Where `map` writes: -o FILE, else output/SCENE.html, or with --preset (a static map
    whose size and dpi it sets) output/SCENE-PRESET.png, .pdf for the page presets."""
    if preset is not None:
        ctx = click.get_current_context()
        given = [f"--{p}" for p in ("size", "dpi") if ctx.get_parameter_source(p).name != "DEFAULT"]
        if given:
            raise BadInput(f"--preset sets the size and dpi: leave out {' and '.join(given)}.")
        if output is not None and output.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise BadInput(
                f"--preset draws a static map: give -o FILE.png, .svg or .pdf, not {output}."
            )
    if output is not None:
        return output
    from rangemap.output import output_folder

    suffix = (
        ".html" if preset is None else ".pdf" if preset.startswith(("a4", "letter")) else ".png"
    )
    stem = Path(name).stem if preset is None else f"{Path(name).stem}-{preset}"
    return output_folder(Path("output")) / f"{stem}{suffix}"


def _html_map(
    scene: Scene,
    output: Path,
    *,
    name: str,
    offline: bool,
    self_contained: bool,
    projection: str | None,
    texts: tuple[str | None, str | None, str | None],
    embed_url: str | None,
) -> None:
    """`map` to FILE.html, with its <iframe> snippet beside it: both files or neither. The
    coverage is computed while folium loads on a second thread."""
    from rangemap.output import write_texts
    from rangemap.scene_build import resolve_scene

    with _importing("rangemap.render.html_map"):
        resolved = resolve_scene(scene)
    from rangemap.render.embed import embed_path, embed_snippet
    from rangemap.render.html_map import map_html, render_map

    check_writable(embed_path(output), inputs=[name])
    title, subtitle, caption = texts
    the_map = render_map(
        resolved,
        offline=offline,
        self_contained=self_contained,
        projection=projection,  # type: ignore[arg-type]  (click.Choice checked it)
        title=title,
        subtitle=subtitle,
        caption=caption,
    )
    snippet = embed_path(output)
    code = embed_snippet(output, title or scene.title, url=embed_url)
    write_texts({output: map_html(the_map), snippet: code})
    _wrote(snippet, " (an <iframe> to embed the map)")
    click.echo(str(output))


def _parse_size(size: str) -> tuple[int, int]:
    """'1800x1200' -> (1800, 1200)."""
    width, sep, height = size.lower().partition("x")
    if not (sep and width.strip().isdigit() and height.strip().isdigit()):
        raise BadInput(f"--size {size!r}: give WIDTHxHEIGHT in pixels, e.g. 1800x1200.")
    return int(width), int(height)


def _static_map(
    scene: Scene,
    output: Path,
    *,
    size: str,
    dpi: int,
    preset: str | None,
    texts: tuple[str | None, str | None, str | None],
    lang: str,
) -> None:
    """`map -o FILE.png|.svg|.pdf`: matplotlib is imported only here, so --help stays instant."""
    from rangemap.render.static_map import alt_path, render_image, save_image_with_alt
    from rangemap.scene_build import resolve_scene

    width, height = _parse_size(size)
    title, subtitle, caption = texts
    resolved = resolve_scene(scene)
    figure = render_image(
        resolved,
        preset=preset,
        width_px=None if preset else width,
        height_px=None if preset else height,
        dpi=None if preset else dpi,
        title=title,
        subtitle=subtitle,
        caption=caption,
    )
    path = save_image_with_alt(figure, resolved, output, lang=lang)
    click.echo(f"wrote {alt_path(path)} (the image's alt text)", err=True)
    click.echo(str(path))


@cli.command()
@catalog_opt
@scene_arg
@lang_opt
@output_opt("Write to FILE.txt or FILE.md (atomically) instead of standard output.")
@click.option(
    "--sidebar",
    is_flag=True,
    help="A short Markdown table for an article's sidebar instead of sentences.",
)
def summary(scene: str | None, lang: str, output: Path | None, sidebar: bool) -> None:
    """Article text for SCENE: per drawn range, the countries and capitals it reaches, the
    capitals just out of range, and what a disputed or estimated figure adds over the
    stated one. Every figure is read from the tables of "rangemap table". With --sidebar,
    a short Markdown table: site, range, claim, counts, capitals in reach, area.

    Example: rangemap summary inf-2020 --lang de -o inf-2020.txt
    """
    from rangemap.scene import DEFAULT_SCENE, load_scene
    from rangemap.summary import sidebar_markdown, summary_text

    if output is not None:
        from rangemap.formats import output_format

        output_format(output, {".txt": "text", ".md": "text"}, what="the text")
    write = sidebar_markdown if sidebar else summary_text
    _emit(write(load_scene(scene or DEFAULT_SCENE), lang=lang), output)


@cli.command()
def scenes() -> None:
    """List the built-in scenes, one a line: the name, a tab, the title.

    Example: rangemap scenes
    """
    from rangemap.scene import builtin_scenes, load_scene

    for name in builtin_scenes():
        click.echo(f"{name}\t{' '.join(load_scene(name).title.split())}")


@cli.command(name="export")
@catalog_opt
@scene_arg
@gis_opts
def export_command(scene: str | None, fmt: str | None, output: Path | None) -> None:
    """Write every drawn ring and band of SCENE, and its sites, as a GIS file.

    One polygon per drawn layer with its id, site, label, kind, system, range_km, km_min,
    claimed_by, uncertain, colour, area_km2 and sources. GeoPackage: layers "ranges" and
    "sites"; GeoJSON and KML: one collection, the sites last as points of kind "site".

    Example: rangemap export inf-2020 -o inf-2020.gpkg
    """
    from rangemap.scene import DEFAULT_SCENE, load_scene
    from rangemap.scene_export import export_scene

    _emit_gis(lambda path: export_scene(load_scene(scene or DEFAULT_SCENE), path, fmt=fmt), output)


@cli.command()
@catalog_opt
@scene_arg
@places_opts
@table_opts
def table(scene: str | None, cities: bool, capitals: bool, fmt: str, output: Path | None) -> None:
    """Coverage of every drawn ring and band of SCENE: the "rangemap coverage" columns,
    after layer (its id), label and kind.

    Markdown (md) and text tables end with a line per layer (area, countries, capitals,
    population) and the credits: an article's sidebar.

    Example: rangemap table us-germany-2024 --capitals --format md -o sidebar.md
    """
    from rangemap.scene import DEFAULT_SCENE, load_scene
    from rangemap.scene_export import render_table

    the_scene = load_scene(scene or DEFAULT_SCENE)
    _emit(render_table(the_scene, fmt, places=cities, capitals_only=capitals), output)


@cli.command()
@catalog_opt
@click.argument("file", metavar="FILE.csv", type=click.Path(path_type=Path))
@places_opts
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes, at most 32 (default: every core; with --scheduler local, the "
    "cluster's workers). The output does not depend on it.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the rings on a Dask cluster: a scheduler's address (tcp://host:8786) or "
    "'local' for a LocalCluster. Needs pip install 'rangemap[dask]'.",
)
@table_opts
def batch(
    file: Path,
    cities: bool,
    capitals: bool,
    jobs: int | None,
    scheduler: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Coverage of many rings at once: one combined table, the work spread over every core.

    FILE.csv has a header row naming its columns: site and km, optionally km_min and label;
    then one ring per line (site as in the other commands: catalog id, place name or LAT,LON,
    which CSV needs in quotes: "54.7,20.5"). Every row is checked before any work starts.
    The table has the columns of "rangemap coverage" plus label (the row's label, else e.g.
    "Kaliningrad, 480 km"). Rows are written as they come, in input order.

    Example: rangemap batch rings.csv --format csv -o coverage.csv
    """
    from rangemap import batch as batch_mod
    from rangemap.batch_run import stop_on_signals

    rings = batch_mod.read_rings(file)
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=len(rings), label="rings", file=sys.stderr)
    with contextlib.ExitStack() as stack:
        # From here on Ctrl-C and SIGTERM unwind: workers ended, the temporary file removed.
        stack.enter_context(stop_on_signals())
        progress = stack.enter_context(bar).update if bar is not None else None
        out = sys.stdout
        if output is not None:
            tmp = stack.enter_context(atomic_path(output))
            out = stack.enter_context(tmp.open("w", encoding="utf-8", newline="\n"))
        count = batch_mod.write_batch(
            rings,
            out,
            fmt,
            places=cities or capitals,
            capitals_only=capitals,
            jobs=jobs,
            scheduler=scheduler,
            progress=progress,
        )
    log.debug("%s rings, %s rows", f"{len(rings):,}", f"{count:,}")
    if output is not None:
        _wrote(output)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="rangemap")
    finally:
        # At exit CPython's collector walks every object still alive (the layers, folium's
        # templates), for garbage the end of the process frees anyway (BENCHMARKS.md).
        # Freezing them skips that walk; files are closed and streams flushed as usual.
        gc.freeze()
