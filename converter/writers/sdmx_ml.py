"""Report -> SDMX-ML 2.1 data: StructureSpecificData (default) or GenericData.

Streamed with lxml's `etree.xmlfile`: one observation element at a time, so memory does not grow
with the number of observations. Every observation carries all dimensions (`_T` where a table does
not break down by one); `*` -> no OBS_VALUE, OBS_STATUS="Q", CONF_STATUS="C"; a blank cell -> no
OBS_VALUE, OBS_STATUS="O"; a figure the report prints but navstat left out (`Report.withheld`) -> no
OBS_VALUE, OBS_STATUS="L" (SDMX: "data exist but were not collected"), after the observations.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TYPE_CHECKING

from lxml import etree

from ..model import DIMENSIONS, MISSING_STATUSES, STATUS_SYMBOLS, Observation, Report, Status
from ..outputs import write_with
from .sdmx_common import AGENCY, DSD_ID, NOT_KNOWN, NS, SS_NAMESPACE, STRUCTURE_REF, VERSION, q, source_date_epoch

if TYPE_CHECKING:
    from ..registry import WriteOptions

_ATTRS = {s: (STATUS_SYMBOLS[s]["sdmx_obs"], STATUS_SYMBOLS[s]["sdmx_conf"]) for s in MISSING_STATUSES}


def message_id(report: Report) -> str:
    stem = re.sub(r"[^A-Za-z0-9_@$-]", "_", Path(report.source).stem) or "REPORT"
    return f"NAVSTAT_{stem}"[:250]


def prepared(report: Report) -> str:
    """`Prepared`, reproducible: `SOURCE_DATE_EPOCH` when set; else the report's "Rapport oppdatert" date
    (when its data were prepared); else the Unix epoch, which says "not known". Never a date guessed
    from the period: a report without an update date does not say when it was made."""
    m = report.metadata
    return source_date_epoch() or (f"{m.updated}T00:00:00Z" if m.updated else NOT_KNOWN)


def _header(report: Report, structure_specific: bool) -> etree._Element:
    header = etree.Element(q("message", "Header"), nsmap={"message": NS["message"], "common": NS["common"]})
    etree.SubElement(header, q("message", "ID")).text = message_id(report)
    etree.SubElement(header, q("message", "Test")).text = "false"
    etree.SubElement(header, q("message", "Prepared")).text = prepared(report)
    etree.SubElement(header, q("message", "Sender"), id=AGENCY)
    st = etree.SubElement(header, q("message", "Structure"), structureID=STRUCTURE_REF)
    if structure_specific:
        st.set("namespace", SS_NAMESPACE)
    st.set("dimensionAtObservation", "AllDimensions")
    ref = etree.SubElement(st, q("common", "Structure"))
    etree.SubElement(ref, "Ref", agencyID=AGENCY, id=DSD_ID, version=VERSION)
    _report_facts(header, report)
    return header


def _report_facts(header: etree._Element, report: Report) -> None:
    """What the report says about itself, so a reader of this message alone (`navstat catalog`) can tell
    it: report id as DataSetID, "Rapport oppdatert" as Extracted, the months as ReportingBegin/End.
    A report without an update date gets no Extracted; ReportingBegin marks a header that says so."""
    m = report.metadata
    if m.report_id and re.fullmatch(r"[A-Za-z0-9_@$-]+", m.report_id):
        etree.SubElement(header, q("message", "DataSetID")).text = m.report_id
    if m.updated:
        etree.SubElement(header, q("message", "Extracted")).text = f"{m.updated}T00:00:00Z"
    if m.period_start and m.period_end:
        etree.SubElement(header, q("message", "ReportingBegin")).text = m.period_start
        etree.SubElement(header, q("message", "ReportingEnd")).text = m.period_end


def write_file(report: Report, target: str, options: WriteOptions) -> int:
    """`--to sdmx`: one data message, written atomically."""
    write_with(target, lambda fh: write(report, fh, options.sdmx_flavour), mode="wb")
    return 1


def write(report: Report, out: IO[bytes], flavour: str = "structure") -> None:
    """Stream the data message to a binary file.

    lxml writes the envelope; observations are formatted directly, in batches, into the same
    stream (after `xmlfile.flush()`): every value in them is an SDMX id (checked when the codelists
    load), a month or an integer, so nothing needs escaping, and this is several times faster than
    one lxml element per observation.
    """
    ss = flavour == "structure"
    root_tag = q("message", "StructureSpecificData" if ss else "GenericData")
    nsmap = {"message": NS["message"], "common": NS["common"], "xsi": NS["xsi"]}
    nsmap.update({"data": NS["data"], "ns1": SS_NAMESPACE} if ss else {"generic": NS["generic"]})
    fmt = _ss_obs if ss else _generic_obs
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(root_tag, nsmap=nsmap):
            xf.write("\n")
            xf.write(_header(report, ss), pretty_print=True)
            if ss:
                attrs = {
                    q("data", "structureRef"): STRUCTURE_REF,
                    q("data", "dataScope"): "DataStructure",
                    q("xsi", "type"): "ns1:DataSetType",
                }
            else:
                attrs = {"structureRef": STRUCTURE_REF}
            with xf.element(q("message", "DataSet"), attrs):
                xf.write("\n")
                xf.flush()
                batch: list[str] = []
                # cells the report prints but navstat left out come last, with OBS_STATUS "L" and no value
                for o in [*report.observations, *report.withheld_observations()]:
                    batch.append(fmt(o))
                    if len(batch) >= 4096:
                        out.write("".join(batch).encode("utf-8"))
                        batch.clear()
                out.write("".join(batch).encode("utf-8"))
            xf.write("\n")


_SS_NAMES = (*DIMENSIONS, "MEASURE", "TIME_PERIOD")
_SS_ATTRS = {s: f' OBS_STATUS="{a[0]}"' + (f' CONF_STATUS="{a[1]}"' if a[1] else "") for s, a in _ATTRS.items()}


def _ss_obs(o: Observation) -> str:
    dims = " ".join(f'{n}="{v}"' for n, v in zip(_SS_NAMES, (*o.key, o.measure, o.period), strict=True))
    tail = f' OBS_VALUE="{o.value}"' if o.status is Status.VALUE else _SS_ATTRS[o.status]
    return f"<Obs {dims}{tail}/>\n"


_GEN_ATTRS = {
    s: '<generic:Attributes><generic:Value id="OBS_STATUS" value="'
    + a[0]
    + '"/>'
    + (f'<generic:Value id="CONF_STATUS" value="{a[1]}"/>' if a[1] else "")
    + "</generic:Attributes>"
    for s, a in _ATTRS.items()
}


def _generic_obs(o: Observation) -> str:
    key = "".join(
        f'<generic:Value id="{n}" value="{v}"/>' for n, v in zip(_SS_NAMES, (*o.key, o.measure, o.period), strict=True)
    )
    tail = f'<generic:ObsValue value="{o.value}"/>' if o.status is Status.VALUE else _GEN_ATTRS[o.status]
    return f"<generic:Obs><generic:ObsKey>{key}</generic:ObsKey>{tail}</generic:Obs>\n"
