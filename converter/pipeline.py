"""The one pipeline behind every door (the `navstat` command and `converter.api`).

read (the reader chosen by the input interprets and reconciles it) -> check (the quality rules of
`validate.py`) -> the checks' findings become diagnostics -> one Report. Writing is the second
step: `write_report` hands the Report to the writer of a format. Readers and writers are chosen from
`registry.py`; neither knows the other.
"""

from __future__ import annotations

from pathlib import Path

from .codelists import Codelists, load_codelists
from .model import Report
from .registry import SPLIT_WRITER, WriteOptions, WriterEntry, load, reader_for, writer_for
from .rules import COPIES_CHECK
from .validate import check_report


def read_report(path: str | Path, codelists: Codelists | None = None) -> Report:
    """Read, reconcile and check one input. Raises `readers.textio.InputError` (NAV-E001) when it
    cannot be read at all; everything else is in the Report's diagnostics."""
    cl = codelists or load_codelists()
    entry = reader_for(path)
    report: Report = load(entry.read)(str(path), cl)
    check(report, cl)
    return report


def check(report: Report, codelists: Codelists | None = None) -> None:
    """Run the quality rules and turn their findings into diagnostics (after the reader's own)."""
    report.checks = check_report(report, codelists) if report.observations else []
    for res in report.checks:
        if res.rule == COPIES_CHECK:  # copies that disagree are reported by the reader already
            continue
        for f in res.findings:
            report.diagnose(res.rule, f.line, f.message, keys=(f.key,) if f.key else ())
    _key_line_diagnostics(report)


def _key_line_diagnostics(report: Report) -> None:
    """A diagnostic on a line whose cells were left out concerns those cells: give it their keys."""
    by_line: dict[int, list[tuple]] = {}
    for fk, (line, _reason) in report.left_out.items():
        by_line.setdefault(line, []).append(fk)
    for d in report.diagnostics:
        if not d.keys and d.line in by_line:
            d.keys = tuple(sorted(by_line[d.line]))


def writer(fmt: str, split: bool = False) -> WriterEntry:
    return SPLIT_WRITER if split else writer_for(fmt)


def write_report(report: Report, entry: WriterEntry, target: str, options: WriteOptions | None = None) -> int:
    """Write a Report with one writer (atomically). Returns the number of datasets written."""
    n: int = load(entry.write)(report, target, options or WriteOptions())
    return n
