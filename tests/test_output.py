"""Atomic writes that cannot be redirected: a failed write leaves the old file and no temporary
file behind; links, devices, FIFOs and the command's own input are refused."""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

import pytest

from rangemap import output
from rangemap.errors import OutputError, WriteError
from rangemap.output import atomic_path, check_writable, output_folder, write_text, write_texts


def test_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["map.html"]


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half a ta")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["table.csv"]


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"does not exist\. Create it first"):
        write_text(tmp_path / "nope" / "x.csv", "")


def test_read_only_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs as root, who may write anywhere: the access check itself is made to say no."""
    monkeypatch.setattr("rangemap.output.os.access", lambda path, mode: False)
    with pytest.raises(OutputError, match="is not writable"):
        write_text(tmp_path / "x.csv", "")


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        write_text(tmp_path, "")


def test_write_does_not_follow_a_link_planted_at_its_temporary_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the temporary file was created, deleted and reopened by name, so a symlink
    planted in that gap redirected the write (and a chmod 0644) to a file elsewhere."""
    victim = tmp_path / "secret"
    victim.write_text("private")
    victim.chmod(0o600)
    folder = tmp_path / "shared"
    folder.mkdir()
    target = folder / "table.csv"
    names = [folder / f".table.csv.{i:08x}.part" for i in range(5)]
    for name in names[:4]:  # every name tried before the last one is a planted link
        name.symlink_to(victim)
    monkeypatch.setattr(output, "_candidates", lambda path: iter(names))
    write_text(target, "data")
    assert victim.read_text() == "private"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert target.read_text() == "data"
    assert all(n.is_symlink() for n in names[:4]) and not names[4].exists()


def test_private_folder_skips_planted_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers that need a path (GDAL, matplotlib) get a fresh 0700 folder: a link planted at
    its name is never followed either."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    names = [tmp_path / ".x.gpkg.0000000a.part", tmp_path / ".x.gpkg.0000000b.part"]
    names[0].symlink_to(elsewhere)
    monkeypatch.setattr(output, "_candidates", lambda path: iter(names))
    with atomic_path(tmp_path / "x.gpkg") as tmp:
        assert tmp.parent == names[1]
        assert stat.S_IMODE(tmp.parent.stat().st_mode) == 0o700
        tmp.write_text("gpkg")
    assert os.listdir(elsewhere) == []
    assert (tmp_path / "x.gpkg").read_text() == "gpkg"


def test_existing_mode_is_kept_and_umask_honoured(tmp_path: Path) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text("old")
    kept.chmod(0o600)
    write_text(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "fresh.csv", "new")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.csv").stat().st_mode) == 0o640


def test_symlink_target_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("keep")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "keep"


def test_fifo_and_device_targets_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_text(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OutputError, match="not a regular file"):
        check_writable(Path("/dev/null"))
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_the_input_is_refused_as_output(tmp_path: Path) -> None:
    scene = tmp_path / "s.yaml"
    scene.write_text("title: x\n")
    with pytest.raises(OutputError, match="it is the input file"):
        check_writable(tmp_path / "." / "s.yaml", inputs=["inf-2020", scene])
    hard = tmp_path / "hard.yaml"
    os.link(scene, hard)
    with pytest.raises(OutputError, match="it is the input file"):
        check_writable(hard, inputs=[scene])


def test_several_files_are_written_all_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`map -o NAME.html` writes the map and its embed snippet: a failure on the second file
    must leave the first one as it was."""
    first, second = tmp_path / "map.html", tmp_path / "map.embed.html"
    first.write_text("old map")
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd: int, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(output.os, "fdopen", fdopen)
    with pytest.raises(WriteError, match=r"the disk is full\. Nothing was changed"):
        write_texts({first: "new map", second: "snippet"})
    assert first.read_text() == "old map" and not second.exists()
    assert sorted(os.listdir(tmp_path)) == ["map.html"]


def test_long_file_name_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"the file name is 300 bytes long"):
        write_text(tmp_path / ("x" * 296 + ".csv"), "")
    name = "y" * 251 + ".csv"  # the longest name allowed: its temporary name is short
    write_text(tmp_path / name, "ok")
    assert os.listdir(tmp_path) == [name]


def test_non_utf8_file_name_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / os.fsdecode(b"caf\xe9.csv")
    with pytest.raises(OutputError, match="not valid UTF-8"):
        write_text(bad, "")


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    stale = tmp_path / ".t.csv.0123abcd.part"
    stale_folder = tmp_path / ".t.csv.89abcdef.part"
    young = tmp_path / ".t.csv.00000001.part"
    other = tmp_path / ".u.csv.0123abcd.part"
    for path in (stale, young, other):
        path.write_text("half")
    stale_folder.mkdir()
    (stale_folder / "out.gpkg").write_text("half")
    old = time.time() - 2 * output.STALE_AFTER_S
    for path in (stale, stale_folder, other):
        os.utime(path, (old, old))
    write_text(target, "new")
    assert sorted(os.listdir(tmp_path)) == sorted([young.name, other.name, "t.csv"])


def test_default_output_folder_problems_are_messages(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        output_folder(tmp_path / "file")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="a symbolic link to nothing"):
        output_folder(tmp_path / "dangling")
    assert output_folder(tmp_path / "new").is_dir()


def test_control_characters_in_file_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"the file name contains the control character U\+0000"):
        write_text(tmp_path / "a\x00b.csv", "")
    with pytest.raises(OutputError, match=r"the control character U\+001B"):
        write_text(tmp_path / "a\x1b[31m.csv", "")
    assert os.listdir(tmp_path) == []


def test_default_output_folder_that_cannot_be_created_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only working folder: CI runs as root, so mkdir itself is made to say no."""

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(OutputError, match=r"cannot create the folder .*: Permission denied"):
        output_folder(tmp_path / "output")
