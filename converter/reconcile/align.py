"""Damaged rows: every order-preserving placement of a row's values is tried, and a placement survives
only if it agrees with the other copies of its figures, with the totals its row belongs to (each `*`
is 0-3) and with its year-to-date average. One survivor repairs the row; several keep only the cells
they all agree on."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

from ..model import DIMENSIONS
from ..parsed import Cell, RowData
from ..rules import DAMAGED_ROW_REPAIRED, DAMAGED_ROW_UNALIGNED
from .context import INF, Reconciliation, describe, interval, whole_period


def align_damaged(rc: Reconciliation, literal: bool = False) -> None:
    if literal:  # for demonstrations and tests only: what reading damaged rows at face value gives
        for row in rc.rows:
            if row.damaged and len(row.cells) <= len(row.columns):
                row.placement = tuple(range(len(row.cells)))
        return
    if not any(r.damaged for r in rc.rows):
        return
    rc.collect_evidence()
    damaged = [r for r in rc.rows if r.damaged and r.choice is not None and rc.key_for(r, r.choice)]
    candidates: dict[int, list[tuple[int, ...]]] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    for row in damaged:
        n, m = len(row.cells), len(row.columns)
        if n > m:
            candidates[id(row)] = []
            reasons[id(row)].append(f"{n} values for {m} columns")
            continue
        key = rc.key_for(row, row.choice) if row.choice is not None else None
        if key is None:
            continue  # only rows with a key are in `damaged`
        cands = []
        copies_seen = False
        for placement in itertools.combinations(range(m), n):
            ok = True
            for fk, cell in rc.full_keys(row, key, placement):
                copies = [c for c, _ in rc.evidence.get(fk, [])]
                if copies:
                    copies_seen = True
                    if cell not in copies:
                        ok = False
                        break
            if ok and rc.ytd_fits(row, placement):
                cands.append(placement)
        candidates[id(row)] = cands
        if copies_seen:
            reasons[id(row)].append("other copies of the row")
    _prune_by_totals(rc, damaged, candidates, reasons)
    for row in damaged:
        cands = candidates[id(row)]
        n, m = len(row.cells), len(row.columns)
        if len(cands) == 1:
            row.placement = cands[0]
            missing = [row.columns[i] for i in range(m) if i not in cands[0]]
            gone = ", ".join(f"{c.measure} {c.period}" for c in missing) or "none"
            rc.report.diagnose(
                DAMAGED_ROW_REPAIRED,
                row.line,
                f"row '{row.label}' has {n} values for {m} columns; aligned by "
                f"{' and '.join(reasons[id(row)]) or 'the year-to-date average'}; not printed: {gone}",
            )
        else:
            agreed = _agreed_cells(row, cands)
            what = (
                "no alignment fits the report's other figures"
                if not cands
                else (f"{len(cands)} alignments fit the report's other figures")
            )
            if agreed:
                row.partial = agreed
                kept = ", ".join(f"{row.columns[i].measure} {row.columns[i].period}" for i in sorted(agreed))
                rc.report.diagnose(
                    DAMAGED_ROW_REPAIRED,
                    row.line,
                    f"row '{row.label}' has {n} values for {m} columns; {what}, and all of them agree on "
                    f"{kept}; aligned by {' and '.join(reasons[id(row)])}",
                )
            rc.report.diagnose(
                DAMAGED_ROW_UNALIGNED,
                row.line,
                f"row '{row.label}' has {n} values for {m} columns and {what}; "
                f"{n - len(agreed)} of its cells are left out",
            )


def _prune_by_totals(rc: Reconciliation, damaged, candidates, reasons) -> None:
    """Arc consistency on sums: parent = sum of children, each * being 0-3."""
    families, keyed = rc.families()
    for (pkey, dim, _period), members in families.items():
        dmg = [r for r in members if r.damaged and id(r) in candidates]
        if not dmg:
            continue
        _prune_family(rc, pkey, dim, members, dmg, keyed, candidates, reasons)


def _prune_family(rc: Reconciliation, pkey, dim, members, dmg, keyed, candidates, reasons) -> None:
    di = DIMENSIONS.index(dim)
    parent = {}
    for measure, period in {(c.measure, c.period) for r in members for c in r.columns}:
        copies = {c for c, _ in rc.evidence.get((pkey, measure, period), [])}
        if len(copies) == 1:
            parent[(measure, period)] = interval(next(iter(copies)))
    if not parent:
        return
    # Undamaged children: one interval per column per distinct child key.
    fixed: dict[tuple, dict[str, tuple[float, float]]] = defaultdict(dict)
    for r in members:
        if not r.damaged:
            for col, cell in zip(r.columns, r.cells, strict=False):
                fixed[(col.measure, col.period)][keyed[id(r)][di]] = interval(cell)
    problem = _TotalsProblem(
        dim=dim,
        pkey=pkey,
        di=di,
        keyed=keyed,
        candidates=candidates,
        reasons=reasons,
        parent=parent,
        fixed=fixed,
        complete=rc.complete(dim, members),
    )
    _joint_search(problem, dmg)
    _arc_consistency(problem, dmg)


@dataclass
class _TotalsProblem:
    """The damaged rows of one family (a printed total and its parts) and what is known of the rest."""

    dim: str
    pkey: tuple[str, ...]
    di: int
    keyed: dict[int, tuple[str, ...]]  # id(row) -> key
    candidates: dict[int, list[tuple[int, ...]]]  # id(row) -> placements still possible
    reasons: dict[int, list[str]]
    parent: dict[tuple[str, str], tuple[float, float]]  # column -> the total's interval
    fixed: dict[tuple, dict[str, tuple[float, float]]]  # column -> code -> interval of an undamaged part
    complete: bool  # every part is printed, so the sum must also reach the total
    memo: dict = field(default_factory=dict)

    def cell(self, row: RowData, placement: tuple[int, ...], col: tuple[str, str]) -> tuple[float, float]:
        k = (id(row), placement)
        if k not in self.memo:
            self.memo[k] = _placed_intervals(row, placement)
        return self.memo[k].get(col, (0.0, INF))

    def code(self, row: RowData) -> str:
        return self.keyed[id(row)][self.di]

    def narrow(self, row: RowData, keep: list[tuple[int, ...]]) -> bool:
        if len(keep) == len(self.candidates[id(row)]):
            return False
        self.candidates[id(row)] = keep
        msg = f"the totals of {describe({self.dim: self.pkey[self.di]})}"
        if msg not in self.reasons[id(row)]:
            self.reasons[id(row)].append(msg)
        return True


def _joint_search(
    pr: _TotalsProblem, dmg: list[RowData], others: list[RowData] | None = None, limit: int = 400_000
) -> None:
    """Try every combination of placements of the family's damaged rows (branch and bound).

    Arc consistency alone is too weak when several rows of one table are damaged: each could
    leave any column empty. Jointly, the column sums must all fit the printed totals.
    """
    cols = list(pr.parent)
    phi = [pr.parent[c][1] for c in cols]
    plo = [pr.parent[c][0] for c in cols]
    options = {id(r): [(p, [pr.cell(r, p, c) for c in cols]) for p in pr.candidates[id(r)]] for r in dmg}
    # All rows jointly if that is small enough; else first the rows that hold numbers (rows of
    # only * and blanks add nothing to a lower bound), which usually pins them, then all rows.
    searched = [r for r in dmg if options[id(r)]]
    size = math.prod(len(options[id(r)]) for r in searched)
    if size > limit:
        numeric = [r for r in searched if any(lo > 0 for _, v in options[id(r)] for lo, _ in v)]
        if numeric and len(numeric) < len(searched):
            _joint_search(pr, numeric, [r for r in dmg if r not in numeric], limit)
            options = {id(r): [(p, [pr.cell(r, p, c) for c in cols]) for p in pr.candidates[id(r)]] for r in dmg}
            size = math.prod(len(options[id(r)]) for r in searched)
        if size > limit:
            return
    if not searched:
        return
    others = others or []
    damaged_codes = {pr.code(r) for r in [*dmg, *others]}
    base_lo = [0.0] * len(cols)
    base_hi = [0.0] * len(cols)
    for j, c in enumerate(cols):
        for code, (a, b) in pr.fixed.get(c, {}).items():
            if code not in damaged_codes:
                base_lo[j] += a
                base_hi[j] += b
        for r in [*dmg, *others]:
            if r in searched:
                continue
            opts = options.get(id(r)) or [(p, [pr.cell(r, p, c) for c in cols]) for p in pr.candidates[id(r)]]
            base_lo[j] += min((v[j][0] for _, v in opts), default=0.0)
            base_hi[j] += max((v[j][1] for _, v in opts), default=INF)
    rem = [[0.0] * len(cols) for _ in range(len(searched) + 1)]
    for i in range(len(searched) - 1, -1, -1):
        opts = options[id(searched[i])]
        rem[i] = [rem[i + 1][j] + min(v[j][0] for _, v in opts) for j in range(len(cols))]
    feasible: dict[int, set] = {id(r): set() for r in searched}

    def dfs(i: int, lo: list[float], hi: list[float], chosen: list) -> None:
        if i == len(searched):
            if all(lo[j] <= phi[j] and (not pr.complete or hi[j] >= plo[j]) for j in range(len(cols))):
                for r, p in zip(searched, chosen, strict=True):
                    feasible[id(r)].add(p)
            return
        for p, v in options[id(searched[i])]:
            nlo = [lo[j] + v[j][0] for j in range(len(cols))]
            if any(nlo[j] + rem[i + 1][j] > phi[j] for j in range(len(cols))):
                continue
            dfs(i + 1, nlo, [hi[j] + v[j][1] for j in range(len(cols))], [*chosen, p])

    dfs(0, base_lo, base_hi, [])
    for r in searched:
        pr.narrow(r, [p for p in pr.candidates[id(r)] if p in feasible[id(r)]])


def _arc_consistency(pr: _TotalsProblem, dmg: list[RowData]) -> None:
    """Drop placements that cannot fit the totals whatever the other damaged rows do."""
    changed = True
    while changed:
        changed = False
        hull = {}
        for r in dmg:
            cands = pr.candidates[id(r)]
            hull[id(r)] = {
                col: (
                    min(pr.cell(r, p, col)[0] for p in cands) if cands else 0.0,
                    max(pr.cell(r, p, col)[1] for p in cands) if cands else INF,
                )
                for col in pr.parent
            }
        for r in dmg:
            keep = []
            for p in pr.candidates[id(r)]:
                ok = True
                for col, (plo, phi) in pr.parent.items():
                    lo = hi = 0.0
                    seen = set()
                    for other in dmg:
                        if pr.code(other) in seen:
                            continue
                        seen.add(pr.code(other))
                        a, b = pr.cell(r, p, col) if other is r else hull[id(other)][col]
                        lo, hi = lo + a, hi + b
                    for ocode, (a, b) in pr.fixed.get(col, {}).items():
                        if ocode not in seen and ocode != pr.code(r):
                            lo, hi = lo + a, hi + b
                    if lo > phi or (pr.complete and hi < plo):
                        ok = False
                        break
                if ok:
                    keep.append(p)
            changed = pr.narrow(r, keep) or changed


def _agreed_cells(row: RowData, placements: list[tuple[int, ...]]) -> dict[int, Cell]:
    """Columns that every fitting placement fills with the same cell."""
    if not placements:
        return {}
    agreed: dict[int, Cell] = {}
    first = {ci: row.cells[vi] for vi, ci in enumerate(placements[0])}
    for ci, cell in first.items():
        if cell is None:
            continue
        if all(dict((c, row.cells[v]) for v, c in enumerate(p)).get(ci) == cell for p in placements[1:]):
            agreed[ci] = cell
    return agreed


def _placed_intervals(row: RowData, placement: tuple[int, ...]) -> dict[tuple[str, str], tuple[float, float]]:
    """The interval of each column of a damaged row under a placement of its values.

    A column left empty by the placement is bounded through the year-to-date average when the
    table has the average and all twelve months: NAV's average is the mean of the months rounded
    half up, so mean in [average - 0.5, average + 0.5] (checked on every complete row of the seeds).
    """
    out = {}
    for vi, ci in enumerate(placement):
        c = row.columns[ci]
        out[(c.measure, c.period)] = interval(row.cells[vi])
    empty = [row.columns[i] for i in range(len(row.columns)) if i not in placement]
    ytd = [c for c in row.columns if c.measure == "SNITT_HIA"]
    months = [c for c in row.columns if c.measure == "DELTAKERE"]
    n = len(months)
    if len(empty) == 1 and ytd and whole_period(row):
        gap = empty[0]
        if gap.measure == "SNITT_HIA":
            lo = sum(out[(m.measure, m.period)][0] for m in months) / n - 0.5
            hi = sum(out[(m.measure, m.period)][1] for m in months) / n + 0.5
        else:
            ylo, yhi = out[(ytd[0].measure, ytd[0].period)]
            others = [m for m in months if m != gap]
            lo = n * (ylo - 0.5) - sum(out[(m.measure, m.period)][1] for m in others)
            hi = n * (yhi + 0.5) - sum(out[(m.measure, m.period)][0] for m in others)
        out[(gap.measure, gap.period)] = (max(0.0, lo), hi)
    return out
