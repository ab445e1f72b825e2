"""Property tests: random reports in NAV's grammar come back exactly; random bytes and random damage
to the seeds never produce a traceback or a hang. Fixed seed (derandomized), small time budget."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.codelists import load_codelists
from converter.model import DIMENSIONS, Status
from converter.pipeline import read_bytes, read_text
from converter.readers import jsonstat_back
from converter.readers.navtext import Labels
from converter.readers.textio import InputError
from converter.writers import jsonstat

from .conftest import SEEDS

CL = load_codelists()
MONTHS = "Januar Februar Mars April Mai Juni Juli August September Oktober November Desember".split()
AMBIGUOUS = {"INDOPPFAG", "TILRETTELEGGING", "INDOPPRF"}
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def measures(year: int) -> list:
    """The measures a report of the year may print: those in force, and those that start during the
    year (NAV prints their rows from January, with `*` or blanks before they start)."""
    s, e = f"{year}-01-01", f"{year}-12-31"
    return [
        c
        for c in CL["TILTAK"].all_codes()
        if c.level == "code"
        and c.code not in AMBIGUOUS
        and c.valid_between(s, e)
        and not c.code.startswith("ARBEID_MED")
    ]


def first_month(code: str, year: int) -> int:
    """The first month of the year a measure has participants (1 unless it starts that year)."""
    c = CL["TILTAK"].code(code)
    start = c.valid_from if c and c.valid_from else ""
    return int(start[5:7]) if start[:4] == str(year) else 1


def counties(year: int) -> list:
    return CL["FYLKE"].version_at(f"{year}-06").codes


def printed(value: int, zero_as_blank: bool) -> tuple:
    """The cell NAV prints for a true value: the number from 4 up, `*` below (and for zero, unless
    the report is of the style that prints zero as a blank cell)."""
    if value >= 4:
        return value, Status.VALUE
    if value == 0 and zero_as_blank:
        return None, Status.BLANK
    return None, Status.CONFIDENTIAL


def fmt(cell) -> str:
    value, status = cell
    if status is not Status.VALUE:
        return "*" if status is Status.CONFIDENTIAL else ""
    return f"{value:,}".replace(",", " ")


def half_up(x: float) -> int:
    return int(x + 0.5)


def misspelt(draw, label: str, same) -> str:
    """The label with one typing error in a long word (a letter doubled, dropped or changed), if the
    misspelt label still means the same to the codelists (`same`); else the label unchanged."""
    words = [(i, w) for i, w in enumerate(label.split(" ")) if len(w) >= 7 and w.isalpha()]
    if not words:
        return label
    i, w = draw(st.sampled_from(words))
    j = draw(st.integers(1, len(w) - 2))
    edit = draw(st.sampled_from(["double", "drop", "change"]))
    new = {"double": w[:j] + w[j] + w[j:], "drop": w[:j] + w[j + 1 :], "change": w[:j] + "x" + w[j + 1 :]}[edit]
    parts = label.split(" ")
    parts[i] = new
    candidate = " ".join(parts)
    return candidate if same(candidate) else label


@st.composite
def reports(draw, noisy: bool = False):
    """A report in NAV's grammar drawn from a hidden cube of true values, so that its totals add
    up, its year-to-date averages are the means of its months, and a figure printed in several
    tables is the same figure, as in NAV's own reports.

    `noisy`: labels, totals and headings with typing errors (each checked to still mean the same to
    the codelists), and rows that lost a value (with or without the tab kept); returns also the full
    keys of the damaged rows, the only figures that may then be left out."""
    year = draw(st.integers(2016, 2025))
    last = draw(st.integers(1, 12))
    ytd = draw(st.booleans())
    first = draw(st.integers(1, last))
    zero_as_blank = draw(st.booleans())
    months = [f"{year}-{m:02d}" for m in range(first, last + 1)]
    cols = ([("SNITT_HIA", f"{year}-{last:02d}")] if ytd else []) + [("DELTAKERE", p) for p in months]
    header = "\t" + "\t".join((["Gjennomsnitt hittil i år"] if ytd else []) + MONTHS[first - 1 : last])
    markdown = draw(st.booleans())
    pool = measures(year)
    expected: dict[tuple, tuple] = {}
    truth: dict[tuple, list[int]] = {}  # key -> true value per month of the whole period

    small = st.integers(min_value=0, max_value=40)
    value = st.one_of(small, st.integers(min_value=0, max_value=250_000))

    def months_of(key, parts=(), extra=True) -> list[int]:
        """True monthly values of a key: drawn for a part, the parts' sum (plus what the table does
        not list) for a total. A key already drawn keeps its values."""
        if key not in truth:
            n = last  # January to the last month: the average covers them all
            if parts:
                sums = [sum(truth[p][i] for p in parts) for i in range(n)]
                more = [draw(small) if extra else 0 for _ in range(n)]
                truth[key] = [a + b for a, b in zip(sums, more, strict=True)]
            else:
                start = first_month(key[0], year) if key[0] != "_T" else 1
                truth[key] = [draw(value) if m + 1 >= start else 0 for m in range(n)]
        return truth[key]

    def row_cells(key) -> list:
        true = truth[key]
        shown = {f"{year}-{m:02d}": printed(true[m - 1], zero_as_blank) for m in range(first, last + 1)}
        vals = []
        for measure, period in cols:
            average = measure == "SNITT_HIA"
            vals.append(printed(half_up(sum(true) / len(true)), zero_as_blank) if average else shown[period])
        if all(st_ is Status.BLANK for _, st_ in vals):
            return []  # an all-blank row is a label-only row: NAV leaves such rows out
        for (measure, period), c in zip(cols, vals, strict=True):
            expected[(*key, measure, period)] = c
        return vals

    def key(**dims) -> tuple:
        return tuple(dims.get(d, "_T") for d in DIMENSIONS)

    period = (f"{year}-01", f"{year}-{last:02d}")
    labels = Labels(CL)
    damaged: set[tuple] = set()
    by_label: dict[str, set[tuple]] = {}  # a row's label -> the full keys it prints

    def typo(label: str, dim: str | None = None) -> str:
        """A typing error that keeps the meaning: the same codes in the row's dimension and the same
        readings as a heading or total."""
        if not noisy or not draw(st.booleans()):
            return label

        def same(candidate: str) -> bool:
            if dim and CL.resolve(dim, candidate, *period).codes != CL.resolve(dim, label, *period).codes:
                return False
            return labels.compound(candidate, *period) == labels.compound(label, *period)

        return misspelt(draw, label, same)

    def lose_a_value(vals: list[str], k: tuple) -> list[str]:
        """A row that lost a value in the middle, keeping its tab (so the count is right) or not.
        The tab is kept only in reports that print zero as `*`: where zero is an empty cell, a row
        ending in one is often genuine (the 2014 seed has several), and a lost value is then found
        only where the report's totals, copies or averages contradict the reading (dev set, grammar
        tests), not in general."""
        if not noisy or len(vals) < 3 or draw(st.integers(0, 5)) != 0:
            return vals
        i = draw(st.integers(1, len(vals) - 2))
        damaged.update((*k, measure, p) for measure, p in cols)
        keep_tab = not zero_as_blank and draw(st.booleans())
        return [*vals[:i], *vals[i + 1 :], *([""] if keep_tab else [])]

    text = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["TILTAK", "FYLKE", "KJONN"]))
        context = draw(st.sampled_from([None, ("ARBSOK", "Arbeidssøkere på tiltak"), ("ANDRE", "Andre på tiltak")]))
        hg = {"HOVEDGRUPPE": context[0]} if context else {}
        title = (
            "# Deltakere i arbeidsrettede tiltak. Tidsserie måned"
            if markdown
            else "Deltakere i arbeidsrettede tiltak. Tidsserie måned"
        )
        page = [title, "", "## Tiltak" if markdown else "Tiltak", "", f"Januar {year} - {MONTHS[last - 1]} {year}", ""]
        if context:
            heading = typo(context[1])
            page += [f"### {heading}" if markdown else heading, ""]
        page.append(header)
        if kind == "TILTAK":
            chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique_by=lambda c: c.code))
            total_label = f"I alt {context[1].lower()}" if context else "I alt"
            parts = [(typo(c.label(), "TILTAK"), key(TILTAK=c.code, **hg)) for c in chosen]
            total = (total_label, key(**hg))
        else:
            m = draw(st.sampled_from(pool))
            if kind == "FYLKE":
                counties_ = draw(
                    st.lists(st.sampled_from(counties(year)), min_size=1, max_size=5, unique_by=lambda c: c.code)
                )
                names = [(typo(c.label(), "FYLKE"), c.code) for c in counties_]
            else:
                names = [(typo("Kvinner", "KJONN"), "F"), ("Menn", "M")]
            parts = [(label, key(TILTAK=m.code, **{kind: code}, **hg)) for label, code in names]
            total = (f"I alt {typo(m.label().lower())}", key(TILTAK=m.code, **hg))
        if total[1] in truth:
            continue  # a total already printed with other parts: its parts are another table's
        for _, k in parts:
            months_of(k)
        months_of(total[1], [k for _, k in parts], extra=kind != "KJONN")
        body = []
        for i, (label, k) in enumerate([total, *parts]):
            vals = row_cells(k)
            if not vals:
                continue
            bold = markdown and i == 0
            by_label.setdefault(label, set()).update((*k, measure, p) for measure, p in cols)
            printed_vals = lose_a_value(list(map(fmt, vals)), k)
            body.append("\t".join([f"<b>{label}</b>" if bold else label, *printed_vals]))
        block = "\n".join(page + body) + "\n\n"
        text.append(block)
        if draw(st.booleans()):
            text.append(block)  # a page repeated: copies merge
    if noisy:
        return "\n".join(text), expected, damaged, by_label
    return "\n".join(text), expected


@SETTINGS
@given(reports())
def test_random_reports_come_back_exactly(case):
    text, expected = case
    report = read_text(text, "generated.txt")
    # A row ending in an empty cell, in a report with no other empty cell, is read as damaged
    # (NAV-I034): its cells may then be left out (with an error on that line), never changed.
    damaged = {d.line for d in report.diagnostics if d.rule == "NAV-I034"}
    errors = [d.format() for d in report.errors if not (d.rule == "NAV-E012" and d.line in damaged)]
    assert not errors, (errors, text[:2000])
    doc = json.loads(jsonstat.dumps(jsonstat.collection(report, CL)))
    got = {o.full_key: (o.value, o.status) for o in jsonstat_back.to_observations(doc)}
    if damaged:  # what such a row held may be left out (reported on its line), never changed
        assert all(expected[k] == v for k, v in got.items()), text[:2000]
    else:
        assert got == expected
    acc = report.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]


@SETTINGS
@given(reports(noisy=True))
def test_typing_errors_and_lost_values_never_give_a_wrong_number(case):
    # Misspelt labels, totals and headings are read; a row that lost a value is repaired only where
    # the report's own copies, totals and averages leave one placement, else its cells are left out
    # with a diagnostic. Never a wrong, spurious or silently missing figure.
    text, expected, damaged, by_label = case
    report = read_text(text, "noisy.txt")
    # a row ending in an empty cell that the report shows to be damage (NAV-I034) may lose cells too
    for d in report.diagnostics:
        if d.rule == "NAV-I034":
            damaged |= by_label.get(d.message.split("'")[1], set())
    doc = json.loads(jsonstat.dumps(jsonstat.collection(report, CL))) if report.observations else {}
    got = {o.full_key: (o.value, o.status) for o in jsonstat_back.to_observations(doc)} if doc else {}
    # a cell marked left out (issue 14: printed, but navstat could not read it for sure) has no number and
    # counts as lost: it must be on a damaged row
    marked = {k for k, (v, s) in got.items() if s is Status.WITHHELD}
    assert all(got[k][0] is None for k in marked)
    got = {k: v for k, v in got.items() if k not in marked}
    # a number that differs, a number where the report has none (a leak), a figure not printed at all;
    # a `*` read where a damaged row had an empty cell (both: no number) is not a wrong figure
    wrong = {
        k: (v, expected.get(k))
        for k, v in got.items()
        if k not in expected or ((v[0] or expected[k][0]) and v != expected[k])
    }
    assert not wrong, (wrong, text[:3000])
    lost = set(expected) - set(got)
    assert lost <= damaged, (sorted(lost - damaged)[:5], [d.format() for d in report.diagnostics][:10], text[:3000])
    errors = [d for d in report.errors if d.rule not in ("NAV-E012", "NAV-E013")]
    assert not errors, ([d.format() for d in errors], text[:3000])
    acc = report.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_never_crash(data):
    t = time.monotonic()
    try:
        report = read_bytes(data, "random.bin")
    except InputError:
        return
    assert time.monotonic() - t < 5
    jsonstat.dumps(jsonstat.collection(report, CL)) if report.observations else None


SEED_TEXT = SEEDS["2023"].read_text(encoding="utf-8").splitlines()


@st.composite
def damaged_seed(draw):
    lines = list(SEED_TEXT)
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "cut", "tab", "junk", "swap"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "junk":
            lines[i] = lines[i] + draw(st.text(max_size=12))
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(damaged_seed())
def test_damaged_seeds_never_crash_or_hang(text):
    t = time.monotonic()
    report = read_text(text, "mutated.txt")
    assert time.monotonic() - t < 20
    acc = report.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]
    if report.observations:
        json.loads(jsonstat.dumps(jsonstat.collection(report, CL)))
