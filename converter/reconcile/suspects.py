"""Literal readings as hypotheses: a row ending in an empty cell may have lost a value in the middle
and kept the tab. Its literal reading stands only if the report confirms it (another copy, a total
of parts that are all printed, its year-to-date average) and nothing contradicts it; otherwise it is
a damaged row like any other, placed only where the evidence leaves one placement."""

from __future__ import annotations

from ..model import Status
from ..parsed import RowData
from ..rules import SUSPECT_ROW_DAMAGED
from .context import Reconciliation, cell_text, describe_key, interval, whole_period


def test_suspects(rc: Reconciliation) -> None:
    """Decide which rows ending in an empty cell are damaged (NAV-I034): those the report contradicts;
    all of them in a report that prints zero as `*` (there an empty cell can only be a lost value);
    and, in a report that shows neither way of printing zero, those nothing in it confirms. Their
    last cell is dropped and they are aligned from the evidence like any damaged row."""
    suspects = [r for r in rc.rows if r.suspect and not r.damaged]
    if not suspects:
        return
    # A report prints zero as `*` (2021 style, every TILT report) when it has `*` cells and no
    # empty cell anywhere but at the end of these rows; as an empty cell (2014 style) when it has
    # empty cells elsewhere. A report with neither shows no way of printing zero.
    statuses = {c[1] for r in rc.rows if not r.damaged for c in (r.cells[:-1] if r.suspect else r.cells) if c}
    zero_as_star = Status.BLANK not in statuses and Status.CONFIDENTIAL in statuses
    zero_unknown = Status.BLANK not in statuses and Status.CONFIDENTIAL not in statuses
    rc.collect_evidence(only=_suspect_keys(rc, suspects))
    contradicted: dict[int, str] = {}
    confirmed: set[int] = set()
    for row in suspects:
        if zero_as_star:
            contradicted[id(row)] = "the report prints zero as *, so an empty last cell is a lost value"
            continue
        why, sure = _copies_and_average(rc, row)
        if why:
            contradicted[id(row)] = why
        elif sure:
            confirmed.add(id(row))
    _test_suspects_by_totals(rc, suspects, contradicted, confirmed)
    for row in suspects:
        why = contradicted.get(id(row), "")
        if not why and zero_unknown and id(row) not in confirmed:
            why = "nothing in the report shows a zero printed as an empty cell or confirms that reading"
        if not why:
            continue
        row.damaged = True
        row.cells = row.cells[:-1]
        rc.report.diagnose(
            SUSPECT_ROW_DAMAGED, row.line, f"row '{row.label}' ends in an empty cell and {why}; read as a damaged row"
        )


def _suspect_keys(rc: Reconciliation, suspects: list[RowData]) -> set[tuple[str, ...]]:
    """The keys whose copies can contradict the suspect rows: their own and their totals'."""
    keys = set()
    printed = rc.printed_keys()
    for row in suspects:
        key = rc.key_for(row, row.choice) if row.choice is not None else None
        if key is None:
            continue
        keys.add(key)
        if row.dim is not None and row.dim in row.choice:  # type: ignore[operator]
            total = rc.total_key(row, key, printed)
            if total is not None:
                keys.add(total)
    return keys


def _copies_and_average(rc: Reconciliation, row: RowData) -> tuple[str, bool]:
    """What the row's copies and its year-to-date average say of its literal reading: a
    contradiction (its text), or whether they confirm it."""
    if row.choice is None:
        return "", False
    key = rc.key_for(row, row.choice)
    if key is None:
        return "", False
    sure = False
    for fk, cell in rc.full_keys(row, key, range(len(row.cells))):
        copies = [c for c, r in rc.evidence.get(fk, []) if r is not row and not r.suspect]
        if copies and cell not in copies:
            return f"another copy of {describe_key(fk)} says {cell_text(copies[0])}", False
        sure = sure or bool(copies)
    placement = tuple(range(len(row.cells)))
    if not rc.ytd_fits(row, placement):
        return "its year-to-date average is not the mean of its months", False
    has_average = any(c.measure == "SNITT_HIA" for c in row.columns) and whole_period(row)
    return "", sure or has_average


def _test_suspects_by_totals(
    rc: Reconciliation, suspects: list[RowData], contradicted: dict[int, str], confirmed: set[int]
) -> None:
    """A family (a total and its parts) whose sums fail in some column blames its suspect rows; a
    family of parts that are all printed, whose sums fit in every column, confirms them."""
    open_suspects = {id(r) for r in suspects if id(r) not in contradicted}
    if not open_suspects:
        return
    families, _ = rc.families()
    for (pkey, dim, _period), members in families.items():
        if any(r.damaged for r in members):
            continue  # unknown parts: the sums cannot contradict anything
        complete = rc.complete(dim, members)
        columns = {(c.measure, c.period) for r in members for c in r.columns}
        checked = 0
        involved: set[int] = set()
        for measure, period in sorted(columns):
            found = rc.evidence.get((pkey, measure, period), [])
            totals = {c for c, _ in found}
            if len(totals) != 1:
                continue
            blamed = [r for _, r in found if id(r) in open_suspects]
            blamed += [r for r in members if id(r) in open_suspects and any(c.period == period for c in r.columns)]
            if not blamed:
                continue
            involved.update(id(r) for r in blamed)
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
            else:
                checked += 1
        if complete and checked:
            confirmed.update(i for i in involved if i in open_suspects)
