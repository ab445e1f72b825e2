"""Report -> JSON-stat 2.0: a collection with one dense dataset per breakdown, status included.

A breakdown is the set of dimensions a printed table varies by (TILTAK x HOVEDGRUPPE, TILTAK x
FYLKE, ...). Tables with the same breakdown merge into one dataset, dense over the categories that
occur (totals and groups included) x MEASURE x TIME_PERIOD. Dimensions at the total throughout are
left out, as JSON-stat allows. Cells are placed by numpy index arithmetic, not a loop per cell.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from ..codelists import Code, Codelist, Codelists, load_codelists
from ..model import (
    DIMENSIONS,
    MEASURES,
    MISSING_STATUSES,
    STATUS_SYMBOLS,
    TOTAL,
    Observation,
    Report,
    Status,
    status_text,
)
from ..outputs import write_text

if TYPE_CHECKING:
    from ..registry import WriteOptions

TIME, MEASURE = "TIME_PERIOD", "MEASURE"
_DIM_LABEL = {"TIME_PERIOD": {"nb": "måned", "en": "month"}}
_STATUS_CODES = {s: STATUS_SYMBOLS[s]["jsonstat"] for s in MISSING_STATUSES}
_STATUS_NUMBER = {Status.CONFIDENTIAL: 1, Status.BLANK: 2, Status.WITHHELD: 3}  # 0: none
_NUMBER_SYMBOL = {n: _STATUS_CODES[s] for s, n in _STATUS_NUMBER.items()}


def ordered_codes(cl: Codelist, present: set[str]) -> list[str]:
    """Codes in codelist order: total, each group followed by its members, codes, then specials
    (Uoppgitt, Øvrige områder) last, as statistics tables print them."""
    out: list[str] = []
    all_codes = cl.all_codes()
    if cl.total and cl.total.code in present:
        out.append(cl.total.code)
    for g in cl.groups:
        if g.code in present:
            out.append(g.code)
        out += [c.code for c in all_codes if c.parent == g.code and c.code in present and c.code not in out]
    out += [c.code for c in all_codes if c.level == "code" and c.code in present and c.code not in out]
    out += [c.code for c in all_codes if c.code in present and c.code not in out]
    out += sorted(present - set(out))  # codes no list knows (should not happen: resolved codes)
    return out


def _children(cl: Codelist, codes: list[str]) -> dict[str, list[str]]:
    present = set(codes)
    child: dict[str, list[str]] = {}
    for code in codes:
        parent = cl.parent(code)
        if parent and parent in present:
            child.setdefault(parent, []).append(code)
    return child


def _label(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("nb") or next(iter(texts.values()))


def _code(cl: Codelist, code: str) -> Code:
    found = cl.code(code)
    if found is None:  # resolved codes and measures are in their codelist; a bug otherwise
        raise KeyError(f"{cl.id} has no code {code}")
    return found


def _code_label(cl: Codelist, code: str, lang: str) -> str:
    """The code's name; a code no codelist knows (should not happen) is its own label."""
    found = cl.code(code)
    return _label(found.name, lang) if found else code


def breakdowns(report: Report) -> list[tuple[str, ...]]:
    found = {b for o in report.observations for b in o.breakdowns}
    return sorted(found, key=lambda b: (len(b), [DIMENSIONS.index(d) for d in b]))


def dataset(
    report: Report,
    breakdown: tuple[str, ...],
    cl: Codelists,
    lang: str = "nb",
    embedded: bool = False,
    withheld: list[Observation] | None = None,
) -> dict:
    """One dense dataset of a breakdown. `withheld`: the report's left-out cells, when the caller
    writes several datasets of one report (they are worked out once)."""
    obs = [o for o in report.observations if breakdown in o.breakdowns]
    # A dimension left out of a dataset is read as at its total; one a table holds fixed at another code
    # (a table of sexes under the heading of one tiltak) is kept, with its one category, or a reader would
    # take that tiltak's figures for the total's.
    fixed = {i for k in {o.key for o in obs} for i, c in enumerate(k) if c != TOTAL and DIMENSIONS[i] not in breakdown}
    dims = [d for i, d in enumerate(DIMENSIONS) if d in breakdown or i in fixed]
    dim_pos = [DIMENSIONS.index(d) for d in dims]
    held = _withheld_in(report.withheld_observations() if withheld is None else withheld, dim_pos)
    categories: dict[str, list[str]] = {}
    for d, i in zip(dims, dim_pos, strict=True):
        # a row left out whole still has its categories (where it breaks down by all of this breakdown)
        own = {w[i] for w in held if all(w[j] != TOTAL for j in dim_pos)}
        categories[d] = ordered_codes(cl[d], {o.key[i] for o in obs} | own)
    measures = [m for m in MEASURES if any(o.measure == m for o in obs)]
    periods = sorted({o.period for o in obs})
    ids = [*dims, MEASURE, TIME]
    categories[MEASURE] = measures
    categories[TIME] = periods
    size = [len(categories[d]) for d in ids]
    n = int(np.prod(size, dtype=np.int64))

    # Flat positions: row-major, the last dimension varies fastest.
    index_cols = []
    for d, i in zip(dims, dim_pos, strict=True):
        lookup = {c: k for k, c in enumerate(categories[d])}
        index_cols.append(np.fromiter((lookup[o.key[i]] for o in obs), dtype=np.int64, count=len(obs)))
    mlook = {m: k for k, m in enumerate(measures)}
    plook = {p: k for k, p in enumerate(periods)}
    index_cols.append(np.fromiter((mlook[o.measure] for o in obs), dtype=np.int64, count=len(obs)))
    index_cols.append(np.fromiter((plook[o.period] for o in obs), dtype=np.int64, count=len(obs)))
    strides = np.cumprod([1, *size[::-1]])[:-1][::-1]
    pos = np.zeros(len(obs), dtype=np.int64)
    for col, stride in zip(index_cols, strides, strict=True):
        pos += col * stride
    values = np.full(n, -1, dtype=np.int64)  # -1: no figure
    status_code = np.zeros(n, dtype=np.int8)  # _STATUS_NUMBER; 0 none
    vals = np.fromiter((o.value if o.value is not None else -1 for o in obs), dtype=np.int64, count=len(obs))
    stat = np.fromiter((_STATUS_NUMBER.get(o.status, 0) for o in obs), dtype=np.int8, count=len(obs))
    values[pos] = vals
    status_code[pos] = stat
    for p in _withheld_positions(held, dim_pos, categories, ids, strides):
        if values[p] < 0 and status_code[p] == 0:
            status_code[p] = _STATUS_NUMBER[Status.WITHHELD]
    value_list = [None if v < 0 else int(v) for v in values.tolist()]
    status = {
        str(int(p)): _NUMBER_SYMBOL[s]
        for p, s in zip(np.flatnonzero(status_code).tolist(), status_code[status_code > 0].tolist(), strict=True)
    }

    dimension: dict[str, dict] = {}
    for d in dims:
        c = cl[d]
        cat: dict = {
            "index": categories[d],
            "label": {code: _code_label(c, code, lang) for code in categories[d]},
        }
        child = _children(c, categories[d])
        if child:
            cat["child"] = child
        entry: dict = {"label": _label(c.name, lang).lower(), "category": cat}
        if c.link:
            entry["link"] = {"describedby": [{"href": c.link, "label": c.standard}]}
        elif c.standard.startswith("urn:"):
            entry["extension"] = {"standard": c.standard}
        dimension[d] = entry
    mcl = cl["MEASURE"]
    units = {}
    for m in measures:
        unit = _code(mcl, m).unit or {}
        units[m] = {"label": unit.get(lang, unit.get("nb", "")), "decimals": int(unit.get("decimals", 0))}
    dimension[MEASURE] = {
        "label": _label(mcl.name, lang).lower(),
        "category": {"index": measures, "label": {m: _code_label(mcl, m, lang) for m in measures}, "unit": units},
    }
    dimension[TIME] = {
        "label": _DIM_LABEL[TIME][lang],
        "category": {"index": periods, "label": {p: p for p in periods}},
    }
    meta = report.metadata
    by = " x ".join(_label(cl[d].name, lang).lower() for d in dims) or ("totalt" if lang == "nb" else "total")
    title = _title(report, cl, lang)
    ds: dict = {}
    if not embedded:
        ds["version"] = "2.0"
    ds["class"] = "dataset"
    ds["label"] = f"{title} ({'etter' if lang == 'nb' else 'by'} {by})"
    ds["source"] = "NAV"
    if meta.updated:
        ds["updated"] = f"{meta.updated}T00:00:00Z"
    ds["id"] = ids
    ds["size"] = size
    role = {"time": [TIME], "metric": [MEASURE]}
    if "FYLKE" in dims:
        role["geo"] = ["FYLKE"]
    ds["role"] = role
    ds["dimension"] = dimension
    if meta.notes:
        ds["note"] = list(meta.notes)
    ds["value"] = value_list
    if status:
        ds["status"] = status
    ds["extension"] = _extension(report, dims, cl)
    return ds


def _withheld_in(withheld: list[Observation], dim_pos: list[int]) -> list[tuple]:
    """The left-out cells that belong in a dataset of this breakdown: at the total outside it."""
    inside = set(dim_pos)
    outside = [j for j in range(len(DIMENSIONS)) if j not in inside]
    return [o.full_key for o in withheld if all(o.key[j] == TOTAL for j in outside)]


def _withheld_positions(
    held: list[tuple], dim_pos: list[int], categories: dict[str, list[str]], ids: list[str], strides
) -> list[int]:
    """Flat positions of the left-out cells whose codes, measure and month are categories of the dataset."""
    lookups = [{c: k for k, c in enumerate(categories[d])} for d in ids]
    out = []
    for w in held:
        idx = [*(w[i] for i in dim_pos), w[-2], w[-1]]
        if all(c in lk for c, lk in zip(idx, lookups, strict=True)):
            out.append(sum(lk[c] * int(st) for c, lk, st in zip(idx, lookups, strides, strict=True)))
    return out


def _extension(report: Report, dims: list[str], cl: Codelists) -> dict:
    meta = report.metadata
    return {
        "navstat": {
            "version": __version__,
            "source": Path(report.source).name,
            "report_id": meta.report_id,
            "period": [meta.period_start, meta.period_end],
            "tiltak_group": meta.group,
        },
        "status": {
            "label": {
                STATUS_SYMBOLS[s]["jsonstat"]: {lang: status_text(s, lang, meta.notes) for lang in ("nb", "en")}
                for s in MISSING_STATUSES
            }
        },
        "codelists": {
            d: {"version": meta.codelist_versions.get(d, ""), "standard": cl[d].standard} for d in (*dims, "MEASURE")
        },
    }


def _title(report: Report, cl: Codelists, lang: str) -> str:
    """The report's own title in Norwegian; in English the standard title, naming the tiltak group when
    the report is about one (as the PX writer does): a Norwegian title is no English label."""
    meta = report.metadata
    if lang != "en":
        return meta.title or "Deltakere i arbeidsrettede tiltak"
    title = "Participants in labour market measures"
    if meta.group != TOTAL:
        title += f": {_code_label(cl['TILTAK'], meta.group, 'en')}"
    return title


def collection(report: Report, cl: Codelists | None = None, lang: str = "nb") -> dict:
    cl = cl or load_codelists()
    meta = report.metadata
    withheld = report.withheld_observations()
    items = [dataset(report, b, cl, lang, embedded=True, withheld=withheld) for b in breakdowns(report)]
    out: dict = {
        "version": "2.0",
        "class": "collection",
        "label": _title(report, cl, lang),
        "source": "NAV",
    }
    if meta.updated:
        out["updated"] = f"{meta.updated}T00:00:00Z"
    if meta.notes:
        out["note"] = list(meta.notes)
    out["link"] = {"item": items}
    out["extension"] = {"navstat": {"version": __version__, "source": Path(report.source).name}}
    return out


def dumps(doc: dict) -> str:
    """Deterministic JSON text: members in the order built, no spaces, UTF-8."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def split_name(breakdown: tuple[str, ...]) -> str:
    return "-".join(d.lower() for d in breakdown) or "total"


def write_file(report: Report, target: str, options: WriteOptions) -> int:
    """`--to jsonstat`: one collection with a dataset per breakdown. Returns the number of datasets."""
    doc = collection(report, options.codelists, options.lang)
    write_text(target, dumps(doc))
    return len(doc["link"]["item"])


def write_split(report: Report, target: str, options: WriteOptions) -> int:
    """`--split FOLDER`: one dataset file per breakdown, named REPORT.BREAKDOWN.json."""
    cl = options.codelists or load_codelists()
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    found = breakdowns(report)
    stem = Path(report.source).stem
    withheld = report.withheld_observations()
    for b in found:
        doc = dataset(report, b, cl, options.lang, withheld=withheld)
        write_text(folder / f"{stem}.{split_name(b)}.json", dumps(doc))
    return len(found)
