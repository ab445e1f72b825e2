"""Shared fixtures: the example reports (copies of the seeds) read once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from converter.model import DIMENSIONS, Report
from converter.pipeline import read_reconciled

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "examples" / "reports"
SHARED = ROOT.parent / "shared"
SEEDS = {
    "2014": REPORTS / "2014-tiltak-kjonn.txt",  # seed 001
    "2021": REPORTS / "2021-tiltak-hovedgrupper.txt",  # seed 000
    "2022": REPORTS / "2022-fylke-tiltaksgruppe.txt",  # seed 002
    "2023": REPORTS / "2023-oppfolging-demografi.txt",  # seed 004
    "2024": REPORTS / "2024-tilt120-arbeidspraksis.txt",  # seed 003
}

_cache: dict[str, Report] = {}


def seed_report(name: str) -> Report:
    if name not in _cache:
        _cache[name] = read_reconciled(str(SEEDS[name]))
    return _cache[name]


@pytest.fixture(scope="session", params=sorted(SEEDS))
def any_seed(request) -> tuple[str, Report]:
    return request.param, seed_report(request.param)


def key(**dims: str) -> tuple[str, ...]:
    """A full key with `_T` for every dimension not given: key(TILTAK="MENTOR", FYLKE="03")."""
    unknown = set(dims) - set(DIMENSIONS)
    assert not unknown, unknown
    return tuple(dims.get(d, "_T") for d in DIMENSIONS)


def index(report: Report) -> dict:
    return {(o.key, o.measure, o.period): o for o in report.observations}


# The installed `navstat` command, run as users run it (a subprocess).
EXE = shutil.which("navstat", path=str(Path(sys.executable).parent)) or shutil.which("navstat") or "navstat"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def one_line_error(r: subprocess.CompletedProcess) -> str:
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]
