"""Readers: a report file -> a reconciled Report. `read_path` picks the reader by the file's content."""

from __future__ import annotations

from pathlib import Path

from ..codelists import Codelists
from ..model import Report

REPORT_SUFFIXES = (".txt", ".xlsx")  # what a folder conversion picks up


def read_path(path: str | Path, codelists: Codelists | None = None) -> Report:
    """Read a report: a workbook when the file is a zip archive or an OLE2 file (whatever its name; a
    password-protected workbook is the latter), a text extract otherwise."""
    from .xlsx import read_workbook, sniff

    if sniff(path):
        return read_workbook(path, codelists)
    from .navtext import read_file

    return read_file(str(path), codelists)
