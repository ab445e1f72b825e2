"""Cell values of the five example reports (copies of the seeds), row by row, with the trap each row
exercises. Expected values are typed from the source lines (thousands separators removed); `*` is
confidential, `_` a blank cell, `-` a cell the reader must leave out."""

from __future__ import annotations

import pytest

from converter.model import Severity, Status

from .conftest import index, key, seed_report

M12 = [("DELTAKERE", m) for m in range(1, 13)]
Y12 = [("SNITT_HIA", 12), *M12]
Y11 = [("SNITT_HIA", 12), *M12[:11]]
YD = [("SNITT_HIA", 12), ("DELTAKERE", 12)]
JUN_OCT = [("DELTAKERE", m) for m in range(6, 11)]

# (seed, line, key, columns, values) -- the comment says what the row tests.
ROWS = [
    # 2021, markdown-like, sections mislabelled, Cyrillic look-alikes
    ("2021", 28, {}, M12, "72086 75001 77372 78670 77811 74296 66891 73360 76561 78515 79847 79204"),  # <b>I alt</b>
    ("2021", 127, {"TILTAK": "DIGIOPPARB"}, M12, "* 602 1017 991 881 684 494 455 661 928 1128 1050"),  # Cyrillic
    ("2021", 130, {"TILTAK": "JOBBK"}, M12, "1808 1927 2071 2095 1725 1347 769 1359 1642 1628 1431 1250"),  # Jobbkлубb
    (
        "2021",
        45,
        {"TILTAK": "TG_LONNSTILSKUDD"},
        M12,  # "Lønnskudd" under a "Hovedgrupper" title
        "10469 10895 11246 11551 11971 12740 12579 12304 12390 12533 12745 12660",
    ),
    (
        "2021",
        136,
        {"TILTAK": "TG_OPPFOLGING"},
        M12,  # "I alt oppfølging" = the group, by its figures (l. 44)
        "16662 17549 18368 18313 17700 17214 16216 16673 17283 17794 18216 18143",
    ),
    ("2021", 155, {"TILTAK": "ENKELAMO"}, M12, "2733 3114 3454 3650 3503 2581 1783 2723 3172 3411 3589 3527"),
    ("2021", 138, {"TILTAK": "TILSJOBB"}, M12, "* * * * * 240 371 19 4 * * *"),
    (
        "2021",
        297,
        {"TILTAK": "JOBBK", "HOVEDGRUPPE": "NEDSATT"},
        M12,  # "Jobbklass"; plain context heading
        "196 207 257 258 226 186 136 192 235 220 190 162",
    ),
    (
        "2021",
        357,
        {"TILTAK": "INKLUTILS", "HOVEDGRUPPE": "NEDSATT"},
        M12,  # "Inkluderingsstøtte"; page w/o title
        "88 86 88 97 104 115 115 112 109 117 111 115",
    ),
    (
        "2021",
        448,
        {"TILTAK": "INKLUTILS", "HOVEDGRUPPE": "ANDRE"},
        M12,  # "Inkluderingsstilkudd"
        "42 43 60 57 62 88 76 68 69 71 65 68",
    ),
    (
        "2021",
        401,
        {"TILTAK": "TG_OPPFOLGING", "HOVEDGRUPPE": "ANDRE"},
        M12,
        "326 329 357 375 374 405 344 358 387 408 442 463",
    ),
    # 2014, plain text, blank cells, old measures
    (
        "2014",
        27,
        {"HOVEDGRUPPE": "ARBSOK"},
        M12,
        "16341 18258 18465 16769 15050 10920 5815 6558 8355 10630 12683 12543",
    ),
    ("2014", 49, {"TILTAK": "TG_TILRETTELEGGING"}, M12, "609 701 753 684 652 520 373 364 474 574 622 650"),  # group
    ("2014", 189, {"TILTAK": "TILRETTELEGGING"}, M12, "364 449 501 413 377 268 151 151 235 298 331 357"),  # measure
    (
        "2014",
        67,
        {"TILTAK": "TG_LONNSTILSKUDD", "HOVEDGRUPPE": "ARBSOK"},
        M12,
        "1374 1432 1520 1416 1396 1320 1024 914 931 993 1058 1091",
    ),
    (
        "2014",
        114,
        {"TILTAK": "TG_JOBBSKAPING", "HOVEDGRUPPE": "ANDRE"},
        M12,
        "* * * * * _ _ _ _ * _ _",
    ),  # trailing blanks
    ("2014", 136, {"TILTAK": "SUPPEMP"}, M12, "_ _ _ _ _ _ 18 42 78 106 160 186"),  # leading blanks
    ("2014", 135, {"TILTAK": "INDOPPRF"}, M12, "8 16 28 32 40 40 49 53 58 61 54 53"),
    ("2014", 137, {"TILTAK": "UTVAOONAV"}, M12, "293 323 332 318 331 321 339 327 284 311 324 333"),
    ("2014", 165, {"TILTAK": "ARBRRDOGN"}, M12, "18 22 11 9 7 * _ 13 4 10 9 11"),
    ("2014", 204, {"TILTAK": "JOBBSKAP"}, M12, "8 * * * * * _ _ _ _ * *"),  # "Jobbskappingsprosjekter"
    (
        "2014",
        224,
        {"TILTAK": "JOBBK", "HOVEDGRUPPE": "ARBSOK"},
        M12,  # "Jobbklasser"
        "1588 2210 2133 1514 1305 838 259 743 1276 1913 2594 2014",
    ),
    ("2014", 411, {"TILTAK": "ARBRRDOGN", "HOVEDGRUPPE": "ANDRE"}, M12, "_ _ _ _ * _ _ * _ * _ _"),
    ("2014", 448, {"KJONN": "F"}, M12, "37117 38511 38942 37808 36979 32603 26054 29231 32990 35680 37544 37308"),
    ("2014", 533, {"TILTAK": "JOBBSKAP", "KJONN": "F"}, M12, "* * * * * * _ _ _ _ * *"),
    # 2022, counties of KLASS 2020 with Sami names, two- and three-line headings
    ("2022", 32, {"TILTAK": "TG_AVKLARING", "FYLKE": "18"}, M12, "146 142 140 131 149 132 76 115 117 130 114 120"),
    ("2022", 39, {"TILTAK": "TG_AVKLARING", "FYLKE": "54"}, M12, "208 206 218 196 229 170 68 175 194 199 176 148"),
    ("2022", 40, {"TILTAK": "TG_AVKLARING", "FYLKE": "_O"}, M12, "* * * * * * * * * * * *"),
    ("2022", 58, {"TILTAK": "TG_OPPFOLGING", "FYLKE": "18"}, M12, "765 777 761 772 789 796 794 803 773 789 773 772"),
    ("2022", 243, {"TILTAK": "TG_JOBBSKAPING", "FYLKE": "50"}, M12, "* * * * * * * * * * * *"),
    (
        "2022",
        258,
        {"TILTAK": "TG_AVKLARING", "HOVEDGRUPPE": "ARBSOK"},
        M12,  # "avklarings tiltak"
        "395 401 387 337 327 299 223 261 295 290 311 298",
    ),
    (
        "2022",
        262,
        {"TILTAK": "TG_AVKLARING", "HOVEDGRUPPE": "ARBSOK", "FYLKE": "18"},
        M12,
        "18 27 25 18 22 8 8 11 8 11 12 22",
    ),
    (
        "2022",
        393,
        {"TILTAK": "TG_JOBBSKAPING", "HOVEDGRUPPE": "ARBSOK"},
        M12,  # heading over three lines
        "88 84 116 106 100 92 90 85 87 85 88 77",
    ),
    (
        "2022",
        632,
        {"TILTAK": "TG_AVKLARING", "HOVEDGRUPPE": "ANDRE"},
        M12,  # page with no title
        "448 443 437 402 450 459 261 401 427 466 499 453",
    ),
    ("2022", 815, {"TILTAK": "TG_JOBBSKAPING", "HOVEDGRUPPE": "ANDRE", "FYLKE": "42"}, JUN_OCT, "* * * * *"),
    # 2024 TILT120: year-to-date column, grand total = the group, 2024 counties, demography
    (
        "2024",
        20,
        {"TILTAK": "TG_ARBEIDSPRAKSIS"},
        Y12,
        "13233 12698 13253 13450 14221 14068 13211 11838 12016 12397 13506 14005 14127",
    ),
    ("2024", 21, {"TILTAK": "ARBFORB"}, Y12, "7629 7698 7666 7659 7704 7640 7598 7461 7464 7513 7718 7693 7731"),
    ("2024", 28, {"TILTAK": "ARBFORB", "HOVEDGRUPPE": "ARBSOK"}, Y12, "14 6 5 7 13 14 13 12 16 19 20 18 19"),
    (
        "2024",
        47,
        {"TILTAK": "TG_ARBEIDSPRAKSIS", "HOVEDGRUPPE": "ANDRE"},
        Y12,
        "83 64 64 74 73 82 77 75 82 87 111 100 104",
    ),
    ("2024", 55, {"TILTAK": "ARBFORB", "FYLKE": "03"}, Y12, "970 915 901 899 965 989 987 990 976 976 1010 1002 1024"),
    ("2024", 59, {"TILTAK": "ARBFORB", "FYLKE": "31"}, Y12, "579 580 575 576 588 576 581 573 554 578 596 587 589"),
    ("2024", 74, {"TILTAK": "ARBFORB", "FYLKE": "56"}, Y12, "146 135 139 149 157 164 150 134 137 141 146 149 147"),
    ("2024", 82, {"TILTAK": "ARBTREN", "FYLKE": "18"}, Y12, "249 223 259 297 301 287 242 193 198 204 246 265 271"),
    ("2024", 102, {"TILTAK": "ARBTREN", "FYLKE": "56"}, Y12, "42 28 44 49 51 52 47 37 33 29 42 43 44"),  # wrapped YTD
    ("2024", 120, {"TILTAK": "ARBTREN", "FYLKE": "99"}, Y12, "6 7 9 10 10 8 * * * 7 5 6 6"),  # shifted header
    (
        "2024",
        128,
        {"TILTAK": "ARBFORB", "KJONN": "F"},
        Y12,
        "3753 3778 3751 3735 3759 3759 3728 3668 3678 3685 3818 3837 3835",
    ),
    (
        "2024",
        141,
        {"TILTAK": "ARBFORB", "ALDER": "Y20T24"},
        Y12,
        "1560 1635 1603 1600 1625 1630 1606 1559 1504 1474 1513 1482 1493",
    ),
    (
        "2024",
        164,
        {"TILTAK": "ARBFORB", "INNVANDRING": "IKKE_B"},
        Y12,
        "5796 5904 5877 5865 5870 5802 5770 5636 5631 5679 5846 5821 5854",
    ),
    (
        "2024",
        179,
        {"TILTAK": "ARBFORB", "LANDBAKGRUNN": "AMERIKA_OSEANIA"},
        Y12,
        "258 259 259 253 264 259 267 266 264 262 262 242 242",
    ),
    ("2024", 181, {"TILTAK": "ARBFORB", "LANDBAKGRUNN": "UOPPGITT"}, Y12, "* * * * * * * * * * * * *"),
    (
        "2024",
        199,
        {"TILTAK": "ARBFORB", "UTDANNING": "03a"},
        Y12,
        "944 948 925 914 920 891 905 904 932 947 1004 1019 1018",
    ),
    (
        "2024",
        210,
        {"TILTAK": "ARBTREN", "UTDANNING": "04a"},
        Y12,
        "295 217 242 244 268 262 247 291 314 323 375 380 372",
    ),
    # 2023, no headings at all: breakdowns from row labels, grand total = Oppfølging
    (
        "2023",
        12,
        {"TILTAK": "TG_OPPFOLGING"},
        Y12,
        "17592 17493 17632 17609 17523 17265 17144 16877 17003 17444 18117 18620 18376",
    ),
    ("2023", 13, {"TILTAK": "ARBEID_MED_STOTTE"}, Y12, "432 * * * * * * * * * * * 5188"),
    ("2023", 14, {"TILTAK": "DIGIOPPARB"}, Y12, "357 239 307 327 291 271 300 215 184 362 570 692 526"),  # iobbklubb
    ("2023", 16, {"TILTAK": "IPSUNG"}, Y12, "900 824 841 848 888 920 945 958 917 882 903 937 937"),  # IPS Una
    ("2023", 20, {"TILTAK": "UTVAOONAV"}, Y12, "4854 5183 5325 5289 5257 5317 5427 5584 5393 5251 5109 5114 *"),
    ("2023", 35, {"TILTAK": "UTVOPPFOPL", "HOVEDGRUPPE": "ARBSOK"}, Y12, "16 69 44 28 19 7 5 7 5 * * * *"),
    ("2023", 42, {"TILTAK": "DIGIOPPARB", "HOVEDGRUPPE": "NEDSATT"}, Y12, "25 17 34 33 26 17 23 19 16 32 28 26 28"),
    ("2023", 69, {"TILTAK": "ARBEID_MED_STOTTE", "FYLKE": "03"}, YD, "67 807"),  # YTD + December only
    ("2023", 79, {"TILTAK": "ARBEID_MED_STOTTE", "FYLKE": "54"}, YD, "22 269"),  # "Romsa ia"
    ("2023", 90, {"TILTAK": "ARBEID_MED_STOTTE", "FYLKE": "99"}, YD, "* *"),  # header "i år Desember"
    ("2023", 102, {"TILTAK": "DIGIOPPARB", "FYLKE": "18"}, Y12, "9 5 10 8 5 * 6 * * 8 8 30 17"),
    ("2023", 113, {"TILTAK": "DIGIOPPARB", "FYLKE": "50"}, Y12, "48 25 52 74 50 59 54 5 31 61 56 75 29"),
    ("2023", 131, {"TILTAK": "INDJOBSTOT", "FYLKE": "34"}, Y12, "228 248 241 233 234 246 245 249 234 219 199 195 188"),
    ("2023", 135, {"TILTAK": "INDJOBSTOT", "FYLKE": "50"}, Y12, "206 60 54 64 254 246 263 258 248 253 258 255 262"),
    (
        "2023",
        162,
        {"TILTAK": "JOBBK"},
        Y12,
        "712 616 702 710 744 529 448 240 510 783 1078 1225 963",
    ),  # header above ###
    ("2023", 224, {"TILTAK": "UTVAOONAV", "FYLKE": "03"}, Y11, "806 861 891 884 883 898 909 933 893 856 837 827"),
    (
        "2023",
        228,
        {"TILTAK": "UTVAOONAV", "FYLKE": "30"},
        Y11,
        "1288 1437 1482 1468 1440 1432 1444 1456 1387 1326 1294 1293",
    ),
    ("2023", 269, {"TILTAK": "ARBEID_MED_STOTTE", "KJONN": "M"}, YD, "231 2772"),
    (
        "2023",
        309,
        {"TILTAK": "UTVAOONAV", "KJONN": "F"},
        Y11,
        "2260 2449 2468 2453 2431 2464 2539 2600 2526 2464 2357 2363",
    ),
    ("2023", 315, {"TILTAK": "UTVOPPFOPL"}, Y12, "50 271 130 76 54 14 11 13 10 5 4 * *"),  # total without <b>
    (
        "2023",
        470,
        {"TILTAK": "INDOPPFAG", "INNVANDRING": "IKKE_B"},
        Y12,  # under "I alt oppfølging" = measure
        "5473 5676 5666 5593 5404 5391 5232 5148 5299 5409 5572 5629 5655",
    ),
    (
        "2023",
        477,
        {"TILTAK": "UTVAOONAV", "INNVANDRING": "B"},
        Y11,
        "1242 1333 1362 1343 1341 1370 1403 1437 1375 1324 1309 1308",
    ),
    ("2023", 494, {"TILTAK": "ARBEID_MED_STOTTE", "LANDBAKGRUNN": "UKJENT"}, YD, "* 5"),  # Ukjent: world region
    ("2023", 584, {"TILTAK": "ARBEID_MED_STOTTE", "UTDANNING": "04a"}, YD, "26 307"),  # "lana over 4 år"
    ("2023", 585, {"TILTAK": "ARBEID_MED_STOTTE", "UTDANNING": "09a"}, YD, "12 146"),  # "Uppgitt"
    (
        "2023",
        645,
        {"TILTAK": "INDOPPFAG", "UTDANNING": "03a"},
        Y12,  # "høgsolenivå"
        "1714 1700 1703 1704 1649 1643 1598 1581 1697 1765 1797 1853 1878",
    ),
    ("2023", 666, {"TILTAK": "UTVOPPFOPL", "UTDANNING": "09a"}, Y12, "* 6 * * * * * * * * * * *"),
    # Damaged rows repaired from the report's own evidence (copies and totals):
    ("2023", 101, {"TILTAK": "DIGIOPPARB", "FYLKE": "15"}, Y12, "34 23 21 24 28 27 23 6 14 32 - 62 67"),
    ("2023", 105, {"TILTAK": "DIGIOPPARB", "FYLKE": "38"}, Y12, "53 55 70 62 65 53 44 - 35 62 39 41 49"),
    ("2023", 100, {"TILTAK": "DIGIOPPARB", "FYLKE": "11"}, Y12, "76 68 82 82 61 - - - 40 59 94 145 118"),
]


def _period(report, month: int) -> str:
    return f"{report.metadata.period_end[:4]}-{month:02d}"


@pytest.mark.parametrize(("seed", "line", "dims", "columns", "values"), ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_row(seed, line, dims, columns, values):
    report = seed_report(seed)
    obs = index(report)
    expected = values.split()
    assert len(expected) == len(columns)
    for (measure, month), want in zip(columns, expected, strict=True):
        fk = (key(**dims), measure, _period(report, month))
        got = obs.get(fk)
        if want == "-":
            assert got is None or line not in got.lines, f"line {line} {fk} should be left out"
            continue
        assert got is not None, f"line {line}: {fk} missing"
        assert line in got.lines, f"{fk} does not cite line {line}: {got.lines}"
        if want == "*":
            assert (got.value, got.status) == (None, Status.CONFIDENTIAL), fk
        elif want == "_":
            assert (got.value, got.status) == (None, Status.BLANK), fk
        else:
            assert (got.value, got.status) == (int(want), Status.VALUE), fk


def test_enough_cells_asserted():
    assert sum(len(r[4].split()) for r in ROWS) >= 200


def test_rogaland_damaged_row_keeps_only_agreed_cells():
    # 2023 line 100 lost one value between April and August; three alignments fit the totals.
    obs = index(seed_report("2023"))
    k = key(TILTAK="DIGIOPPARB", FYLKE="11")
    assert obs[(k, "DELTAKERE", "2023-12")].value == 118
    assert obs[(k, "DELTAKERE", "2023-08")].value == 40
    for month in ("05", "06", "07"):
        assert (k, "DELTAKERE", f"2023-{month}") not in obs


@pytest.mark.parametrize("seed", ["2014", "2021", "2022", "2023", "2024"])
def test_accounting_balances(seed):
    acc = seed_report(seed).accounting
    assert acc["cells_in"] > 0
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]


EXPECTED_ACCOUNTING = {  # cells in, emitted, merged, diagnosed
    "2014": (3756, 3060, 696, 0),
    "2021": (2628, 2028, 600, 0),
    "2022": (4930, 4930, 0, 0),
    "2023": (4664, 3887, 713, 64),
    "2024": (1325, 1131, 194, 0),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED_ACCOUNTING))
def test_accounting_figures(seed):
    acc = seed_report(seed).accounting
    assert (acc["cells_in"], acc["emitted"], acc["merged"], acc["diagnosed"]) == EXPECTED_ACCOUNTING[seed]


# Every error diagnostic left on the seeds, with why it cannot be decided.
EXPECTED_ERRORS = {
    "2023": {
        # Rows of only `*` that lost one cell: every position of the gap fits every total.
        (99, "NAV-E012"),
        (103, "NAV-E012"),
        (104, "NAV-E012"),
        # Rows that lost one cell where two or three neighbouring positions fit the totals (* is 0-3).
        (100, "NAV-E012"),
        (106, "NAV-E012"),
    },
}


def test_errors_are_only_undecidable_cells(any_seed):
    name, report = any_seed
    errors = {(d.line, d.rule) for d in report.diagnostics if d.severity is Severity.ERROR}
    assert errors == EXPECTED_ERRORS.get(name, set())


def test_metadata():
    r = seed_report("2024")
    assert (r.metadata.report_id, r.metadata.updated, r.metadata.group) == (
        "TILT120",
        "2025-01-02",
        "TG_ARBEIDSPRAKSIS",
    )
    assert (r.metadata.period_start, r.metadata.period_end) == ("2024-01", "2024-12")
    assert any("7-1" in n for n in r.metadata.notes)
    r = seed_report("2023")
    assert r.metadata.group == "TG_OPPFOLGING" and r.metadata.title == ""
    r = seed_report("2014")
    assert (r.metadata.period_start, r.metadata.group) == ("2014-01", "_T")
    assert r.metadata.codelist_versions["FYLKE"] == "2006"
    assert seed_report("2022").metadata.codelist_versions["FYLKE"] == "2020"
    assert seed_report("2024").metadata.codelist_versions["FYLKE"] == "2024"


def test_copies_merge_with_all_lines():
    # 2021: "I alt" is printed on every page of the Hovedgrupper, Tiltaksgrupper and Tiltak sections.
    o = index(seed_report("2021"))[(key(), "DELTAKERE", "2021-01")]
    assert o.value == 72086
    assert o.lines == [28, 42, 124, 150, 178, 204]


def test_label_only_row_is_skipped_and_reported():
    r = seed_report("2023")
    assert {(d.line, d.rule) for d in r.diagnostics if d.rule == "NAV-I031"} == {(469, "NAV-I031"), (475, "NAV-I031")}


def test_repairs_are_reported():
    r = seed_report("2023")
    repaired = sorted(d.line for d in r.diagnostics if d.rule == "NAV-W020")
    assert repaired == [98, 100, 101, 105, 106, 111, 118, 216, 223]
    r = seed_report("2024")
    assert [d.line for d in r.diagnostics if d.rule == "NAV-W020"] == [119]
