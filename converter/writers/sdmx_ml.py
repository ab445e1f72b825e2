"""Report -> SDMX-ML 2.1 data: StructureSpecificData (default) or GenericData.

Streamed with lxml's `etree.xmlfile`: one observation element at a time, so memory does not grow
with the number of observations. Every observation carries all dimensions (`_T` where a table does
not break down by one); `*` -> no OBS_VALUE, OBS_STATUS="Q", CONF_STATUS="C"; a blank cell -> no
OBS_VALUE, OBS_STATUS="O".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from lxml import etree

from ..model import DIMENSIONS, STATUS_SYMBOLS, Report, Status
from .sdmx_structure import AGENCY, DSD_ID, NS, SS_NAMESPACE, STRUCTURE_REF, VERSION

_ATTRS = {
    s: (STATUS_SYMBOLS[s]["sdmx_obs"], STATUS_SYMBOLS[s]["sdmx_conf"]) for s in (Status.CONFIDENTIAL, Status.BLANK)
}


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def message_id(report: Report) -> str:
    stem = re.sub(r"[^A-Za-z0-9_@$-]", "_", Path(report.source).stem) or "REPORT"
    return f"NAVSTAT_{stem}"[:250]


def prepared(report: Report) -> str:
    """Deterministic `Prepared`: the report's own update date, else the end of its period."""
    m = report.metadata
    if m.updated:
        return f"{m.updated}T00:00:00Z"
    if m.period_end:
        return f"{m.period_end}-01T00:00:00Z"
    return "1970-01-01T00:00:00Z"


def _header(report: Report, structure_specific: bool) -> etree._Element:
    header = etree.Element(_q("message", "Header"), nsmap={"message": NS["message"], "common": NS["common"]})
    etree.SubElement(header, _q("message", "ID")).text = message_id(report)
    etree.SubElement(header, _q("message", "Test")).text = "false"
    etree.SubElement(header, _q("message", "Prepared")).text = prepared(report)
    etree.SubElement(header, _q("message", "Sender"), id=AGENCY)
    st = etree.SubElement(header, _q("message", "Structure"), structureID=STRUCTURE_REF)
    if structure_specific:
        st.set("namespace", SS_NAMESPACE)
    st.set("dimensionAtObservation", "AllDimensions")
    ref = etree.SubElement(st, _q("common", "Structure"))
    etree.SubElement(ref, "Ref", agencyID=AGENCY, id=DSD_ID, version=VERSION)
    return header


def write(report: Report, out: IO[bytes], flavour: str = "structure") -> None:
    """Stream the data message to a binary file."""
    ss = flavour == "structure"
    root_tag = _q("message", "StructureSpecificData" if ss else "GenericData")
    nsmap = {"message": NS["message"], "common": NS["common"], "xsi": NS["xsi"]}
    nsmap.update({"data": NS["data"], "ns1": SS_NAMESPACE} if ss else {"generic": NS["generic"]})
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(root_tag, nsmap=nsmap):
            xf.write("\n")
            xf.write(_header(report, ss), pretty_print=True)
            if ss:
                attrs = {
                    _q("data", "structureRef"): STRUCTURE_REF,
                    _q("data", "dataScope"): "DataStructure",
                    _q("xsi", "type"): "ns1:DataSetType",
                }
            else:
                attrs = {"structureRef": STRUCTURE_REF}
            with xf.element(_q("message", "DataSet"), attrs):
                xf.write("\n")
                for o in report.observations:
                    xf.write(_ss_obs(o) if ss else _generic_obs(o), pretty_print=True)
            xf.write("\n")


def _ss_obs(o) -> etree._Element:
    el = etree.Element("Obs")
    for d, code in zip(DIMENSIONS, o.key, strict=True):
        el.set(d, code)
    el.set("MEASURE", o.measure)
    el.set("TIME_PERIOD", o.period)
    if o.status is Status.VALUE:
        el.set("OBS_VALUE", str(o.value))
    else:
        obs_status, conf = _ATTRS[o.status]
        el.set("OBS_STATUS", obs_status)
        if conf:
            el.set("CONF_STATUS", conf)
    return el


def _generic_obs(o) -> etree._Element:
    el = etree.Element(_q("generic", "Obs"))
    key = etree.SubElement(el, _q("generic", "ObsKey"))
    for d, code in (*zip(DIMENSIONS, o.key, strict=True), ("MEASURE", o.measure), ("TIME_PERIOD", o.period)):
        etree.SubElement(key, _q("generic", "Value"), id=d, value=code)
    if o.status is Status.VALUE:
        etree.SubElement(el, _q("generic", "ObsValue"), value=str(o.value))
    else:
        obs_status, conf = _ATTRS[o.status]
        attrs = etree.SubElement(el, _q("generic", "Attributes"))
        etree.SubElement(attrs, _q("generic", "Value"), id="OBS_STATUS", value=obs_status)
        if conf:
            etree.SubElement(attrs, _q("generic", "Value"), id="CONF_STATUS", value=conf)
    return el
