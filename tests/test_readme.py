"""The README's examples run as written: Python blocks, the example scene, the command table."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from rangemap.cli import cli
from rangemap.scene import Scene, load_scene

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", TEXT, flags=re.M | re.S)


def test_readme_has_examples():
    assert blocks("python") and blocks("yaml")


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_examples_run(index, tmp_path, monkeypatch, capsys):
    """Each block runs on its own, in a fresh namespace, writing only to a scratch folder."""
    monkeypatch.chdir(tmp_path)
    code = blocks("python")[index]
    exec(compile(code, f"README.md python block {index + 1}", "exec"), {})
    assert capsys.readouterr().out  # it shows something
    written = sorted(p.name for p in tmp_path.iterdir())
    said = sorted(set(re.findall(r'"([\w.-]+\.(?:html|gpkg|png|svg|geojson|kml|txt))"', code)))
    assert written == said


@pytest.mark.parametrize("index", range(len(blocks("yaml"))))
def test_yaml_examples_are_valid_scenes(index, tmp_path):
    path = tmp_path / "scene.yaml"
    path.write_text(blocks("yaml")[index], encoding="utf-8")
    assert isinstance(load_scene(path), Scene)


def test_every_command_is_in_the_command_table():
    table = TEXT[TEXT.index("| command | what it gives |") : TEXT.index("### The table contract")]
    documented = set(re.findall(r"^\| `rangemap ([a-z]+)", table, flags=re.M))
    help_text = CliRunner().invoke(cli, ["--help"]).stdout
    commands = set(re.findall(r"^  ([a-z]+) ", help_text.split("Commands:")[1], flags=re.M))
    missing = commands - documented
    assert not missing, f"commands missing from README's command table: {sorted(missing)}"


ROOT = README.parent
INSTALL_BROWSER = ROOT / "tests" / "install-browser.sh"


def test_quick_start_is_two_commands_and_ci_runs_the_second_as_written():
    """A newcomer runs the two Quick start commands: the second installs what the tests
    need (the browser too), and CI runs exactly that command."""
    quick = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```sh\n(.*?)\n```", quick, flags=re.M | re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "bash tests/install-browser.sh" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci


def _fake_bin(folder: Path, tools: dict[str, str]) -> str:
    folder.mkdir()
    for name, script in tools.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{script}\n")
        path.chmod(0o755)
    return str(folder)


def _install_browser(path: str) -> subprocess.CompletedProcess:
    """Run tests/install-browser.sh with only the fake commands of `path` on PATH."""
    return subprocess.run(
        ["/bin/bash", str(INSTALL_BROWSER)],
        env={"PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_browser_does_nothing_when_the_browser_is_there(tmp_path):
    path = _fake_bin(tmp_path / "bin", {"chromium": "exit 0", "chromedriver": "exit 0"})
    result = _install_browser(path)
    assert result.returncode == 0 and result.stderr == ""


def test_install_browser_says_what_to_install_when_it_cannot(tmp_path):
    """Not root (id -u says 1000) and no browser: a message and a failure, not a red suite."""
    path = _fake_bin(tmp_path / "bin", {"id": "echo 1000"})
    result = _install_browser(path)
    assert result.returncode == 1
    assert "apt-get install chromium chromium-driver" in result.stderr


def test_own_story_runs_from_its_scene_file_alone(tmp_path, monkeypatch):
    """The README's own-story example: the scene file as written, then its commands."""
    (scene,) = [b for b in blocks("yaml") if b.startswith("# oreshnik.yaml\n")]
    story = TEXT.split("# oreshnik.yaml\n", 1)[1]
    commands = re.findall(r"^```sh\n(.*?)^```", story, flags=re.M | re.S)[0].splitlines()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "oreshnik.yaml").write_text(scene, encoding="utf-8")
    for command in commands:
        words = shlex.split(command)
        assert words[0] == "rangemap"
        result = CliRunner().invoke(cli, words[1:])
        assert result.exit_code == 0, result.output
        assert (tmp_path / words[words.index("-o") + 1]).stat().st_size > 0
    html = (tmp_path / "oreshnik.html").read_text(encoding="utf-8")
    # the own system, its colour and its source; the reporter's rings in their colours
    assert "Oreshnik IRBM — up to 5,500 km (Russia, stated)" in html
    assert "Giornale di Brescia (ANSA)" in html and "europesays.com/?p=2662321" in html
    for colour in ("#D55E00", "#0072B2", "#56B4E9", "#009E73", "#CC79A7"):
        assert colour in html
    capitals = (tmp_path / "oreshnik-capitals.csv").read_text(encoding="utf-8")
    assert "Oreshnik IRBM" in capitals and ",Minsk,BLR," in capitals
