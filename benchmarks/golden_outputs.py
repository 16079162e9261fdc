"""Render every output of the built-in scenes and the CLI's commands, and list their sha256.

Run from the repository root, before and after a refactoring that must not change any byte:
    python benchmarks/golden_outputs.py OUT_DIR > before.txt
    python benchmarks/golden_outputs.py OUT_DIR2 > after.txt && diff before.txt after.txt
Each output goes through the CLI in-process (click's CliRunner), so the commands, the Python
functions behind them and their options are all covered.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from click.testing import CliRunner

from rangemap.cli import cli
from rangemap.scene import builtin_scenes

BATCH_CSV = 'site,km,km_min,label\nkaliningrad,480,,\n"54.7,20.5",2350,500,band\nWarsaw,1000,,\n'


def _argv(line: str, *more: str) -> list[str]:
    """A command line's words (none has a space), then `more` (paths may)."""
    return [*line.split(), *more]


def _runs(out: Path) -> list[tuple[str, list[str]]]:
    """(name, argv) for every output: files under `out`, stdout captured as NAME.stdout."""
    runs: list[tuple[str, list[str]]] = []
    places = (("countries", []), ("cities", ["--cities"]), ("capitals", ["--capitals"]))
    formats = ("table", "csv", "json", "md")
    for scene in builtin_scenes():
        for variant, flags in (("tiles", []), ("offline", ["--offline"]),
                               ("self", ["--self-contained"])):  # fmt: skip
            html = str(out / f"{scene}-{variant}.html")
            runs.append((f"map-{scene}-{variant}", ["map", scene, *flags, "-o", html]))
        for ext in ("png", "svg"):
            image = str(out / f"{scene}.{ext}")
            argv = _argv(f"map {scene} --size 900x600 --dpi 100 -o", image)
            runs.append((f"static-{scene}-{ext}", argv))
        for fmt in ("geojson", "kml", "gpkg"):
            gis = str(out / f"export-{scene}.{fmt}")
            runs.append((f"export-{scene}-{fmt}", ["export", scene, "-o", gis]))
        runs.append((f"export-{scene}-stdout", ["export", scene]))
        for fmt in formats:
            for what, flags in places:
                argv = ["table", scene, *flags, "--format", fmt]
                runs.append((f"table-{scene}-{what}-{fmt}", argv))
    commands = {  # name -> arguments before --format
        "coverage-band": "coverage --site 54.7,20.5 --km 5500 --km-min 500",
        "compare": "compare --site kaliningrad --km 480 --km 2350",
        "compare-sites": "compare --site kaliningrad --site Warsaw --km 1000",
        "reach": "reach --target Berlin --km 2350",
    }
    for fmt in formats:
        runs.append((f"sites-{fmt}", ["sites", "--format", fmt]))
        runs.append((f"systems-{fmt}", ["systems", "--format", fmt]))
        for what, flags in places:
            argv = _argv("coverage --site kaliningrad --km 480 --km 2350", *flags, "--format", fmt)
            runs.append((f"coverage-{what}-{fmt}", argv))
            argv = ["batch", str(out / "rings.csv"), "-j", "1", *flags, "--format", fmt]
            runs.append((f"batch-{what}-{fmt}", argv))
        for name, args in commands.items():
            runs.append((f"{name}-{fmt}", _argv(args, "--format", fmt)))
    runs.append(("ring-stdout", _argv("ring --site kaliningrad --km 5500")))
    runs.append(("ring-band-stdout", _argv("ring --site kaliningrad --km 2350 --km-min 480")))
    for fmt in ("geojson", "kml", "gpkg"):
        argv = _argv("ring --site kaliningrad --km 5500 -o", str(out / f"ring.{fmt}"))
        runs.append((f"ring-{fmt}", argv))
    runs.append(("scenes", ["scenes"]))
    return runs


def main(out: Path) -> int:
    """Write every output into `out`, print `sha256  name` lines sorted by name."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "rings.csv").write_text(BATCH_CSV, encoding="utf-8")
    runner = CliRunner()
    failed = 0
    for name, argv in _runs(out):
        result = runner.invoke(cli, argv, catch_exceptions=True)
        if result.exit_code != 0:
            print(
                f"FAILED {name}: {result.exit_code} {result.output} {result.exception!r}",
                file=sys.stderr,
            )
            failed += 1
        # stdout only: stderr's "wrote PATH" notices name the folder, which differs per run.
        (out / f"{name}.stdout").write_bytes(result.stdout_bytes.replace(os.fsencode(out), b"OUT"))
    for path in sorted(out.iterdir()):
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
