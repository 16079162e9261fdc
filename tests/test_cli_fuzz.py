"""Fuzzing the command line: whatever the arguments, a command exits 0, 1 or 2 with at most
one message, never a traceback (click's CliRunner, so thousands of cases run in seconds)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rangemap.cli import cli

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Values that meant something to some part of the program once: numbers YAML 1.1 or float()
#: read in surprising ways, limits, coordinates, names, markup and bytes that are not UTF-8.
HOSTILE = [
    "0", "-1", "1e-12", "1e306", "-1e306", "1.8e305", "nan", "inf", "-inf", "1_0", "0x10",
    "1:30", "true", "\uff11\uff10", "480", "20004", "19970", "2350", "1e3", "", " ", "-",
    "90,0", "-90,0", "0,180", "91,0", "0,181", "1_0,2_0", "54.7,20.5", "nan,0", "54.7;20.5",
    "kaliningrad", "Kaliningrad", "deveselu", "Warsaw", "Paris, FR", "Berlin", "Springfield",
    "<img src=x onerror=alert(1)>", "=HYPERLINK(1)", "a|b", "a\nb", "a\x00b", "\x1b[31m",
    "caf\udce9", "\u202e", "javascript:alert(1)", "x" * 300,
]  # fmt: skip
#: Small ranges: a valid ring is then cheap, so the fuzzing stays fast.
_km = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-5, max_value=60).map(lambda x: f"{x:g}"),
    st.text(max_size=8),
)
_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
_format = st.sampled_from(["table", "csv", "json", "md", "geojson", "kml", "gpkg", "xlsx"])
#: Output names inside the scratch folder only: no "/" (an absolute or ".." path written as
#: root would land anywhere), plus a few chosen ones.
_output = st.one_of(
    st.text(max_size=30).filter(lambda s: "/" not in s and s not in (".", "..")),
    st.sampled_from(
        ["-", "out.csv", "out.gpkg", "out.kml", "nope/x.csv", "/dev/null", "x" * 300 + ".csv",
         "caf\udce9.csv", "a\x00b.csv", "s.yaml", "link.csv", "fifo"]
    ),
)  # fmt: skip

_SCRATCH = Path(tempfile.mkdtemp(prefix="rangemap-cli-fuzz-"))
(_SCRATCH / "s.yaml").write_text("title: T\nsites:\n  - site: '54.35,18.65'\n", encoding="utf-8")
with contextlib.suppress(FileExistsError):
    (_SCRATCH / "link.csv").symlink_to(_SCRATCH / "nowhere.csv")
    os.mkfifo(_SCRATCH / "fifo")
    os.mkfifo(_SCRATCH / "fifo.geojson")
    (_SCRATCH / "zero.geojson").symlink_to("/dev/zero")
(_SCRATCH / "r.csv").write_text("site,km\nkaliningrad,5\n", encoding="utf-8")

#: Area files as an attacker wrote them (issue: each of these once hung, ate memory, crashed
#: or was silently changed), plus two good ones sharing a stem in different folders.
_SQUARE = [[20, 54], [20.2, 54], [20.2, 54.2], [20, 54.2], [20, 54]]


def _area_text(*rings: list, kind: str = "Polygon") -> str:
    return json.dumps({"type": kind, "coordinates": list(rings)})


_OK = _area_text(_SQUARE)
_SHIFTED = [[x + 5, y] for x, y in _SQUARE]
_SLIVERS = [
    [[[x / 100, 0], [x / 100 + 0.005, 0], [x / 100, 0.005], [x / 100, 0]]] for x in range(1500)
]
AREA_TEXTS = {
    "ok.geojson": _OK,
    "d2/ok.geojson": _area_text(_SHIFTED),
    "blob.geojson": '{"type": "Blob"}',
    "five.geojson": '{"type": "GeometryCollection", "geometries": 5}',
    "nan.geojson": _OK.replace("20, 54]", "NaN, 54]"),
    "deep.geojson": '{"type": "GeometryCollection", "geometries": [' * 3000 + "]}" * 3000,
    "digits.geojson": _OK.replace("20.2", "9" * 5000, 1),
    "true.geojson": _OK.replace("54.2]", "true]", 1),
    "bowtie.geojson": _area_text([[20, 54], [21, 55], [21, 54], [20, 55], [20, 54]]),
    "hole.geojson": _area_text(_SQUARE, _SHIFTED),
    "parts.geojson": _area_text(*_SLIVERS, kind="MultiPolygon"),
    "`${x}<script>.geojson": _OK,
    "o\u200bk.geojson": _OK,
}
(_SCRATCH / "d2").mkdir(exist_ok=True)
for _file, _content in AREA_TEXTS.items():
    (_SCRATCH / _file).write_text(_content, encoding="utf-8")
_area = st.sampled_from([*AREA_TEXTS, "fifo.geojson", "zero.geojson", "missing.geojson", "d2"])
#: Scheduler addresses that fail before any network: schemes, malformed forms, a closed port.
_scheduler = st.sampled_from(
    ["ws://127.0.0.1:1", "tls://127.0.0.1:1", "ucx://x:1", "inproc://x", "tcp://:1", "tcp://x",
     "127.0.0.1:99999", "", "tcp://127.0.0.1:1", "local:x", "\u202e"]
)  # fmt: skip


def check(args: list[str]) -> None:
    """The property: exit status 0, 1 or 2, and no exception other than click's exit.

    NUL bytes are dropped, as from any real command line: argv holds C strings.
    """
    args = [arg.replace("\x00", "") for arg in args]
    with contextlib.chdir(_SCRATCH):
        result = CliRunner().invoke(cli, args, catch_exceptions=True)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output


def _pairs(draw: st.DrawFn, options: dict[str, st.SearchStrategy[str]]) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(sorted(options)), max_size=5))
    return [item for name in chosen for item in (name, draw(options[name]))]


@st.composite
def ring_args(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["ring", "coverage", "compare", "reach"]))
    options = {"--site": _text, "--km": _km, "--km-min": _km, "--format": _format,
               "--target": _text, "--output": _output, "--area": _area,
               "--dispersal": _km}  # fmt: skip
    return [command, *_pairs(draw, options), *draw(st.lists(st.sampled_from(["--cities",
            "--capitals", "--help", "-v", "-q"]), max_size=2))]  # fmt: skip


@st.composite
def output_args(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["sites", "systems"]))
    return [command, "--format", draw(_format), "-o", draw(_output)]


@st.composite
def map_args(draw: st.DrawFn) -> list[str]:
    """Everything `map` reads before it draws: the scene argument and the text options."""
    scene = draw(st.sampled_from(["missing.yaml", "/dev/zero", "fifo", "inf-2021", "s.yaml"]))
    options = {"--title": _text, "--subtitle": _text, "--caption": _text, "--size": _text,
               "--dpi": _text, "--output": _output}  # fmt: skip
    command = draw(st.sampled_from(["map", "table", "export"]))
    if command != "map":
        options = {"--output": _output, "--format": _format}
    return [command, scene, *_pairs(draw, options)]


@FUZZ
@given(ring_args())
@example(["ring", "--site", "90,0", "--km", "1e-12"])
@example(["coverage", "--site", "kaliningrad", "--km", "1e306"])
@example(["compare", "--site", "kaliningrad", "--km", "5", "--km", "5"])
def test_ring_and_coverage_arguments(args: list[str]) -> None:
    check(args)


@FUZZ
@given(output_args())
@example(["sites", "--format", "csv", "-o", "a\x00b.csv"])
@example(["sites", "--format", "md", "-o", "/dev/null"])
def test_output_arguments(args: list[str]) -> None:
    check(args)


@FUZZ
@given(map_args())
@example(["map", "missing.yaml", "--title", "caf\udce9"])
@example(["table", "s.yaml", "-o", "s.yaml"])
def test_scene_command_arguments(args: list[str]) -> None:
    check(args)


@st.composite
def batch_args(draw: st.DrawFn) -> list[str]:
    """batch with a scheduler address that can be refused without reaching any network."""
    return ["batch", "r.csv", "--scheduler", draw(_scheduler), *draw(st.lists(
        st.sampled_from(["--cities", "--capitals", "-v"]), max_size=2))]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_args())
@example(["batch", "r.csv", "--scheduler", "inproc://x"])
def test_batch_scheduler_arguments(args: list[str]) -> None:
    check(args)


@pytest.mark.parametrize("name", sorted([*AREA_TEXTS, "fifo.geojson", "zero.geojson"]))
def test_every_hostile_area_file_is_one_message_or_a_result(name: str) -> None:
    """Each file at least once, whatever the fuzzing draws: exit 0 or 2, never a traceback."""
    check(["coverage", "--area", name, "--km", "5"])
    check(["compare", "--area", name, "--area", "d2/ok.geojson", "--km", "5"])
