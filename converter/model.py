"""The canonical model every reader produces and every writer consumes.

An observation is one figure of a report: a key (one code per dimension), a measure, a month, a value
or none, a status, and the lines it was printed on. Readers and writers know this module, never each
other.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict

from .rules import RULES, Severity

# Order of the key; also the order of dimensions in every output.
DIMENSIONS: tuple[str, ...] = (
    "TILTAK",
    "HOVEDGRUPPE",
    "FYLKE",
    "KJONN",
    "ALDER",
    "LANDBAKGRUNN",
    "INNVANDRING",
    "UTDANNING",
)
TOTAL = "_T"
PARTICIPANTS = "DELTAKERE"  # participants in the month
YTD_AVERAGE = "SNITT_HIA"  # average so far this year ("Gjennomsnitt hittil i år"), dated at its last month
MEASURES = (PARTICIPANTS, YTD_AVERAGE)  # in output order
CONFIDENTIAL_RANGE = (0, 3)  # the values a `*` may stand for: NAV suppresses values below 4, zero included
NO_PERIOD = ("1900-01", "1900-12")  # the stand-in period of tables read before any period line (NAV-E017)

Key = tuple[str, ...]  # one code per entry of DIMENSIONS


class Status(StrEnum):
    """What a cell of the report held."""

    VALUE = "A"  # a number
    CONFIDENTIAL = "C"  # `*`: a value below 4 suppressed by NAV (statistikkloven § 7-1)
    BLANK = "B"  # an empty cell in a printed row: no figure printed
    # the report prints a figure here but navstat left it out (it could not be read with certainty). Never
    # the status of an observation of a report (those cells are `Report.withheld`); outputs mark such
    # cells with it, without a value, and reading an output back gives it.
    WITHHELD = "W"


class StatusSymbols(TypedDict):
    jsonstat: str  # JSON-stat `status`
    sdmx_obs: str  # SDMX OBS_STATUS (SDMX:CL_OBS_STATUS)
    sdmx_conf: str | None  # SDMX CONF_STATUS (SDMX:CL_CONF_STATUS), when it applies
    nb: str  # the meaning, in Norwegian and English
    en: str


# The symbol of each status in each output format, with its meaning (nb, en). One table, so that
# writers and readers of navstat's own output agree.
STATUS_SYMBOLS: dict[Status, StatusSymbols] = {
    Status.CONFIDENTIAL: {
        "jsonstat": ":",
        "sdmx_obs": "Q",
        "sdmx_conf": "C",
        "nb": "Konfidensielt: verdi under 4, erstattet med * av NAV (statistikkloven § 7-1)",
        "en": "Confidential: value below 4, suppressed by NAV (Statistics Act § 7-1)",
    },
    Status.BLANK: {
        "jsonstat": "..",
        "sdmx_obs": "O",
        "sdmx_conf": None,
        "nb": "Tomt felt i rapporten: ingen verdi oppgitt",
        "en": "Empty cell in the report: no figure printed",
    },
    Status.WITHHELD: {
        "jsonstat": "?",  # as PX shows its "...." (writers/px.py)
        "sdmx_obs": "L",  # SDMX:CL_OBS_STATUS "missing value; data exist but were not collected"
        "sdmx_conf": None,
        "nb": "Tallet finnes (rapporten viser det, eller det følger av tall den viser), men navstat utelot det: "
        "det kunne ikke leses eller avgjøres sikkert (se navstat inspect)",
        "en": "A figure exists here (the report prints it, or it follows from printed ones), but navstat left it "
        "out: it could not be read or decided with certainty (see navstat inspect)",
    },
}
MISSING_STATUSES = (Status.CONFIDENTIAL, Status.BLANK, Status.WITHHELD)  # the statuses outputs mark, in order


_LAW = re.compile(r"statistikklov\w*\s+§\s*(\d+)\s*-\s*(\d+)", re.I)
_LAW_CITED = "§ 7-1"  # the section STATUS_SYMBOLS cite: the one the reports of 2021 and later name


def status_text(status: Status, lang: str, notes: list[str]) -> str:
    """The meaning of a status in a language; a confidential cell's cites the section of the Statistics
    Act the report itself names in its notes (2014's reports say § 2-6, later ones § 7-1)."""
    text = STATUS_SYMBOLS[status]["en" if lang == "en" else "nb"]
    if status is Status.CONFIDENTIAL:
        found = next((m for n in notes for m in [_LAW.search(n)] if m), None)
        if found:
            text = text.replace(_LAW_CITED, f"§ {found.group(1)}-{found.group(2)}")
    return text


def describe_cell(key: tuple[str, ...], measure: str, period: str) -> str:
    """A cell as messages name it: the codes away from the total, the measure and the month
    ("TILTAK=JOBBK, FYLKE=03 DELTAKERE 2024-05"; "total DELTAKERE 2024-05")."""
    dims = ", ".join(f"{d}={c}" for d, c in zip(DIMENSIONS, key, strict=False) if c != TOTAL)
    return f"{dims or 'total'} {measure} {period}"


def key_dict(full_key: tuple[str, ...]) -> dict[str, str]:
    """A full key (codes, measure, period) as a mapping for JSON: {"TILTAK": .., "MEASURE": .., "TIME_PERIOD": ..}."""
    return {**dict(zip(DIMENSIONS, full_key, strict=False)), "MEASURE": full_key[-2], "TIME_PERIOD": full_key[-1]}


@dataclass(slots=True)
class Diagnostic:
    rule: str
    file: str
    line: int
    message: str
    hint: str = ""
    location: str = ""  # where in a workbook (`Sheet!A12`); the line then numbers the reader's rows
    keys: tuple[tuple[str, ...], ...] = ()  # the full keys (codes, measure, period) of the cells it concerns

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    def format(self) -> str:
        """One line, as compilers print them: `file:line: severity rule: message`."""
        return f"{self.file}:{self.location or self.line}: {self.severity.value} {self.rule}: {self.message}"

    def as_dict(self) -> dict:
        d: dict[str, object] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "hint": self.hint or RULES[self.rule].hint,
        }
        if self.location:
            d["location"] = self.location
        if self.keys:
            d["keys"] = [key_dict(k) for k in self.keys]
        return d


@dataclass(slots=True)
class Observation:
    key: Key
    measure: str
    period: str  # YYYY-MM
    value: int | None
    status: Status
    lines: list[int] = field(default_factory=list)  # every line that printed this figure
    # the breakdowns (dimensions a table varies by) of the tables that printed it
    breakdowns: frozenset[tuple[str, ...]] = frozenset()

    @property
    def full_key(self) -> tuple[str, ...]:
        return (*self.key, self.measure, self.period)


@dataclass(slots=True)
class ReportMetadata:
    title: str = ""
    report_id: str = ""  # e.g. TILT120
    period_start: str = ""  # YYYY-MM
    period_end: str = ""
    updated: str = ""  # YYYY-MM-DD, from "Rapport oppdatert"
    notes: list[str] = field(default_factory=list)
    group: str = TOTAL  # the tiltak group the grand "I alt" stands for
    codelist_versions: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class TableInfo:
    """What `navstat inspect` shows about one printed table (one header and the rows under it)."""

    first_line: int
    last_line: int
    breakdown: str  # the dimension the rows break down by
    context: dict[str, str]
    columns: list[str]
    rows: int


@dataclass(slots=True)
class Report:
    source: str
    metadata: ReportMetadata = field(default_factory=ReportMetadata)
    observations: list[Observation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)
    # cells in = emitted + merged + diagnosed
    accounting: Counter = field(default_factory=Counter)
    # figures the report prints but navstat left out (undecidable): (key, measure, period)
    withheld: set[tuple] = field(default_factory=set)
    # why: full key -> (line, reason), for the cells left out through `leave_out`
    left_out: dict[tuple, tuple[int, str]] = field(default_factory=dict)
    # full keys printed more than once, and how many of them had disagreeing copies
    copies: Counter = field(default_factory=Counter)
    checks: list = field(default_factory=list)  # quality rule results (validate.RuleResult)
    # line -> place in the source, for readers whose lines are not the file's (a workbook: `Sheet!A12`)
    locations: dict[int, str] = field(default_factory=dict)

    def diagnose(self, rule: str, line: int, message: str, hint: str = "", keys: tuple[tuple, ...] = ()) -> None:
        message = cut_long_text(message)
        if self.locations:
            message = self.locate(message)
        self.diagnostics.append(
            Diagnostic(rule, self.source, line, message, hint, self.locations.get(line, ""), tuple(keys))
        )

    def leave_out(self, full_key: tuple, line: int, reason: str) -> None:
        """Record a figure the report prints but navstat leaves out (undecidable), with where and why."""
        self.withheld.add(full_key)
        self.left_out.setdefault(full_key, (line, reason))

    def _left_out_keys(self) -> list[tuple]:
        """The withheld cells whose figure no other copy gives (a damaged copy left out while another
        copy printed the figure leaves nothing out of the outputs)."""
        if not self.withheld:
            return []
        withheld = {tuple(fk) for fk in self.withheld}
        keys = {fk[: len(DIMENSIONS)] for fk in withheld}
        # build full keys only for observations whose key has a withheld cell (a report has 10^6 figures)
        emitted = {(*o.key, o.measure, o.period) for o in self.observations if o.key in keys}
        return sorted(withheld - emitted)

    def withheld_observations(self) -> list[Observation]:
        """The cells left out as observations without a value and with status WITHHELD, in key order:
        what outputs mark so that they differ from cells the report never printed. Only cells whose codes
        all occur among the observations: a code of another codelist version (a county `combine` could not
        recode) does not enter an output through a cell without a figure; `left_out_cells` lists them all."""
        left_out = self._left_out_keys()
        if not left_out:
            return []
        keys = {o.key for o in self.observations}  # distinct keys: a few thousand
        codes = [{k[i] for k in keys} for i in range(len(DIMENSIONS))]
        out = []
        for fk in left_out:
            if not all(c in codes[i] for i, c in enumerate(fk[: len(DIMENSIONS)])):
                continue
            line = self.left_out.get(fk, (0, ""))[0]
            out.append(Observation(tuple(fk[:-2]), fk[-2], fk[-1], None, Status.WITHHELD, [line] if line else []))
        return out

    def left_out_cells(self) -> list[dict]:
        """Every cell left out, with its key, line and reason, in key order (for --report and inspect --json)."""
        out = []
        for fk in self._left_out_keys():
            line, reason = self.left_out.get(fk, (0, "left out: undecidable"))
            entry: dict = {"file": self.source, "line": line, "key": key_dict(fk), "reason": reason}
            if line in self.locations:
                entry["location"] = self.locations[line]
            out.append(entry)
        return out

    def where(self, line: int) -> str:
        """The place of a line (of an observation or diagnostic) in the source: `Sheet!A12` or the line."""
        return self.locations.get(line) or str(line)

    def locate(self, message: str) -> str:
        """A message that names lines ("on lines 12, 40"), with the places of those lines instead."""

        def place(m: re.Match) -> str:
            lines = [int(n) for n in m.group(2).split(", ")]
            if not all(n in self.locations for n in lines):
                return m.group(0)
            return ", ".join(self.locations[n] for n in lines)

        return _LINES.sub(place, message)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


_LINES = re.compile(r"\b(lines?) (\d+(?:, \d+)*)\b")
_QUOTED = re.compile(r"'([^']{120,})'")
MESSAGE_MAX = 600  # characters of a diagnostic's message; a label echoed whole could be megabytes


def cut_long_text(message: str) -> str:
    """A message with each quoted text over 120 characters cut to its first 80 (and its length said),
    and the whole kept under MESSAGE_MAX: one line on a terminal stays one readable line."""
    message = _QUOTED.sub(lambda m: f"'{m.group(1)[:80]}…' ({len(m.group(1))} characters)", message)
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 30] + f"… ({len(message)} characters)"
    return message
