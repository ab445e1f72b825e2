"""Re-checking an output's own figures (`navstat validate`): the output is turned back into observations
and what the report was checked for is checked again, on the figures the file now holds.

Per format, the observations come from `readers/jsonstat_back.py` (JSON-stat), lxml (SDMX-ML, both
flavours) or csv (SDMX-CSV); the file's line (SDMX) or row line (CSV) is their location. Then, for every
format alike: codes in the codelists, months as YYYY-MM, whole non-negative figures, status symbols
navstat documents (`model.STATUS_SYMBOLS`), no number on a confidential or left-out cell, one figure
per cell, and the report's quality rules of `validate.py` re-run: totals in every hierarchy (each `*`
counts 0-3, a left-out part anything from 0 up) and year-to-date averages. A figure edited after
navstat wrote it breaks one of them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from .codelists import Codelists
from .conformance import Violation
from .model import DIMENSIONS, MISSING_STATUSES, STATUS_SYMBOLS, TOTAL, Observation, Report, Status, describe_cell
from .readers.jsonstat_back import MEASURE, SYMBOL_STATUS, TIME, observations_from_dataset
from .rules import (
    CELL_CONFLICT,
    CODE_UNKNOWN,
    CONFIDENTIAL_VALUE,
    NEGATIVE_VALUE,
    OUTPUT_TOTALS,
    OUTPUT_YTD,
    SCHEMA_VIOLATION,
    STATUS_POSITION,
    STATUS_UNKNOWN,
)
from .validate import _by_key, _families, _ytd_cells, check_totals, check_ytd
from .writers.sdmx_common import NS
from .writers.sdmx_csv import HEADER, STRUCTURE_ID

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SDMX_STATUS = {STATUS_SYMBOLS[s]["sdmx_obs"]: s for s in MISSING_STATUSES}
_CONF = STATUS_SYMBOLS[Status.CONFIDENTIAL]["sdmx_conf"]
_KNOWN_CONF = {"", "F", _CONF}  # CL_CONF_STATUS codes navstat uses (structure: C and F)
LIMIT = 50  # violations of one kind shown


@dataclass(slots=True)
class Cell:
    """One cell as the output states it, before it is trusted: codes, raw value, raw status, where."""

    codes: dict[str, str]
    value: object  # int, None, or whatever the file holds
    status: Status | None  # None: a symbol navstat does not know
    line: int
    symbol: str = ""  # the status symbol as written (for messages)


# -- turning outputs back into cells ---------------------------------------------------------------


def jsonstat_cells(doc: dict) -> list[Cell]:
    datasets = doc.get("link", {}).get("item", []) if doc.get("class") == "collection" else [doc]
    out = []
    for ds in datasets:
        try:
            cells = observations_from_dataset(ds)
            raw_status = ds.get("status") or {}
        except (KeyError, TypeError, IndexError, AttributeError, ValueError):
            continue  # the structural checks of conformance.py report a broken dataset
        unknown = {}
        if isinstance(raw_status, dict):
            unknown = {int(p): str(s) for p, s in raw_status.items() if s not in SYMBOL_STATUS and str(p).isdigit()}
        position = _positions(ds) if unknown else None
        for codes, value, status in cells:
            symbol = unknown.get(position(codes), "") if position else ""
            full = {d: codes.get(d, TOTAL) for d in DIMENSIONS} | {MEASURE: codes[MEASURE], TIME: codes[TIME]}
            out.append(Cell(full, value, None if symbol else status, 0, symbol))
    return out


def _positions(ds: dict):
    """codes -> flat position in a dataset (row-major, the last dimension fastest)."""
    lookups = []
    for d in ds["id"]:
        idx = ds["dimension"][d]["category"]["index"]
        lookups.append({c: k for k, c in enumerate(idx)} if isinstance(idx, list) else dict(idx))
    sizes = ds["size"]

    def position(codes: dict[str, str]) -> int:
        pos = 0
        for d, lk, n in zip(ds["id"], lookups, sizes, strict=True):
            pos = pos * n + lk[codes[d]]
        return pos

    return position


def sdmx_ml_cells(doc: etree._ElementTree) -> list[Cell]:
    """Observations of StructureSpecificData (`Obs` with attributes) or GenericData (`generic:Obs`)."""
    out = []
    for obs in doc.iter("Obs"):
        a = dict(obs.attrib)
        codes = {d: a.get(d, "") for d in (*DIMENSIONS, MEASURE, TIME)}
        line = obs.sourceline or 0
        out.append(_sdmx_cell(codes, a.get("OBS_VALUE"), a.get("OBS_STATUS", ""), a.get("CONF_STATUS", ""), line))
    g = f"{{{NS['generic']}}}"
    for obs in doc.iter(f"{g}Obs"):
        codes = {
            v.get("id", ""): v.get("value", "") for v in obs.iter(f"{g}Value") if v.getparent().tag == f"{g}ObsKey"
        }
        attrs = {
            v.get("id", ""): v.get("value", "") for v in obs.iter(f"{g}Value") if v.getparent().tag != f"{g}ObsKey"
        }
        ov = obs.find(f"{g}ObsValue")
        value = ov.get("value") if ov is not None else None
        line = obs.sourceline or 0
        out.append(_sdmx_cell(codes, value, attrs.get("OBS_STATUS", ""), attrs.get("CONF_STATUS", ""), line))
    return out


def _sdmx_cell(codes: dict[str, str], value: str | None, obs_status: str, conf: str, line: int) -> Cell:
    symbol = "/".join(x for x in (obs_status, conf) if x)
    parsed = _number(value)
    if obs_status in ("", "A") and conf in ("", "F"):
        return Cell(codes, parsed, Status.VALUE if value is not None else None, line, symbol or "(none)")
    status = _SDMX_STATUS.get(obs_status)
    if status is None or conf not in _KNOWN_CONF or (status is Status.CONFIDENTIAL) != (conf == _CONF):
        return Cell(codes, parsed, None, line, symbol)
    return Cell(codes, parsed, status, line, symbol)


def _number(text: str | None) -> object:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def sdmx_csv_cells(text: str, name: str) -> tuple[list[Cell], list[Violation]]:
    """Rows of navstat's SDMX-CSV 2.0: the header, the structure columns, then one cell per row."""
    rows = csv.reader(io.StringIO(text, newline=""))
    violations: list[Violation] = []
    header = next(rows, [])
    if header != HEADER:
        return [], [Violation(SCHEMA_VIOLATION, name, 1, f"header is not navstat's SDMX-CSV header: {header[:4]}...")]
    out = []
    for n, row in enumerate(rows, start=2):
        if len(row) != len(HEADER):
            violations.append(Violation(SCHEMA_VIOLATION, name, n, f"{len(row)} fields, the header has {len(HEADER)}"))
            continue
        r = dict(zip(HEADER, row, strict=True))
        if (r["STRUCTURE"], r["STRUCTURE_ID"], r["ACTION"]) != ("dataflow", STRUCTURE_ID, "I"):
            violations.append(
                Violation(SCHEMA_VIOLATION, name, n, "STRUCTURE, STRUCTURE_ID or ACTION is not navstat's")
            )
        codes = {d: r[d] for d in (*DIMENSIONS, MEASURE, TIME)}
        value = r["OBS_VALUE"] if r["OBS_VALUE"] != "" else None
        out.append(_sdmx_cell(codes, value, r["OBS_STATUS"], r["CONF_STATUS"], n))
        if len(violations) >= LIMIT:
            break
    return out, violations


# -- the checks, the same for every format ---------------------------------------------------------


def recheck(cells: list[Cell], name: str, cl: Codelists, lines: bool = True) -> list[Violation]:
    """Codes, figures and statuses of every cell; then the quality rules over the cells that pass."""
    out: list[Violation] = []

    def v(rule: str, line: int, msg: str) -> None:
        if sum(1 for x in out if x.rule == rule) < LIMIT:
            out.append(Violation(rule, name, line, msg))

    known = {d: {c.code for c in cl[d].all_codes()} for d in (*DIMENSIONS, "MEASURE")}
    good: dict[tuple, Observation] = {}
    for c in cells:
        where = _describe(c.codes)
        bad_codes = [f"{d}={c.codes.get(d, '')!r}" for d in known if c.codes.get(d, "") not in known[d]]
        if bad_codes:
            v(CODE_UNKNOWN, c.line, f"{where}: {', '.join(bad_codes)} not in the codelists")
            continue
        if not _MONTH.fullmatch(c.codes.get(TIME, "")):
            v(CODE_UNKNOWN, c.line, f"{where}: TIME_PERIOD {c.codes.get(TIME)!r} is not a month YYYY-MM")
            continue
        if c.status is None:
            v(STATUS_UNKNOWN, c.line, f"{where}: status {c.symbol!r} is not one navstat documents")
            continue
        if c.value is not None and (not isinstance(c.value, int) or isinstance(c.value, bool)):
            v(SCHEMA_VIOLATION, c.line, f"{where}: figure {c.value!r} is not a whole number")
            continue
        if c.value is not None and c.status is not Status.VALUE:
            rule = CONFIDENTIAL_VALUE if c.status is Status.CONFIDENTIAL else STATUS_POSITION
            v(rule, c.line, f"{where}: status {c.symbol!r} ({c.status.name.lower()}) with the figure {c.value}")
            continue
        if isinstance(c.value, int) and c.value < 0:
            v(NEGATIVE_VALUE, c.line, f"{where}: negative figure {c.value}")
            continue
        key = tuple(c.codes[d] for d in DIMENSIONS)
        o = Observation(key, c.codes[MEASURE], c.codes[TIME], c.value, c.status, [c.line])
        first = good.setdefault(o.full_key, o)
        if first is not o and (first.value, first.status) != (o.value, o.status):
            v(CELL_CONFLICT, c.line, f"{where}: {_shown(o)} here, {_shown(first)} elsewhere in the file")
    out += _quality(list(good.values()), name, cl, lines)
    return out


def _quality(observations: Iterable[Observation], name: str, cl: Codelists, lines: bool) -> list[Violation]:
    """The report's own quality rules (NAV-Q201 totals, NAV-Q202 averages) over the output's figures."""
    report = Report(name)
    for o in observations:
        if o.status is Status.WITHHELD:
            report.withheld.add(o.full_key)
        else:
            report.observations.append(o)
    by_key = _by_key(report)
    families = _families(report, cl, by_key)
    ytds = list(_ytd_cells(by_key))
    out = []
    for rule, res in (
        (OUTPUT_TOTALS, check_totals(report, families, LIMIT)),
        (OUTPUT_YTD, check_ytd(report, ytds, LIMIT)),
    ):
        for f in res.findings:
            msg = f.message if lines else re.sub(r" \(lines [^)]*\)", "", f.message)
            out.append(Violation(rule, name, f.line, msg))
        if res.failed > len(res.findings):
            out.append(Violation(rule, name, 0, f"... {res.failed - len(res.findings)} more"))
    return out


def _describe(codes: dict[str, str]) -> str:
    return describe_cell(tuple(codes.get(d, TOTAL) for d in DIMENSIONS), codes.get(MEASURE, ""), codes.get(TIME, ""))


def _shown(o: Observation) -> str:
    return str(o.value) if o.status is Status.VALUE else o.status.name.lower()
