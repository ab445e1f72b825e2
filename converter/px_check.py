"""`navstat validate FILE.px`: is a PX file well-formed, complete and consistent with itself?

The file is parsed by navstat's own reader of the PX 2013 syntax (keywords, [language], ("sub","keys"),
quoted texts in several pieces, TLIST, DATA last), after its bytes are checked against CODEPAGE. Then:
mandatory keywords, an `[xx]` twin of every language-dependent keyword for each language, CODES and
TIMEVAL as long as VALUES, cell count = product of the VALUES lengths, every cell a number or a dots
code, no number below 4 (NAV prints every value below 4 as `*`: such a number discloses a suppressed
cell), codes known to the codelists, and the report's totals and year-to-date averages re-checked on
the cells the file holds (the rules of `navstat inspect`, NAV-Q201 and NAV-Q202; see `_consistency`
for why totals are checked one way).

What it cannot see: a number changed to another that still fits every check it belongs to, e.g. a
total raised (its other parts may be in another file).
"""

from __future__ import annotations

import codecs
import itertools
import math
import re
from dataclasses import dataclass, field

from .codelists import Codelists
from .conformance import Violation
from .model import DIMENSIONS, TOTAL, Observation, Report, Status
from .rules import (
    CODE_UNKNOWN,
    CONFIDENTIAL_VALUE,
    OUTPUT_UNREADABLE,
    PX_CELL,
    PX_CODEPAGE,
    PX_KEYWORD,
    PX_REFERENCE,
    PX_TOTALS,
    VALUE_SIZE,
)
from .validate import _by_key, _families, _interval, _sum_intervals, _ytd_cells, check_ytd
from .writers.px import BLANK, CONFIDENTIAL, SUPPRESSED_BELOW, WITHHELD

MANDATORY = ("MATRIX", "SUBJECT-CODE", "SUBJECT-AREA", "CONTENTS", "UNITS", "DECIMALS", "VALUES", "CODES", "LANGUAGE")
# Keywords with one value per language (PX 2013 "language dependent", and those PxWeb writes per
# language because their sub-key is a variable or value text).
LANGUAGE_DEPENDENT = {
    "SUBJECT-AREA", "TITLE", "DESCRIPTION", "CONTENTS", "UNITS", "STUB", "HEADING", "CONTVARIABLE", "VALUES",
    "TIMEVAL", "CODES", "VARIABLECODE", "ELIMINATION", "LAST-UPDATED", "SOURCE", "NOTE", "NOTEX", "CONTACT",
    "DATASYMBOL1", "DATASYMBOL2", "DATASYMBOL3", "DATASYMBOL4", "DATASYMBOL5", "DATASYMBOL6", "DATASYMBOLNIL",
    "VALUENOTE", "VALUENOTEX", "CELLNOTE", "CELLNOTEX", "STOCKFA", "REFPERIOD", "BASEPERIOD",
}  # fmt: skip
REPEATABLE = {"NOTE", "NOTEX", "VALUENOTE", "VALUENOTEX", "CELLNOTE", "CELLNOTEX", "META-ID", "DATANOTE"}
DOTS = {"." * n for n in range(1, 7)}
_KEYWORD = re.compile(r"[A-Z0-9-]+")
_INT = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class PxSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(slots=True)
class Entry:
    """One `KEYWORD[lang]("sub","keys")=values;` of a PX file."""

    keyword: str
    lang: str | None
    subkeys: tuple[str, ...]
    values: list[str]
    line: int


@dataclass(slots=True)
class PxFile:
    entries: list[Entry]
    cells: list[tuple[str, int]] = field(default_factory=list)  # (token, line) in file order
    data_line: int = 0

    def get(self, keyword: str, lang: str | None = None, subkey: str | None = None) -> Entry | None:
        for e in self.entries:
            if e.keyword == keyword and e.lang == lang and (subkey is None or e.subkeys == (subkey,)):
                return e
        return None

    def line_of(self, keyword: str) -> int:
        """The line of the first entry of a keyword in any language (the DATA line if there is none)."""
        return next((e.line for e in self.entries if e.keyword == keyword), self.data_line)

    def values(self, keyword: str, lang: str | None = None, subkey: str | None = None) -> list[str]:
        e = self.get(keyword, lang, subkey)
        return e.values if e else []


# -- bytes and syntax -------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str | None, list[Violation]]:
    """The file's text, decoded as its CODEPAGE says (ISO-8859-1 by default), or why it cannot be.
    A Latin codepage over bytes that are valid UTF-8 with non-ASCII characters is a lying CODEPAGE:
    Latin-1 text with letters like æøå is practically never valid UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return None, [
            Violation(PX_CODEPAGE, name, 1, "byte order mark: PX readers take it for part of the first keyword")
        ]
    head = data.split(b"\nDATA=", 1)[0].decode("latin-1")
    m = re.search(r'^CODEPAGE="([^"]*)";', head, re.MULTILINE)
    codepage = m.group(1) if m else "iso-8859-1"
    line = head[: m.start()].count("\n") + 1 if m else 1
    if m and line > 100:
        return None, [
            Violation(PX_CODEPAGE, name, line, "CODEPAGE after line 100: PxWeb looks for it in the first 100")
        ]
    try:
        codec = codecs.lookup(codepage).name
    except LookupError:
        return None, [Violation(PX_CODEPAGE, name, line, f"CODEPAGE {codepage!r} is not an encoding")]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = data[: exc.start].count(b"\n") + 1
        return None, [Violation(PX_CODEPAGE, name, bad, f"bytes are not {codepage} as CODEPAGE says: {exc.reason}")]
    if codec != "utf-8" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return None, [Violation(PX_CODEPAGE, name, line, f"CODEPAGE says {codepage}, but the bytes are UTF-8")]
    return text, []


class _Reader:
    """A cursor over the text that knows its line."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        ch = self.peek()
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def skip_blanks(self) -> None:
        while self.peek() and self.peek().isspace():
            self.take()

    def quoted(self) -> str:
        start = self.line
        self.take()  # opening quote
        out: list[str] = []
        while True:
            ch = self.take()
            if not ch:
                raise PxSyntaxError(start, "a quoted text is never closed")
            if ch == '"':
                return "".join(out)
            out.append(ch)

    def until(self, stops: str) -> str:
        out = []
        while self.peek() and self.peek() not in stops:
            out.append(self.take())
        return "".join(out)


def parse(text: str) -> PxFile:
    r = _Reader(text)
    entries: list[Entry] = []
    while True:
        r.skip_blanks()
        if not r.peek():
            raise PxSyntaxError(r.line, "no DATA keyword")
        line = r.line
        kw = r.until('[(="; \n\t').strip()
        if not _KEYWORD.fullmatch(kw):
            raise PxSyntaxError(line, f"expected a keyword, found {r.text[r.pos - len(kw) : r.pos + 20]!r}")
        lang = None
        if r.peek() == "[":
            r.take()
            lang = r.until("]\n")
            if r.take() != "]":
                raise PxSyntaxError(line, f"{kw}: language not closed with ]")
        subkeys: list[str] = []
        if r.peek() == "(":
            r.take()
            while True:
                r.skip_blanks()
                if r.peek() != '"':
                    raise PxSyntaxError(r.line, f"{kw}: a sub-key must be quoted")
                subkeys.append(r.quoted())
                r.skip_blanks()
                ch = r.take()
                if ch == ")":
                    break
                if ch != ",":
                    raise PxSyntaxError(r.line, f"{kw}: expected , or ) in the sub-key")
        r.skip_blanks()
        if r.take() != "=":
            raise PxSyntaxError(line, f"{kw}: expected =")
        if kw == "DATA":
            if lang or subkeys:
                raise PxSyntaxError(line, "DATA takes no language or sub-key")
            px = PxFile(entries, data_line=line)
            px.cells = _data(r)
            return px
        entries.append(Entry(kw, lang, tuple(subkeys), _values(r, kw), line))


def _values(r: _Reader, kw: str) -> list[str]:
    """Values up to the `;`: quoted texts (pieces separated only by blanks are one text) or bare
    tokens (YES, 0, TLIST(M1)), separated by commas."""
    values: list[str] = []
    while True:
        r.skip_blanks()
        if r.peek() == '"':
            parts = [r.quoted()]
            r.skip_blanks()
            while r.peek() == '"':
                parts.append(r.quoted())
                r.skip_blanks()
            values.append("".join(parts))
        else:
            start = r.line
            token, depth = [], 0
            while r.peek() and not (depth == 0 and r.peek() in ",;"):
                ch = r.peek()
                if ch == '"':
                    token.append('"' + r.quoted() + '"')
                    continue
                depth += ch == "("
                depth -= ch == ")"
                token.append(r.take())
            value = "".join(token).strip()
            if not value:
                raise PxSyntaxError(start, f"{kw}: empty value")
            values.append(value)
        r.skip_blanks()
        ch = r.take()
        if ch == ";":
            return values
        if ch != ",":
            raise PxSyntaxError(r.line, f"{kw}: expected , or ; after a value")


def _data(r: _Reader) -> list[tuple[str, int]]:
    """The cells after DATA=: numbers and quoted symbols separated by blanks, commas or semicolons;
    the last `;` ends the file."""
    cells: list[tuple[str, int]] = []
    ended = False
    while True:
        while r.peek() and (r.peek().isspace() or r.peek() == ","):
            r.take()
        ch = r.peek()
        if not ch:
            break
        if ch == ";":
            r.take()
            ended = True
            r.skip_blanks()
            if r.peek():
                raise PxSyntaxError(r.line, "text after the final ; of DATA")
            break
        line = r.line
        token = '"' + r.quoted() + '"' if ch == '"' else r.until(' \t\r\n,;"')
        cells.append((token, line))
    if not ended:
        raise PxSyntaxError(r.line, "DATA does not end with ;")
    return cells


# -- checks -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Var:
    name: str
    values: list[str]
    codes: list[str]
    dim: str


def validate_px(data: bytes, name: str, cl: Codelists) -> list[Violation]:
    text, out = decode(data, name)
    if text is None:
        return out
    try:
        px = parse(text)
    except PxSyntaxError as exc:
        return [Violation(OUTPUT_UNREADABLE, name, exc.line, exc.message)]
    out += _keyword_checks(px, name)
    variables, problems = _variables(px, name, cl)
    out += problems
    if variables is None:
        return out
    n = math.prod(len(v.values) for v in variables)
    if len(px.cells) != n:
        sizes = " x ".join(str(len(v.values)) for v in variables)
        out.append(
            Violation(VALUE_SIZE, name, px.data_line, f"DATA has {len(px.cells)} cells, VALUES need {sizes} = {n}")
        )
        return out
    cell_problems = _cell_checks(px, name)
    out += cell_problems
    if not cell_problems:
        out += _consistency(px, variables, name, cl)
    return out


def _keyword_checks(px: PxFile, name: str) -> list[Violation]:
    out: list[Violation] = []
    have = {e.keyword for e in px.entries}
    for kw in MANDATORY:
        if kw not in have:
            out.append(Violation(PX_KEYWORD, name, px.data_line, f"mandatory keyword {kw} is missing"))
    if not have & {"TITLE", "DESCRIPTION"}:
        out.append(Violation(PX_KEYWORD, name, px.data_line, "mandatory keyword TITLE (or DESCRIPTION) is missing"))
    if "HEADING" not in have:
        out.append(Violation(PX_KEYWORD, name, px.data_line, "no HEADING: several readers need one"))
    seen: dict[tuple, int] = {}
    for e in px.entries:
        k = (e.keyword, e.lang, e.subkeys)
        if k in seen and e.keyword not in REPEATABLE:
            out.append(Violation(PX_KEYWORD, name, e.line, f"{e.keyword} repeated (first on line {seen[k]})"))
        seen.setdefault(k, e.line)
    for kw in ("NOTE",):
        if sum(1 for e in px.entries if e.keyword == kw and e.lang is None) > 1:
            out.append(Violation(PX_KEYWORD, name, px.line_of(kw), f"several {kw}: some readers take one only"))
    default: str | None = next(iter(px.values("LANGUAGE")), None)
    for lang in px.values("LANGUAGES"):
        if lang == default:
            continue
        for kw in sorted(LANGUAGE_DEPENDENT & have):
            n_default = sum(1 for e in px.entries if e.keyword == kw and e.lang is None)
            n_lang = sum(1 for e in px.entries if e.keyword == kw and e.lang == lang)
            if n_default != n_lang:
                out.append(
                    Violation(
                        PX_KEYWORD, name, px.line_of(kw), f"{kw} appears {n_default} times, {kw}[{lang}] {n_lang}"
                    )
                )
    return out


def _variables(px: PxFile, name: str, cl: Codelists) -> tuple[list[_Var] | None, list[Violation]]:
    """The variables in STUB then HEADING order, each with its values, codes and navstat dimension."""
    out: list[Violation] = []
    order = px.values("STUB") + px.values("HEADING")
    if not order:
        return None, [Violation(PX_KEYWORD, name, px.data_line, "neither STUB nor HEADING")]
    variables = []
    for var in order:
        values = px.values("VALUES", None, var)
        codes = px.values("CODES", None, var)
        dim = (px.values("VARIABLECODE", None, var) or [""])[0]
        e = px.get("VALUES", None, var)
        where = e.line if e else px.data_line
        if not values:
            return None, [Violation(PX_KEYWORD, name, where, f"no VALUES for variable {var!r}")]
        if len(codes) != len(values):
            out.append(Violation(PX_REFERENCE, name, where, f"{var!r}: {len(codes)} CODES for {len(values)} VALUES"))
        if len(set(values)) != len(values):
            out.append(Violation(PX_REFERENCE, name, where, f"{var!r}: a value text occurs twice"))
        if dim not in (*DIMENSIONS, "MEASURE", "TIME_PERIOD"):
            out.append(
                Violation(CODE_UNKNOWN, name, where, f"{var!r}: VARIABLECODE {dim!r} is not a navstat dimension")
            )
        elif dim in cl.lists:
            known = {c.code for c in cl[dim].all_codes()}
            unknown = [c for c in codes if c not in known]
            if unknown:
                out.append(
                    Violation(CODE_UNKNOWN, name, where, f"{var!r}: codes {unknown[:5]} are not in codelist {dim}")
                )
        elif dim == "TIME_PERIOD" and not all(re.fullmatch(r"[0-9]{4}M(0[1-9]|1[0-2])", c) for c in codes):
            out.append(Violation(CODE_UNKNOWN, name, where, f"{var!r}: month codes must be like 2024M01"))
        variables.append(_Var(var, values, codes, dim))
    out += _references(px, variables, name)
    return variables, out


def _references(px: PxFile, variables: list[_Var], name: str) -> list[Violation]:
    """Sub-keys and values that must name a variable or a value of the default language."""
    out: list[Violation] = []
    by_name = {v.name: v for v in variables}
    cont = (px.values("CONTVARIABLE") or [""])[0]
    if cont and cont not in by_name:
        out.append(Violation(PX_REFERENCE, name, px.line_of("CONTVARIABLE"), f"CONTVARIABLE {cont!r} is no variable"))
    for e in px.entries:
        if e.lang is not None:
            continue
        if e.keyword in ("VALUES", "CODES", "VARIABLECODE", "ELIMINATION", "TIMEVAL"):
            if len(e.subkeys) != 1 or e.subkeys[0] not in by_name:
                out.append(
                    Violation(PX_REFERENCE, name, e.line, f"{e.keyword}{e.subkeys}: no such variable in STUB/HEADING")
                )
                continue
            var = by_name[e.subkeys[0]]
            if e.keyword == "ELIMINATION" and e.values[0] not in ("YES", "NO", *var.values):
                out.append(
                    Violation(PX_REFERENCE, name, e.line, f"ELIMINATION value {e.values[0]!r} is not a value text")
                )
            if e.keyword == "TIMEVAL" and (
                not e.values[0].startswith("TLIST(") or len(e.values) - 1 != len(var.values)
            ):
                out.append(
                    Violation(PX_REFERENCE, name, e.line, "TIMEVAL must list one period per value: TLIST(M1),...")
                )
        elif (
            e.keyword in ("UNITS", "LAST-UPDATED")
            and cont in by_name
            and e.subkeys[:1]
            and e.subkeys[0] not in by_name[cont].values
        ):
            out.append(Violation(PX_REFERENCE, name, e.line, f"{e.keyword}: {e.subkeys[0]!r} is no content value"))
    if cont in by_name:
        for value in by_name[cont].values:
            if not px.get("UNITS", None, value):
                out.append(Violation(PX_KEYWORD, name, px.data_line, f"no UNITS for the content value {value!r}"))
    return out


def _symbols(px: PxFile) -> dict[str, str]:
    """Dots code -> the symbol shown for it (DATASYMBOLn, or the dots themselves by default)."""
    return {"." * n: (px.values(f"DATASYMBOL{n}") or ["." * n])[0] for n in range(1, 7)}


def _cell_checks(px: PxFile, name: str) -> list[Violation]:
    out: list[Violation] = []
    decimals = (px.values("DECIMALS") or ["0"])[0]
    number = _INT if decimals == "0" else _NUMBER
    for token, line in px.cells:
        if token.startswith('"'):
            inner = token[1:-1]
            if inner == "-":
                out.append(
                    Violation(CONFIDENTIAL_VALUE, name, line, 'a cell says "-" (exactly zero): NAV prints zeros as *')
                )
            elif inner not in DOTS:
                out.append(Violation(PX_CELL, name, line, f"cell {token} is not a dots code"))
        elif not number.fullmatch(token):
            out.append(Violation(PX_CELL, name, line, f"cell {token!r} is not a number with {decimals} decimals"))
        elif float(token) < SUPPRESSED_BELOW:
            out.append(
                Violation(
                    CONFIDENTIAL_VALUE,
                    name,
                    line,
                    f"cell {token} is below {SUPPRESSED_BELOW}: NAV prints every such value as *, so a number "
                    "here discloses a confidential cell",
                )
            )
        if len(out) >= 50:
            break
    return out


def _consistency(px: PxFile, variables: list[_Var], name: str, cl: Codelists) -> list[Violation]:
    """Re-run the report's checks on the cells of this file, as far as one file can decide them.

    NAV-Q202 (a year-to-date average is the mean of its months) fully: a row's months and its average
    are printed together, so they sit in the same file. NAV-Q201 (totals) one way only: some parts of
    a total may be printed in a table of another breakdown and so sit in another file, which can make
    the parts here add up to less than the total, never to more. Parts that add up to more than
    their total are an error in any case."""
    report = _observations(px, variables, name)
    if report is None:
        return []
    by_key = _by_key(report)
    out = []
    for f in _families(report, cl, by_key):
        _, top = _interval(f.parent)
        lo, _ = _sum_intervals(f.children)
        tol = 0.5 * (len(f.children) + f.unknown + 1) if f.parent.measure == "SNITT_HIA" else 0.0
        if lo > top + tol:
            where = ", ".join(f"{d}={c}" for d, c in zip(DIMENSIONS, f.parent.key, strict=True) if c != TOTAL)
            out.append(
                Violation(
                    PX_TOTALS,
                    name,
                    f.parent.lines[0],
                    f"NAV-Q201: {where or 'total'} {f.parent.measure} {f.parent.period}: total {top:g}, but its "
                    f"{len(f.children)} {f.dim} parts add up to at least {lo:g} (lines "
                    f"{', '.join(str(c.lines[0]) for c in f.children[:6])})",
                )
            )
    ytd = check_ytd(report, list(_ytd_cells(by_key)), limit=50)
    out += [Violation(PX_TOTALS, name, f.line, f"NAV-Q202: {f.message}") for f in ytd.findings]
    return out


def _observations(px: PxFile, variables: list[_Var], name: str) -> Report | None:
    """The file's cells as navstat observations (a `:` cell confidential, a `..` cell blank, a `?`
    cell left out), each with the line of its DATA row."""
    dims = [v.dim for v in variables]
    if "MEASURE" not in dims or "TIME_PERIOD" not in dims or len(set(dims)) != len(dims):
        return None
    if any(len(v.codes) != len(v.values) for v in variables):  # reported already; cells cannot be keyed
        return None
    status_of = {CONFIDENTIAL.shown: Status.CONFIDENTIAL, BLANK.shown: Status.BLANK}
    symbols = _symbols(px)
    report = Report(source=name)
    for combo, (token, line) in zip(itertools.product(*(v.codes for v in variables)), px.cells, strict=True):
        codes = dict(zip(dims, combo, strict=True))
        key = tuple(codes.get(d, TOTAL) for d in DIMENSIONS)
        period = codes["TIME_PERIOD"].replace("M", "-")
        measure = codes["MEASURE"]
        if token.startswith('"'):
            shown = symbols.get(token[1:-1], "")
            if shown == WITHHELD.shown:
                report.withheld.add((*key, measure, period))
            if shown not in status_of:
                continue
            o = Observation(key, measure, period, None, status_of[shown], [line])
        else:
            o = Observation(key, measure, period, int(float(token)), Status.VALUE, [line])
        report.observations.append(o)
    return report
