"""Quality rules: each catches what it should on hand-made tables and stays quiet on consistent ones;
the reconciled seeds pass; a literal reading of the damaged 2023 rows fails the totals check."""

from __future__ import annotations

import pytest

from converter.pipeline import read_text
from converter.validate import check_report

from .conftest import SEEDS, seed_report

MONTHS = ["Januar", "Februar", "Mars"]


def report(
    rows: str,
    header: str = "\t" + "\t".join(MONTHS),
    period: str = "Januar - Mars 2022",
    title: str = "TILT140 Tiltaksdeltakere på oppfølging. Tidsserie måned",
):
    return read_text(f"{title}\n\nTiltak\n\n{period}\n\n{header}\n{rows}\n", "hand-made.txt")


def results(r) -> dict[str, tuple[int, int]]:
    return {x.rule: (x.passed, x.failed) for x in check_report(r)}


def test_consistent_table_passes_every_rule():
    r = report("I alt\t30\t40\t50\nMentor\t10\t20\t30\nJobbklubb\t20\t20\t20\n")
    res = results(r)
    assert res["NAV-Q201"] == (3, 0)
    assert all(failed == 0 for _, failed in res.values())


def test_total_that_is_not_the_sum_fails_with_its_line():
    r = report("I alt\t30\t41\t50\nMentor\t10\t20\t30\nJobbklubb\t20\t20\t20\n")
    res = check_report(r)[0]
    assert (res.passed, res.failed) == (2, 1)
    assert (
        res.findings[0].line == 8
        and "total 41" in res.findings[0].message
        and "add up to 40" in res.findings[0].message
    )


def test_stars_count_zero_to_three():
    assert results(report("I alt\t13\t10\t10\nMentor\t10\t10\t10\nJobbklubb\t*\t*\t*\n"))["NAV-Q201"] == (3, 0)
    r = report("I alt\t14\t9\t10\nMentor\t10\t10\t10\nJobbklubb\t*\t*\t*\n")  # 14 > 10+3, and 9 < 10
    assert results(r)["NAV-Q201"] == (1, 2)


def test_group_and_counties_hierarchies():
    header = "\t" + "\t".join(MONTHS)
    text = (
        f"Deltakere i arbeidsrettede tiltak. Tiltaksgruppe og fylke. Tidsserie måned\n\nFylke og tiltaksgruppe\n\n"
        f"Januar - Mars 2022\n\nOppfølging\n\n{header}\nI alt oppfølging\t100\t100\t100\n"
        "Oslo\t60\t60\t60\nViken\t39\t40\t*\nUkjent\t*\t*\t*\n"
    )
    res = results(read_text(text, "x.txt"))
    assert res["NAV-Q201"] == (2, 1)  # March: 60 + * + * < 100


def test_year_to_date_average():
    header = "\tGjennomsnitt hittil i år\t" + "\t".join(MONTHS)
    assert results(report("I alt\t20\t10\t20\t30\nMentor\t20\t10\t20\t30\n", header))["NAV-Q202"] == (2, 0)
    assert results(report("I alt\t25\t10\t20\t30\nMentor\t25\t10\t20\t30\n", header))["NAV-Q202"] == (0, 2)
    # rounded: mean 20.67 prints 21; and * leaves room
    assert results(report("Mentor\t21\t11\t20\t31\n", header))["NAV-Q202"] == (1, 0)
    assert results(report("Mentor\t2\t*\t*\t4\n", header))["NAV-Q202"] == (1, 0)


def test_copies_that_disagree_are_counted():
    page = "I alt\t10\t20\t30\nMentor\t10\t20\t30\n"
    r = report(
        page + "\nTiltak\n\nJanuar - Mars 2022\n\n\tJanuar\tFebruar\tMars\nI alt\t10\t20\t31\nMentor\t10\t20\t30\n"
    )
    assert results(r)["NAV-Q203"] == (5, 1)


def test_code_with_a_figure_before_it_is_in_force():
    header = "\t" + "\t".join(["Oktober", "November", "Desember"])
    r = report("I alt\t5\t5\t10\nArbeid med støtte\t*\t*\t5\nMentor\t5\t5\t5\n", header, "Oktober - Desember 2023")
    assert results(r)["NAV-Q204"] == (9, 0)  # * before December 2023 may be zero: fine
    r = report("I alt\t9\t5\t10\nArbeid med støtte\t4\t*\t5\nMentor\t5\t5\t5\n", header, "Oktober - Desember 2023")
    assert results(r)["NAV-Q204"] == (8, 1)


def test_disclosure_audit_finds_a_lone_star_and_never_prints_its_value():
    r = report(
        "I alt\t12\t20\t30\nMentor\t10\t20\t30\nJobbklubb\t*\t*\t*\nMentor2\t\t\t\n".replace(
            "Mentor2", "Egenetablering"
        )
    )
    res = check_report(r)[-1]
    # January: 12 = 10 + * -> * is 2; February and March: 20 = 20 + * -> * is 0
    assert (res.passed, res.failed) == (0, 3)
    assert all("2" not in f.message.split(":")[-1] for f in res.findings)
    r = report("I alt\t13\t20\t30\nMentor\t10\t*\t30\nJobbklubb\t*\t*\t*\n")
    res = check_report(r)[-1]
    assert res.failed == 2  # January (13 = 10 + *) and March; February has two stars: not derivable


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_reconciled_seeds_pass_totals_ytd_copies_and_codes(seed):
    res = {x.rule: x for x in check_report(seed_report(seed))}
    for rule in ("NAV-Q201", "NAV-Q202", "NAV-Q203", "NAV-Q204"):
        assert res[rule].failed == 0, res[rule].findings[:3]
    assert res["NAV-Q201"].passed > 200


EXPECTED_AUDIT = {"2014": 100, "2021": 151, "2022": 303, "2023": 175, "2024": 18}  # derivable suppressed cells


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_disclosure_audit_on_the_seeds(seed):
    res = check_report(seed_report(seed))[-1]
    assert res.failed == EXPECTED_AUDIT[seed]


def test_literal_reading_of_the_damaged_rows_fails_the_totals_check():
    literal = read_text(SEEDS["2023"].read_text(encoding="utf-8"), str(SEEDS["2023"]), literal=True)
    totals = check_report(literal)[0]
    assert totals.failed >= 5
    assert all(f.line == 14 and "FYLKE parts" in f.message for f in totals.findings)
