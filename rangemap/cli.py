"""The rangemap command line: a thin front over the package's functions."""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rangemap import __version__, tables
from rangemap.cli_params import (
    RANGE,
    BadInput,
    catalog_opt,
    gis_opts,
    km_min_opt,
    km_opt,
    lang_opt,
    launch_list_opts,
    launch_opts,
    map_opts,
    output_opt,
    places_opts,
    scene_arg,
    table_opts,
)
from rangemap.errors import RangemapError, describe_os_error
from rangemap.output import atomic_path, check_writable, write_text

if TYPE_CHECKING:
    from rangemap.locations import Location

log = logging.getLogger("rangemap")


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


class _Echo(logging.Handler):
    """Log records on standard error through click, so CliRunner and pipes both see them."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _wrote(path: Path, what: str = "") -> None:
    log.info("wrote %s%s", path, what)


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
    width: int | None = None,
    cut: Sequence[str] | None = None,
) -> None:
    """A table in `fmt` (rangemap.tables), through _emit; text and Markdown tables end with
    their `notes`, CSV and JSON stay plain data. `width` keeps a text table's lines to it,
    cutting the text of the `cut` columns."""
    text = tables.render(rows, fmt, columns=columns, width=width, cut=cut)
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


wide_opt = click.option(
    "--wide",
    is_flag=True,
    help="Text table: every column, uncut (by default the table fits 160 columns and the "
    "full text is in --format csv, json or md).",
)


def _emit_listing(
    command: str, rows: Sequence[Any], fmt: str, output: Path | None, wide: bool, **kw: Any
) -> None:
    """A listing (sites, systems, reach): as a text table, the columns a reader scans, cut
    to fit 160 columns, and a line saying where the rest is; every column otherwise."""
    from rangemap import reports

    if fmt != "table" or wide:
        _emit_table(rows, fmt, output, **kw)
        return
    columns, brief = reports.brief(command, rows)
    notes = [*kw.get("notes", []), reports.BRIEF_NOTE]
    _emit_table(
        brief,
        fmt,
        output,
        columns=columns,
        notes=notes,
        width=tables.TERMINAL_WIDTH,
        cut=reports.CUT_COLUMNS[command],
    )


@cli.command()
@catalog_opt
@table_opts
@wide_opt
def sites(fmt: str, output: Path | None, wide: bool) -> None:
    """List the basing sites and the launch areas (kind "area": ranges from anywhere in
    them, such as kaliningrad-region and belarus): position, what the point or area marks,
    hosted systems, sources. Every id works as --site.

    Example: rangemap sites --format csv
    """
    from rangemap import reports

    _emit_listing("sites", reports.site_rows(), fmt, output, wide)


@cli.command()
@catalog_opt
@table_opts
@wide_opt
def systems(fmt: str, output: Path | None, wide: bool) -> None:
    """List every range claim: what it says, kind, who claims it, sources, status.

    A claim reads as a figure, "at least", "up to" or an interval, with what the figure
    holds for where the source says ("with a nuclear warhead"); each carries the status of
    its system or variant (in service, deployed, tested, planned, retired) with sources.

    Example: rangemap systems --format md
    """
    from rangemap import reports

    _emit_listing("systems", reports.claim_rows(), fmt, output, wide)


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
@wide_opt
def reach(
    target: str,
    sites: list[Location],
    km: float | None,
    fmt: str,
    output: Path | None,
    wide: bool,
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

    place = resolve_site(target)
    rows = find(place, km, sites=sites or None)
    notes = [f"Target: {place.name} ({place.lat:.4f}, {place.lon:.4f})"]
    _emit_listing("reach", rows, fmt, output, wide, columns=ReachRow._fields, notes=notes)


@cli.command(name="map")
@catalog_opt
@scene_arg
@map_opts
def map_command(
    scene: str | None,
    output: Path | None,
    offline: bool,
    self_contained: bool,
    projection: str | None,
    embed_url: str | None,
    size: tuple[int, int],
    dpi: int,
    lang: str | None,
    preset: str | None,
    step: int | None,
    all_steps: bool,
    **texts: str | None,  # --title, --subtitle, --caption
) -> None:
    """Render SCENE as an interactive HTML map for articles; print the path written.

    SCENE is a built-in scene name (see "rangemap scenes"; default: inf-2020, the October
    2020 verification offer) or a scene YAML file. To start your own, print a built-in
    one and edit it: "rangemap scenes show inf-2020 > my.yaml", then "rangemap map
    my.yaml"; every field is explained by "rangemap reference". An <iframe> snippet to
    embed the map is written beside it (map.html -> map.embed.html): it resizes the frame
    to the map page (pass --embed-url with the map's address for an absolute src). With -o
    FILE.png, .svg or .pdf, a static map for print and social media is drawn instead, in an
    azimuthal equidistant projection centred on the scene, with its alt text beside it
    (map.png -> map.alt.txt, in --lang).

    Example: rangemap map inf-2020 --self-contained -o inf-2020.html
    """
    from rangemap.formats import MAP_SUFFIXES, output_format
    from rangemap.language import base_language
    from rangemap.render.embed import embed_path, embed_src
    from rangemap.scene import DEFAULT_SCENE, load_scene
    from rangemap.scene_build import resolve_scene

    name = scene or DEFAULT_SCENE
    if embed_url is not None:
        embed_src(embed_url)  # refuse a bad URL before any work
    the_scene = load_scene(name)
    if lang is not None:  # the page's <html lang>, its text and the embed's label
        the_scene = the_scene.model_copy(update={"lang": lang})
    output = check_writable(_map_output(name, output, preset), inputs=[name])
    if output_format(output, MAP_SUFFIXES, what="a map") == "html":
        if step is not None or all_steps:
            raise BadInput("--step and --steps draw static maps: give -o FILE.png, .svg or .pdf.")
        check_writable(embed_path(output), inputs=[name])
        resolved = resolve_scene(the_scene)
        from rangemap.render.html_map import render_map, save_embeddable

        view = {"offline": offline, "self_contained": self_contained, "projection": projection}
        the_map = render_map(resolved, **view, **texts)  # type: ignore[arg-type]
        title = texts["title"] or the_scene.title
        _, snippet = save_embeddable(
            the_map, output, title=title, url=embed_url, lang=base_language(resolved.lang)
        )
        _wrote(snippet, " (an <iframe> to embed the map)")
    else:
        if offline or self_contained:
            raise BadInput("--offline and --self-contained apply to HTML maps, not PNG, SVG, PDF.")
        if projection == "mercator":
            raise BadInput(
                "--projection mercator applies to HTML maps; static maps are always "
                "azimuthal equidistant. Leave it out or write FILE.html."
            )
        from rangemap.render.static_map import (
            alt_path,
            render_image,
            save_image_with_alt,
            sources_path,
            step_count,
            step_path,
        )

        if step is not None and all_steps:
            raise BadInput("give --step N for one step or --steps for all, not both.")
        width, height = (None, None) if preset else size
        resolved = resolve_scene(the_scene)
        count = step_count(resolved)
        if step is not None and step > count:
            raise BadInput(
                f"--step {step}: {name} has {count} step{'s' if count > 1 else ''}; "
                f"give --step 1 to {count}."
            )
        jobs = (
            [(i, step_path(output, i)) for i in range(count)]
            if all_steps
            else [(None if step is None else step - 1, output)]
        )
        for path in [p for _, p in jobs]:
            for each in (path, alt_path(path), sources_path(path)):
                check_writable(each, inputs=[name])
        for index, path in jobs:
            figure = render_image(
                resolved, preset=preset, width_px=width, height_px=height,
                dpi=None if preset else dpi, sidecar=sources_path(path).name, step=index,
                **texts,
            )  # fmt: skip
            written = save_image_with_alt(
                figure, resolved, path, lang=base_language(resolved.lang), **texts
            )
            _wrote(alt_path(written), " (the image's alt text)")
            _wrote(sources_path(written), " (its full sources, caption and legend)")
            if all_steps:
                click.echo(str(written))
        if all_steps:
            return
    click.echo(str(output))


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
def summary(scene: str | None, lang: str | None, output: Path | None, sidebar: bool) -> None:
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
    from rangemap.language import base_language

    write = sidebar_markdown if sidebar else summary_text
    the_scene = load_scene(scene or DEFAULT_SCENE)
    _emit(write(the_scene, lang=lang or base_language(the_scene.lang)), output)


@cli.group(invoke_without_command=True)
@click.pass_context
def scenes(ctx: click.Context) -> None:
    """List the built-in scenes, one a line: the name, a tab, the title; the folder of
    their files is said on standard error.

    A scene of your own starts as a copy of one: "rangemap scenes show inf-2020 > my.yaml",
    edit it (its fields: "rangemap reference"), then "rangemap map my.yaml".

    Example: rangemap scenes
    """
    if ctx.invoked_subcommand is not None:
        return
    from rangemap.scene import builtin_scenes, load_scene, scenes_dir

    for name in builtin_scenes():
        click.echo(f"{name}\t{' '.join(load_scene(name).title.split())}")
    log.info(
        "Scene files: %s. Start your own: rangemap scenes show NAME > my.yaml; "
        "fields: rangemap reference.",
        scenes_dir(),
    )


@scenes.command(name="show")
@click.argument("name", metavar="NAME")
def scenes_show(name: str) -> None:
    """Print the built-in scene NAME as its YAML file, to copy and edit as a scene of your
    own: sites, the claims drawn from each, thresholds, callouts, title and captions.

    Example: rangemap scenes show inf-2020 > my.yaml
    """
    from rangemap.errors import suggest
    from rangemap.scene import builtin_scenes, scenes_dir

    names = builtin_scenes()
    if name not in names:
        raise suggest(name, names, kind="built-in scene")
    click.echo((scenes_dir() / f"{name}.yaml").read_text(encoding="utf-8"), nl=False)


@cli.command()
def reference() -> None:
    """Print the field reference of scene and catalog files (Markdown): every key a scene
    YAML file, a --catalog file or a scene's catalog: block may hold, what it means and
    whether it is required.

    Example: rangemap reference > reference.md
    """
    from rangemap.reference import reference_text

    click.echo(reference_text(), nl=False)


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
        # At exit CPython's collector walks every object still alive (the layers, the
        # catalog), for garbage the end of the process frees anyway (BENCHMARKS.md).
        # Freezing them skips that walk; files are closed and streams flushed as usual.
        gc.freeze()
