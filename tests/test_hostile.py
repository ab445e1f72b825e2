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
import stat
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import EXE, SEEDS, run

SMALL = SEEDS["2024"]  # the smallest seed: 1131 observations


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
    """`-o /dev/null` used to rename a temporary file over the device (as root: /dev/null became a file).
    Tested on a named pipe of our own, never on a device other programs share."""
    import threading

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = run("-q", "convert", str(SMALL), "-o", str(fifo))
    assert r.returncode == 0, r.stderr
    reader.join(timeout=20)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe, not a file renamed over it
    assert got and json.loads(got[0])["class"] == "collection"


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
        if p.returncode < 0:  # the signal came while Python started, before navstat could handle it
            assert not files, err
            outcomes.add("nothing")
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


# -- item 11: every corruption of an output is rejected by `navstat validate` ------------------------

FLAVOURS = {
    "jsonstat": ("--to", "jsonstat"),
    "sdmx": ("--to", "sdmx"),
    "sdmx-generic": ("--to", "sdmx", "--sdmx-flavour", "generic"),
    "sdmx-csv": ("--to", "sdmx-csv"),
}
SUFFIX = {"jsonstat": ".json", "sdmx": ".xml", "sdmx-generic": ".xml", "sdmx-csv": ".csv"}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("outputs")
    out = {}
    for name, args in FLAVOURS.items():
        out[name] = folder / f"2024-{name}{SUFFIX[name]}"
        assert run("-q", "convert", str(SMALL), *args, "-o", str(out[name])).returncode == 0
    return out


def _edit_jsonstat(text: str, corruption: str) -> str:
    doc = json.loads(text)
    ds = doc["link"]["item"][1]  # by TILTAK: every group and measure with its total
    value, status = ds["value"], ds["status"]
    measure = ds["dimension"]["MEASURE"]["category"]["index"]
    n_time = ds["size"][-1]
    numbers = [p for p, v in enumerate(value) if isinstance(v, int) and v > 10]
    if corruption == "raised":
        value[numbers[0]] += 1000
    elif corruption == "two_edited":
        value[numbers[0]] += 7
        value[numbers[5]] -= 7
    elif corruption == "negative":
        value[numbers[0]] = -value[numbers[0]]
    elif corruption == "unknown_status":
        pos = next(p for p, s in status.items() if s == ":")
        status[pos] = "X"
    elif corruption == "confidential_number":
        pos = next(p for p, s in status.items() if s == ":")
        value[int(pos)] = 2
    elif corruption == "average":
        k = measure.index("SNITT_HIA")
        avg = next(p for p in numbers if (p // n_time) % len(measure) == k)
        value[avg] += 40
    elif corruption == "unknown_code":
        idx = ds["dimension"]["TILTAK"]["category"]["index"]
        label = ds["dimension"]["TILTAK"]["category"]["label"]
        label["NOSUCH"] = label.pop(idx[-1])
        idx[-1] = "NOSUCH"
    return json.dumps(doc)


def _edit_rows(text: str, corruption: str, fmt: str) -> str:
    """SDMX-ML (both flavours) and SDMX-CSV: the same edits on their observation lines."""
    if fmt == "sdmx-csv":
        value = re.compile(r"^(dataflow,.*,DELTAKERE,\d{4}-\d\d,)(\d+)(,,)$", re.M)
        conf = re.compile(r"^(dataflow,.*,)(,Q,C)$", re.M)
        status = re.compile(r",Q,C$", re.M)
        avg = re.compile(r"^(dataflow,.*,SNITT_HIA,\d{4}-\d\d,)(\d+)(,,)$", re.M)
    elif fmt == "sdmx":
        value = re.compile(r'(MEASURE="DELTAKERE" TIME_PERIOD="[\d-]+" OBS_VALUE=")(\d+)(")')
        conf = re.compile(r'(TIME_PERIOD="[\d-]+")( OBS_STATUS="Q")')
        status = re.compile(r'OBS_STATUS="Q"')
        avg = re.compile(r'(MEASURE="SNITT_HIA" TIME_PERIOD="[\d-]+" OBS_VALUE=")(\d+)(")')
    else:
        value = re.compile(r'(value="DELTAKERE"/>.{0,60}</generic:ObsKey><generic:ObsValue value=")(\d+)(")')
        conf = re.compile(r'(</generic:ObsKey>)(<generic:Attributes><generic:Value id="OBS_STATUS" value="Q"/>)')
        status = re.compile(r'id="OBS_STATUS" value="Q"')
        avg = re.compile(r'(value="SNITT_HIA"/>.{0,60}</generic:ObsKey><generic:ObsValue value=")(\d+)(")')
    bump = {"raised": 1000, "negative": None, "two_edited": 7}
    if corruption in bump:
        count = 2 if corruption == "two_edited" else 1
        step = bump[corruption]

        def edit(m: re.Match) -> str:
            new = -int(m.group(2)) - 1 if step is None else int(m.group(2)) + step
            return f"{m.group(1)}{new}{m.group(3)}"

        return value.sub(edit, text, count=count)
    if corruption == "average":
        return avg.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 40}{m.group(3)}", text, count=1)
    if corruption == "unknown_status":
        return status.sub(lambda m: m.group(0).replace("Q", "Z"), text, count=1)
    if corruption == "confidential_number":
        if fmt == "sdmx-csv":
            return conf.sub(lambda m: f"{m.group(1)}2,Q,C", text, count=1)
        if fmt == "sdmx":
            return conf.sub(lambda m: f'{m.group(1)} OBS_VALUE="2"{m.group(2)}', text, count=1)
        return conf.sub(lambda m: f'{m.group(1)}<generic:ObsValue value="2"/>{m.group(2)}', text, count=1)
    if corruption == "unknown_code":
        return (
            text.replace("TG_ARBEIDSPRAKSIS", "NOSUCH", 1)
            if fmt == "sdmx-csv"
            else re.sub(r'"TG_ARBEIDSPRAKSIS"', '"NOSUCH"', text, count=1)
        )
    raise AssertionError(corruption)


CORRUPTIONS = {  # what each breaks: one of these rules must be named
    "raised": ("NAV-V110",),
    "two_edited": ("NAV-V110", "NAV-V111"),
    "negative": ("NAV-V108", "NAV-V101"),
    "unknown_status": ("NAV-V109", "NAV-V101"),
    "confidential_number": ("NAV-V107",),
    "average": ("NAV-V111",),
    "unknown_code": ("NAV-V106", "NAV-V101"),
}


@pytest.mark.parametrize("fmt", list(FLAVOURS))
def test_the_untouched_output_is_valid(written, fmt):
    r = run("validate", str(written[fmt]))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
@pytest.mark.parametrize("fmt", list(FLAVOURS))
def test_every_corruption_is_rejected(written, tmp_path, fmt, corruption):
    text = written[fmt].read_text(encoding="utf-8")
    edited = _edit_jsonstat(text, corruption) if fmt == "jsonstat" else _edit_rows(text, corruption, fmt)
    assert edited != text, "the edit did not apply"
    bad = tmp_path / written[fmt].name
    bad.write_text(edited, encoding="utf-8")
    r = run("validate", str(bad))
    assert r.returncode == 1, r.stderr
    assert any(rule in r.stderr for rule in CORRUPTIONS[corruption]), r.stderr
    assert "Traceback" not in r.stderr


PX_EDITS = {  # PX (`navstat validate FILE.px`, px_check.py): the same corruptions, on the county table
    "raised": (r"(?m)^(\d+) ", lambda m: f"{int(m.group(1)) + 1000} ", ("NAV-V124",)),
    "negative": (r"(?m)^(\d+) ", lambda m: f"-{m.group(1)} ", ("NAV-V107", "NAV-V123", "NAV-V124")),
    "unknown_status": (r'"\.\.\."', lambda m: '"?"', ("NAV-V123",)),
    "confidential_number": (r'"\.\.\."', lambda m: "2", ("NAV-V107",)),
}


@pytest.mark.parametrize("corruption", list(PX_EDITS))
def test_every_corruption_of_a_px_file_is_rejected(tmp_path, corruption):
    assert run("-q", "convert", str(SMALL), "--to", "px", "-o", str(tmp_path / "px")).returncode == 0
    px = tmp_path / "px" / f"{SMALL.stem}.tiltak-fylke.px"
    text = px.read_bytes().decode("latin-1")
    head, data = text.split("DATA=", 1)
    pattern, edit, rules = PX_EDITS[corruption]
    edited = head + "DATA=" + re.sub(pattern, edit, data, count=1)
    assert edited != text
    px.write_bytes(edited.encode("latin-1"))
    r = run("validate", str(px))
    assert r.returncode == 1 and any(rule in r.stderr for rule in rules), r.stderr
