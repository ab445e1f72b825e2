"""Recode FYLKE into one KLASS 104 version through the correspondences in `codelists/FYLKE.yaml`.

A correspondence says where each county's territory went: its county `map` plus the municipalities
that changed county at the same time (`moves`). Composed along the chain of versions (forwards, or
backwards by reading a correspondence the other way), that gives for every code of the source
version the set of target codes that received any part of its territory. Then, for a target code:

- its sources all went wholly to it: kept or renamed (one source) or merged whole (several); the
  figures of a merged target are the sum of its parts' printed numbers, and no number if any part
  is `*`, blank or not printed (status `*` -> confidential, documented as "a part is suppressed");
- any of its sources is split across targets or only partly moved: refused. The figures are left
  out with an error naming the correspondence, never apportioned.

`_T`, `99` and `_O` are no county of any version and stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from .codelists import Codelist
from .model import TOTAL, Observation, Status

KEEP = {TOTAL, "99", "_O"}


@dataclass(slots=True)
class Outcome:
    """What becomes of one source code: a target code, or a refusal with its reason."""

    target: str | None
    parts: tuple[str, ...] = ()  # the source codes summed into the target (one: kept or renamed)
    reason: str = ""


@dataclass(slots=True)
class Recoding:
    source: str  # version ids
    target: str
    territory: dict[str, set[str]]  # source code -> target codes receiving any part of its territory
    why: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, target) -> municipality moves
    via: str = ""  # the correspondences used, for messages

    def outcome(self, code: str) -> Outcome:
        if code in KEEP:
            return Outcome(code, (code,))
        targets = self.territory.get(code)
        if not targets:
            return Outcome(None, reason=f"{code} is no county of version {self.source}")
        if len(targets) > 1:
            moved = _moves(self.why.get((code, t)) for t in sorted(targets))
            return Outcome(
                None,
                reason=f"correspondence {self.via} splits {code} across {', '.join(sorted(targets))}"
                + (f" ({moved})" if moved else ""),
            )
        (target,) = targets
        sources = sorted(s for s, ts in self.territory.items() if target in ts)
        split = [s for s in sources if len(self.territory[s]) > 1]
        if split:
            moved = _moves(self.why.get((s, target)) for s in split)
            whole = [s for s in sources if s not in split]
            return Outcome(
                None,
                reason=f"correspondence {self.via}: {target} also receives part of {', '.join(split)}"
                + (f" ({moved})" if moved else "")
                + (f", so {target} is not {' + '.join(whole)}" if whole and whole != [target] else ""),
            )
        return Outcome(target, tuple(sources))


def _moves(texts) -> str:
    """The municipality moves behind a refusal, each once."""
    return "; ".join(dict.fromkeys(t for t in texts if t))


def _step(cl: Codelist, a: str, b: str) -> tuple[dict[str, set[str]], dict[tuple[str, str], str]]:
    """The territory relation of one correspondence between adjacent versions a -> b (either way)."""
    codes = {v.id: {c.code for c in v.codes} for v in cl.versions}
    for corr in cl.correspondences:
        forward = (str(corr["from"]), str(corr["to"])) == (a, b)
        if not forward and (str(corr["from"]), str(corr["to"])) != (b, a):
            continue
        frm, to = (a, b) if forward else (b, a)
        rel: dict[str, set[str]] = {c: ({c} if c in codes[to] else set()) for c in codes[frm]}
        for src, targets in (corr.get("map") or {}).items():
            rel[str(src)] = {str(t) for t in targets}
        why: dict[tuple[str, str], str] = {}
        for m in corr.get("moves") or []:
            pair = (str(m["from"]), str(m["to"]))
            rel.setdefault(pair[0], set()).add(pair[1])
            why[pair] = (f"{why[pair]}, " if pair in why else "") + f"{m['municipality']} {pair[0]} -> {pair[1]}"
        if forward:
            return rel, why
        back: dict[str, set[str]] = {c: set() for c in codes[b]}
        for src, targets in rel.items():
            for t in targets:
                back.setdefault(t, set()).add(src)
        return back, {(t, s): w for (s, t), w in why.items()}
    raise ValueError(f"{cl.file}: no correspondence between FYLKE versions {a} and {b}")


def recoding(cl: Codelist, source: str, target: str) -> Recoding:
    """Compose the correspondences from version `source` to version `target`."""
    order = [v.id for v in cl.versions]
    i, j = order.index(source), order.index(target)
    territory = {c.code: {c.code} for c in cl.versions[i].codes}
    why: dict[tuple[str, str], str] = {}
    path = order[i : j + 1] if i <= j else order[j : i + 1][::-1]
    for a, b in pairwise(path):
        step, step_why = _step(cl, a, b)
        new: dict[str, set[str]] = {}
        for src, mids in territory.items():
            new[src] = set()
            for mid in mids:
                for t in step.get(mid, set()):
                    new[src].add(t)
                    if (mid, t) in step_why:
                        why[(src, t)] = step_why[(mid, t)]
        territory = new
    return Recoding(source, target, territory, why, " -> ".join(path))


def merged_figure(parts: list[Observation]) -> tuple[int | None, Status] | None:
    """A merged county's figure from its parts: the sum when all are numbers; confidential when any
    part is `*`; blank when all are printed and one is blank; None (no figure) when a part is missing."""
    if any(p.status is Status.CONFIDENTIAL for p in parts):
        return None, Status.CONFIDENTIAL
    if any(p.status is Status.BLANK for p in parts):
        return None, Status.BLANK
    return sum(p.value for p in parts), Status.VALUE  # type: ignore[misc]


def mean_half_up(values: list[int]) -> int:
    """NAV's year-to-date average: the mean of the months, rounded half up (integers, no float)."""
    n = len(values)
    return (2 * sum(values) + n) // (2 * n)
