"""Whole-process timings, side by side with the straightforward approach, as ratios.

Run from the repository root:
    python benchmarks/bench_process.py [--runs N] [--repo DIR] [--before OLD_DIR]

Every command runs as a fresh subprocess (interpreter start-up, imports, data loading and
output included), the pairs interleaved so that both sides see the same machine load; the
tables give medians. Measured:
- `rangemap coverage --site kaliningrad --km 5500` against benchmarks/straightforward_coverage.py
  (geopandas reads the Natural Earth shapefile zip, AEQD, buffer, overlay, EPSG:6933 areas):
  target rangemap <= 0.5 x straightforward;
- `rangemap map` (the default map) against a bare `python -c "import geopandas, folium"`:
  target <= 2 x (skipped when this checkout has no `map` command);
- where each command spends its time: stages timed inside one fresh process each.
`rangemap` runs as `python -m rangemap` with PYTHONPATH set to --repo (default: this checkout),
so an older checkout (`git archive COMMIT | tar -x -C DIR`) can be measured for before/after;
--before OLD_DIR times OLD_DIR's `coverage` and `map` interleaved with --repo's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE, KM = "kaliningrad", 5500

#: In-process stages of `rangemap coverage --site kaliningrad --km 5500`, each timed once per
#: fresh interpreter (the import stages also include what earlier stages did not import).
STAGES = r"""
import time
marks = [("", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import click, rangemap.cli; mark("click + rangemap.cli")
import numpy, shapely, pyproj; mark("numpy, shapely, pyproj")
from rangemap import coverage as cov, tables; mark("rangemap.coverage (rest)")
from rangemap.locations import resolve
site = resolve("kaliningrad"); mark("resolve the site (catalog)")
from rangemap import layers
layers.countries(); mark("load the countries layer")
ring = cov.make_ring(site, 5500); mark("geodesic ring")
rows = cov.country_rows(ring); mark("country_rows")
tables.render(rows, "table"); mark("render the table")
print(";".join(f"{n}={b - a}" for (_, a), (n, b) in zip(marks, marks[1:])))
"""

#: The same for `rangemap map` (the default scene), through the functions the command calls.
MAP_STAGES = r"""
import sys, tempfile, time
marks = [("", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import click, rangemap.cli; mark("click + rangemap.cli")
from rangemap.render.html_map import render_map, save_map; mark("import html_map")
from rangemap.scene import DEFAULT_SCENE, load_scene
from rangemap.scene_build import resolve_scene
scene = load_scene(DEFAULT_SCENE); mark("load the scene and the catalog")
from rangemap import layers
layers.countries(); layers.cities(); mark("load the countries and cities layers")
resolved = resolve_scene(scene); mark("resolve the scene: coverage of every ring")
the_map = render_map(resolved); mark("render the map")
save_map(the_map, tempfile.mkdtemp() + "/map.html"); mark("save")
print(";".join(f"{n}={b - a}" for (_, a), (n, b) in zip(marks, marks[1:])))
"""


def timed(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def compare(
    pairs: dict[str, Sequence[str]],
    runs: int,
    env: dict[str, str],
    cwd: Path,
    envs: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[float]]:
    """Run each command `runs` times, interleaved (one warm-up run each, not counted).

    `envs` gives some commands their own environment (another checkout on PYTHONPATH).
    """
    envs = envs or {}
    times: dict[str, list[float]] = {name: [] for name in pairs}
    for name, cmd in pairs.items():
        timed(cmd, envs.get(name, env), cwd)
    for _ in range(runs):
        for name, cmd in pairs.items():
            times[name].append(timed(cmd, envs.get(name, env), cwd))
    return times


def stages(script: str, runs: int, env: dict[str, str], cwd: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        text = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=cwd, check=True, capture_output=True,
            text=True,
        ).stdout  # fmt: skip
        for item in text.strip().split(";"):
            name, seconds = item.split("=")
            out.setdefault(name, []).append(float(seconds))
    return out


def has_map_command(rangemap: list[str], env: dict[str, str], cwd: Path) -> bool:
    probe = subprocess.run([*rangemap, "map", "--help"], env=env, cwd=cwd, capture_output=True)
    return probe.returncode == 0


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed runs per command")
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="checkout to time")
    parser.add_argument(
        "--before", type=Path, default=None, help="also time this older checkout, interleaved"
    )
    args = parser.parse_args()
    repo = args.repo.resolve()
    # As a user's Python runs: bytecode cached. PYTHONDONTWRITEBYTECODE (set in some
    # sandboxes) would make every run compile the checkout's sources again (~0.2 s).
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**base, "PYTHONPATH": str(repo)}
    py = sys.executable
    rangemap = [py, "-m", "rangemap"]
    sys.path.insert(0, str(repo))
    from rangemap.locations import resolve

    site = resolve(SITE)
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)  # `rangemap map` writes output/<scene>.html here, not into the repo
        coverage = compare(
            {
                "rangemap": [*rangemap, "coverage", "--site", SITE, "--km", str(KM)],
                "straightforward": [py, str(HERE / "straightforward_coverage.py"),
                                    str(site.lat), str(site.lon), str(KM)],
                "python -c pass": [py, "-c", "pass"],
            },
            args.runs, env, cwd,
        )  # fmt: skip
        maps = None
        if has_map_command(rangemap, env, cwd):
            maps = compare(
                {
                    "rangemap map": [*rangemap, "map"],
                    "import geopandas, folium": [py, "-c", "import geopandas, folium"],
                },
                args.runs,
                env,
                cwd,
            )
        before = None
        if args.before is not None:
            old_env = {**base, "PYTHONPATH": str(args.before.resolve())}
            pairs = {
                "before: coverage": [*rangemap, "coverage", "--site", SITE, "--km", str(KM)],
                "after: coverage": [*rangemap, "coverage", "--site", SITE, "--km", str(KM)],
            }
            if maps is not None:
                pairs |= {"before: map": [*rangemap, "map"], "after: map": [*rangemap, "map"]}
            envs = {name: old_env for name in pairs if name.startswith("before")}
            before = compare(pairs, args.runs, env, cwd, envs)
        breakdown = stages(STAGES, args.runs, env, cwd)
        map_breakdown = None
        if maps is not None:
            try:
                map_breakdown = stages(MAP_STAGES, args.runs, env, cwd)
            except subprocess.CalledProcessError:  # the map's functions were renamed
                map_breakdown = None

    ours, plain = coverage["rangemap"], coverage["straightforward"]
    print(f"checkout: {repo}; median of {args.runs} fresh processes each\n")
    print("| command | rangemap | straightforward | rangemap / straightforward | target |")
    print("|---|---|---|---|---|")
    print(f"| `coverage --site {SITE} --km {KM}` | {ms(ours)} | {ms(plain)} | "
          f"{statistics.median(ours) / statistics.median(plain):.2f} | <= 0.5 |")  # fmt: skip
    if maps is None:
        print("| `map` | - | - | - | skipped: no `map` command in this checkout |")
    else:
        ours, bare = maps["rangemap map"], maps["import geopandas, folium"]
        print(f"| `map` (default scene) vs `python -c \"import geopandas, folium\"` | {ms(ours)} "
              f"| {ms(bare)} | {statistics.median(ours) / statistics.median(bare):.2f} "
              "| <= 2 |")  # fmt: skip
    if before is not None:
        print(f"\nbefore ({args.before}) and after ({repo}), interleaved:\n")
        print("| command | before | after | after / before |")
        print("|---|---|---|---|")
        for command in ("coverage", "map"):
            if f"before: {command}" in before:
                old, new = before[f"before: {command}"], before[f"after: {command}"]
                print(f"| `{command}` | {ms(old)} | {ms(new)} | "
                      f"{statistics.median(new) / statistics.median(old):.2f} |")  # fmt: skip
    print(f"\ninterpreter start-up alone (`python -c pass`): {ms(coverage['python -c pass'])}\n")
    print_stages("coverage", breakdown)
    if map_breakdown is not None:
        print()
        print_stages("map", map_breakdown)


def print_stages(command: str, breakdown: dict[str, list[float]]) -> None:
    print(f"Where `{command}` spends its time inside the process (median per stage):\n")
    print("| stage | median |")
    print("|---|---|")
    for name, values in breakdown.items():
        print(f"| {name} | {statistics.median(values) * 1e3:.1f} ms |")
    total = [sum(v) for v in zip(*breakdown.values(), strict=True)]
    print(f"| total in-process | {statistics.median(total) * 1e3:.1f} ms |")


if __name__ == "__main__":
    main()
