"""Reading navstat's own JSON-stat output back into observations (for analysts and round trips).

Knows the JSON-stat that navstat writes (`writers/jsonstat.py`): dimensions left out are at the
total, MEASURE and TIME_PERIOD are always present, and the status symbols are those of
`model.STATUS_SYMBOLS`. A confidential cell comes back without a value, with its status; so does a
cell the report prints but navstat left out (status WITHHELD).
"""

from __future__ import annotations

from ..model import DIMENSIONS, MISSING_STATUSES, STATUS_SYMBOLS, TOTAL, Observation, Status

MEASURE, TIME = "MEASURE", "TIME_PERIOD"
SYMBOL_STATUS = {STATUS_SYMBOLS[s]["jsonstat"]: s for s in MISSING_STATUSES}


def observations_from_dataset(ds: dict) -> list[tuple[dict[str, str], int | None, Status]]:
    """Every cell of a dataset that holds a figure or a status: (codes by dimension, value, status)."""
    ids, size = ds["id"], ds["size"]
    index = []
    for d in ids:
        idx = ds["dimension"][d]["category"]["index"]
        index.append(idx if isinstance(idx, list) else sorted(idx, key=idx.__getitem__))
    value = ds["value"]
    status = ds.get("status") or {}
    if isinstance(status, list):
        status = {str(i): s for i, s in enumerate(status) if s}
    out = []
    positions = range(len(value)) if isinstance(value, list) else sorted(int(k) for k in value)
    for p in positions:
        v = value[p] if isinstance(value, list) else value[str(p)]
        s = status.get(str(p))
        if v is None and s is None:
            continue
        codes = {}
        rest = p
        for d, n, idx in zip(reversed(ids), reversed(size), reversed(index), strict=True):
            codes[d] = idx[rest % n]
            rest //= n
        out.append((codes, v, Status.VALUE if v is not None or s is None else SYMBOL_STATUS.get(s, Status.VALUE)))
    return out


def to_observations(doc: dict) -> list[Observation]:
    """navstat JSON-stat (collection or dataset) -> observations, deduplicated across datasets."""
    datasets = doc["link"]["item"] if doc.get("class") == "collection" else [doc]
    seen: dict[tuple, Observation] = {}
    for ds in datasets:
        for codes, v, s in observations_from_dataset(ds):
            key = tuple(codes.get(d, TOTAL) for d in DIMENSIONS)
            o = Observation(key, codes[MEASURE], codes[TIME], v, s)
            seen.setdefault(o.full_key, o)
    return [seen[k] for k in sorted(seen)]
