"""The data that passes from a reader to the reconciler: parsed rows, their cells and columns.

A row's label, cells and columns are facts of the document; the fields below the line are the
reconciler's decisions about it (what it is, where its values go), recorded on the row so that
`navstat inspect` and the checks can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Diagnostic, Report, Status

Cell = tuple[int | None, Status]  # None in a cell list: unparseable
FullKey = tuple[tuple[str, ...], str, str]  # key, measure, period


@dataclass(frozen=True, slots=True)
class Column:
    measure: str
    period: str


@dataclass(eq=False)
class RowData:
    """One printed row. The first group of fields is what the document says (set by the reader);
    the second is the reader's interpretation of its table; the third is the reconciler's decisions."""

    # -- facts of the document
    line: int
    label: str
    cells: list[Cell | None]  # the reconciler drops a trailing empty cell it finds to be damage
    columns: list[Column]
    damaged: bool  # another number of values than columns (or, later, a contradicted literal reading)
    total_of: str | None = None  # "I alt X": what it totals ("" for the grand total)
    # As many cells as columns but the last one empty: a value may have been lost in the middle
    # with the tab kept. The literal reading is then only a hypothesis the report must confirm.
    suspect: bool = False
    table: int = 0  # index of the printed table (block) the row is in
    period: tuple[str, str] = ("", "")  # first and last month of the table's period
    section: str = ""
    # -- the reader's interpretation of its table
    alternatives: list[dict[str, str]] = field(default_factory=list)  # what the label can mean
    block_context: list[dict[str, str]] | None = None  # what the heading above the table can mean
    parent: RowData | None = None  # the total row this row is a part of
    base: dict[str, str] = field(default_factory=dict)  # the key of the report's grand total
    dim: str | None = None  # what the rows of its table break down by
    tiltak_level: str | None = None  # "group" | "code": what the other rows of its table are
    report_level: str | None = None  # the same over the whole report
    role: str = "row"  # "row" | "total"
    # -- the reconciler's decisions
    choice: dict[str, str] | None = None  # the alternative decided
    decided: bool = False
    context_choice: dict[str, str] | None = None
    key: tuple[str, ...] | None = None
    placement: tuple[int, ...] | None = None  # column index of each value
    partial: dict[int, Cell] | None = None  # column -> cell, where every fitting alignment agrees
    breakdown: tuple[str, ...] = ()
    breakdowns: frozenset | None = None  # {breakdown}, shared by the row's observations


@dataclass
class Interpretation:
    """What a reader makes of an input before reconciliation: the report with its metadata, tables
    and the reader's own diagnostics, and every printed row with its meaning. `notes` are the
    reader's remarks on the input itself (encoding, workbook layout), added after the reconciler's
    diagnostics. `literal` reads damaged rows at face value (for demonstrations, never to publish)."""

    report: Report
    rows: list[RowData] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    literal: bool = False
