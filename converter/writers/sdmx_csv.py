"""Report -> SDMX-CSV 2.0 (one row per observation, codes as text so "03" stays "03").

Columns: STRUCTURE, STRUCTURE_ID, ACTION, the dimensions, OBS_VALUE, OBS_STATUS, CONF_STATUS. A missing
value (`*`, a blank cell, or a figure the report prints that navstat left out: OBS_STATUS "L") is an
empty OBS_VALUE with its status; SDMX-CSV 2.0 defines no token for it.
"""

from __future__ import annotations

import csv
from typing import IO, TYPE_CHECKING

from ..model import DIMENSIONS, STATUS_SYMBOLS, Report, Status
from ..outputs import write_with
from .sdmx_common import AGENCY, DATAFLOW_ID, VERSION

if TYPE_CHECKING:
    from ..registry import WriteOptions

HEADER = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    *DIMENSIONS,
    "MEASURE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "CONF_STATUS",
]
STRUCTURE_ID = f"{AGENCY}:{DATAFLOW_ID}({VERSION})"


def write(report: Report, out: IO[str]) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    lead = ["dataflow", STRUCTURE_ID, "I"]
    for o in [*report.observations, *report.withheld_observations()]:  # left-out cells last, status "L"
        if o.status is Status.VALUE:
            tail = [str(o.value), "", ""]
        else:
            sym = STATUS_SYMBOLS[o.status]
            tail = ["", sym["sdmx_obs"], sym["sdmx_conf"] or ""]
        w.writerow([*lead, *o.key, o.measure, o.period, *tail])


def write_file(report: Report, target: str, options: WriteOptions) -> int:
    """`--to sdmx-csv`: one file, written atomically."""
    write_with(target, lambda fh: write(report, fh))
    return 1
