"""From parsed rows to observations: decide what each row is, align damaged rows, merge copies.

Principles (the report is the only evidence; nothing is guessed):

- A row whose label can mean two things (a group or a measure named "Oppfølging") is decided by the
  figures printed elsewhere in the report, then by the structure of its table; otherwise reported.
- A row with as many values as its header has columns maps one to one. Any other row is damaged:
  every order-preserving placement of its values into the columns is tried, and a placement
  survives only if it agrees with other printed copies of the same figures, with the totals the row
  belongs to (each `*` is 0-3) and with the year-to-date average. A row is repaired only when exactly
  one placement survives; otherwise its cells are reported and left out.
- All copies of a figure are collected; identical copies merge, a clear majority of undamaged copies
  outvotes a dissenting copy (reported), and anything else is reported and left out.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from .codelists import Codelists
from .model import DIMENSIONS, TOTAL, Observation, Report, Status

INF = float("inf")
# Who wants to see every row as finally read (the QA report of `navstat inspect --html`): called with
# the Report and its rows once they are reconciled. Unset (no cost) for every other reading.
ROWS_SEEN: ContextVar[Callable[[Report, list[RowData]], None] | None] = ContextVar("rows_seen", default=None)
Cell = tuple[int | None, Status]  # None in a cell list: unparseable
FullKey = tuple[tuple[str, ...], str, str]  # key, measure, period


@dataclass(frozen=True, slots=True)
class Column:
    measure: str
    period: str


@dataclass(eq=False)
class RowData:
    line: int
    label: str
    cells: list[Cell | None]
    columns: list[Column]
    damaged: bool
    total_of: str | None = None
    # As many cells as columns but the last one empty: a value may have been lost in the middle
    # with the tab kept. The literal reading is then only a hypothesis the report must confirm.
    suspect: bool = False
    alternatives: list[dict[str, str]] = field(default_factory=list)
    block_context: list[dict[str, str]] | None = None
    parent: RowData | None = None
    base: dict[str, str] = field(default_factory=dict)
    dim: str | None = None
    tiltak_level: str | None = None
    report_level: str | None = None
    section: str = ""
    role: str = "row"
    choice: dict[str, str] | None = None  # the alternative decided
    decided: bool = False
    context_choice: dict[str, str] | None = None
    key: tuple[str, ...] | None = None
    placement: tuple[int, ...] | None = None  # column index of each value
    partial: dict[int, Cell] | None = None  # column -> cell, where every fitting alignment agrees
    breakdown: tuple[str, ...] = ()
    table: int = 0  # index of the printed table (block) the row is in
    breakdowns: frozenset | None = None  # {breakdown}, shared by the row's observations
    period: tuple[str, str] = ("", "")  # first and last month of the table's period


def _interval(cell: Cell | None) -> tuple[float, float]:
    if cell is None:
        return 0.0, INF
    value, status = cell
    if status is Status.VALUE:
        return float(value), float(value)  # type: ignore[arg-type]
    if status is Status.CONFIDENTIAL:
        return 0.0, 3.0  # NAV prints * for 0-3 (values below 4)
    return 0.0, 0.0  # blank: nothing printed


class _Reconciler:
    def __init__(self, report: Report, rows: list[RowData], cl: Codelists):
        self.report = report
        self.rows = rows
        self.cl = cl
        self.evidence: dict[FullKey, list[tuple[Cell, RowData]]] = defaultdict(list)
        self.unreadable: set[tuple] = set()  # full keys of cells that are not a number, * or blank

    # -- keys --------------------------------------------------------------------------------
    def _context(self, row: RowData) -> dict[str, str] | None:
        ctx = row.block_context
        if ctx is None:
            return {}
        if not ctx:
            return None  # heading not understood
        if len(ctx) == 1:
            return ctx[0]
        # Ambiguous heading ("Oppfølging"): the table's total row, once decided, tells which.
        return row.context_choice

    def _key_for(self, row: RowData, own: dict[str, str]) -> tuple[str, ...] | None:
        ctx = self._context(row)
        if ctx is None:
            return None
        parts = dict(row.base)
        parts.update(ctx)
        chain = []
        p = row.parent
        while p is not None:
            if not p.decided or p.choice is None:
                return None
            chain.append(p.choice)
            p = p.parent
        for choice in reversed(chain):
            parts.update(choice)
        parts.update(own)
        return tuple(parts[d] for d in DIMENSIONS)

    def _full_keys(self, row: RowData, key: tuple[str, ...], placement) -> list[tuple[FullKey, Cell | None]]:
        out = []
        for value_index, col_index in enumerate(placement):
            col = row.columns[col_index]
            out.append(((key, col.measure, col.period), row.cells[value_index]))
        return out

    # -- deciding what rows are ---------------------------------------------------------------
    def decide_rows(self) -> None:
        for row in self.rows:
            if len(row.alternatives) == 1:
                row.choice, row.decided = row.alternatives[0], True
            elif not row.alternatives:
                row.decided = True  # unresolved: choice stays None, reported already
        for _ in range(3):
            pending = [r for r in self.rows if not r.decided]
            if not pending:
                break
            wanted = {k for r in pending for a in r.alternatives if (k := self._key_for(r, a)) is not None}
            self._collect_evidence(only=wanted)
            for row in pending:
                self._decide_by_figures(row)
            if all(not r.decided for r in pending):
                break  # nothing new to learn from another round
        for row in self.rows:
            if not row.decided:
                self._decide_by_structure(row)
        self._decide_contexts()

    def _decide_contexts(self) -> None:
        # A table under an ambiguous heading takes the choice of its first total row that fits it.
        by_block: dict[int, dict[str, str] | None] = {}
        for row in self.rows:
            ctx = row.block_context
            if ctx and len(ctx) > 1:
                bid = id(ctx)
                if bid not in by_block:
                    by_block[bid] = None
                    for r in self.rows:
                        if r.block_context is ctx and r.role == "total" and r.choice:
                            fits = [c for c in ctx if all(r.choice.get(d) == v for d, v in c.items())]
                            if len(fits) == 1:
                                by_block[bid] = fits[0]
                                break
                    if by_block[bid] is None:
                        self.report.diagnose(
                            "NAV-E016",
                            row.line,
                            "the heading above this table names both a group and a measure; nothing decides which",
                        )
                row.context_choice = by_block[bid]

    def _collect_evidence(self, only: set[tuple[str, ...]] | None = None) -> None:
        """Index the figures of decided, undamaged rows by full key (damaged rows are never evidence);
        `only` limits it to the keys asked about."""
        self.evidence.clear()
        for row in self.rows:
            if not row.decided or row.choice is None or row.damaged:
                continue
            key = self._key_for(row, row.choice)
            if key is None or (only is not None and key not in only):
                continue
            for fk, cell in self._full_keys(row, key, range(len(row.cells))):
                if cell is not None:
                    self.evidence[fk].append((cell, row))

    def _decide_by_figures(self, row: RowData) -> None:
        if row.damaged:
            return
        supported = []
        for alt in row.alternatives:
            key = self._key_for(row, alt)
            if key is None:
                continue
            match = clash = False
            for fk, cell in self._full_keys(row, key, range(len(row.cells))):
                copies = [c for c, r in self.evidence.get(fk, []) if r is not row]
                if cell is None or not copies:
                    continue
                if any(c == cell for c in copies) and cell[1] is Status.VALUE:
                    match = True
                if any(c != cell for c in copies):
                    clash = True
            if match and not clash:
                supported.append(alt)
        if len(supported) == 1:
            row.choice, row.decided = supported[0], True
            self.report.diagnose(
                "NAV-I032",
                row.line,
                f"'{row.label}' read as {_describe(supported[0])}: its figures equal those printed for it elsewhere",
            )

    def _decide_by_structure(self, row: RowData) -> None:
        alts = row.alternatives
        levels = {}
        for alt in alts:
            code = alt.get("TILTAK")
            c = self.cl["TILTAK"].code(code) if code else None
            levels[c.level if c else "?"] = alt
        choice = None
        why = ""
        if set(levels) == {"group", "code"}:
            if row.role == "total" and row.tiltak_level == "code":
                choice, why = levels["group"], "a total closing a list of measures is their group"
            elif row.role == "row" and row.tiltak_level in levels:
                choice, why = levels[row.tiltak_level], f"the other rows of its table are {row.tiltak_level}s"
            elif row.report_level in levels:
                lvl = row.report_level
                choice, why = levels[lvl], f"the report has only {'measure' if lvl == 'code' else 'group'} rows"
            elif row.role == "total" and (sib := self._sibling_totals_level(row)) is not None and sib in levels:
                lvl = sib
                kind = "measures" if lvl == "code" else "groups"
                choice, why = levels[lvl], f"the other totals of tables by {row.dim} are {kind}"
            elif "grupp" in row.section.lower():
                choice, why = levels["group"], f"section '{row.section}'"
        if choice is None:
            opts = " or ".join(_describe(a) for a in alts)
            self.report.diagnose(
                "NAV-E018" if row.role == "total" else "NAV-E015",
                row.line,
                f"'{row.label}' can be {opts}; no figure or table structure in the report decides",
            )
            row.decided = True
            return
        row.choice, row.decided = choice, True
        self.report.diagnose("NAV-I032", row.line, f"'{row.label}' read as {_describe(choice)}: {why}")

    def _sibling_totals_level(self, row: RowData) -> str | None:
        """What the other "I alt <tiltak>" totals of tables broken down like this one are: measures
        ("code") or groups, if they all agree. A table of counties under "I alt oppfølging" among
        tables under "I alt jobbklubb" and "I alt mentor" is a measure's table too."""
        found = set()
        for r in self.rows:
            if r is row or r.role != "total" or r.dim != row.dim or not r.decided or not r.choice:
                continue
            code = r.choice.get("TILTAK")
            c = self.cl["TILTAK"].code(code) if code else None
            if c is not None and c.level in ("group", "code"):
                found.add(c.level)
        return found.pop() if len(found) == 1 else None

    # -- damaged rows ------------------------------------------------------------------------
    def align_damaged(self, literal: bool = False) -> None:
        if literal:  # for demonstrations and tests only: what reading damaged rows at face value gives
            for row in self.rows:
                if row.damaged and len(row.cells) <= len(row.columns):
                    row.placement = tuple(range(len(row.cells)))
            return
        if not any(r.damaged for r in self.rows):
            return
        self._collect_evidence()
        damaged = [r for r in self.rows if r.damaged and r.choice is not None and self._key_for(r, r.choice)]
        candidates: dict[int, list[tuple[int, ...]]] = {}
        reasons: dict[int, list[str]] = defaultdict(list)
        for row in damaged:
            n, m = len(row.cells), len(row.columns)
            if n > m:
                candidates[id(row)] = []
                reasons[id(row)].append(f"{n} values for {m} columns")
                continue
            key = self._key_for(row, row.choice)  # type: ignore[arg-type]
            cands = []
            copies_seen = False
            for placement in itertools.combinations(range(m), n):
                ok = True
                for fk, cell in self._full_keys(row, key, placement):
                    copies = [c for c, _ in self.evidence.get(fk, [])]
                    if copies:
                        copies_seen = True
                        if cell not in copies:
                            ok = False
                            break
                if ok and self._ytd_fits(row, placement):
                    cands.append(placement)
            candidates[id(row)] = cands
            if copies_seen:
                reasons[id(row)].append("other copies of the row")
        self._prune_by_totals(damaged, candidates, reasons)
        for row in damaged:
            cands = candidates[id(row)]
            n, m = len(row.cells), len(row.columns)
            if len(cands) == 1:
                row.placement = cands[0]
                missing = [row.columns[i] for i in range(m) if i not in cands[0]]
                gone = ", ".join(f"{c.measure} {c.period}" for c in missing) or "none"
                self.report.diagnose(
                    "NAV-W020",
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
                    self.report.diagnose(
                        "NAV-W020",
                        row.line,
                        f"row '{row.label}' has {n} values for {m} columns; {what}, and all of them agree on "
                        f"{kept}; aligned by {' and '.join(reasons[id(row)])}",
                    )
                self.report.diagnose(
                    "NAV-E012",
                    row.line,
                    f"row '{row.label}' has {n} values for {m} columns and {what}; "
                    f"{n - len(agreed)} of its cells are left out",
                )

    def _ytd_fits(self, row: RowData, placement: tuple[int, ...]) -> bool:
        """The year-to-date average must be the mean of the months printed (rounded; * is 0-3)."""
        ytd_idx = [i for i, c in enumerate(row.columns) if c.measure == "SNITT_HIA"]
        if not ytd_idx:
            return True
        yi = ytd_idx[0]
        months = [i for i, c in enumerate(row.columns) if c.measure == "DELTAKERE"]
        if yi not in placement or not _whole_period(row):
            return True
        where = dict(zip(placement, row.cells, strict=True))
        ylo, yhi = _interval(where[yi])
        if ylo != yhi:
            return True
        lo = sum(_interval(where.get(i))[0] for i in months)
        hi = sum(_interval(where.get(i))[1] for i in months)
        # mean in [ytd - 0.5, ytd + 0.5] (NAV rounds); allow 0.5 extra for half-up vs half-even
        return lo / len(months) <= ylo + 1.0 and hi / len(months) >= ylo - 1.0

    def _families(self) -> tuple[dict[tuple, list[RowData]], dict[int, tuple[str, ...]]]:
        """Rows grouped by the total they are parts of: (parent key, dimension, period) -> rows."""
        families: dict[tuple, list[RowData]] = defaultdict(list)
        keyed = {}
        for row in self.rows:
            if row.choice is None or row.role == "total" or row.dim is None or row.dim not in row.choice:
                continue
            key = self._key_for(row, row.choice)
            if key is None:
                continue
            keyed[id(row)] = key
            di = DIMENSIONS.index(row.dim)
            parent_code = self.cl[row.dim].parent(key[di])
            if parent_code is None:
                continue
            pkey = (*key[:di], parent_code, *key[di + 1 :])
            # per table period: a multi-year report prints each year's family in its own tables
            families[(pkey, row.dim, row.period)].append(row)
        return families, keyed

    def _prune_by_totals(self, damaged, candidates, reasons) -> None:
        """Arc consistency on sums: parent = sum of children, each * being 0-3."""
        families, keyed = self._families()
        for (pkey, dim, _period), members in families.items():
            dmg = [r for r in members if r.damaged and id(r) in candidates]
            if not dmg:
                continue
            self._prune_family(pkey, dim, members, dmg, keyed, candidates, reasons)

    # -- literal readings as hypotheses ------------------------------------------------------
    def test_suspects(self) -> None:
        """A row with a trailing empty cell may have lost a value in the middle and kept the tab.
        Its literal reading stands only if the report does not contradict it: a copy of the same
        figure, the totals it belongs to, or its year-to-date average. A contradicted row, and any
        such row in a report that prints zero as `*` (there an empty cell is itself damage), is
        treated as damaged: its values are aligned from the evidence like any damaged row."""
        suspects = [r for r in self.rows if r.suspect and not r.damaged]
        if not suspects:
            return
        # A report prints zero as `*` (2021 style, every TILT report) when it has `*` cells and no
        # empty cell anywhere but at the end of these rows.
        statuses = {c[1] for r in self.rows if not r.damaged for c in (r.cells[:-1] if r.suspect else r.cells) if c}
        zero_as_star = Status.BLANK not in statuses and Status.CONFIDENTIAL in statuses
        self._collect_evidence(only=self._suspect_keys(suspects))
        contradicted: dict[int, str] = {}
        for row in suspects:
            if zero_as_star:
                contradicted[id(row)] = "the report prints zero as *, so an empty last cell is a lost value"
                continue
            why = self._contradiction(row)
            if why:
                contradicted[id(row)] = why
        self._test_suspects_by_totals(suspects, contradicted)
        for row in suspects:
            if id(row) in contradicted:
                row.damaged = True
                row.cells = row.cells[:-1]
                self.report.diagnose(
                    "NAV-I034",
                    row.line,
                    f"row '{row.label}' ends in an empty cell and {contradicted[id(row)]}; read as a damaged row",
                )

    def _suspect_keys(self, suspects: list[RowData]) -> set[tuple[str, ...]]:
        """The keys whose copies can contradict the suspect rows: their own and their totals'."""
        keys = set()
        for row in suspects:
            key = self._key_for(row, row.choice) if row.choice is not None else None
            if key is None:
                continue
            keys.add(key)
            if row.dim is not None and row.dim in row.choice:  # type: ignore[operator]
                di = DIMENSIONS.index(row.dim)
                parent_code = self.cl[row.dim].parent(key[di])
                if parent_code is not None:
                    keys.add((*key[:di], parent_code, *key[di + 1 :]))
        return keys

    def _contradiction(self, row: RowData) -> str:
        if row.choice is None:
            return ""
        key = self._key_for(row, row.choice)
        if key is None:
            return ""
        for fk, cell in self._full_keys(row, key, range(len(row.cells))):
            copies = [c for c, r in self.evidence.get(fk, []) if r is not row and not r.suspect]
            if copies and cell not in copies:
                return f"another copy of {_fk(fk)} says {_cell(copies[0])}"
        if not self._ytd_fits(row, tuple(range(len(row.cells)))):
            return "its year-to-date average is not the mean of its months"
        return ""

    def _test_suspects_by_totals(self, suspects: list[RowData], contradicted: dict[int, str]) -> None:
        """A family (a total and its parts) whose sums fail in some column blames its suspect rows."""
        open_suspects = {id(r) for r in suspects if id(r) not in contradicted}
        if not open_suspects:
            return
        families, _ = self._families()
        for (pkey, dim, _period), members in families.items():
            if any(r.damaged for r in members):
                continue  # unknown parts: the sums cannot contradict anything
            complete = self._complete(dim, members)
            columns = {(c.measure, c.period) for r in members for c in r.columns}
            for measure, period in sorted(columns):
                found = self.evidence.get((pkey, measure, period), [])
                totals = {c for c, _ in found}
                if len(totals) != 1:
                    continue
                blamed = [r for _, r in found if id(r) in open_suspects]
                blamed += [r for r in members if id(r) in open_suspects and any(c.period == period for c in r.columns)]
                if not blamed:
                    continue
                plo, phi = _interval(next(iter(totals)))
                lo = hi = 0.0
                seen = set()
                for r in members:
                    fk = (self._key_for(r, r.choice), measure, period)  # type: ignore[arg-type]
                    if fk in seen:
                        continue
                    seen.add(fk)
                    for col, cell in zip(r.columns, r.cells, strict=False):
                        if (col.measure, col.period) == (measure, period):
                            a, b = _interval(cell)
                            lo, hi = lo + a, hi + b
                # a year-to-date total is the average of sums, not the sum of rounded averages
                tol = 0.5 * (len(seen) + 1) if measure == "SNITT_HIA" else 0.0
                if lo > phi + tol or (complete and hi < plo - tol):
                    for r in blamed:
                        contradicted[id(r)] = f"the total of {_fk((pkey, measure, period))} does not add up with it"
                        open_suspects.discard(id(r))

    def _complete(self, dim: str, members: list[RowData]) -> bool:
        """Every part of the total is printed (so the parts must also reach the total). Never for
        measures: a group's total also counts measures a table does not list."""
        if dim == "TILTAK":
            return False
        start, end = members[0].period
        di = DIMENSIONS.index(dim)
        present = {k[di] for r in members if r.choice is not None and (k := self._key_for(r, r.choice))}
        required = {c.code for c in self.cl[dim].codes_in_force(start, end) if c.level == "code" and not c.optional}
        return required <= present

    def _prune_family(self, pkey, dim, members, dmg, keyed, candidates, reasons) -> None:
        di = DIMENSIONS.index(dim)
        parent = {}
        for measure, period in {(c.measure, c.period) for r in members for c in r.columns}:
            copies = {c for c, _ in self.evidence.get((pkey, measure, period), [])}
            if len(copies) == 1:
                parent[(measure, period)] = _interval(next(iter(copies)))
        if not parent:
            return
        # Undamaged children: one interval per column per distinct child key.
        fixed: dict[tuple, dict[str, tuple[float, float]]] = defaultdict(dict)
        for r in members:
            if not r.damaged:
                for col, cell in zip(r.columns, r.cells, strict=False):
                    fixed[(col.measure, col.period)][keyed[id(r)][di]] = _interval(cell)
        problem = _TotalsProblem(
            dim=dim,
            pkey=pkey,
            di=di,
            keyed=keyed,
            candidates=candidates,
            reasons=reasons,
            parent=parent,
            fixed=fixed,
            complete=self._complete(dim, members),
        )
        _joint_search(problem, dmg)
        _arc_consistency(problem, dmg)

    # -- merging copies ----------------------------------------------------------------------
    def merge(self) -> None:
        """Collect every figure under its key; rows printed once emit directly, copies are merged.

        Grouping by row key first keeps memory low: only keys printed more than once need a
        per-figure table of their copies.
        """
        acc = self.report.accounting
        # grouped by key and table period: rows of other years never hold the same figures
        by_key: dict[tuple, list[RowData]] = {}
        error_lines = {d.line for d in self.report.errors}
        for row in self.rows:
            n = len(row.cells)
            acc["cells_in"] += n
            if row.cells and all(c is not None and c[1] is Status.BLANK for c in row.cells):
                self.report.diagnose("NAV-I031", row.line, f"row '{row.label}' has a label and no figures")
                acc["diagnosed"] += n
                continue
            key = self._key_for(row, row.choice) if row.choice is not None else None
            if key is not None and row.role == "total" and row.choice:
                self._check_heading(row)
            if key is not None and row.partial:
                row.key = key
                self._withhold(row, key)
                acc["diagnosed"] += n - len(row.partial)
                by_key.setdefault((key, row.period), []).append(row)
                continue
            if key is not None and row.damaged and row.placement is None:
                self._withhold(row, key)
            if key is None or (row.damaged and row.placement is None):
                if key is None and row.choice is not None and row.parent is not None and row.parent.choice is None:
                    self.report.diagnose(
                        "NAV-E016", row.line, f"row '{row.label}' is under a total row that could not be read"
                    )
                elif key is None and row.line not in error_lines:
                    # every cell left out is reported with its line and reason, never dropped silently
                    self.report.diagnose("NAV-E016", row.line, f"row '{row.label}' could not be given a key")
                acc["diagnosed"] += n
                continue
            row.key = key
            acc["diagnosed"] += sum(1 for c in row.cells if c is None)
            self._withhold_unreadable(row, key)
            by_key.setdefault((key, row.period), []).append(row)
        emitted = 0
        for (key, _period), rows in by_key.items():
            if len(rows) == 1:  # the common case: a row printed once
                row = rows[0]
                for col, cell in _placed_cells(row):
                    self._emit((key, col.measure, col.period), cell, ((cell, row),))
                    emitted += 1
                continue
            copies: dict[FullKey, list[tuple[Cell, RowData]]] = {}
            for row in rows:
                for col, cell in _placed_cells(row):
                    copies.setdefault((key, col.measure, col.period), []).append((cell, row))
            for fk, found in copies.items():
                self._merge_copies(fk, found)
        acc["emitted"] += emitted

    def _merge_copies(self, fk: FullKey, found: list[tuple[Cell, RowData]]) -> None:
        acc = self.report.accounting
        if len(found) == 1:
            self._emit(fk, found[0][0], found)
            acc["emitted"] += 1
            return
        self.report.copies["printed more than once"] += 1
        first = found[0][0]
        if all(c == first for c, _ in found):
            self._emit(fk, first, found)
            acc["emitted"] += 1
            acc["merged"] += len(found) - 1
            return
        self.report.copies["copies disagree"] += 1
        votes: dict[Cell, int] = defaultdict(int)
        for c, r in found:
            if not r.damaged:
                votes[c] += 1
        best = max(votes.items(), key=lambda kv: kv[1], default=None)
        if best and best[1] > sum(v for c, v in votes.items() if c != best[0]):
            winners = [(c, r) for c, r in found if c == best[0]]
            self._emit(fk, best[0], winners)
            acc["emitted"] += 1
            acc["merged"] += len(winners) - 1
            for c, r in found:
                if c != best[0]:
                    acc["diagnosed"] += 1
                    self.report.diagnose(
                        "NAV-W021",
                        r.line,
                        f"{_fk(fk)}: {_cell(c)} here, {_cell(best[0])} on lines "
                        f"{', '.join(str(w.line) for _, w in winners)}; the majority is kept",
                    )
        else:
            acc["diagnosed"] += len(found)
            self.report.withheld.add((*fk[0], fk[1], fk[2]))
            where = "; ".join(f"{_cell(c)} on line {r.line}" for c, r in found)
            self.report.diagnose("NAV-E013", found[0][1].line, f"{_fk(fk)} is printed as {where}; left out")

    def _check_heading(self, row: RowData) -> None:
        """A total row that names another category than the heading above it is reported."""
        ctx = self._context(row) or {}
        clash = {d: (ctx[d], c) for d, c in row.choice.items() if d in ctx and ctx[d] != c}
        if clash:
            says = ", ".join(f"{d} {c}" for d, (_, c) in clash.items())
            heading = ", ".join(f"{d} {h}" for d, (h, _) in clash.items())
            self.report.diagnose(
                "NAV-W023",
                row.line,
                f"'{row.label}' says {says} under a heading that says {heading}; the row's own label is used",
            )

    def _withhold(self, row: RowData, key: tuple[str, ...]) -> None:
        """Remember the figures of a row that were left out, so checks treat them as unknown."""
        for i, col in enumerate(row.columns):
            if not row.partial or i not in row.partial:
                self.report.withheld.add((*key, col.measure, col.period))

    def _withhold_unreadable(self, row: RowData, key: tuple[str, ...]) -> None:
        """A cell that is not a number, * or blank (NAV-E011) is left out: unless another copy prints
        the figure, the checks must treat it as unknown, not as a part the report does not print."""
        placement = row.placement or range(len(row.cells))
        for vi, ci in enumerate(placement):
            if row.cells[vi] is None and ci < len(row.columns):
                col = row.columns[ci]
                self.unreadable.add((*key, col.measure, col.period))

    def _emit(self, fk: FullKey, cell: Cell, sources: list[tuple[Cell, RowData]]) -> None:
        key, measure, period = fk
        if len(sources) == 1:
            row = sources[0][1]
            if row.breakdowns is None:
                row.breakdowns = _interned(frozenset((row.breakdown,)))
            lines, breakdowns = [row.line], row.breakdowns
        else:
            lines = sorted({r.line for _, r in sources})
            breakdowns = _interned(frozenset(r.breakdown for _, r in sources))
        self.report.observations.append(Observation(key, measure, period, cell[0], cell[1], lines, breakdowns))


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
        msg = f"the totals of {_describe({self.dim: self.pkey[self.di]})}"
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


_INTERNED: dict[frozenset, frozenset] = {}


def _interned(b: frozenset) -> frozenset:
    """One shared set object per distinct set of breakdowns (a report has only a handful)."""
    return _INTERNED.setdefault(b, b)


def _placed_cells(row: RowData):
    """(column, cell) for every figure a row contributes: its agreed cells if it was only partly
    aligned, else its cells by placement (one to one when undamaged); unparseable cells skipped."""
    if row.partial:
        for ci, cell in sorted(row.partial.items()):
            yield row.columns[ci], cell
        return
    placement = row.placement or range(len(row.cells))
    for vi, ci in enumerate(placement):
        cell = row.cells[vi]
        if cell is not None:
            yield row.columns[ci], cell


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
        out[(c.measure, c.period)] = _interval(row.cells[vi])
    empty = [row.columns[i] for i in range(len(row.columns)) if i not in placement]
    ytd = [c for c in row.columns if c.measure == "SNITT_HIA"]
    months = [c for c in row.columns if c.measure == "DELTAKERE"]
    n = len(months)
    if len(empty) == 1 and ytd and _whole_period(row):
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


def _whole_period(row: RowData) -> bool:
    """The row's month columns are every month of its table's period, so the year-to-date average
    (the mean of all months of the period) is the mean of exactly these columns."""
    start, end = row.period
    if not start or not end:
        return False
    span = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1
    months = {c.period for c in row.columns if c.measure == "DELTAKERE"}
    return 0 < span == len(months) and min(months) == start and max(months) == end


def _describe(alt: dict[str, str]) -> str:
    return " ".join(f"{d} {c}" for d, c in alt.items()) or "the grand total"


def _fk(fk: FullKey) -> str:
    key, measure, period = fk
    dims = ", ".join(f"{d}={c}" for d, c in zip(DIMENSIONS, key, strict=True) if c != TOTAL)
    return f"{dims or 'total'} {measure} {period}"


def _cell(c: Cell) -> str:
    return {Status.CONFIDENTIAL: "*", Status.BLANK: "blank"}.get(c[1], str(c[0]))


def _breakdowns(rows: list[RowData]) -> None:
    """The breakdown of a table: the dimensions its keys vary by or fix away from the total."""
    by_table: dict[int, list[RowData]] = defaultdict(list)
    for r in rows:
        by_table[r.table].append(r)
    for members in by_table.values():
        keys = [r.key for r in members if r.key]
        dims = tuple(d for i, d in enumerate(DIMENSIONS) if any(k[i] != TOTAL for k in keys)) if keys else ()
        for r in members:
            r.breakdown = dims


def reconcile(report: Report, rows: list[RowData], cl: Codelists, literal: bool = False) -> None:
    rec = _Reconciler(report, rows, cl)
    rec.decide_rows()
    if not literal:
        rec.test_suspects()
    rec.align_damaged(literal)
    for r in rows:  # keys first, for the breakdown of each table
        if r.choice is not None and (not r.damaged or r.placement is not None):
            r.key = rec._key_for(r, r.choice)
    _breakdowns(rows)
    rec.merge()
    if rec.unreadable:
        report.withheld |= rec.unreadable - {(*o.key, o.measure, o.period) for o in report.observations}
    report.observations.sort(key=lambda o: (o.key, o.measure, o.period))
    if (seen := ROWS_SEEN.get()) is not None:
        seen(report, rows)
