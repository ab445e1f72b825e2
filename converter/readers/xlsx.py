"""Reader for NAV's Excel workbooks (`tilt120_202412.xlsx`): every sheet becomes the row stream of the
text grammar, so that what a table means is decided in one place (`navtext.interpret`).

A workbook is turned into lines: a `## <sheet name>` section line per sheet, one line per text cell
(title, period, "Rapport oppdatert", notes, context headings), a header line of the recognised column
captions (the year-to-date average, then months in calendar order) and one tab-separated line per
data row, with its cells in that same order. Each line remembers where it came from (`Sheet!A12`),
and the report's diagnostics name that place.

Cells are read as Excel holds them (with python-calamine): a number is a number, and a number that
is not a whole count stays as written, so the grammar rejects it instead of rounding it; `*` is
confidential; an empty cell is blank; a formula cell is its cached value, and a formula without one
is a cell without a figure; an error cell (`#N/A`) is a cell without a figure. calamine does not
expose formulas, error cells or hidden rows, so a sheet's XML is scanned for them (cheaply: only a
sheet that contains them is parsed).

Columns are matched by their caption, not their position. A column whose caption is neither a month
nor "Gjennomsnitt hittil i år" (an empty column, "NA") is skipped with a note when it holds nothing,
and is an error naming the column when it holds figures. Sheets that are not tables of this
statistic (no header of months; municipality tables) are reported and skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from ..codelists import Codelists, normalize, squash
from ..model import Diagnostic
from ..parsed import Interpretation
from ..rules import WORKBOOK_NOTE
from .textio import MAX_BYTES, InputError

ZIP_SIGNATURE = b"PK\x03\x04"
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

MONTH_NAMES = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
_YTD = "gjennomsnitthittiliar"
_MONTH_RE = "|".join(MONTH_NAMES)
_PERIOD = re.compile(rf"^(?:{_MONTH_RE})\s*(?:\d{{4}})?\s*[-–]\s*(?:{_MONTH_RE})\s+\d{{4}}$")
_PAGE_TEXT = re.compile(r"tidsserie|\btilt\d{3}\b|^deltakere i arbeidsrettede tiltak|rapport oppdatert")
_MUNICIPALITY = re.compile(r"^\d{4}\s+\S")  # "0301 Oslo"
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_SPECIAL = re.compile(rb"<(?:\w+:)?f[\s>/]|\bt=\"e\"|\bhidden=\"(?:1|true)\"")


class WorkbookError(InputError):
    """A workbook that cannot be read as a report; `where` is `Sheet!A12`, a sheet, or empty."""

    def __init__(self, file: str, message: str, where: str = ""):
        super().__init__(file, message, location=where)  # printed as `file:where: message`


@dataclass
class Extract:
    """A workbook as the text grammar's input: lines, and where each line came from."""

    lines: list[str] = field(default_factory=list)
    locations: dict[int, str] = field(default_factory=dict)  # line number (1-based) -> `Sheet!A12`
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, location, message)

    def add(self, text: str, location: str) -> int:
        self.lines.append(text)
        self.locations[len(self.lines)] = location
        return len(self.lines)

    def note(self, location: str, message: str, line: int | None = None) -> None:
        self.notes.append((line if line is not None else max(len(self.lines), 1), location, message))


def handles(path: Path, head: bytes) -> bool:
    """The reader registry's test: a zip archive or an OLE2 file is a workbook (or a bad one, which
    this reader then names precisely)."""
    return head.startswith((ZIP_SIGNATURE, CFB_SIGNATURE))


def sniff(path: str | Path) -> str:
    """What a file is by its first bytes: "zip" (an .xlsx is a zip archive), "ole" (legacy .xls or a
    password-protected workbook) or "" (anything else, e.g. a text report)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return ""
    if head.startswith(ZIP_SIGNATURE):
        return "zip"
    if head == CFB_SIGNATURE:
        return "ole"
    return ""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell_ref(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{column_letter(col)}{row + 1}"


def _ref_to_rc(ref: str) -> tuple[int, int]:
    m = re.match(r"([A-Z]+)(\d+)$", ref)
    if not m:
        return -1, -1
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# ---------------------------------------------------------------------------------------------
# The container: a zip with xl/workbook.xml, sheet paths, and what calamine does not show.


def _open_zip(path: str) -> zipfile.ZipFile:
    kind = sniff(path)
    if kind == "ole":
        limit = int(os.environ.get("NAVSTAT_MAX_BYTES", MAX_BYTES))
        with open(path, "rb") as fh:
            data = fh.read(limit)
        if _ENCRYPTED in data:
            raise WorkbookError(path, "password-protected (encrypted) workbook; save a copy without a password")
        raise WorkbookError(path, "legacy Excel 97-2003 (.xls) or other OLE2 file; save the workbook as .xlsx")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(path, f"damaged or truncated workbook (not a readable zip archive: {exc})") from None
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        zf.close()
        if "xl/workbook.bin" in names:
            raise WorkbookError(path, "binary Excel workbook (.xlsb); save it as .xlsx")
        if "content.xml" in names:
            raise WorkbookError(path, "OpenDocument file, not an Excel workbook; save it as .xlsx")
        shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
        raise WorkbookError(path, f"a zip archive, not an Excel workbook (it holds {shown or 'nothing'})")
    limit = int(os.environ.get("NAVSTAT_MAX_BYTES", MAX_BYTES))
    size = sum(i.file_size for i in zf.infolist())
    if size > limit:
        zf.close()
        raise WorkbookError(path, f"workbook unpacks to {size} bytes; larger than {limit} bytes is not a NAV report")
    return zf


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in zf.namelist():
        for rel in ET.fromstring(zf.read(rels_name)).findall("rel:Relationship", _NS):
            target = rel.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id", "")] = full
    out = {}
    for sh in wb.iterfind("m:sheets/m:sheet", _NS):
        rid = sh.get(f"{{{_NS['r']}}}id", "")
        if rid in targets:
            out[sh.get("name", "")] = targets[rid]
    return out


@dataclass
class SheetExtras:
    """What calamine does not show: error cells, formulas (with or without a cached value), hidden rows."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)  # formula without a cached value
    cached: list[tuple[int, int]] = field(default_factory=list)  # formula cells read as their cached value
    hidden_rows: list[int] = field(default_factory=list)


def _has_special(zf: zipfile.ZipFile, member: str) -> bool:
    """A cheap scan of a sheet's XML for formulas, error cells and hidden rows."""
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            if _SPECIAL.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _sheet_extras(zf: zipfile.ZipFile, member: str) -> SheetExtras:
    extras = SheetExtras()
    if member not in zf.namelist() or not _has_special(zf, member):
        return extras
    m = "{" + _NS["m"] + "}"
    with zf.open(member) as fh:
        for _, el in ET.iterparse(fh, events=("end",)):
            tag = el.tag
            if tag == f"{m}row":
                if el.get("hidden") in ("1", "true"):
                    extras.hidden_rows.append(int(el.get("r", "0")) - 1)
                el.clear()
            elif tag == f"{m}c":
                rc = _ref_to_rc(el.get("r", ""))
                f, v = el.find(f"{m}f"), el.find(f"{m}v")
                value = v.text if v is not None and v.text is not None else None
                if el.get("t") == "e":
                    extras.errors[rc] = value or "#N/A"
                elif f is not None:
                    if value is None:
                        extras.uncached[rc] = (f.text or "").strip()
                    else:
                        extras.cached.append(rc)
    return extras


# ---------------------------------------------------------------------------------------------
# Cells and rows.


def _caption(value: object) -> str | None:
    """The grammar's caption for a header cell: a month name, the year-to-date caption, or None."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    key = normalize(text)
    if key in MONTH_NAMES:
        return text
    if squash(key).replace("-", "") == _YTD:
        return "Gjennomsnitt hittil i år"
    return None


def _text(value: object) -> str:
    """A cell as the grammar reads it. Line breaks and tabs inside a cell are spaces."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # a whole count is a number; anything else stays as written and the grammar rejects it
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")  # as NAV writes dates ("Rapport oppdatert: 02.01.2025")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _is_page_text(text: str) -> bool:
    """A period, title or "Rapport oppdatert" cell: page text, never a table row."""
    key = normalize(text)
    return bool(_PERIOD.match(key) or _PAGE_TEXT.search(key))


@dataclass
class _Header:
    row: int
    first: int  # column of the first caption: columns left of it hold the row labels
    order: list[int]  # caption columns in the grammar's order: average first, then months
    skipped: dict[int, str]  # other columns of the table -> their header text ("" for none)
    line: int = 0


def _header(cells: list[tuple[int, object]], row: int) -> _Header | None:
    """A header row: only text, at least one caption, and captions are most of its cells right of
    the first caption (a label column may be headed, like "Fylke")."""
    if not cells or any(not isinstance(v, str) for _, v in cells):
        return None
    caps = {c: _caption(v) for c, v in cells}
    found = [c for c, cap in caps.items() if cap]
    if not found:
        return None
    first = min(found)
    right = [c for c, _ in cells if c >= first]
    if len(found) * 2 <= len(right) or (len(cells) == 1 and first == 0):
        return None
    last = max(c for c, _ in cells)
    skipped = {c: "" for c in range(first, last + 1) if not caps.get(c)}
    for c, v in cells:
        if c in skipped:
            skipped[c] = " ".join(str(v).split())

    def rank(c: int) -> tuple[int, int]:
        key = normalize(caps[c] or "")
        return (0, 0) if key not in MONTH_NAMES else (1, MONTH_NAMES.index(key))

    return _Header(row, first, sorted(found, key=rank), skipped)


class _SheetReader:
    """Turns the rows of one sheet into lines of the text grammar."""

    def __init__(self, path: str, name: str, extras: SheetExtras, out: Extract):
        self.path, self.name, self.extras, self.out = path, name, extras, out
        self.header: _Header | None = None
        self.headers = 0
        self.period_seen = False
        self.skipped_notes: dict[tuple[int, str], str] = {}
        self.municipal = ""
        self.stray_figures = ""  # the first number outside any table (`Sheet!B3`)
        self.pending: tuple[int, list[tuple[int, object]]] | None = None  # a label-only row, undecided

    def ref(self, row: int, col: int) -> str:
        return _cell_ref(self.name, row, col)

    def fail(self, row: int, col: int, message: str) -> WorkbookError:
        return WorkbookError(self.path, message, self.ref(row, col))

    def rows(self, raw_rows: Iterator[list], col0: int) -> None:
        special: dict[int, list[int]] = {}  # row -> columns of error cells and uncached formulas
        for r, c in self.extras.errors.keys() | self.extras.uncached.keys():
            special.setdefault(r, []).append(c)
        for r, values in enumerate(raw_rows):
            cells = [(col0 + j, v) for j, v in enumerate(values) if v != ""]
            if r in special:  # calamine shows these cells as empty
                filled = {c for c, _ in cells}
                cells += [(c, self._special((r, c))) for c in special[r] if c not in filled]
            if cells:
                cells.sort(key=lambda cv: cv[0])
                self.row(r, cells)
        self.flush(next_is_data=False)

    def _special(self, rc: tuple[int, int]) -> str:
        if rc in self.extras.errors:
            return self.extras.errors[rc]
        return f"={self.extras.uncached[rc]} (formula without a cached value)"

    def row(self, r: int, cells: list[tuple[int, object]]) -> None:
        h = _header(cells, r)
        if h is not None:
            self.flush(next_is_data=False)
            self.start_table(h, cells)
            return
        head = self.header
        figures = head is not None and any(c >= head.first for c, _ in cells)
        if head is not None and not figures and all(isinstance(v, str) for _, v in cells):
            # a label alone: a heading above the next table, or a row of the table with no figures
            self.flush(next_is_data=False)
            self.pending = (r, cells)
            return
        if figures:
            self.flush(next_is_data=True)
            self.data_row(r, cells)
            return
        self.flush(next_is_data=False)
        self.text_row(r, cells)

    def flush(self, next_is_data: bool) -> None:
        """Decide a label-only row: a row without figures when a row of the table follows it,
        else a heading (as a text extract prints it)."""
        if self.pending is None:
            return
        r, cells = self.pending
        self.pending = None
        if next_is_data and not _is_page_text(" ".join(_text(v) for _, v in cells)):
            self.data_row(r, cells)
        else:
            self.text_row(r, cells)

    def text_row(self, r: int, cells: list[tuple[int, object]]) -> None:
        """One line per text cell; a caption ending in ':' takes the cell after it ("Rapport
        oppdatert:" and a date cell)."""
        lines: list[tuple[int, str]] = []
        for c, v in cells:
            if not isinstance(v, str) and not isinstance(v, dt.date | dt.time | dt.timedelta):
                self.stray_figures = self.stray_figures or self.ref(r, c)
            text = _text(v)
            if lines and lines[-1][1].endswith(":"):
                lines[-1] = (lines[-1][0], f"{lines[-1][1]} {text}")
            else:
                lines.append((c, text))
        for c, text in lines:
            if _PERIOD.match(normalize(text)):
                self.period_seen = True
            self.out.add(text, self.ref(r, c))

    def start_table(self, h: _Header, cells: list[tuple[int, object]]) -> None:
        if self.stray_figures and self.headers == 0:
            raise WorkbookError(
                self.path, "figures before the first header of months on this sheet", self.stray_figures
            )
        if not self.period_seen:
            raise self.fail(
                h.row, h.first, "table header before any period cell (like 'Januar 2024 - Desember 2024') on this sheet"
            )
        captions = {c: _caption(v) for c, v in cells}
        seen: dict[str, int] = {}
        for c in h.order:
            key = squash(normalize(captions[c] or ""))
            if key in seen:
                raise self.fail(
                    h.row,
                    c,
                    f"column '{captions[c]}' appears twice ({column_letter(seen[key])} and {column_letter(c)})",
                )
            seen[key] = c
        self.header = h
        self.headers += 1
        h.line = self.out.add("\t" + "\t".join(captions[c] or "" for c in h.order), self.ref(h.row, h.first))
        for c, text in h.skipped.items():
            self.skipped_notes.setdefault((c, text), self.ref(h.row, c))

    def data_row(self, r: int, cells: list[tuple[int, object]]) -> None:
        h = self.header
        assert h is not None
        by_col = dict(cells)
        label_cells = [(c, v) for c, v in cells if c < h.first]
        label = " ".join(_text(v) for _, v in label_cells)
        label_col = label_cells[0][0] if label_cells else h.first
        if not label:
            raise self.fail(r, label_col, "row has figures but no label")
        for c, v in cells:
            if c >= h.first and c not in h.order:
                what = f"headed '{h.skipped[c]}'" if h.skipped.get(c) else "without a month caption"
                raise self.fail(
                    r,
                    c,
                    f"column {column_letter(c)} {what} holds '{_text(v)}' in row '{label}'; "
                    "only month columns and 'Gjennomsnitt hittil i år' are read, and navstat does not guess",
                )
        if _MUNICIPALITY.match(label) and not self.municipal:
            self.municipal = label
        values = [_text(by_col.get(c, "")) for c in h.order]
        self.out.add(label + "\t" + "\t".join(values), self.ref(r, label_col))

    def finish(self) -> None:
        for (c, text), where in sorted(self.skipped_notes.items()):
            what = f"column {column_letter(c)} headed '{text}'" if text else f"empty column {column_letter(c)}"
            self.out.note(where, f"{what} holds no figures; skipped")
        if self.extras.cached:
            cells = ", ".join(self.ref(r, c) for r, c in sorted(self.extras.cached)[:3])
            more = f" and {len(self.extras.cached) - 3} more" if len(self.extras.cached) > 3 else ""
            self.out.note(f"{self.name}!A1", f"formula cells read as their cached values: {cells}{more}")
        if self.extras.hidden_rows:
            rows = ", ".join(str(r + 1) for r in self.extras.hidden_rows[:10])
            self.out.note(f"{self.name}!A1", f"rows hidden in Excel, read like the others: {rows}")


# ---------------------------------------------------------------------------------------------


def extract(path: str | Path) -> Extract:
    """The workbook as the text grammar's input. Raises WorkbookError for a workbook that cannot be read."""
    import python_calamine as pc

    name = str(path)
    out = Extract()
    zf = _open_zip(name)
    try:
        parts = _sheet_parts(zf)
        try:
            wb = pc.CalamineWorkbook.from_path(name)
        except Exception as exc:  # calamine's own errors: one line, with the file
            raise WorkbookError(name, f"cannot read the workbook: {type(exc).__name__}: {exc}") from None
        with wb:
            for meta in wb.sheets_metadata:
                _read_sheet(name, wb, meta, parts, zf, out)
    finally:
        zf.close()
    return out


def _read_sheet(path: str, wb, meta, parts: dict[str, str], zf: zipfile.ZipFile, out: Extract) -> None:
    import python_calamine as pc

    sheet = meta.name
    if meta.typ != pc.SheetTypeEnum.WorkSheet:
        out.note(f"{sheet}!A1", f"sheet '{sheet}' is not a worksheet ({meta.typ.name}); skipped")
        return
    try:
        data = wb.get_sheet_by_name(sheet)
    except Exception as exc:
        raise WorkbookError(path, f"cannot read the sheet: {type(exc).__name__}: {exc}", sheet) from None
    start = len(out.lines)
    section = out.add("## " + " ".join(sheet.split()), f"{sheet}!A1")
    if meta.visible != pc.SheetVisibleEnum.Visible:
        out.note(f"{sheet}!A1", f"sheet '{sheet}' is hidden in Excel; read like the others", section)
    if "kommune" in sheet.lower():
        _truncate(out, start)
        out.note(f"{sheet}!A1", f"sheet '{sheet}' is a municipality table, which navstat does not model yet; skipped")
        return
    reader = _SheetReader(path, sheet, _sheet_extras(zf, parts.get(sheet, "")), out)
    col0 = data.start[1] if data.start else 0
    try:
        reader.rows(data.iter_rows(), col0)
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(path, f"cannot read the sheet: {type(exc).__name__}: {exc}", sheet) from None
    if reader.municipal:
        _truncate(out, start)
        out.note(
            f"{sheet}!A1",
            f"sheet '{sheet}' is a municipality table (rows like '{reader.municipal}'), "
            "which navstat does not model yet; skipped",
        )
        return
    if reader.headers == 0:
        if reader.stray_figures:
            _truncate(out, start)
            out.note(f"{sheet}!A1", f"sheet '{sheet}' holds figures but no header of months; skipped")
        else:  # a notes sheet: its text (title, period, notes) is read like a text extract's
            out.note(f"{sheet}!A1", f"sheet '{sheet}' holds no table; read for its text only")
        return
    reader.finish()


def _truncate(out: Extract, start: int) -> None:
    """Forget the lines of a sheet that is skipped."""
    for i in range(start + 1, len(out.lines) + 1):
        out.locations.pop(i, None)
    del out.lines[start:]


def interpret_workbook(path: str | Path, codelists: Codelists | None = None, literal: bool = False) -> Interpretation:
    """Read a NAV workbook (the reader registry's entry): its sheets as the text grammar's rows,
    interpreted by that grammar, every line knowing its `Sheet!A12` place so that every diagnostic,
    the reconciler's and the checks' too, names the place."""
    from .navtext import interpret

    name = str(path)
    ex = extract(name)
    interp = interpret("\n".join(ex.lines), name, codelists, literal)
    report = interp.report
    report.locations = ex.locations
    for d in report.diagnostics:
        d.location = ex.locations.get(d.line, "")
        d.message = report.locate(d.message)
    interp.notes += [Diagnostic(WORKBOOK_NOTE, name, line, message, "", where) for line, where, message in ex.notes]
    if not report.metadata.period_start:
        raise WorkbookError(name, "no period cell (like 'Januar 2024 - Desember 2024') in any sheet")
    if not report.tables:
        raise WorkbookError(name, "no sheet holds a table with a header of months")
    return interp
