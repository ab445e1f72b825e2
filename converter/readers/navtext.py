"""Reader for NAV "Deltakere i arbeidsrettede tiltak" report extracts (markdown-like and plain text).

The grammar, as NAV prints it:

- a page starts with a title, a section title and a period line ("Januar 2021 - Desember 2021"),
  optionally a context heading that fixes a dimension for the table ("Arbeidssøkere på tiltak",
  "Kvinner", "Andre på tiltak,\\narbeidspraksis"), then a header of months, possibly led by
  "Gjennomsnitt hittil i år" (wrapped over lines or not), then tab-separated rows;
- rows are labelled; "I alt" rows are totals and name what they total ("I alt oppfølging"); rows
  under a total break it down by one dimension (measures, counties, sex, age, ...);
- tables break across pages, and each page repeats the title, header and total rows.

Section titles are not trusted for meaning (NAV's own extracts mislabel tables): the dimension of a
table is inferred from its row labels, and what a total is about from its label, resolved in the
codelists. Nothing is aligned by guesswork: see `reconcile`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..codelists import Codelists, clean_label, load_codelists, normalize, squash
from ..model import (
    DIMENSIONS,
    NO_PERIOD,
    PARTICIPANTS,
    TOTAL,
    Diagnostic,
    Report,
    ReportMetadata,
    Status,
    TableInfo,
)
from ..parsed import Cell, Column, Interpretation, RowData
from ..perf import no_gc
from ..rules import (
    BAD_CELL,
    CODE_OUT_OF_FORCE,
    CONTEXT_UNKNOWN,
    LABEL_APPROXIMATE,
    LABEL_UNKNOWN,
    NO_TABLE,
    PERIOD_IMPLAUSIBLE,
    PERIOD_MISSING,
    ROW_BEFORE_HEADER,
    TEXT_IGNORED,
)
from .textio import MAX_LINE, InputError, TextWarning, decode, read_text

MONTHS = {
    "januar": 1,
    "februar": 2,
    "mars": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "desember": 12,
}
YTD = "SNITT_HIA"
_YTD_SQUASHED = "gjennomsnitthittiliar"
_HEADER_WORDS = {"gjennom", "snitt", "gjennomsnitt", "hittil", "i", "ar", *MONTHS}
_MONTH_RE = "|".join(MONTHS)
_PERIOD = re.compile(rf"^(?:({_MONTH_RE})\s*(\d{{4}})?)\s*[-–]\s*({_MONTH_RE})\s+(\d{{4}})$", re.I)
_UPDATED = re.compile(r"rapport oppdatert:?\s*(\d{1,2})\.(\d{1,2})\.(\d{4})", re.I)
_NUMBER = re.compile(r"^\d{1,3}(?: \d{3})+$|^\d+$")
_SEPARATOR = re.compile(r"^[\s|:\-]*-{3,}[\s|:\-]*$")
_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")
_REPORT_ID = re.compile(r"\b(TILT\d{3})\b", re.I)
_NOTE_MARKERS = ("statistikklov", "om statistikken", "dette for å sikre", "erstatte verdier")
SECTIONS = {
    normalize(s)
    for s in (
        "Om tabellene",
        "Innhold i rapporten",
        "Hovedgrupper",
        "Tiltaksgrupper",
        "Tiltaksgrupper og hovedgrupper",
        "Tiltaksgrupper og hovedgruppe",
        "Tiltak",
        "Tiltak og hovedgrupper",
        "Tiltak og kjønn",
        "Fylke og tiltaksgruppe",
        "Fylke, hovedgrupper og tiltaksgrupper",
        "Tiltak og fylke",
        "Arbeidsmarkedsstatus og tiltak",
        "Tiltak og alder",
        "Tiltak og landbakgrunn",
        "Tiltak og innvandring",
        "Tiltak og utdanning",
        "Demografi",
    )
}
# NAV's TILT report families that cover one statistics group (codelists-research.md 1.3).
TILT_GROUPS = {
    "TILT110": "TG_LONNSTILSKUDD",
    "TILT120": "TG_ARBEIDSPRAKSIS",
    "TILT130": "TG_OPPLAERING",
    "TILT140": "TG_OPPFOLGING",
    "TILT150": "TG_AVKLARING",
    "TILT160": "TG_ARBEIDSRETTET_REHAB",
    "TILT170": "TG_TILRETTELAGT_ARBEID",
}
# Dimensions a row label or a heading can name, in the order ties are reported.
LABEL_DIMS = ("TILTAK", "HOVEDGRUPPE", "FYLKE", "KJONN", "ALDER", "LANDBAKGRUNN", "INNVANDRING", "UTDANNING")
EXACT = ("rule", "exact", "squashed", "prefix")

Alternatives = list[dict[str, str]]  # each: dimension -> code


def period_problems(start: str, end: str) -> list[str]:
    """What is implausible about a report's period (YYYY-MM each): an end before the start, a year
    after next year or before NAV's statistics began. The figures are still read as printed."""
    import datetime as dt

    out = []
    if end < start:
        out.append(f"it ends ({end}) before it starts ({start})")
    latest = dt.date.today().year + 1
    for year in sorted({int(start[:4]), int(end[:4])}):
        if year > latest or year < 1990:
            out.append(f"the year {year} is {'in the future' if year > latest else 'before 1990'}")
    return out


@dataclass
class Block:
    """One printed table: a header and the rows under it, with the context above it."""

    first_line: int
    columns: list[Column]
    context: Alternatives | None  # None: no context heading; []: heading not understood
    context_line: int
    context_text: str
    section: str
    period: tuple[str, str]
    rows: list[RowData] = field(default_factory=list)
    dim: str | None = None
    tiltak_level: str | None = None  # "group" | "code" for TILTAK rows


class _Parser:
    def __init__(self, text: str, source: str, codelists: Codelists):
        self.lines = text.split("\n")
        self.report = Report(source=source)
        self.meta = self.report.metadata
        self.cl = codelists
        self.labels = Labels(codelists)
        self.cells: dict[str, Cell | None] = {}  # cell text -> parsed cell, shared by equal texts
        self.blocks: list[Block] = []
        self.columns: list[Column] | None = None
        self.fragments: list[tuple[int, str]] = []  # wrapped header words waiting for their header row
        self.context_lines: list[tuple[int, str]] = []
        self.context: tuple[Alternatives | None, int, str] = (None, 0, "")
        self.section = ""
        self.period: tuple[str, str] | None = None
        self.block: Block | None = None
        self.trailing_gap = False  # the current header ends in an empty cell (a wrapped label's place)

    # -- lexing ------------------------------------------------------------------------------
    def parse(self) -> None:
        for no, raw in enumerate(self.lines, 1):
            if len(raw) > MAX_LINE:
                self.report.diagnose(TEXT_IGNORED, no, f"line of {len(raw)} characters ignored")
                continue
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            # A table row has cells: two tabs at least, or something after its tab. A lone trailing
            # tab after text is stray white space.
            if line.count("\t") >= 2 or ("\t" in line and line.split("\t", 1)[1].strip()):
                self._tab_line(no, line)
            else:
                self._text_line(no, line)

    def _text_line(self, no: int, line: str) -> None:
        m = _HEADING.match(line.strip())
        level = len(m.group(1)) if m else 0
        text = clean_label(m.group(2) if m else line)
        key = normalize(text)
        if _SEPARATOR.match(line):
            return
        if _PERIOD.match(key):
            self._period(no, key)
            return
        kind = _report_fact(self.meta, text, key)
        if kind == "title":  # a page starts
            self._reset()
        if kind:
            return
        if level in (1, 2) or key in SECTIONS:
            self._reset()
            self.section = text
            return
        words = key.replace("-", " ").split()
        if words and all(w in _HEADER_WORDS for w in words):
            self.fragments.append((no, key))
            return
        if len(words) > 14:
            self.report.diagnose(TEXT_IGNORED, no, f"text not understood: '{text[:60]}'")
            return
        # A context heading, possibly wrapped over several lines.
        if self.block is not None:  # a heading after a table starts a new context
            self.block = None
            self.context_lines = []
        self.context_lines.append((no, text))

    def _reset(self) -> None:
        """A new page or section: context and the current table end."""
        self.block = None
        self.context_lines = []
        self.context = (None, 0, "")
        self.fragments = []

    def _period(self, no: int, key: str) -> None:
        """A period line: the tables under it cover these months; the report covers them all."""
        self.period = start, end = period_of(key)
        for problem in period_problems(start, end):
            self.report.diagnose(PERIOD_IMPLAUSIBLE, no, f"period line {key!r}: {problem}")
        self.meta.period_start = min(self.meta.period_start or start, start)
        self.meta.period_end = max(self.meta.period_end, end)
        self.block = None
        self.context_lines = []
        self.context = (None, 0, "")

    def _tab_line(self, no: int, line: str) -> None:
        cells = line.split("\t")
        if _SEPARATOR.match(line):
            return
        # A header holds only month names and the year-to-date label; a figure rules that out quickly.
        nonempty = [c for c in cells if c.strip()]
        if (
            nonempty
            and not any(c.strip()[:1].isdigit() for c in nonempty)
            and all(_is_header_cell(normalize(c)) for c in nonempty)
        ):
            self._header(no, cells)
            return
        self._data_row(no, cells)

    # -- headers -----------------------------------------------------------------------------
    def _columns_from(self, no: int, words: list[str]) -> list[Column]:
        """Columns in NAV's order: the year-to-date average first, then months in calendar order.

        A wrapped "Gjennomsnitt hittil i år" leaves an empty header cell wherever the extract put
        it, so positions in the header row are not trusted; the set of columns is.
        """
        if self.period is None:
            self.report.diagnose(PERIOD_MISSING, no, "table header before any period line")
        return header_columns(words, self.period or NO_PERIOD)

    def _header(self, no: int, cells: list[str]) -> None:
        words = [w for _, w in self.fragments] + [normalize(c) for c in cells if c.strip()]
        self.fragments = []
        self.columns = self._columns_from(no, words)
        # An empty last header cell is where a wrapped label went; rows then carry the same artifact.
        self.trailing_gap = len(cells) > 1 and not cells[-1].strip()
        self._start_block(no)

    def _start_block(self, no: int) -> None:
        if self.context_lines:
            self.context = self.labels.heading(self.context_lines, self.period or NO_PERIOD, self.report)
            self.context_lines = []
        alts, cline, ctext = self.context
        assert self.columns is not None
        self.block = Block(no, self.columns, alts, cline, ctext, self.section, self.period or NO_PERIOD)
        self.blocks.append(self.block)

    # -- rows --------------------------------------------------------------------------------
    def _data_row(self, no: int, cells: list[str]) -> None:
        # Rows shifted right by leading tabs: the label is the first non-empty cell.
        i = 0
        while i < len(cells) and not cells[i].strip():
            i += 1
        if i == len(cells):
            return
        label = clean_label(cells[i])
        values = cells[i + 1 :]
        if self.fragments:  # wrapped header words with no header row: they are the header
            words = [w for _, w in self.fragments]
            self.fragments = []
            self.columns = self._columns_from(no, words)
            self.trailing_gap = False
            self._start_block(no)
        if self.columns is None:
            self.report.diagnose(ROW_BEFORE_HEADER, no, f"row '{label}' comes before any table header")
            self.report.accounting["cells_in"] += len([v for v in values if v.strip()])
            self.report.accounting["diagnosed"] += len([v for v in values if v.strip()])
            return
        if self.block is None or (self.context_lines and self.block.rows):
            self._start_block(no)
        assert self.block is not None
        row, bad = make_row(no, label, values, self.block, len(self.blocks) - 1, self.trailing_gap, self.cells)
        self.block.rows.append(row)
        for v in bad:
            self.report.diagnose(BAD_CELL, no, f"cell '{v.strip()}' in row '{label}' is not a number, * or blank")


def period_of(key: str) -> tuple[str, str]:
    """The months of a (normalised) period line: "januar - desember 2022", "januar 2021 - mars 2022"."""
    m = _PERIOD.match(key)
    assert m
    m1, y1, m2, y2 = m.groups()
    return f"{y1 or y2}-{MONTHS[m1]:02d}", f"{y2}-{MONTHS[m2]:02d}"


def _report_fact(meta: ReportMetadata, text: str, key: str) -> str:
    """Record what a text line says about the report itself: its update date, a note (the
    confidentiality note among them) or its title and TILT id. Returns which it was, or ""."""
    mu = _UPDATED.search(text)
    if mu:
        d, mo, y = mu.groups()
        meta.updated = f"{y}-{int(mo):02d}-{int(d):02d}"
        return "updated"
    if any(marker in text.lower() for marker in _NOTE_MARKERS):
        note = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).replace("\\*", "*")
        if note not in meta.notes:
            meta.notes.append(note)
        return "note"
    if "tidsserie" in key or _REPORT_ID.search(text) or key.startswith("deltakere i arbeidsrettede tiltak"):
        if not meta.title:
            meta.title = text
        mid = _REPORT_ID.search(text)
        if mid and not meta.report_id:
            meta.report_id = mid.group(1).upper()
        return "title"
    return ""


def _is_header_cell(t: str) -> bool:
    return t in MONTHS or squash(t).replace("-", "") == _YTD_SQUASHED


def header_columns(words: list[str], period: tuple[str, str]) -> list[Column]:
    """Columns in NAV's order: the year-to-date average (dated at the period's last month) first,
    then the months named, in calendar order, each in its year of the period."""
    start, end = period
    has_ytd = _YTD_SQUASHED in squash(" ".join(words)).replace("-", "")
    months = sorted({MONTHS[w] for w in " ".join(words).split() if w in MONTHS})
    sy, sm = int(start[:4]), int(start[5:])
    ey = int(end[:4])
    cols = [Column(YTD, end)] if has_ytd else []
    for m in months:
        year = sy if (sy == ey or m >= sm) else ey
        cols.append(Column(PARTICIPANTS, f"{year}-{m:02d}"))
    return cols


def make_row(
    no: int, label: str, values: list[str], block: Block, table: int, trailing_gap: bool, memo: dict[str, Cell | None]
) -> tuple[RowData, list[str]]:
    """A data row of a table, and the texts of its cells that are not a number, `*` or blank.

    Trailing empty cells beyond the header, and the empty-last-cell artifact of a header that ends
    in one, are layout. A row with another number of values than columns is damaged."""
    n = len(block.columns)
    if trailing_gap and values and not values[-1].strip():
        values = values[:-1]
    while len(values) > n and not values[-1].strip():
        values = values[:-1]
    parsed = [parse_cell(v, memo) for v in values]
    row = RowData(
        line=no,
        label=label,
        cells=parsed,
        columns=block.columns,
        damaged=len(values) != n,
        table=table,
        period=block.period,
        total_of=total_target(label),
        section=block.section,
        # A last cell left empty where the header has a column: a value may be lost in the middle.
        suspect=len(values) == n and n > 1 and not values[-1].strip() and any(v.strip() for v in values),
    )
    return row, [v for v, p in zip(values, parsed, strict=True) if p is None]


def parse_cell(cell: str, memo: dict[str, Cell | None] | None = None) -> Cell | None:
    """A cell: a number (with spaces between thousands), `*`, or blank. None if it is neither.

    With a memo (the parser keeps one per report): the same few thousand cell texts recur across a
    report, and the parsed tuples are then shared (less memory too)."""
    if memo is None:
        return _parse_cell(cell)
    try:
        return memo[cell]
    except KeyError:
        pass
    parsed = memo[cell] = _parse_cell(cell)
    return parsed


def _parse_cell(cell: str) -> tuple[int | None, Status] | None:
    t = cell.strip()
    if t.startswith("<b>") and t.endswith("</b>"):
        t = t[3:-4].strip()
    if t.isascii():  # the common cases, fast: "1 234", "*", ""
        if t.isdigit():
            return int(t), Status.VALUE
        if t == "*" or t == "\\*":
            return None, Status.CONFIDENTIAL
        if not t:
            return None, Status.BLANK
        if _NUMBER.match(t):
            return int(t.replace(" ", "")), Status.VALUE
    t = clean_label(cell).replace("\u00a0", " ").replace("\u202f", " ").strip()
    if t == "":
        return None, Status.BLANK
    if t in ("*", "\\*"):
        return None, Status.CONFIDENTIAL
    if _NUMBER.match(t):
        return int(t.replace(" ", "")), Status.VALUE
    return None


def total_target(label: str) -> str | None:
    """For a total row, what it totals: '' for the grand "I alt", the rest of the label otherwise."""
    key = normalize(label)
    if key == "i alt":
        return ""
    if key.startswith("i alt "):
        return clean_label(label)[len("I alt ") :].strip()
    return None


class Labels:
    """Resolves a report's labels, headings and total targets in the codelists.

    Memoised for one report (the same headings and totals repeat on every page); the memo lives
    and dies with the report's parser."""

    def __init__(self, cl: Codelists):
        self.cl = cl
        self._compound: dict[tuple[str, str, str, bool], Alternatives] = {}
        self._dims: dict[tuple[str, str, str], tuple[list[str], str | None]] = {}

    def compound(self, text: str, start: str, end: str) -> Alternatives:
        """Resolve a heading or a total's target that may name several dimensions, like
        "Nedsatt arbeidsevne, på tiltak, avklaringstiltak" (a main group and a group).

        Returns the alternatives (dimension -> code); more than one means the text is ambiguous.
        Exact readings (after normalisation) come first; only if the text has none is each part
        matched approximately, with the same rules as a row label (one typing error in "I alt menor"
        or "Nedatt arbeidsevne, på tiltak" does not lose the table under it)."""
        return [dict(a) for a in (self._memo(text, start, end, False) or self._memo(text, start, end, True))]

    def _memo(self, text: str, start: str, end: str, approximate: bool) -> Alternatives:
        k = (text, start, end, approximate)
        if k not in self._compound:
            self._compound[k] = self._resolve_compound(text, start, end, approximate)
        return self._compound[k]

    def _whole(self, text: str, start: str, end: str, approximate: bool) -> Alternatives:
        alts: Alternatives = []
        for dim in LABEL_DIMS:
            r = self.cl.resolve(dim, text, start, end, exact_only=not approximate)
            if r.method in EXACT or (approximate and r.method == "fuzzy"):
                alts += [{dim: c} for c in r.codes]
        return alts

    def _resolve_compound(self, text: str, start: str, end: str, approximate: bool) -> Alternatives:
        out = self._whole(text, start, end, approximate)
        if out:
            return out
        for i, ch in enumerate(text):
            if ch != ",":
                continue
            left, right = text[:i].strip(), text[i + 1 :].strip()
            if not left or not right:
                continue
            la = self._whole(left, start, end, approximate)
            if not la:
                continue
            ra = self._memo(right, start, end, False) or (self._memo(right, start, end, True) if approximate else [])
            for a in la:
                for b in ra:
                    if not set(a) & set(b):
                        merged = {**a, **b}
                        if merged not in out:
                            out.append(merged)
        return out

    def heading(
        self, lines: list[tuple[int, str]], period: tuple[str, str], report: Report
    ) -> tuple[Alternatives | None, int, str]:
        """A context heading (over one to three lines) above a table: what it fixes, its first line
        and its text; [] (reported) when it names nothing known."""
        text = " ".join(t for _, t in lines)
        no = lines[0][0]
        alts = self.compound(text, *period)
        if not alts:
            report.diagnose(CONTEXT_UNKNOWN, no, f"heading '{text}' names no known group, main group or category")
            return [], no, text
        return alts, no, text

    def dims(self, label: str, start: str, end: str) -> tuple[list[str], str | None]:
        """The dimensions a label names exactly, and its TILTAK level if it names one measure or group."""
        k = (label, start, end)
        if k not in self._dims:
            found, level = [], None
            for dim in LABEL_DIMS:
                r = self.cl.resolve(dim, label, start, end, exact_only=True)
                if r.method in EXACT:
                    found.append(dim)
                    if dim == "TILTAK" and len(r.codes) == 1:
                        level = _level(self.cl, r.codes[0])
            self._dims[k] = (found, level if level in ("group", "code") else None)
        return self._dims[k]


# ---------------------------------------------------------------------------------------------
# Interpretation: which dimension each table breaks down by, and each row's key.


def _row_alternatives(labels: Labels, block: Block, row: RowData, start: str, end: str, report: Report) -> Alternatives:
    cl = labels.cl
    if row.total_of is not None:
        if row.total_of == "":
            return [{}]
        alts = labels.compound(row.total_of, start, end)
        if not alts:
            report.diagnose(
                LABEL_UNKNOWN, row.line, f"total row '{row.label}': '{row.total_of}' is not a known category"
            )
        return alts
    if block.dim is None:
        if not labels.compound(row.label, start, end):
            report.diagnose(LABEL_UNKNOWN, row.line, f"'{row.label}' is not a label of any dimension")
        else:
            report.diagnose(
                CONTEXT_UNKNOWN, row.line, f"'{row.label}': what the rows of its table break down by is unknown"
            )
        return []
    r = cl.resolve(block.dim, row.label, start, end)
    if r.method == "fuzzy":
        report.diagnose(
            LABEL_APPROXIMATE, row.line, f"'{row.label}' read as {block.dim} {r.codes[0]} (similarity {r.score})"
        )
    if not r.codes:
        report.diagnose(LABEL_UNKNOWN, row.line, f"'{row.label}' is not a {block.dim} label: {r.reason}")
        return []
    if r.reason.startswith("not in force"):
        report.diagnose(CODE_OUT_OF_FORCE, row.line, f"'{row.label}' is {block.dim} {'/'.join(r.codes)}, {r.reason}")
    return [{block.dim: c} for c in r.codes]


def _decide_block_dims(p: _Parser) -> None:
    previous: dict[str, str] = {}  # normalised total label -> dimension of its breakdown
    for block in p.blocks:
        start, end = block.period
        votes: dict[str, int] = {}
        ties: set[str] = set()
        levels = {"group": 0, "code": 0}
        for row in block.rows:
            if row.total_of is not None:
                continue
            found, level = p.labels.dims(row.label, start, end)
            if level:
                levels[level] += 1
            if len(found) == 1:
                votes[found[0]] = votes.get(found[0], 0) + 1
            else:
                ties.update(found)
        if not votes and not ties:
            # Every label misspelt (a table of one row, "Arbeidstreing"): their approximate
            # readings vote, with the same rules as any approximate match.
            for row in block.rows:
                if row.total_of is None:
                    found = sorted({d for alt in p.labels.compound(row.label, start, end) for d in alt})
                    if len(found) == 1:
                        votes[found[0]] = votes.get(found[0], 0) + 1
        first_total = next((normalize(r.label) for r in block.rows if r.total_of), None)
        if votes:
            best = max(votes.values())
            winners = [d for d, v in votes.items() if v == best]
            block.dim = winners[0] if len(winners) == 1 else None
        elif ties and first_total in previous and previous[first_total] in ties:
            block.dim = previous[first_total]  # a page continuing the table before it
        elif len(ties) == 1:
            block.dim = next(iter(ties))
        if block.dim and first_total:
            previous[first_total] = block.dim
        if levels["group"] != levels["code"]:
            block.tiltak_level = "group" if levels["group"] > levels["code"] else "code"
        if block.dim is None and ties:
            dims = ", ".join(sorted(ties)) or "none"
            p.report.diagnose(
                CONTEXT_UNKNOWN,
                block.first_line,
                f"cannot tell what the rows of this table break down by (candidates: {dims})",
            )


def _report_group(cl: Codelists, title: str, groups: set[str], start: str, end: str, report: Report) -> str:
    """What the grand "I alt" stands for. A TILT report about one group names it in its title
    ("Tiltaksdeltakere på arbeidspraksis") and prints the group's total; a report titled for all
    measures prints the total of all. Without a title, the measures decide: one group, or all."""
    named = None
    m = re.search(r"tiltaksdeltakere på (.+?)(?:\.|$)", title, re.I)
    if m:
        r = cl.resolve("TILTAK", m.group(1), start, end)
        named = next((c for c in r.codes if _level(cl, c) == "group"), None)
    mid = _REPORT_ID.search(title)
    if named is None and mid:
        named = TILT_GROUPS.get(mid.group(1).upper())
    if named:
        if groups - {named}:
            report.diagnose(TEXT_IGNORED, 1, f"title names {named} but the tables also hold {sorted(groups - {named})}")
        return named
    if title:
        return TOTAL
    return next(iter(groups)) if len(groups) == 1 else TOTAL


def _dims(row: RowData) -> set[str]:
    return set().union(*(set(a) for a in row.alternatives)) if row.alternatives else set()


def _level(cl: Codelists, code: str) -> str:
    c = cl["TILTAK"].code(code)
    return "code" if c is None or c.level == "code" else ("group" if c.level == "group" else "total")


def interpret(
    text: str, source: str = "<input>", codelists: Codelists | None = None, literal: bool = False
) -> Interpretation:
    """Parse the text of a report extract: its tables, and every row with what it can mean.
    Reconciling the rows into observations is the next step (`converter.reconcile`, run by the
    pipeline); `pipeline.read_text` does both."""
    with no_gc():
        return _interpret(text, source, codelists, literal)


def _interpret(text: str, source: str, codelists: Codelists | None, literal: bool) -> Interpretation:
    cl = codelists or load_codelists()
    p = _Parser(text, source, cl)
    p.parse()
    report = p.report
    meta = report.metadata
    if not meta.period_start:
        report.diagnose(PERIOD_MISSING, 1, "no period line (like 'Januar 2021 - Desember 2021') found")
        return Interpretation(report, literal=literal)
    if not p.blocks:
        report.diagnose(NO_TABLE, 1, "no table with a header of months found")
        return Interpretation(report, literal=literal)
    start, end = meta.period_start, meta.period_end
    for dim in (*DIMENSIONS, "MEASURE"):
        meta.codelist_versions[dim] = cl[dim].version_at(end).id

    _decide_block_dims(p)

    # Alternatives per row; the report's group (what a grand "I alt" stands for).
    groups: set[str] = set()
    for block in p.blocks:
        for row in block.rows:
            row.alternatives = _row_alternatives(p.labels, block, row, *block.period, report)
            if len(row.alternatives) == 1 and "TILTAK" in row.alternatives[0]:
                code = row.alternatives[0]["TILTAK"]
                lvl = _level(cl, code)
                groups.add(code if lvl == "group" else (cl["TILTAK"].parent(code) or TOTAL) if lvl == "code" else TOTAL)
        if block.context:
            for alt in block.context:
                if "TILTAK" in alt and len(block.context) == 1:
                    code = alt["TILTAK"]
                    lvl = _level(cl, code)
                    groups.add(code if lvl == "group" else cl["TILTAK"].parent(code) or TOTAL)
    meta.group = _report_group(cl, meta.title, groups, start, end, report)
    report_has = {"group": False, "code": False}
    for block in p.blocks:
        for row in block.rows:
            if len(row.alternatives) == 1 and "TILTAK" in row.alternatives[0]:
                lvl = _level(cl, row.alternatives[0]["TILTAK"])
                if lvl in report_has:
                    report_has[lvl] = True

    base = {d: TOTAL for d in DIMENSIONS}
    base["TILTAK"] = meta.group
    for block in p.blocks:
        subject = None  # the innermost total row the rows below it break down
        for row in block.rows:
            row.block_context = block.context
            row.base = base
            if row.total_of == "":
                row.parent, subject, row.role = None, None, "total"
            elif row.total_of is not None:
                # "I alt avklaringstiltak" under "I alt arbeidssøkere på tiltak" keeps the main group;
                # a total in a dimension already fixed replaces the total it follows.
                dims = _dims(row)
                s: RowData | None = subject
                while s is not None and dims & _dims(s):
                    s = s.parent
                row.parent, subject, row.role = s, row, "total"
            else:
                row.parent, row.role = subject, "row"
            row.dim = block.dim
            row.tiltak_level = block.tiltak_level
            row.report_level = (
                "code"
                if report_has["code"] and not report_has["group"]
                else "group"
                if report_has["group"] and not report_has["code"]
                else None
            )
            row.section = block.section
        report.tables.append(
            TableInfo(
                first_line=block.first_line,
                last_line=block.rows[-1].line if block.rows else block.first_line,
                breakdown=block.dim or "-",
                context={k: v for k, v in (block.context[0].items() if block.context else [])},
                columns=[f"{c.measure}:{c.period}" for c in block.columns],
                rows=len(block.rows),
            )
        )
    return Interpretation(report, [row for block in p.blocks for row in block.rows], literal=literal)


def interpret_file(path: str, codelists: Codelists | None = None, literal: bool = False) -> Interpretation:
    """A report extract file (the reader registry's entry): bytes to text, then `interpret`."""
    text, warnings = read_text(path)
    return _with_warnings(interpret(text, str(path), codelists, literal), warnings)


def interpret_bytes(data: bytes, source: str = "<input>", codelists: Codelists | None = None) -> Interpretation:
    text, warnings = decode(data, source)
    return _with_warnings(interpret(text, source, codelists), warnings)


def _with_warnings(interp: Interpretation, warnings: list[TextWarning]) -> Interpretation:
    interp.notes += [Diagnostic(w.rule, interp.report.source, w.line, w.message) for w in warnings]
    return interp


__all__ = ["InputError", "interpret", "interpret_bytes", "interpret_file"]
