"""The `navstat` command line: convert, inspect, structure, validate, catalog, codelists.

Exit codes: 0 success (warnings allowed), 1 data errors, 2 usage errors. Every error is one line on
stderr; no traceback reaches the user unless --debug is given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .codelists import CODELIST_IDS, Code, CodelistError, load_codelists
from .model import Diagnostic, Report, Severity, Status, key_dict
from .outputs import OutputError, check_target, install_signal_handlers, write_text, write_with, written
from .pipeline import read_report, write_report, writer
from .readers.textio import InputError
from .registry import WRITERS, WriteOptions, report_suffixes
from .rules import DISCLOSURE_AUDIT, RULES, STRICT_TOLERATED

FORMATS = tuple(WRITERS)
# Options that convert and combine share.
LANG_OPTION = click.option(
    "--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True, help="Label language."
)
FLAVOUR_OPTION = click.option(
    "--sdmx-flavour",
    type=click.Choice(["structure", "generic"]),
    default="structure",
    show_default=True,
    help="SDMX-ML 2.1 StructureSpecificData or GenericData.",
)


class DataError(click.ClickException):
    exit_code = 1


class Unreadable(DataError):
    """An input that cannot be read at all (NAV-E001): reported as its diagnostic line."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class Usage(click.UsageError):
    exit_code = 2


class StdoutClosed(Exception):
    """Standard output was closed by its reader (a broken pipe)."""


class _Group(click.Group):
    """Click turns a broken pipe into exit 1, the code of a data error; navstat reports it as what it is."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="navstat")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print info diagnostics too.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on failure.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool, debug: bool) -> None:
    """Turn NAV "Deltakere i arbeidsrettede tiltak" reports into coded open data."""
    ctx.obj = {"quiet": quiet, "verbose": verbose, "debug": debug}


def _expand(inputs: tuple[str, ...]) -> list[Path]:
    paths: list[Path] = []
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            raise Usage(f"{raw}: no such file")
        if p.is_dir():
            suffixes = report_suffixes()
            found = sorted(x for x in p.iterdir() if x.is_file() and x.suffix.lower() in suffixes)
            if not found:
                names = ", ".join(f"*{x}" for x in suffixes)
                raise DataError(f"{raw}: folder holds no report files ({names})")
            paths += found
        else:
            paths.append(p)
    return paths


def _read(path: Path) -> Report:
    """The pipeline's Report for one input (the same as `converter.api.read_report`)."""
    try:
        return read_report(path)
    except InputError as exc:
        raise Unreadable(exc.diagnostic()) from None


def _summary(report: Report, n_datasets: int | None = None) -> str:
    c = Counter(o.status for o in report.observations)
    sev = Counter(d.severity for d in report.diagnostics)
    parts = [
        f"{len(report.observations)} observations ({c[Status.CONFIDENTIAL]} confidential, {c[Status.BLANK]} blank)",
    ]
    if n_datasets is not None:
        parts.append(f"{n_datasets} datasets")
    parts.append(f"{sev[Severity.ERROR]} errors, {sev[Severity.WARNING]} warnings")
    audit = next((r for r in report.checks if r.rule == DISCLOSURE_AUDIT), None)
    if audit is not None:
        parts.append(f"{audit.failed} suppressed cells derivable ({DISCLOSURE_AUDIT}, -v lists them)")
    acc = report.accounting
    parts.append(
        f"cells in {acc['cells_in']} = emitted {acc['emitted']} + merged {acc['merged']} + diagnosed {acc['diagnosed']}"
    )
    return f"{report.source}: " + "; ".join(parts)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--to", "fmt", type=click.Choice(FORMATS), default="jsonstat", show_default=True, help="Output format.")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Output file, '-' for standard output; a folder when converting several reports.",
)
@click.option(
    "--split",
    "split_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="JSON-stat: write one dataset file per breakdown into this folder.",
)
@LANG_OPTION
@FLAVOUR_OPTION
@click.option(
    "--strict",
    is_flag=True,
    help="Errors and warnings fail the run (exit 1, nothing written), except rows recovered with certainty "
    "(NAV-W020) and input decoded as cp1252 (NAV-W022).",
)
@click.option(
    "--strict-disclosure",
    is_flag=True,
    help="A suppressed cell that follows from printed figures (NAV-Q205) fails the run too.",
)
@click.option("--report", "report_path", default=None, help="Write machine-readable diagnostics (JSON) here.")
@click.option(
    "-j",
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Convert several reports in this many processes.",
)
@click.pass_obj
def convert(
    obj: dict,
    inputs: tuple[str, ...],
    fmt: str,
    output: str,
    split_dir: str | None,
    lang: str,
    sdmx_flavour: str,
    strict: bool,
    strict_disclosure: bool,
    report_path: str | None,
    jobs: int,
) -> None:
    """Convert NAV report extracts to JSON-stat, SDMX-ML, SDMX-CSV or PX (a folder of PX files)."""
    paths = _expand(inputs)
    if split_dir and fmt != "jsonstat":
        raise Usage("--split works with --to jsonstat only")
    targets = _targets(paths, fmt, output, split_dir)
    into_folder = len(paths) > 1 or _names_a_folder(output)
    _check_targets(paths, targets, writer(fmt, bool(split_dir)).folder, report_path, into_folder)
    jobs = max(1, min(jobs, len(paths)))
    tasks = [
        dict(
            path=str(p),
            fmt=fmt,
            split=bool(split_dir),
            target=target,
            lang=lang,
            flavour=sdmx_flavour,
            strict=strict,
            strict_disclosure=strict_disclosure,
        )
        for p, target in zip(paths, targets, strict=True)
    ]
    show_progress = len(paths) > 1 and not obj["quiet"] and sys.stderr.isatty()
    n_failed = 0
    all_diagnostics: list[dict] = []
    cells: dict[str, list[dict]] = {"left_out": [], "disclosure_audit": []}

    def handle(result: dict) -> None:
        nonlocal n_failed
        for d in result["diagnostics"]:
            if _shown(d, obj, strict):
                where = d.get("location") or d["line"]
                click.echo(f"{d['file']}:{where}: {d['severity']} {d['rule']}: {d['message']}", err=True)
        all_diagnostics.extend(result["diagnostics"])
        for k in cells:
            cells[k].extend(result[k])
        if result["error"]:
            click.echo(result["error"], err=True)
        n_failed += bool(result["failed"])
        if not result["failed"] and not obj["quiet"]:
            click.echo(result["summary"], err=True)

    before = {t["path"]: _output_state(t) for t in tasks}
    _make_output_folder(output, into_folder)
    results: Iterable[dict]
    if jobs == 1:
        results = (_convert_one(t) for t in tasks)
        executor = None
    else:
        import concurrent.futures as cf

        executor = cf.ProcessPoolExecutor(max_workers=jobs)
        results = executor.map(_convert_one, tasks)  # in input order: same output whatever the timing
    try:
        try:
            if show_progress:
                with click.progressbar(results, length=len(tasks), label="converting", file=sys.stderr) as bar:
                    for result in bar:
                        handle(result)
            else:
                for result in results:
                    handle(result)
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)  # waits for the running ones: the disk is then final
    except KeyboardInterrupt:
        raise Interrupted(_interrupted_outcome(tasks, before, obj)) from None
    if report_path:
        doc = {"diagnostics": all_diagnostics, **cells}
        write_text(report_path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    if len(tasks) > 1 and (n_failed or not obj["quiet"]):
        click.echo(f"navstat: {len(tasks) - n_failed} of {len(tasks)} reports converted, {n_failed} failed", err=True)
    if n_failed:
        sys.exit(1)


class Interrupted(Exception):
    """Ctrl-C or SIGTERM during a conversion; the message says what was written and what was not."""


def _names_a_folder(output: str) -> bool:
    """`-o out/`: a folder, created if missing, even for one input."""
    return output not in ("-", "") and (output.endswith(("/", os.sep)) or Path(output).is_dir())


def _check_targets(
    paths: list[Path], targets: list[str], folder: bool, report_path: str | None, into_folder: bool = False
) -> None:
    """Every output path is checked before anything is read: none is an input, each can be written."""
    for target in dict.fromkeys(targets):
        if folder or (not Path(target).parent.exists() and into_folder):
            check_target(target if folder else Path(target).parent, paths, folder=True)
        else:
            check_target(target, paths)
    if report_path:
        if report_path in ("-", ""):
            raise Usage("--report needs a file path")
        check_target(report_path, paths)
        if any(t != "-" and Path(t).resolve() == Path(report_path).resolve() for t in targets):
            raise Usage(f"--report {report_path}: the same path as the output")


def _make_output_folder(output: str, into_folder: bool) -> None:
    """Several inputs (or `-o out/`) into a folder that does not exist yet: create it (as --split and PX do)."""
    if into_folder and output not in ("-", "") and not Path(output).exists():
        try:
            Path(output).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{output}: cannot create the folder: {exc.strerror or exc}") from None


def _task_outputs(task: dict) -> list[Path]:
    """The files a task writes (or would): its file, or its report's files in a folder writer's folder."""
    target = task["target"]
    if target in ("-", ""):
        return []
    if not writer(task["fmt"], task["split"]).folder:
        return [Path(target)]
    folder = Path(target)
    return sorted(folder.glob(glob_escape(Path(task["path"]).stem) + ".*")) if folder.is_dir() else []


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _output_state(task: dict) -> dict[str, tuple[int, int]]:
    """What is on disk at a task's outputs: path -> (inode, mtime); an atomic rename changes the inode."""
    state = {}
    for p in _task_outputs(task):
        try:
            st = p.stat()
        except OSError:
            continue
        state[str(p)] = (st.st_ino, st.st_mtime_ns)
    return state


def _interrupted_outcome(tasks: list[dict], before: dict, obj: dict) -> str:
    """Compare the disk with what was there before the run: which reports' outputs were written."""
    done: list[tuple[dict, list[str]]] = []
    not_done: list[tuple[dict, list[str]]] = []
    for t in tasks:
        after = _output_state(t)
        changed = [p for p, sig in after.items() if before[t["path"]].get(p) != sig]
        (done if changed else not_done).append((t, changed))
    if not obj["quiet"]:
        for _t, changed in done:
            for p in changed:
                click.echo(f"navstat: written: {p}", err=True)
    if not tasks or tasks[0]["target"] == "-":
        return "interrupted; output to standard output incomplete"
    if not done:
        return "interrupted; no output written"
    if len(tasks) == 1:
        return f"interrupted, but the output was already complete: {', '.join(done[0][1])}"
    return (
        f"interrupted; {len(done)} of {len(tasks)} reports written (complete files), "
        f"{len(not_done)} not written; no partial file left"
    )


def _shown(d: dict, obj: dict, strict: bool) -> bool:
    if d["severity"] == "info":
        return obj["verbose"]
    if d["severity"] == "warning":
        return not obj["quiet"] or strict
    return True


def _convert_one(task: dict) -> dict:
    """Read, check and write one report (in this process or a worker); returns what to print."""
    path = Path(task["path"])
    try:
        report = _read(path)
    except Unreadable as exc:  # its diagnostic (NAV-E001) is the one line printed
        return {"diagnostics": [exc.diagnostic.as_dict()], "error": "", "summary": "", "failed": True, **_cells(None)}
    out = {
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "error": "",
        "summary": "",
        "failed": True,
        **_cells(report),
    }
    if not report.observations:
        out["error"] = f"{path}:0: error: no observations could be read; nothing written"
        return out
    failing = strict_failures(report, task["strict"], task.get("strict_disclosure", False))
    if failing:
        rules = ", ".join(sorted({d.rule for d in failing}))
        flag = "--strict" if task["strict"] else "--strict-disclosure"
        out["error"] = f"{path}:0: error: {flag}: {len(failing)} diagnostics fail it ({rules}); nothing written"
        return out
    options = WriteOptions(lang=task["lang"], sdmx_flavour=task["flavour"])
    n = write_report(report, writer(task["fmt"], task["split"]), task["target"], options)
    out["summary"], out["failed"] = _summary(report, n), False
    return out


def _cells(report: Report | None) -> dict[str, list[dict]]:
    """The cells a report left out and those the disclosure audit found derivable, each with key, line, reason."""
    if report is None:
        return {"left_out": [], "disclosure_audit": []}
    audit = next((r for r in report.checks if r.rule == DISCLOSURE_AUDIT), None)
    found = []
    for f in audit.findings if audit else []:
        entry = {"file": report.source, "line": f.line, "key": key_dict(f.key), "reason": f.message}
        if f.line in report.locations:
            entry["location"] = report.locations[f.line]
        found.append(entry)
    return {"left_out": report.left_out_cells(), "disclosure_audit": found}


def strict_failures(report: Report, strict: bool, disclosure: bool = False) -> list[Diagnostic]:
    """The diagnostics that fail a strict run: every error, every warning but those of STRICT_TOLERATED
    (a figure recovered with certainty), and with `disclosure` the audit's derivable suppressed cells."""
    out = []
    for d in report.diagnostics:
        if (
            strict
            and (d.severity is Severity.ERROR or (d.severity is Severity.WARNING and d.rule not in STRICT_TOLERATED))
        ) or (disclosure and d.rule == DISCLOSURE_AUDIT):
            out.append(d)
    return out


def _targets(paths: list[Path], fmt: str, output: str, split_dir: str | None) -> list[str]:
    """Where each input's output goes: a file (or '-'), or the folder of a folder writer."""
    entry = writer(fmt, bool(split_dir))
    many = len(paths) > 1
    if entry.folder:
        folder = split_dir or output
        if folder in ("-", ""):
            raise Usage(f"--to {fmt} writes a folder: give -o FOLDER")
        return [folder] * len(paths)
    if many and output != "-" and Path(output).exists() and not Path(output).is_dir():
        raise Usage(f"{output}: with several inputs, -o must be a folder")
    if many and output == "-":
        raise Usage("several inputs need -o FOLDER")
    if not many and _names_a_folder(output):
        output = str(Path(output) / (paths[0].stem + entry.extension))
    return [str(Path(output) / (p.stem + entry.extension)) if many else output for p in paths]


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--to", "fmt", type=click.Choice(FORMATS), default="jsonstat", show_default=True, help="Output format.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, '-' for standard output.")
@click.option(
    "--fylke-version",
    type=click.IntRange(2006, 9999),
    default=None,
    help="Recode FYLKE into the KLASS 104 version in force in this year (2006, 2018, 2020, 2024).",
)
@LANG_OPTION
@FLAVOUR_OPTION
@click.option("--strict", is_flag=True, help="Warnings and errors fail the run (exit 1, nothing written).")
@click.option("--report", "report_path", default=None, help="Write revisions, refusals and diagnostics (JSON) here.")
@click.pass_obj
def combine(
    obj: dict,
    inputs: tuple[str, ...],
    fmt: str,
    output: str,
    fylke_version: int | None,
    lang: str,
    sdmx_flavour: str,
    strict: bool,
    report_path: str | None,
) -> None:
    """Combine many reports into one series: revisions by release date, optional county harmonisation."""
    from .combine import combine_files

    paths = _expand(inputs)
    entry = writer(fmt)
    if entry.folder and output in ("-", ""):
        raise Usage(f"--to {fmt} writes a folder: give -o FOLDER")
    if not entry.folder and output not in ("-", "") and Path(output).is_dir():
        raise Usage(f"{output}: combine writes one file; give a file name, not a folder")
    _check_targets(paths, [output], entry.folder, report_path)
    try:
        result = combine_files(paths, fylke_version)
    except InputError as exc:
        raise Unreadable(exc.diagnostic()) from None
    report = result.report
    for d in report.diagnostics:
        if _shown(d.as_dict(), obj, strict):
            click.echo(d.format(), err=True)
    empty = [r.source for r in result.inputs if not r.observations]
    if empty:
        raise DataError(f"{empty[0]}:0: no observations could be read; nothing written")
    if strict and strict_failures(report, strict):
        raise DataError("--strict and the combined set has errors or warnings; nothing written")
    if not report.observations:
        raise DataError("the combined set holds no observations; nothing written")
    n = write_report(report, entry, output, WriteOptions(lang=lang, sdmx_flavour=sdmx_flavour))
    if report_path:
        write_text(report_path, json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
    if not obj["quiet"]:
        c = Counter(o.status for o in report.observations)
        sev = Counter(d.severity for d in report.diagnostics)
        click.echo(
            f"{report.source}: {len(result.inputs)} reports, {len(report.observations)} observations "
            f"({c[Status.CONFIDENTIAL]} confidential, {c[Status.BLANK]} blank), {n} datasets; "
            f"{len(result.revisions)} revisions, {sum(r['figures'] for r in result.refused)} figures refused; "
            f"{sev[Severity.ERROR]} errors, {sev[Severity.WARNING]} warnings",
            err=True,
        )


@cli.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the inspection as JSON (a list when several reports).")
@click.option("--html", "html_path", metavar="FILE", help="Write a QA report of every INPUT as one HTML page.")
@click.pass_obj
def inspect(obj: dict, inputs: tuple[str, ...], as_json: bool, html_path: str | None) -> None:
    """Show the tables found in reports, the cell accounting and the diagnostics by rule.

    Several files or a folder: every report is inspected; with --json the output is then a JSON list,
    one entry per report (a single file gives one object). Exit 1 if any report cannot be read."""
    paths = _expand(inputs)
    if html_path:
        check_target(html_path, paths)  # before anything is read, as every output path
        _inspect_html(obj, paths, html_path)
        return
    docs, unreadable = [], 0
    for i, path in enumerate(paths):
        try:
            report = _read(path)
        except Unreadable as exc:
            if len(paths) == 1:
                raise
            click.echo(exc.diagnostic.format(), err=True)
            unreadable += 1
            continue
        if as_json:
            docs.append(_inspection(report))
        else:
            if i:
                click.echo("")
            _print_inspection(report, obj)
    if as_json:
        many = len(paths) > 1 or any(Path(x).is_dir() for x in inputs)
        click.echo(json.dumps(docs if many else docs[0], ensure_ascii=False, indent=1))
    if unreadable:
        sys.exit(1)


def _inspection(report: Report) -> dict:
    by_rule = Counter(d.rule for d in report.diagnostics)
    return {
        "source": report.source,
        "metadata": dataclasses.asdict(report.metadata),
        "tables": [dataclasses.asdict(t) for t in report.tables],
        "accounting": dict(report.accounting),
        "observations": len(report.observations),
        "rules": {
            r: {"count": n, "severity": RULES[r].severity.value, "title": RULES[r].title}
            for r, n in sorted(by_rule.items())
        },
        "checks": [r.as_dict() for r in report.checks],
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        **_cells(report),
    }


def _print_inspection(report: Report, obj: dict) -> None:
    by_rule = Counter(d.rule for d in report.diagnostics)
    m = report.metadata
    click.echo(f"report   {report.source}")
    click.echo(f"title    {m.title or '-'}   id {m.report_id or '-'}")
    click.echo(f"period   {m.period_start} .. {m.period_end}   updated {m.updated or '-'}   group {m.group}")
    click.echo(f"tables   {len(report.tables)}")
    for t in report.tables:
        ctx = ", ".join(f"{k}={v}" for k, v in t.context.items()) or "-"
        cols = f"{len(t.columns)} columns ({t.columns[0]} .. {t.columns[-1]})" if t.columns else "no columns"
        click.echo(
            f"  lines {report.where(t.first_line):>4}-{report.where(t.last_line):<4} "
            f"by {t.breakdown:<12} context {ctx:<28} "
            f"{t.rows:>3} rows, {cols}"
        )
    acc = report.accounting
    click.echo(
        f"cells    in {acc['cells_in']} = emitted {acc['emitted']} + merged {acc['merged']} + "
        f"diagnosed {acc['diagnosed']}"
    )
    click.echo(f"observations {len(report.observations)}")
    left_out = report.left_out_cells()
    if left_out:
        lines = sorted({c["line"] for c in left_out})
        places = ", ".join(report.where(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
        click.echo(f"left out {len(left_out)} cells the report prints (lines {places}; keys in --json)")
    click.echo("checks")
    for r in report.checks:
        click.echo(f"  {r.rule} passed {r.passed:>5} failed {r.failed:>4}  {r.title}")
        for f in r.findings[:5]:
            click.echo(f"    line {report.where(f.line)}: {report.locate(f.message)}")
    click.echo("diagnostics by rule")
    for rule, n in sorted(by_rule.items()):
        click.echo(f"  {rule} {RULES[rule].severity.value:<7} {n:>4}  {RULES[rule].title}")
    shown = [d for d in report.diagnostics if d.severity is not Severity.INFO or obj["verbose"]]
    for d in shown[:50]:
        click.echo("  " + d.format())
    if len(shown) > 50:
        click.echo(f"  ... {len(shown) - 50} more (use --json for all)")


def _inspect_html(obj: dict, paths: list[Path], target: str) -> None:
    """`inspect --html`: the QA page of every input (its diagnostics stay in the page, not on stderr)."""
    from .qa_html import write_html

    try:
        inputs = write_html(paths, target)
    except InputError as exc:
        raise Unreadable(exc.diagnostic()) from None
    if not obj["quiet"]:
        cells = sum(q.report.accounting["cells_in"] for q in inputs)
        left_out = sum(1 for q in inputs for c in q.cells.values() if c.fate == "withheld")
        click.echo(f"{target}: {len(inputs)} reports, {cells} printed cells, {left_out} left out", err=True)


@cli.command()
@click.option("-o", "--output", default="-", show_default=True, help="Output file.")
@click.option("--xsd", is_flag=True, help="Write the DSD-specific XML schema for structure-specific data instead.")
@click.option(
    "--schema-base",
    default="",
    help="With --xsd: folder or URL of the official SDMX 2.1 schemas (default: beside the written file).",
)
def structure(output: str, xsd: bool, schema_base: str) -> None:
    """Write the SDMX-ML 2.1 structure message (codelists, concepts, DSD, dataflow)."""
    from .writers import sdmx_structure

    cl = load_codelists()
    if schema_base and not schema_base.endswith("/"):
        schema_base += "/"
    data = sdmx_structure.dsd_schema(cl, schema_base) if xsd else sdmx_structure.structure_message(cl)
    write_with(output, lambda fh: fh.write(data), mode="wb")


@cli.command()
@click.argument("file")
@click.pass_obj
def validate(obj: dict, file: str) -> None:
    """Validate a navstat output (JSON-stat, SDMX-ML, PX) or a DCAT-AP-NO catalogue (.ttl, .rdf)."""
    from .conformance import validate_file

    if not Path(file).exists():
        raise Usage(f"{file}: no such file")
    if Path(file).suffix.lower() in (".ttl", ".rdf"):
        return _validate_catalog(obj, file)
    violations = validate_file(file)
    for v in violations:
        click.echo(v.format(), err=True)
    if violations:
        sys.exit(1)
    if not obj["quiet"]:
        click.echo(f"{file}: valid", err=True)


def _validate_catalog(obj: dict, file: str) -> None:
    """A catalogue: the official DCAT-AP-NO shapes, the gaps they leave, sizes and checksums of files beside it."""
    from .catalog_check import check_catalog

    findings = check_catalog(file)
    for f in findings:
        if f.severity == "error" or not obj["quiet"]:
            click.echo(f.format(), err=True)
    errors = sum(f.severity == "error" for f in findings)
    if errors:
        sys.exit(1)
    if not obj["quiet"]:
        warnings = sum(f.severity == "warning" for f in findings)
        click.echo(f"{file}: valid DCAT-AP-NO catalogue" + (f" ({warnings} warnings)" if warnings else ""), err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--base-url", default=None, help="URL the files are published under (download URL = base + file name).")
@click.option("-o", "--output", default="-", show_default=True, help="Catalogue file.")
@click.option("--format", "rdf_format", type=click.Choice(["turtle", "xml"]), default="turtle", show_default=True)
@click.option("--config", "config_path", default=None, help="YAML file: base_url, publisher, contact, licence, title.")
@click.option("--publisher", "publisher_iri", default=None, help="Publisher IRI (default: NAV, org. no. 889640782).")
@click.option("--contact-email", default=None, help="Contact point e-mail (default: nav.statistikk@nav.no).")
@click.option("--licence", default=None, help="Licence IRI (default: the EU IRI of NLOD 2.0).")
def catalog(
    files: tuple[str, ...],
    base_url: str | None,
    output: str,
    rdf_format: str,
    config_path: str | None,
    publisher_iri: str | None,
    contact_email: str | None,
    licence: str | None,
) -> None:
    """Write a DCAT-AP-NO catalogue (for data.norge.no) describing navstat output files."""
    from .catalog import CatalogError, build_catalog, load_config

    try:
        config = load_config(config_path)
    except CatalogError as exc:
        raise Usage(str(exc)) from None
    for attr, value in (("base_url", base_url), ("publisher_iri", publisher_iri), ("licence", licence)):
        if value:
            setattr(config, attr, value)
    if contact_email:
        config.contact_email = contact_email
    if not config.base_url:
        raise Usage("give --base-url (or base_url in --config): the files' download URLs start with it")
    if not config.base_url.startswith(("https://", "http://")):
        raise Usage(f"--base-url {config.base_url!r}: give an http(s) URL")
    paths = [Path(f) for f in files]
    for p in paths:
        if not p.is_file():
            raise Usage(f"{p}: no such file")
    try:
        data = build_catalog(paths, config, rdf_format)
    except CatalogError as exc:
        raise DataError(str(exc)) from None
    write_with(output, lambda fh: fh.write(data), mode="wb")


@cli.command()
@click.argument("dimension", required=False)
@click.option("--at", "at", default=None, help="Month YYYY-MM: print the codes in force then.")
@click.option("--resolve", "label", default=None, help="Show how a label resolves and why.")
def codelists(dimension: str | None, at: str | None, label: str | None) -> None:
    """List the dimensions, or the codes of one dimension, or resolve a label."""
    cl = load_codelists()
    if dimension is None and (label is not None or at is not None):
        raise Usage("--resolve and --at need a DIMENSION (e.g. navstat codelists FYLKE --resolve Oslo)")
    if dimension is None:
        for cid in CODELIST_IDS:
            c = cl[cid]
            versions = ", ".join(f"{v.id} ({v.valid_from}..{v.valid_to or ''})" for v in c.versions)
            click.echo(f"{cid:<13} {c.name['nb']:<22} {c.standard:<58} versions: {versions}")
        return
    dim = dimension.upper()
    if dim not in CODELIST_IDS:
        raise Usage(f"unknown dimension {dimension!r}; choose from {', '.join(CODELIST_IDS)}")
    c = cl[dim]
    month = at or _this_month()
    if at and not _is_month(at):
        raise Usage(f"--at {at!r}: give a month as YYYY-MM")
    if label is not None:
        r = c.resolve(label, month, month)
        if r.codes:
            names = ", ".join(f"{x} {_code_label(c.code(x, month) or c.code(x))}" for x in r.codes)
            how = {
                "exact": "exact match of a name or alias after normalising",
                "squashed": "match after normalising and removing spaces",
                "rule": "period rule",
                "prefix": "county number and name agree",
                "fuzzy": f"approximate match, similarity {r.score}",
            }.get(r.method, r.method)
            state = "ambiguous" if len(r.codes) > 1 else "resolved"
            reason = f"; {r.reason}" if r.reason and r.reason != state else ""
            click.echo(f"{label!r} -> {names}  ({state}; {how}){reason}")
            if len(r.codes) > 1:  # navstat would not read such a label: an error (NAV-E015), not a match
                sys.exit(1)
        else:
            click.echo(f"{label!r} -> not resolved: {r.reason}")
            sys.exit(1)
        return
    version = c.version_at(month)
    if f"{month}-01" < version.valid_from:
        first = c.versions[0]
        raise DataError(f"{dim}: no version was in force in {month}; the first, {first.id}, starts {first.valid_from}")
    click.echo(f"{dim} version {version.id} ({version.valid_from}..{version.valid_to or ''}), in force {month}")
    for code in c.codes_in_force(month, month):
        parent = f"  parent {code.parent}" if code.parent else ""
        click.echo(f"  {code.code:<18} {code.label('nb')}{parent}")


def _code_label(code: Code | None) -> str:
    return code.label() if code else ""


def _this_month() -> str:
    import datetime as dt

    return dt.date.today().strftime("%Y-%m")


def _is_month(s: str) -> bool:
    return len(s) == 7 and s[4] == "-" and s[:4].isdigit() and s[5:].isdigit() and 1 <= int(s[5:]) <= 12


def _closed_stdout() -> None:
    """The reader of standard output went away (`navstat convert X | head -1`): not a data error.
    Exit as a command killed by SIGPIPE would (128 + 13), with one line saying the output is incomplete."""

    with contextlib.suppress(OSError):  # later flushes of stdout must not fail again at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    with contextlib.suppress(OSError):
        click.echo("navstat: standard output closed by its reader; output incomplete", err=True)
    sys.exit(141)


_GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose", "--debug")


def _globals_first(args: list[str]) -> list[str]:
    """-q, -v and --debug are accepted after the subcommand too (`navstat convert X -v`): moved before it.
    Not after `--`, and not where they are the value of the option before them."""
    end = args.index("--") if "--" in args else len(args)
    moved, rest = [], []
    for i, a in enumerate(args):
        value_of_option = i > 0 and args[i - 1] in _TAKES_VALUE
        if i < end and a in _GLOBAL_FLAGS and not value_of_option:
            moved.append(a)
        else:
            rest.append(a)
    return moved + rest


# options whose value could be spelled like a flag (`-o -v` writes a file named "-v")
_TAKES_VALUE = frozenset(
    {"-o", "--output", "--report", "--split", "--resolve", "--at", "--base-url", "--config", "--publisher"}
)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors, exit codes 0/1/2, no tracebacks unless --debug."""
    install_signal_handlers()
    args = _globals_first(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        rv = cli.main(args=args, prog_name="navstat", standalone_mode=False)
        sys.exit(rv if isinstance(rv, int) else 0)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            click.echo(exc.ctx.get_help(), err=True)
            sys.exit(2)
        msg = exc.format_message().splitlines()[0]
        click.echo(f"navstat: error: {msg}", err=True)
        sys.exit(2)
    except Unreadable as exc:
        click.echo(exc.diagnostic.format(), err=True)
        sys.exit(1)
    except DataError as exc:
        click.echo(f"navstat: error: {exc.format_message()}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"navstat: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (OutputError, CodelistError) as exc:
        click.echo(f"navstat: error: {exc}", err=True)
        sys.exit(2 if isinstance(exc, OutputError) else 1)
    except Interrupted as exc:
        click.echo(f"navstat: {exc}", err=True)
        sys.exit(130)
    except (click.exceptions.Abort, KeyboardInterrupt):
        done = written()
        click.echo(f"navstat: interrupted; {'written: ' + ', '.join(done) if done else 'no output written'}", err=True)
        sys.exit(130)
    except (BrokenPipeError, StdoutClosed):
        _closed_stdout()
    except Exception as exc:  # the last guard: a bug must still be one line
        if debug:
            traceback.print_exc()
        click.echo(f"navstat: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)
