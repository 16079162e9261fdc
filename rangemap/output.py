"""Atomic file output: a temporary file beside the target, renamed into place on success."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rangemap.errors import OutputError


def check_writable(path: Path) -> Path:
    """Fail early, before any work, if `path` cannot be written (missing or read-only folder)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist. "
            "Create it first or choose another path."
        )
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a folder; give a file name.")
    if not os.access(folder, os.W_OK):
        raise OutputError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} is not writable."
        )
    return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; it replaces `path` only if the block succeeds.

    An interrupted or failed write never leaves a truncated file, and an existing file is
    kept until the new one is complete.
    """
    path = check_writable(Path(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> Path:
    """Write text (UTF-8, '\\n' newlines) atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
