"""One pipeline behind both doors, the registries of readers, writers and rules, and the committed
examples: every example report in every format through the installed `navstat`, byte for byte."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from converter import api, pipeline, registry
from converter.cli import Usage, _targets, cli
from converter.codelists import codelist_dir
from converter.model import DIMENSIONS, STATUS_SYMBOLS, Report, Status
from converter.parsed import Interpretation
from converter.readers.textio import InputError
from converter.rules import INPUT_UNREADABLE, RULES, Severity

from .conftest import REPORTS, ROOT, SEEDS, run

OUTPUT = ROOT / "examples" / "output"
FORMATS = {"jsonstat": "json", "sdmx": "sdmx.xml", "sdmx-csv": "sdmx.csv"}


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    """The example folder converted by the installed navstat, once per format (as scripts/examples does)."""
    out = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        r = run("-q", "convert", str(REPORTS), "--to", fmt, "-o", str(folder), "--report", str(folder / "diag.json"))
        assert r.returncode == 0, r.stderr
        out[fmt] = folder
    return out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_example_in_every_format_is_byte_identical(converted, fmt):
    folder = converted[fmt]
    for seed in SEEDS.values():
        written = next(folder.glob(f"{seed.stem}.*"))
        expected = OUTPUT / f"{seed.stem}.{FORMATS[fmt]}"
        assert written.read_bytes() == expected.read_bytes(), f"{written.name} differs from {expected}"


def test_diagnostics_are_those_of_the_examples(converted):
    got = json.loads((converted["jsonstat"] / "diag.json").read_text(encoding="utf-8"))["diagnostics"]
    expected = []
    for path in sorted(SEEDS.values()):
        diags = json.loads((OUTPUT / f"{path.stem}.diagnostics.json").read_text(encoding="utf-8"))["diagnostics"]
        expected += [{**d, "file": str(path)} for d in diags]  # the examples were made with relative paths
    got = [{**d, "file": str(Path(d["file"]).resolve())} for d in got]
    assert got == expected and len(got) > 50


def test_inspect_and_structure_are_those_of_the_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples were made from the checkout's root, with relative paths
    runner = CliRunner()
    for path in SEEDS.values():
        rel = path.relative_to(ROOT)
        r = runner.invoke(cli, ["inspect", str(rel)], obj={}, catch_exceptions=False)
        assert r.output == (OUTPUT / f"{path.stem}.inspect.txt").read_text(encoding="utf-8"), path.name
    r = runner.invoke(cli, ["structure", "-o", str(tmp_path / "s.xml")], catch_exceptions=False)
    assert (tmp_path / "s.xml").read_bytes() == (OUTPUT / "structure.xml").read_bytes()


def _csv_observations(path: Path) -> set[tuple]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            (*(row[d] for d in DIMENSIONS), row["MEASURE"], row["TIME_PERIOD"], row["OBS_VALUE"], row["OBS_STATUS"])
            for row in csv.DictReader(fh)
        }


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_cli_and_api_give_the_same_report(converted, seed):
    path = SEEDS[seed]
    report = api.read_report(path)
    from_api = {
        (*o.key, o.measure, o.period, "" if o.value is None else str(o.value), STATUS_SYMBOLS[o.status]["sdmx_obs"])
        if o.status is not Status.VALUE
        else (*o.key, o.measure, o.period, str(o.value), "")
        for o in [*report.observations, *report.withheld_observations()]
    }
    assert len(from_api) == len(report.observations) + len(report.withheld_observations()) > 1000
    assert from_api == _csv_observations(converted["sdmx-csv"] / f"{path.stem}.csv")
    cli_diags = json.loads((converted["sdmx-csv"] / "diag.json").read_text(encoding="utf-8"))["diagnostics"]
    assert [d for d in cli_diags if d["file"] == str(path)] == [d.as_dict() for d in report.diagnostics]
    r = CliRunner().invoke(cli, ["inspect", "--json", str(path)], obj={}, catch_exceptions=False)
    doc = json.loads(r.output)
    assert doc["checks"] == [c.as_dict() for c in report.checks] and len(report.checks) == 5
    assert doc["observations"] == len(report.observations)
    assert doc["diagnostics"] == [d.as_dict() for d in report.diagnostics]


def test_unreadable_input_is_one_nav_e001_diagnostic(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    r = run("convert", str(bad), "-o", str(tmp_path / "x.json"), "--report", str(tmp_path / "d.json"))
    assert r.returncode == 1 and r.stderr.strip() == f"{bad}:0: error NAV-E001: file is empty"
    (d,) = json.loads((tmp_path / "d.json").read_text())["diagnostics"]
    assert (d["rule"], d["severity"], d["line"]) == ("NAV-E001", "error", 0) and d["hint"]
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(InputError) as err:
        api.read_report(bad)
    assert err.value.diagnostic().rule == INPUT_UNREADABLE == "NAV-E001"


# -- registries -------------------------------------------------------------------------------------

read_calls: list[tuple[str, str]] = []


def handles_fake(path: Path, head: bytes) -> bool:
    return head.startswith(b"FAKE REPORT")


def read_fake(path: str, codelists) -> Interpretation:
    read_calls.append(("read", path))
    return Interpretation(Report(source=path))


def write_fake_folder(report: Report, target: str, options: registry.WriteOptions) -> int:
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{Path(report.source).stem}.fake").write_text(str(len(report.observations)))
    return 1


def test_a_reader_is_one_registry_line_chosen_by_content(tmp_path, monkeypatch):
    fake = registry.ReaderEntry("fake", "tests.test_pipeline:read_fake", "tests.test_pipeline:handles_fake", (".fk",))
    monkeypatch.setattr(registry, "READERS", (fake, *registry.READERS))
    src = tmp_path / "x.txt"  # the name says text; the content decides
    src.write_bytes(b"FAKE REPORT\n1 2 3\n")
    read_calls.clear()
    report = pipeline.read_report(src)
    assert read_calls == [("read", str(src))] and report.checks == [] and report.observations == []
    assert registry.reader_for(SEEDS["2021"]).name == "text"
    assert registry.reader_for(tmp_path / "missing.txt").name == "text"  # the fallback explains the error
    assert registry.report_suffixes() == (".fk", ".xlsx", ".txt")


def test_a_folder_writer_is_one_registry_line(tmp_path, monkeypatch):
    entry = registry.WriterEntry("fake", "tests.test_pipeline:write_fake_folder", folder=True)
    monkeypatch.setitem(registry.WRITERS, "fake", entry)
    paths = [SEEDS["2021"], SEEDS["2024"]]
    assert _targets(paths, "fake", str(tmp_path / "out"), None) == [str(tmp_path / "out")] * 2
    with pytest.raises(Usage, match="writes a folder"):
        _targets(paths, "fake", "-", None)
    n = pipeline.write_report(api.read_report(paths[1]), entry, str(tmp_path / "out"))
    assert n == 1 and (tmp_path / "out" / f"{paths[1].stem}.fake").read_text() == "1131"
    # file writers: the extension comes from the registry
    assert _targets(paths, "sdmx-csv", str(tmp_path), None) == [str(tmp_path / f"{p.stem}.csv") for p in paths]


def test_every_writer_is_a_cli_format():
    r = run("convert", "--help")
    for fmt in registry.WRITERS:
        assert fmt in r.stdout
    for entry in (*registry.WRITERS.values(), registry.SPLIT_WRITER):
        assert callable(registry.load(entry.write))


# -- rules ------------------------------------------------------------------------------------------

RULE_ID = re.compile(r"NAV-[EWIQV]\d{3}")


def test_one_registry_of_rules():
    assert {r.kind for r in RULES.values()} == {"E", "W", "I", "Q", "V"}
    assert all(r.id == k and RULE_ID.fullmatch(k) for k, r in RULES.items())
    assert all(r.check for r in RULES.values() if r.kind == "Q")
    assert all(r.severity is Severity.ERROR for r in RULES.values() if r.kind == "E")
    # a conformance finding is an error, except the shapes' own warnings and a note on absent files
    assert {r.id for r in RULES.values() if r.kind == "V" and r.severity is not Severity.ERROR} == {
        "NAV-V202",
        "NAV-V208",
    }
    source = ROOT / "converter"
    used = {m for f in source.rglob("*.py") for m in RULE_ID.findall(f.read_text(encoding="utf-8"))}
    assert used <= set(RULES), used - set(RULES)


def test_rule_ids_are_constants_outside_the_rule_registry():
    allowed = {"rules.py"}
    for f in (ROOT / "converter").rglob("*.py"):
        if f.name not in allowed:
            assert not re.search(r"[\"']NAV-[EWIQV]\d{3}[\"']", f.read_text(encoding="utf-8")), f


# -- codelists of an installed wheel ----------------------------------------------------------------


def test_codelists_are_found_in_a_wheel_before_a_folder_beside_it(tmp_path, monkeypatch):
    import converter.codelists as codelists

    pkg = tmp_path / "site-packages" / "converter"
    (pkg / "_codelists").mkdir(parents=True)
    (pkg / "_codelists" / "MEASURE.yaml").write_text("id: MEASURE\n")
    (tmp_path / "site-packages" / "codelists").mkdir()  # someone else's folder beside the package
    (tmp_path / "site-packages" / "codelists" / "MEASURE.yaml").write_text("id: MEASURE\n")
    monkeypatch.delenv("NAVSTAT_CODELISTS", raising=False)
    monkeypatch.setattr(codelists, "__file__", str(pkg / "codelists.py"))
    assert codelist_dir() == pkg / "_codelists"
    monkeypatch.setenv("NAVSTAT_CODELISTS", str(tmp_path))
    assert codelist_dir() == tmp_path
    monkeypatch.delenv("NAVSTAT_CODELISTS")
    monkeypatch.setattr(codelists, "__file__", str(ROOT / "converter" / "codelists.py"))
    assert codelist_dir() == ROOT / "codelists"  # a checkout
