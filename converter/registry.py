"""Which reader reads an input and which writer writes a format: two small registries.

A reader is chosen by the input's content: the first entry whose `handles(path, head)` says yes
reads it (`head` is the first bytes of the file, empty when it cannot be opened); the entry without
`handles` comes last and takes everything else, so that unreadable input gets the text reader's
precise error. A writer is chosen by the format (`navstat convert --to FORMAT`).

Adding a reader or a format is one module plus one line below. Entries name their functions as
"module:function" and are imported only when chosen, so a format's dependencies cost nothing to
the others. The contracts:

- reader  `read(path: str, codelists: Codelists) -> parsed.Interpretation`, parsing the input and
  interpreting its rows (the pipeline reconciles them);
  raises `readers.textio.InputError` when the input cannot be read at all (NAV-E001);
  `handles(path: Path, head: bytes) -> bool`, cheap, from the bytes only;
- writer  `write(report: Report, target: str, options: WriteOptions) -> int`, the number of
  datasets written; writes atomically through `outputs.py`. A file writer gets a file path ('-' for
  standard output); a folder writer (`folder=True`) gets a folder, creates it if missing and names
  its files after the report (`Path(report.source).stem`), so several reports can share it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .codelists import Codelists

HEAD_BYTES = 4096  # what content sniffing sees of an input


@dataclass(frozen=True, slots=True)
class ReaderEntry:
    name: str
    read: str  # "module:function"
    handles: str | None = None  # "module:function"; None: the fallback, last in READERS
    suffixes: tuple[str, ...] = ()  # the files of a folder given as input that this reader reads


@dataclass(frozen=True, slots=True)
class WriterEntry:
    format: str  # the value of --to
    write: str  # "module:function"
    extension: str = ""  # of the file written (a file writer); "" for a folder writer
    folder: bool = False  # writes a folder of files rather than one file
    title: str = ""


@dataclass(frozen=True, slots=True)
class WriteOptions:
    lang: str = "nb"  # label language: nb or en
    sdmx_flavour: str = "structure"  # SDMX-ML: structure (StructureSpecificData) or generic (GenericData)
    codelists: Codelists | None = None  # None: the installed codelists


# Most specific first; the fallback last.
READERS: tuple[ReaderEntry, ...] = (
    # NAV's Excel workbooks, by content (a zip or, password-protected, an OLE2 file), whatever the name
    ReaderEntry(
        "xlsx",
        read="converter.readers.xlsx:interpret_workbook",
        handles="converter.readers.xlsx:handles",
        suffixes=(".xlsx",),
    ),
    ReaderEntry("text", read="converter.readers.navtext:interpret_file", suffixes=(".txt",)),  # NAV's text extracts
)

WRITERS: dict[str, WriterEntry] = {
    w.format: w
    for w in (
        WriterEntry("jsonstat", "converter.writers.jsonstat:write_file", ".json", title="JSON-stat 2.0 collection"),
        WriterEntry("sdmx", "converter.writers.sdmx_ml:write_file", ".xml", title="SDMX-ML 2.1 data"),
        WriterEntry("sdmx-csv", "converter.writers.sdmx_csv:write_file", ".csv", title="SDMX-CSV 2.0"),
        WriterEntry("px", "converter.writers.px:write_file", folder=True, title="PX files for PxWeb"),
    )
}
# `navstat convert --split FOLDER`: one JSON-stat dataset file per breakdown (an option of jsonstat).
SPLIT_WRITER = WriterEntry(
    "jsonstat-split", "converter.writers.jsonstat:write_split", folder=True, title="JSON-stat 2.0 datasets"
)


def load(ref: str) -> Callable[..., Any]:
    """The function a "module:function" reference names (the module is imported on first use)."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def reader_for(path: str | Path) -> ReaderEntry:
    """The reader of an input, chosen by its content."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        head = b""  # the fallback reader says precisely why the input cannot be read
    for entry in READERS:
        if entry.handles is None or load(entry.handles)(p, head):
            return entry
    raise LookupError(f"{path}: no reader handles this input")  # READERS always ends with a fallback


def report_suffixes() -> tuple[str, ...]:
    """The file name endings `navstat convert FOLDER` picks up."""
    return tuple(x for entry in READERS for x in entry.suffixes)


def writer_for(fmt: str) -> WriterEntry:
    return WRITERS[fmt]
