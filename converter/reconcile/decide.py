"""What each row is: one alternative, decided by the figures printed elsewhere, then by the
structure of its table (a total closing a list of measures is their group, ...); else reported."""

from __future__ import annotations

from ..model import Status
from ..parsed import RowData
from ..rules import CONTEXT_UNKNOWN, LABEL_AMBIGUOUS, TOTAL_AMBIGUOUS, TOTAL_DECIDED
from .context import Reconciliation, describe


def decide_rows(rc: Reconciliation) -> None:
    for row in rc.rows:
        if len(row.alternatives) == 1:
            row.choice, row.decided = row.alternatives[0], True
        elif not row.alternatives:
            row.decided = True  # unresolved: choice stays None, reported already
    for _ in range(3):
        pending = [r for r in rc.rows if not r.decided]
        if not pending:
            break
        wanted = {k for r in pending for a in r.alternatives if (k := rc.key_for(r, a)) is not None}
        rc.collect_evidence(only=wanted)
        for row in pending:
            _decide_by_figures(rc, row)
        if all(not r.decided for r in pending):
            break  # nothing new to learn from another round
    for row in rc.rows:
        if not row.decided:
            _decide_by_structure(rc, row)
    _decide_contexts(rc)


def _decide_contexts(rc: Reconciliation) -> None:
    # A table under an ambiguous heading takes the choice of its first total row that fits it.
    by_block: dict[int, dict[str, str] | None] = {}
    for row in rc.rows:
        ctx = row.block_context
        if ctx and len(ctx) > 1:
            bid = id(ctx)
            if bid not in by_block:
                by_block[bid] = None
                for r in rc.rows:
                    if r.block_context is ctx and r.role == "total" and r.choice:
                        fits = [c for c in ctx if all(r.choice.get(d) == v for d, v in c.items())]
                        if len(fits) == 1:
                            by_block[bid] = fits[0]
                            break
                if by_block[bid] is None:
                    rc.report.diagnose(
                        CONTEXT_UNKNOWN,
                        row.line,
                        "the heading above this table names both a group and a measure; nothing decides which",
                    )
            row.context_choice = by_block[bid]


def _decide_by_figures(rc: Reconciliation, row: RowData) -> None:
    if row.damaged:
        return
    supported = []
    for alt in row.alternatives:
        key = rc.key_for(row, alt)
        if key is None:
            continue
        match = clash = False
        for fk, cell in rc.full_keys(row, key, range(len(row.cells))):
            copies = [c for c, r in rc.evidence.get(fk, []) if r is not row]
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
        rc.report.diagnose(
            TOTAL_DECIDED,
            row.line,
            f"'{row.label}' read as {describe(supported[0])}: its figures equal those printed for it elsewhere",
        )


def _decide_by_structure(rc: Reconciliation, row: RowData) -> None:
    alts = row.alternatives
    levels = {}
    for alt in alts:
        code = alt.get("TILTAK")
        c = rc.cl["TILTAK"].code(code) if code else None
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
        elif row.role == "total" and (sib := _sibling_totals_level(rc, row)) is not None and sib in levels:
            lvl = sib
            kind = "measures" if lvl == "code" else "groups"
            choice, why = levels[lvl], f"the other totals of tables by {row.dim} are {kind}"
        elif "grupp" in row.section.lower():
            choice, why = levels["group"], f"section '{row.section}'"
    if choice is None:
        opts = " or ".join(describe(a) for a in alts)
        rc.report.diagnose(
            TOTAL_AMBIGUOUS if row.role == "total" else LABEL_AMBIGUOUS,
            row.line,
            f"'{row.label}' can be {opts}; no figure or table structure in the report decides",
        )
        row.decided = True
        return
    row.choice, row.decided = choice, True
    rc.report.diagnose(TOTAL_DECIDED, row.line, f"'{row.label}' read as {describe(choice)}: {why}")


def _sibling_totals_level(rc: Reconciliation, row: RowData) -> str | None:
    """What the other "I alt <tiltak>" totals of tables broken down like this one are: measures
    ("code") or groups, if they all agree. A table of counties under "I alt oppfølging" among
    tables under "I alt jobbklubb" and "I alt mentor" is a measure's table too."""
    found = set()
    for r in rc.rows:
        if r is row or r.role != "total" or r.dim != row.dim or not r.decided or not r.choice:
            continue
        code = r.choice.get("TILTAK")
        c = rc.cl["TILTAK"].code(code) if code else None
        if c is not None and c.level in ("group", "code"):
            found.add(c.level)
    return found.pop() if len(found) == 1 else None
