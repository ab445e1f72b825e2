"""navstat outputs -> a DCAT-AP-NO 2.0 catalogue for data.norge.no (`navstat catalog`).

One `dcat:Catalog` published by NAV, one `dcat:Dataset` per source report, one `dcat:Distribution` per
output file. What a dataset says about its report (title, report id, period, update date) is read back
from the outputs themselves, never from the file names alone:

- JSON-stat: the collection's `label` and `updated`, `extension.navstat` of each dataset (`source`,
  `report_id`, `period`, `tiltak_group`);
- SDMX-ML: the header (`ID` = NAVSTAT_<report>, `DataSetID` = report id, `Extracted` = update date,
  `ReportingBegin`/`End` = period; from older navstat versions `Prepared` and the observations' TIME_PERIOD);
- SDMX-CSV: only the rows, so the period comes from TIME_PERIOD and the report from the file name;
- PX: the keywords MATRIX, TITLE, LAST-UPDATED and TIMEVAL.

What an output does not record is said in the descriptions ("the report prints no report id", "period
derived from TIME_PERIOD"), so a reader of the catalogue can tell a missing fact from an unknown one.
The graph is built with rdflib and serialised by it (Turtle or RDF/XML); blank nodes get ids derived
from their dataset or file, so the same outputs give the same bytes.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml
from lxml import etree
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .codelists import load_codelists
from .model import TOTAL

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

NAV_ORGNR = "889640782"
# The pattern DCAT-AP-NO gives for organisations until Brønnøysund fixes a final URI scheme.
NAV_IRI = f"https://organization-catalog.fellesdatakatalog.digdir.no/organizations/{NAV_ORGNR}"
NLOD_2_0 = EU + "licence/NLOD_2_0"
THEME_SOCI = URIRef(EU + "data-theme/SOCI")
NORWAY = URIRef(EU + "country/NOR")
MONTHLY = URIRef(EU + "frequency/MONTHLY")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
LANGUAGES = (URIRef(EU + "language/NOB"), URIRef(EU + "language/ENG"))

SUBJECT = {"nb": "Deltakere i arbeidsrettede tiltak", "en": "Participants in labour market measures"}
KEYWORDS = {
    "nb": ("arbeidsmarkedstiltak", "tiltaksdeltakere", "arbeidsmarked", "NAV"),
    "en": ("labour market measures", "participants", "labour market", "NAV"),
}


class CatalogError(Exception):
    """An output cannot be described (unreadable, not a navstat output, contradicting another output)."""


@dataclass(frozen=True, slots=True)
class Format:
    label: str
    spec: str  # IRI of the specification the file conforms to
    spec_title: str
    file_type: str | None  # code in the EU file-type table; None: the table has none (PX)
    media_type: str | None  # IANA media type; None: none registered (PX)


FORMATS: dict[str, Format] = {
    "jsonstat": Format("JSON-stat 2.0", "https://json-stat.org/format/", "JSON-stat 2.0", "JSON", "application/json"),
    "sdmx-ml": Format(
        "SDMX-ML 2.1",
        "https://www.iso.org/standard/52500.html",
        "ISO 17369:2013 Statistical data and metadata exchange (SDMX) 2.1",
        "SDMX",
        "application/xml",
    ),
    "sdmx-csv": Format(
        "SDMX-CSV 2.0",
        "https://github.com/sdmx-twg/sdmx-csv/blob/master/data-message/docs/sdmx-csv-field-guide.md",
        "SDMX-CSV 2.0 data message",
        "CSV",
        "text/csv",
    ),
    "px": Format(
        "PX (PC-Axis)",
        "https://www.scb.se/en/services/statistical-programs-for-px-files/px-file-format/",
        "PX file format (Statistics Sweden)",
        None,
        None,
    ),
}


@dataclass(slots=True)
class Config:
    """Who publishes, whom to contact, under which licence, where the files are downloaded from."""

    base_url: str = ""
    publisher_iri: str = NAV_IRI
    publisher_name: str = "Arbeids- og velferdsetaten"
    publisher_id: str = NAV_ORGNR
    contact_name: str = "NAV statistikk"
    contact_email: str = "nav.statistikk@nav.no"
    contact_url: str = "https://www.nav.no/no/nav-og-samfunn/statistikk"
    licence: str = NLOD_2_0
    title: dict[str, str] = field(
        default_factory=lambda: {
            "nb": "NAV: deltakere i arbeidsrettede tiltak (åpne data)",
            "en": "NAV: participants in labour market measures (open data)",
        }
    )


CONFIG_KEYS: dict[str, str | dict[str, str]] = {
    "base_url": "base_url",
    "publisher": {"iri": "publisher_iri", "name": "publisher_name", "id": "publisher_id"},
    "contact": {"name": "contact_name", "email": "contact_email", "url": "contact_url"},
    "licence": "licence",
    "title": "title",
}


def load_config(path: str | Path | None) -> Config:
    """Read a small YAML file (keys as in CONFIG_KEYS, all optional) over the defaults."""
    config = Config()
    if path is None:
        return config
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}:1: cannot read the catalogue configuration: {exc}") from None
    if not isinstance(doc, dict):
        raise CatalogError(f"{path}:1: the catalogue configuration must be a mapping")
    for key, value in doc.items():
        target = CONFIG_KEYS.get(key)
        if target is None:
            raise CatalogError(f"{path}:1: unknown key {key!r}; known: {', '.join(CONFIG_KEYS)}")
        if isinstance(target, dict):
            if not isinstance(value, dict) or set(value) - set(target):
                raise CatalogError(f"{path}:1: {key} takes the keys {', '.join(target)}")
            for sub, attr in target.items():
                if sub in value:
                    setattr(config, attr, str(value[sub]))
        elif key == "title":
            if not isinstance(value, dict) or set(value) != {"nb", "en"}:
                raise CatalogError(f"{path}:1: title takes nb and en")
            config.title = {k: str(v) for k, v in value.items()}
        else:
            setattr(config, target, str(value))
    return config


# -- what one output records about its report -------------------------------------------------------


@dataclass(slots=True)
class OutputFile:
    path: Path
    format: str  # a key of FORMATS
    report: str  # the source report's name (file stem), as navstat writes it into its outputs
    title: str = ""
    report_id: str = ""
    period: tuple[str, str] | None = None  # first and last month, YYYY-MM
    updated: str = ""  # YYYY-MM-DD ("Rapport oppdatert")
    updated_known: bool = True  # False: the output cannot say whether the report had an update date
    group: str = ""  # the tiltak group the report covers (JSON-stat only)
    derived: list[str] = field(default_factory=list)  # what had to be derived, in English
    byte_size: int = 0
    sha1: str = ""
    extra: str = ""  # a remark on the file itself (e.g. the PX matrix name)


_REPORT_SAFE = re.compile(r"[^A-Za-z0-9_@$-]")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SUFFIXES = (".sdmx.xml", ".sdmx.csv", ".json", ".xml", ".csv", ".px")


def report_name(stem: str) -> str:
    """The report's name as the SDMX-ML message id carries it (so all formats agree)."""
    return _REPORT_SAFE.sub("_", stem) or "REPORT"


def _file_stem(path: Path) -> str:
    name = path.name
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def describe(path: Path) -> OutputFile:
    """Recognise an output by its content and read what it records about its report."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}:0: cannot read: {exc.strerror or exc}") from None
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith(b"{"):
        out = _from_jsonstat(path, data)
    elif head.startswith(b"<"):
        out = _from_sdmx_ml(path, data)
    elif head.startswith(b"STRUCTURE,"):
        out = _from_sdmx_csv(path, data)
    elif head.startswith((b"CHARSET", b"AXIS-VERSION")):
        out = _from_px(path, data)
    else:
        raise CatalogError(f"{path}:1: not a navstat output (JSON-stat, SDMX-ML, SDMX-CSV or PX)")
    out.byte_size = len(data)
    out.sha1 = hashlib.sha1(data).hexdigest()
    if out.period is None:
        raise CatalogError(f"{path}:1: records no period (no months found)")
    return out


def _from_jsonstat(path: Path, data: bytes) -> OutputFile:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}:{getattr(exc, 'lineno', 1)}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") != "2.0":
        raise CatalogError(f"{path}:1: not a JSON-stat 2.0 document")
    datasets = doc.get("link", {}).get("item", []) if doc.get("class") == "collection" else [doc]
    marks = [d.get("extension", {}).get("navstat", {}) for d in datasets if isinstance(d, dict)]
    marks = [m for m in marks if "period" in m] or [doc.get("extension", {}).get("navstat", {})]
    source = marks[0].get("source") or doc.get("extension", {}).get("navstat", {}).get("source")
    if not source:
        raise CatalogError(f"{path}:1: no extension.navstat.source: not written by navstat")
    out = OutputFile(path, "jsonstat", report_name(Path(source).stem))
    # A single dataset (convert --split) carries its breakdown in the label: "… (etter tiltak)", "… (by …)" in English.
    label = str(doc.get("label", ""))
    out.title = re.sub(r" \((etter|by) [^)]*\)$", "", label) if doc.get("class") == "dataset" else label
    out.report_id = str(marks[0].get("report_id", ""))
    out.group = str(marks[0].get("tiltak_group", ""))
    periods = [tuple(m["period"]) for m in marks if m.get("period")]
    if periods:
        out.period = (min(p[0] for p in periods), max(p[1] for p in periods))
    updated = doc.get("updated") or (datasets[0].get("updated") if datasets else None)
    out.updated = str(updated)[:10] if updated else ""
    return out


_SDMX_MESSAGE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_TIME_SS = re.compile(rb'TIME_PERIOD="(\d{4}-\d{2})"')
_TIME_GENERIC = re.compile(rb'id="TIME_PERIOD" value="(\d{4}-\d{2})"')


def _months(path: Path, found: Iterable[bytes]) -> tuple[str, str] | None:
    months = {m.decode() for m in found}
    bad = sorted(m for m in months if not _MONTH.match(m))
    if bad:
        raise CatalogError(f"{path}:1: TIME_PERIOD {bad[0]} is not a month")
    return (min(months), max(months)) if months else None


def _from_sdmx_ml(path: Path, data: bytes) -> OutputFile:
    header = None
    try:
        events = etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            tag=f"{{{_SDMX_MESSAGE}}}Header",
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        for _, el in events:  # the header comes first: stop there, the observations are read below
            header = el
            break
    except etree.XMLSyntaxError as exc:
        raise CatalogError(f"{path}:{exc.lineno}: not well-formed XML: {exc.msg}") from None
    if header is None:
        raise CatalogError(f"{path}:1: no SDMX-ML 2.1 message header")

    def text(tag: str) -> str:
        el = header.find(f"{{{_SDMX_MESSAGE}}}{tag}")
        return (el.text or "").strip() if el is not None else ""

    message_id = text("ID")
    if not message_id.startswith("NAVSTAT_"):
        raise CatalogError(f"{path}:1: message ID {message_id!r} is not navstat's (NAVSTAT_<report>)")
    out = OutputFile(path, "sdmx-ml", message_id[len("NAVSTAT_") :])
    out.report_id = ",".join(el.text or "" for el in header.findall(f"{{{_SDMX_MESSAGE}}}DataSetID"))
    begin, end = text("ReportingBegin"), text("ReportingEnd")
    if begin and end:  # navstat writes the report's facts into the header (DataSetID, Extracted, Reporting*)
        out.period = _months(path, [begin.encode(), end.encode()])
        out.updated = text("Extracted")[:10]
        return out
    # An older navstat header: the period is in the observations; Prepared is the update date, or the
    # first day of the last month when the report has none, which then cannot be told from a real date.
    generic = b"GenericData" in data[:400]
    out.period = _months(path, (_TIME_GENERIC if generic else _TIME_SS).findall(data))
    out.derived.append("period derived from the TIME_PERIOD of the observations")
    prepared = text("Prepared")
    if out.period and prepared and prepared[:10] != f"{out.period[1]}-01":
        out.updated = prepared[:10]
    else:
        out.updated_known = False
    return out


def _from_sdmx_csv(path: Path, data: bytes) -> OutputFile:
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r").split(",")
    if "TIME_PERIOD" not in first:
        raise CatalogError(f"{path}:1: SDMX-CSV without a TIME_PERIOD column")
    col = first.index("TIME_PERIOD")
    months: set[bytes] = set()
    for lineno, line in enumerate(data.split(b"\n")[1:], start=2):
        if not line.strip():
            continue
        cells = line.rstrip(b"\r").split(b",")
        if len(cells) != len(first):
            raise CatalogError(f"{path}:{lineno}: {len(cells)} fields, the header has {len(first)}")
        months.add(cells[col])
    out = OutputFile(path, "sdmx-csv", report_name(_file_stem(path)))
    out.period = _months(path, months)
    out.updated_known = False
    out.derived += [
        "SDMX-CSV records no report: the report is taken from the file name",
        "period derived from the TIME_PERIOD column",
    ]
    return out


_PX_STATEMENT = re.compile(r"^\s*([A-Z][A-Z0-9-]*)(\[[^\]]*\])?(\([^=]*\))?\s*=(.*)$", re.S)
_PX_STRING = re.compile(r'"((?:[^"]|"")*)"')
_PX_MONTH = re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$")


def _px_keywords(text: str) -> dict[str, str]:
    """Keyword -> raw value of a PX file's metadata part (up to DATA=), language-free keywords only."""
    keywords: dict[str, str] = {}
    statement: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            m = _PX_STATEMENT.match("".join(statement))
            statement = []
            if m:
                if m.group(1) == "DATA":
                    break
                if not m.group(2):  # TITLE[en] etc.: the default language is what we read
                    keywords.setdefault(m.group(1) + ("()" if m.group(3) else ""), m.group(4).strip())
            continue
        statement.append(ch)
    return keywords


def _px_text(value: str) -> str:
    return "".join(s.replace('""', '"') for s in _PX_STRING.findall(value)) if '"' in value else value


def _from_px(path: Path, data: bytes) -> OutputFile:
    part = data.split(b"\nDATA=", 1)[0]
    try:
        text = part.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = part.decode("cp1252")  # CHARSET="ANSI"
    kw = _px_keywords(text)
    out = OutputFile(path, "px", report_name(_file_stem(path)))
    out.derived.append("PX records no report: the report is taken from the file name")
    out.title = _px_text(kw.get("TITLE", ""))
    matrix = _px_text(kw.get("MATRIX", ""))
    if re.fullmatch(r"[A-Z]+\d+", matrix):  # a NAV report id such as TILT120
        out.report_id = matrix
    if matrix:
        out.extra = f"matrix {matrix}"
    months = []
    for s in _PX_STRING.findall(kw.get("TIMEVAL()", "")):
        m = _PX_MONTH.match(s)
        if m:
            months.append(f"{m.group(1)}-{m.group(2)}".encode())
    out.period = _months(path, months)
    updated = _px_text(kw.get("LAST-UPDATED", ""))
    if re.match(r"^\d{8}", updated):
        out.updated = f"{updated[:4]}-{updated[4:6]}-{updated[6:8]}"
    return out


# -- one dataset per report ------------------------------------------------------------------------


@dataclass(slots=True)
class ReportDataset:
    report: str
    files: list[OutputFile]
    title: str = ""
    report_id: str = ""
    period: tuple[str, str] = ("", "")
    updated: str = ""
    updated_known: bool = False
    group: str = ""


# Which output to believe first about title, report id, tiltak group and update date: the one that records
# most of the report (JSON-stat keeps the report's own words; PX and SDMX-CSV are written from less).
_TRUST = ("jsonstat", "sdmx-ml", "px", "sdmx-csv")


def group_by_report(outputs: list[OutputFile]) -> list[ReportDataset]:
    """One dataset per report. The period comes from the data and must agree in every output; the
    other facts are taken from the most complete output that records them."""
    by_report: dict[str, list[OutputFile]] = {}
    for o in outputs:
        by_report.setdefault(o.report, []).append(o)
    datasets = []
    for report, files in sorted(by_report.items()):
        ds = ReportDataset(report, sorted(files, key=lambda f: f.path.name))
        periods = {f.period: f for f in files if f.period is not None}
        if not periods:
            raise CatalogError(f"{files[0].path}:1: no output of report {report} records its period")
        if len(periods) > 1:
            (a, fa), (b, fb) = sorted(periods.items())[:2]
            raise CatalogError(
                f"{fb.path}:1: period {b[0]}..{b[1]} contradicts {a[0]}..{a[1]} in {fa.path.name} (same report)"
            )
        ds.period = next(iter(periods))
        trusted = sorted(files, key=lambda f: (_TRUST.index(f.format), f.path.name))
        ds.title = next((f.title for f in trusted if f.title), "")
        ds.report_id = next((f.report_id for f in trusted if f.report_id), "")
        ds.group = next((f.group for f in trusted if f.group), "")
        known = next((f for f in trusted if f.updated_known), None)
        ds.updated_known = known is not None
        ds.updated = known.updated if known else ""
        datasets.append(ds)
    return datasets


# -- the graph -------------------------------------------------------------------------------------


def _last_day(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


def _period_text(period: tuple[str, str]) -> str:
    start, end = period
    if start.endswith("-01") and end.endswith("-12") and start[:4] == end[:4]:
        return start[:4]
    return f"{start}–{end}" if start != end else start


def _group_labels(code: str) -> dict[str, str]:
    if not code or code == TOTAL:
        return {}
    entry = load_codelists()["TILTAK"].code(code, None) if code else None
    return {"nb": entry.label("nb"), "en": entry.label("en")} if entry else {}


def _titles(ds: ReportDataset) -> dict[str, str]:
    when = _period_text(ds.period)
    group = _group_labels(ds.group)
    en = SUBJECT["en"] + (f": {group['en']}" if group else "")
    en += f", NAV report {ds.report_id}" if ds.report_id else ""
    nb = ds.title or SUBJECT["nb"]
    if group and group["nb"].lower() not in nb.lower():  # "Deltakere i arbeidsrettede tiltak" of Oppfølging
        nb += f": {group['nb']}"
    return {"nb": f"{nb}, {when}", "en": f"{en}, {when}"}


def _descriptions(ds: ReportDataset) -> dict[str, str]:
    start, end = ds.period
    nb = [
        f"Antall deltakere i arbeidsrettede tiltak per måned, {start} til {end}, fra NAVs rapport "
        f"«{ds.title or ds.report}», omgjort til åpne statistikkformater med navstat. "
        "Verdier under 4 er skjult av NAV (statistikkloven § 7-1)."
    ]
    en = [
        f"Monthly numbers of participants in labour market measures, {start} to {end}, from NAV's report "
        f"'{ds.title or ds.report}', converted to open statistical formats with navstat. "
        "Values below 4 are suppressed by NAV (Statistics Act § 7-1)."
    ]
    if ds.report_id:
        nb.append(f"Rapport-ID: {ds.report_id}.")
        en.append(f"Report id: {ds.report_id}.")
    else:
        nb.append("Rapporten oppgir ingen rapport-ID.")
        en.append("The report prints no report id.")
    if ds.updated:
        nb.append(f"Rapport oppdatert {ds.updated}.")
        en.append(f"Report updated {ds.updated}.")
    elif ds.updated_known:
        nb.append("Rapporten oppgir ingen oppdateringsdato.")
        en.append("The report gives no update date.")
    else:
        nb.append("Utdataene viser ikke om rapporten har en oppdateringsdato.")
        en.append("The outputs do not record whether the report has an update date.")
    if not ds.title:
        nb.append("Utdataene oppgir ingen rapporttittel; tittelen er laget av emnet og perioden.")
        en.append("The outputs record no report title; the title is made from the subject and the period.")
    return {"nb": " ".join(nb), "en": " ".join(en)}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def build_graph(outputs: list[OutputFile], config: Config) -> Graph:
    if not config.base_url:
        raise CatalogError("no base URL: give --base-url or base_url in the configuration")
    base = config.base_url.rstrip("/")
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("spdx", SPDX)):
        g.bind(prefix, ns)
    publisher = URIRef(config.publisher_iri)
    catalog = URIRef(f"{base}/catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    for lang, text in config.title.items():
        g.add((catalog, DCTERMS.title, Literal(text, lang=lang)))
    formats = ", ".join(FORMATS[k].label for k in FORMATS if any(o.format == k for o in outputs))
    for lang, text in _CATALOG_DESCRIPTION.items():
        g.add((catalog, DCTERMS.description, Literal(f"{text} ({formats}).", lang=lang)))
    g.add((catalog, DCTERMS.identifier, Literal(str(catalog))))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(config.publisher_name, lang="nb")))
    if config.publisher_id:
        g.add((publisher, DCTERMS.identifier, Literal(config.publisher_id)))
    standards: set[str] = set()
    for ds in group_by_report(outputs):
        node = _add_dataset(g, ds, base, publisher, config)
        g.add((catalog, DCAT.dataset, node))
        for f in ds.files:
            g.add((node, DCAT.distribution, _add_distribution(g, f, base, config)))
            standards.add(f.format)
    for key in sorted(standards):
        fmt = FORMATS[key]
        g.add((URIRef(fmt.spec), RDF.type, DCTERMS.Standard))
        g.add((URIRef(fmt.spec), DCTERMS.title, Literal(fmt.spec_title, lang="en")))
    return g


_CATALOG_DESCRIPTION = {
    "nb": "Månedlig statistikk fra NAV over deltakere i arbeidsrettede tiltak, i åpne statistikkformater",
    "en": "Monthly statistics from NAV on participants in labour market measures, in open statistical formats",
}


def _add_dataset(g: Graph, ds: ReportDataset, base: str, publisher: URIRef, config: Config) -> URIRef:
    node = URIRef(f"{base}/datasets/{ds.report}")
    g.add((node, RDF.type, DCAT.Dataset))
    for lang, text in _titles(ds).items():
        g.add((node, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in _descriptions(ds).items():
        g.add((node, DCTERMS.description, Literal(text, lang=lang)))
    g.add((node, DCTERMS.identifier, Literal(str(node))))
    g.add((node, DCTERMS.publisher, publisher))
    g.add((node, DCAT.theme, THEME_SOCI))
    g.add((node, DCTERMS.spatial, NORWAY))
    g.add((node, DCTERMS.accrualPeriodicity, MONTHLY))
    g.add((node, DCTERMS.accessRights, PUBLIC))
    for language in LANGUAGES:
        g.add((node, DCTERMS.language, language))
    temporal = BNode(f"period-{_slug(ds.report)}")
    g.add((node, DCTERMS.temporal, temporal))
    g.add((temporal, RDF.type, DCTERMS.PeriodOfTime))
    g.add((temporal, DCAT.startDate, Literal(f"{ds.period[0]}-01", datatype=XSD.date)))
    g.add((temporal, DCAT.endDate, Literal(_last_day(ds.period[1]), datatype=XSD.date)))
    if ds.updated:
        g.add((node, DCTERMS.modified, Literal(ds.updated, datatype=XSD.date)))
    contact = BNode(f"contact-{_slug(ds.report)}")
    g.add((node, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(config.contact_name)))
    if config.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{config.contact_email}")))
    if config.contact_url:
        g.add((contact, VCARD.hasURL, URIRef(config.contact_url)))
    group = _group_labels(ds.group)
    for lang, words in KEYWORDS.items():
        for word in (*words, *([group[lang]] if group else [])):
            g.add((node, DCAT.keyword, Literal(word, lang=lang)))
    return node


def _add_distribution(g: Graph, f: OutputFile, base: str, config: Config) -> URIRef:
    fmt = FORMATS[f.format]
    name = quote(f.path.name)  # a space or '#' in a file name must not break the IRI
    url = URIRef(f"{base}/{name}")
    node = URIRef(f"{base}/distributions/{name}")
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(f"{f.path.name} ({fmt.label})", lang="en")))
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    if fmt.file_type:
        g.add((node, DCTERMS.format, URIRef(EU + "file-type/" + fmt.file_type)))
    if fmt.media_type:
        g.add((node, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
    what = f"{fmt.label} file" + (f" ({f.extra})" if f.extra else "")
    if fmt.file_type is None:
        what += "; the EU file-type table and IANA have no entry for this format, see dct:conformsTo"
    notes = "; ".join([what, *f.derived])
    g.add((node, DCTERMS.description, Literal(notes[0].upper() + notes[1:] + ".", lang="en")))
    g.add((node, DCTERMS.license, URIRef(config.licence)))
    g.add((node, DCTERMS.conformsTo, URIRef(fmt.spec)))
    g.add((node, DCAT.byteSize, Literal(str(f.byte_size), datatype=XSD.decimal)))
    checksum = BNode(f"sha1-{_slug(f.path.name)}")
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha1))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha1, datatype=XSD.hexBinary)))
    return node


def serialise(g: Graph, fmt: str = "turtle") -> bytes:
    data = g.serialize(format="pretty-xml" if fmt == "xml" else "turtle", encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def build_catalog(paths: list[Path], config: Config, fmt: str = "turtle") -> bytes:
    names: dict[str, Path] = {}
    for p in paths:
        if p.name in names:
            raise CatalogError(f"{p}:0: same file name as {names[p.name]}: both would have one download URL")
        names[p.name] = p
    return serialise(build_graph([describe(p) for p in paths], config), fmt)
