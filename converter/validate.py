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
from .model import DIMENSIONS, TOTAL, Observation, Report, Status

INF = math.inf

RULE_TITLES = {
    "NAV-Q201": "a total equals the sum of its parts (each * is 0-3)",
    "NAV-Q202": "the year-to-date average is the mean of the printed months",
    "NAV-Q203": "a figure printed in several tables agrees",
    "NAV-Q204": "codes are valid for their period",
    "NAV-Q205": "disclosure audit: no suppressed cell follows exactly from printed figures",
}


@dataclass(slots=True)
class Finding:
    rule: str
    line: int
    message: str


@dataclass(slots=True)
class RuleResult:
    rule: str
    passed: int = 0
    failed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "passed": self.passed,
            "failed": self.failed,
            "findings": [{"line": f.line, "message": f.message} for f in self.findings],
        }


def _interval(o: Observation | None) -> tuple[float, float]:
    if o is None:
        return 0.0, 0.0
    if o.status is Status.VALUE:
        return float(o.value), float(o.value)  # type: ignore[arg-type]
    if o.status is Status.CONFIDENTIAL:
        return 0.0, 3.0
    return 0.0, 0.0


def _describe(key: tuple[str, ...], measure: str, period: str) -> str:
    dims = ", ".join(f"{d}={c}" for d, c in zip(DIMENSIONS, key, strict=True) if c != TOTAL)
    return f"{dims or 'total'} {measure} {period}"


@dataclass
class _Family:
    parent: Observation
    dim: str
    children: list[Observation]
    unknown: int  # children left out by navstat (undecidable)


def _families(report: Report, cl: Codelists) -> list[_Family]:
    index = {(o.key, o.measure, o.period): o for o in report.observations}
    withheld = defaultdict(list)
    for w in report.withheld:
        withheld[(tuple(w[: len(DIMENSIONS)]), w[-2], w[-1])].append(w)
    groups: dict[tuple, list[Observation]] = defaultdict(list)
    unknown: dict[tuple, int] = defaultdict(int)
    parent_of: dict[tuple[str, str], str | None] = {}

    def parent(dim: str, code: str) -> str | None:
        if (dim, code) not in parent_of:
            parent_of[(dim, code)] = cl[dim].parent(code)
        return parent_of[(dim, code)]

    def add(key, measure, period, bucket):
        for i, dim in enumerate(DIMENSIONS):
            code = key[i]
            if code == TOTAL:
                continue
            p = parent(dim, code)
            if p is None:
                continue
            pkey = (*key[:i], p, *key[i + 1 :])
            bucket(pkey, dim, measure, period)

    for o in report.observations:
        add(o.key, o.measure, o.period, lambda pk, d, m, p, o=o: groups[(pk, d, m, p)].append(o))
    for key, measure, period in withheld:
        add(key, measure, period, lambda pk, d, m, p: unknown.__setitem__((pk, d, m, p), unknown[(pk, d, m, p)] + 1))
    out = []
    for (pkey, dim, measure, period), children in groups.items():
        parent_obs = index.get((pkey, measure, period))
        if parent_obs is not None:
            out.append(_Family(parent_obs, dim, children, unknown.get((pkey, dim, measure, period), 0)))
    out.sort(key=lambda f: (f.parent.lines[0] if f.parent.lines else 0, f.parent.full_key, f.dim))
    return out


def check_totals(report: Report, families: list[_Family], limit: int = 20) -> RuleResult:
    res = RuleResult("NAV-Q201")
    for f in families:
        plo, phi = _interval(f.parent)
        lo = sum(_interval(c)[0] for c in f.children)
        hi = sum(_interval(c)[1] for c in f.children) + (INF if f.unknown else 0.0)
        # averages are rounded one by one: their sum may miss the total's average by 0.5 per part
        tol = 0.5 * (len(f.children) + f.unknown + 1) if f.parent.measure == "SNITT_HIA" else 0.0
        if lo <= phi + tol and hi >= plo - tol:
            res.passed += 1
            continue
        res.failed += 1
        if len(res.findings) < limit:
            shown = f"{lo:g}" if lo == hi else f"{lo:g}..{hi:g}"
            res.findings.append(
                Finding(
                    res.rule,
                    f.parent.lines[0] if f.parent.lines else 0,
                    f"{_describe(f.parent.key, f.parent.measure, f.parent.period)}: total {_show(f.parent)}, "
                    f"its {len(f.children)} {f.dim} parts add up to {shown} "
                    f"(lines {_lines(f.children)})",
                )
            )
    return res


def _lines(obs: list[Observation], most: int = 6) -> str:
    shown = ", ".join(str(o.lines[0]) for o in obs[:most])
    return shown + (", ..." if len(obs) > most else "")


def _show(o: Observation) -> str:
    return "*" if o.status is Status.CONFIDENTIAL else "blank" if o.status is Status.BLANK else str(o.value)


def _months_to(period: str) -> list[str]:
    """The months a year-to-date average at `period` covers: January of that year to `period`."""
    return [f"DELTAKERE:{period[:4]}-{m:02d}" for m in range(1, int(period[5:]) + 1)]


def _ytd_cells(report: Report):
    """(key, average, the cells of its months) for every printed year-to-date average."""
    by_key: dict[tuple, dict[str, Observation]] = defaultdict(dict)
    for o in report.observations:
        by_key[o.key][f"{o.measure}:{o.period}"] = o
    for key, cells in by_key.items():
        for name, ytd in cells.items():
            if name.startswith("SNITT_HIA:"):
                months = _months_to(ytd.period)
                if all(m in cells for m in months):
                    yield key, ytd, [cells[m] for m in months]


def check_ytd(report: Report, limit: int = 20) -> RuleResult:
    res = RuleResult("NAV-Q202")
    withheld = {(tuple(w[: len(DIMENSIONS)]), w[-2], w[-1]) for w in report.withheld}
    for key, ytd, months in _ytd_cells(report):
        if ytd.status is not Status.VALUE or any((key, m.measure, m.period) in withheld for m in months):
            continue
        lo = sum(_interval(m)[0] for m in months) / len(months)
        hi = sum(_interval(m)[1] for m in months) / len(months)
        if lo <= ytd.value + 0.5 and hi >= ytd.value - 0.5:
            res.passed += 1
        else:
            res.failed += 1
            if len(res.findings) < limit:
                mean = f"{lo:.2f}" if lo == hi else f"{lo:.2f}..{hi:.2f}"
                res.findings.append(
                    Finding(
                        res.rule,
                        ytd.lines[0],
                        f"{_describe(key, 'SNITT_HIA', ytd.period)}: average {ytd.value}, mean of the months {mean}",
                    )
                )
    return res


def check_copies(report: Report) -> RuleResult:
    res = RuleResult("NAV-Q203")
    res.failed = report.copies["copies disagree"]
    res.passed = report.copies["printed more than once"] - res.failed
    for d in report.diagnostics:
        if d.rule in ("NAV-E013", "NAV-W021"):
            res.findings.append(Finding(res.rule, d.line, d.message))
    return res


def check_codes(report: Report, cl: Codelists, limit: int = 20) -> RuleResult:
    res = RuleResult("NAV-Q204")
    in_force: dict[tuple[str, str], set[str]] = {}
    verdict: dict[tuple[str, str, str], bool] = {}  # (dimension, code, month) -> in force

    def ok(dim: str, code: str, period: str) -> bool:
        k = (dim, code, period)
        if k not in verdict:
            if (dim, period) not in in_force:
                in_force[(dim, period)] = {c.code for c in cl[dim].codes_in_force(period, period)}
            verdict[k] = code in in_force[(dim, period)]
        return verdict[k]

    for o in report.observations:
        # a `*` or blank before a code starts (or after it ends) is consistent with zero
        bad = (
            []
            if o.status is not Status.VALUE or not o.value
            else [(d, c) for d, c in zip(DIMENSIONS, o.key, strict=True) if not ok(d, c, o.period)]
        )
        if not bad:
            res.passed += 1
            continue
        res.failed += 1
        if len(res.findings) < limit:
            d, c = bad[0]
            res.findings.append(
                Finding(res.rule, o.lines[0], f"{d} {c} is not in force in {o.period} but has the figure {o.value}")
            )
    return res


def disclosure_audit(report: Report, families: list[_Family], limit: int = 50) -> RuleResult:
    """Suppressed cells that printed figures pin to one value (a total less its other parts, or a
    month from the year-to-date average). Counts and lines only: the value is never shown."""
    res = RuleResult("NAV-Q205")
    found: dict[tuple, tuple[int, str]] = {}
    for f in families:
        if f.unknown or f.parent.measure == "SNITT_HIA":
            continue
        cells = [f.parent, *f.children]
        stars = [c for c in cells if c.status is Status.CONFIDENTIAL]
        if len(stars) != 1:
            continue
        star = stars[0]
        plo, phi = _interval(f.parent)
        if star is f.parent:
            lo = sum(_interval(c)[0] for c in f.children)
            hi = sum(_interval(c)[1] for c in f.children)
        else:
            others = [c for c in f.children if c is not star]
            lo = plo - sum(_interval(c)[1] for c in others)
            hi = phi - sum(_interval(c)[0] for c in others)
        lo, hi = max(lo, 0.0), min(hi, 3.0)
        if lo <= hi and math.floor(hi) == math.ceil(lo):
            found.setdefault(star.full_key, (star.lines[0], f"the {f.dim} total and its other parts"))
    for _key, ytd, months in _ytd_cells(report):
        stars = [m for m in months if m.status is Status.CONFIDENTIAL]
        if ytd.status is not Status.VALUE or len(stars) != 1:
            continue
        known = sum(_interval(m)[0] for m in months if m is not stars[0])
        n = len(months)
        lo, hi = max(0.0, n * (ytd.value - 0.5) - known), min(3.0, n * (ytd.value + 0.5) - known)
        # NAV rounds half up: mean < ytd + 0.5 strictly
        candidates = [v for v in range(math.ceil(lo), math.floor(hi) + 1) if (known + v) / n < ytd.value + 0.5]
        if len(candidates) == 1:
            found.setdefault(stars[0].full_key, (stars[0].lines[0], "the year-to-date average and the other months"))
    confidential = sum(1 for o in report.observations if o.status is Status.CONFIDENTIAL)
    res.failed = len(found)
    res.passed = confidential - len(found)
    for fk, (line, how) in sorted(found.items(), key=lambda kv: kv[1][0])[:limit]:
        res.findings.append(Finding(res.rule, line, f"{_describe(tuple(fk[:-2]), fk[-2], fk[-1])}: follows from {how}"))
    return res


def check_report(report: Report, cl: Codelists | None = None) -> list[RuleResult]:
    cl = cl or load_codelists()
    families = _families(report, cl)
    return [
        check_totals(report, families),
        check_ytd(report),
        check_copies(report),
        check_codes(report, cl),
        disclosure_audit(report, families),
    ]
