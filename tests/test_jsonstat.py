"""JSON-stat output: official schema, the checks the schema misses, real clients, round trip."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from converter.api import observations_frame, read_jsonstat
from converter.codelists import load_codelists
from converter.model import DIMENSIONS, Status
from converter.readers import jsonstat_back
from converter.writers import jsonstat

from .conftest import ROOT, SEEDS, index, key, seed_report

# the official schemas vendored in the package (unmodified copies): the tests run in a fresh clone too
SCHEMA_DIR = ROOT / "converter" / "schemas" / "jsonstat"
needs_schema = pytest.mark.skipif(not (SCHEMA_DIR / "dataset.json").exists(), reason="the vendored schema is absent")

_docs: dict[str, dict] = {}


def doc_for(seed: str, lang: str = "nb") -> dict:
    k = f"{seed}-{lang}"
    if k not in _docs:
        _docs[k] = json.loads(jsonstat.dumps(jsonstat.collection(seed_report(seed), load_codelists(), lang)))
    return _docs[k]


def standalone(item: dict) -> dict:
    """An embedded dataset as a standalone one (the collection schema forbids `version` in items)."""
    return {"version": "2.0", **item}


@needs_schema
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_valid_against_official_schema(seed):
    import rfc3339_validator  # noqa: F401 - the format checker must check date-time strictly

    checker = FormatChecker()
    assert "date-time" in checker.checkers
    coll = Draft202012Validator(json.loads((SCHEMA_DIR / "collection.json").read_text()), format_checker=checker)
    ds = Draft202012Validator(json.loads((SCHEMA_DIR / "dataset.json").read_text()), format_checker=checker)
    doc = doc_for(seed)
    assert not [e.message for e in coll.iter_errors(doc)]
    for item in doc["link"]["item"]:
        assert not [e.message for e in ds.iter_errors(standalone(item))]
    for item in doc_for(seed, "en")["link"]["item"]:
        assert not [e.message for e in ds.iter_errors(standalone(item))]


@needs_schema
def test_schema_rejects_what_it_should():
    # The validator really validates: a date-only `updated` without zone and a bad status fail.
    ds = Draft202012Validator(json.loads((SCHEMA_DIR / "dataset.json").read_text()), format_checker=FormatChecker())
    item = standalone(doc_for("2024")["link"]["item"][0])
    assert not list(ds.iter_errors(item))
    assert list(ds.iter_errors({**item, "updated": "2025-01-02T00:00:00"}))
    assert list(ds.iter_errors({**item, "status": {"0": None}}))


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_checks_the_schema_misses(seed):
    cl = load_codelists()
    for item in doc_for(seed)["link"]["item"]:
        assert list(item["dimension"]) == item["id"]
        assert len(item["value"]) == math.prod(item["size"])
        for d, n in zip(item["id"], item["size"], strict=True):
            cat = item["dimension"][d]["category"]
            assert len(cat["index"]) == n == len(cat["label"])
            for parent, children in cat.get("child", {}).items():
                assert parent in cat["index"] and set(children) <= set(cat["index"])
                if d in cl.lists:
                    assert all(cl[d].parent(c) == parent for c in children)
        for pos, symbol in item.get("status", {}).items():
            assert 0 <= int(pos) < len(item["value"])
            assert item["value"][int(pos)] is None
            assert symbol in (":", "..", "?")  # "?": printed by the report, left out by navstat
        assert item["role"]["time"] == ["TIME_PERIOD"] and item["role"]["metric"] == ["MEASURE"]
        assert ("geo" in item["role"]) == ("FYLKE" in item["id"])
        unit = item["dimension"]["MEASURE"]["category"]["unit"]
        assert all(u["decimals"] == 0 for u in unit.values())
        assert item["extension"]["status"]["label"][":"]["en"].startswith("Confidential")


def test_dataset_contents_2024():
    doc = doc_for("2024")
    assert doc["updated"] == "2025-01-02T00:00:00Z"
    ids = [tuple(i["id"]) for i in doc["link"]["item"]]
    assert ("TILTAK", "FYLKE", "MEASURE", "TIME_PERIOD") in ids
    fylke = next(i for i in doc["link"]["item"] if "FYLKE" in i["id"])
    cat = fylke["dimension"]["FYLKE"]["category"]
    # KLASS 2024 counties in codelist order, with Sami names as KLASS writes them
    assert cat["index"][:3] == ["_T", "03", "11"] and cat["index"][-1] == "99"
    assert cat["label"]["56"] == "Finnmark - Finnmárku - Finmarkku"
    assert fylke["dimension"]["FYLKE"]["link"]["describedby"][0]["href"].endswith("/104")
    assert cat["child"]["_T"] == cat["index"][1:]
    tiltak = fylke["dimension"]["TILTAK"]["category"]
    assert tiltak["index"] == ["ARBTREN", "ARBFORB"]  # the group total is not printed by county
    totals = next(i for i in doc["link"]["item"] if i["id"] == ["TILTAK", "MEASURE", "TIME_PERIOD"])
    assert totals["dimension"]["TILTAK"]["category"]["child"] == {"TG_ARBEIDSPRAKSIS": ["ARBTREN", "ARBFORB"]}
    assert fylke["dimension"]["MEASURE"]["category"]["index"] == ["DELTAKERE", "SNITT_HIA"]


def test_labels_in_english():
    item = doc_for("2024", "en")["link"]["item"][0]
    assert item["dimension"]["TILTAK"]["category"]["label"]["ARBTREN"] == "Work training"
    assert item["dimension"]["MEASURE"]["category"]["label"]["SNITT_HIA"] == "Average so far this year"


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_round_trip_gives_back_every_value_and_status(seed):
    report = seed_report(seed)
    back = jsonstat_back.to_observations(doc_for(seed))
    assert [(o.full_key, o.value, o.status) for o in back] == sorted(
        (o.full_key, o.value, o.status) for o in [*report.observations, *report.withheld_observations()]
    )
    assert sum(o.status is Status.WITHHELD for o in back) == (44 if seed == "2023" else 0)  # marked, no value


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_no_confidential_cell_has_a_number(seed):
    report = seed_report(seed)
    confidential = {o.full_key for o in report.observations if o.status is Status.CONFIDENTIAL}
    assert confidential
    text = jsonstat.dumps(doc_for(seed))
    for item in json.loads(text)["link"]["item"]:
        for codes, value, status in jsonstat_back.observations_from_dataset(item):
            fk = (tuple(codes.get(d, "_T") for d in DIMENSIONS), codes["MEASURE"], codes["TIME_PERIOD"])
            if fk in confidential:
                assert value is None and status is Status.CONFIDENTIAL


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_loads_in_pyjstat(seed):
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    doc = doc_for(seed)
    coll = pyjstat.Collection.read(json.dumps(doc))
    assert len(coll["link"]["item"]) == len(doc["link"]["item"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for item in doc["link"]["item"]:
            df = pyjstat.Dataset.read(json.dumps(standalone(item))).write("dataframe", naming="id")
            ours = [v for v in item["value"] if v is not None]
            assert int(df["value"].notna().sum()) == len(ours)
            assert sorted(df["value"].dropna().astype(int).tolist()) == sorted(ours)
            assert list(df.columns) == [*item["id"], "value"]


def test_split_files_load_in_pyjstat(tmp_path):
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    exe = shutil.which("navstat", path=str(ROOT / ".venv" / "bin")) or shutil.which("navstat")
    assert exe
    subprocess.run([exe, "-q", "convert", str(SEEDS["2023"]), "--split", str(tmp_path)], check=True)
    files = sorted(tmp_path.glob("*.json"))
    assert {f.name.split(".")[1] for f in files} == {
        "tiltak",
        "tiltak-hovedgruppe",
        "tiltak-fylke",
        "tiltak-kjonn",
        "tiltak-alder",
        "tiltak-landbakgrunn",
        "tiltak-innvandring",
        "tiltak-utdanning",
    }
    assert len(files) == len(doc_for("2023")["link"]["item"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            df = pyjstat.Dataset.read(f.read_text(encoding="utf-8")).write("dataframe", naming="id")
            data = json.loads(f.read_text(encoding="utf-8"))
            assert int(df["value"].notna().sum()) == sum(v is not None for v in data["value"])


NODE_DIR = ROOT / "tests" / ".node"


def _toolkit() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed for the JSON-stat Toolkit test")
    if not (NODE_DIR / "node_modules" / "jsonstat-toolkit").exists():
        NODE_DIR.mkdir(exist_ok=True)
        r = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), "jsonstat-toolkit@2"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if r.returncode != 0:
            pytest.skip(f"npm could not install jsonstat-toolkit: {r.stderr.strip().splitlines()[-1:]}")
    return Path(node)


JS = """
const JSONstat = require("jsonstat-toolkit");
const doc = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const j = JSONstat(doc);
const out = [];
for (let i = 0; i < j.length; i++) {
  const ds = j.Dataset(i);
  const cells = [];
  for (let k = 0; k < ds.n; k++) {
    const d = ds.Data(k);
    if (d.value !== null || d.status) cells.push([k, d.value, d.status || null]);
  }
  out.push({id: ds.id, n: ds.n, cells});
}
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_loads_in_jsonstat_toolkit(seed, tmp_path):
    node = _toolkit()
    script = NODE_DIR / "read.cjs"
    script.write_text(JS)
    path = tmp_path / "out.json"
    path.write_text(jsonstat.dumps(doc_for(seed)), encoding="utf-8")
    r = subprocess.run([str(node), str(script), str(path)], capture_output=True, text=True, timeout=120, cwd=NODE_DIR)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    items = doc_for(seed)["link"]["item"]
    assert len(got) == len(items)
    for ds, item in zip(got, items, strict=True):
        assert ds["id"] == item["id"]
        status = item.get("status", {})
        want = [[k, v, status.get(str(k))] for k, v in enumerate(item["value"]) if v is not None or str(k) in status]
        assert ds["cells"] == want


def test_python_api_keeps_status(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(jsonstat.dumps(doc_for("2021")), encoding="utf-8")
    df = read_jsonstat(path)
    row = df[(df.TILTAK == "DIGIOPPARB") & (df.TIME_PERIOD == "2021-01") & (df.HOVEDGRUPPE == "_T")]
    assert row["status"].tolist() == ["confidential"] and row["value"].isna().all()
    assert len(df) == len(seed_report("2021").observations)
    direct = observations_frame(seed_report("2021").observations)
    assert df.equals(direct)


def test_deterministic_bytes():
    a = jsonstat.dumps(jsonstat.collection(seed_report("2023"), load_codelists()))
    b = jsonstat.dumps(jsonstat.collection(seed_report("2023"), load_codelists()))
    assert a == b


def test_values_sit_at_the_right_positions():
    item = next(i for i in doc_for("2022")["link"]["item"] if i["id"][:3] == ["TILTAK", "HOVEDGRUPPE", "FYLKE"])
    obs = index(seed_report("2022"))
    got = {
        (tuple(c.get(d, "_T") for d in DIMENSIONS), c["MEASURE"], c["TIME_PERIOD"]): (v, s)
        for c, v, s in jsonstat_back.observations_from_dataset(item)
    }
    fk = (key(TILTAK="TG_AVKLARING", HOVEDGRUPPE="ARBSOK", FYLKE="18"), "DELTAKERE", "2022-02")
    assert got[fk] == (27, Status.VALUE) == (obs[fk].value, obs[fk].status)  # line 262


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_committed_examples_are_current(seed):
    # examples/output shows users what navstat makes of each report; `bash scripts/examples` renews it
    path = ROOT / "examples" / "output" / f"{SEEDS[seed].stem}.json"
    assert path.read_text(encoding="utf-8") == jsonstat.dumps(jsonstat.collection(seed_report(seed), load_codelists()))
