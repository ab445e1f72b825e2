"""The one pipeline behind every door (the `navstat` command and `converter.api`).

read (the reader chosen by the input parses it and interprets its rows) -> reconcile (decide, align
damaged rows, merge copies: `converter.reconcile`) -> check (the quality rules of `validate.py`) ->
the checks' findings become diagnostics -> one Report. Writing is the second
step: `write_report` hands the Report to the writer of a format. Readers and writers are chosen from
`registry.py`; neither knows the other.
"""

from __future__ import annotations

from pathlib import Path

from .codelists import Codelists, load_codelists
from .model import Report
from .parsed import Interpretation
from .perf import no_gc
from .readers.navtext import interpret, interpret_bytes
from .reconcile import reconcile
from .registry import SPLIT_WRITER, WriteOptions, WriterEntry, load, reader_for, writer_for
from .rules import COPIES_CHECK, RULES
from .validate import check_report


def read_report(path: str | Path, codelists: Codelists | None = None) -> Report:
    """Read, reconcile and check one input. Raises `readers.textio.InputError` (NAV-E001) when it
    cannot be read at all; everything else is in the Report's diagnostics."""
    return read_interpreted(path, codelists)[0]


def read_interpreted(path: str | Path, codelists: Codelists | None = None) -> tuple[Report, Interpretation]:
    """`read_report`, keeping what the reader made of the input: its rows, with the reconciler's
    decisions recorded on them (what happened to each printed cell: `navstat inspect --html`)."""
    cl = codelists or load_codelists()
    interpretation = _interpretation(path, cl)
    report = reconciled(interpretation, cl)
    check(report, cl)
    return report, interpretation


def read_reconciled(path: str | Path, codelists: Codelists | None = None) -> Report:
    """Read and reconcile one input, without the quality checks."""
    cl = codelists or load_codelists()
    return reconciled(_interpretation(path, cl), cl)


def _interpretation(path: str | Path, cl: Codelists) -> Interpretation:
    """What the reader chosen by the input's content makes of it."""
    interpretation: Interpretation = load(reader_for(path).read)(str(path), cl)
    return interpretation


def read_text(text: str, source: str = "<input>", codelists: Codelists | None = None, literal: bool = False) -> Report:
    """The text of a report extract, read and reconciled (no checks): for tests and notebooks.
    `literal=True` reads damaged rows at face value, to show what that would give; never publish it."""
    cl = codelists or load_codelists()
    return reconciled(interpret(text, source, cl, literal), cl)


def read_bytes(data: bytes, source: str = "<input>", codelists: Codelists | None = None) -> Report:
    """The bytes of a report extract, decoded, read and reconciled (no checks)."""
    cl = codelists or load_codelists()
    return reconciled(interpret_bytes(data, source, cl), cl)


def reconciled(interpretation: Interpretation, codelists: Codelists) -> Report:
    """Reconcile what a reader made of an input into observations; the reader's notes on the input
    itself follow the reconciler's diagnostics."""
    report = interpretation.report
    if interpretation.rows:
        with no_gc():
            reconcile(report, interpretation.rows, codelists, interpretation.literal)
    report.diagnostics += interpretation.notes
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
    """A reader's diagnostic on a row concerns the cells of that row: give it their keys (those left out
    there, else those read from it). The quality rules' findings carry their own key already."""
    lines = {d.line for d in report.diagnostics if not d.keys and d.line > 0}
    left: dict[int, list[tuple]] = {}
    for fk, (line, _reason) in report.left_out.items():
        if line in lines:
            left.setdefault(line, []).append(fk)
    read: dict[int, list[tuple]] = {}
    for o in report.observations:
        for line in o.lines:
            if line in lines:
                read.setdefault(line, []).append(o.full_key)
    for d in report.diagnostics:
        if not d.keys and d.line > 0 and RULES[d.rule].kind in "EWI":
            found = left.get(d.line) or read.get(d.line)
            if found:
                d.keys = tuple(sorted(found))


def writer(fmt: str, split: bool = False) -> WriterEntry:
    return SPLIT_WRITER if split else writer_for(fmt)


def write_report(report: Report, entry: WriterEntry, target: str, options: WriteOptions | None = None) -> int:
    """Write a Report with one writer (atomically). Returns the number of datasets written."""
    n: int = load(entry.write)(report, target, options or WriteOptions())
    return n
