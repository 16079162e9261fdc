"""The command line's parameters: types, and the options several commands share.

Each shared option is declared once here and checked before any work (a read-only -o, a
format that does not match its suffix), so a command in rangemap.cli only says which ones
it takes and calls the package's functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rangemap import tables
from rangemap.errors import InputError
from rangemap.output import check_writable


class BadInput(click.ClickException):
    """A user mistake: message on stderr, exit status 2, no traceback."""

    exit_code = 2


class RangeParam(click.ParamType):
    """A range in km, or with a unit: 480, 480km, 1000mi, 300nmi (rangemap.units)."""

    name = "range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from rangemap.units import parse_range

        label = param.opts[0] if param is not None and param.opts else "range"
        try:
            return parse_range(value, label=label)
        except InputError as err:
            self.fail(str(err).removeprefix(f"{label}: "), param, ctx)


RANGE = RangeParam()


class SizeParam(click.ParamType):
    """An image size in pixels: '1800x1200' -> (1800, 1200)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        width, sep, height = str(value).lower().partition("x")
        if not (sep and width.strip().isdigit() and height.strip().isdigit()):
            self.fail(f"{value!r}: give WIDTHxHEIGHT in pixels, e.g. 1800x1200.", param, ctx)
        return int(width), int(height)


def _text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option (title, caption): no control characters, valid UTF-8."""
    from rangemap.errors import check_text

    return None if value is None else check_text(value, field=f"--{param.name}")


def text_opt(name: str, help: str) -> Callable:
    """A reader-facing text option such as --title, checked by rangemap.errors.check_text."""
    return click.option(name, default=None, callback=_text, help=help)


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


def _inputs(kwargs: dict[str, Any]) -> list[Any]:
    """The command's input files (SCENE, FILE.csv) that -o must not overwrite."""
    return [kwargs[k] for k in ("scene", "file") if kwargs.get(k)]


def table_opts(command: Callable) -> Callable:
    """--format and -o of a table command (rangemap.tables.FORMATS): -o FILE must be .csv,
    .json, .md or .txt; its suffix gives the format unless --format is given, and then the
    two must agree. Checked before any work."""

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

    return click.option(
        "--format",
        "fmt",
        type=click.Choice(tables.FORMATS, case_sensitive=False),
        default="table",
        show_default=True,
        help="Output format.",
    )(output_opt()(checked))


def gis_opts(command: Callable) -> Callable:
    """--format and -o of a GIS command (rangemap.formats.GIS_SUFFIXES), checked against each
    other before any work: the command gets the format to write (None: GeoJSON); only GeoJSON
    goes to standard output."""

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

    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["geojson", "kml", "gpkg", "fgb", "shp"], case_sensitive=False),
        default=None,
        help="GeoJSON (RFC 7946), KML (Google Earth), GeoPackage (QGIS), FlatGeobuf or zipped "
        "Shapefile; default: from the -o suffix (.geojson .kml .gpkg .fgb .shp.zip), else "
        "GeoJSON on standard output. Only GeoJSON goes to standard output.",
    )(output_opt()(checked))


_KM_HELP = "Range: km (480, 480km), miles (1000mi) or nautical miles (300nmi)."
_SITE_HELP = (
    'Catalog id or area site id (see "rangemap sites"), a place name ("Warsaw", "Paris, FR") '
    "or LAT,LON"
)
_AREA_HELP = (
    "Launch area from a GeoJSON file (RFC 7946 lon/lat polygons): ranges are measured from "
    "anywhere in it"
)
#: An area file: read and checked by rangemap.area_files.read_geojson_area (it says what is wrong).
_AREA_FILE = click.Path(dir_okay=False, path_type=Path)
_DISPERSAL_HELP = (
    "Launchers anywhere within KM of the --site point (a dispersal area), not at the point."
)
_dispersal_opt = click.option(
    "--dispersal", type=RANGE, default=None, metavar="KM", help=_DISPERSAL_HELP
)


def launch_opts(command: Callable) -> Callable:
    """--site, --area FILE.geojson and --dispersal KM, passed on as one `site` Location
    (rangemap.locations.launch_location decides what they mean together)."""

    @functools.wraps(command)
    def wrapper(*args: Any, site: str | None, area: Path | None, dispersal: float | None, **kw):
        from rangemap.locations import launch_location

        return command(*args, site=launch_location(site, area=area, dispersal_km=dispersal), **kw)

    wrapper = _dispersal_opt(wrapper)
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
        from rangemap.locations import area_names, geojson_location, launch_location

        if dispersal is not None and not sites:
            raise InputError("--dispersal widens --site points: give at least one --site.")
        located = [launch_location(s, dispersal_km=dispersal) for s in sites]
        named = zip(areas, area_names(list(areas)), strict=True)
        located += [geojson_location(path, name=name) for path, name in named]
        return command(*args, sites=located, **kw)

    wrapper = _dispersal_opt(wrapper)
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


lang_opt = click.option(
    "--lang",
    # One choice per phrases file (rangemap/phrases/LANG.yaml): a new file is a new language.
    type=click.Choice(sorted(p.stem for p in (Path(__file__).parent / "phrases").glob("*.yaml"))),
    default=None,
    help="Language of the text: de, en, fr, pl, ro, ru or uk (numbers and units as the "
    "language writes them; country and city names from CLDR). Default: the scene's lang, "
    "else en.",
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
    help="Add the systems and sites of a catalog FILE (YAML, as in layers/; every field: "
    '"rangemap reference") to the built-in catalog; repeat for several.',
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


def map_opts(command: Callable) -> Callable:
    """The options of `map`: HTML (tiles, projection, embedding), texts, static images."""
    options = [
        output_opt(
            "Write the map to FILE (default: output/SCENE.html, output/ created if missing); "
            "FILE.png, FILE.svg or FILE.pdf draws a static map instead."
        ),
        click.option(
            "--offline", is_flag=True, help="Draw the countries as the basemap: no map tiles."
        ),
        click.option(
            "--self-contained",
            is_flag=True,
            help="One file that makes no request at all (Leaflet is always inlined; implies "
            "--offline).",
        ),
        click.option(
            "--projection",
            type=click.Choice(["mercator", "aeqd"]),
            default=None,
            help="HTML maps: mercator (Web Mercator, tiles) or aeqd (azimuthal equidistant "
            "centred on the scene, true distances from the centre). Default: the scene's, else "
            "aeqd when Mercator would misdraw a ring by more than 1.5x (README).",
        ),
        text_opt("--title", "Title above the map (replaces the scene's)."),
        text_opt("--subtitle", "Subtitle (replaces the scene's)."),
        text_opt("--caption", "Caption below the map (replaces the scene's)."),
        click.option(
            "--embed-url",
            default=None,
            metavar="URL",
            help="Where the map will be hosted (absolute http(s) URL): the src of the <iframe> "
            "snippet, percent-encoded. Default: the map's file name, relative to the article.",
        ),
        click.option(
            "--size",
            type=SizeParam(),
            default="1800x1200",
            show_default=True,
            metavar="WIDTHxHEIGHT",
            help="Static maps (-o FILE.png, .svg or .pdf): size in pixels.",
        ),
        click.option(
            "--dpi",
            type=click.IntRange(min=50, max=1200),
            default=200,
            show_default=True,
            help="Static maps: dots per inch (type and lines scale with the size in inches).",
        ),
        lang_opt,
        click.option(
            "--preset",
            default=None,
            metavar="NAME",
            callback=_preset,
            help="Static maps: the size and layout for where the image goes, instead of --size "
            "and --dpi: social-landscape (1200x675), social-square (1080x1080), social-portrait "
            "(1080x1350), a4, a4-landscape, letter, letter-landscape (300 dpi). Without -o: "
            "output/SCENE-NAME.png (.pdf for the pages).",
        ),
        click.option(
            "--step",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Static maps: draw step N of the scene's story (1 is the lead, what the map "
            "draws by default), with the step's text under the title.",
        ),
        click.option(
            "--steps",
            "all_steps",
            is_flag=True,
            help="Static maps: one image per step of the story (a social carousel): "
            "map.png -> map-step1.png, map-step2.png ...",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
