"""Reading a large NAV-style workbook: python-calamine (what navstat uses) against openpyxl.

    python benchmarks/xlsx_read.py --cells 1000000

Writes a synthetic report (make_report.py) and its workbook rendition (tests/xlsx_render.py), then
runs each reader in a fresh process and prints the wall time and peak memory (max RSS) of:
reading every cell with calamine; with openpyxl in read-only mode; with openpyxl's default mode;
and the whole `navstat convert` of the workbook and of the text extract (to JSON-stat).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

# Peak RSS of this process image (VmHWM; ru_maxrss would include the parent's peak before exec).
PEAK = """
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""
READERS = {
    "calamine": """
import python_calamine as pc
n = 0
with pc.CalamineWorkbook.from_path(PATH) as wb:
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).iter_rows():
            n += sum(1 for v in row if v != "")
""",
    "openpyxl read-only": """
import openpyxl
n = 0
wb = openpyxl.load_workbook(PATH, read_only=True, data_only=True)
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += sum(1 for v in row if v is not None)
wb.close()
""",
    "openpyxl default": """
import openpyxl
n = 0
wb = openpyxl.load_workbook(PATH, data_only=True)
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += sum(1 for v in row if v is not None)
""",
}


def measure(code: str) -> tuple[float, float, str]:
    """Run `code` in a fresh interpreter; wall seconds, peak RSS in MB, and what it printed."""
    wrapper = code + "\n" + PEAK + "print(n, peak_kb())\n"
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True).stdout.split()
    return time.perf_counter() - t, int(out[-1]) / 1024, out[0] if len(out) > 1 else ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--keep", default="", help="folder to keep the report and the workbook in")
    args = ap.parse_args()
    from xlsx_render import render

    from benchmarks.make_report import write_report
    from converter.pipeline import read_text

    folder = Path(args.keep or tempfile.mkdtemp(prefix="navstat-xlsx-"))
    folder.mkdir(parents=True, exist_ok=True)
    text_path, book_path = folder / "big.txt", folder / "big.xlsx"
    if not book_path.exists():
        buf = io.StringIO()
        write_report(buf, args.cells, seed=1)
        text_path.write_text(buf.getvalue(), encoding="utf-8")
        render(buf.getvalue(), book_path, read_text(buf.getvalue(), "big.txt"))
    results = {"cells": args.cells, "workbook_bytes": book_path.stat().st_size}
    for name, code in READERS.items():
        secs, mb, n = measure(f"PATH = {str(book_path)!r}\n" + code)
        results[name] = {"seconds": round(secs, 2), "peak_mb": round(mb), "cells_read": int(n)}
        print(f"{name:<20} {secs:7.2f} s  {mb:7.0f} MB  {n} cells", flush=True)
    for label, src in (("navstat convert xlsx", book_path), ("navstat convert txt", text_path)):
        t = time.perf_counter()
        code = (
            PEAK + "import sys\nfrom converter.cli import main\n"
            f"sys.argv = ['navstat', '-q', 'convert', {str(src)!r}, '-o', {str(folder / 'out.json')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(peak_kb(), file=sys.stderr)\n"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        secs = time.perf_counter() - t
        mb = int(run.stderr.split()[-1]) / 1024
        results[label] = {"seconds": round(secs, 2), "peak_mb": round(mb)}
        print(f"{label:<20} {secs:7.2f} s  {mb:7.0f} MB", flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
