"""The shared dev set: 12 reports navstat was not built on, with the truth for every printed cell.

Holds the figures the reader reaches (recall 1.000, not one wrong, leaked or spurious number);
a regression in any class of label, heading or damaged row shows here first."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SHARED

DEVSET = SHARED / "devset"
NAVSTAT = Path(sys.executable).parent / "navstat"

pytestmark = pytest.mark.skipif(
    not (DEVSET / "score.py").is_file(), reason="../shared/devset is not beside the checkout"
)


def test_devset_scores():
    cmd = f"{NAVSTAT} convert {{input}} --to jsonstat -o {{output}}"
    run = subprocess.run(
        [sys.executable, str(DEVSET / "score.py"), "--cmd", cmd], capture_output=True, text=True, timeout=300
    )
    last = [line for line in run.stdout.splitlines() if line.startswith("synth:")]
    assert last, run.stdout + run.stderr
    figures = dict(re.findall(r"(\w+)=([\d.]+)", last[-1]))
    assert float(figures["recall"]) >= 0.995, last[-1]
    assert float(figures["precision"]) == 1.0, last[-1]
    for what in ("wrong", "leaks", "spurious", "docs_failed"):
        assert int(figures[what]) == 0, last[-1]
