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


def _runs(out: Path) -> list[tuple[str, list[str]]]:
    """(name, argv) for every output: files under `out`, stdout captured as NAME.stdout."""
    runs: list[tuple[str, list[str]]] = []
    for scene in builtin_scenes():
        for variant, flags in (
            ("tiles", []),
            ("offline", ["--offline"]),
            ("self", ["--self-contained"]),
        ):
            runs.append(
                (
                    f"map-{scene}-{variant}",
                    ["map", scene, *flags, "-o", str(out / f"{scene}-{variant}.html")],
                )
            )
        for ext in ("png", "svg"):
            runs.append(
                (
                    f"static-{scene}-{ext}",
                    [
                        "map",
                        scene,
                        "--size",
                        "900x600",
                        "--dpi",
                        "100",
                        "-o",
                        str(out / f"{scene}.{ext}"),
                    ],
                )
            )
        for fmt in ("geojson", "kml", "gpkg"):
            runs.append(
                (
                    f"export-{scene}-{fmt}",
                    ["export", scene, "-o", str(out / f"export-{scene}.{fmt}")],
                )
            )
        runs.append((f"export-{scene}-stdout", ["export", scene]))
        for fmt in ("table", "csv", "json", "md"):
            for what, flags in (
                ("countries", []),
                ("cities", ["--cities"]),
                ("capitals", ["--capitals"]),
            ):
                runs.append(
                    (f"table-{scene}-{what}-{fmt}", ["table", scene, *flags, "--format", fmt])
                )
    for fmt in ("table", "csv", "json", "md"):
        runs.append((f"sites-{fmt}", ["sites", "--format", fmt]))
        runs.append((f"systems-{fmt}", ["systems", "--format", fmt]))
        for what, flags in (
            ("countries", []),
            ("cities", ["--cities"]),
            ("capitals", ["--capitals"]),
        ):
            runs.append(
                (
                    f"coverage-{what}-{fmt}",
                    [
                        "coverage",
                        "--site",
                        "kaliningrad",
                        "--km",
                        "480",
                        "--km",
                        "2350",
                        *flags,
                        "--format",
                        fmt,
                    ],
                )
            )
            runs.append(
                (
                    f"batch-{what}-{fmt}",
                    ["batch", str(out / "rings.csv"), "-j", "1", *flags, "--format", fmt],
                )
            )
        runs.append(
            (
                f"coverage-band-{fmt}",
                [
                    "coverage",
                    "--site",
                    "54.7,20.5",
                    "--km",
                    "5500",
                    "--km-min",
                    "500",
                    "--format",
                    fmt,
                ],
            )
        )
        runs.append(
            (
                f"compare-{fmt}",
                [
                    "compare",
                    "--site",
                    "kaliningrad",
                    "--km",
                    "480",
                    "--km",
                    "2350",
                    "--format",
                    fmt,
                ],
            )
        )
        runs.append(
            (
                f"compare-sites-{fmt}",
                [
                    "compare",
                    "--site",
                    "kaliningrad",
                    "--site",
                    "Warsaw",
                    "--km",
                    "1000",
                    "--format",
                    fmt,
                ],
            )
        )
        runs.append(
            (f"reach-{fmt}", ["reach", "--target", "Berlin", "--km", "2350", "--format", fmt])
        )
    runs.append(("ring-stdout", ["ring", "--site", "kaliningrad", "--km", "5500"]))
    runs.append(
        ("ring-band-stdout", ["ring", "--site", "kaliningrad", "--km", "2350", "--km-min", "480"])
    )
    for fmt in ("geojson", "kml", "gpkg"):
        runs.append(
            (
                f"ring-{fmt}",
                ["ring", "--site", "kaliningrad", "--km", "5500", "-o", str(out / f"ring.{fmt}")],
            )
        )
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
