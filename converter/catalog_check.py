"""Check a DCAT-AP-NO catalogue (`navstat validate catalog.ttl`): the official shapes and what they miss.

1. The official DCAT-AP-NO 2.0 SHACL shapes (shipped unmodified in schemas/dcat-ap-no), run by pyshacl
   with the EU vocabularies as its ontology graph: pyshacl copies only `owl:NamedIndividual` nodes from
   there, which is why every concept in eu-vocabularies.ttl is typed so. Violations are errors,
   warnings are warnings.
2. What the shapes let through: a theme outside the EU data-theme vocabulary (the shapes' restriction
   is spelt `sh:MinCount` and so ignored), titles and descriptions without a language tag or without
   nb and en, a catalogue or dataset without publisher.
3. What no shape can see: whether byte size and SHA-1 of each distribution match the file. Files are
   looked up beside the catalogue by the last segment of their download URL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from .rules import (
    CATALOG_CHECKSUM,
    CATALOG_FILES_ABSENT,
    CATALOG_LANGUAGES,
    CATALOG_PUBLISHER,
    CATALOG_SHAPE_VIOLATION,
    CATALOG_SHAPE_WARNING,
    CATALOG_SIZE,
    CATALOG_THEME,
    CATALOG_UNREADABLE,
)

SHAPES_DIR = Path(__file__).resolve().parent / "schemas" / "dcat-ap-no"
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATA_THEMES = URIRef("http://publications.europa.eu/resource/authority/data-theme")


@dataclass(slots=True)
class CatalogFinding:
    rule: str
    file: str
    line: int
    message: str
    severity: str = "error"

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.severity} {self.rule}: {self.message}"


@cache
def _shapes() -> tuple[Graph, Graph]:
    shapes = Graph().parse(SHAPES_DIR / "DCAT-AP-NO-shacl_shapes_2.00.ttl", format="turtle")
    vocab = Graph().parse(SHAPES_DIR / "eu-vocabularies.ttl", format="turtle")
    return shapes, vocab


def rdf_format(path: str | Path) -> str:
    return "xml" if Path(path).suffix.lower() in (".rdf", ".xml", ".owl") else "turtle"


def check_catalog(path: str | Path) -> list[CatalogFinding]:
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = Graph().parse(data=text, format=rdf_format(path))
    except OSError as exc:
        return [CatalogFinding(CATALOG_UNREADABLE, name, 0, f"cannot read: {exc.strerror or exc}")]
    except Exception as exc:  # rdflib raises parser-specific errors; each is "not readable RDF"
        line = min(int(getattr(exc, "lines", None) or getattr(exc, "lineno", None) or 1), text.count("\n") + 1)
        return [CatalogFinding(CATALOG_UNREADABLE, name, line, f"not {rdf_format(path)}: {_first_line(exc)}")]
    where = _Locator(name, text)
    findings = shacl_findings(data, where)
    findings += vocabulary_gaps(data, where)
    findings += file_mismatches(data, Path(path).parent, where)
    return findings


def _first_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    syntax = re.search(r"Bad syntax \(([^)]*)\)", text)  # rdflib's Turtle parser: the reason, not the context
    return syntax.group(1) if syntax else text[:200] or type(exc).__name__


class _Locator:
    """The line of the first mention of a node in the catalogue's text (RDF has no line numbers)."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def line(self, node) -> int:
        if not isinstance(node, URIRef):
            return 1
        pos = self.text.find(f"<{node}> a ")  # where Turtle describes it, else its first mention
        pos = pos if pos >= 0 else self.text.find(str(node))
        return self.text.count("\n", 0, pos) + 1 if pos >= 0 else 1

    def finding(self, rule: str, node, message: str, severity: str = "error") -> CatalogFinding:
        return CatalogFinding(rule, self.name, self.line(node), message, severity)


def shacl_findings(data: Graph, where: _Locator) -> list[CatalogFinding]:
    import pyshacl

    shapes, vocab = _shapes()
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=vocab, inference="none", allow_warnings=True, do_owl_imports=False
    )
    out = []
    # Only the top-level results; nested sh:detail results explain them.
    for result in sorted(
        (r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)),
        key=lambda r: (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath))),
    ):
        severity = report.value(result, SH.resultSeverity)
        focus = report.value(result, SH.focusNode)
        prop = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage) or "constraint not met"
        text = f"{_short(focus)} {_short(prop)}" + (f" = {_short(value)}" if value is not None else "")
        if severity == SH.Violation:
            out.append(where.finding(CATALOG_SHAPE_VIOLATION, focus, f"{text}: {message}"))
        else:
            out.append(where.finding(CATALOG_SHAPE_WARNING, focus, f"{text}: {message}", "warning"))
    return out


def _short(node) -> str:
    if node is None:
        return "?"
    s = str(node)
    for ns, prefix in ((str(DCAT), "dcat:"), (str(DCTERMS), "dct:"), (str(SPDX), "spdx:")):
        if s.startswith(ns):
            return prefix + s[len(ns) :]
    return f"<{s}>" if isinstance(node, URIRef) else repr(s)


def vocabulary_gaps(data: Graph, where: _Locator) -> list[CatalogFinding]:
    _, vocab = _shapes()
    out = []
    themes = set(vocab.subjects(SKOS.inScheme, DATA_THEMES))
    for ds, theme in sorted(data.subject_objects(DCAT.theme)):
        if theme not in themes:
            out.append(where.finding(CATALOG_THEME, ds, f"dcat:theme <{theme}> is not in the EU data-theme vocabulary"))
    for cls in (DCAT.Catalog, DCAT.Dataset):
        for node in sorted(data.subjects(RDF.type, cls), key=str):
            for prop in (DCTERMS.title, DCTERMS.description):
                langs = {getattr(v, "language", None) for v in data.objects(node, prop)}
                missing = [lang for lang in ("nb", "en") if lang not in langs]
                if missing or None in langs:
                    what = f"no {' and '.join(missing)} value" if missing else "a value without language tag"
                    out.append(where.finding(CATALOG_LANGUAGES, node, f"{_short(prop)} has {what}"))
            if data.value(node, DCTERMS.publisher) is None:
                out.append(where.finding(CATALOG_PUBLISHER, node, f"{_short(cls)} without dct:publisher"))
    return out


def _number(literal) -> Decimal | None:
    try:
        return Decimal(str(literal))
    except InvalidOperation:
        return None


def file_mismatches(data: Graph, folder: Path, where: _Locator) -> list[CatalogFinding]:
    out = []
    absent = 0
    for dist in sorted(data.subjects(RDF.type, DCAT.Distribution), key=str):
        url = data.value(dist, DCAT.downloadURL) or data.value(dist, DCAT.accessURL)
        if url is None:
            continue
        local = folder / unquote(Path(urlparse(str(url)).path).name)
        if not local.is_file():
            absent += 1  # published elsewhere: nothing to compare with
            continue
        content = local.read_bytes()
        size = data.value(dist, DCAT.byteSize)
        if size is not None and _number(size) != len(content):  # Turtle writes xsd:decimal 36369 as 36369.0
            out.append(where.finding(CATALOG_SIZE, dist, f"dcat:byteSize {size}, but {local.name} has {len(content)}"))
        sha1 = hashlib.sha1(content).hexdigest()
        for checksum in data.objects(dist, SPDX.checksum):
            value = str(data.value(checksum, SPDX.checksumValue) or "")
            if value.lower() != sha1:
                out.append(
                    where.finding(CATALOG_CHECKSUM, dist, f"SHA-1 {value or '(none)'}, but {local.name} has {sha1}")
                )
    if absent:
        message = f"{absent} distributions' files are not in {folder}: their size and SHA-1 are not compared"
        out.append(CatalogFinding(CATALOG_FILES_ABSENT, where.name, 1, message, "note"))
    return out
