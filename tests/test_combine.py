"""navstat combine: generated county reports of 2022-2024 (known truth) merged into one series, with
revisions decided by release and counties recoded through the KLASS 104 correspondences."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from converter.codelists import load_codelists
from converter.combine import combine
from converter.harmonise import mean_half_up, recoding
from converter.model import Status
from converter.pipeline import read_text
from converter.readers import jsonstat_back
from converter.writers import sdmx_structure

from .conftest import ROOT, run
from .countygen import MEASURES, county_report, key

CL = load_codelists()
MERGES_2020 = {"30": ("31", "32", "33"), "38": ("39", "40"), "54": ("55", "56")}
SPLIT_2024 = {"30", "38", "54"}
# Arbeidstrening: no `*`, so every merged county has its sum; Arbeidsforberedende trening: many `*`.
SMALL = {"ARBTREN": 0.0, "ARBFORB": 0.3}


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> tuple[Path, dict]:
    """Reports of 2022, 2023 (2020 counties) and 2024 (2024 counties), and the truth of each."""
    d = tmp_path_factory.mktemp("series")
    truth = {}
    for year in (2022, 2023, 2024):
        r = county_report(year, updated=f"{year + 1}-01-05", small=SMALL)
        (d / f"{year}.txt").write_text(r.text, encoding="utf-8")
        truth[year] = r
    return d, truth


def figures(path: Path) -> dict[tuple, tuple]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {o.full_key: (o.value, o.status) for o in jsonstat_back.to_observations(doc)}


def fk(measure: str, county: str, kind: str, period: str) -> tuple:
    return (*key(TILTAK=measure, FYLKE=county), kind, period)


def test_recodings_from_the_correspondences():
    fylke = CL["FYLKE"]
    to2020 = recoding(fylke, "2024", "2020")
    assert to2020.outcome("31").parts == ("31", "32", "33") and to2020.outcome("31").target == "30"
    assert to2020.outcome("56").target == "54" and to2020.outcome("03").parts == ("03",)
    assert recoding(fylke, "2006", "2018").outcome("17").parts == ("16", "17")
    from2018 = recoding(fylke, "2018", "2020")
    assert from2018.outcome("09").parts == ("09", "10")  # Agder: a whole merge
    why = from2018.outcome("01").reason  # Viken is not 01 + 02 + 06: Jevnaker, Lunner and Svelvik moved in
    assert from2018.outcome("01").target is None and "Jevnaker" in why and "Svelvik" in why and "01 + 02 + 06" in why
    assert from2018.outcome("14").target is None and "Hornindal" in from2018.outcome("14").reason
    assert from2018.outcome("15").target is None and "Halsa" in from2018.outcome("15").reason
    assert from2018.outcome("18").target is None and "Tjeldsund" in from2018.outcome("18").reason
    assert recoding(fylke, "2020", "2024").outcome("30").target is None
    for special in ("99", "_O", "_T"):
        assert to2020.outcome(special).target == special


def test_harmonised_to_2020_counties(series, tmp_path):
    folder, truth = series
    out = tmp_path / "series.json"
    inputs = [str(folder / f"{y}.txt") for y in (2022, 2023, 2024)]
    res = run("combine", *inputs, "--fylke-version", "2020", "-o", str(out))
    assert res.returncode == 0, res.stderr
    got = figures(out)
    t24 = truth[2024]
    sums = nones = recomputed = 0
    for measure in MEASURES:
        for target, parts in MERGES_2020.items():
            months = []
            for m in range(1, 13):
                p = f"2024-{m:02d}"
                printed = [t24.truth[fk(measure, c, "DELTAKERE", p)] for c in parts]
                value, status = got[fk(measure, target, "DELTAKERE", p)]
                if all(s is Status.VALUE for _, s in printed):
                    assert (value, status) == (sum(v for v, _ in printed), Status.VALUE)
                    sums += 1
                else:  # never a partial sum: a `*` part leaves the county without a number
                    # left out (not "confidential", which says 0-3): the sum with a `*` part may be any size
                    assert (value, status) == (None, Status.WITHHELD)
                    nones += 1
                months.append(value)
            average = got[fk(measure, target, "SNITT_HIA", "2024-12")]
            if None not in months:
                assert average == (mean_half_up(months), Status.VALUE)
                rounded_parts = sum(t24.truth[fk(measure, c, "SNITT_HIA", "2024-12")][0] for c in parts)
                recomputed += rounded_parts != average[0]
            else:
                assert average[0] is None
        for c in ("31", "32", "33", "39", "40", "55", "56"):
            assert not any(k[2] == c for k in got)
    assert sums >= 36 and nones >= 6 and recomputed >= 1  # the data exercises every branch
    # counties kept, the totals, Ukjent, and all of 2022 and 2023: exactly as printed
    for year in (2022, 2023, 2024):
        for k, v in truth[year].truth.items():
            if k[2] not in {c for parts in MERGES_2020.values() for c in parts}:
                assert got[k] == v, k
    assert "NAV-E" not in res.stderr


def test_2024_version_refuses_split_counties(series, tmp_path):
    folder, truth = series
    out, rep = tmp_path / "series.json", tmp_path / "report.json"
    res = run(
        "combine", *(str(folder / f"{y}.txt") for y in (2022, 2023, 2024)), "--fylke-version", "2024",
        "-o", str(out), "--report", str(rep),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    got = figures(out)
    assert not any(k[2] in SPLIT_2024 for k in got)  # never a number, never apportioned
    assert not any(k[2] in {"31", "32", "33", "39", "40", "55", "56"} and k[-1] < "2024" for k in got)
    for year in (2022, 2023):
        for k, v in truth[year].truth.items():
            if k[2] not in SPLIT_2024:
                assert got[k] == v
    for k, v in truth[2024].truth.items():
        assert got[k] == v
    errors = [line for line in res.stderr.splitlines() if "NAV-E053" in line]
    assert len(errors) == 6  # 30, 38, 54 in each of 2022 and 2023
    assert all("correspondence 2020 -> 2024 splits" in e for e in errors)
    assert any(e.startswith(str(folder / "2022.txt")) and "FYLKE 30 " in e for e in errors)
    refused = json.loads(rep.read_text())["refused"]
    assert {(Path(r["file"]).name, r["code"], r["figures"]) for r in refused} == {
        (f"{y}.txt", c, 2 * 13) for y in (2022, 2023) for c in SPLIT_2024
    }


def test_a_report_over_several_years_is_recoded_year_by_year(series, tmp_path):
    # one file with 2023 (2020 counties) and 2024 (2024 counties): each table's codes are of its own year
    _, truth = series
    both = tmp_path / "2023-2024.txt"
    both.write_text(truth[2023].text + "\n" + truth[2024].text, encoding="utf-8")
    out = tmp_path / "out.json"
    res = run("combine", str(both), "--fylke-version", "2020", "-o", str(out))
    assert res.returncode == 0 and "NAV-E053" not in res.stderr, res.stderr
    got = figures(out)
    viken_2023 = fk("ARBTREN", "30", "DELTAKERE", "2023-05")
    assert got[viken_2023] == truth[2023].truth[viken_2023]
    parts = [truth[2024].truth[fk("ARBTREN", c, "DELTAKERE", "2024-05")][0] for c in MERGES_2020["30"]]
    assert got[fk("ARBTREN", "30", "DELTAKERE", "2024-05")] == (sum(parts), Status.VALUE)


def _revision_pair(tmp_path: Path, first: str | None, second: str | None) -> tuple[Path, Path]:
    half = county_report(2024, last=6, updated=first, set_values={("ARBTREN", "03", 3): 500})
    year = county_report(2024, last=12, updated=second, set_values={("ARBTREN", "03", 3): 520})
    (tmp_path / "jan-jun.txt").write_text(half.text, encoding="utf-8")
    (tmp_path / "jan-dec.txt").write_text(year.text, encoding="utf-8")
    return tmp_path / "jan-jun.txt", tmp_path / "jan-dec.txt"


def test_later_report_wins_and_every_revision_is_reported(tmp_path):
    half, year = _revision_pair(tmp_path, "2024-07-05", "2025-01-05")
    out, rep = tmp_path / "out.json", tmp_path / "report.json"
    res = run("combine", str(year), str(half), "-o", str(out), "--report", str(rep))
    assert res.returncode == 0, res.stderr
    got = figures(out)
    assert got[fk("ARBTREN", "03", "DELTAKERE", "2024-03")] == (520, Status.VALUE)
    revisions = json.loads(rep.read_text())["revisions"]
    assert len(revisions) == 2  # the county and the total it adds up to
    r03 = next(r for r in revisions if r["key"] == {"TILTAK": "ARBTREN", "FYLKE": "03"})
    assert (r03["old"]["value"], r03["new"]["value"], r03["period"]) == (500, 520, "2024-03")
    assert Path(r03["old"]["file"]).name == "jan-jun.txt" and Path(r03["new"]["file"]).name == "jan-dec.txt"
    assert r03["old"]["lines"] and r03["new"]["lines"] and "updated 2025-01-05" in r03["reason"]
    assert sum("NAV-W050" in line for line in res.stderr.splitlines()) == 2
    # both averages stay at their own months, as printed; the one whose months were revised is flagged
    half_avg = county_report(2024, last=6, set_values={("ARBTREN", "03", 3): 500})
    for c in ("03", "11", "_T"):
        assert got[fk("ARBTREN", c, "SNITT_HIA", "2024-06")] == half_avg.truth[fk("ARBTREN", c, "SNITT_HIA", "2024-06")]
    assert fk("ARBTREN", "03", "SNITT_HIA", "2024-12") in got
    flagged = [line for line in res.stderr.splitlines() if "NAV-W052" in line]
    assert len(flagged) == 2 and all("2024-06" in f and "2024-03" in f for f in flagged)
    # the same bytes whatever the order of the arguments
    again = tmp_path / "again.json"
    assert run("combine", str(half), str(year), "-o", str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_period_decides_without_dates_and_a_tie_is_left_out(tmp_path):
    half, year = _revision_pair(tmp_path, None, None)
    out = tmp_path / "out.json"
    res = run("combine", str(half), str(year), "-o", str(out))
    assert res.returncode == 0 and "period ends 2024-12, after 2024-06" in res.stderr
    assert figures(out)[fk("ARBTREN", "03", "DELTAKERE", "2024-03")] == (520, Status.VALUE)
    a = county_report(2024, updated="2025-01-05", set_values={("ARBTREN", "03", 3): 500})
    b = county_report(2024, updated="2025-01-05", set_values={("ARBTREN", "03", 3): 520})
    (tmp_path / "a.txt").write_text(a.text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(b.text, encoding="utf-8")
    res = run("combine", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out))
    assert res.returncode == 0
    got = figures(out)
    # left out, and marked so (issue 14): no number, a status of its own
    assert got[fk("ARBTREN", "03", "DELTAKERE", "2024-03")] == (None, Status.WITHHELD)
    assert got[fk("ARBTREN", "03", "DELTAKERE", "2024-04")] == a.truth[fk("ARBTREN", "03", "DELTAKERE", "2024-04")]
    assert got[fk("ARBTREN", "03", "SNITT_HIA", "2024-12")] == (None, Status.WITHHELD)  # the averages differ too
    # the county and its total, in March and in the average: each left out with an error
    assert sum("NAV-E051" in line for line in res.stderr.splitlines()) == 4


def test_combining_can_make_a_suppressed_cell_derivable():
    # A prints 03 and 11 as `*` in January (two stars: nothing derivable); a later report B prints only
    # the total and a revised 11. Together, 03 = total - every other county.
    values = {("ARBTREN", "03", 1): 2, ("ARBTREN", "11", 1): 1}
    a = county_report(2024, updated="2025-01-05", small={"ARBTREN": 0.0}, set_values=values)
    b = county_report(
        2024, updated="2025-02-05", small={"ARBTREN": 0.0}, set_values={**values, ("ARBTREN", "11", 1): 40},
        only={"11"},
    )  # fmt: skip
    reports = [read_text(a.text, "a.txt"), read_text(b.text, "b.txt")]
    from converter.validate import check_report

    for r in reports:
        r.checks = check_report(r)
    found = [d for d in combine(reports).report.diagnostics if d.rule == "NAV-W055"]
    assert [(d.file, "FYLKE=03" in d.message, "2024-01" in d.message) for d in found] == [("a.txt", True, True)]
    # the audit of each report alone finds nothing, and combining a report with itself adds nothing
    assert not [d for d in combine([reports[0], reports[0]]).report.diagnostics if d.rule == "NAV-W055"]


# -- the combined files pass the same client checks as single reports -------------------------------


@pytest.fixture(scope="module")
def outputs(series, tmp_path_factory) -> dict[str, Path]:
    folder, _ = series
    d = tmp_path_factory.mktemp("combined")
    inputs = [str(folder / f"{y}.txt") for y in (2022, 2023, 2024)]
    files = {"jsonstat": d / "c.json", "sdmx": d / "c.xml", "sdmx-csv": d / "c.csv", "generic": d / "g.xml"}
    for fmt in ("jsonstat", "sdmx", "sdmx-csv"):
        assert run("combine", *inputs, "--fylke-version", "2020", "--to", fmt, "-o", str(files[fmt])).returncode == 0
    args = ("--to", "sdmx", "--sdmx-flavour", "generic", "-o", str(files["generic"]))
    assert run("combine", *inputs, "--fylke-version", "2020", *args).returncode == 0
    (d / "structure.xml").write_bytes(sdmx_structure.structure_message(CL))
    files["structure"] = d / "structure.xml"
    return files


def test_navstat_validate_accepts_the_combined_files(outputs):
    for fmt in ("jsonstat", "sdmx", "generic"):
        res = run("validate", str(outputs[fmt]))
        assert res.returncode == 0, res.stderr


def test_combined_jsonstat_official_schema_and_pyjstat(outputs):
    from jsonschema import Draft202012Validator, FormatChecker
    from pyjstat import pyjstat

    doc = json.loads(outputs["jsonstat"].read_text(encoding="utf-8"))
    schema = ROOT / "converter" / "schemas" / "jsonstat"  # the vendored official schemas
    coll = Draft202012Validator(json.loads((schema / "collection.json").read_text()), format_checker=FormatChecker())
    ds = Draft202012Validator(json.loads((schema / "dataset.json").read_text()), format_checker=FormatChecker())
    assert not [e.message for e in coll.iter_errors(doc)]
    for item in doc["link"]["item"]:
        standalone = {"version": "2.0", **item}
        assert not [e.message for e in ds.iter_errors(standalone)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pyjstat.Dataset.read(json.dumps(standalone)).write("dataframe", naming="id")
        ours = [v for v in item["value"] if v is not None]
        assert sorted(df["value"].dropna().astype(int).tolist()) == sorted(ours)


def _as_set(df: pd.DataFrame) -> set[tuple]:
    from converter.model import DIMENSIONS

    out = set()
    for row in df.itertuples(index=False):
        r = row._asdict()
        value = None if pd.isna(r["OBS_VALUE"]) or r["OBS_VALUE"] == "" else int(r["OBS_VALUE"])
        symbols = {"Q": Status.CONFIDENTIAL, "O": Status.BLANK, "L": Status.WITHHELD}
        status = symbols.get(r.get("OBS_STATUS") or "", Status.VALUE)
        out.add(((*(str(r[d]) for d in DIMENSIONS), str(r["MEASURE"]), str(r["TIME_PERIOD"])), value, status))
    return out


def test_combined_sdmx_read_by_sdmx1_pysdmx_and_pandas(outputs):
    import sdmx
    from pysdmx.io import get_datasets

    expected = {(k, *v) for k, v in figures(outputs["jsonstat"]).items()}
    for flavour in ("sdmx", "generic"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = get_datasets(str(outputs[flavour]), str(outputs["structure"]))[0]
            dsd = sdmx.read_sdmx(outputs["structure"]).structure["DSD_TILTAKSDELTAKERE"]
            data = sdmx.read_sdmx(outputs[flavour], structure=dsd).data[0]
        assert _as_set(ds.data.astype(object).where(ds.data.notna(), None)) == expected
        assert len(data.obs) == len(expected)
    csv = pd.read_csv(outputs["sdmx-csv"], dtype=str, keep_default_na=False)
    assert _as_set(csv) == expected


def test_usage_and_data_errors_write_nothing(series, tmp_path):
    folder, _ = series
    out = tmp_path / "out.json"
    bad = tmp_path / "bad.txt"
    bad.write_text("no report here\n", encoding="utf-8")
    res = run("combine", str(folder / "2022.txt"), str(bad), "-o", str(out))
    assert res.returncode == 1 and "bad.txt" in res.stderr and not out.exists()
    res = run("combine", str(folder / "2022.txt"), "-o", str(tmp_path))
    assert res.returncode == 2 and "folder" in res.stderr
    res = run("combine", str(folder / "2022.txt"), "--fylke-version", "1999", "-o", str(out))
    assert res.returncode == 2 and not out.exists()
    res = run("combine", str(folder / "2022.txt"), str(folder / "2024.txt"), "--fylke-version", "2024", "--strict")
    assert res.returncode == 1 and "nothing written" in res.stderr and not res.stdout
    # the harmonised output says what `:` on a merged county means
    res = run("combine", str(folder / "2024.txt"), "--fylke-version", "2020", "-o", str(out))
    assert res.returncode == 0
    assert any("en del er skjermet" in n for n in json.loads(out.read_text(encoding="utf-8"))["note"])
