"""A small generator of county reports in NAV's grammar, with the truth of every cell.

One table per measure: "I alt <measure>", then every county of the KLASS 104 version in force, then
Ukjent; a year-to-date average column; `*` for values below 4 (NAV's rule); totals that add up.
`hidden` keeps the true value behind every `*`, so tests can say what a sum would have been.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from converter.codelists import load_codelists
from converter.model import DIMENSIONS, Status

CL = load_codelists()
MONTHS = "Januar Februar Mars April Mai Juni Juli August September Oktober November Desember".split()
MEASURES = {"ARBTREN": "Arbeidstrening", "ARBFORB": "Arbeidsforberedende trening"}


def key(**dims: str) -> tuple[str, ...]:
    return tuple(dims.get(d, "_T") for d in DIMENSIONS)


def ytd(values: list[int]) -> int:
    return (2 * sum(values) + len(values)) // (2 * len(values))  # NAV rounds half up


@dataclass
class CountyReport:
    text: str
    truth: dict[tuple, tuple[int | None, Status]] = field(default_factory=dict)  # as printed
    hidden: dict[tuple, int] = field(default_factory=dict)  # true value of every cell


def county_report(
    year: int,
    last: int = 12,
    updated: str | None = None,
    seed: int = 0,
    small: dict[str, float] | None = None,
    set_values: dict[tuple[str, str, int], int] | None = None,
    only: set[str] | None = None,
) -> CountyReport:
    """A report for Januar..`last` of `year`. The true values depend on `seed`, `year`, measure and
    county only, so reports of the same year agree on the months they share. `set_values[(measure,
    county, month)]` fixes a true value (to build revisions); `small[measure]` is the share of county
    cells drawn below 4 (default 0.15); `only` prints just these county rows under the total."""
    counties = [*CL["FYLKE"].version_at(f"{year}-06").codes, CL["FYLKE"].code("99")]
    header = "\tGjennomsnitt hittil i år\t" + "\t".join(MONTHS[:last])
    lines = [
        "Deltakere i arbeidsrettede tiltak. Tiltak og fylke. Tidsserie måned",
        "",
        "Tiltak og fylke",
        "",
    ]
    if updated:
        d = updated.split("-")
        lines += [f"Rapport oppdatert: {d[2]}.{d[1]}.{d[0]}", ""]
    out = CountyReport("")
    for measure, name in MEASURES.items():
        rows = []
        share = (small or {}).get(measure, 0.15)
        for c in counties:
            rng = random.Random(f"{seed}-{year}-{measure}-{c.code}")
            months = []
            for m in range(1, 13):
                v = rng.randint(0, 3) if rng.random() < share else rng.randint(4, 900)
                months.append((set_values or {}).get((measure, c.code, m), v))
            rows.append((c.code, "Ukjent" if c.code == "99" else f"{c.code} {c.label()}", months[:last]))
        total = [sum(r[2][i] for r in rows) for i in range(last)]
        rows = [r for r in rows if only is None or r[0] in only]
        lines += [f"Januar {year} - {MONTHS[last - 1]} {year}", "", header]
        for code, label, months in [("_T", f"I alt {name.lower()}", total), *rows]:
            k = key(TILTAK=measure, FYLKE=code)
            cells = [ytd(months), *months]
            periods = [("SNITT_HIA", f"{year}-{last:02d}")] + [
                ("DELTAKERE", f"{year}-{m:02d}") for m in range(1, last + 1)
            ]
            printed = []
            for (meas, period), v in zip(periods, cells, strict=True):
                out.hidden[(*k, meas, period)] = v
                out.truth[(*k, meas, period)] = (None, Status.CONFIDENTIAL) if v < 4 else (v, Status.VALUE)
                printed.append("*" if v < 4 else f"{v:,}".replace(",", " "))
            lines.append("\t".join([label, *printed]))
        lines += ["", ""]
    out.text = "\n".join(lines) + "\n"
    return out
