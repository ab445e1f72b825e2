"""Hostile runs of the installed command (issue 14): an output that is the input, bad --report paths, signals
at random points of a folder run checked against the files on disk, a closed standard output, and every
corruption of an output rejected by `navstat validate`."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import SEEDS

EXE = str(Path(sys.executable).parent / "navstat")
SMALL = SEEDS["2024"]  # the smallest seed: 1131 observations


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


# -- item 1: an output path that is an input --------------------------------------------------------


@pytest.mark.parametrize("flag", ["-o", "--report"])
def test_output_that_is_the_input_is_refused_before_reading(tmp_path, flag):
    src = tmp_path / "r.txt"
    shutil.copy(SMALL, src)
    before = src.read_bytes()
    extra = [] if flag == "-o" else ["-o", str(tmp_path / "r.json")]
    r = run("convert", str(src), flag, str(src), *extra)
    assert r.returncode == 2, r.stderr
    assert "is the input" in r.stderr and "Traceback" not in r.stderr
    assert src.read_bytes() == before
    assert not (tmp_path / "r.json").exists()


def test_output_that_is_the_input_by_another_name(tmp_path):
    src = tmp_path / "r.txt"
    shutil.copy(SMALL, src)
    (tmp_path / "link.txt").symlink_to(src)
    r = run("convert", str(src), "-o", "./link.txt", cwd=tmp_path)
    assert r.returncode == 2 and src.read_bytes() == SMALL.read_bytes()


def test_device_output_stays_a_device(tmp_path):
    """`-o /dev/null` used to rename a temporary file over the device (as root: /dev/null became a file)."""
    r = run("-q", "convert", str(SMALL), "-o", os.devnull)
    assert r.returncode == 0, r.stderr
    assert not Path(os.devnull).is_file()


# -- item 2: a bad --report fails before anything is written ----------------------------------------


@pytest.mark.parametrize("bad", ["missing/diag.json", "/proc/x.json", "."])
def test_bad_report_path_fails_before_the_data_is_written(tmp_path, bad):
    out = tmp_path / "r.json"
    r = run("-q", "convert", str(SMALL), "-o", str(out), "--report", bad, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not out.exists()


def test_report_and_output_the_same_path(tmp_path):
    out = tmp_path / "r.json"
    r = run("-q", "convert", str(SMALL), "-o", str(out), "--report", str(out))
    assert r.returncode == 2 and not out.exists()


# -- item 5: a closed standard output is not a data error -------------------------------------------


def test_broken_pipe_is_not_a_data_error():
    p = subprocess.Popen(
        [EXE, "-q", "convert", str(SEEDS["2022"]), "--to", "sdmx"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()  # as `| head -1` does
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert p.returncode == 141, err
    assert "Traceback" not in err and "output incomplete" in err


# -- items 3 and 7: a folder run says what it wrote -------------------------------------------------


def _folder(tmp_path: Path, n: int, seed: Path = SMALL) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        shutil.copy(seed, src / f"r{i:02d}.txt")
    return src


def test_folder_run_ends_with_a_tally(tmp_path):
    src = _folder(tmp_path, 2)
    (src / "bad.txt").write_text("nothing here\n", encoding="utf-8")
    r = run("-q", "convert", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "2 of 3 reports converted, 1 failed" in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r00.json", "r01.json"]


N_RUN = 24


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_signal_at_random_points_of_a_folder_run(tmp_path, jobs):
    src = _folder(tmp_path, N_RUN, SEEDS["2022"])  # about 50 ms a report
    rng = random.Random(14 + int(jobs))
    outcomes = set()
    for attempt in range(4):
        out = tmp_path / f"out{attempt}"
        p = subprocess.Popen(
            [EXE, "-q", "convert", str(src), "-o", str(out), "-j", jobs],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        p.send_signal(rng.choice([signal.SIGINT, signal.SIGTERM]))
        _, err = p.communicate(timeout=120)
        assert "Traceback" not in err
        files = sorted(out.iterdir()) if out.exists() else []
        assert not [f for f in files if f.name.startswith(".")], files  # no partial file
        for f in files:
            json.loads(f.read_text(encoding="utf-8"))  # every file written is complete
        if p.returncode == 0:
            assert len(files) == N_RUN
            outcomes.add("finished")
            continue
        assert p.returncode == 130, err
        m = re.search(rf"interrupted; (\d+) of {N_RUN} reports written .*, (\d+) not written", err)
        if m:
            assert int(m.group(1)) == len(files) and int(m.group(2)) == N_RUN - len(files), err
            assert len(re.findall("written: ", err)) == 0  # -q: the count only
            outcomes.add("partly")
        else:
            assert "interrupted; no output written" in err and not files, err
            outcomes.add("nothing")
    assert outcomes - {"finished"}, "no attempt was interrupted"


def test_signal_after_a_single_output_was_renamed_into_place(tmp_path, monkeypatch):
    """The outcome of a single conversion is read from the disk, not assumed."""
    from click.testing import CliRunner

    from converter import cli

    out = tmp_path / "r.json"

    real = cli._convert_one

    def convert_then_interrupt(task: dict) -> dict:
        real(task)
        raise KeyboardInterrupt  # the output is in place when the signal comes

    monkeypatch.setattr(cli, "_convert_one", convert_then_interrupt)
    res = CliRunner().invoke(cli.cli, ["-q", "convert", str(SMALL), "-o", str(out)])
    assert isinstance(res.exception, cli.Interrupted)
    assert "already complete" in str(res.exception) and out.exists()
