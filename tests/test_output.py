"""Atomic writes: a failed write leaves the old file and no temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rangemap.errors import OutputError
from rangemap.output import atomic_path, write_text


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
