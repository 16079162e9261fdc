"""Output files that cannot be redirected: written to a fresh temporary name, renamed on success."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from rangemap.errors import OutputError, WriteError, control_character

#: Temporary names: `.` + at most this many characters of the target's name + `.` + 8 hex
#: digits + `.part`, so a 255-byte target name still gives a valid temporary name.
_STEM_CHARS = 40
_TEMP = re.compile(r"\.(?P<stem>.*)\.[0-9a-f]{8}\.part")
#: A temporary file or folder of a run killed with kill -9 is removed by the next write to
#: the same target once it is this old (seconds): a younger one may belong to a running write.
STALE_AFTER_S = 3600.0
_ATTEMPTS = 100


def _candidates(path: Path) -> Iterator[Path]:
    """Fresh temporary names beside `path` (a separate function so tests can plant links)."""
    stem = path.name[:_STEM_CHARS]
    while True:
        yield path.with_name(f".{stem}.{secrets.token_hex(4)}.part")


def check_writable(path: Path, *, inputs: Iterable[str | Path] = ()) -> Path:
    """Fail early, before any work, if `path` is not a plain file that may be (over)written.

    Refused (OutputError, exit status 2): a missing or read-only folder, a folder, a symlink, a
    device, FIFO or socket, a name too long for the file system or not valid UTF-8, and any of
    `inputs` (the files the command reads), so that `-o` never destroys its own input.
    """
    path = Path(path)
    shown = os.fsdecode(path)  # shown with !r: undecodable bytes print as \udcXX
    bad = control_character(shown)
    if bad is not None:
        if "UTF-8" in bad:
            bad = "bytes that are not valid UTF-8"
        raise OutputError(
            f"cannot write {shown!r}: the file name contains {bad}. Choose another name."
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            f"cannot write {shown!r}: the folder {str(folder)!r} does not exist. "
            "Create it first or choose another path."
        )
    name_max = _name_max(folder)
    if len(os.fsencode(path.name)) > name_max:
        raise OutputError(
            f"cannot write {shown[:60]!r}...: the file name is {len(os.fsencode(path.name))} "
            f"bytes long, the file system allows {name_max}. Choose a shorter name."
        )
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {shown!r}: {exc.strerror}.") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"cannot write {shown!r}: it is a folder; give a file name.")
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                f"cannot write {shown!r}: it is a symbolic link, which rangemap does not "
                "follow. Give the path of a regular file (or remove the link)."
            )
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"cannot write {shown!r}: it is not a regular file (a device, FIFO or "
                "socket). Leave out -o to write to standard output, and redirect that."
            )
        for source in inputs:
            try:
                other = os.stat(source)
            except (OSError, ValueError):  # a built-in scene's name, not a file
                continue
            if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
                raise OutputError(
                    f"cannot write {shown!r}: it is the input file {str(source)!r}, "
                    "which would be lost. Choose another output name."
                )
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {shown!r}: the folder {str(folder)!r} is not writable.")
    return path


def output_folder(folder: Path) -> Path:
    """Create `folder` (one level) for default outputs, or say why it cannot be used."""
    folder = Path(folder)
    if folder.is_symlink() and not folder.is_dir():
        raise OutputError(
            f"cannot write into {str(folder)!r}: it is a symbolic link to nothing. Remove it "
            "or give the output path with -o."
        )
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            f"cannot write into {str(folder)!r}: it is a file, not a folder. Move it away or "
            "give the output path with -o."
        )
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder {str(folder)!r}: {exc.strerror}. Give the output path "
            "with -o."
        ) from None
    return folder


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _umask() -> int:
    """The process's umask: read from /proc on Linux, since setting it to read it back would
    briefly change it for every thread."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The target's permission bits when it exists (kept), else 0666 less the umask."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return 0o666 & ~_umask()
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else 0o666 & ~_umask()


def _create(path: Path, *, folder: bool) -> tuple[Path, int | None]:
    """Create a fresh temporary file (open, its descriptor returned) or private folder beside
    `path`, never following a link.

    O_CREAT | O_EXCL | O_NOFOLLOW (and mkdir, which never follows the last component) fail on
    any name that exists, a planted symlink included; the next candidate is tried instead.
    """
    candidates = _candidates(path)
    for _ in range(_ATTEMPTS):
        tmp = next(candidates)
        try:
            if folder:
                os.mkdir(tmp, 0o700)
                return tmp, None
            flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            return tmp, os.open(tmp, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(path, exc) from None
    raise WriteError(f"cannot write {str(path)!r}: no free temporary name beside it.")


def _write_error(path: Path, exc: OSError) -> WriteError:
    """An OSError from the machine (disk full, file too large, permissions) as one message."""
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EFBIG: "the file is larger than allowed (ulimit -f)",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return WriteError(f"cannot write {str(path)!r}: {reason}. Nothing was changed.")


def _remove_stale(path: Path) -> None:
    """Remove this target's temporary files and folders left by a killed run (kill -9)."""
    stem = path.name[:_STEM_CHARS]
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            match = _TEMP.fullmatch(entry.name)
            if match is None or match["stem"] != stem:
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if now - info.st_mtime < STALE_AFTER_S or info.st_uid != os.getuid():
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path)
                elif stat.S_ISREG(info.st_mode):
                    os.unlink(entry.path)


class _Pending:
    """One output being written: its target and its temporary file (descriptor `fd`, kept
    open so the data goes to the file created, whatever happens to its name) or, for writers
    that need a path, a private folder holding `tmp`."""

    def __init__(self, path: Path, *, folder: bool) -> None:
        self.path = check_writable(Path(path))
        self.mode = _mode_for(self.path)
        _remove_stale(self.path)
        self.folder: Path | None = None
        self.fd: int | None = None
        self.renamed = False
        made, self.fd = _create(self.path, folder=folder)
        if folder:
            self.folder = made
            self.tmp = made / f"out{self.path.suffix[:16]}"
        else:
            self.tmp = made

    def commit(self) -> None:
        """Give the file its mode and flush it; renames come once every file is ready."""
        if self.fd is None:
            os.chmod(self.tmp, self.mode)
            return
        os.fchmod(self.fd, self.mode)
        os.close(self.fd)
        self.fd = None

    def handle(self) -> BinaryIO:
        """The temporary file, open for writing (closing it leaves the descriptor open)."""
        if self.fd is None:
            raise ValueError(f"{self.tmp} is written by path, not through a file object")
        return os.fdopen(self.fd, "wb", closefd=False)

    def discard(self) -> None:
        """Remove what is left (everything, if the write failed; only the folder otherwise)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        with contextlib.suppress(OSError):
            if self.folder is not None:
                shutil.rmtree(self.folder)
            elif not self.renamed:
                os.unlink(self.tmp)


@contextlib.contextmanager
def _writing(
    paths: list[Path], *, folder: bool, failures: tuple[type[Exception], ...] = ()
) -> Iterator[list[_Pending]]:
    """Temporary outputs for `paths`; all replace their targets if the block succeeds, none
    otherwise (every temporary file is complete before the first rename).

    OSErrors, and the writer's own `failures` (GDAL's), become one WriteError (exit status 1).
    """
    pending: list[_Pending] = []
    try:
        for path in paths:
            pending.append(_Pending(path, folder=folder))
        yield pending
        for item in pending:
            item.commit()
        for item in pending:
            _check_still_file(item.path)
            os.replace(item.tmp, item.path)
            item.renamed = True
    except (OSError, *failures) as exc:
        if isinstance(exc, OutputError | WriteError):
            raise
        target = pending[-1].path if pending else paths[0]
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise WriteError(f"cannot write {str(target)!r}: {exc}. Nothing was changed.") from None
    finally:
        for item in pending:
            item.discard()


def _check_still_file(path: Path) -> None:
    """Refuse a target that became a link, device or FIFO since the first check."""
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            check_writable(path)


@contextlib.contextmanager
def atomic_path(path: Path, *, failures: tuple[type[Exception], ...] = ()) -> Iterator[Path]:
    """Yield a path in a private temporary folder beside `path` (mode 0700, so nobody else
    can place a link there) for writers such as GDAL that create the file themselves; it
    replaces `path` only if the block succeeds. `failures` are the writer's exceptions that
    mean the machine could not write (GDAL's on a full disk)."""
    with _writing([Path(path)], folder=True, failures=failures) as (item,):
        yield item.tmp


def write_texts(texts: Mapping[Path, str]) -> list[Path]:
    """Write several text files (UTF-8, '\\n' newlines): all of them, or none if one fails."""
    paths = [Path(p) for p in texts]
    with _writing(paths, folder=False) as pending:
        for item, text in zip(pending, texts.values(), strict=True):
            with item.handle() as handle:
                handle.write(text.encode("utf-8"))
    return paths


def write_text(path: Path, text: str) -> Path:
    """Write text (UTF-8, '\\n' newlines) atomically."""
    return write_texts({Path(path): text})[0]
