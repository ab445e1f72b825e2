"""Atomic output: write to a temporary file in the target folder, then rename over the target.

An interrupted or failed run (exception, SIGINT, SIGTERM) leaves no partial file behind. A target that
exists and is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written to directly:
renaming over it would replace the device with a file. `check_target` refuses, before anything is
read, an output that is an input or that cannot be written; `written()` lists what this process has
put in place, so an interrupted run can say what it wrote.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


class OutputError(Exception):
    """The output cannot be written (unwritable folder, no space, ...)."""


_written: list[str] = []  # targets this process renamed into place, in order


def written() -> list[str]:
    """The files this process has written (renamed into place) so far."""
    return list(_written)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_target(path: str | Path, inputs: list[Path] | tuple[Path, ...] = (), folder: bool = False) -> None:
    """Refuse an output before anything is read or converted: one that is an input (it would be
    overwritten), or that cannot be written (its folder missing or read-only). `folder`: the target is a
    folder a folder writer creates; its parent must then be writable."""
    if str(path) in ("-", ""):
        return
    target = Path(path)
    for src in inputs:
        if _same_file(target, Path(src)):
            raise OutputError(f"{target}: the output is the input {src}; give another output path")
    if folder:
        if target.is_dir():
            _probe(target, target)
            return
        if target.exists():
            raise OutputError(f"{target}: cannot create the folder: a file of that name exists")
        parent = target.parent if str(target.parent) else Path(".")
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        _probe(target, parent)
        return
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name")
    if target.exists() and not target.is_file():
        return  # a device or pipe: written to directly
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{target}: folder {parent} does not exist")
    _probe(target, parent)


def _probe(target: Path, folder: Path) -> None:
    """Create and remove a temporary file in `folder`: the only sure test that it can be written."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(tmp)


def _terminate(signum, frame):  # SIGTERM -> the same clean unwinding as Ctrl-C
    raise KeyboardInterrupt


def install_signal_handlers() -> None:
    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, _terminate)


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Yield a file to write; on success it replaces `path`, on any failure it is removed."""
    if str(path) == "-":
        stream = sys.stdout if "b" not in mode else sys.stdout.buffer
        yield stream
        stream.flush()
        return
    target = Path(path)
    if _special(target):
        with open(target, mode, encoding=None if "b" in mode else "utf-8") as direct:
            yield direct
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
    ok = False
    try:
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else "utf-8", newline=None if binary else "\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        ok = True
        _written.append(str(target))
    except OSError as exc:
        raise OutputError(f"{target}: {exc.strerror or exc}") from None
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _special(target: Path) -> bool:
    """A target that exists and is neither a regular file nor a folder (a device, a pipe)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def write_text(path: str | Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


def write_with(path: str | Path, writer: Callable[[IO], object], mode: str = "w") -> None:
    with atomic_file(path, mode) as fh:
        writer(fh)
