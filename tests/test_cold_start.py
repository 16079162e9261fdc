"""Cold start: each command imports only what it needs (pandas, geopandas, folium cost ~0.5 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: Runs the CLI in a fresh interpreter, then lists which of the heavy packages got imported.
_PROBE = """
import json, sys
from rangemap.cli import cli
try:
    cli(sys.argv[1:], prog_name="rangemap", standalone_mode=False)
finally:
    heavy = ("pandas", "geopandas", "folium", "matplotlib", "pyogrio", "pydantic", "yaml")
    sys.stderr.write("@@" + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""


def imported(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=REPO, capture_output=True, text=True, check=True
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("@@"))
    return json.loads(line[2:])


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], []),
        (["coverage", "--site", "54.7,20.5", "--km", "500"], []),
        # A catalog id needs the validated catalog (pydantic, YAML), never pandas or folium.
        (["coverage", "--site", "kaliningrad", "--km", "5500"], ["pydantic", "yaml"]),
    ],
)
def test_command_imports_only_what_it_needs(args: list[str], allowed: list[str]) -> None:
    assert imported(*args) == allowed


def test_html_map_imports_no_frame_or_drawing_library(tmp_path: Path) -> None:
    """The page is built from the package's own template: making it needs neither pandas
    nor geopandas, folium or matplotlib (about half a second of imports)."""
    out = tmp_path / "m.html"
    assert imported("-q", "map", "us-germany-2024", "-o", str(out)) == ["pydantic", "yaml"]
    assert out.stat().st_size > 0


def test_batch_imports_no_pandas_or_folium(tmp_path: Path) -> None:
    rings = tmp_path / "rings.csv"
    rings.write_text('site,km\n"54.7,20.5",500\n', encoding="utf-8")
    # Rows are checked by a pydantic model, as catalogs and scenes are; never pandas or folium.
    assert imported("batch", str(rings), "--jobs", "1") == ["pydantic"]
