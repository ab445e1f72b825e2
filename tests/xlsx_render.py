"""Render a text report extract as a NAV-style workbook, for tests: one sheet per section, the title,
period and headings as text cells, a header row of captions ("Gjennomsnitt hittil i år" wrapped in its
cell), bold total rows and numeric cells.

A text extract loses cells (damaged rows); a workbook cannot. A damaged row is rendered with the
cells the text reader placed (its observations from that line), and `#N/A` (Excel's "value not
available") where the extract lost the cell: the workbook then holds exactly what the extract says,
nothing more. `render` returns where each text line went (`Sheet!A12`), to compare diagnostics.
"""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from converter.codelists import normalize, squash
from converter.model import Report, Status
from converter.readers.navtext import MONTHS, SECTIONS
from converter.readers.xlsx import column_letter

_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")
_SEPARATOR = re.compile(r"^[\s|:\-]*-{3,}[\s|:\-]*$")
_PERIOD = re.compile(rf"^(?:{'|'.join(MONTHS)})\s*(?:\d{{4}})?\s*[-–]\s*(?:{'|'.join(MONTHS)})\s+\d{{4}}$")
_HEADER_WORDS = {"gjennom", "snitt", "gjennomsnitt", "hittil", "i", "ar", *MONTHS}
_NUMBER = re.compile(r"^\d{1,3}(?: \d{3})+$|^\d+$")
_YTD_CAPTION = "Gjennomsnitt\nhittil i år"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _is_title(text: str) -> bool:
    key = normalize(text)
    return (
        "tidsserie" in key
        or bool(re.search(r"\bTILT\d{3}\b", text, re.I))
        or key.startswith("deltakere i arbeidsrettede tiltak")
    )


def _is_ytd(text: str) -> bool:
    return squash(normalize(text)).replace("-", "") == "gjennomsnitthittiliar"


def _unbold(cell: str) -> tuple[str, bool]:
    t = cell.strip()
    if t.startswith("<b>") and t.endswith("</b>"):
        return t[3:-4].strip(), True
    return t, False


def _value(text: str):
    """A text cell as Excel would hold it: a number, `*`, empty (None), or the text itself."""
    t = text.replace("\u00a0", " ").strip()
    if t in ("*", "\\*"):
        return "*"
    if not t:
        return None
    if _NUMBER.match(t):
        return int(t.replace(" ", ""))
    return t


class _Renderer:
    def __init__(self, report: Report | None):
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.ws = None
        self.row = 0
        self.places: dict[int, str] = {}
        self.fragments: list[str] = []
        self.n = 0
        self.trailing_gap = False
        self.pending_title: tuple[int, str] | None = None
        self.section = ""
        self.report = report
        self.by_line: dict[int, dict[str, tuple]] = {}
        if report is not None:
            for o in report.observations:
                for line in o.lines:
                    self.by_line.setdefault(line, {})[f"{o.measure}:{o.period}"] = (o.value, o.status)

    def sheet(self, name: str) -> None:
        name = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Ark"
        base, i = name, 2
        while name in self.wb.sheetnames:
            name = f"{base[: 31 - len(str(i)) - 1]} {i}"
            i += 1
        self.ws = self.wb.create_sheet(name)
        self.row = 0

    def put(self, no: int, col: int, value, bold: bool = False) -> None:
        cell = self.ws.cell(row=self.row, column=col + 1, value=value)
        if bold:
            cell.font = BOLD
        if isinstance(value, int):
            cell.number_format = "#,##0"
        if isinstance(value, str) and "\n" in value:
            cell.alignment = WRAP
        if no and no not in self.places:
            self.places[no] = f"{self.ws.title}!{column_letter(col)}{self.row}"

    def text(self, no: int, text: str) -> None:
        if self.ws is None:
            self.sheet("Rapport")
        self.row += 1
        self.put(no, 0, text)

    def flush_title(self) -> None:
        if self.pending_title:
            no, text = self.pending_title
            self.pending_title = None
            self.text(no, text)

    def header(self, no: int, words: list[str]) -> None:
        joined = " ".join(words)
        months = sorted({MONTHS[w] for w in normalize(joined).split() if w in MONTHS})
        captions = [_YTD_CAPTION] if _is_ytd(joined) or "gjennomsnitthittiliar" in squash(normalize(joined)) else []
        captions += [k.capitalize() for k, v in sorted(MONTHS.items(), key=lambda kv: kv[1]) if v in months]
        self.n = len(captions)
        self.row += 1
        for i, cap in enumerate(captions):
            self.put(no if i == 0 else 0, i + 1, cap)

    def data(self, no: int, cells: list[str]) -> None:
        i = 0
        while i < len(cells) and not cells[i].strip():
            i += 1
        label, bold = _unbold(cells[i])
        values = cells[i + 1 :]
        if self.trailing_gap and values and not values[-1].strip():
            values = values[:-1]
        while len(values) > self.n and not values[-1].strip():
            values = values[:-1]
        self.row += 1
        self.put(no, 0, label, bold)
        if len(values) == self.n:
            for j, v in enumerate(values):
                text, b = _unbold(v)
                self.put(0, j + 1, _value(text), bold or b)
            return
        placed = self.by_line.get(no, {})  # a damaged row: what the text reader made of it
        tables = self.report.tables if self.report is not None else []
        table = next((t for t in tables if t.first_line <= no <= t.last_line), None)
        for j, col in enumerate(table.columns if table else [""] * self.n):
            if col in placed:
                value, status = placed[col]
                v = value if status is Status.VALUE else "*" if status is Status.CONFIDENTIAL else None
                self.put(0, j + 1, v, bold)
            else:
                cell = self.ws.cell(row=self.row, column=j + 2, value="#N/A")
                cell.data_type = "e"

    def line(self, no: int, raw: str) -> None:
        line = raw.rstrip("\r")
        if not line.strip() or _SEPARATOR.match(line):
            return
        if line.count("\t") >= 2 or ("\t" in line and line.split("\t", 1)[1].strip()):
            self.flush_title()
            cells = line.split("\t")
            nonempty = [c for c in cells if c.strip()]
            if nonempty and all(normalize(c) in MONTHS or _is_ytd(c) for c in nonempty):
                self.header(no, self.fragments + [normalize(c) for c in nonempty])
                self.fragments = []
                self.trailing_gap = len(cells) > 1 and not cells[-1].strip()
                return
            if self.fragments:
                self.header(0, self.fragments)
                self.fragments = []
                self.trailing_gap = False
            self.data(no, cells)
            return
        m = _HEADING.match(line.strip())
        level = len(m.group(1)) if m else 0
        text = (m.group(2) if m else line).strip()
        key = normalize(text)
        if _PERIOD.match(key):
            self.flush_title()
            self.text(no, text)
            return
        if _is_title(text):
            self.flush_title()
            self.pending_title = (no, text)
            return
        if level in (1, 2) or key in SECTIONS:
            if text != self.section:  # a page of the same section continues its sheet
                self.section = text
                self.sheet(text)
            self.places[no] = f"{self.ws.title}!A1"
            self.flush_title()
            return
        words = key.replace("-", " ").split()
        if words and all(w in _HEADER_WORDS for w in words):
            self.flush_title()
            self.fragments.append(key)
            return
        self.flush_title()
        self.text(no, text)


def render(text: str, target, report: Report | None = None) -> dict[int, str]:
    """Write `text` (a report extract) as a workbook at `target`; returns text line -> `Sheet!A12`.

    `report` (the text reader's result for `text`) places the cells of damaged rows; without it a
    damaged row is rendered as `#N/A` throughout."""
    r = _Renderer(report)
    for no, raw in enumerate(text.split("\n"), 1):
        r.line(no, raw)
    r.flush_title()
    if r.ws is None:
        r.sheet("Rapport")
    for ws in r.wb.worksheets:
        ws.column_dimensions["A"].width = 42
    r.wb.save(target if hasattr(target, "write") else str(target))
    return r.places
