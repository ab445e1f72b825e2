"""Every rule navstat reports by, in one registry: its stable id, severity, title and hint.

Kinds, by the letter after `NAV-`: E (error: a cell or the input cannot be read), W (warning: read,
but by a repair or a vote), I (info), Q (quality checks over a read report, `validate.py`) and V
(conformance of an output file, `navstat validate`). Call sites name a rule by its constant
(`report.diagnose(DAMAGED_ROW_UNALIGNED, ...)`); the constant is the id string, so diagnostics,
JSON and filters keep using ids. Never renumber: users filter and suppress by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str  # what a diagnostic under this rule says happened
    hint: str = ""  # what the user can do about it
    check: str = ""  # Q rules: what the check asserts (its line in `navstat inspect`)

    @property
    def kind(self) -> str:
        """E, W, I, Q or V."""
        return self.id[4]


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: Severity, title: str, hint: str = "", check: str = "") -> str:
    assert rule_id not in RULES, rule_id
    RULES[rule_id] = Rule(rule_id, severity, title, hint, check)
    return rule_id


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

# -- reading a report --------------------------------------------------------------------------
INPUT_UNREADABLE: Final = _rule("NAV-E001", _E, "input cannot be read", "check the path and that it is a text report")
NO_TABLE: Final = _rule("NAV-E002", _E, "no table found", "is this a NAV 'Deltakere i arbeidsrettede tiltak' extract?")
ROW_BEFORE_HEADER: Final = _rule("NAV-E010", _E, "row before any header", "a table must start with a header of months")
BAD_CELL: Final = _rule("NAV-E011", _E, "cell is not a number, * or blank", "fix the cell in the source")
DAMAGED_ROW_UNALIGNED: Final = _rule(
    "NAV-E012",
    _E,
    "damaged row cannot be aligned",
    "the row has a different number of values than the header and no other copy or total decides",
)
COPIES_DISAGREE: Final = _rule(
    "NAV-E013",
    _E,
    "copies of the same figure disagree",
    "the report prints this figure more than once with different values; check the source",
)
LABEL_UNKNOWN: Final = _rule(
    "NAV-E014",
    _E,
    "label not found in the codelist",
    "add the spelling as an alias in codelists/*.yaml if it is a real category",
)
LABEL_AMBIGUOUS: Final = _rule(
    "NAV-E015", _E, "label is ambiguous", "two codes match equally well; add an exact alias to decide"
)
CONTEXT_UNKNOWN: Final = _rule(
    "NAV-E016",
    _E,
    "table context not understood",
    "the heading above the table does not name a known group, main group or sex",
)
PERIOD_MISSING: Final = _rule(
    "NAV-E017", _E, "period not found", "the report needs a line like 'Januar 2021 - Desember 2021'"
)
TOTAL_AMBIGUOUS: Final = _rule(
    "NAV-E018",
    _E,
    "total row is ambiguous",
    "'I alt X' names both a group and a measure and no figure elsewhere decides which",
)
DAMAGED_ROW_REPAIRED: Final = _rule("NAV-W020", _W, "damaged row repaired from the report's own evidence")
COPY_OUTVOTED: Final = _rule("NAV-W021", _W, "disagreeing copy outvoted by the other copies")
NOT_UTF8: Final = _rule("NAV-W022", _W, "input is not UTF-8; decoded as cp1252")
CONTEXT_DISAGREES: Final = _rule("NAV-W023", _W, "context heading disagrees with the total row")
PERIOD_IMPLAUSIBLE: Final = _rule(
    "NAV-W024",
    _W,
    "period line implausible: it ends before it starts, or a year lies in the future",
    "check the period line; the figures are read with the months as printed",
)
LABEL_APPROXIMATE: Final = _rule("NAV-I030", _I, "label matched approximately")
LABEL_ONLY_ROW: Final = _rule("NAV-I031", _I, "label-only row without figures skipped")
TOTAL_DECIDED: Final = _rule("NAV-I032", _I, "ambiguous total row decided by figures printed elsewhere")
TEXT_IGNORED: Final = _rule("NAV-I033", _I, "text line not understood, ignored")
SUSPECT_ROW_DAMAGED: Final = _rule(
    "NAV-I034", _I, "row with an empty last cell contradicted by the report: read as damaged"
)

# -- quality checks over a read report (validate.py) --------------------------------------------
TOTALS_CHECK: Final = _rule(
    "NAV-Q201",
    _W,
    "a total differs from the sum of its parts",
    "check the rows of the table in the source; a `*` counts 0-3",
    check="a total equals the sum of its parts (each * is 0-3)",
)
YTD_CHECK: Final = _rule(
    "NAV-Q202",
    _W,
    "the year-to-date average differs from the mean of the months",
    check="the year-to-date average is the mean of the printed months",
)
COPIES_CHECK: Final = _rule(
    "NAV-Q203",
    _W,
    "a figure printed in several tables disagrees",
    check="a figure printed in several tables agrees",
)
CODES_CHECK: Final = _rule(
    "NAV-Q204",
    _W,
    "a code has a figure in a month it is not in force",
    check="codes are valid for their period",
)
DISCLOSURE_AUDIT: Final = _rule(
    "NAV-Q205",
    _I,
    "a suppressed cell follows exactly from printed figures",
    "consider secondary suppression before publishing; navstat never prints the derived value",
    check="disclosure audit: no suppressed cell follows exactly from printed figures",
)

CODE_OUT_OF_FORCE: Final = _rule(
    "NAV-I036",
    _I,
    "a label names a code outside the code's validity",
    "NAV prints a new measure's row before it starts; its figures there must be * or blank (NAV-Q204)",
)
WORKBOOK_NOTE: Final = _rule("NAV-I035", _I, "workbook: a column, sheet, formula or hidden part noted while reading")

# -- combining reports (`navstat combine`, combine.py and harmonise.py) -------------------------
REVISED: Final = _rule("NAV-W050", _W, "figure revised by a later report", "the later release's figure is used")
REVISION_UNORDERED: Final = _rule(
    "NAV-E051",
    _E,
    "reports disagree and neither is later",
    "neither 'Rapport oppdatert' nor the period orders the two reports; the figure is left out",
)
AVERAGE_MONTHS_REVISED: Final = _rule(
    "NAV-W052",
    _W,
    "year-to-date average kept as printed; a later report revised its months",
    "the average is that release's figure and no longer the mean of the combined months",
)
COUNTY_NOT_RECODABLE: Final = _rule(
    "NAV-E053",
    _E,
    "county cannot be recoded: its territory is split or only partly moved",
    "navstat never apportions a county's figures; use the version the report was published in",
)
MERGED_COUNTY_PART_MISSING: Final = _rule("NAV-I054", _I, "merged county has no figure: a part is not printed")
COMBINED_DISCLOSURE: Final = _rule(
    "NAV-W055",
    _W,
    "combining reports makes a suppressed cell derivable",
    "the cell follows from figures of the combined set, not from its own report alone",
)

# -- conformance of an output file (`navstat validate`, conformance.py) -------------------------
OUTPUT_UNREADABLE: Final = _rule("NAV-V100", _E, "file cannot be read as JSON-stat, SDMX-ML or SDMX-CSV")
SCHEMA_VIOLATION: Final = _rule("NAV-V101", _E, "violates the official schema")
VALUE_SIZE: Final = _rule("NAV-V102", _E, "value has not product(size) entries")
STATUS_POSITION: Final = _rule("NAV-V103", _E, "status position out of range or on a cell with a value")
DIMENSION_MISMATCH: Final = _rule("NAV-V104", _E, "dimension keys differ from id, or category index from size")
CHILD_MISSING: Final = _rule("NAV-V105", _E, "child code not among the categories")
CODE_UNKNOWN: Final = _rule("NAV-V106", _E, "code not in the codelist")
CONFIDENTIAL_VALUE: Final = _rule("NAV-V107", _E, "confidential cell carries a value")
# the output's own figures re-checked (recheck.py): what a figure edited after navstat wrote it breaks
NEGATIVE_VALUE: Final = _rule("NAV-V108", _E, "negative figure: participants and averages are never below 0")
STATUS_UNKNOWN: Final = _rule(
    "NAV-V109", _E, "status symbol navstat does not document, or a cell without value or status"
)
OUTPUT_TOTALS: Final = _rule(
    "NAV-V110", _E, "a total differs from the sum of its parts in the output's own figures (NAV-Q201, each * 0-3)"
)
OUTPUT_YTD: Final = _rule(
    "NAV-V111", _E, "a year-to-date average differs from the mean of its months in the output's figures (NAV-Q202)"
)
CELL_CONFLICT: Final = _rule("NAV-V112", _E, "the same cell has different figures in two places of the output")

# -- PX files (`navstat validate FILE.px`, px_check.py) ----------------------------------------
PX_CODEPAGE: Final = _rule("NAV-V120", _E, "bytes do not match CODEPAGE, or a byte order mark")
PX_KEYWORD: Final = _rule("NAV-V121", _E, "mandatory keyword missing, repeated, or without its language twin")
PX_REFERENCE: Final = _rule(
    "NAV-V122",
    _E,
    "keyword refers to a variable or value that does not exist, or lists the wrong number of them",
)
PX_CELL: Final = _rule("NAV-V123", _E, "cell is neither a number nor a dots code")
PX_TOTALS: Final = _rule(
    "NAV-V124",
    _E,
    "parts exceed their total, or a year-to-date average is not the mean of its months (NAV-Q201, Q202)",
)

# -- DCAT-AP-NO catalogues (`navstat validate catalog.ttl`, catalog_check.py) -------------------
CATALOG_UNREADABLE: Final = _rule("NAV-V200", _E, "the catalogue cannot be read as RDF")
CATALOG_SHAPE_VIOLATION: Final = _rule("NAV-V201", _E, "violates the DCAT-AP-NO 2.0 shapes")
CATALOG_SHAPE_WARNING: Final = _rule("NAV-V202", _W, "warning of the DCAT-AP-NO 2.0 shapes")
CATALOG_THEME: Final = _rule("NAV-V203", _E, "theme not in the EU data-theme vocabulary")
CATALOG_LANGUAGES: Final = _rule("NAV-V204", _E, "title or description without nb and en language tags")
CATALOG_PUBLISHER: Final = _rule("NAV-V205", _E, "catalogue or dataset without publisher")
CATALOG_SIZE: Final = _rule("NAV-V206", _E, "byte size differs from the file")
CATALOG_CHECKSUM: Final = _rule("NAV-V207", _E, "checksum differs from the file")
CATALOG_FILES_ABSENT: Final = _rule("NAV-V208", _I, "files not beside the catalogue: size and checksum not compared")

# `--strict`: a run fails on every error (a cell or the input could not be read: the output would be
# incomplete) and on every warning except these, which say how a figure was recovered with certainty
# from the report's own evidence. `--strict-disclosure` adds the disclosure audit's findings.
STRICT_TOLERATED: Final = frozenset({DAMAGED_ROW_REPAIRED, NOT_UTF8})
