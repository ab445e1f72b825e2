"""What every SDMX writer shares: navstat's SDMX ids, the SDMX-ML 2.1 namespaces and qualified names."""

from __future__ import annotations

import datetime as dt
import os

from ..model import DIMENSIONS

AGENCY = "NAV"
VERSION = "1.0"
DSD_ID = "DSD_TILTAKSDELTAKERE"
DATAFLOW_ID = "DF_TILTAKSDELTAKERE"
CONCEPT_SCHEME_ID = "CS_TILTAKSDELTAKERE"
SDMX_DIMENSIONS = (*DIMENSIONS, "MEASURE")  # then TIME_PERIOD, the time dimension
STRUCTURE_REF = f"{AGENCY}_{DSD_ID}_{VERSION.replace('.', '_')}"  # xs:ID tying data sets to the header
URN = "urn:sdmx:org.sdmx.infomodel"
DSD_URN = f"{URN}.datastructure.DataStructure={AGENCY}:{DSD_ID}({VERSION})"
DATAFLOW_URN = f"{URN}.datastructure.Dataflow={AGENCY}:{DATAFLOW_ID}({VERSION})"
SS_NAMESPACE = f"{DSD_URN}:ObsLevelDim:AllDimensions"

NS = {
    "message": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "structure": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "common": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "data": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific",
    "generic": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
XML_LANG = f"{{{NS['xml']}}}lang"


def q(prefix: str, tag: str) -> str:
    """A qualified name in lxml's Clark notation: q("message", "Header") -> "{...message}Header"."""
    return f"{{{NS[prefix]}}}{tag}"


def source_date_epoch() -> str | None:
    """`SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) as an SDMX time, if set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(raw), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


NOT_KNOWN = "1970-01-01T00:00:00Z"  # `Prepared` is mandatory; the epoch says "not known", never a guessed date
