"""Property tests: random reports in NAV's grammar come back exactly; random bytes and random damage
to the seeds never produce a traceback or a hang. Fixed seed (derandomized), small time budget."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.codelists import load_codelists
from converter.model import DIMENSIONS, Status
from converter.readers import jsonstat_back
from converter.readers.navtext import read_bytes, read_report
from converter.readers.textio import InputError
from converter.writers import jsonstat

from .conftest import SEEDS

CL = load_codelists()
MONTHS = "Januar Februar Mars April Mai Juni Juli August September Oktober November Desember".split()
AMBIGUOUS = {"INDOPPFAG", "TILRETTELEGGING", "INDOPPRF"}
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def measures(year: int) -> list:
    s, e = f"{year}-01-01", f"{year}-12-31"
    return [
        c
        for c in CL["TILTAK"].all_codes()
        if c.level == "code"
        and c.code not in AMBIGUOUS
        and c.valid_between(s, e)
        and (c.valid_from or "") <= s
        and not c.code.startswith("ARBEID_MED")
    ]


def counties(year: int) -> list:
    return CL["FYLKE"].version_at(f"{year}-06").codes


cells = st.one_of(
    st.integers(min_value=4, max_value=250_000).map(lambda v: (v, Status.VALUE)),
    st.just((None, Status.CONFIDENTIAL)),
    st.just((None, Status.BLANK)),
)


def fmt(cell) -> str:
    value, status = cell
    if status is not Status.VALUE:
        return "*" if status is Status.CONFIDENTIAL else ""
    return f"{value:,}".replace(",", " ")


@st.composite
def reports(draw):
    year = draw(st.integers(2016, 2025))
    last = draw(st.integers(1, 12))
    ytd = draw(st.booleans())
    first = draw(st.integers(1, last))
    cols = ([("SNITT_HIA", f"{year}-{last:02d}")] if ytd else []) + [
        ("DELTAKERE", f"{year}-{m:02d}") for m in range(first, last + 1)
    ]
    header = "\t" + "\t".join((["Gjennomsnitt hittil i år"] if ytd else []) + MONTHS[first - 1 : last])
    markdown = draw(st.booleans())
    pool = measures(year)
    expected: dict[tuple, tuple] = {}
    fixed: dict[tuple, list] = {}  # totals printed in several tables must be the same figures

    def row_cells(key) -> list:
        if key in fixed:
            return fixed[key]
        vals = draw(st.lists(cells, min_size=len(cols), max_size=len(cols)))
        if all(s is Status.BLANK for _, s in vals):
            vals[0] = (7, Status.VALUE)  # an all-blank row is a label-only row
        fixed[key] = vals
        for (measure, period), c in zip(cols, vals, strict=True):
            expected[(*key, measure, period)] = c
        return vals

    def key(**dims) -> tuple:
        return tuple(dims.get(d, "_T") for d in DIMENSIONS)

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
            page += [f"### {context[1]}" if markdown else context[1], ""]
        page.append(header)
        if kind == "TILTAK":
            chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique_by=lambda c: c.code))
            total_label = f"I alt {context[1].lower()}" if context else "I alt"
            rows = [(total_label, key(**hg))] + [(c.label(), key(TILTAK=c.code, **hg)) for c in chosen]
        else:
            m = draw(st.sampled_from(pool))
            if kind == "FYLKE":
                parts = draw(
                    st.lists(st.sampled_from(counties(year)), min_size=1, max_size=5, unique_by=lambda c: c.code)
                )
                labels = [(c.label(), c.code) for c in parts]
            else:
                labels = [("Kvinner", "F"), ("Menn", "M")]
            rows = [(f"I alt {m.label().lower()}", key(TILTAK=m.code, **hg))]
            rows += [(label, key(TILTAK=m.code, **{kind: code}, **hg)) for label, code in labels]
        body = []
        for i, (label, k) in enumerate(rows):
            vals = [fmt(c) for c in row_cells(k)]
            bold = markdown and i == 0
            body.append("\t".join([f"<b>{label}</b>" if bold else label, *vals]))
        block = "\n".join(page + body) + "\n\n"
        text.append(block)
        if draw(st.booleans()):
            text.append(block)  # a page repeated: copies merge
    return "\n".join(text), expected


@SETTINGS
@given(reports())
def test_random_reports_come_back_exactly(case):
    text, expected = case
    report = read_report(text, "generated.txt")
    errors = [d.format() for d in report.errors]
    assert not errors, (errors, text[:2000])
    doc = json.loads(jsonstat.dumps(jsonstat.collection(report, CL)))
    got = {o.full_key: (o.value, o.status) for o in jsonstat_back.to_observations(doc)}
    assert got == expected
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
    report = read_report(text, "mutated.txt")
    assert time.monotonic() - t < 20
    acc = report.accounting
    assert acc["cells_in"] == acc["emitted"] + acc["merged"] + acc["diagnosed"]
    if report.observations:
        json.loads(jsonstat.dumps(jsonstat.collection(report, CL)))
