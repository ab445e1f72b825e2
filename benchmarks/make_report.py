"""Write a large synthetic report in the grammar of NAV's TILT extracts, with consistent totals.

    python benchmarks/make_report.py --cells 1000000 -o big.txt

Each year holds: measures with their group totals and the grand total; every measure by county
(KLASS version in force); by main group and county under two-line context headings; by sex, age,
immigration, world region and education. Year-to-date averages, `*` for values below 4, a few blank
cells, and page breaks that repeat title, period, header and the table's total row. Years run from
2018 on (2018, 2020 and 2024 counties) and continue past today as far as the cell count needs.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter.codelists import load_codelists

MONTHS = [
    "Januar",
    "Februar",
    "Mars",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Desember",
]
HEADER = "\tGjennomsnitt hittil i år\t" + "\t".join(MONTHS)
PAGE_ROWS = 24
SKIP = {"INDOPPFAG", "TILRETTELEGGING", "INDOPPRF"}  # labels that are also group names, or uncertain
DEMOGRAPHY = {
    "KJONN": ["Kvinner", "Menn"],
    "ALDER": ["19 år og under", "20-24 år", "25-29 år", "30-39 år", "40-49 år", "50-59 år", "60 år og over"],
    "INNVANDRING": ["Ikke innvandrere", "Innvandrere"],
    "LANDBAKGRUNN": ["Afrika", "Asia", "Europa", "Nord-Amerika, Sør-Amerika og Oceania", "Ukjent"],
    "UTDANNING": [
        "Grunnskolenivå",
        "Videregående skolenivå",
        "Universitets- og høgskolenivå, kort inntil 4 år",
        "Universitets- og høgskolenivå, lang over 4 år",
        "Uoppgitt eller ingen fullført utdanning",
    ],
}
HOVEDGRUPPER = ["Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak"]


def cell(v: int, rng: random.Random) -> str:
    if v < 4:
        return "" if v == 0 and rng.random() < 0.05 else "*"
    return f"{v:,}".replace(",", " ")


def ytd(months: list[int]) -> int:
    return int(sum(months) / len(months) + 0.5)  # NAV rounds half up


def split(total: list[int], parts: int, rng: random.Random) -> list[list[int]]:
    """Split monthly totals into `parts` non-negative series that add up exactly."""
    out = [[0] * 12 for _ in range(parts)]
    weights = [rng.random() + 0.05 for _ in range(parts)]
    s = sum(weights)
    for m in range(12):
        left = total[m]
        for i in range(parts - 1):
            share = min(left, int(total[m] * weights[i] / s))
            out[i][m] = share
            left -= share
        out[-1][m] = left
    return out


class Writer:
    def __init__(self, out, rng: random.Random):
        self.out, self.rng, self.cells = out, rng, 0

    def page(self, year: int, section: str, context: list[str] | None = None) -> None:
        self.out.write(
            f"\n# Deltakere i arbeidsrettede tiltak. Tiltak. Tidsserie måned\n\n## {section}\n\n"
            f"Januar {year} - Desember {year}\n\n"
        )
        for line in context or []:
            self.out.write(line + "\n")
        self.out.write("\n" + HEADER + "\n")

    def row(self, label: str, months: list[int], bold: bool = False) -> None:
        cells = [cell(ytd(months), self.rng)] + [cell(v, self.rng) for v in months]
        if bold:
            label = f"<b>{label}</b>"
            cells = [f"<b>{c}</b>" if c else c for c in cells]
        self.out.write("\t".join([label, *cells]) + "\n")
        self.cells += 13

    def table(
        self,
        year: int,
        section: str,
        total: tuple[str, list[int]],
        rows: list[tuple[str, list[int]]],
        context: list[str] | None = None,
    ) -> None:
        """A table that breaks across pages, each page repeating its header and total row."""
        for start in range(0, max(len(rows), 1), PAGE_ROWS):
            self.page(year, section, context)
            self.row(*total, bold=True)
            for label, months in rows[start : start + PAGE_ROWS]:
                self.row(label, months)


def write_report(out, cells: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    cl = load_codelists()
    w = Writer(out, rng)
    out.write(
        "### Innhold i rapporten\n\nI henhold til Statistikklovens § 7-1 har NAV valgt å erstatte verdier i "
        "celler hvor tallene er mindre enn 4 med spesialtegn «\\*».\n"
    )
    year = 2018
    while w.cells < cells:
        start, end = f"{year}-01", f"{year}-12"
        tiltak = cl["TILTAK"]
        measures = [
            c
            for c in tiltak.codes_in_force(start, end)
            if c.level == "code"
            and c.code not in SKIP
            and (c.valid_from or "") <= f"{year}-01-01"
            and (c.annotations.get("arena_valid_to") or "9999") >= f"{year}-12-31"
        ]
        counties = [c for c in cl["FYLKE"].version_at(end).codes] + [cl["FYLKE"].code("99")]
        data = {}
        for m in measures:
            scale = rng.choice([5, 20, 80, 300])
            data[m.code] = {
                (h, c.code): [max(0, int(rng.gauss(scale, scale / 3))) for _ in range(12)]
                for h in range(3)
                for c in counties
            }

        def total(series) -> list[int]:
            series = list(series)
            return [sum(s[i] for s in series) for i in range(12)]

        by_measure = {m: total(v.values()) for m, v in data.items()}
        groups: dict[str, list] = {}
        for m in measures:
            groups.setdefault(m.parent, []).append(m)
        grand = total(by_measure.values())
        rows = []
        for g in tiltak.groups:
            if g.code not in groups:
                continue
            for m in groups[g.code]:
                rows.append((m.label(), by_measure[m.code]))
            rows.append((f"I alt {g.label().lower()}", total(by_measure[m.code] for m in groups[g.code])))
        w.table(year, "Tiltak", ("I alt", grand), rows)
        for m in measures:
            name = m.label()
            county_rows = []
            for c in counties:
                label = c.label() if c.code == "99" else f"{c.code} {c.label()}"
                county_rows.append(
                    ("Ukjent" if c.code == "99" else label, total(data[m.code][(h, c.code)] for h in range(3)))
                )
            w.table(year, "Tiltak og fylke", (f"I alt {name.lower()}", by_measure[m.code]), county_rows)
            for h, hg in enumerate(HOVEDGRUPPER):
                hg_rows = [
                    ("Ukjent" if c.code == "99" else f"{c.code} {c.label()}", data[m.code][(h, c.code)])
                    for c in counties
                ]
                context = [f"{hg},", name.lower()]
                w.table(
                    year,
                    "Fylke, hovedgrupper og tiltak",
                    (f"I alt {hg.lower()}, {name.lower()}", total(r for _, r in hg_rows)),
                    hg_rows,
                    context,
                )
            for labels in DEMOGRAPHY.values():
                parts = split(by_measure[m.code], len(labels), rng)
                w.table(
                    year,
                    "Tiltak og demografi",
                    (f"I alt {name.lower()}", by_measure[m.code]),
                    list(zip(labels, parts, strict=True)),
                )
            if w.cells >= cells:
                break
        year += 1
    return w.cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=100_000, help="at least this many value cells")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    n = write_report(out, args.cells, args.seed)
    if out is not sys.stdout:
        out.close()
    print(f"{args.output}: {n} cells", file=sys.stderr)


if __name__ == "__main__":
    main()
