"""Literal readings as hypotheses: a row ending in an empty cell may have lost a value in the middle
and kept the tab. Its literal reading stands only if the report's copies, totals and year-to-date
average do not contradict it; otherwise it is a damaged row like any other."""

from __future__ import annotations

from ..model import DIMENSIONS, Status
from ..parsed import RowData
from ..rules import SUSPECT_ROW_DAMAGED
from .context import Reconciliation, cell_text, describe_key, interval


def test_suspects(rc: Reconciliation) -> None:
    """A row with a trailing empty cell may have lost a value in the middle and kept the tab.
    Its literal reading stands only if the report does not contradict it: a copy of the same
    figure, the totals it belongs to, or its year-to-date average. A contradicted row, and any
    such row in a report that prints zero as `*` (there an empty cell is itself damage), is
    treated as damaged: its values are aligned from the evidence like any damaged row."""
    suspects = [r for r in rc.rows if r.suspect and not r.damaged]
    if not suspects:
        return
    # A report prints zero as `*` (2021 style, every TILT report) when it has `*` cells and no
    # empty cell anywhere but at the end of these rows.
    statuses = {c[1] for r in rc.rows if not r.damaged for c in (r.cells[:-1] if r.suspect else r.cells) if c}
    zero_as_star = Status.BLANK not in statuses and Status.CONFIDENTIAL in statuses
    rc.collect_evidence(only=_suspect_keys(rc, suspects))
    contradicted: dict[int, str] = {}
    for row in suspects:
        if zero_as_star:
            contradicted[id(row)] = "the report prints zero as *, so an empty last cell is a lost value"
            continue
        why = _contradiction(rc, row)
        if why:
            contradicted[id(row)] = why
    _test_suspects_by_totals(rc, suspects, contradicted)
    for row in suspects:
        if id(row) in contradicted:
            row.damaged = True
            row.cells = row.cells[:-1]
            rc.report.diagnose(
                SUSPECT_ROW_DAMAGED,
                row.line,
                f"row '{row.label}' ends in an empty cell and {contradicted[id(row)]}; read as a damaged row",
            )


def _suspect_keys(rc: Reconciliation, suspects: list[RowData]) -> set[tuple[str, ...]]:
    """The keys whose copies can contradict the suspect rows: their own and their totals'."""
    keys = set()
    for row in suspects:
        key = rc.key_for(row, row.choice) if row.choice is not None else None
        if key is None:
            continue
        keys.add(key)
        if row.dim is not None and row.dim in row.choice:  # type: ignore[operator]
            di = DIMENSIONS.index(row.dim)
            parent_code = rc.cl[row.dim].parent(key[di])
            if parent_code is not None:
                keys.add((*key[:di], parent_code, *key[di + 1 :]))
    return keys


def _contradiction(rc: Reconciliation, row: RowData) -> str:
    if row.choice is None:
        return ""
    key = rc.key_for(row, row.choice)
    if key is None:
        return ""
    for fk, cell in rc.full_keys(row, key, range(len(row.cells))):
        copies = [c for c, r in rc.evidence.get(fk, []) if r is not row and not r.suspect]
        if copies and cell not in copies:
            return f"another copy of {describe_key(fk)} says {cell_text(copies[0])}"
    if not rc.ytd_fits(row, tuple(range(len(row.cells)))):
        return "its year-to-date average is not the mean of its months"
    return ""


def _test_suspects_by_totals(rc: Reconciliation, suspects: list[RowData], contradicted: dict[int, str]) -> None:
    """A family (a total and its parts) whose sums fail in some column blames its suspect rows."""
    open_suspects = {id(r) for r in suspects if id(r) not in contradicted}
    if not open_suspects:
        return
    families, _ = rc.families()
    for (pkey, dim, _period), members in families.items():
        if any(r.damaged for r in members):
            continue  # unknown parts: the sums cannot contradict anything
        complete = rc.complete(dim, members)
        columns = {(c.measure, c.period) for r in members for c in r.columns}
        for measure, period in sorted(columns):
            found = rc.evidence.get((pkey, measure, period), [])
            totals = {c for c, _ in found}
            if len(totals) != 1:
                continue
            blamed = [r for _, r in found if id(r) in open_suspects]
            blamed += [r for r in members if id(r) in open_suspects and any(c.period == period for c in r.columns)]
            if not blamed:
                continue
            plo, phi = interval(next(iter(totals)))
            lo = hi = 0.0
            seen = set()
            for r in members:
                fk = (rc.key_for(r, r.choice), measure, period)  # type: ignore[arg-type]
                if fk in seen:
                    continue
                seen.add(fk)
                for col, cell in zip(r.columns, r.cells, strict=False):
                    if (col.measure, col.period) == (measure, period):
                        a, b = interval(cell)
                        lo, hi = lo + a, hi + b
            # a year-to-date total is the average of sums, not the sum of rounded averages
            tol = 0.5 * (len(seen) + 1) if measure == "SNITT_HIA" else 0.0
            if lo > phi + tol or (complete and hi < plo - tol):
                for r in blamed:
                    contradicted[id(r)] = (
                        f"the total of {describe_key((pkey, measure, period))} does not add up with it"
                    )
                    open_suspects.discard(id(r))
