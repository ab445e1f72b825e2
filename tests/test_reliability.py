"""Hostile and malformed input: each case with its expected outcome (converts, warns, or rejects with a
one-line message), run through the installed command. Plus interruption and determinism."""

from __future__ import annotations

import codecs
import hashlib
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from .conftest import SEEDS

EXE = str(Path(sys.executable).parent / "navstat")
GOOD = (
    "Deltakere i arbeidsrettede tiltak. Tidsserie måned\n\nTiltak\n\nJanuar - Mars 2022\n\n"
    "\tJanuar\tFebruar\tMars\nI alt\t1 200\t1 300\t*\nOppfølging - sykmeldt arbeidstaker\t1 200\t1 300\t*\n"
)
GOOD_OBS = 6


def zip_bytes() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report.txt", GOOD)
    return buf.getvalue()


def png_bytes() -> bytes:
    raw = b"\x00\xff\x00\xff"
    ihdr = b"IHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + len(ihdr[4:]).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + raw


# name: (content, expected outcome, text expected in stderr)
# outcomes: "converts" (exit 0, output written, no warning), "warns" (exit 0, a warning line),
# "errors" (exit 0, cells left out with an error line), "rejects" (exit 1, one line, no output)
CORPUS: dict[str, tuple[bytes, str, str]] = {
    "utf8": (GOOD.encode(), "converts", ""),
    "utf8-bom": (codecs.BOM_UTF8 + GOOD.encode(), "converts", ""),
    "utf16-le-bom": (GOOD.encode("utf-16"), "converts", ""),
    "utf16-be-bom": (codecs.BOM_UTF16_BE + GOOD.encode("utf-16-be"), "converts", ""),
    "crlf": (GOOD.replace("\n", "\r\n").encode(), "converts", ""),
    "cr-only": (GOOD.replace("\n", "\r").encode(), "converts", ""),
    "cp1252": (GOOD.encode("cp1252"), "warns", "NAV-W022"),
    "latin1": (GOOD.replace("måned", "m\u00e5ned").encode("latin-1"), "warns", "decoded as cp1252"),
    "trailing-spaces-and-tabs": (GOOD.replace("\n", " \t\n").encode(), "converts", ""),
    "many-empty-lines": (("\n" * 300_000 + GOOD).encode(), "converts", ""),
    "long-line-50mb": (("x" * 50_000_000 + "\n" + GOOD).encode(), "converts", ""),
    "markdown-separators": (GOOD.replace("\tJanuar", "---\t---\t---\t---\n\tJanuar").encode(), "converts", ""),
    "empty": (b"", "rejects", "file is empty"),
    "whitespace-only": (b" \n\t\n  \n", "rejects", "file is empty"),
    "nul-bytes": (b"abc\x00def\n" * 10, "rejects", "binary file"),
    "png-image": (png_bytes(), "rejects", "binary file"),
    "zip-archive": (zip_bytes(), "rejects", "a zip archive, not an Excel workbook"),
    "random-binary": (hashlib.sha512(b"navstat").digest() * 64, "rejects", ""),
    "prose-only": (b"Dette er ikke en rapport.\nBare tekst.\n", "rejects", "no observations"),
    "no-period": (GOOD.replace("Januar - Mars 2022\n", "").encode(), "rejects", "NAV-E017"),
    "header-without-rows": (GOOD.split("I alt")[0].encode(), "rejects", "no observations"),
    "csv-not-tabs": (GOOD.replace("\t", ",").encode(), "rejects", "no observations"),
    "bad-cell": (GOOD.replace("1 300\t*\nOpp", "13x\t*\nOpp").encode(), "errors", "NAV-E011"),
    "unknown-label": (
        GOOD.replace("Oppfølging - sykmeldt arbeidstaker", "Helt ukjent tiltak").encode(),
        "errors",
        "NAV-E014",
    ),
    "short-row-no-evidence": (
        GOOD.replace("\t1 200\t1 300\t*\nOpp", "\t1 200\t1 300\t*\nOpp")
        .replace("arbeidstaker\t1 200\t1 300\t*", "arbeidstaker\t1 200\t*")
        .encode(),
        "errors",
        "NAV-E012",
    ),
    "xml-and-json-specials": (
        GOOD.replace(
            "Deltakere i arbeidsrettede tiltak. Tidsserie måned",
            'Deltakere i arbeidsrettede tiltak & <b>"x"</b> \x01 \\ Tidsserie måned',
        ).encode(),
        "converts",
        "",
    ),
    "control-characters": (GOOD.replace("Tiltak\n", "Tiltak\x07\x1b[31m\n").encode(), "converts", ""),
}


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def test_corpus_is_large_enough():
    assert len(CORPUS) + 5 >= 25  # plus the path, size, folder and signal cases below


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.parametrize("fmt", ["jsonstat", "sdmx"])
def test_hostile_input(name, fmt, tmp_path):
    content, outcome, message = CORPUS[name]
    src = tmp_path / f"{name}.txt"
    src.write_bytes(content)
    out = tmp_path / "out.data"
    r = run("convert", str(src), "--to", fmt, "-o", str(out))
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    if outcome == "rejects":
        assert r.returncode == 1, r.stderr
        assert not out.exists() and not list(tmp_path.glob(".*.part"))
        assert len([x for x in lines if "error" in x]) >= 1 and message in r.stderr
        assert all(len(x) < 400 for x in lines)
        return
    assert r.returncode == 0, r.stderr
    assert out.exists()
    if fmt == "jsonstat":
        import json

        json.loads(out.read_text(encoding="utf-8"))
    else:
        v = run("validate", str(out))
        assert v.returncode == 0, v.stderr
    if outcome == "converts":
        assert not [x for x in lines if " warning " in x or " error " in x], r.stderr
        assert f"{GOOD_OBS} observations" in r.stderr or name == "xml-and-json-specials"
    elif outcome == "warns":
        assert message in r.stderr and " error " not in r.stderr
    else:
        assert message in r.stderr


def test_missing_path_is_a_usage_error(tmp_path):
    r = run("convert", str(tmp_path / "missing.txt"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_folder_without_reports(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    r = run("convert", str(tmp_path), "-o", str(tmp_path))
    assert r.returncode == 1 and "no report files" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text(GOOD)
    f.chmod(0)
    try:
        if os.access(f, os.R_OK):
            pytest.skip("this user can read anything (root): permission errors cannot be produced")
        r = run("convert", str(f))
        assert r.returncode == 1 and "permission denied" in r.stderr
    finally:
        f.chmod(0o600)


def test_file_over_the_size_limit(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text(GOOD * 100)
    r = run("convert", str(f), "-o", str(tmp_path / "x.json"), env={"NAVSTAT_MAX_BYTES": "1000"})
    assert r.returncode == 1 and "larger than 1000 bytes" in r.stderr
    assert not (tmp_path / "x.json").exists()


def test_same_input_same_bytes_in_every_format(tmp_path):
    for fmt in ("jsonstat", "sdmx", "sdmx-csv"):
        for seed in ("2014", "2021", "2022", "2023", "2024"):
            outs = []
            for i in range(2):
                out = tmp_path / f"{seed}-{fmt}-{i}"
                assert run("-q", "convert", str(SEEDS[seed]), "--to", fmt, "-o", str(out)).returncode == 0
                outs.append(out.read_bytes())
            assert outs[0] == outs[1], (seed, fmt)
    a = tmp_path / "structure-a.xml"
    b = tmp_path / "structure-b.xml"
    run("structure", "-o", str(a))
    run("structure", "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_conversion_leaves_no_partial_output(sig, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.make_report import write_report

    src = tmp_path / "big.txt"
    with open(src, "w", encoding="utf-8") as fh:
        write_report(fh, 150_000)
    out = tmp_path / "out.xml"
    outcomes = set()
    for delay in (0.5, 1.5, 3.0, 4.5):
        p = subprocess.Popen(
            [EXE, "-q", "convert", str(src), "--to", "sdmx", "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
        assert "Traceback" not in err
        leftovers = list(tmp_path.glob(".*.part"))
        assert not leftovers
        if out.exists():  # finished before the signal: then the file is complete
            assert out.read_bytes().rstrip().endswith(b"</message:StructureSpecificData>")
            outcomes.add("finished")
            out.unlink()
        else:
            assert p.returncode == 130 and "interrupted" in err
            outcomes.add("interrupted")
    assert "interrupted" in outcomes
