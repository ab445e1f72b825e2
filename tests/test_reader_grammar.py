"""Reports the team wrote in NAV's grammar with other content: other years, counties, measures, months.
Nothing in the reader may be tied to the five seeds' years, counties, measures or table order."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.model import Severity, Status
from converter.pipeline import read_reconciled, read_text

from .conftest import index, key

DATA = Path(__file__).parent / "data"


def read(name: str):
    r = read_reconciled(str(DATA / name))
    assert not [d.format() for d in r.diagnostics if d.severity is not Severity.INFO]
    acc = r.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]
    return r


def test_2019_county_report_uses_klass_2018():
    r = read("2019-fylke-klass2018.txt")
    assert r.metadata.codelist_versions["FYLKE"] == "2018"
    obs = index(r)
    assert obs[(key(TILTAK="TG_ARBEIDSPRAKSIS", FYLKE="50"), "DELTAKERE", "2019-03")].value == 502
    assert obs[(key(TILTAK="TG_ARBEIDSPRAKSIS", FYLKE="19"), "DELTAKERE", "2019-12")].value == 201
    assert obs[(key(TILTAK="TG_ARBEIDSPRAKSIS", FYLKE="01"), "DELTAKERE", "2019-01")].value == 10
    assert obs[(key(TILTAK="TG_ARBEIDSPRAKSIS", FYLKE="99"), "DELTAKERE", "2019-01")].status is Status.CONFIDENTIAL
    total = obs[(key(TILTAK="TG_ARBEIDSPRAKSIS"), "DELTAKERE", "2019-01")]
    assert total.value == 2142 and len(total.lines) == 2  # repeated on the second page, merged
    assert len({o.key[2] for o in r.observations}) == 20  # 18 counties, Ukjent, total


def test_2016_report_with_the_new_measures():
    r = read("2016-tiltak-nye-tiltak.txt")
    obs = index(r)
    for code, jan in (("MIDLONTIL", 1000), ("VARLONTIL", 2000), ("ARBFORB", 300), ("ARBTREN", 400), ("INKLUTILS", 20)):
        assert obs[(key(TILTAK=code), "DELTAKERE", "2016-01")].value == jan
    assert obs[(key(TILTAK="OPPLT2AAR"), "DELTAKERE", "2016-01")].status is Status.CONFIDENTIAL
    assert obs[(key(TILTAK="TG_LONNSTILSKUDD"), "DELTAKERE", "2016-02")].value == 1001 + 2001
    assert obs[(key(TILTAK="TG_TILRETTELEGGING"), "DELTAKERE", "2016-12")].value == 31
    assert r.metadata.group == "_T"


def test_2025_tilt_report_with_2024_counties_and_updated_date():
    r = read("2025-tilt110-fylke.txt")
    assert (r.metadata.report_id, r.metadata.updated) == ("TILT110", "2026-02-03")
    assert r.metadata.group == "TG_LONNSTILSKUDD"  # one group's measures only
    obs = index(r)
    assert obs[(key(TILTAK="MIDLONTIL", FYLKE="56"), "DELTAKERE", "2025-02")].value == 56 * 12 + 1
    assert obs[(key(TILTAK="MIDLONTIL", FYLKE="55"), "SNITT_HIA", "2025-12")].value == int(
        sum(55 * 12 + m for m in range(12)) / 12 + 0.5
    )
    assert obs[(key(TILTAK="MIDLONTIL", FYLKE="99"), "SNITT_HIA", "2025-12")].status is Status.CONFIDENTIAL
    assert r.metadata.codelist_versions["FYLKE"] == "2024"


def test_january_to_august_only():
    r = read("2020-jan-aug-kjonn.txt")
    obs = index(r)
    assert {o.period for o in r.observations} == {f"2020-{m:02d}" for m in range(1, 9)}
    assert obs[(key(TILTAK="JOBBK", KJONN="M"), "SNITT_HIA", "2020-08")].value == 104  # dated at the last month
    assert obs[(key(KJONN="M"), "DELTAKERE", "2020-08")].value == 314
    assert obs[(key(TILTAK="MENTOR", KJONN="M"), "DELTAKERE", "2020-01")].value == 200


HEADER = "\t" + "\t".join(["Januar", "Februar", "Mars"])


def _report(body: str, period: str = "Januar - Mars 2022") -> str:
    return f"Deltakere i arbeidsrettede tiltak. Tidsserie måned\n\nTiltak\n\n{period}\n\n{HEADER}\n{body}\n"


def test_disagreeing_copies_without_majority_are_left_out():
    text = _report("I alt\t10\t20\t30\nMentor\t10\t20\t30\n") + _report("I alt\t10\t21\t30\nMentor\t10\t20\t30\n")
    r = read_text(text, "x.txt")
    obs = index(r)
    assert (key(), "DELTAKERE", "2022-02") not in obs
    assert [d.rule for d in r.errors] == ["NAV-E013"]
    assert obs[(key(), "DELTAKERE", "2022-01")].value == 10


def test_majority_of_copies_wins_and_dissent_is_reported():
    page = _report("I alt\t10\t20\t30\nMentor\t10\t20\t30\n")
    r = read_text(page + page + _report("I alt\t10\t21\t30\nMentor\t10\t20\t30\n"), "x.txt")
    assert index(r)[(key(), "DELTAKERE", "2022-02")].value == 20
    assert [d.rule for d in r.diagnostics if d.severity is not Severity.INFO] == ["NAV-W021"]


def test_short_row_without_evidence_is_left_out():
    r = read_text(_report("I alt\t10\t20\t30\nMentor\t10\t20\nJobbklubb\t*\t*\t*\n"), "x.txt")
    assert [d.rule for d in r.errors] == ["NAV-E012"]
    assert not [o for o in r.observations if o.key[0] == "MENTOR"]


def test_short_row_repaired_from_a_copy():
    text = _report("I alt\t10\t20\t30\nMentor\t10\t20\t30\n") + _report("I alt\t10\t30\nMentor\t10\t20\t30\n")
    r = read_text(text, "x.txt")
    assert [d.rule for d in r.diagnostics if d.severity is Severity.WARNING] == ["NAV-W020"]
    assert index(r)[(key(), "DELTAKERE", "2022-03")].lines == [8, 18]  # the second page starts at line 11


def test_unknown_label_is_an_error_not_a_guess():
    r = read_text(_report("I alt\t10\t20\t30\nFoobar-tiltak\t1\t2\t3\n"), "x.txt")
    assert [d.rule for d in r.errors] == ["NAV-E014"]
    assert len(r.observations) == 3


def test_no_period_is_an_error():
    r = read_text(f"Tiltak\n\n{HEADER}\nI alt\t1\t2\t3\n", "x.txt")
    assert [d.rule for d in r.errors][:1] == ["NAV-E017"]
    assert not r.observations


@pytest.mark.parametrize("cell", ["12a", "1,5", "--"])
def test_bad_cell_is_reported(cell):
    r = read_text(_report(f"I alt\t10\t{cell}\t30\n"), "x.txt")
    assert "NAV-E011" in [d.rule for d in r.errors]
    assert {o.period for o in r.observations} == {"2022-01", "2022-03"}


def test_heading_that_contradicts_the_total_row_is_reported():
    text = (
        "Deltakere i arbeidsrettede tiltak. Tidsserie måned\n\nTiltak og hovedgrupper\n\nJanuar - Mars 2022\n\n"
        f"Arbeidssøkere på tiltak\n\n{HEADER}\nI alt andre på tiltak\t10\t20\t30\nMentor\t10\t20\t30\n"
    )
    r = read_text(text, "x.txt")
    assert [d.rule for d in r.diagnostics if d.severity is Severity.WARNING] == ["NAV-W023"]
    assert index(r)[(key(HOVEDGRUPPE="ANDRE"), "DELTAKERE", "2022-01")].value == 10


GROUPS_AND_MEASURE_TABLES = """Deltakere i arbeidsrettede tiltak. Tiltak og fylke. Tidsserie måned

Tiltak og fylke

Januar 2022 - Mars 2022

\tJanuar\tFebruar\tMars
I alt jobbklubb\t30\t40\t50
03 Oslo\t10\t15\t20
11 Rogaland\t20\t25\t30

\tJanuar\tFebruar\tMars
I alt oppfølging\t60\t70\t80
03 Oslo\t25\t30\t35
11 Rogaland\t35\t40\t45

\tJanuar\tFebruar\tMars
I alt mentor\t100\t110\t120
03 Oslo\t40\t50\t60
11 Rogaland\t60\t60\t60

Tiltaksgrupper

Januar 2022 - Mars 2022

\tJanuar\tFebruar\tMars
I alt\t500\t600\t700
Avklaringstiltak\t100\t110\t120
Arbeidspraksis\t200\t210\t220
"""


def test_an_ambiguous_total_among_measure_tables_is_a_measure():
    # "Oppfølging" is a group and a measure; no figure decides, and the report also has group
    # rows. The other county tables are under measure totals, so this one is a measure's too.
    r = read_text(GROUPS_AND_MEASURE_TABLES, "measures.txt")
    assert not r.errors, [d.format() for d in r.errors]
    obs = index(r)
    assert obs[(key(TILTAK="INDOPPFAG", FYLKE="11"), "DELTAKERE", "2022-03")].value == 45
    assert obs[(key(TILTAK="INDOPPFAG"), "DELTAKERE", "2022-01")].value == 60
    assert (key(TILTAK="TG_OPPFOLGING"), "DELTAKERE", "2022-01") not in obs


MISSPELT_AND_DAMAGED = """Deltakere i arbeidsrettede tiltak. Tiltak og hovedgrupper. Tidsserie måned

Tiltak og hovedgrupper

Januar 2023 - April 2023

Nedatt arbeidsevne, på tiltak,
arbeidspraksis

\tGjennomsnitt hittil i år\tJanuar\tFebruar\tMars\tApril
I alt nedsatt arbeidsevne, på tiltakk, arbeidspraksis\t25\t20\t24\t26\t30
Arbeidstreing\t15\t12\t14\t16\t18
Menton\t10\t8\t10\t10\t12

Arbeidssøkere på tiltak

\tGjennomsnitt hittil i år\tJanuar\tFebruar\tMars\tApril
I alt arbeidssøkere på tiltak\t43\t40\t42\t44\t46
I alt menor\t43\t40\t42\t44\t46
Kvinner\t23\t22\t24\t26\t
Menn\t20\t20\t20\t20\t20
"""


def test_misspelt_headings_totals_and_a_value_lost_before_a_kept_tab():
    r = read_text(MISSPELT_AND_DAMAGED, "typos.txt")
    obs = index(r)
    nedsatt = dict(HOVEDGRUPPE="NEDSATT")
    assert obs[(key(TILTAK="TG_ARBEIDSPRAKSIS", **nedsatt), "DELTAKERE", "2023-04")].value == 30
    assert obs[(key(TILTAK="ARBTREN", **nedsatt), "DELTAKERE", "2023-02")].value == 14
    assert obs[(key(TILTAK="MENTOR", **nedsatt), "SNITT_HIA", "2023-04")].value == 10
    # "Kvinner" lost its January value and kept the tab: read literally, every month would shift
    # by one and the totals would fail. The totals leave one placement.
    arbsok = dict(HOVEDGRUPPE="ARBSOK", TILTAK="MENTOR")
    assert any(d.rule == "NAV-I034" and d.line == 20 for d in r.diagnostics)
    assert any(d.rule == "NAV-W020" and d.line == 20 for d in r.diagnostics)
    assert obs[(key(KJONN="F", **arbsok), "DELTAKERE", "2023-04")].value == 26
    assert obs[(key(KJONN="F", **arbsok), "DELTAKERE", "2023-02")].value == 22
    assert obs[(key(KJONN="F", **arbsok), "SNITT_HIA", "2023-04")].value == 23
    assert (key(KJONN="F", **arbsok), "DELTAKERE", "2023-01") not in obs
    assert not r.errors and not [d for d in r.diagnostics if d.rule == "NAV-Q201"]


def test_measures_printed_before_they_start_keep_their_own_codes():
    # 2011: neither "(dag)" nor "(døgn)" is in force yet (from 2012); each is still its own measure,
    # never both re-routed to the group "Arbeidsrettet rehabilitering" (which would make one key).
    text = (
        "Deltakere i arbeidsrettede tiltak. Tiltak. Tidsserie måned\n\nTiltak\n\nJanuar 2011 - Februar 2011\n\n"
        "\tJanuar\tFebruar\nI alt\t40\t50\nArbeidsrettet rehabilitering (dag)\t*\t*\n"
        "Arbeidsrettet rehabilitering (døgn)\t*\t*\nJobbklubb\t30\t40\n"
    )
    r = read_text(text, "early.txt")
    obs = index(r)
    for code in ("ARBRRHDAG", "ARBRRDOGN"):
        assert obs[(key(TILTAK=code), "DELTAKERE", "2011-01")].status is Status.CONFIDENTIAL
    assert {d.line for d in r.diagnostics if d.rule == "NAV-I036"} == {9, 10}
    assert not r.errors
