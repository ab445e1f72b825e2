"""The reconciler's shared state: the rows, the codelists, the report being filled, and the index
of the figures printed by undamaged rows (the evidence every decision is checked against)."""

from __future__ import annotations

from collections import defaultdict

from ..codelists import Codelists
from ..model import DIMENSIONS, Report, Status, describe_cell
from ..parsed import Cell, FullKey, RowData

INF = float("inf")


def interval(cell: Cell | None) -> tuple[float, float]:
    if cell is None:
        return 0.0, INF
    value, status = cell
    if status is Status.VALUE:
        return float(value), float(value)  # type: ignore[arg-type]
    if status is Status.CONFIDENTIAL:
        return 0.0, 3.0  # NAV prints * for 0-3 (values below 4)
    return 0.0, 0.0  # blank: nothing printed


def whole_period(row: RowData) -> bool:
    """The row's month columns are every month of its table's period, so the year-to-date average
    (the mean of all months of the period) is the mean of exactly these columns."""
    start, end = row.period
    if not start or not end:
        return False
    span = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1
    months = {c.period for c in row.columns if c.measure == "DELTAKERE"}
    return 0 < span == len(months) and min(months) == start and max(months) == end


def describe(alt: dict[str, str]) -> str:
    return " ".join(f"{d} {c}" for d, c in alt.items()) or "the grand total"


def describe_key(fk: FullKey) -> str:
    return describe_cell(*fk)


def cell_text(c: Cell) -> str:
    return {Status.CONFIDENTIAL: "*", Status.BLANK: "blank"}.get(c[1], str(c[0]))


class Reconciliation:
    """One report's reconciliation: what every part reads and writes."""

    def __init__(self, report: Report, rows: list[RowData], cl: Codelists):
        self.report = report
        self.rows = rows
        self.cl = cl
        self.evidence: dict[FullKey, list[tuple[Cell, RowData]]] = defaultdict(list)
        self.unreadable: dict[tuple, int] = {}  # full keys of cells that are not a number, * or blank -> line
        self._breakdown_sets: dict[frozenset, frozenset] = {}
        # Worked out once the rows are decided (their keys no longer change): see `families`.
        self._printed: set[tuple[tuple[str, ...], tuple[str, str]]] | None = None
        self._families: tuple[dict[tuple, list[RowData]], dict[int, tuple[str, ...]]] | None = None

    def intern(self, b: frozenset) -> frozenset:
        """One shared set object per distinct set of breakdowns (a report has only a handful)."""
        return self._breakdown_sets.setdefault(b, b)

    def context(self, row: RowData) -> dict[str, str] | None:
        ctx = row.block_context
        if ctx is None:
            return {}
        if not ctx:
            return None  # heading not understood
        if len(ctx) == 1:
            return ctx[0]
        # Ambiguous heading ("Oppfølging"): the table's total row, once decided, tells which.
        return row.context_choice

    def key_for(self, row: RowData, own: dict[str, str]) -> tuple[str, ...] | None:
        ctx = self.context(row)
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

    def full_keys(self, row: RowData, key: tuple[str, ...], placement) -> list[tuple[FullKey, Cell | None]]:
        out = []
        for value_index, col_index in enumerate(placement):
            col = row.columns[col_index]
            out.append(((key, col.measure, col.period), row.cells[value_index]))
        return out

    def collect_evidence(self, only: set[tuple[str, ...]] | None = None) -> None:
        """Index the figures of decided, undamaged rows by full key (damaged rows are never evidence);
        `only` limits it to the keys asked about."""
        self.evidence.clear()
        for row in self.rows:
            if not row.decided or row.choice is None or row.damaged:
                continue
            key = self.key_for(row, row.choice)
            if key is None or (only is not None and key not in only):
                continue
            for fk, cell in self.full_keys(row, key, range(len(row.cells))):
                if cell is not None:
                    self.evidence[fk].append((cell, row))

    def printed_keys(self) -> set[tuple[tuple[str, ...], tuple[str, str]]]:
        """The keys the report prints a row for, with their table period (once the rows are decided)."""
        if self._printed is None:
            self._printed = set()
            for row in self.rows:
                if row.choice is not None and (key := self.key_for(row, row.choice)) is not None:
                    self._printed.add((key, row.period))
        return self._printed

    def total_key(self, row: RowData, key: tuple[str, ...], printed: set) -> tuple[str, ...] | None:
        """The key of the total a row is a part of: its parent in the codelist's hierarchy or, when the
        report prints no row for the parent (measures listed under "I alt" without their groups),
        the nearest ancestor it does print."""
        if row.dim is None:
            return None
        di = DIMENSIONS.index(row.dim)
        code = self.cl[row.dim].parent(key[di])
        if code is None:
            return None
        parent = pkey = (*key[:di], code, *key[di + 1 :])
        while (pkey, row.period) not in printed:
            up = self.cl[row.dim].parent(code)
            if up is None:
                return parent  # no ancestor printed: the parent (its figures, if any, are elsewhere)
            code, pkey = up, (*key[:di], up, *key[di + 1 :])
        return pkey

    def families(self) -> tuple[dict[tuple, list[RowData]], dict[int, tuple[str, ...]]]:
        """Rows grouped by the total they are parts of: (total key, dimension, period) -> rows, and
        each part's key. Worked out once the rows are decided (the suspect rows' test and the damaged
        rows' alignment both use it; neither changes a key)."""
        if self._families is None:
            self._families = self._group_families()
        return self._families

    def _group_families(self) -> tuple[dict[tuple, list[RowData]], dict[int, tuple[str, ...]]]:
        families: dict[tuple, list[RowData]] = defaultdict(list)
        keyed = {}
        printed = self.printed_keys()
        for row in self.rows:
            if row.choice is None or row.role == "total" or row.dim is None or row.dim not in row.choice:
                continue
            key = self.key_for(row, row.choice)
            if key is None:
                continue
            keyed[id(row)] = key
            pkey = self.total_key(row, key, printed)
            if pkey is None:
                continue
            # per table period: a multi-year report prints each year's family in its own tables
            families[(pkey, row.dim, row.period)].append(row)
        return families, keyed

    def complete(self, dim: str, members: list[RowData]) -> bool:
        """Every part of the total is printed (so the parts must also reach the total). Never for
        measures: a group's total also counts measures a table does not list."""
        if dim == "TILTAK":
            return False
        start, end = members[0].period
        di = DIMENSIONS.index(dim)
        present = {k[di] for r in members if r.choice is not None and (k := self.key_for(r, r.choice))}
        required = {c.code for c in self.cl[dim].codes_in_force(start, end) if c.level == "code" and not c.optional}
        return required <= present

    def ytd_fits(self, row: RowData, placement: tuple[int, ...]) -> bool:
        """The year-to-date average must be the mean of the months printed (rounded; * is 0-3)."""
        ytd_idx = [i for i, c in enumerate(row.columns) if c.measure == "SNITT_HIA"]
        if not ytd_idx:
            return True
        yi = ytd_idx[0]
        months = [i for i, c in enumerate(row.columns) if c.measure == "DELTAKERE"]
        if yi not in placement or not whole_period(row):
            return True
        where = dict(zip(placement, row.cells, strict=True))
        ylo, yhi = interval(where[yi])
        if ylo != yhi:
            return True
        lo = sum(interval(where.get(i))[0] for i in months)
        hi = sum(interval(where.get(i))[1] for i in months)
        # mean in [ytd - 0.5, ytd + 0.5] (NAV rounds); allow 0.5 extra for half-up vs half-even
        return lo / len(months) <= ylo + 1.0 and hi / len(months) >= ylo - 1.0
