"""The reconciler's parts on tiny hand-made rows: alignment of a damaged row and merging of copies."""

from __future__ import annotations

from converter.codelists import load_codelists
from converter.model import DIMENSIONS, TOTAL, Report, Status
from converter.parsed import Column, RowData
from converter.reconcile import reconcile

from .conftest import index, key

CL = load_codelists()
PERIOD = ("2022-01", "2022-03")
COLUMNS = [Column("DELTAKERE", f"2022-0{m}") for m in (1, 2, 3)]
BASE = {d: TOTAL for d in DIMENSIONS}


def row(line: int, label: str, values: list, alt: dict[str, str], parent: RowData | None = None, **kw) -> RowData:
    cells = [("*" if v == "*" else v) for v in values]
    parsed = [(None, Status.CONFIDENTIAL) if c == "*" else (c, Status.VALUE) for c in cells]
    r = RowData(
        line=line, label=label, cells=parsed, columns=COLUMNS, damaged=len(values) != len(COLUMNS), period=PERIOD
    )
    r.alternatives, r.base, r.parent, r.dim = [alt], BASE, parent, kw.get("dim", "KJONN")
    r.role = "total" if parent is None else "row"
    r.total_of = "" if parent is None else None
    return r


def run(*rows: RowData) -> Report:
    report = Report(source="tiny.txt")
    reconcile(report, list(rows), CL)
    acc = report.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]
    return report


def test_a_damaged_row_is_placed_where_the_totals_leave_one_placement():
    total = row(1, "I alt", [10, 20, 30], {})
    women = row(2, "Kvinner", [5, 8, 10], {"KJONN": "F"}, total)
    men = row(3, "Menn", [5, 20], {"KJONN": "M"}, total)  # February lost
    r = run(total, women, men)
    obs = index(r)
    assert obs[(key(KJONN="M"), "DELTAKERE", "2022-01")].value == 5
    assert obs[(key(KJONN="M"), "DELTAKERE", "2022-03")].value == 20
    assert (key(KJONN="M"), "DELTAKERE", "2022-02") not in obs  # not printed: never derived
    assert [d.rule for d in r.diagnostics] == ["NAV-W020"]


def test_a_damaged_row_is_repaired_only_when_one_placement_fits():
    total = row(1, "I alt", [10, 20, 30], {})
    women = row(2, "Kvinner", ["*", "*", "*"], {"KJONN": "F"}, total)
    men = row(3, "Menn", [9, 19], {"KJONN": "M"}, total)
    r = run(total, women, men)
    obs = index(r)
    # 9 fits January (10 - *), 19 fits February (20 - *) but not March (30 - * > 19 + 3): one placement
    assert obs[(key(KJONN="M"), "DELTAKERE", "2022-02")].value == 19
    total2 = row(1, "I alt", [28, 28, 28], {})
    women2 = row(2, "Kvinner", ["*", "*", "*"], {"KJONN": "F"}, total2)
    men2 = row(3, "Menn", [27], {"KJONN": "M"}, total2)
    r2 = run(total2, women2, men2)
    assert {d.rule for d in r2.diagnostics} == {"NAV-E012"}  # 27 fits any month: left out, reported
    assert len(r2.withheld) == 3


def test_copies_merge_disagreeing_copies_are_left_out_and_a_majority_outvotes():
    a, b = row(1, "I alt", [10, 20, 30], {}), row(5, "I alt", [10, 20, 30], {})
    r = run(a, b)
    assert r.accounting["merged"] == 3 and index(r)[(key(), "DELTAKERE", "2022-01")].lines == [1, 5]
    a, b = row(1, "I alt", [10, 20, 30], {}), row(5, "I alt", [10, 21, 30], {})
    r = run(a, b)
    assert (key(), "DELTAKERE", "2022-02") not in index(r)
    assert (*key(), "DELTAKERE", "2022-02") in r.withheld
    assert [d.rule for d in r.diagnostics] == ["NAV-E013"]
    a, b, c = (row(n, "I alt", [10, v, 30], {}) for n, v in ((1, 20), (5, 21), (9, 20)))
    r = run(a, b, c)
    assert index(r)[(key(), "DELTAKERE", "2022-02")].value == 20
    assert [(d.rule, d.line) for d in r.diagnostics] == [("NAV-W021", 5)]
