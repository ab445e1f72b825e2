"""Atomic output: write to a temporary file in the target folder, then rename over the target.

An interrupted or failed run (exception, SIGINT, SIGTERM) leaves no partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


class OutputError(Exception):
    """The output cannot be written (unwritable folder, no space, ...)."""


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
    except OSError as exc:
        raise OutputError(f"{target}: {exc.strerror or exc}") from None
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text(path: str | Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


def write_with(path: str | Path, writer: Callable[[IO], object], mode: str = "w") -> None:
    with atomic_file(path, mode) as fh:
        writer(fh)
