"""The README's examples run as written: Python blocks, the example scene, the command table."""

from __future__ import annotations

import json
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
    assert "Giornale di Brescia (ANSA)" in html and "newsmax.com/newsfront" in html
    assert "(reprint of a Reuters report)" in html
    for colour in ("#D55E00", "#0072B2", "#56B4E9", "#009E73", "#CC79A7"):
        assert colour in html
    capitals = (tmp_path / "oreshnik-capitals.csv").read_text(encoding="utf-8")
    assert "Oreshnik IRBM" in capitals and ",Minsk,BLR," in capitals


# --- every command of the README, as written ---------------------------------------------

#: Lines of the README's command blocks that install rather than run rangemap: the Quick
#: start's (CI runs the test one: see above) and the Dask cluster's, checked for form only.
INSTALL = re.compile(r"^(python3 -m venv|pip install|dask (scheduler|worker))\b")
#: The README's placeholders, each marked "placeholder" where it is written, and what the
#: test puts in their place: a file of that name, or (the cluster's address) a local cluster.
ADDRESS = {"tcp://HOST:8786": "local"}


def _command_lines(block: str) -> list[str]:
    """The commands of a sh block: continued lines joined, `a && b` split, `.venv/bin/`
    dropped (the Quick start runs the venv's rangemap; the test runs the installed one)."""
    lines = block.replace("\\\n", " ").splitlines()
    found = []
    for line in lines:
        for part in line.split(" && "):
            part = part.strip().removeprefix(".venv/bin/")
            if part and not part.startswith("#"):
                found.append(part)
    return found


SH_BLOCKS = re.findall(r"^```sh\n(.*?)^```", TEXT, flags=re.M | re.S)


def _placeholders(folder: Path) -> None:
    """The files the README's placeholders stand for, in the folder the commands run in."""
    from rangemap.scene import scenes_dir

    (folder / "my-scenes").mkdir()
    baltic = (scenes_dir() / "inf-2020.yaml").read_text(encoding="utf-8")
    (folder / "my-scenes" / "baltic.yaml").write_text(baltic, encoding="utf-8")
    box = [[18.0, 54.5], [20.0, 54.5], [20.0, 56.0], [18.0, 56.0], [18.0, 54.5]]
    geojson = {"type": "Polygon", "coordinates": [box]}
    (folder / "patrol-box.geojson").write_text(json.dumps(geojson), encoding="utf-8")
    (folder / "rings.csv").write_text("site,km\nkaliningrad,480\nWarsaw,1000\n", encoding="utf-8")
    (scene,) = [b for b in blocks("yaml") if b.startswith("# oreshnik.yaml\n")]
    (folder / "oreshnik.yaml").write_text(scene, encoding="utf-8")


def test_placeholders_are_marked_as_such():
    for name in ("my-scenes/baltic.yaml", "patrol-box.geojson", "HOST", "VERSION"):
        lines = [ln for ln in TEXT.splitlines() if name in ln]
        assert any("placeholder" in ln for ln in lines), name
    assert "pip install 'rangemap[dask]'" not in TEXT  # no registry has it


@pytest.mark.parametrize("index", range(len(SH_BLOCKS)))
def test_every_command_block_runs_as_written(index, tmp_path, monkeypatch):
    """Each rangemap command of each sh block runs, in order, in a scratch folder that holds
    the placeholders' files; `> FILE` writes standard output there, as a shell would."""
    monkeypatch.chdir(tmp_path)
    _placeholders(tmp_path)
    ran = 0
    for command in _command_lines(SH_BLOCKS[index]):
        if INSTALL.match(command) or command.startswith(("bash tests/", "python -m pytest")):
            continue
        for address, local in ADDRESS.items():
            command = command.replace(address, local)
        command, _, redirect = command.partition(" > ")
        words = shlex.split(command, comments=True)
        assert words[0] == "rangemap", command
        result = CliRunner().invoke(cli, words[1:])
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout or "-o" in words, command
        if redirect:
            (tmp_path / shlex.split(redirect, comments=True)[0]).write_text(result.stdout)
        if "-o" in words:
            assert (tmp_path / words[words.index("-o") + 1]).stat().st_size > 0
        ran += 1
    installs = [c for c in _command_lines(SH_BLOCKS[index]) if INSTALL.match(c)]
    assert ran or installs, "a command block with nothing to run"


def test_the_embed_script_is_as_long_as_the_readme_says():
    from rangemap.render.embed import HOST_JS

    said = re.search(r"/\* (\d+) lines: sets the iframe", TEXT)
    assert said and int(said.group(1)) == len(HOST_JS.strip().splitlines())


def test_the_sample_error_is_the_one_rangemap_prints(tmp_path, monkeypatch):
    """The README quotes the message for a misspelt field: it is the one printed today."""
    quoted = re.search(r"`(scene\.yaml, line 4, site 1, field 'claim'.*?)`", TEXT, flags=re.S)
    assert quoted
    monkeypatch.chdir(tmp_path)
    scene = "title: t\nsites:\n  - site: kaliningrad\n    claim: [9m729]\n"
    (tmp_path / "scene.yaml").write_text(scene, encoding="utf-8")
    result = CliRunner().invoke(cli, ["map", "scene.yaml"])
    assert result.exit_code == 2
    assert " ".join(quoted.group(1).split()) in " ".join(result.stderr.split())


def test_readme_images_are_distinct_files():
    images = sorted(set(re.findall(r"\]\((docs/[\w.-]+\.png)\)", TEXT)))
    assert images == [
        "docs/inf-2020-aeqd.png", "docs/inf-2020-mercator.png", "docs/inf-2020-phone.png",
        "docs/inf-2020-static.png",
    ]
    data = [(ROOT / image).read_bytes() for image in images]
    assert len(set(data)) == len(data)
