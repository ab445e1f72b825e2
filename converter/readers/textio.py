"""Bytes to text for report readers: encodings, line endings and hostile input, with one-line errors."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

from ..model import Diagnostic
from ..rules import INPUT_UNREADABLE, NOT_UTF8

MAX_BYTES = 512 * 1024 * 1024  # a NAV extract is a few hundred kB; refuse what cannot be one
MAX_LINE = 1_000_000  # characters; longer lines are not table rows


class InputError(Exception):
    """The input cannot be read as a report (NAV-E001). `line` is 0 when the whole file is at fault."""

    def __init__(self, file: str, message: str, line: int = 0, location: str = ""):
        super().__init__(f"{file}:{location or line}: {message}")
        self.file, self.message, self.line, self.location = file, message, line, location

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(INPUT_UNREADABLE, self.file, self.line, self.message, location=self.location)


@dataclass(frozen=True, slots=True)
class TextWarning:
    """Something the reader should report about the text as a whole (e.g. its encoding)."""

    rule: str
    line: int
    message: str


def read_text(path: str | Path) -> tuple[str, list[TextWarning]]:
    """Read a report file as text. Returns the text and warnings (e.g. a fallback encoding)."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a directory, not a report file")
    try:
        size = p.stat().st_size
        limit = int(os.environ.get("NAVSTAT_MAX_BYTES", MAX_BYTES))
        if size > limit:
            raise InputError(name, f"file is {size} bytes; larger than {limit} bytes is not a NAV report")
        data = p.read_bytes()
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    return decode(data, name)


def decode(data: bytes, name: str = "<input>") -> tuple[str, list[TextWarning]]:
    warnings: list[TextWarning] = []
    if not data.strip():
        raise InputError(name, "file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = data.decode("utf-32")
    else:
        if b"\x00" in data:
            raise InputError(name, "binary file (contains NUL bytes), not a text report")
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Text from Windows tools: cp1252 decodes any byte but five; those five mean binary.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                line = data[: exc.start].count(b"\n") + 1
                raise InputError(name, "not UTF-8 and not cp1252 text; binary file?", line) from None
            line = data[: exc.start].count(b"\n") + 1
            warnings.append(
                TextWarning(NOT_UTF8, line, "not valid UTF-8 (first bad byte on this line); decoded as cp1252")
            )
    if text.startswith("\ufeff"):
        text = text[1:]
    printable = sum(1 for ch in text[:4096] if ch.isprintable() or ch in "\t\r\n")
    if printable < 0.9 * min(len(text), 4096):
        raise InputError(name, "mostly unprintable characters; binary file?")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings
