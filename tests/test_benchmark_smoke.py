"""A small run of the benchmark, so that it keeps working (the real run: benchmarks/README.md)."""

from __future__ import annotations

import tempfile

from benchmarks.make_report import write_report
from benchmarks.run import bench, table


def test_generated_report_converts_cleanly(tmp_path):
    from converter.pipeline import read_reconciled
    from converter.validate import check_report

    path = tmp_path / "r.txt"
    with open(path, "w", encoding="utf-8") as fh:
        cells = write_report(fh, 20_000)
    report = read_reconciled(str(path))
    assert report.accounting["cells_in"] == cells >= 20_000
    assert not report.errors
    results = {r.rule: r for r in check_report(report)}
    for rule in ("NAV-Q201", "NAV-Q202", "NAV-Q203", "NAV-Q204"):
        assert results[rule].failed == 0, results[rule].findings[:2]  # the generator's totals are consistent


def test_benchmark_smoke():
    with tempfile.TemporaryDirectory() as work:
        run = bench(20_000, 1, work)
    assert set(run["results"]) == {"floor", "navstat-jsonstat", "navstat-sdmx", "navstat-sdmx-csv", "pyjstat", "pysdmx"}
    assert all(r["seconds"] > 0 for r in run["results"].values())
    text = table(run)
    assert "faster than pyjstat" in text and "faster than pysdmx" in text
