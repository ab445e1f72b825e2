"""Python API for analysts: reports and navstat JSON-stat files as tidy pandas DataFrames.

pyjstat drops JSON-stat `status`; these functions keep it, so a confidential cell stays marked
confidential (value missing, status "confidential") and never turns into a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import pipeline
from .codelists import load_codelists
from .model import DIMENSIONS, Observation, Report, Status
from .readers import jsonstat_back
from .writers import jsonstat

_STATUS_NAME = {
    Status.VALUE: "",
    Status.CONFIDENTIAL: "confidential",
    Status.BLANK: "blank",
    Status.WITHHELD: "withheld",  # printed by the report, left out by navstat: no value
}
COLUMNS = [*DIMENSIONS, "MEASURE", "TIME_PERIOD", "value", "status"]


def read_report(path: str | Path) -> Report:
    """Read, reconcile and check a NAV report extract: the same Report as `navstat convert` makes,
    with the checks in `report.checks` and their findings among `report.diagnostics`. Raises
    `converter.readers.textio.InputError` (NAV-E001) when the file cannot be read at all."""
    return pipeline.read_report(path)


def observations_frame(observations: list[Observation]) -> pd.DataFrame:
    """Observations -> tidy DataFrame: one row per figure, codes as strings, value as Int64."""
    rows = [(*o.key, o.measure, o.period, o.value, _STATUS_NAME[o.status]) for o in observations]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["value"] = df["value"].astype("Int64")
    for c in COLUMNS:
        if c != "value":
            df[c] = df[c].astype("string")
    return df


class NoObservations(ValueError):
    """The input was read but holds no figures navstat could read (not a NAV report, or all damaged).
    `diagnostics` holds what the reader found, as the command line prints them."""

    def __init__(self, report: Report):
        first = next((d.format() for d in report.errors), f"{report.source}:0: no table found")
        super().__init__(f"{first} (no observations could be read)")
        self.diagnostics = list(report.diagnostics)


def to_dataframe(report: Report | str | Path) -> pd.DataFrame:
    """A report (or the path of one) as a tidy DataFrame that keeps the status of every cell.

    `df.attrs` carries what the command line reports beside the figures: "diagnostics" (their dicts, with
    keys where they concern cells) and "left_out" (every figure the report prints but navstat left out,
    with key, line and reason). Raises `NoObservations` when no figure could be read (the command line
    exits 1 then), and `readers.textio.InputError` when the file cannot be read at all."""
    if not isinstance(report, Report):
        report = read_report(report)
    if not report.observations:
        raise NoObservations(report)
    df = observations_frame(report.observations)
    df.attrs["diagnostics"] = [d.as_dict() for d in report.diagnostics]
    df.attrs["left_out"] = report.left_out_cells()
    return df


def to_jsonstat(report: Report, lang: str = "nb") -> dict:
    """A report as a JSON-stat 2.0 collection (a dict; `json.dumps` it or use writers.jsonstat.dumps)."""
    return jsonstat.collection(report, load_codelists(), lang)


def read_jsonstat(path: str | Path) -> pd.DataFrame:
    """A navstat JSON-stat file (collection or dataset) as a tidy DataFrame with the status column."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return observations_frame(jsonstat_back.to_observations(doc))
