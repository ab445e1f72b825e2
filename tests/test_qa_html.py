"""`navstat inspect REPORT... --html qa.html`: the QA page of the example reports, read as HTML and
opened in headless Chromium as a person would (network off, no console errors, a screenshot)."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from converter.qa_html import ACCOUNTING, FATES, QAInput, _row_cells, read_inputs, render
from converter.readers.navtext import parse_cell

from . import headless
from .conftest import ROOT, SEEDS, run


class Cells(HTMLParser):
    """Every element with a data-fate: (tag, attributes), and the text of the cell."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self.tags: Counter = Counter()
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags[tag] += 1
        a = dict(attrs)
        if "data-fate" in a:
            self._open = {"tag": tag, **a, "text": ""}
            self.cells.append(self._open)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def accounting_of(fates: dict[str, int]) -> dict[str, int]:
    """data-fate counts summed into the terms of `cells in = emitted + merged + diagnosed`."""
    out = Counter()
    for fate, n in fates.items():
        out[ACCOUNTING[fate]] += n
    out["cells_in"] = sum(fates.values())
    return {k: out[k] for k in ("cells_in", "emitted", "merged", "diagnosed")}


def inspect_json(path: Path) -> dict:
    r = run("inspect", "--json", str(path))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("qa")
    out = {}
    for name, path in SEEDS.items():
        out[name] = folder / f"{path.stem}.html"
        r = run("inspect", str(path), "--html", str(out[name]))
        assert r.returncode == 0, r.stderr
        assert r.stdout == ""
    return out


def parsed(page: Path) -> Cells:
    p = Cells()
    p.feed(page.read_text(encoding="utf-8"))
    return p


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_fate_counts_equal_the_accounting_of_inspect_json(name, pages):
    cells = parsed(pages[name]).cells
    assert all(c["tag"] == "td" and c["data-line"].isdigit() for c in cells)
    fates = Counter(c["data-fate"] for c in cells)
    assert set(fates) <= set(FATES)
    acc = inspect_json(SEEDS[name])["accounting"]
    assert accounting_of(fates) == {k: acc.get(k, 0) for k in ("cells_in", "emitted", "merged", "diagnosed")}


def test_damaged_rows_of_2023_are_marked_cell_by_cell(pages):
    cells = parsed(pages["2023"]).cells
    at = {}
    for c in cells:
        at.setdefault(int(c["data-line"]), []).append(c)
    # '03 Oslo' (line 99): 12 values for 13 columns, 13 alignments fit: every cell left out
    assert [c["data-fate"] for c in at[99]] == ["withheld"] * 12
    # '11 Rogaland' (line 100): every alignment agrees on 10 columns; the 6th and 7th values (53, 54) are left out
    assert [c["data-fate"] for c in at[100]] == ["repaired"] * 5 + ["withheld"] * 2 + ["repaired"] * 5
    assert [c["text"] for c in at[100]][5:7] == ["53", "54"]
    assert "FYLKE=11" in at[100][0]["title"] and "SNITT_HIA 2023-12" in at[100][0]["title"]
    # 'I alt digital oppfølging/ jobbklubb' (line 98): repaired by its copies, so every cell merges with them
    assert {c["data-fate"] for c in at[98]} == {"merged"}
    # '18 Nordland' (line 102): undamaged, three `*`
    assert Counter(c["data-fate"] for c in at[102]) == {"emitted": 10, "confidential": 3}
    # every derivable `*` of the audit is marked (NAV-Q205 failed 175) and listed
    doc = inspect_json(SEEDS["2023"])
    q205 = next(c for c in doc["checks"] if c["rule"] == "NAV-Q205")
    assert sum(c["data-fate"] == "derivable" for c in cells) == q205["failed"] == 175
    html = pages["2023"].read_text(encoding="utf-8")
    assert "Cells left out (64)" in html
    assert "Suppressed cells the printed figures reveal (175)" in html
    assert html.count('<td data-sw="withheld">') == 64
    assert html.count('<td data-sw="derivable">') == 175


def test_page_is_self_contained_accessible_and_reproducible(pages, tmp_path):
    html = pages["2024"].read_text(encoding="utf-8")
    p = parsed(pages["2024"])
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|@import|href=\"(?!#)", html, re.I)
    assert p.tags["table"] > 10 and p.tags["th"] > 100 and p.tags["caption"] > 10
    assert p.tags["svg"] > 20 and p.tags["polyline"] > 20
    for fate in FATES:  # the legend names every fate with its mark
        assert f'data-sw="{fate}"' in html
    again = tmp_path / "again.html"
    assert run("inspect", str(SEEDS["2024"]), "--html", str(again)).returncode == 0
    assert again.read_bytes() == pages["2024"].read_bytes()


def test_several_reports_make_one_page(tmp_path):
    out = tmp_path / "qa.html"
    r = run("inspect", str(SEEDS["2021"]), str(SEEDS["2024"]), "--html", str(out))
    assert r.returncode == 0, r.stderr
    assert "2 reports, 3953 printed cells, 0 left out" in r.stderr  # 2628 + 1325
    cells = parsed(out).cells
    assert len(cells) == 2628 + 1325
    r = run("inspect", str(SEEDS["2021"]), str(SEEDS["2024"]))  # issue 14: every input is inspected
    assert r.returncode == 0 and r.stdout.count("\nreport   ") + r.stdout.startswith("report   ") == 2
    r = run("inspect", str(SEEDS["2021"]), "--html", str(tmp_path / "missing" / "qa.html"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_workbook_cells_name_their_sheet_and_cell(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")  # noqa: F841  (the renderer writes with it)
    from .conftest import seed_report
    from .xlsx_render import render

    book = tmp_path / "2023.xlsx"
    render(SEEDS["2023"].read_text(encoding="utf-8"), book, seed_report("2023"))
    out = tmp_path / "qa.html"
    r = run("inspect", str(book), "--html", str(out))
    assert r.returncode == 0, r.stderr
    cells = parsed(out).cells
    acc = inspect_json(book)["accounting"]
    assert accounting_of(Counter(c["data-fate"] for c in cells)) == {
        k: acc.get(k, 0) for k in ("cells_in", "emitted", "merged", "diagnosed")
    }
    assert all(re.search(r"line [^·!]+![A-Z]+\d+ ·", c["title"]) for c in cells)
    check_fates(read_inputs([book])[0])  # the workbook's #N/A cells are left out, the rest print


# -- in a browser ---------------------------------------------------------------------------------


def distinct_rows(png: bytes) -> int:
    """How many different pixel rows (as filtered scanlines) a PNG has: a blank page has one or two."""
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        n = int.from_bytes(png[pos : pos + 4], "big")
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
            channels = {2: 3, 6: 4}[data[9]]
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    assert len(raw) == stride * height
    return len({raw[i * stride + 1 : (i + 1) * stride] for i in range(height)})


@pytest.mark.skipif(headless.chromium() is None, reason="needs Debian's chromium package (apt-get install chromium)")
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_page_opens_in_headless_chromium(name, pages, tmp_path_factory):
    page = pages[name]
    shot_dir = tmp_path_factory.getbasetemp() / "qa-screenshots"  # kept by pytest as an artefact
    shot_dir.mkdir(exist_ok=True)
    run_ = headless.open_page(page, 1400, 1400)
    assert run_.errors == []
    assert run_.requests == [page.resolve().as_uri()]  # nothing but the file itself
    acc = inspect_json(SEEDS[name])["accounting"]
    assert accounting_of(run_.fates) == {k: acc.get(k, 0) for k in ("cells_in", "emitted", "merged", "diagnosed")}
    assert run_.visible["table.printed"] >= 1 and run_.visible["svg"] >= 1  # the screenshot shows tables and charts
    shot = shot_dir / f"{page.stem}.png"
    shot.write_bytes(run_.screenshot)
    assert distinct_rows(run_.screenshot) > 200, shot


# -- the recorded fates against the reconciler's accounting and the printed text ----------------------

DEVSET = ROOT.parent / "shared" / "devset"


def devset_reports() -> list[Path]:
    return sorted(DEVSET.glob("doc*.txt")) if DEVSET.is_dir() else []


def check_fates(qa: QAInput) -> None:
    """The fates add up to the accounting, one marked cell per counted cell, and a cell whose figure
    went out prints exactly that figure (the value of its observation)."""
    report = qa.report
    terms = accounting_of(Counter(c.fate for c in qa.cells.values()))
    assert terms == {k: report.accounting.get(k, 0) for k in ("cells_in", "emitted", "merged", "diagnosed")}
    html = render([qa])
    assert len(re.findall(r'<td data-line="\d+" data-fate="', html)) == report.accounting["cells_in"]
    by_fk = {o.full_key: o for o in report.observations}
    for (line, vi), cell in qa.cells.items():
        if cell.fate == "withheld":
            continue
        printed = parse_cell(_row_cells(qa.lines[line - 1])[2][vi])
        o = by_fk[cell.key]
        assert printed == (o.value, o.status), (line, vi, cell)
        assert line in o.lines


@pytest.mark.skipif(not devset_reports(), reason="needs the shared dev set (../shared/devset)")
def test_fates_of_the_damaged_dev_set_reports():
    for path in devset_reports():
        check_fates(read_inputs([path])[0])


def test_rows_before_any_header_are_shown_and_counted(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(
        "Januar 2021 - Mars 2021\nArbeidstrening\t5\t6\t7\n\tJanuar\tFebruar\tMars\n"
        "I alt\t10\t12\t14\nArbeidstrening\t5\t6\t7\nMentor\t5\t6\t7\n",
        encoding="utf-8",
    )
    qa = read_inputs([path])[0]
    assert qa.report.accounting["diagnosed"] == 3
    assert [qa.cells[(2, vi)].fate for vi in range(3)] == ["withheld"] * 3
    check_fates(qa)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_fates_of_the_example_reports_print_their_figures(name):
    check_fates(read_inputs([SEEDS[name]])[0])
