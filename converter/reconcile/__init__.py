"""From parsed rows to observations: decide what each row is, align damaged rows, merge copies.

Principles (the report is the only evidence; nothing is guessed):

- A row whose label can mean two things (a group or a measure named "Oppfølging") is decided by the
  figures printed elsewhere in the report, then by the structure of its table; otherwise reported
  (`decide`).
- A row with as many values as its header has columns maps one to one, unless it ends in an empty
  cell and the report contradicts that reading (`suspects`). Any other row is damaged: every
  order-preserving placement of its values into the columns is tried, and a placement survives only
  if it agrees with other printed copies of the same figures, with the totals the row belongs to
  (each `*` is 0-3) and with the year-to-date average. A row is repaired only when exactly one
  placement survives; otherwise its cells are reported and left out (`align`).
- All copies of a figure are collected; identical copies merge, a clear majority of undamaged copies
  outvotes a dissenting copy (reported), and anything else is reported and left out (`merge`).

The parts share one `Reconciliation` (`context`): the rows, the codelists, the report being filled
and the evidence index.
"""

from __future__ import annotations

from ..codelists import Codelists
from ..model import Report
from ..parsed import Column, RowData
from .align import align_damaged
from .context import Reconciliation
from .decide import decide_rows
from .merge import breakdowns, merge
from .suspects import test_suspects

__all__ = ["Column", "Reconciliation", "RowData", "reconcile"]


def reconcile(report: Report, rows: list[RowData], cl: Codelists, literal: bool = False) -> None:
    """Turn a report's interpreted rows into its observations, diagnostics and withheld cells."""
    rc = Reconciliation(report, rows, cl)
    decide_rows(rc)
    if not literal:
        test_suspects(rc)
    align_damaged(rc, literal)
    for r in rows:  # keys first, for the breakdown of each table
        if r.choice is not None and (not r.damaged or r.placement is not None):
            r.key = rc.key_for(r, r.choice)
    breakdowns(rows)
    merge(rc)
    if rc.unreadable:
        report.withheld |= rc.unreadable - {(*o.key, o.measure, o.period) for o in report.observations}
    report.observations.sort(key=lambda o: (o.key, o.measure, o.period))
