"""Many reports -> one set of observations: revisions decided by release, counties harmonised on request.

Every report is read and checked as `convert` reads it. Then, per figure (key, measure, month):

- printed alike by several reports: one observation;
- printed differently: the report with the later "Rapport oppdatert" wins, else the one whose period
  ends later; if neither orders them, the figure is left out with an error. Every revision is a
  diagnostic (old and new figure, both files and lines) and a record for `--report`;
- year-to-date averages (SNITT_HIA) stay at their own report's month and are never recomputed across
  reports; one whose months a later report revised is kept as printed, with a warning.

With a FYLKE version, counties are recoded through the correspondences (see `harmonise`). The
disclosure audit (NAV-Q205) runs on the combined set too, and a suppressed cell that only the
combination makes derivable is reported (NAV-W055).

The result is an ordinary `Report`, so every writer works on it unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .codelists import Codelists, load_codelists
from .harmonise import Recoding, mean_half_up, merged_figure, recoding
from .model import DIMENSIONS, TOTAL, Diagnostic, Observation, Report, ReportMetadata, Status, describe_cell
from .perf import no_gc
from .pipeline import read_report
from .rules import (
    AVERAGE_MONTHS_REVISED,
    COMBINED_DISCLOSURE,
    COUNTY_NOT_RECODABLE,
    DISCLOSURE_AUDIT,
    MERGED_COUNTY_PART_MISSING,
    REVISED,
    REVISION_UNORDERED,
)
from .validate import check_report, derivable

FYLKE = DIMENSIONS.index("FYLKE")
FullKey = tuple[str, ...]  # (*key, measure, period)


@dataclass(slots=True)
class Source:
    """Where an observation of the combined set comes from: a report, its lines, its own full key."""

    report: int
    lines: tuple[int, ...]
    full_key: FullKey


@dataclass(slots=True)
class Revision:
    full_key: FullKey
    old: Observation | None  # None: the report printed the figure but navstat left it out
    old_file: str
    new: Observation | None
    new_file: str
    reason: str

    def as_dict(self) -> dict:
        def fig(o: Observation | None, file: str) -> dict:
            if o is None:
                return {"value": None, "status": "left out", "file": file, "lines": []}
            return {"value": o.value, "status": o.status.name.lower(), "file": file, "lines": list(o.lines)}

        key = dict(zip(DIMENSIONS, self.full_key[: len(DIMENSIONS)], strict=True))
        return {
            "key": {d: c for d, c in key.items() if c != TOTAL},
            "measure": self.full_key[-2],
            "period": self.full_key[-1],
            "old": fig(self.old, self.old_file),
            "new": fig(self.new, self.new_file),
            "reason": self.reason,
        }


@dataclass(slots=True)
class Combined:
    report: Report
    inputs: list[Report]
    revisions: list[Revision] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)  # one entry per report and county code

    def as_dict(self) -> dict:
        return {
            "inputs": [r.source for r in self.inputs],
            "revisions": [r.as_dict() for r in self.revisions],
            "refused": self.refused,
            "diagnostics": [d.as_dict() for d in self.report.diagnostics],
        }


def combine_files(paths: list[Path], fylke_version: int | None = None) -> Combined:
    """Read and check every report exactly as `convert` does (the pipeline), then combine them.
    Raises `readers.textio.InputError` for an input that cannot be read at all."""
    return combine([read_report(p) for p in paths], fylke_version)


def combine(reports: list[Report], fylke_version: int | None = None, cl: Codelists | None = None) -> Combined:
    with no_gc():  # many small objects, no cycles: the cyclic collector only costs time here
        return _combine(reports, fylke_version, cl or load_codelists())


def _combine(reports: list[Report], fylke_version: int | None, cl: Codelists) -> Combined:
    # release order first, so that everything below is independent of the order of the arguments
    reports = sorted(reports, key=lambda r: (r.metadata.period_end, r.metadata.updated, r.source))
    out = Combined(Report(source="+".join(Path(r.source).name for r in reports)), reports)
    out.report.metadata = _metadata(reports)
    for r in reports:
        out.report.diagnostics.extend(r.diagnostics)
    merged, origin, lost = _merge(reports, out)
    _flag_revised_averages(merged, origin, lost, out)
    derived: set[FullKey] = set()  # figures navstat computed that hold no number
    if fylke_version is not None:
        target = cl["FYLKE"].version_at(f"{fylke_version}-01").id
        merged, origin, derived = _harmonise(merged, origin, target, cl, out)
        out.report.metadata.codelist_versions["FYLKE"] = target
        out.report.metadata.notes.append(_HARMONISED_NOTE.format(version=target))
    out.report.observations = [merged[k] for k in sorted(merged)]
    _audit(out, origin, derived, cl)
    return out


_HARMONISED_NOTE = (
    "Fylke er omkodet til KLASS 104 versjon {version} (navstat combine --fylke-version). Et sammenslått fylke er "
    "summen av de trykte tallene for delene; har en del «*», står fylket uten tall med status «:» (en del er "
    "skjermet). Fylker som er delt eller bare delvis flyttet, er utelatt."
)


def _metadata(reports: list[Report]) -> ReportMetadata:
    ms = [r.metadata for r in reports]

    def common(values: list[str]) -> str:
        return values[0] if len(set(values)) == 1 else ""

    versions: dict[str, str] = {}
    for dim in (*DIMENSIONS, "MEASURE"):
        found = sorted({m.codelist_versions.get(dim, "") for m in ms} - {""})
        versions[dim] = "+".join(found)
    return ReportMetadata(
        title=common([m.title for m in ms]),
        report_id=common([m.report_id for m in ms]),
        period_start=min(m.period_start for m in ms),
        period_end=max(m.period_end for m in ms),
        updated=max((m.updated for m in ms), default=""),
        notes=list(dict.fromkeys(n for m in ms for n in m.notes)),
        group=common([m.group for m in ms]),
        codelist_versions=versions,
    )


# -- revisions ---------------------------------------------------------------------------------------


def later(a: Report, b: Report) -> str:
    """Why report a is a later release than b ("" when it is not): 'Rapport oppdatert', else period end."""
    ma, mb = a.metadata, b.metadata
    if ma.updated and mb.updated and ma.updated != mb.updated:
        return f"updated {ma.updated}, after {mb.updated}" if ma.updated > mb.updated else ""
    if ma.period_end != mb.period_end:
        return f"period ends {ma.period_end}, after {mb.period_end}" if ma.period_end > mb.period_end else ""
    return ""


_WITHHELD = ("withheld",)  # the figure of a copy navstat left out of its own report


def _merge(reports: list[Report], out: Combined):
    """Observations by full key, their sources, and the reports whose copy lost to a revision."""
    copies: dict[FullKey, list[tuple[int, Observation | None]]] = defaultdict(list)
    for i, r in enumerate(reports):
        for printed in r.observations:
            copies[printed.full_key].append((i, printed))
        for w in r.withheld:
            copies[tuple(w)].append((i, None))
    merged: dict[FullKey, Observation] = {}
    origin: dict[FullKey, list[Source]] = {}
    lost: dict[FullKey, set[int]] = {}
    for fk, cs in copies.items():
        if len(cs) == 1:
            i, o = cs[0]
            if o is not None:
                merged[fk], origin[fk] = o, [Source(i, tuple(o.lines), fk)]
            else:
                out.report.withheld.add(fk)
            continue
        groups: dict[tuple, list[tuple[int, Observation | None]]] = defaultdict(list)
        for i, o in cs:
            groups[_WITHHELD if o is None else (o.value, o.status)].append((i, o))
        if len(groups) == 1 and _WITHHELD not in groups:
            merged[fk] = _joined(cs)
            origin[fk] = [Source(i, tuple(o.lines), fk) for i, o in cs if o is not None]
            continue
        if len(groups) == 1:
            out.report.withheld.add(fk)  # left out by every report that printed it
            continue
        winner = _winner(groups, reports)
        if winner is None:
            _undecided(fk, cs, reports, out)
            continue
        win = groups[winner]
        i_new, o_new = max(win, key=lambda c: c[0])  # the latest report of the winning figure
        for g, members in groups.items():
            if g == winner:
                continue
            for i_old, o_old in members:
                why = later(reports[i_new], reports[i_old]) or next(
                    later(reports[i], reports[i_old]) for i, _ in win if later(reports[i], reports[i_old])
                )
                _revised(fk, (i_old, o_old), (i_new, o_new), why, reports, out)
                lost.setdefault(fk, set()).add(i_old)
        if winner == _WITHHELD:
            out.report.withheld.add(fk)
            continue
        merged[fk] = _joined(win, also=cs)
        origin[fk] = [Source(i, tuple(o.lines), fk) for i, o in win if o is not None]
    return merged, origin, lost


def _joined(win: list[tuple[int, Observation | None]], also=None) -> Observation:
    """One observation for copies that agree: the latest report's lines, every table's breakdown."""
    _, o = max(((i, o) for i, o in win if o is not None), key=lambda c: c[0])
    breakdowns = frozenset(b for _, c in (also or win) if c is not None for b in c.breakdowns)
    return Observation(o.key, o.measure, o.period, o.value, o.status, list(o.lines), breakdowns)


def _winner(groups: dict, reports: list[Report]):
    """The figure printed by a report that is a later release than every report printing another figure."""
    for g, members in groups.items():
        others = [i for h, ms in groups.items() if h != g for i, _ in ms]
        if any(all(later(reports[i], reports[j]) for j in others) for i, _ in members):
            return g
    return None


def _show(o: Observation | None) -> str:
    if o is None:
        return "left out"
    return "*" if o.status is Status.CONFIDENTIAL else "blank" if o.status is Status.BLANK else str(o.value)


def _where(r: Report, o: Observation | None) -> str:
    return f"{r.source}:{o.lines[0] if o is not None and o.lines else 0}"


def _revised(fk: FullKey, old, new, why: str, reports: list[Report], out: Combined) -> None:
    (i_old, o_old), (i_new, o_new) = old, new
    out.revisions.append(Revision(fk, o_old, reports[i_old].source, o_new, reports[i_new].source, why))
    desc = describe_cell(fk[: len(DIMENSIONS)], fk[-2], fk[-1])
    line = o_new.lines[0] if o_new is not None and o_new.lines else 0
    out.report.diagnostics.append(
        Diagnostic(
            REVISED,
            reports[i_new].source,
            line,
            f"{desc}: {_show(o_old)} ({_where(reports[i_old], o_old)}) revised to {_show(o_new)} "
            f"({_where(reports[i_new], o_new)}); {why}",
        )
    )


def _undecided(fk: FullKey, cs, reports: list[Report], out: Combined) -> None:
    desc = describe_cell(fk[: len(DIMENSIONS)], fk[-2], fk[-1])
    shown = ", ".join(f"{_show(o)} ({_where(reports[i], o)})" for i, o in cs)
    i, o = cs[-1]
    out.report.withheld.add(fk)
    out.report.diagnostics.append(
        Diagnostic(
            REVISION_UNORDERED,
            reports[i].source,
            o.lines[0] if o is not None and o.lines else 0,
            f"{desc}: the reports print {shown} and neither 'Rapport oppdatert' nor the period orders them; "
            "figure left out",
        )
    )


def _flag_revised_averages(merged: dict, origin: dict, lost: dict, out: Combined) -> None:
    """An average kept as its release printed it, though a later report revised its months."""
    if not lost:
        return
    for fk, o in merged.items():
        if o.measure != "SNITT_HIA":
            continue
        year, month = o.period[:4], int(o.period[5:])
        for src in origin[fk]:
            months = [f"{year}-{m:02d}" for m in range(1, month + 1)]
            revised = [m for m in months if src.report in lost.get((*o.key, "DELTAKERE", m), ())]
            if revised:
                r = out.inputs[src.report]
                out.report.diagnostics.append(
                    Diagnostic(
                        AVERAGE_MONTHS_REVISED,
                        r.source,
                        src.lines[0] if src.lines else 0,
                        f"{describe_cell(o.key, o.measure, o.period)}: average {_show(o)} kept as {r.source} "
                        f"printed it; a later report revised its months {', '.join(revised)}",
                    )
                )
                break


# -- counties ------------------------------------------------------------------------------------------


def _harmonise(merged: dict, origin: dict, target: str, cl: Codelists, out: Combined):
    """Recode FYLKE into version `target`. Returns the new observations, their sources, and the full keys
    of figures navstat computed without a number (merged counties with a suppressed or blank part)."""
    fylke = cl["FYLKE"]
    recodings: dict[str, Recoding] = {}
    result: dict[FullKey, Observation] = {}
    sources: dict[FullKey, list[Source]] = {}
    groups: dict[FullKey, dict[str, Observation]] = defaultdict(dict)  # merged target -> part code -> figure
    group_src: dict[FullKey, list[Source]] = defaultdict(list)
    group_parts: dict[FullKey, tuple[str, ...]] = {}
    refused: dict[tuple[int, str, str], list] = {}
    for fk, o in merged.items():
        first = origin[fk][0]
        # the reader resolves each table with the codes in force in its period, so a report over
        # several years holds codes of several versions: the month says which
        version = fylke.version_at(o.period).id
        if version not in recodings:
            recodings[version] = recoding(fylke, version, target)
        outcome = recodings[version].outcome(o.key[FYLKE])
        if outcome.target is None:
            entry = refused.setdefault((first.report, version, o.key[FYLKE]), [outcome.reason, 0, 0])
            entry[1] += 1
            line = first.lines[0] if first.lines else 0
            entry[2] = min(entry[2], line) if entry[2] else line
            out.report.withheld.add(fk)
            continue
        key = (*o.key[:FYLKE], outcome.target, *o.key[FYLKE + 1 :])
        nk = (*key, o.measure, o.period)
        if len(outcome.parts) == 1:
            result[nk] = Observation(key, o.measure, o.period, o.value, o.status, o.lines, o.breakdowns)
            sources[nk] = origin[fk]
        else:
            groups[nk][o.key[FYLKE]] = o
            group_src[nk] += origin[fk]
            group_parts[nk] = outcome.parts
    for (i, version, code), (reason, n, line) in sorted(refused.items()):
        r = out.inputs[i]
        out.refused.append(
            {"file": r.source, "code": code, "version": version, "to": target, "figures": n, "reason": reason}
        )
        out.report.diagnostics.append(
            Diagnostic(
                COUNTY_NOT_RECODABLE,
                r.source,
                line,
                f"FYLKE {code} (version {version}) cannot be recoded to version {target}: {reason}; "
                f"{n} figures left out",
            )
        )
    derived = _sum_parts(groups, group_parts, group_src, result, sources, out)
    return result, sources, derived


def _sum_parts(groups, group_parts, group_src, result, sources, out: Combined) -> set[FullKey]:
    """Merged counties: months first (sums of printed numbers), then year-to-date averages recomputed
    from those months by NAV's rule; never a sum of the parts' rounded averages."""
    derived: set[FullKey] = set()
    missing: dict[str, list] = {}
    for nk in sorted(groups, key=lambda k: k[-2] == "SNITT_HIA"):  # DELTAKERE before SNITT_HIA
        parts = groups[nk]
        first = next(iter(parts.values()))
        key, measure, period = nk[: len(DIMENSIONS)], nk[-2], nk[-1]
        breakdowns = frozenset(b for p in parts.values() for b in p.breakdowns)
        lines = list(first.lines)
        if measure == "SNITT_HIA":
            months = [result.get((*key, "DELTAKERE", f"{period[:4]}-{m:02d}")) for m in range(1, int(period[5:]) + 1)]
            if all(m is not None and m.status is Status.VALUE for m in months):
                figure: tuple[int | None, Status] | None = (mean_half_up([m.value for m in months]), Status.VALUE)  # type: ignore[misc]
            elif any(m is not None and m.status is Status.CONFIDENTIAL for m in months) or any(
                p.status is Status.CONFIDENTIAL for p in parts.values()
            ):
                figure = _SUPPRESSED_PART
            else:
                figure = None
        elif any(p.status is Status.CONFIDENTIAL for p in parts.values()):
            # not "confidential": that status says 0-3, and the sum of a `*` and other parts may be any size
            figure = _SUPPRESSED_PART
        elif set(parts) != set(group_parts[nk]):
            figure = None
        else:
            figure = merged_figure(list(parts.values()))
        if figure is _SUPPRESSED_PART:
            reason = "merged county: a part (or a month) is * (suppressed), so the merged figure has no number"
            out.report.leave_out(nk, lines[0] if lines else 0, reason)
            derived.add(nk)
            continue
        if figure is None:
            missing.setdefault(key[FYLKE], [group_src[nk][0], 0])[1] += 1
            out.report.withheld.add(nk)
            continue
        result[nk] = Observation(key, measure, period, figure[0], figure[1], lines, breakdowns)
        sources[nk] = group_src[nk]
        if figure[1] is not Status.VALUE:
            derived.add(nk)
    for code, (src, n) in sorted(missing.items()):
        out.report.diagnostics.append(
            Diagnostic(
                MERGED_COUNTY_PART_MISSING,
                out.inputs[src.report].source,
                src.lines[0] if src.lines else 0,
                f"FYLKE {code}: {n} merged figures have no number because a part is not printed "
                "(or, for an average, a month has no number)",
            )
        )
    return derived


_SUPPRESSED_PART = (None, Status.WITHHELD)  # a merged figure left out because a part of it is `*`


# -- disclosure audit --------------------------------------------------------------------------------


def _audit(out: Combined, origin: dict, derived: set[FullKey], cl: Codelists) -> None:
    """NAV-Q205 on the combined set. Computed figures without a number (a merged county with a `*`
    part is not 0-3) are treated as left out, so the audit only uses what it can bound."""
    view = Report(
        source=out.report.source,
        observations=[o for o in out.report.observations if o.full_key not in derived],
        withheld=set(out.report.withheld) | derived,
    )
    if not view.observations:
        return
    checks = check_report(view, cl)
    view.checks = checks
    out.report.checks = [r for r in checks if r.rule == DISCLOSURE_AUDIT]
    before = [derivable(r) for r in out.inputs]
    for fk in sorted(derivable(view)):
        srcs = origin.get(fk, [])
        if any(s.full_key in before[s.report] for s in srcs):
            continue
        src = srcs[0] if srcs else None
        out.report.diagnostics.append(
            Diagnostic(
                COMBINED_DISCLOSURE,
                out.inputs[src.report].source if src else out.report.source,
                src.lines[0] if src and src.lines else 0,
                f"{describe_cell(fk[: len(DIMENSIONS)], fk[-2], fk[-1])}: suppressed, and derivable from the combined "
                "figures though not from its own report; consider secondary suppression before publishing",
            )
        )
