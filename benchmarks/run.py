"""Benchmark navstat end to end against peers, on the same data, in one run.

    python benchmarks/run.py                 # 1,000,000 cells and a 100,000-cell scaling run
    python benchmarks/run.py --cells 20000 --repeat 1 --scaling 0   # a smoke run

Every measurement runs in a fresh process (so peak RSS is its own); tasks are interleaved and each
is repeated; medians are reported. navstat is timed end to end (read, resolve, reconcile, check,
write); the peers are timed writing only, from observations navstat already read:

- pyjstat 2.4: `Dataset.read(DataFrame)` + `write()` of the same dense cubes, one per breakdown;
- pysdmx: `write_sdmx(..., Format.DATA_SDMX_ML_2_1_STR)` of the same observations;
- floor: reading the file and splitting it into lines and tab-separated cells.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

TASKS = ("floor", "navstat-jsonstat", "navstat-sdmx", "navstat-sdmx-csv", "pyjstat", "pysdmx")
SCALED = ("navstat-jsonstat", "navstat-sdmx")  # the scaling run: one JSON and one XML writer


def measure(task: str, report: str, workdir: str) -> dict:
    """Run one task in a fresh Python process; it reports its own time and peak RSS."""
    r = subprocess.run(
        [sys.executable, str(HERE / "run.py"), "--task", task, "--report", report, "--workdir", workdir],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if r.returncode != 0:
        raise RuntimeError(f"{task} failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dense_frames(report):
    """The JSON-stat cubes navstat writes, as sorted dense DataFrames (what pyjstat needs)."""
    import itertools

    import pandas as pd

    from converter.codelists import load_codelists
    from converter.model import DIMENSIONS
    from converter.writers.jsonstat import breakdowns, ordered_codes

    cl = load_codelists()
    frames = []
    for b in breakdowns(report):
        obs = [o for o in report.observations if b in o.breakdowns]
        pos = [DIMENSIONS.index(d) for d in b]
        cats = [ordered_codes(cl[d], {o.key[i] for o in obs}) for d, i in zip(b, pos, strict=True)]
        cats += [sorted({o.measure for o in obs}), sorted({o.period for o in obs})]
        values = {(*(o.key[i] for i in pos), o.measure, o.period): o.value for o in obs}
        rows = [(*combo, values.get(combo)) for combo in itertools.product(*cats)]
        frames.append(pd.DataFrame(rows, columns=[*b, "MEASURE", "TIME_PERIOD", "value"]))
    return frames


def task(name: str, report_path: str, workdir: str) -> dict:
    """One measurement, inside its own process."""
    if name == "floor":
        t = time.perf_counter()
        with open(report_path, encoding="utf-8") as fh:
            n = sum(len(line.split("\t")) for line in fh.read().split("\n"))
        return {"seconds": time.perf_counter() - t, "rss_mb": _rss_mb(), "units": n}
    if name.startswith("navstat-"):
        from converter.cli import main

        fmt = name[len("navstat-") :]
        out = os.path.join(workdir, f"out.{fmt}")
        t = time.perf_counter()
        try:
            main(["-q", "convert", report_path, "--to", fmt, "-o", out])
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
        return {"seconds": time.perf_counter() - t, "rss_mb": _rss_mb(), "bytes": os.path.getsize(out)}
    if name == "prepare":  # once per run: the peers write what navstat read, loaded from a pickle
        import pickle

        from converter.pipeline import read_reconciled

        with open(os.path.join(workdir, "report.pickle"), "wb") as fh:
            pickle.dump(read_reconciled(report_path), fh, protocol=pickle.HIGHEST_PROTOCOL)
        return {"seconds": 0.0, "rss_mb": _rss_mb()}
    import pickle

    with open(os.path.join(workdir, "report.pickle"), "rb") as fh:
        report = pickle.load(fh)
    if name == "pyjstat":
        import warnings

        from pyjstat import pyjstat

        frames = _dense_frames(report)
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        size = 0
        for df in frames:
            size += len(pyjstat.Dataset.read(df, source="NAV").write())
        return {
            "seconds": time.perf_counter() - t,
            "rss_mb": _rss_mb(),
            "bytes": size,
            "cells": int(sum(len(f) for f in frames)),
        }
    if name == "pysdmx":
        import pandas as pd
        from pysdmx.io import read_sdmx, write_sdmx
        from pysdmx.io.format import Format
        from pysdmx.io.pd import PandasDataset
        from pysdmx.model import Schema

        from converter.codelists import load_codelists
        from converter.model import DIMENSIONS
        from converter.writers import sdmx_structure

        structure = os.path.join(workdir, "structure.xml")
        with open(structure, "wb") as fh:
            fh.write(sdmx_structure.structure_message(load_codelists()))
        dsd = next(s for s in read_sdmx(structure).structures if type(s).__name__ == "DataStructureDefinition")
        schema = (
            dsd.to_schema()
            if hasattr(dsd, "to_schema")
            else Schema("datastructure", "NAV", "DSD_TILTAKSDELTAKERE", dsd.components, "1.0")
        )
        rows = [
            (
                *o.key,
                o.measure,
                o.period,
                o.value,
                "Q" if o.status.name == "CONFIDENTIAL" else ("O" if o.status.name == "BLANK" else ""),
                "C" if o.status.name == "CONFIDENTIAL" else "",
            )
            for o in report.observations
        ]
        df = pd.DataFrame(
            rows, columns=[*DIMENSIONS, "MEASURE", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]
        )
        out = os.path.join(workdir, "pysdmx.xml")
        t = time.perf_counter()
        ds = PandasDataset(structure=schema, data=df)
        write_sdmx(ds, Format.DATA_SDMX_ML_2_1_STR, output_path=out)
        return {"seconds": time.perf_counter() - t, "rss_mb": _rss_mb(), "bytes": os.path.getsize(out)}
    raise SystemExit(f"unknown task {name}")


def bench(cells: int, repeat: int, workdir: str, tasks=TASKS) -> dict:
    from benchmarks.make_report import write_report

    path = os.path.join(workdir, f"report-{cells}.txt")
    with open(path, "w", encoding="utf-8") as fh:
        n = write_report(fh, cells)
    results: dict[str, list[dict]] = {t: [] for t in tasks}
    if {"pyjstat", "pysdmx"} & set(tasks):
        measure("prepare", path, workdir)
    for _ in range(repeat):  # interleaved: every task once per round
        for t in tasks:
            results[t].append(measure(t, path, workdir))
            print(f"  {cells:>9} cells  {t:<18} {results[t][-1]['seconds']:8.2f} s", file=sys.stderr)
    med = {
        t: {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "rss_mb": statistics.median(r["rss_mb"] for r in rs),
        }
        for t, rs in results.items()
    }
    return {"cells": n, "bytes": os.path.getsize(path), "results": med}


def table(run: dict) -> str:
    n = run["cells"]
    res = run["results"]
    lines = [
        f"Report: {n:,} cells ({run['bytes'] / 1e6:.1f} MB).",
        "",
        "| task | median s | cells/s | peak RSS MB | vs baseline |",
        "|---|---:|---:|---:|---|",
    ]
    for t, r in res.items():
        rel = ""
        if t == "navstat-jsonstat" and "pyjstat" in res:
            rel = f"{res['pyjstat']['seconds'] / r['seconds']:.2f}x faster than pyjstat's writer alone (target 10x)"
        if t == "navstat-sdmx" and "pysdmx" in res:
            rel = f"{res['pysdmx']['seconds'] / r['seconds']:.2f}x faster than pysdmx's writer alone (target 8x)"
        if t.startswith("navstat") and "floor" in res:
            rel += ("; " if rel else "") + f"{r['seconds'] / res['floor']['seconds']:.0f}x the floor"
        lines.append(f"| {t} | {r['seconds']:.2f} | {n / r['seconds']:,.0f} | {r['rss_mb']:.0f} | {rel} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument(
        "--scaling", type=int, default=100_000, help="a second, smaller run for the scaling figure (0: none)"
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--task")
    ap.add_argument("--report")
    ap.add_argument("--workdir")
    ap.add_argument("--json", help="also write the results as JSON here")
    args = ap.parse_args()
    if args.task:
        print(json.dumps(task(args.task, args.report, args.workdir)))
        return
    with tempfile.TemporaryDirectory(prefix="navstat-bench-") as work:
        runs = [bench(args.cells, args.repeat, work)]
        if args.scaling:
            runs.append(bench(args.scaling, args.repeat, work, tasks=SCALED))
    print(table(runs[0]))
    if len(runs) > 1:
        big, small = runs[0], runs[1]
        print("\nScaling (target: 10x the cells costs at most 12x the time):\n")
        print("| format | small s | large s | cells ratio | time ratio |\n|---|---:|---:|---:|---:|")
        for t in SCALED:
            s, b = small["results"][t]["seconds"], big["results"][t]["seconds"]
            print(f"| {t} | {s:.2f} | {b:.2f} | {big['cells'] / small['cells']:.1f} | {b / s:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
