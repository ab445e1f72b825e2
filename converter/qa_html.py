"""The QA report a publisher signs off on: `navstat inspect REPORT... --html qa.html`.

One self-contained HTML page (inline CSS and SVG, no script, no request leaving the file) with, per
report: a summary (periods, codelist versions, the accounting, the checks), every table as printed
with each printed cell marked with its fate, the diagnostics beside the rows they concern, a small
chart per series, and lists of the cells left out and of the `*` cells the printed figures reveal.

A cell's fate is read from the reconciler's decisions recorded on each row (`parsed.RowData`: key,
placement, agreed cells) and from the observations it emitted, never re-derived from the text: each
fate is counted in one term of the accounting (`ACCOUNTING`), so the marked cells of a report add up
to its `cells in = emitted + merged + diagnosed`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import __version__
from .codelists import Codelists, load_codelists
from .model import DIMENSIONS, PARTICIPANTS, TOTAL, YTD_AVERAGE, Diagnostic, Observation, Report, Status
from .outputs import write_text
from .parsed import RowData
from .pipeline import read_interpreted
from .registry import reader_for
from .rules import DISCLOSURE_AUDIT, ROW_BEFORE_HEADER, RULES
from .validate import derivable

# fate -> (symbol shown beside the figure, meaning, the term of the accounting it is counted in)
FATES: dict[str, tuple[str, str, str]] = {
    "emitted": ("", "a figure written to the outputs as printed", "emitted"),
    "merged": ("=", "a copy of a figure printed elsewhere too, merged with it", "merged"),
    "repaired": ("↔", "a figure of a damaged row, placed in its column from the report's own evidence", "emitted"),
    "withheld": ("✕", "left out: navstat cannot decide it (see the diagnostic beside the row)", "diagnosed"),
    "confidential": ("", "`*`: a value below 4 suppressed by NAV; never given a value", "emitted"),
    "blank": ("∅", "an empty cell: no figure printed", "emitted"),
    "derivable": ("!", "`*` whose value follows exactly from printed figures (NAV-Q205)", "emitted"),
}
ACCOUNTING = {fate: term for fate, (_, _, term) in FATES.items()}

Place = tuple[int, int]  # (line, index of the value in its printed row: 0 is the first cell after the label)


@dataclass(slots=True)
class PrintedCell:
    """What happened to one printed cell."""

    fate: str
    key: tuple[str, ...] | None  # full key (key..., measure, period); None when the row got no key
    why: str = ""  # for a cell left out or placed: which reading it went through


@dataclass
class QAInput:
    report: Report
    lines: list[str]  # the printed lines as the reader read them (a workbook's: the rows it made)
    cells: dict[Place, PrintedCell]
    labels: dict[int, str] = field(default_factory=dict)  # line -> the row's label


# -- what happened to each printed cell -------------------------------------------------------------


def row_fates(report: Report, rows: list[RowData]) -> dict[Place, PrintedCell]:
    """The fate of every cell the reconciler counted in `cells_in`, following `merge()`'s accounting."""
    by_fk = {o.full_key: o for o in report.observations}
    out: dict[Place, PrintedCell] = {}
    for row in rows:
        n = len(row.cells)
        if row.cells and all(c is not None and c[1] is Status.BLANK for c in row.cells):
            out.update(((row.line, vi), PrintedCell("withheld", None, "a label and no figures")) for vi in range(n))
            continue
        placed = _placement(row)
        if row.key is None or placed is None:
            why = "no key" if row.key is None else "damaged row not aligned"
            out.update(((row.line, vi), PrintedCell("withheld", None, why)) for vi in range(n))
            continue
        for vi, cell in enumerate(row.cells):
            ci = placed.get(vi)
            if ci is None:
                out[(row.line, vi)] = PrintedCell("withheld", None, "damaged row: its column is not decided")
                continue
            col = row.columns[ci]
            fk = (*row.key, col.measure, col.period)
            if cell is None:
                out[(row.line, vi)] = PrintedCell("withheld", fk, "not a number, * or blank")
                continue
            obs = by_fk.get(fk)
            if obs is None:
                out[(row.line, vi)] = PrintedCell("withheld", fk, "copies disagree")
            elif row.line not in obs.lines:
                out[(row.line, vi)] = PrintedCell("withheld", fk, "outvoted by the other copies")
            elif obs.lines[0] != row.line:
                out[(row.line, vi)] = PrintedCell("merged", fk, "repaired row" if row.damaged else "")
            else:
                out[(row.line, vi)] = PrintedCell(_primary_fate(obs, row), fk, "repaired row" if row.damaged else "")
    return out


def _placement(row: RowData) -> dict[int, int] | None:
    """Value index -> column index of a row's cells; None for a damaged row that was not aligned."""
    if row.partial:
        return _partial_placement(row)
    if row.damaged and row.placement is None:
        return None
    placement = row.placement or range(len(row.cells))
    return dict(enumerate(placement))


def _partial_placement(row: RowData) -> dict[int, int]:
    """The values of a partly aligned row that went to the columns every fitting alignment agrees on.

    An alignment keeps the order of the values, so the value of column `ci` is one of the values
    `ci - gaps .. ci`; of those that print the agreed figure, the first after the previous one is
    taken (two candidates print the same figure, so the page shows the same either way)."""
    assert row.partial is not None
    gaps = len(row.columns) - len(row.cells)
    out: dict[int, int] = {}
    last = -1
    for ci, cell in sorted(row.partial.items()):
        for vi in range(max(last + 1, ci - gaps), min(ci, len(row.cells) - 1) + 1):
            if row.cells[vi] == cell:
                out[vi] = ci
                last = vi
                break
    return out


def _primary_fate(obs: Observation, row: RowData) -> str:
    if obs.status is Status.CONFIDENTIAL:
        return "confidential"
    if row.damaged:
        return "repaired"
    return "blank" if obs.status is Status.BLANK else "emitted"


def _mark_derivable(qa: QAInput) -> None:
    """The `*` cells the disclosure audit found derivable (after the checks ran)."""
    found = derivable(qa.report)
    for place, cell in qa.cells.items():
        if cell.fate == "confidential" and cell.key in found:
            qa.cells[place] = PrintedCell("derivable", cell.key, cell.why)


def _mark_unplaced_rows(qa: QAInput) -> None:
    """Rows before any table header (NAV-E010) are counted as diagnosed by the parser itself."""
    for d in qa.report.diagnostics:
        if d.rule == ROW_BEFORE_HEADER and 0 < d.line <= len(qa.lines):
            values = _row_cells(qa.lines[d.line - 1])[2]
            for vi in (i for i, v in enumerate(values) if v.strip()):
                qa.cells[(d.line, vi)] = PrintedCell("withheld", None, "before any table header")


def read_inputs(paths: Iterable[Path], codelists: Codelists | None = None) -> list[QAInput]:
    """Read every input as the pipeline does (checks included), keeping each row's final reading to
    record what happened to its cells. Raises `readers.textio.InputError` for an unreadable input."""
    cl = codelists or load_codelists()
    out = []
    for path in paths:
        report, interpretation = read_interpreted(path, cl)
        rows = interpretation.rows
        qa = QAInput(report, printed_lines(path), row_fates(report, rows), {r.line: r.label for r in rows})
        _mark_unplaced_rows(qa)
        _mark_derivable(qa)
        out.append(qa)
    return out


def printed_lines(path: Path) -> list[str]:
    """The lines the reader read: a text extract's own, or the rows a workbook reader makes of its sheets."""
    if reader_for(path).name == "xlsx":
        from .readers.xlsx import extract

        return extract(path).lines
    from .readers.textio import read_text

    return read_text(path)[0].split("\n")


# -- the page ---------------------------------------------------------------------------------------


@dataclass
class CellView:
    text: str
    fate: str = ""  # "" for a cell that is layout (an empty cell beyond the row's figures)
    title: str = ""


@dataclass
class Note:
    """The diagnostics of one rule on one line, shown beside the row (one line however many)."""

    rule: str
    severity: str
    text: str
    title: str  # every message in full


def _notes(diagnostics: list[Diagnostic]) -> list[Note]:
    by_rule: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_rule[d.rule].append(d)
    out = []
    for rule, ds in by_rule.items():
        first = ds[0].message
        text = first if len(first) <= 150 else first[:149] + "…"
        if len(ds) > 1:
            text = f"{len(ds)}×, first: {text}"
        out.append(Note(rule, ds[0].severity.value, text, "\n".join(d.message for d in ds)))
    return out


@dataclass
class RowView:
    line: int
    place: str
    kind: str  # header | row | text
    lead: list[str]  # empty cells printed before the label (a shifted row)
    label: str
    cells: list[CellView]
    notes: list[Note]
    total: bool = False


@dataclass
class Series:
    label: str  # the row's label as printed
    place: str  # the line (or workbook cell) of the row
    svg: dict


@dataclass
class TableView:
    number: int
    caption: str
    heading: list[str]
    rows: list[RowView]
    columns: int  # the widest row, for the notes column to line up
    charts: list[Series] = field(default_factory=list)


@dataclass
class ReportView:
    anchor: str
    report: Report
    counts: Counter
    accounting: dict[str, int]
    rules: list[tuple[str, str, int, str]]
    tables: list[TableView]
    left_out: list[dict]
    derivable: list[dict]
    other_notes: list[Diagnostic]


def _clean(text: str) -> str:
    t = text.strip()
    for tag in ("<b>", "</b>"):
        t = t.replace(tag, "")
    return t.replace("\\*", "*").strip()


def _row_cells(raw: str) -> tuple[list[str], str, list[str]]:
    """A printed row as the parser splits it: empty cells before the label, the label, the values."""
    cells = raw.split("\t")
    i = 0
    while i < len(cells) and not cells[i].strip():
        i += 1
    if i == len(cells):
        return cells, "", []
    return cells[:i], cells[i], cells[i + 1 :]


def _describe_key(fk: tuple[str, ...] | None) -> str:
    if fk is None:
        return "no key"
    dims = " ".join(f"{d}={c}" for d, c in zip(DIMENSIONS, fk, strict=False) if c != TOTAL)
    return f"{dims or 'total'} · {fk[-2]} {fk[-1]}"


def _cell_title(cell: PrintedCell, place: str) -> str:
    parts = [f"line {place}", _describe_key(cell.key), cell.fate]
    if cell.why:
        parts.append(cell.why)
    return " · ".join(parts)


def _table_views(qa: QAInput) -> list[TableView]:
    report, lines = qa.report, qa.lines
    notes_at: dict[int, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        notes_at[d.line].append(d)
    views = []
    previous_end = 0
    for n, t in enumerate(report.tables, 1):
        heading = [
            _clean(x.lstrip("#"))
            for x in lines[previous_end : t.first_line - 1]
            if x.strip() and not x.strip().startswith("---") and "\t" not in x
        ][-4:]
        heading = [h if len(h) <= 140 else h[:139] + "…" for h in heading]
        rows = [v for line in range(t.first_line, t.last_line + 1) if (v := _row_view(qa, line, notes_at)) is not None]
        context = ", ".join(f"{d}={c}" for d, c in t.context.items())
        caption = f"Table {n}: lines {report.where(t.first_line)}–{report.where(t.last_line)}, by {t.breakdown}"
        views.append(
            TableView(
                n,
                caption + (f", {context}" if context else ""),
                heading,
                rows,
                max((len(r.lead) + len(r.cells) + (r.kind == "row") for r in rows), default=0),
            )
        )
        previous_end = t.last_line
    covered = {line for t in report.tables for line in range(t.first_line, t.last_line + 1)}
    outside = sorted({line for line, _ in qa.cells} - covered)
    if outside:  # rows before any table header (NAV-E010): their cells are counted too, so shown too
        rows = [v for line in outside if (v := _row_view(qa, line, notes_at)) is not None]
        width = max((len(r.lead) + len(r.cells) + 1 for r in rows), default=0)
        views.insert(0, TableView(0, "Rows outside any table", [], rows, width))
    return views


def _row_view(qa: QAInput, line: int, notes_at: dict[int, list[Diagnostic]]) -> RowView | None:
    raw = qa.lines[line - 1] if 0 < line <= len(qa.lines) else ""
    if not raw.strip() or raw.strip().startswith("---") or raw.strip().startswith("|-"):
        return None
    place = qa.report.where(line)
    notes = _notes(notes_at.get(line, []))
    if "\t" not in raw:
        return RowView(line, place, "text", [], _clean(raw.lstrip("#")), [], notes)
    lead, label, values = _row_cells(raw)
    if line not in qa.labels and not any((line, vi) in qa.cells for vi in range(len(values))):
        # a header: every printed cell is a column heading
        return RowView(line, place, "header", [], "", [CellView(_clean(c)) for c in raw.split("\t")], notes)
    cells = []
    for vi, value in enumerate(values):
        pc = qa.cells.get((line, vi))
        if pc is None:
            cells.append(CellView(_clean(value)))
        else:
            cells.append(CellView(_clean(value), pc.fate, _cell_title(pc, place)))
    return RowView(line, place, "row", lead, _clean(label), cells, notes, _clean(label).lower().startswith("i alt"))


# -- charts -------------------------------------------------------------------------------------------

CHART_W, CHART_H, PAD = 150, 44, 4


class _SeriesCharts:
    """One small chart per key, made once per report: its monthly figures, with `*`, left-out and
    repaired months marked, and its year-to-date averages as dashed lines."""

    def __init__(self, qa: QAInput, cl: Codelists):
        self.cl = cl
        self.months: dict[tuple, dict[str, Observation]] = defaultdict(dict)
        self.ytd: dict[tuple, list[Observation]] = defaultdict(list)
        for o in qa.report.observations:
            if o.measure == PARTICIPANTS:
                self.months[o.key][o.period] = o
            elif o.measure == YTD_AVERAGE:
                self.ytd[o.key].append(o)
        self.left_out: dict[tuple, set[str]] = defaultdict(set)
        for fk in qa.report.withheld:
            if fk[-2] == PARTICIPANTS:
                self.left_out[tuple(fk[: len(DIMENSIONS)])].add(fk[-1])
        self.repaired = {c.key for c in qa.cells.values() if c.fate == "repaired"}
        self.memo: dict[tuple, dict] = {}

    def chart(self, key: tuple[str, ...]) -> dict:
        if key not in self.memo:
            obs = self.months.get(key, {})
            periods = sorted(set(obs) | self.left_out.get(key, set()))
            repaired = {p for p in periods if (*key, PARTICIPANTS, p) in self.repaired}
            svg = _chart(periods, obs, self.left_out.get(key, set()), self.ytd.get(key, []), repaired)
            svg["key"] = _key_label(key, self.cl)
            self.memo[key] = svg
        return self.memo[key]

    def for_rows(self, qa: QAInput, rows: list[RowView]) -> list[Series]:
        """The series of a table's rows, in the order printed, each once."""
        out: list[Series] = []
        seen = set()
        for r in rows:
            key = next(
                (
                    c.key[: len(DIMENSIONS)]
                    for vi in range(len(r.cells))
                    if (c := qa.cells.get((r.line, vi))) is not None and c.key is not None
                ),
                None,
            )
            if r.kind != "row" or key is None or key in seen:
                continue
            seen.add(key)
            out.append(Series(r.label, r.place, self.chart(key)))
        return out


def _key_label(key: tuple[str, ...], cl: Codelists) -> str:
    parts = []
    for dim, code in zip(DIMENSIONS, key, strict=True):
        if code == TOTAL:
            continue
        c = cl[dim].code(code)
        parts.append(c.label("nb") if c is not None else code)
    return " · ".join(parts) or "I alt"


def _chart(
    periods: list[str], obs: dict[str, Observation], left_out: set[str], ytds: list[Observation], repaired: set[str]
) -> dict:
    """Coordinates for the template: the polyline segments between numbers, and the marks."""
    values = [o.value for o in obs.values() if o.status is Status.VALUE and o.value is not None]
    values += [y.value for y in ytds if y.value is not None]
    top = max(values, default=0) or 1
    n = max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return round(PAD + i * (CHART_W - 2 * PAD) / n, 1)

    def y(v: float) -> float:
        return round(CHART_H - PAD - v * (CHART_H - 2 * PAD) / top, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    points, stars, gaps, blanks = [], [], [], []
    for i, p in enumerate(periods):
        o = obs.get(p)
        if o is not None and o.status is Status.VALUE:
            pt = (x(i), y(o.value or 0))
            segments[-1].append(pt)
            points.append({"x": pt[0], "y": pt[1], "title": f"{p}: {o.value}", "repaired": p in repaired})
            continue
        if segments[-1]:
            segments.append([])  # an unknown month breaks the line: nothing is drawn through it
        if o is not None and o.status is Status.CONFIDENTIAL:
            stars.append({"x": x(i), "y": y(0), "title": f"{p}: * (suppressed, 0-3)"})
        elif o is not None:
            blanks.append({"x": x(i), "y": y(0), "title": f"{p}: blank"})
        elif p in left_out:
            gaps.append({"x": x(i), "y": PAD + 2, "title": f"{p}: left out"})
    lines = [" ".join(f"{a},{b}" for a, b in s) for s in segments if len(s) > 1]
    averages = [
        {"y": y(a.value), "title": f"year-to-date average {a.period}: {a.value}"}
        for a in ytds
        if a.status is Status.VALUE and a.value is not None
    ]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "lines": lines,
        "points": points,
        "stars": stars,
        "gaps": gaps,
        "blanks": blanks,
        "averages": averages,
        "top": top,
        "first": periods[0] if periods else "",
        "last": periods[-1] if periods else "",
    }


# -- lists and summary ------------------------------------------------------------------------------


def _left_out(qa: QAInput) -> list[dict]:
    out = []
    for (line, vi), cell in sorted(qa.cells.items()):
        if cell.fate != "withheld":
            continue
        values = _row_cells(qa.lines[line - 1])[2] if 0 < line <= len(qa.lines) else []
        out.append(
            {
                "line": line,
                "place": qa.report.where(line),
                "row": _clean(qa.labels.get(line, "")),
                "value": _clean(values[vi]) if vi < len(values) else "",
                "cell": vi + 1,
                "key": _describe_key(cell.key),
                "why": cell.why,
            }
        )
    return out


def _derivable(qa: QAInput) -> list[dict]:
    """The audit's findings: where each derivable `*` is printed and what reveals it (never its value)."""
    res = next((r for r in qa.report.checks if r.rule == DISCLOSURE_AUDIT), None)
    findings = res.findings if res is not None else []
    return [
        {"line": f.line, "place": qa.report.where(f.line), "message": qa.report.locate(f.message)} for f in findings
    ]


def _report_view(qa: QAInput, index: int, cl: Codelists) -> ReportView:
    report = qa.report
    counts = Counter(c.fate for c in qa.cells.values())
    by_rule = Counter(d.rule for d in report.diagnostics)
    rules = [(r, RULES[r].severity.value, n, RULES[r].title) for r, n in sorted(by_rule.items())]
    tables = _table_views(qa)
    charts = _SeriesCharts(qa, cl)
    for t in tables:
        t.charts = charts.for_rows(qa, t.rows)
    shown = {r.line for t in tables for r in t.rows}
    return ReportView(
        anchor=f"r{index}",
        report=report,
        counts=counts,
        accounting={k: report.accounting.get(k, 0) for k in ("cells_in", "emitted", "merged", "diagnosed")},
        rules=rules,
        tables=tables,
        left_out=_left_out(qa),
        derivable=_derivable(qa),
        other_notes=[d for d in report.diagnostics if d.line not in shown],
    )


def render(inputs: list[QAInput], codelists: Codelists | None = None) -> str:
    cl = codelists or load_codelists()
    env = Environment(
        loader=PackageLoader("converter", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    views = [_report_view(qa, i, cl) for i, qa in enumerate(inputs, 1)]
    return env.get_template("qa.html.j2").render(
        reports=views, fates=FATES, accounting_of=ACCOUNTING, version=__version__
    )


def write_html(paths: Iterable[Path], target: str) -> list[QAInput]:
    """Read every input and write the QA page (atomically). Returns what was read."""
    inputs = read_inputs(paths)
    write_text(target, render(inputs))
    return inputs
