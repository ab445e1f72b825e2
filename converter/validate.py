"""Quality rules over a reconciled report, each with its own id, counted passed/failed with locations.

- NAV-Q201 totals: a total equals the sum of its parts, in every hierarchy (measures in their group,
  groups in the total, main groups, counties incl. Ukjent, sexes, age bands, world regions, immigration
  categories, education levels). A `*` counts 0-3 (NAV prints `*` for zero too), a blank 0, a part
  the report does not print 0, a part navstat left out (undecidable) anything from 0 up.
- NAV-Q202 the year-to-date average is the mean of the printed months (NAV rounds half up).
- NAV-Q203 a figure printed in several tables agrees in all of them.
- NAV-Q204 codes are valid for their period: a figure above 0 needs the code in force that month.
- NAV-Q205 disclosure audit: a suppressed cell whose value follows exactly from printed figures.
  navstat never prints the derived value; it says how many there are and where.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from .codelists import Codelists, load_codelists
from .model import (
    CONFIDENTIAL_RANGE,
    DIMENSIONS,
    PARTICIPANTS,
    TOTAL,
    YTD_AVERAGE,
    Observation,
    Report,
    Status,
    describe_cell,
    key_dict,
)
from .perf import no_gc
from .rules import (
    CODES_CHECK,
    COPIES_CHECK,
    COPIES_DISAGREE,
    COPY_OUTVOTED,
    DISCLOSURE_AUDIT,
    RULES,
    TOTALS_CHECK,
    YTD_CHECK,
)

INF = math.inf
STAR_LO, STAR_HI = (float(v) for v in CONFIDENTIAL_RANGE)  # what a `*` may stand for


@dataclass(slots=True)
class Finding:
    rule: str
    line: int
    message: str
    key: tuple[str, ...] = ()  # the full key (codes, measure, period) of the cell it concerns


@dataclass(slots=True)
class RuleResult:
    rule: str
    passed: int = 0
    failed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return RULES[self.rule].check

    def fail(self, line: int, message: str, limit: int = 20, key: tuple[str, ...] = ()) -> None:
        """Count a failure; keep its location, message and key for the first `limit` ones."""
        self.failed += 1
        if len(self.findings) < limit:
            self.findings.append(Finding(self.rule, line, message, key))

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "passed": self.passed,
            "failed": self.failed,
            "findings": [_finding_dict(f) for f in self.findings],
        }


def _finding_dict(f: Finding) -> dict:
    d: dict = {"line": f.line, "message": f.message}
    if f.key:
        d["key"] = key_dict(f.key)
    return d


def _interval(o: Observation | None) -> tuple[float, float]:
    if o is None:
        return 0.0, 0.0
    if o.status is Status.VALUE:
        return float(o.value), float(o.value)  # type: ignore[arg-type]
    if o.status is Status.CONFIDENTIAL:
        return STAR_LO, STAR_HI
    return 0.0, 0.0


def _sum_intervals(obs: list[Observation]) -> tuple[float, float]:
    """Sum of the intervals of figures: a number is itself, `*` is 0-3, a blank 0."""
    lo = hi = 0.0
    for o in obs:
        if o.status is Status.VALUE:
            lo += o.value  # type: ignore[operator]
            hi += o.value  # type: ignore[operator]
        elif o.status is Status.CONFIDENTIAL:
            lo += STAR_LO
            hi += STAR_HI
    return lo, hi


@dataclass
class _Family:
    parent: Observation
    dim: str
    children: list[Observation]
    unknown: int  # children left out by navstat (undecidable)


def _by_key(report: Report) -> dict[tuple, dict[tuple[str, str], Observation]]:
    """Observations by key, then by (measure, month): the index every check walks."""
    by_key: dict[tuple, dict[tuple[str, str], Observation]] = defaultdict(dict)
    for o in report.observations:
        by_key[o.key][(o.measure, o.period)] = o
    return by_key


def _families(report: Report, cl: Codelists, by_key: dict) -> list[_Family]:
    """Every printed total with its printed parts, per measure and month. Keys are grouped first,
    so the hierarchy is walked once per key, not once per figure."""
    withheld: dict[tuple, set[tuple[str, str]]] = defaultdict(set)
    for w in report.withheld:
        withheld[tuple(w[: len(DIMENSIONS)])].add((w[-2], w[-1]))
    parent_of: dict[tuple[str, str], str | None] = {}
    children: dict[tuple, list[tuple]] = defaultdict(list)
    for key in set(by_key) | set(withheld):
        for i, dim in enumerate(DIMENSIONS):
            code = key[i]
            if code == TOTAL:
                continue
            if (dim, code) not in parent_of:
                parent_of[(dim, code)] = cl[dim].parent(code)
            p = parent_of[(dim, code)]
            if p is not None:
                children[((*key[:i], p, *key[i + 1 :]), dim)].append(key)
    out = []
    for (pkey, dim), kids in children.items():
        parents = by_key.get(pkey)
        if not parents:
            continue
        kid_cells = [by_key[k] for k in kids if k in by_key]
        kid_withheld = [withheld[k] for k in kids if k in withheld]
        for cell, parent_obs in parents.items():
            parts = [d[cell] for d in kid_cells if cell in d]
            unknown = sum(1 for w in kid_withheld if cell in w) if kid_withheld else 0
            if parts or unknown:
                out.append(_Family(parent_obs, dim, parts, unknown))
    out.sort(key=lambda f: (f.parent.lines[0] if f.parent.lines else 0, f.parent.full_key, f.dim))
    return out


def check_totals(report: Report, families: list[_Family], limit: int = 20) -> RuleResult:
    res = RuleResult(TOTALS_CHECK)
    for f in families:
        plo, phi = _interval(f.parent)
        lo, hi = _sum_intervals(f.children)
        hi += INF if f.unknown else 0.0
        # averages are rounded one by one: their sum may miss the total's average by 0.5 per part
        tol = 0.5 * (len(f.children) + f.unknown + 1) if f.parent.measure == YTD_AVERAGE else 0.0
        if lo <= phi + tol and hi >= plo - tol:
            res.passed += 1
            continue
        shown = f"{lo:g}" if lo == hi else f"{lo:g}..{hi:g}"
        res.fail(
            f.parent.lines[0] if f.parent.lines else 0,
            f"{describe_cell(f.parent.key, f.parent.measure, f.parent.period)}: total {_show(f.parent)}, "
            f"its {len(f.children)} {f.dim} parts add up to {shown} (lines {_lines(f.children)})",
            limit,
            f.parent.full_key,
        )
    return res


def _lines(obs: list[Observation], most: int = 6) -> str:
    shown = ", ".join(str(o.lines[0]) for o in obs[:most])
    return shown + (", ..." if len(obs) > most else "")


def _show(o: Observation) -> str:
    return "*" if o.status is Status.CONFIDENTIAL else "blank" if o.status is Status.BLANK else str(o.value)


def _ytd_cells(by_key: dict):
    """(key, average, the cells of its months) for every printed year-to-date average."""
    months_of: dict[str, list[tuple[str, str]]] = {}  # the months an average at `period` covers
    for key, cells in by_key.items():
        for (measure, period), ytd in cells.items():
            if measure == YTD_AVERAGE:
                if period not in months_of:
                    months_of[period] = [(PARTICIPANTS, f"{period[:4]}-{m:02d}") for m in range(1, int(period[5:]) + 1)]
                months = [cells.get(m) for m in months_of[period]]
                if None not in months:
                    yield key, ytd, months


def check_ytd(report: Report, ytds: list, limit: int = 20) -> RuleResult:
    res = RuleResult(YTD_CHECK)
    withheld = {(tuple(w[: len(DIMENSIONS)]), w[-2], w[-1]) for w in report.withheld}
    for key, ytd, months in ytds:
        if ytd.status is not Status.VALUE or any((key, m.measure, m.period) in withheld for m in months):
            continue
        lo, hi = _sum_intervals(months)
        lo, hi = lo / len(months), hi / len(months)
        if lo <= ytd.value + 0.5 and hi >= ytd.value - 0.5:
            res.passed += 1
        else:
            mean = f"{lo:.2f}" if lo == hi else f"{lo:.2f}..{hi:.2f}"
            res.fail(
                ytd.lines[0],
                f"{describe_cell(key, YTD_AVERAGE, ytd.period)}: average {ytd.value}, mean of the months {mean}",
                limit,
                ytd.full_key,
            )
    return res


def check_copies(report: Report) -> RuleResult:
    res = RuleResult(COPIES_CHECK)
    res.failed = report.copies["copies disagree"]
    res.passed = report.copies["printed more than once"] - res.failed
    for d in report.diagnostics:
        if d.rule in (COPIES_DISAGREE, COPY_OUTVOTED):
            res.findings.append(Finding(res.rule, d.line, d.message))
    return res


def check_codes(report: Report, cl: Codelists, by_key: dict, limit: int = 20) -> RuleResult:
    res = RuleResult(CODES_CHECK)
    periods = sorted({o.period for o in report.observations})
    codes = {(i, c) for key in by_key for i, c in enumerate(key)}
    # (position, code) -> the months of the report in which the code is not in force
    suspect: dict[tuple[int, str], set[str]] = {}
    in_force: dict[tuple[str, str], set[str]] = {}  # (dimension, month) -> its codes in force
    for i, code in codes:
        dim = DIMENSIONS[i]
        for p in periods:
            if (dim, p) not in in_force:
                in_force[(dim, p)] = {c.code for c in cl[dim].codes_in_force(p, p)}
        bad = {p for p in periods if code not in in_force[(dim, p)]}
        if bad:
            suspect[(i, code)] = bad
    for key, cells in by_key.items():
        suspects = [(DIMENSIONS[i], c, suspect[(i, c)]) for i, c in enumerate(key) if (i, c) in suspect]
        if not suspects:
            res.passed += len(cells)
            continue
        for o in cells.values():
            # a `*` or blank before a code starts (or after it ends) is consistent with zero
            offending = [(d, c) for d, c, months in suspects if o.period in months] if o.value else []
            if not offending:
                res.passed += 1
                continue
            d, c = offending[0]
            res.fail(
                o.lines[0], f"{d} {c} is not in force in {o.period} but has the figure {o.value}", limit, o.full_key
            )
    return res


def disclosure_audit(report: Report, families: list[_Family], ytds: list, limit: int | None = None) -> RuleResult:
    """Suppressed cells that printed figures pin to one value (a total less its other parts, or a
    month from the year-to-date average). Counts and lines only: the value is never shown."""
    res = RuleResult(DISCLOSURE_AUDIT)
    found: dict[tuple, tuple[int, str]] = {}
    for f in families:
        if f.unknown or f.parent.measure == YTD_AVERAGE:
            continue
        cells = [f.parent, *f.children]
        stars = [c for c in cells if c.status is Status.CONFIDENTIAL]
        if len(stars) != 1:
            continue
        star = stars[0]
        plo, phi = _interval(f.parent)
        if star is f.parent:
            lo, hi = _sum_intervals(f.children)
        else:
            others = [c for c in f.children if c is not star]
            olo, ohi = _sum_intervals(others)
            lo, hi = plo - ohi, phi - olo
        lo, hi = max(lo, STAR_LO), min(hi, STAR_HI)
        if lo <= hi and math.floor(hi) == math.ceil(lo):
            found.setdefault(star.full_key, (star.lines[0], f"the {f.dim} total and its other parts"))
    for _key, ytd, months in ytds:
        stars = [m for m in months if m.status is Status.CONFIDENTIAL]
        if ytd.status is not Status.VALUE or len(stars) != 1:
            continue
        known = sum(_interval(m)[0] for m in months if m is not stars[0])
        n = len(months)
        lo, hi = max(STAR_LO, n * (ytd.value - 0.5) - known), min(STAR_HI, n * (ytd.value + 0.5) - known)
        # NAV rounds half up: mean < ytd + 0.5 strictly
        candidates = [v for v in range(math.ceil(lo), math.floor(hi) + 1) if (known + v) / n < ytd.value + 0.5]
        if len(candidates) == 1:
            found.setdefault(stars[0].full_key, (stars[0].lines[0], "the year-to-date average and the other months"))
    confidential = sum(1 for o in report.observations if o.status is Status.CONFIDENTIAL)
    res.failed = len(found)
    res.passed = confidential - len(found)
    for fk, (line, how) in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))[:limit]:
        res.findings.append(
            Finding(res.rule, line, f"{describe_cell(tuple(fk[:-2]), fk[-2], fk[-1])}: follows from {how}", tuple(fk))
        )
    return res


def derivable(report: Report) -> set[tuple[str, ...]]:
    """The full keys of the suppressed cells the report's own disclosure audit (NAV-Q205) found
    derivable (its findings carry their keys)."""
    audit = next((r for r in report.checks if r.rule == DISCLOSURE_AUDIT), None)
    return {f.key for f in audit.findings if f.key} if audit else set()


def check_report(report: Report, cl: Codelists | None = None) -> list[RuleResult]:
    with no_gc():
        return _check_report(report, cl or load_codelists())


def _check_report(report: Report, cl: Codelists) -> list[RuleResult]:
    by_key = _by_key(report)
    families = _families(report, cl, by_key)
    ytds = list(_ytd_cells(by_key))
    return [
        check_totals(report, families),
        check_ytd(report, ytds),
        check_copies(report),
        check_codes(report, cl, by_key),
        disclosure_audit(report, families, ytds),
    ]
