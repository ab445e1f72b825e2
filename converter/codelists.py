"""Codelists: load the versioned YAML in `codelists/`, pick what is in force, resolve labels to codes.

Resolution never guesses. A label is normalised (Unicode, case, accents, look-alike letters, white
space, markup), then matched exactly against the names and aliases of the codes in force; only then,
inside one dimension and version, approximately — and an approximate match must clear a threshold
and beat the runner-up by a clear margin, or it is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .model import DIMENSIONS, TOTAL

CODELIST_IDS = (*DIMENSIONS, "MEASURE")
FUZZY_THRESHOLD = 85.0  # rapidfuzz ratio, 0-100, on normalised labels without spaces
FUZZY_MARGIN = 8.0  # the best code must beat the best other code by this much
FUZZY_FLOOR = 80.0  # below this no near-tie is worth deciding by words


class CodelistError(Exception):
    """A codelist file is malformed: names the file and the line."""

    def __init__(self, file: str, line: int, problem: str):
        super().__init__(f"{file}:{line}: {problem}")
        self.file, self.line, self.problem = file, line, problem


# ---------------------------------------------------------------------------------------------
# Normalisation

# Cyrillic and Greek letters that look like Latin ones (as they appear in copy-pasted labels).
_LOOKALIKE = str.maketrans(
    "АВЕКМНОРСТУХаеорсухіјѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧαεικνορτυχ",
    "ABEKMHOPCTYXaeopcyxijsdABEZHIKMNOPTYXaeikvoptux",
)
# A transliteration for the remaining Cyrillic letters ("Jobbkлубb" -> "Jobbklubb").
_TRANSLIT = str.maketrans(
    {
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "j",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "п": "p",
        "т": "t",
        "у": "u",
        "ф": "f",
        "ц": "c",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ы": "y",
        "э": "e",
        "ю": "ju",
        "я": "ja",
        "ь": "",
        "ъ": "",
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "r",
        "с": "s",
        "х": "h",
    }
)
_MARKUP = re.compile(r"<[^>]*>|\\(?=[*_])|\*\*")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_PUNCT_SPACE = re.compile(r"\s*([-/,()])\s*")
_SPACE = re.compile(r"\s+")


def _fold(s: str) -> str:
    s = s.casefold()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.replace("ø", "o").replace("æ", "ae").replace("ß", "ss").replace("đ", "d").replace("ł", "l")
    s = _PUNCT_SPACE.sub(r"\1", s)
    return _SPACE.sub(" ", s).strip()


def clean_label(label: str) -> str:
    """The label as a person would read it: markup gone, white space single."""
    s = unicodedata.normalize("NFKC", label)
    s = _MARKUP.sub("", s)
    s = _DASHES.sub("-", s)
    return _SPACE.sub(" ", s).strip()


@lru_cache(maxsize=1 << 16)
def normalize(label: str) -> str:
    """The matching key of a label (look-alike letters mapped, case and accents folded)."""
    return _fold(clean_label(label).translate(_LOOKALIKE))


@lru_cache(maxsize=1 << 16)
def normalize_variants(label: str) -> list[str]:
    """Matching keys to try: look-alike mapping first, then transliteration of Cyrillic."""
    s = clean_label(label)
    first = _fold(s.translate(_LOOKALIKE))
    second = _fold(s.translate(_TRANSLIT).translate(_LOOKALIKE))
    return [first] if first == second else [first, second]


def squash(key: str) -> str:
    """A key without spaces, so that words split by a stray space still match."""
    return key.replace(" ", "")


# ---------------------------------------------------------------------------------------------
# Loading


class _LineDict(dict):
    line: int = 0


class _Loader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    d = _LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _date(value, file: str, line: int, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise CodelistError(file, line, f"{what} must be a date YYYY-MM-DD, not {value!r}")


@dataclass(slots=True)
class Code:
    code: str
    name: dict[str, str]
    level: str  # total | group | code | special
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # other languages, e.g. Sami
    valid_from: str | None = None
    valid_to: str | None = None
    optional: bool = False  # a row NAV leaves out when it has no participants
    annotations: dict[str, str] = field(default_factory=dict)
    unit: dict | None = None

    def label(self, lang: str = "nb") -> str:
        return self.name.get(lang) or self.name["nb"]

    def valid_between(self, start: str, end: str) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or self.valid_to >= start)


@dataclass(slots=True)
class Version:
    id: str
    name: str
    valid_from: str
    valid_to: str | None
    codes: list[Code]

    def in_force(self, day: str) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(slots=True)
class Rule:
    """A period-dependent label -> code rule that wins over aliases."""

    label: str
    code: str
    valid_from: str | None
    valid_to: str | None
    note: str


@dataclass(slots=True)
class Resolution:
    label: str
    codes: tuple[str, ...]  # () not found; one: resolved; several: ambiguous
    method: str  # rule | exact | squashed | prefix | fuzzy | none
    score: float = 100.0
    reason: str = ""

    @property
    def code(self) -> str | None:
        return self.codes[0] if len(self.codes) == 1 else None


@dataclass(slots=True)
class Codelist:
    id: str
    name: dict[str, str]
    standard: str
    link: str | None
    total: Code | None
    groups: list[Code]
    special: list[Code]
    versions: list[Version]
    rules: list[Rule]
    correspondences: list[dict]
    file: str
    # Memos owned by this codelist (reports repeat labels and codes on every page).
    _memo: dict[tuple[str, str, str, bool], Resolution] = field(default_factory=dict, repr=False, compare=False)
    _indexes: dict[tuple[str, str, str], _LabelIndex] = field(default_factory=dict, repr=False, compare=False)
    _all_keys: dict[tuple[str, str], set[str]] = field(default_factory=dict, repr=False, compare=False)
    _codes: dict[tuple[str, str | None], Code | None] = field(default_factory=dict, repr=False, compare=False)

    # -- what is in force --------------------------------------------------------------------
    def version_at(self, period: str) -> Version:
        """The version in force in a month (YYYY-MM); before the first version, the first."""
        day = period + "-01" if len(period) == 7 else period
        for v in reversed(self.versions):
            if v.valid_from <= day:
                return v
        return self.versions[0]

    def codes_in_force(self, start: str, end: str) -> list[Code]:
        """Total, groups, specials and the codes of the version in force at `end` valid in the period."""
        s, e = start + "-01", end + "-31"
        version = self.version_at(end)
        out = [self.total] if self.total else []
        out += self.groups + self.special
        out += [c for c in version.codes if c.valid_between(s, e)]
        return out

    def all_codes(self) -> list[Code]:
        """Every code of every version, first occurrence first (for SDMX structures)."""
        seen: dict[str, Code] = {}
        for c in ([self.total] if self.total else []) + self.groups + self.special:
            seen.setdefault(c.code, c)
        for v in self.versions:
            for c in v.codes:
                seen.setdefault(c.code, c)
        return list(seen.values())

    def code(self, code: str, period: str | None = None) -> Code | None:
        """The code's definition (in force in `period` if given; else its first definition). Memoised."""
        k = (code, period)
        if k not in self._codes:
            pool = self.codes_in_force(period, period) if period else self.all_codes()
            self._codes[k] = next((c for c in pool if c.code == code), None)
        return self._codes[k]

    def parent(self, code: str) -> str | None:
        c = self.code(code)
        if c is None:
            return None
        if c.parent:
            return c.parent
        return None if c.level == "total" else (self.total.code if self.total else None)

    # -- resolution -------------------------------------------------------------------------
    def resolve(self, label: str, start: str, end: str, exact_only: bool = False) -> Resolution:
        """Resolve a label in the codes of the version in force between two months (memoised on
        this codelist: reports repeat their labels on every page).

        `exact_only` stops before approximate matching, for asking "is this a label of this
        dimension?" across all dimensions cheaply."""
        key = (label, start, end, exact_only)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(label, start, end, exact_only)
        return found

    def _resolve(self, label: str, start: str, end: str, exact_only: bool = False) -> Resolution:
        variants = normalize_variants(label)
        s, e = start + "-01", end + "-31"

        for r in self.rules:
            if normalize(r.label) in variants and (r.valid_from or "") <= e and (r.valid_to or "9999") >= s:
                return Resolution(label, (r.code,), "rule", reason=r.note)

        index = self._label_index(start, end)
        for method, table, keys in (
            ("exact", index.exact, variants),
            ("squashed", index.squashed, [squash(v) for v in variants]),
        ):
            for k in keys:
                if k in table:
                    return index.exact_hit(label, table[k], method)

        # "03 Oslo": a county number before the name; both must agree.
        m = re.fullmatch(r"(\d{2})\s+(.+)", clean_label(label))
        if m:
            number, rest = m.groups()
            sub = self.resolve(rest, start, end, exact_only)
            if sub.codes == (number,):
                return Resolution(label, (number,), "prefix", sub.score, sub.reason)
            known = {c.code for c in self.codes_in_force(start, end)}
            if number in known and not sub.codes:
                return Resolution(label, (), "none", 0, f"number {number} is in force but '{rest}' is not its name")
            if sub.codes and number not in sub.codes:
                return Resolution(label, (), "none", 0, f"number {number} and name '{rest}' ({sub.codes[0]}) disagree")

        if exact_only:
            return Resolution(label, (), "none", 0.0, "no exact match")
        elsewhere = self._named_elsewhere(label, start, end)
        if elsewhere:
            # An exact name of a code of another version is never re-routed to a look-alike code.
            return Resolution(label, (), "none", 0.0, elsewhere)
        for variant in variants:
            found = index.approximate(label, variant)
            if found is not None:
                return found
        return Resolution(label, (), "none", 0.0, f"no {self.id} code is named '{clean_label(label)}'")

    def _label_index(self, start: str, end: str) -> _LabelIndex:
        version = self.version_at(end)
        key = (version.id, start, end)
        index = self._indexes.get(key)
        if index is None:
            in_force = {c.code for c in self.codes_in_force(start, end)}
            pool = ([self.total] if self.total else []) + self.groups + self.special + version.codes
            index = self._indexes[key] = _LabelIndex(self.id, pool, in_force, start, end)
        return index

    def _named_elsewhere(self, label: str, start: str, end: str) -> str:
        """Explain a failed match when the label is a code of another version: "'Viken' is FYLKE 30
        in version 2020 (2020-01-01 to 2023-12-31), not in force for 2024-01..2024-12"."""
        keys = {squash(v) for v in normalize_variants(label)}
        if not self._all_keys:
            self._all_keys.update(
                {
                    (v.id, c.code): {squash(normalize(x)) for x in (c.label(), *c.aliases)}
                    for v in self.versions
                    for c in v.codes
                }
            )
        for v in self.versions:
            for c in v.codes:
                if keys & self._all_keys[(v.id, c.code)]:
                    when = f"{c.valid_from or v.valid_from} to {c.valid_to or v.valid_to or 'now'}"
                    return (
                        f"'{clean_label(label)}' is {self.id} {c.code} in version {v.id} ({when}), "
                        f"not in force for {start}..{end}"
                    )
        return ""


def _allowed_edits(n: int) -> int:
    """How many typing errors a label of n characters may hold and still be read approximately:
    none in very short labels (one letter changes a short word), one in words, more in long
    names (one per ~12 characters)."""
    if n < 5:
        return 0
    return 1 + n // 12


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _words_agree(a: list[str], b: list[str]) -> bool:
    """Every word of `a` has a close counterpart in `b` and back: short words exactly, longer ones
    with at most a typing error or two. The words that tell two near-identical names apart ("dag"
    vs "døgn", ", Forsøk" vs nothing) decide a near-tie this way."""

    def close(w: str, others: list[str]) -> bool:
        if len(w) <= 3:
            return w in others
        return any(fuzz.ratio(w, o) >= 80 for o in others)

    return all(close(w, b) for w in a) and all(close(w, a) for w in b)


@dataclass(slots=True)
class _Candidate:
    codes: tuple[str, ...]
    score: float
    key: str  # the squashed name it matched


class _LabelIndex:
    """The names and aliases of one codelist version, normalised, for exact and approximate lookup.

    Built for one period: every code of the version is indexed (so an exact name of a code that is
    not in force is recognised as that code, never re-routed to a look-alike), and `in_force` says
    which codes the period allows."""

    def __init__(self, cid: str, pool: list[Code], in_force: set[str], start: str, end: str):
        self.cid, self.in_force, self.period = cid, in_force, f"{start}..{end}"
        self.exact: dict[str, tuple[str, ...]] = {}
        self.squashed: dict[str, tuple[str, ...]] = {}
        self.words: dict[str, list[str]] = {}  # squashed key -> the words of the name
        self.validity: dict[str, str] = {}
        for c in pool:
            self.validity.setdefault(c.code, f"{c.valid_from or '-'} to {c.valid_to or 'now'}")
            for text in (c.label("nb"), c.label("en"), *c.aliases):
                k = normalize(text)
                for idx, kk in ((self.exact, k), (self.squashed, squash(k))):
                    if c.code not in idx.get(kk, ()):
                        idx[kk] = (*idx.get(kk, ()), c.code)
                self.words.setdefault(squash(k), re.findall(r"\w+", k))

    def exact_hit(self, label: str, codes: tuple[str, ...], method: str) -> Resolution:
        """A name matched exactly: the code(s) of that name, preferring those in force. A label
        that names a code outside its validity is still that code (NAV prints a measure's row
        before it starts, with `*` or blanks); the reason says so and the checks test its figures."""
        current = tuple(c for c in codes if c in self.in_force)
        if current:
            return Resolution(label, current, method, reason="" if len(current) == 1 else "ambiguous")
        when = "; ".join(f"{c} valid {self.validity[c]}" for c in codes)
        return Resolution(label, codes, method, reason=f"not in force for {self.period} ({when})")

    def approximate(self, label: str, variant: str) -> Resolution | None:
        """Approximate match of a normalised label (None: nothing close). Never a guess: the best
        name must be clearly closer than any other code's, or be the only near name whose words
        all agree with the label's."""
        key = squash(variant)
        hits = process.extract(key, self.squashed.keys(), scorer=fuzz.ratio, limit=12)
        ranked: list[_Candidate] = []
        for k, score, _ in hits:
            if _digits(k) != _digits(key):
                continue  # a number in a label (age band, county) is never a typing error
            codes = self.squashed[k]
            if all(c.codes != codes for c in ranked):
                ranked.append(_Candidate(codes, score, k))
        if not ranked:
            return None
        best, others = ranked[0], ranked[1:]
        runner_up = others[0].score if others else 0.0
        if best.score >= FUZZY_THRESHOLD and best.score - runner_up >= FUZZY_MARGIN:
            return self._fuzzy(label, best, "")
        edits = Levenshtein.distance(key, best.key)
        if edits <= _allowed_edits(len(key)) and all(Levenshtein.distance(key, o.key) >= edits + 2 for o in others):
            return self._fuzzy(label, best, "one typing error" if edits == 1 else f"{edits} typing errors")
        near = [c for c in ranked if c.score >= max(FUZZY_FLOOR, best.score - FUZZY_MARGIN)]
        if len(near) < 2:
            return None
        words = re.findall(r"\w+", variant)
        agree = [c for c in near if _words_agree(words, self.words[c.key])]
        if len(agree) == 1:
            return self._fuzzy(label, agree[0], "the distinguishing words decide")
        names = " vs ".join(f"{'/'.join(c.codes)} {c.score:.0f}" for c in near[:3])
        return Resolution(label, (), "none", round(best.score, 1), f"near-tie: {names}; the words do not decide")

    def _fuzzy(self, label: str, cand: _Candidate, why: str) -> Resolution:
        current = tuple(c for c in cand.codes if c in self.in_force) or cand.codes
        return Resolution(label, current, "fuzzy", round(cand.score, 1), why)


def _parse_code(d: dict, file: str, level: str, parent: str | None = None) -> Code:
    line = getattr(d, "line", 0)
    if not isinstance(d, dict) or "code" not in d or "name" not in d:
        raise CodelistError(file, line, "a code needs `code` and `name`")
    name = d["name"]
    if not isinstance(name, dict) or "nb" not in name or "en" not in name:
        raise CodelistError(file, getattr(name, "line", line), f"code {d['code']}: name needs nb and en")
    aliases = d.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise CodelistError(file, line, f"code {d['code']}: aliases must be a list of strings")
    code = str(d["code"])
    if not re.fullmatch(r"[A-Za-z0-9_@$-]+", code):
        raise CodelistError(file, line, f"code {code!r} is not a valid SDMX id")
    return Code(
        code=code,
        name={k: str(v) for k, v in name.items()},
        level=level,
        parent=d.get("parent", parent),
        aliases=list(aliases),
        names={k: str(v) for k, v in (d.get("names") or {}).items()},
        valid_from=_date(d.get("valid_from"), file, line, "valid_from"),
        valid_to=_date(d.get("valid_to"), file, line, "valid_to"),
        optional=bool(d.get("optional", False)),
        annotations={k: str(v) for k, v in (d.get("annotations") or {}).items()},
        unit=d.get("unit"),
    )


def load_codelist(path: Path) -> Codelist:
    file = str(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CodelistError(file, (mark.line + 1) if mark else 0, str(exc.problem or exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CodelistError(file, 0, str(exc)) from None
    if not isinstance(doc, _LineDict):  # every mapping _Loader reads is a _LineDict
        raise CodelistError(file, 1, "a codelist file must be a mapping")
    for required in ("id", "name", "versions"):
        if required not in doc:
            raise CodelistError(file, doc.line, f"missing `{required}`")
    if not isinstance(doc["versions"], list) or not doc["versions"]:
        raise CodelistError(file, doc.line, "`versions` must be a non-empty list")
    total = _parse_code(doc["total"], file, "total") if doc.get("total") else None
    groups = [_parse_code(g, file, "group", total.code if total else None) for g in doc.get("groups") or []]
    special = [_parse_code(s, file, "special") for s in doc.get("special") or []]
    versions = []
    for v in doc["versions"]:
        vline = getattr(v, "line", 0)
        if not isinstance(v, dict) or "id" not in v or "valid_from" not in v or "codes" not in v:
            raise CodelistError(file, vline, "a version needs `id`, `valid_from` and `codes`")
        codes = [_parse_code(c, file, "code") for c in v["codes"]]
        dup = {c.code for c in codes if [x.code for x in codes].count(c.code) > 1}
        if dup:
            raise CodelistError(file, vline, f"version {v['id']}: duplicate codes {sorted(dup)}")
        versions.append(
            Version(
                id=str(v["id"]),
                name=str(v.get("name", v["id"])),
                valid_from=_date(v["valid_from"], file, vline, "valid_from") or "",
                valid_to=_date(v.get("valid_to"), file, vline, "valid_to"),
                codes=codes,
            )
        )
    known = {c.code for c in groups} | {total.code if total else TOTAL}
    for v in versions:
        for c in v.codes:
            if c.parent and c.parent not in known:
                raise CodelistError(file, 0, f"code {c.code}: parent {c.parent} is not a group of this codelist")
    rules = []
    for r in doc.get("rules") or []:
        rl = getattr(r, "line", 0)
        if "label" not in r or "code" not in r:
            raise CodelistError(file, rl, "a rule needs `label` and `code`")
        rules.append(
            Rule(
                str(r["label"]),
                str(r["code"]),
                _date(r.get("valid_from"), file, rl, "valid_from"),
                _date(r.get("valid_to"), file, rl, "valid_to"),
                str(r.get("note", "")),
            )
        )
    if doc["id"] != path.stem:
        raise CodelistError(file, doc.line, f"id {doc['id']!r} does not match the file name {path.stem!r}")
    return Codelist(
        id=str(doc["id"]),
        name={k: str(v) for k, v in doc["name"].items()},
        standard=str(doc.get("standard", "")),
        link=doc.get("link"),
        total=total,
        groups=groups,
        special=special,
        versions=versions,
        rules=rules,
        correspondences=list(doc.get("correspondences") or []),
        file=file,
    )


def codelist_dir() -> Path:
    """The folder of codelist YAML files: $NAVSTAT_CODELISTS if set; else the copy an installed wheel
    carries (converter/_codelists, mapped from the top-level codelists/ at build time); else the
    top-level codelists/ of a checkout or an editable install."""
    env = os.environ.get("NAVSTAT_CODELISTS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    # The wheel's own copy first: beside an installed package, ../codelists is someone else's folder.
    for candidate in (here / "_codelists", here.parent / "codelists"):
        if (candidate / "MEASURE.yaml").is_file():
            return candidate
    raise CodelistError(str(here.parent / "codelists"), 0, "codelist folder not found; set NAVSTAT_CODELISTS")


@dataclass(slots=True)
class Codelists:
    lists: dict[str, Codelist]

    def __getitem__(self, dim: str) -> Codelist:
        return self.lists[dim]

    def resolve(self, dim: str, label: str, start: str, end: str | None = None, exact_only: bool = False) -> Resolution:
        return self.lists[dim].resolve(label, start, end or start, exact_only)


_LOADED: dict[str, Codelists] = {}


def load_codelists(directory: Path | None = None) -> Codelists:
    directory = directory or codelist_dir()
    key = str(directory)
    if key not in _LOADED:
        lists = {}
        for cid in CODELIST_IDS:
            path = directory / f"{cid}.yaml"
            if not path.is_file():
                raise CodelistError(str(path), 0, "codelist file is missing")
            lists[cid] = load_codelist(path)
        _LOADED[key] = Codelists(lists)
    return _LOADED[key]
