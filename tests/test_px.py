"""PX files (PC-Axis 2013) for PxWeb, read back with real PX readers (pandas-pcaxis, pyaxis) and
compared cell by cell with navstat's JSON-stat output of the same report; `navstat validate` on them
and on corrupted copies."""

from __future__ import annotations

import json
import math
import re

import pytest
from pandas_pcaxis import PxParser
from pyaxis import pyaxis

from converter.codelists import load_codelists
from converter.conformance import validate_file
from converter.model import DIMENSIONS
from converter.pipeline import read_reconciled
from converter.px_check import validate_px
from converter.writers import jsonstat, px

from .conftest import ROOT, SEEDS, SHARED, one_line_error, run, seed_report

EXAMPLES = ROOT / "examples" / "output"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """All five example reports converted once, through the command line, into one folder."""
    out = tmp_path_factory.mktemp("px")
    r = run("-q", "convert", *(str(SEEDS[s]) for s in sorted(SEEDS)), "--to", "px", "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def items(seed: str) -> list[dict]:
    """The datasets of navstat's committed JSON-stat output of the report (kept current by a test)."""
    doc = json.loads((EXAMPLES / f"{SEEDS[seed].stem}.json").read_text(encoding="utf-8"))
    return doc["link"]["item"]


def px_path(folder, seed: str, ds: dict):
    breakdown = tuple(d for d in ds["id"] if d in DIMENSIONS)
    return folder / f"{SEEDS[seed].stem}.{jsonstat.split_name(breakdown)}.px"


def expected_cells(ds: dict) -> list:
    """The PX cell JSON-stat's value/status implies: the number, or the dots code of its status."""
    status = ds.get("status") or {}
    dots = {":": "...", "..": ".."}
    return [v if v is not None else dots.get(status.get(str(i)), "") for i, v in enumerate(ds["value"])]


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_file_reads_in_pandas_pcaxis_with_the_jsonstat_cells(folder, seed):
    datasets = items(seed)
    assert len(list(folder.glob(f"{SEEDS[seed].stem}.*.px"))) == len(datasets)
    for ds in datasets:
        parsed = PxParser(encoding="utf-8").parse(px_path(folder, seed, ds).read_bytes())
        meta = parsed.meta
        sizes = [len(meta["values"][v]) for v in meta["stub"] + meta["heading"]]
        assert sizes == ds["size"]  # same dimensions in the same order, MEASURE and month last
        cells = [c for row in parsed.data for c in row]
        assert len(cells) == math.prod(sizes)
        for got, want in zip(cells, expected_cells(ds), strict=True):
            if want == "":  # JSON-stat null without status: not printed, or left out by navstat
                assert got in (".", "....")
            else:
                assert got == want  # every number the same, every * the dots code "..."
        assert meta["datasymbol3"] == ":" and meta["datasymbol2"] == ".."
        assert meta["contvariable"] in meta["stub"]
        codes = {k: v if isinstance(v, list) else [v] for k, v in meta["codes"].items()}
        assert codes[meta["contvariable"]] == ds["dimension"]["MEASURE"]["category"]["index"]
        assert codes[meta["heading"][0]] == [
            p.replace("-", "M") for p in ds["dimension"]["TIME_PERIOD"]["category"]["index"]
        ]


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_file_reads_in_pyaxis_in_both_languages(folder, seed):
    for ds in items(seed):
        path = str(px_path(folder, seed, ds))
        # pyaxis maps only "." and ".." by default; told that "..." is the disclosure symbol:
        got = pyaxis.parse(path, encoding="utf-8", null_values=r"^$", sd_values=r'^"\.\.\."$')
        cells = got["DATA"]["DATA"].tolist()
        assert len(cells) == math.prod(ds["size"])
        for cell, want in zip(cells, expected_cells(ds), strict=True):
            if isinstance(want, int):
                assert cell == str(want)
            elif want == "...":
                assert isinstance(cell, float) and math.isnan(cell)  # confidential: no value
            elif want == "..":
                assert cell == '".."'
            else:
                assert cell in ('"."', '"...."')
        en = pyaxis.parse(path, encoding="utf-8", lang="en")
        assert list(en["DATA"].columns)[-3:] == ["measure", "month", "DATA"]
        assert en["METADATA"]["CODES(measure)"] == ds["dimension"]["MEASURE"]["category"]["index"]
        assert set(got["TRANSLATION"]["CONTENTS"]) == {"no", "en"}


def test_english_labels_and_elimination(folder):
    path = folder / "2024-tilt120-arbeidspraksis.tiltak-kjonn.px"
    en = pyaxis.parse(str(path), encoding="utf-8", lang="en")
    assert set(en["DATA"]["sex"]) == {"Total", "Women", "Men"}
    assert en["METADATA"]["UNITS(Participants)"] == ["persons"]
    parsed = PxParser(encoding="utf-8").parse(path.read_bytes())
    assert parsed.meta["elimination"] == {"kjønn": "Begge kjønn"}
    assert str(parsed.meta["last_updated"]) == "2025-01-02 00:00:00"  # "Rapport oppdatert" of the report
    # ELIMINATION names a real value text: pandas-pcaxis drops the totals by it
    df = parsed.to_df()
    assert set(df.index.get_level_values("kjønn")) == {"Kvinner", "Menn"}
    row = df.loc[("Arbeidstrening", "Kvinner", "Deltakere")]
    assert row["2024M01"] == 2918  # line 61 of the report
    # a report about one tiltak group: its grand "I alt" is the group, the elimination value of tiltak
    group = PxParser(encoding="utf-8").parse((folder / "2024-tilt120-arbeidspraksis.tiltak.px").read_bytes())
    assert group.meta["elimination"] == {"tiltak": "Arbeidspraksis"}


def test_cells_left_out_by_navstat_have_their_own_symbol(folder):
    text = (folder / "2023-oppfolging-demografi.tiltak-fylke.px").read_text(encoding="utf-8")
    assert text.count('"...."') == len(seed_report("2023").withheld) == 44
    assert 'DATASYMBOL4="?";' in text and "? = Tallet står i rapporten, men navstat utelot det" in text


def test_layout_every_reader_accepts(folder):
    for path in folder.glob("*.px"):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
        head, body = text.split("\nDATA=\n")
        assert 'CODEPAGE="utf-8";' in head.splitlines()[:3] and 'LANGUAGE="no";' in head
        assert head.count("\nNOTE=") == 1 and "\nHEADING=" in head and body.endswith(";\n")
        assert not re.search(r'",[ \t]+"', head)  # no blank after commas
        for line in head.splitlines():
            assert len(line) <= 256 or line.startswith("TIMEVAL"), line
            assert line.startswith('"') or re.match(r"[A-Z0-9-]+(\[en\])?(\(\"[^\"]+\"\))?=", line), line
        assert 'TIMEVAL("måned")=TLIST(M1),"' in head


def test_same_report_same_bytes():
    cl = load_codelists()
    report = seed_report("2023")
    b = jsonstat.breakdowns(report)[2]
    assert px.render(report, b, cl) == px.render(report, b, cl)


def test_long_texts_are_split_and_special_characters_escaped():
    text = 'Om "statistikken" # se\nnav.no\\ DATA=1; ' + "ord " * 120
    pieces = px.chunks(text, 200)
    assert len(pieces) > 2 and all(len(p) <= 256 for p in pieces)
    inner = [p[1:-1] for p in pieces]
    assert "".join(inner) == px.clean(text) and not any(p != p.strip() for p in inner)
    assert '"' not in "".join(inner) and "#" not in "".join(inner) and "DATA=" not in "".join(inner)
    line = px.text_line("NOTE", None, text)
    minimal = f'STUB="y";\nHEADING="x";\nVALUES("y")="b";\nVALUES("x")="a";\n{line}\nDATA=\n1;\n'
    parsed = PxParser(encoding="utf-8").parse(minimal.encode())
    assert parsed.meta["note"] == px.clean(text)


def test_validate_accepts_every_file(folder):
    cl = load_codelists()
    for path in sorted(folder.glob("*.px")):
        assert validate_file(path, cl) == [], path.name
    r = run("validate", str(folder / "2021-tiltak-hovedgrupper.tiltak.px"))
    assert r.returncode == 0 and r.stderr.strip().endswith(": valid")


def corrupt(folder, tmp_path, change) -> str:
    """A corrupted copy of the 2021 TILTAK file; `navstat validate` on it; its error lines."""
    src = folder / "2021-tiltak-hovedgrupper.tiltak.px"
    bad = tmp_path / src.name
    bad.write_bytes(change(src.read_bytes()))
    r = run("validate", str(bad))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    return r.stderr


def test_validate_rejects_a_changed_number(folder, tmp_path):
    # the first cell is the grand total of January, 72 086 (line 26 of the report): lowered, its parts exceed it
    err = corrupt(folder, tmp_path, lambda b: b.replace(b"DATA=\n72086 ", b"DATA=\n70086 "))
    assert (
        "NAV-V124" in err
        and "NAV-Q201" in err
        and "total 70086, but its 9 TILTAK parts add up to at least 72086" in err
    )
    # a month changed: the year-to-date average no longer is the mean of the months (2024, Arbeidstrening)
    src = folder / "2024-tilt120-arbeidspraksis.tiltak-kjonn.px"
    bad = tmp_path / src.name
    bad.write_bytes(src.read_bytes().replace(b"\n5000 5587 ", b"\n9000 5587 "))
    r = run("validate", str(bad))
    assert r.returncode == 1 and "NAV-Q202" in r.stderr and "average 5604" in r.stderr


def test_validate_rejects_a_confidential_cell_given_a_value(folder, tmp_path):
    err = corrupt(folder, tmp_path, lambda b: b.replace(b'"..."', b"2", 1))
    assert "NAV-V107" in err and "cell 2 is below 4" in err


def test_validate_rejects_a_dropped_data_token(folder, tmp_path):
    err = corrupt(folder, tmp_path, lambda b: b.rstrip(b";\n").rsplit(b" ", 1)[0] + b";\n")
    assert "NAV-V102" in err and "DATA has 587 cells, VALUES need 49 x 1 x 12 = 588" in err


def test_validate_rejects_a_lying_codepage(folder, tmp_path):
    err = corrupt(folder, tmp_path, lambda b: b.replace(b'CODEPAGE="utf-8"', b'CODEPAGE="iso-8859-1"'))
    assert "NAV-V120" in err and "the bytes are UTF-8" in err
    latin = corrupt(folder, tmp_path, lambda b: b.decode("utf-8").encode("latin-1"))
    assert "NAV-V120" in latin and "not utf-8 as CODEPAGE says" in latin


def test_px_needs_a_folder(tmp_path):
    r = run("convert", str(SEEDS["2024"]), "--to", "px")
    assert r.returncode == 2 and "give -o FOLDER" in one_line_error(r)
    afile = tmp_path / "a.px"
    afile.write_text("x")
    r = run("convert", str(SEEDS["2024"]), "--to", "px", "-o", str(afile))
    assert r.returncode == 2 and "cannot create the folder" in one_line_error(r)
    new = tmp_path / "new" / "px"
    r = run("-q", "convert", str(SEEDS["2024"]), "--to", "px", "-o", str(new))
    assert r.returncode == 0 and len(list(new.glob("*.px"))) == 8


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_committed_px_examples_are_current(seed):
    # examples/output/px shows PxWeb users what navstat makes of each report; `bash scripts/examples` renews it
    report, cl = seed_report(seed), load_codelists()
    committed = sorted((EXAMPLES / "px").glob(f"{SEEDS[seed].stem}.*.px"))
    assert [p.name for p in committed] == sorted(px.file_name(report, b) for b in jsonstat.breakdowns(report))
    for b in jsonstat.breakdowns(report):
        assert (EXAMPLES / "px" / px.file_name(report, b)).read_bytes() == px.render(report, b, cl), b


def test_validate_accepts_the_px_files_of_the_dev_set():
    # 12 reports with damaged pages, misspellings and totals that disagree in the report itself:
    # the PX files must still validate (the one-way total check raises no false alarm)
    devset = SHARED / "devset"
    if not devset.is_dir():
        pytest.skip(f"{devset} is absent (shared material)")
    cl = load_codelists()
    n = 0
    for doc in sorted(devset.glob("doc*.txt")):
        report = read_reconciled(str(doc))
        for b in jsonstat.breakdowns(report):
            assert validate_px(px.render(report, b, cl), f"{doc.name}:{b}", cl) == []
            n += 1
    assert n == 53


@pytest.mark.parametrize(
    ("change", "rule", "says"),
    [
        (lambda t: "\ufeff" + t, "NAV-V120", "byte order mark"),
        (
            lambda t: t.replace('SOURCE[en]="NAV (Norwegian Labour and Welfare Administration)";\n', ""),
            "NAV-V121",
            "SOURCE[en] 0",
        ),
        (lambda t: t.replace('MATRIX="TILT_2023_TK";\n', ""), "NAV-V121", "MATRIX is missing"),
        (
            lambda t: t.replace('ELIMINATION("kjønn")="Begge kjønn"', 'ELIMINATION("kjønn")="Alle"'),
            "NAV-V122",
            "'Alle'",
        ),
        (lambda t: t.replace('CODES("kjønn")="_T","F","M"', 'CODES("kjønn")="_T","K","M"'), "NAV-V106", "['K']"),
        (lambda t: t.replace('CODES("kjønn")="_T","F","M"', 'CODES("kjønn")="_T","F"'), "NAV-V122", "2 CODES for 3"),
        (lambda t: t.replace('"..."', '"-"', 1), "NAV-V107", "exactly zero"),
        (lambda t: t.replace('"..."', '"x"', 1), "NAV-V123", "not a dots code"),
        (
            lambda t: t.replace('VALUES("kjønn")=', 'VALUES("kjonn")='),
            "NAV-V121",
            "no VALUES for variable 'kjønn'",
        ),
        (lambda t: t.replace("DATA=", "DATA"), "NAV-V100", "expected ="),
    ],
)
def test_validate_names_what_is_wrong(change, rule, says):
    cl = load_codelists()
    report = seed_report("2023")
    good = px.render(report, ("TILTAK", "KJONN"), cl).decode("utf-8")
    assert '"..."' in good
    found = validate_px(change(good).encode("utf-8"), "f.px", cl)
    assert any(v.rule == rule and says in v.message for v in found), [v.format() for v in found]


def test_validate_never_crashes_on_damaged_files():
    # random byte damage: validate answers with violations, never with a traceback
    import random

    cl = load_codelists()
    good = (EXAMPLES / "px" / "2023-oppfolging-demografi.tiltak-kjonn.px").read_bytes()
    alphabet = b'";,=()[]\n .-0123456789AZaz\xc3\xb8'
    for seed in range(300):
        rng = random.Random(seed)
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 5)):
            p = rng.randrange(len(damaged))
            if rng.random() < 0.5:
                del damaged[p : p + rng.randint(1, 30)]
            else:
                damaged[p:p] = bytes([rng.choice(alphabet)])
        validate_px(bytes(damaged), "f.px", cl)  # raises on a bug


def test_lang_en_makes_english_the_default_language(tmp_path):
    cl = load_codelists()
    report = seed_report("2024")
    path = tmp_path / "en.px"
    path.write_bytes(px.render(report, ("TILTAK", "KJONN"), cl, "en"))
    assert validate_px(path.read_bytes(), "en.px", cl) == []
    meta = PxParser(encoding="utf-8").parse(path.read_bytes()).meta
    assert meta["language"] == "en" and meta["languages"] == ["en", "no"] and meta["stub"][1] == "sex"
    no = pyaxis.parse(str(path), encoding="utf-8", lang="no")
    assert list(no["DATA"].columns) == ["tiltak", "kjønn", "måltall", "måned", "DATA"]


def test_the_note_cites_the_section_of_the_statistics_act_the_report_names():
    # the 2014 report says § 2-6 (the old Act); later reports § 7-1
    for seed, section, other in (("2014", "§ 2-6", "§ 7-1"), ("2023", "§ 7-1", "§ 2-6")):
        for path in sorted((EXAMPLES / "px").glob(f"{SEEDS[seed].stem}.*.px")):
            text = path.read_text(encoding="utf-8")
            assert section in text and other not in text, (path.name, section)
