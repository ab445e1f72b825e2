"""The command line through the installed entry point (a subprocess, as users run it)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .conftest import EXE, ROOT, SEEDS, one_line_error, run


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("convert", "inspect", "structure", "validate", "codelists"):
        assert cmd in r.stdout
    assert run("--version").stdout.strip() == "navstat, version 0.1.0"


def test_convert_writes_jsonstat(tmp_path):
    out = tmp_path / "a.json"
    r = run("convert", str(SEEDS["2021"]), "--to", "jsonstat", "-o", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["class"] == "collection" and len(doc["link"]["item"]) == 3
    assert "2028 observations (348 confidential, 0 blank)" in r.stderr
    assert not list(tmp_path.glob(".*.part"))


def test_convert_to_stdout():
    r = run("-q", "convert", str(SEEDS["2024"]))
    assert r.returncode == 0 and json.loads(r.stdout)["version"] == "2.0" and r.stderr == ""


def test_missing_input_is_a_usage_error(tmp_path):
    r = run("convert", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.json"))
    assert r.returncode == 2
    assert "nope.txt: no such file" in one_line_error(r)
    assert not (tmp_path / "x.json").exists()


def test_unknown_format_is_a_usage_error(tmp_path):
    r = run("convert", str(SEEDS["2021"]), "--to", "xml", "-o", str(tmp_path / "x.json"))
    assert r.returncode == 2
    assert "'xml' is not one of" in one_line_error(r)
    assert not list(tmp_path.iterdir())


def test_unwritable_output_is_a_usage_error(tmp_path):
    r = run("convert", str(SEEDS["2021"]), "-o", str(tmp_path / "no" / "such" / "x.json"))
    assert r.returncode == 2
    assert "does not exist" in one_line_error(r)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        r = run("convert", str(SEEDS["2021"]), "-o", str(ro / "x.json"))
        assert r.returncode == 2 and "cannot write" in one_line_error(r)
    finally:
        ro.chmod(0o700)


def test_data_error_exit_1_and_no_output(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    r = run("convert", str(bad), "-o", str(tmp_path / "x.json"))
    assert r.returncode == 1 and "file is empty" in one_line_error(r)
    assert not (tmp_path / "x.json").exists()
    junk = tmp_path / "junk.txt"
    junk.write_text("just some words\nno tables here\n")
    r = run("convert", str(junk), "-o", str(tmp_path / "y.json"))
    assert r.returncode == 1 and not (tmp_path / "y.json").exists()


def test_errors_are_printed_as_file_line_severity_rule(tmp_path):
    r = run("convert", str(SEEDS["2023"]), "-o", str(tmp_path / "x.json"))
    assert r.returncode == 0
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"{SEEDS['2023']}:98: warning NAV-W020: ")


def test_strict_fails_on_warnings_and_writes_nothing(tmp_path):
    r = run("convert", "--strict", str(SEEDS["2023"]), "-o", str(tmp_path / "x.json"))
    assert r.returncode == 1 and not (tmp_path / "x.json").exists()
    r = run("convert", "--strict", str(SEEDS["2021"]), "-o", str(tmp_path / "y.json"))
    assert r.returncode == 0 and (tmp_path / "y.json").exists()


def test_machine_readable_diagnostics(tmp_path):
    r = run("-q", "convert", str(SEEDS["2023"]), "-o", str(tmp_path / "x.json"), "--report", str(tmp_path / "d.json"))
    assert r.returncode == 0
    diags = json.loads((tmp_path / "d.json").read_text())["diagnostics"]
    e = next(d for d in diags if d["rule"] == "NAV-E012")
    assert set(e) == {"rule", "severity", "file", "line", "message", "hint", "keys"}
    assert (e["line"], e["severity"]) == (99, "error") and e["hint"]
    # the cells it concerns (issue 14): its 12 values fit none of the 13 columns for sure, so all 13 cells
    # of '03 Oslo' are unknown, each with its codes, measure and month
    assert len(e["keys"]) == 13 and {k["FYLKE"] for k in e["keys"]} == {"03"}


def test_inspect_shows_tables_accounting_and_rules():
    r = run("inspect", str(SEEDS["2024"]))
    assert r.returncode == 0
    assert "cells    in 1325 = emitted 1131 + merged 194 + diagnosed 0" in r.stdout
    assert "by FYLKE" in r.stdout and "NAV-W020" in r.stdout
    j = json.loads(run("inspect", "--json", str(SEEDS["2024"])).stdout)
    assert j["accounting"]["cells_in"] == 1325 and j["metadata"]["report_id"] == "TILT120"
    checks = {c["rule"]: (c["passed"], c["failed"]) for c in j["checks"]}
    assert checks["NAV-Q201"] == (247, 0) and checks["NAV-Q205"] == (1, 18)
    assert "passed   247 failed    0" in r.stdout


def test_codelists_command():
    r = run("codelists")
    assert r.returncode == 0 and "FYLKE" in r.stdout and "klass:104" in r.stdout
    r = run("codelists", "FYLKE", "--at", "2022-06")
    assert "Viken" in r.stdout and "Vestfold og Telemark" in r.stdout and "Akershus" not in r.stdout
    r = run("codelists", "TILTAK", "--resolve", "Jobbkлубb")
    assert r.returncode == 0 and "JOBBK" in r.stdout
    r = run("codelists", "FYLKE", "--at", "2024-03", "--resolve", "Viken")
    assert r.returncode == 1 and "not in force" in r.stdout
    r = run("codelists", "NOPE")
    assert r.returncode == 2 and "unknown dimension" in one_line_error(r)


def test_many_inputs_into_a_folder(tmp_path):
    r = run("-q", "convert", str(SEEDS["2021"]), str(SEEDS["2024"]), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2021-tiltak-hovedgrupper.json",
        "2024-tilt120-arbeidspraksis.json",
    ]
    r = run("-q", "convert", str(ROOT / "examples" / "reports"), "-o", str(tmp_path))
    assert r.returncode == 0 and len(list(tmp_path.glob("*.json"))) == 5


def test_jobs_give_the_same_outputs_as_one_process(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    r1 = run("-q", "convert", str(ROOT / "examples" / "reports"), "--to", "sdmx-csv", "-o", str(one))
    r2 = run("-q", "convert", str(ROOT / "examples" / "reports"), "--to", "sdmx-csv", "-o", str(two), "--jobs", "3")
    assert r1.returncode == r2.returncode == 0
    assert r1.stderr == r2.stderr  # diagnostics in input order whatever the timing
    for f in one.iterdir():
        assert f.read_bytes() == (two / f.name).read_bytes()


def test_progress_bar_only_on_a_terminal(tmp_path):
    import pty

    r = run("convert", str(SEEDS["2021"]), str(SEEDS["2024"]), "-o", str(tmp_path))
    assert "converting" not in r.stderr  # stderr is a pipe here
    master, slave = pty.openpty()
    p = subprocess.Popen(
        [EXE, "convert", str(SEEDS["2021"]), str(SEEDS["2024"]), "-o", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=60)
    os.close(master)
    assert p.returncode == 0 and b"converting" in b"".join(chunks)
