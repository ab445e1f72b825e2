"""Report -> PX files (PC-Axis, PX-file format 2013) for PxWeb: one file per breakdown.

The datasets are the JSON-stat ones (`jsonstat.breakdowns`, `jsonstat.dataset`): the same categories
in the same order and the same cells, so every PX file can be checked cell by cell against the
JSON-stat output. STUB holds the breakdown's dimensions and MEASURE (the content variable), HEADING
holds the months, so the DATA rows are JSON-stat's flat value list cut into rows of one year.

Encoding: UTF-8, declared as `CODEPAGE="utf-8"` with `CHARSET="ANSI"` (what PxWeb's own serializer
writes for a UTF-8 file; PxWeb reads CODEPAGE from the first lines to pick the decoder). UTF-8 holds
any label a codelist or report may bring, so nothing is ever replaced; today's labels all fit
windows-1252 too, so an installation that wants ANSI files can convert them without loss (README).

Layout, chosen so that PxWeb, pandas-pcaxis and pyaxis all read the files: one keyword per line,
`;` and a line break after each, no blank after commas, no BOM, the list form of TLIST on one line,
one NOTE, always a HEADING, each `[en]` keyword right after its Norwegian twin (pyaxis pairs them by
position), DATA last with one stub row per line.

Cells: a number, or a quoted dots code whose DATASYMBOLn says how PxWeb shows it. A `*` is never a
number and never "-" (which means an exact zero in PX).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..codelists import Codelist, Codelists, load_codelists
from ..model import DIMENSIONS, STATUS_SYMBOLS, TOTAL, Observation, Report, Status, status_text
from ..outputs import OutputError, atomic_file
from ..registry import WriteOptions
from . import jsonstat

TIME, MEASURE = jsonstat.TIME, jsonstat.MEASURE
LANGS = {"nb": "no", "en": "en"}  # navstat label language -> PX language code (Statistics Norway uses "no")
ENCODING = "utf-8"
MAX_LINE = 256  # the PX specification's line length for texts
SUBJECT_CODE = "TILT"
SUBJECT_AREA = {"nb": "Arbeidsrettede tiltak", "en": "Labour market measures"}
CONTENTS_DEFAULT = {"nb": "Deltakere i arbeidsrettede tiltak", "en": "Participants in labour market measures"}
SOURCE = {"nb": "NAV", "en": "NAV (Norwegian Labour and Welfare Administration)"}
TIME_NAME = {"nb": "måned", "en": "month"}
AND = {"nb": "og", "en": "and"}
BY = {"nb": "etter", "en": "by"}
# NAV replaces every value below this with `*` (statistikkloven § 7-1, the reports' own note).
SUPPRESSED_BELOW = 4


@dataclass(frozen=True, slots=True)
class CellSymbol:
    """How one kind of non-numeric cell is stored (a dots code) and shown (its DATASYMBOLn)."""

    dots: str
    shown: str
    nb: str
    en: str

    @property
    def keyword(self) -> str:
        return f"DATASYMBOL{len(self.dots)}"


NOT_PRINTED = CellSymbol(
    ".",
    ".",
    "Ingen verdi: rapporten viser ikke denne kombinasjonen",
    "No figure: the report does not print this combination",
)
BLANK = CellSymbol("..", "..", STATUS_SYMBOLS[Status.BLANK]["nb"], STATUS_SYMBOLS[Status.BLANK]["en"])
CONFIDENTIAL = CellSymbol(  # ":" is Statistics Norway's symbol for "not published for confidentiality"
    "...", ":", STATUS_SYMBOLS[Status.CONFIDENTIAL]["nb"], STATUS_SYMBOLS[Status.CONFIDENTIAL]["en"]
)
WITHHELD = CellSymbol(
    "....",
    "?",
    "Tallet står i rapporten, men navstat utelot det: det kunne ikke leses sikkert (se navstat inspect)",
    "The report prints a figure here, but navstat left it out: it could not be read with certainty "
    "(see navstat inspect)",
)
CELL_SYMBOLS = (NOT_PRINTED, BLANK, CONFIDENTIAL, WITHHELD)


# -- text -------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """A text as PX can hold it: no quotation mark (PX has no escape for it), no `#` (read as a line
    break by some readers), no line breaks or tabs, no "DATA=" (readers split the file there), and
    no backslash (one before the closing quote would escape it in grammar-based readers)."""
    out = text.replace('"', "'").replace("#", "＃").replace("\\", "/")
    out = " ".join(out.split())
    return out.replace("DATA=", "DATA =")


def quote(text: str) -> str:
    return f'"{clean(text)}"'


def quoted_list(values: Iterable[str], head: str) -> str:
    """`"a","b",...`: no blank after commas; a line break after a comma when a line would pass 256."""
    lines, line = [], head
    for i, v in enumerate(values):
        item = ("," if i else "") + quote(v)
        if len(line) + len(item) + 1 > MAX_LINE and i:  # + 1: the comma that may end the line
            lines.append(line + ",")
            line = item[1:]
        else:
            line += item
    lines.append(line)
    return "\n".join(lines)


def chunks(text: str, first: int) -> list[str]:
    """A long text in quoted pieces of at most 256 characters a line, as the specification asks.
    Pieces never start or end with a blank (some readers strip it), so joining them restores the text."""
    text = clean(text)
    out, width = [], first
    while len(text) > width:
        cut = width
        while cut > 1 and (text[cut - 1] == " " or text[cut] == " "):
            cut -= 1
        out.append(text[:cut])
        text = text[cut:]
        width = MAX_LINE - 3
    out.append(text)
    return [f'"{p}"' for p in out]


def keyword(name: str, lang: str | None, subkeys: tuple[str, ...] = ()) -> str:
    """`NAME[lang]("sub","key")=`; the default language carries no brackets."""
    head = name + (f"[{lang}]" if lang else "")
    if subkeys:
        head += "(" + ",".join(quote(s) for s in subkeys) + ")"
    return head + "="


def text_line(name: str, lang: str | None, text: str, subkeys: tuple[str, ...] = ()) -> str:
    head = keyword(name, lang, subkeys)
    return head + "\n".join(chunks(text, MAX_LINE - len(head) - 3)) + ";"


def list_line(name: str, lang: str | None, values: Iterable[str], subkeys: tuple[str, ...] = ()) -> str:
    head = keyword(name, lang, subkeys)
    return quoted_list(values, head) + ";"


def joined(names: list[str], lang: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {AND[lang]} {names[-1]}"


# -- one dataset ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Variable:
    dim: str  # navstat dimension id: TILTAK, FYLKE, MEASURE, TIME_PERIOD, ...
    codes: list[str]  # PX CODES
    name: dict[str, str]  # by navstat language
    labels: dict[str, list[str]]  # VALUES by navstat language
    total: int | None = None  # position of the elimination value: `_T`, or the report's tiltak group


def _unique(labels: list[str], codes: list[str]) -> list[str]:
    """Value texts must be unique within a variable (readers index by them): a text that two codes
    share gets its code added, e.g. "Oppfølging (TG_OPPFOLGING)"."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} ({code})" if seen[label] > 1 else label for label, code in zip(labels, codes, strict=True)]


def _total(dim: str, codes: list[str], report: Report) -> int | None:
    """The position of the value that stands for the whole variable (the ELIMINATION value): `_T`, or
    in a report about one tiltak group the group, which is the report's grand "I alt"."""
    if TOTAL in codes:
        return codes.index(TOTAL)
    group = report.metadata.group
    return codes.index(group) if dim == "TILTAK" and group != TOTAL and group in codes else None


def _variables(ds: dict, cl: Codelists, langs: tuple[str, ...], report: Report) -> list[Variable]:
    out = []
    for d in ds["id"]:
        codes = list(ds["dimension"][d]["category"]["index"])
        if d == TIME:
            px_codes = [p.replace("-", "M") for p in codes]  # 2024-01 -> 2024M01, as PxWeb shows months
            out.append(Variable(d, px_codes, dict(TIME_NAME), {lang: list(px_codes) for lang in langs}))
            continue
        c = cl[d]
        labels = {}
        for lang in langs:
            texts = [_code_label(c, k, lang) for k in codes]
            labels[lang] = _unique([clean(t) or k for t, k in zip(texts, codes, strict=True)], codes)
        name = {lang: jsonstat._label(c.name, lang).lower() for lang in langs}
        out.append(Variable(d, codes, name, labels, _total(d, codes, report)))
    return out


def _cells(ds: dict, report: Report, variables: list[Variable]) -> list[str]:
    """Every cell of the cube in row-major order: a number or a quoted dots code."""
    value, status = ds["value"], ds.get("status") or {}
    by_symbol = {CONFIDENTIAL.shown: CONFIDENTIAL, BLANK.shown: BLANK, WITHHELD.shown: WITHHELD}
    assert STATUS_SYMBOLS[Status.CONFIDENTIAL]["jsonstat"] == CONFIDENTIAL.shown
    assert STATUS_SYMBOLS[Status.BLANK]["jsonstat"] == BLANK.shown
    assert STATUS_SYMBOLS[Status.WITHHELD]["jsonstat"] == WITHHELD.shown
    cells = [str(v) if v is not None else f'"{NOT_PRINTED.dots}"' for v in value]
    for pos, symbol in status.items():
        cells[int(pos)] = f'"{by_symbol[symbol].dots}"'
    for pos in _withheld_positions(report, variables):
        if value[pos] is None and str(pos) not in status:
            cells[pos] = f'"{WITHHELD.dots}"'
    return cells


def _withheld_positions(report: Report, variables: list[Variable]) -> list[int]:
    """Positions in this cube of the figures the report prints but navstat left out."""
    if not report.withheld:
        return []
    dims = [v.dim for v in variables[:-2]]
    pos_of = [DIMENSIONS.index(d) for d in dims]
    others = [i for i in range(len(DIMENSIONS)) if i not in pos_of]
    lookups = [{c: k for k, c in enumerate(v.codes)} for v in variables[:-1]]
    lookups.append({c.replace("M", "-"): k for k, c in enumerate(variables[-1].codes)})
    sizes = [len(v.codes) for v in variables]
    out = []
    for w in sorted(report.withheld):
        key, measure, period = w[: len(DIMENSIONS)], w[-2], w[-1]
        if any(key[i] != TOTAL for i in others):
            continue
        idx = [*(key[i] for i in pos_of), measure, period]
        if not all(c in lk for c, lk in zip(idx, lookups, strict=True)):
            continue
        flat = 0
        for c, lk, n in zip(idx, lookups, sizes, strict=True):
            flat = flat * n + lk[c]
        out.append(flat)
    return out


def render(
    report: Report,
    breakdown: tuple[str, ...],
    cl: Codelists,
    lang: str = "nb",
    matrix: str = "",
    withheld: list[Observation] | None = None,
) -> bytes:
    """One PX file for one breakdown, as bytes. `lang` is the file's default language; the other
    follows as `[xx]` variants of every language-dependent keyword."""
    langs = (lang, *(x for x in LANGS if x != lang))
    ds = jsonstat.dataset(report, breakdown, cl, lang, withheld=withheld)
    variables = _variables(ds, cl, langs, report)
    measure = variables[-2]
    mcl = cl["MEASURE"]
    meta = report.metadata
    lines = [
        'CHARSET="ANSI";',
        'AXIS-VERSION="2013";',
        f'CODEPAGE="{ENCODING}";',
        f'LANGUAGE="{LANGS[lang]}";',
        "LANGUAGES=" + ",".join(f'"{LANGS[x]}"' for x in langs) + ";",
        "DECIMALS=0;",
        f"MATRIX={quote(matrix or default_matrix(report, breakdown))};",
        "AGGREGALLOWED=NO;",  # totals and year-to-date averages sit beside their parts: never sum them
        f"SUBJECT-CODE={quote(SUBJECT_CODE)};",
    ]

    def each_lang(build) -> None:
        """The default language's keyword, then each other language's twin right after it."""
        for x in langs:
            lines.append(build(x, None if x == lang else LANGS[x]))

    contents = _contents(report, cl)
    each_lang(lambda x, tag: text_line("SUBJECT-AREA", tag, SUBJECT_AREA[x]))
    each_lang(lambda x, tag: text_line("TITLE", tag, f"{contents[x]}, {BY[x]} {joined(_names(variables, x), x)}"))
    each_lang(lambda x, tag: text_line("CONTENTS", tag, contents[x]))
    each_lang(lambda x, tag: list_line("STUB", tag, _names(variables[:-1], x)))
    each_lang(lambda x, tag: list_line("HEADING", tag, _names(variables[-1:], x)))
    each_lang(lambda x, tag: list_line("CONTVARIABLE", tag, [measure.name[x]]))
    for v in variables:
        each_lang(lambda x, tag, v=v: list_line("VARIABLECODE", tag, [v.dim], (v.name[x],)))
    for v in variables:
        each_lang(lambda x, tag, v=v: list_line("VALUES", tag, v.labels[x], (v.name[x],)))
    time = variables[-1]
    tlist = "TLIST(M1)," + ",".join(f'"{c.replace("M", "")}"' for c in time.codes)  # CCYYMM, as M1 asks
    each_lang(lambda x, tag: keyword("TIMEVAL", tag, (time.name[x],)) + tlist + ";")
    for v in variables:
        each_lang(lambda x, tag, v=v: list_line("CODES", tag, v.codes, (v.name[x],)))
    for v in variables:
        if v.total is not None:
            each_lang(lambda x, tag, v=v: list_line("ELIMINATION", tag, [v.labels[x][v.total]], (v.name[x],)))
    stamp = meta.updated.replace("-", "") + " 00:00"  # "Rapport oppdatert" gives a day; PX wants a time too
    for i, m in enumerate(measure.codes):
        if meta.updated:
            each_lang(lambda x, tag, i=i: list_line("LAST-UPDATED", tag, [stamp], (measure.labels[x][i],)))
        code = mcl.code(m)
        unit = (code.unit if code else None) or {}
        each_lang(lambda x, tag, i=i, unit=unit: list_line("UNITS", tag, [_unit(unit, x)], (measure.labels[x][i],)))
    each_lang(lambda x, tag: text_line("SOURCE", tag, SOURCE[x]))
    each_lang(lambda x, tag: text_line("NOTE", tag, _note(report, x)))
    for s in CELL_SYMBOLS:
        each_lang(lambda x, tag, s=s: list_line(s.keyword, tag, [s.shown]))
    lines.append("DATA=")
    cells = _cells(ds, report, variables)
    width = len(time.codes)
    lines += [" ".join(cells[i : i + width]) for i in range(0, len(cells), width)]
    lines[-1] += ";"
    return ("\n".join(lines) + "\n").encode(ENCODING)


def _names(variables: list[Variable], lang: str) -> list[str]:
    return [v.name[lang] for v in variables]


def _unit(unit: dict, lang: str) -> str:
    return unit.get(lang) or unit.get("nb") or "personer"


def _contents(report: Report, cl: Codelists) -> dict[str, str]:
    """The report's own title in Norwegian; in English the standard title, naming the tiltak group
    when the report is about one (a TILT report on arbeidspraksis, oppfølging, ...)."""
    meta = report.metadata
    en = CONTENTS_DEFAULT["en"]
    if meta.group != TOTAL:
        en += f": {_code_label(cl['TILTAK'], meta.group, 'en')}"
    return {"nb": meta.title or CONTENTS_DEFAULT["nb"], "en": en}


def _note(report: Report, lang: str) -> str:
    """One NOTE: the report's notes (its confidentiality note among them), then what each symbol means."""

    def meaning(s: CellSymbol) -> str:
        if s is CONFIDENTIAL:  # citing the section of the Statistics Act the report itself names
            return status_text(Status.CONFIDENTIAL, lang, report.metadata.notes)
        return s.nb if lang == "nb" else s.en

    legend = " ".join(f"{s.shown} = {meaning(s)}." for s in CELL_SYMBOLS)
    notes = " ".join(report.metadata.notes)
    if lang == "nb":
        return f"{notes} Symboler: {legend}".strip()
    told = f" The report's notes (in Norwegian): {notes}" if notes else ""
    return f"Symbols: {legend}{told}"


# -- a folder of them -------------------------------------------------------------------------------

_INITIAL = {
    "TILTAK": "T",
    "HOVEDGRUPPE": "H",
    "FYLKE": "F",
    "KJONN": "K",
    "ALDER": "A",
    "LANDBAKGRUNN": "L",
    "INNVANDRING": "I",
    "UTDANNING": "U",
}


def default_matrix(report: Report, breakdown: tuple[str, ...]) -> str:
    """MATRIX (at most 20 characters, PxWeb's table id): report id or TILT, year, breakdown initials,
    e.g. TILT120_2024_K or TILT_2022_THF."""
    meta = report.metadata
    prefix = meta.report_id or SUBJECT_CODE
    initials = "".join(_INITIAL[d] for d in breakdown) or "0"
    return f"{prefix}_{meta.period_start[:4]}_{initials}"[:20]


def file_name(report: Report, breakdown: tuple[str, ...]) -> str:
    return f"{Path(report.source).stem}.{jsonstat.split_name(breakdown)}.px"


def write_folder(report: Report, folder: str | Path, cl: Codelists | None = None, lang: str = "nb") -> list[Path]:
    """Write one PX file per breakdown into `folder` (created if missing). Every file is rendered
    before the first is written, and each is written atomically."""
    cl = cl or load_codelists()
    folder = Path(folder)
    withheld = report.withheld_observations()
    files = [
        (folder / file_name(report, b), render(report, b, cl, lang, withheld=withheld))
        for b in jsonstat.breakdowns(report)
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    for path, data in files:
        with atomic_file(path, "wb") as fh:
            fh.write(data)
    return [path for path, _ in files]


def _code_label(codelist: Codelist, code: str, lang: str) -> str:
    """The name of a code in a language (the code itself if the codelist does not know it)."""
    found = codelist.code(code)
    return jsonstat._label(found.name, lang) if found else code


def write_file(report: Report, target: str, options: WriteOptions) -> int:
    """`--to px -o FOLDER`: one PX file per dataset into the folder (the writer registry's entry)."""
    return len(write_folder(report, target, options.codelists or load_codelists(), options.lang))
