"""Merging copies into observations: identical copies merge, a clear majority of undamaged copies
outvotes a dissenting one, anything else is left out and reported. Every cell is accounted for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..model import DIMENSIONS, TOTAL, Observation, Status
from ..parsed import Cell, FullKey, RowData
from ..rules import CONTEXT_DISAGREES, CONTEXT_UNKNOWN, COPIES_DISAGREE, COPY_OUTVOTED, LABEL_ONLY_ROW
from .context import Reconciliation, cell_text, describe_key


def merge(rc: Reconciliation) -> None:
    """Collect every figure under its key; rows printed once emit directly, copies are merged.

    Grouping by row key first keeps memory low: only keys printed more than once need a
    per-figure table of their copies.
    """
    acc = rc.report.accounting
    # grouped by key and table period: rows of other years never hold the same figures
    by_key: dict[tuple, list[RowData]] = {}
    error_lines = {d.line for d in rc.report.errors}
    for row in rc.rows:
        n = len(row.cells)
        acc["cells_in"] += n
        if row.cells and all(c is not None and c[1] is Status.BLANK for c in row.cells):
            rc.report.diagnose(LABEL_ONLY_ROW, row.line, f"row '{row.label}' has a label and no figures")
            acc["diagnosed"] += n
            continue
        key = rc.key_for(row, row.choice) if row.choice is not None else None
        if key is not None and row.role == "total" and row.choice:
            _check_heading(rc, row)
        if key is not None and row.partial:
            row.key = key
            _withhold(rc, row, key)
            acc["diagnosed"] += n - len(row.partial)
            by_key.setdefault((key, row.period), []).append(row)
            continue
        if key is not None and row.damaged and row.placement is None:
            _withhold(rc, row, key)
        if key is None or (row.damaged and row.placement is None):
            if key is None and row.choice is not None and row.parent is not None and row.parent.choice is None:
                rc.report.diagnose(
                    CONTEXT_UNKNOWN, row.line, f"row '{row.label}' is under a total row that could not be read"
                )
            elif key is None and row.line not in error_lines:
                # every cell left out is reported with its line and reason, never dropped silently
                rc.report.diagnose(CONTEXT_UNKNOWN, row.line, f"row '{row.label}' could not be given a key")
            acc["diagnosed"] += n
            continue
        row.key = key
        acc["diagnosed"] += sum(1 for c in row.cells if c is None)
        _withhold_unreadable(rc, row, key)
        by_key.setdefault((key, row.period), []).append(row)
    emitted = 0
    for (key, _period), rows in by_key.items():
        if len(rows) == 1:  # the common case: a row printed once
            row = rows[0]
            for col, cell in _placed_cells(row):
                _emit(rc, (key, col.measure, col.period), cell, ((cell, row),))
                emitted += 1
            continue
        copies: dict[FullKey, list[tuple[Cell, RowData]]] = {}
        for row in rows:
            for col, cell in _placed_cells(row):
                copies.setdefault((key, col.measure, col.period), []).append((cell, row))
        for fk, found in copies.items():
            _merge_copies(rc, fk, found)
    acc["emitted"] += emitted


def _merge_copies(rc: Reconciliation, fk: FullKey, found: list[tuple[Cell, RowData]]) -> None:
    acc = rc.report.accounting
    if len(found) == 1:
        _emit(rc, fk, found[0][0], found)
        acc["emitted"] += 1
        return
    rc.report.copies["printed more than once"] += 1
    first = found[0][0]
    if all(c == first for c, _ in found):
        _emit(rc, fk, first, found)
        acc["emitted"] += 1
        acc["merged"] += len(found) - 1
        return
    rc.report.copies["copies disagree"] += 1
    votes: dict[Cell, int] = defaultdict(int)
    for c, r in found:
        if not r.damaged:
            votes[c] += 1
    best = max(votes.items(), key=lambda kv: kv[1], default=None)
    if best and best[1] > sum(v for c, v in votes.items() if c != best[0]):
        winners = [(c, r) for c, r in found if c == best[0]]
        _emit(rc, fk, best[0], winners)
        acc["emitted"] += 1
        acc["merged"] += len(winners) - 1
        for c, r in found:
            if c != best[0]:
                acc["diagnosed"] += 1
                rc.report.diagnose(
                    COPY_OUTVOTED,
                    r.line,
                    f"{describe_key(fk)}: {cell_text(c)} here, {cell_text(best[0])} on lines "
                    f"{', '.join(str(w.line) for _, w in winners)}; the majority is kept",
                )
    else:
        acc["diagnosed"] += len(found)
        rc.report.withheld.add((*fk[0], fk[1], fk[2]))
        where = "; ".join(f"{cell_text(c)} on line {r.line}" for c, r in found)
        rc.report.diagnose(COPIES_DISAGREE, found[0][1].line, f"{describe_key(fk)} is printed as {where}; left out")


def _check_heading(rc: Reconciliation, row: RowData) -> None:
    """A total row that names another category than the heading above it is reported."""
    ctx = rc.context(row) or {}
    choice = row.choice or {}
    clash = {d: (ctx[d], c) for d, c in choice.items() if d in ctx and ctx[d] != c}
    if clash:
        says = ", ".join(f"{d} {c}" for d, (_, c) in clash.items())
        heading = ", ".join(f"{d} {h}" for d, (h, _) in clash.items())
        rc.report.diagnose(
            CONTEXT_DISAGREES,
            row.line,
            f"'{row.label}' says {says} under a heading that says {heading}; the row's own label is used",
        )


def _withhold(rc: Reconciliation, row: RowData, key: tuple[str, ...]) -> None:
    """Remember the figures of a row that were left out, so checks treat them as unknown."""
    for i, col in enumerate(row.columns):
        if not row.partial or i not in row.partial:
            rc.report.withheld.add((*key, col.measure, col.period))


def _withhold_unreadable(rc: Reconciliation, row: RowData, key: tuple[str, ...]) -> None:
    """A cell that is not a number, * or blank (NAV-E011) is left out: unless another copy prints
    the figure, the checks must treat it as unknown, not as a part the report does not print."""
    placement = row.placement or range(len(row.cells))
    for vi, ci in enumerate(placement):
        if row.cells[vi] is None and ci < len(row.columns):
            col = row.columns[ci]
            rc.unreadable.add((*key, col.measure, col.period))


def _emit(rc: Reconciliation, fk: FullKey, cell: Cell, sources: Sequence[tuple[Cell, RowData]]) -> None:
    key, measure, period = fk
    if len(sources) == 1:
        row = sources[0][1]
        if row.breakdowns is None:
            row.breakdowns = rc.intern(frozenset((row.breakdown,)))
        lines, breakdowns = [row.line], row.breakdowns
    else:
        lines = sorted({r.line for _, r in sources})
        breakdowns = rc.intern(frozenset(r.breakdown for _, r in sources))
    rc.report.observations.append(Observation(key, measure, period, cell[0], cell[1], lines, breakdowns))


def _placed_cells(row: RowData):
    """(column, cell) for every figure a row contributes: its agreed cells if it was only partly
    aligned, else its cells by placement (one to one when undamaged); unparseable cells skipped."""
    if row.partial:
        for ci, cell in sorted(row.partial.items()):
            yield row.columns[ci], cell
        return
    placement = row.placement or range(len(row.cells))
    for vi, ci in enumerate(placement):
        printed = row.cells[vi]
        if printed is not None:
            yield row.columns[ci], printed


def breakdowns(rows: list[RowData]) -> None:
    """The breakdown of a table: the dimensions its keys vary by or fix away from the total."""
    by_table: dict[int, list[RowData]] = defaultdict(list)
    for r in rows:
        by_table[r.table].append(r)
    for members in by_table.values():
        keys = [r.key for r in members if r.key]
        dims = tuple(d for i, d in enumerate(DIMENSIONS) if any(k[i] != TOTAL for k in keys)) if keys else ()
        for r in members:
            r.breakdown = dims
