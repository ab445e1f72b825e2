"""`navstat catalog` and `navstat validate catalog.ttl`: a DCAT-AP-NO 2.0 catalogue of the example outputs.

The catalogue of every example report in every format must conform to the official shapes with zero
violations and zero warnings (through navstat and through pyshacl directly on /work/shared's kit), one
distribution per file with the file's size and SHA-1, nb and en titles, the report period as temporal
coverage. Broken catalogues (no publisher, a theme outside the vocabulary, a wrong checksum, ...) fail.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rns

from converter.catalog import SPDX, Config, build_graph, describe
from converter.catalog_check import check_catalog

from .conftest import ROOT, SEEDS, SHARED, run, seed_report

OUTPUT = ROOT / "examples" / "output"
BASE = "https://data.nav.no/navstat/tiltak"
EU = "http://publications.europa.eu/resource/authority/"

# A PX file of the 2024 report as a PX writer would make it (metadata part; DATA shortened).
PX_2024 = """CHARSET="ANSI";
AXIS-VERSION="2013";
LANGUAGE="no";
CREATION-DATE="20250102 00:00";
DECIMALS=0;
MATRIX="TILT120";
SUBJECT-AREA="Arbeid";
SUBJECT-CODE="TILT";
CONTENTS="Tiltaksdeltakere";
TITLE="TILT120 Tiltaksdeltakere på arbeidspraksis; ""Demografi"". ","Tidsserie måned";
UNITS="personer";
STUB="tiltak";
HEADING="måned";
VALUES("tiltak")="Arbeidspraksis";
VALUES("måned")="2024M01","2024M02","2024M03","2024M04","2024M05","2024M06","2024M07","2024M08",
"2024M09","2024M10","2024M11","2024M12";
TIMEVAL("måned")=TLIST(M1),"2024M01","2024M02","2024M03","2024M04","2024M05","2024M06","2024M07",
"2024M08","2024M09","2024M10","2024M11","2024M12";
LAST-UPDATED="20250102 00:00";
SOURCE="NAV";
DATA=
1 2 3 4 5 6 7 8 9 10 11 12;
"""


def _outputs() -> list[Path]:
    return sorted(
        p
        for stem in (s.stem for s in SEEDS.values())
        for p in OUTPUT.glob(f"{stem}.*")
        if p.suffix in (".json", ".xml", ".csv") and ".diagnostics." not in p.name
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A publishing folder: every example output, a PX file of the 2024 report, and the catalogue."""
    folder = tmp_path_factory.mktemp("publish")
    for p in _outputs():
        shutil.copy(p, folder / p.name)
    (folder / "2024-tilt120-arbeidspraksis.px").write_bytes(PX_2024.encode("cp1252"))
    files = sorted(str(p) for p in folder.iterdir())
    r = run("catalog", *files, "--base-url", BASE + "/", "-o", str(folder / "catalog.ttl"))
    assert r.returncode == 0, r.stderr
    return folder


@pytest.fixture(scope="module")
def graph(published: Path) -> Graph:
    return Graph().parse(published / "catalog.ttl", format="turtle")


def _dataset(g: Graph, stem: str) -> URIRef:
    return URIRef(f"{BASE}/datasets/{stem}")


def test_every_example_in_every_format_is_catalogued(published: Path, graph: Graph) -> None:
    files = sorted(p.name for p in published.iterdir() if p.name != "catalog.ttl")
    assert len(files) == 5 * 3 + 1
    datasets = set(graph.subjects(rns.RDF.type, rns.DCAT.Dataset))
    assert datasets == {_dataset(graph, s.stem) for s in SEEDS.values()}
    downloads = sorted(str(u) for u in graph.objects(None, rns.DCAT.downloadURL))
    assert downloads == [f"{BASE}/{name}" for name in files]  # one distribution per file


def test_catalogue_conforms_through_navstat_validate(published: Path) -> None:
    assert check_catalog(published / "catalog.ttl") == []
    r = run("validate", str(published / "catalog.ttl"))
    assert r.returncode == 0, r.stderr
    assert "valid DCAT-AP-NO catalogue" in r.stderr and "warning" not in r.stderr


@pytest.mark.skipif(not (SHARED / "dcat-ap-no").is_dir(), reason="/work/shared/dcat-ap-no is not here")
def test_catalogue_conforms_to_the_shared_official_shapes_directly(published: Path) -> None:
    import pyshacl

    sh = "http://www.w3.org/ns/shacl#"
    shapes = Graph().parse(SHARED / "dcat-ap-no" / "DCAT-AP-NO-shacl_shapes_2.00.ttl")
    vocab = Graph().parse(SHARED / "dcat-ap-no" / "eu-vocabularies.ttl")
    for name, fmt in (("catalog.ttl", "turtle"), ("catalog.rdf", "xml")):
        if fmt == "xml":
            files = sorted(str(p) for p in published.iterdir() if not p.name.startswith("catalog."))
            r = run("catalog", *files, "--base-url", BASE, "--format", "xml", "-o", str(published / name))
            assert r.returncode == 0, r.stderr
        data = Graph().parse(published / name, format=fmt)
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=vocab, inference="none", allow_warnings=True
        )
        results = list(report.objects(None, URIRef(sh + "result")))
        assert conforms and results == [], name
        # The kit ships unmodified inside the package.
        shipped = ROOT / "converter" / "schemas" / "dcat-ap-no"
        for f in ("DCAT-AP-NO-shacl_shapes_2.00.ttl", "eu-vocabularies.ttl"):
            assert (shipped / f).read_bytes() == (SHARED / "dcat-ap-no" / f).read_bytes()


def test_size_and_sha1_match_each_file(published: Path, graph: Graph) -> None:
    for dist in graph.subjects(rns.RDF.type, rns.DCAT.Distribution):
        content = (published / str(graph.value(dist, rns.DCAT.downloadURL)).rsplit("/", 1)[1]).read_bytes()
        size = graph.value(dist, rns.DCAT.byteSize)
        assert size.datatype == rns.XSD.decimal and int(size.toPython()) == len(content)
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
        value = graph.value(checksum, SPDX.checksumValue)
        assert value.datatype == rns.XSD.hexBinary and str(value) == hashlib.sha1(content).hexdigest()
        assert graph.value(dist, rns.DCTERMS.license) == URIRef(EU + "licence/NLOD_2_0")


def test_titles_period_and_update_date_come_from_the_reports(graph: Graph) -> None:
    for name, path in SEEDS.items():
        meta = seed_report(name).metadata
        ds = _dataset(graph, path.stem)
        titles = {t.language: str(t) for t in graph.objects(ds, rns.DCTERMS.title)}
        assert set(titles) == {"nb", "en"}
        assert titles["nb"].startswith(meta.title)
        temporal = graph.value(ds, rns.DCTERMS.temporal)
        assert str(graph.value(temporal, rns.DCAT.startDate)) == f"{meta.period_start}-01"
        last = calendar.monthrange(int(meta.period_end[:4]), int(meta.period_end[5:]))[1]
        assert str(graph.value(temporal, rns.DCAT.endDate)) == f"{meta.period_end}-{last}"
        modified = graph.value(ds, rns.DCTERMS.modified)
        assert (str(modified) if modified else "") == meta.updated
        descriptions = {d.language: str(d) for d in graph.objects(ds, rns.DCTERMS.description)}
        assert set(descriptions) == {"nb", "en"}
        assert ("Report id: TILT120." in descriptions["en"]) == (name == "2024")
        assert graph.value(ds, rns.DCTERMS.publisher) == URIRef(
            "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/889640782"
        )
        assert graph.value(ds, rns.DCTERMS.spatial) == URIRef(EU + "country/NOR")
        assert graph.value(ds, rns.DCAT.theme) == URIRef(EU + "data-theme/SOCI")
        assert graph.value(ds, rns.DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/MONTHLY")
    assert str(graph.value(_dataset(graph, "2024-tilt120-arbeidspraksis"), rns.DCTERMS.modified)) == "2025-01-02"
    en = {
        str(t)
        for t in graph.objects(_dataset(graph, "2023-oppfolging-demografi"), rns.DCTERMS.title)
        if t.language == "en"
    }
    assert en == {"Participants in labour market measures: Follow-up, 2023"}


def test_px_is_described_without_format_or_media_type(graph: Graph) -> None:
    dist = URIRef(f"{BASE}/distributions/2024-tilt120-arbeidspraksis.px")
    assert (_dataset(graph, "2024-tilt120-arbeidspraksis"), rns.DCAT.distribution, dist) in graph
    assert graph.value(dist, rns.DCTERMS.format) is None and graph.value(dist, rns.DCAT.mediaType) is None
    assert "PX (PC-Axis) file (matrix TILT120)" in str(graph.value(dist, rns.DCTERMS.description))
    spec = graph.value(dist, rns.DCTERMS.conformsTo)
    assert graph.value(spec, rns.DCTERMS.title) is not None
    json_dist = URIRef(f"{BASE}/distributions/2024-tilt120-arbeidspraksis.json")
    assert graph.value(json_dist, rns.DCTERMS.format) == URIRef(EU + "file-type/JSON")
    assert graph.value(json_dist, rns.DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/json"
    )


def test_px_keywords_are_read(tmp_path: Path) -> None:
    p = tmp_path / "x.px"
    p.write_bytes(PX_2024.encode("cp1252"))
    out = describe(p)
    assert (out.format, out.period, out.updated, out.report_id) == (
        "px",
        ("2024-01", "2024-12"),
        "2025-01-02",
        "TILT120",
    )
    assert out.title == 'TILT120 Tiltaksdeltakere på arbeidspraksis; "Demografi". Tidsserie måned'


def test_sdmx_csv_alone_says_what_was_derived(tmp_path: Path) -> None:
    csv = tmp_path / "2014-tiltak-kjonn.sdmx.csv"
    shutil.copy(OUTPUT / csv.name, csv)
    g = build_graph([describe(csv)], Config(base_url=BASE))
    ds = _dataset(g, "2014-tiltak-kjonn")
    temporal = g.value(ds, rns.DCTERMS.temporal)
    assert (str(g.value(temporal, rns.DCAT.startDate)), str(g.value(temporal, rns.DCAT.endDate))) == (
        "2014-01-01",
        "2014-12-31",
    )
    text = " ".join(str(d) for d in g.objects(ds, rns.DCTERMS.description) if d.language == "en")
    assert "record no report title" in text and "do not record whether the report has an update date" in text
    dist_text = str(g.value(URIRef(f"{BASE}/distributions/{csv.name}"), rns.DCTERMS.description))
    assert "period derived from the TIME_PERIOD column" in dist_text


def test_same_outputs_same_bytes(published: Path) -> None:
    files = sorted(str(p) for p in published.iterdir() if not p.name.startswith("catalog."))
    r = run("catalog", *files, "--base-url", BASE + "/", "-o", "-")
    assert r.returncode == 0 and r.stdout == (published / "catalog.ttl").read_text(encoding="utf-8")


def _broken(published: Path, tmp_path: Path, edit) -> subprocess.CompletedProcess:
    """A copy of the catalogue beside the files, changed by `edit` (text -> text), validated by navstat."""
    text = (published / "catalog.ttl").read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    target = published / f"broken-{len(list(published.glob('broken-*')))}.ttl"
    target.write_text(changed, encoding="utf-8")
    return run("validate", str(target))


def _flip_first_checksum(text: str) -> str:
    m = re.search(r'checksumValue "([0-9a-f])', text)
    digit = "0" if m.group(1) != "0" else "1"
    return text[: m.start(1)] + digit + text[m.end(1) :]


NAV = "<https://organization-catalog.fellesdatakatalog.digdir.no/organizations/889640782>"


@pytest.mark.parametrize(
    ("what", "edit", "rule"),
    [
        ("no publisher", lambda t: t.replace(f"dct:publisher {NAV} ;", ""), "NAV-V201"),
        ("theme outside the vocabulary", lambda t: t.replace("data-theme/SOCI", "data-theme/LABOUR"), "NAV-V203"),
        ("wrong checksum", lambda t: _flip_first_checksum(t), "NAV-V207"),
        ("wrong size", lambda t: re.sub(r"dcat:byteSize (\d+)", r"dcat:byteSize 1\1", t, count=1), "NAV-V206"),
        (
            "untagged title",
            lambda t: t.replace('Participants in labour market measures, 2014"@en', 'Participants, 2014"'),
            "NAV-V204",
        ),
        ("SHA-256", lambda t: t.replace("checksumAlgorithm_sha1", "checksumAlgorithm_sha256", 1), "NAV-V201"),
        (
            "licence IRI of data.norge.no",
            lambda t: t.replace(f"<{EU}licence/NLOD_2_0>", "<http://data.norge.no/nlod/no/2.0>", 1),
            "NAV-V201",
        ),
        (
            "byte size as integer",
            lambda t: re.sub(r"dcat:byteSize (\d+)\.0", r'dcat:byteSize "\1"^^xsd:integer', t, count=1),
            "NAV-V201",
        ),
    ],
)
def test_broken_catalogue_is_rejected(published: Path, tmp_path: Path, what: str, edit, rule: str) -> None:
    r = _broken(published, tmp_path, edit)
    assert r.returncode == 1, what
    assert f"error {rule}" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_geonorge_spatial_only_warns(published: Path, tmp_path: Path) -> None:
    geonorge = "<https://data.geonorge.no/administrativeEnheter/nasjon/id/173163>"
    r = _broken(published, tmp_path, lambda t: t.replace(f"<{EU}country/NOR>", geonorge, 1))
    assert r.returncode == 0 and "warning NAV-V202" in r.stderr, r.stderr


def test_theme_gap_of_the_shapes_is_real(published: Path) -> None:
    """The official shapes alone pass a made-up theme: navstat's own check is what catches it."""
    from converter.catalog_check import shacl_findings, vocabulary_gaps

    g = Graph().parse(published / "catalog.ttl", format="turtle")
    soci = URIRef(EU + "data-theme/SOCI")
    for s in list(g.subjects(rns.DCAT.theme, soci)):
        g.remove((s, rns.DCAT.theme, soci))
        g.add((s, rns.DCAT.theme, URIRef(EU + "data-theme/LABOUR")))
    from converter.catalog_check import _Locator

    where = _Locator("x.ttl", "")
    assert shacl_findings(g, where) == []
    assert {f.rule for f in vocabulary_gaps(g, where)} == {"NAV-V203"}


def test_configuration_file_and_options(published: Path, tmp_path: Path) -> None:
    config = tmp_path / "catalog.yaml"
    config.write_text(
        "base_url: https://example.org/stat\ncontact: {name: Statistikkseksjonen, email: stat@example.org}\n",
        encoding="utf-8",
    )
    out = tmp_path / "c.ttl"
    r = run(
        "catalog",
        str(published / "2014-tiltak-kjonn.json"),
        "--config",
        str(config),
        "--licence",
        EU + "licence/CC_BY_4_0",
        "-o",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    g = Graph().parse(out, format="turtle")
    contact = g.value(URIRef("https://example.org/stat/datasets/2014-tiltak-kjonn"), rns.DCAT.contactPoint)
    assert g.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef("mailto:stat@example.org")
    assert (None, rns.DCTERMS.license, URIRef(EU + "licence/CC_BY_4_0")) in g
    assert g.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#fn")) == Literal("Statistikkseksjonen")
    bad = tmp_path / "bad.yaml"
    bad.write_text("contakt: {}\n", encoding="utf-8")
    r = run("catalog", str(published / "2014-tiltak-kjonn.json"), "--config", str(bad))
    assert r.returncode == 2 and "unknown key 'contakt'" in r.stderr


def test_bad_input_is_one_line(published: Path, tmp_path: Path) -> None:
    r = run("catalog", str(published / "2014-tiltak-kjonn.json"))
    assert r.returncode == 2 and "--base-url" in r.stderr
    r = run("catalog", str(SEEDS["2014"]), "--base-url", BASE, "-o", str(tmp_path / "c.ttl"))
    assert r.returncode == 1 and "not a navstat output" in r.stderr and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "c.ttl").exists()
    # An SDMX-CSV of 2023 named as the 2024 report contradicts the 2024 JSON-stat's period.
    shutil.copy(OUTPUT / "2023-oppfolging-demografi.sdmx.csv", tmp_path / "2024-tilt120-arbeidspraksis.sdmx.csv")
    r = run(
        "catalog",
        str(published / "2024-tilt120-arbeidspraksis.json"),
        str(tmp_path / "2024-tilt120-arbeidspraksis.sdmx.csv"),
        "--base-url",
        BASE,
    )
    assert r.returncode == 1 and "contradicts" in r.stderr and len(r.stderr.splitlines()) == 1


def test_sdmx_ml_header_records_the_report_and_older_headers_still_read(tmp_path: Path) -> None:
    new = describe(OUTPUT / "2024-tilt120-arbeidspraksis.sdmx.xml")
    assert (new.report_id, new.period, new.updated, new.updated_known) == (
        "TILT120",
        ("2024-01", "2024-12"),
        "2025-01-02",
        True,
    )
    assert describe(OUTPUT / "2014-tiltak-kjonn.sdmx.xml").updated_known  # no Extracted: the report has no date
    # Without DataSetID/Extracted/Reporting* (navstat before the catalogue): Prepared and the observations.
    for stem, updated, known in (("2024-tilt120-arbeidspraksis", "2025-01-02", True), ("2014-tiltak-kjonn", "", False)):
        text = (OUTPUT / f"{stem}.sdmx.xml").read_text(encoding="utf-8")
        old = re.sub(r"  <message:(DataSetID|Extracted|ReportingBegin|ReportingEnd)>[^<]*</message:\w+>\n", "", text)
        assert old != text
        (tmp_path / f"{stem}.sdmx.xml").write_text(old, encoding="utf-8")
        out = describe(tmp_path / f"{stem}.sdmx.xml")
        assert (out.period, out.updated, out.updated_known) == ((f"{stem[:4]}-01", f"{stem[:4]}-12"), updated, known)
        assert "period derived from the TIME_PERIOD of the observations" in out.derived


def test_sdmx_header_facts_read_by_sdmx1_and_pysdmx() -> None:
    import warnings

    import sdmx
    from pysdmx.io import read_sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dsd = sdmx.read_sdmx(OUTPUT / "structure.xml").structure["DSD_TILTAKSDELTAKERE"]
        header = sdmx.read_sdmx(OUTPUT / "2024-tilt120-arbeidspraksis.sdmx.xml", structure=dsd).header
    assert str(header.extracted.date()) == "2025-01-02"
    assert (str(header.reporting_begin.date()), str(header.reporting_end.date())) == ("2024-01-01", "2024-12-01")
    assert read_sdmx(str(OUTPUT / "2024-tilt120-arbeidspraksis.sdmx.xml")).header.dataset_id == "TILT120"


def test_unreadable_catalogue_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b\n", encoding="utf-8")
    r = run("validate", str(bad))
    assert r.returncode == 1 and r.stderr.startswith(f"{bad}:") and "NAV-V200" in r.stderr
    assert len(r.stderr.splitlines()) == 1
