"""Time loading the country and city layers: cold (fresh interpreter) and warm (loader only).

Run from the repository root:  python benchmarks/bench_layers.py [--runs N]

Cold: N fresh interpreters, each importing rangemap.layers (numpy, shapely, pyproj-free core)
and loading both layers; reported as the time inside the process from before the imports to
the loaded layers, and the wall time of the whole subprocess (interpreter start-up included).
Warm: in one process with numpy/shapely already imported, the loaders are called N times on the
committed files (bypassing the functools.cache); the files are then in the OS page cache.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

COLD = (
    "import time; t0 = time.perf_counter(); import rangemap.layers as l; t1 = time.perf_counter(); "
    "l.countries(); l.cities(); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)


def cold(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Per run: import time, load time, wall time of the subprocess (all seconds)."""
    imports, loads, walls = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD], cwd=REPO, capture_output=True, text=True, check=True
        )
        walls.append(time.perf_counter() - start)
        t_import, t_load = map(float, out.stdout.split())
        imports.append(t_import)
        loads.append(t_load)
    return imports, loads, walls


def warm(runs: int) -> dict[str, list[float]]:
    """Per run, seconds to load each layer file with the loader's private functions."""
    from rangemap import layers

    data = layers.layers_dir() / "data"
    timings: dict[str, list[float]] = {"countries": [], "cities": []}
    layers._load_countries(data / layers.COUNTRIES_FILE)  # page cache, first-call costs
    for _ in range(runs):
        start = time.perf_counter()
        layers._load_countries(data / layers.COUNTRIES_FILE)
        middle = time.perf_counter()
        layers._load_cities(data / layers.CITIES_FILE)
        timings["countries"].append(middle - start)
        timings["cities"].append(time.perf_counter() - middle)
    return timings


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1e3:6.1f} ms  (min {min(values) * 1e3:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per measurement (default 9)")
    runs = parser.parse_args().runs

    from rangemap import layers

    data = layers.layers_dir() / "data"
    for name in (layers.COUNTRIES_FILE, layers.CITIES_FILE):
        print(f"{name:14s} {(data / name).stat().st_size / 1e6:5.1f} MB")
    imports, loads, walls = cold(runs)
    total = [a + b for a, b in zip(imports, loads, strict=True)]
    print(f"cold, {runs} fresh interpreters:")
    print(f"  import rangemap.layers       {_ms(imports)}")
    print(f"  countries() + cities()       {_ms(loads)}")
    print(f"  imports + load               {_ms(total)}")
    print(f"  whole subprocess (wall)      {_ms(walls)}")
    timings = warm(runs)
    both = [a + b for a, b in zip(timings["countries"], timings["cities"], strict=True)]
    print(f"warm, {runs} loads in one process:")
    print(f"  countries (full, display, tiles) {_ms(timings['countries'])}")
    print(f"  cities                           {_ms(timings['cities'])}")
    print(f"  both                             {_ms(both)}")


if __name__ == "__main__":
    main()
