"""Codelists -> SDMX-ML 2.1 Structure message (codelists, concept scheme, DSD, dataflow) and the
DSD-specific XML schema that structure-specific data needs for full validation.

Written with lxml directly: deterministic (no clock, stable order) and schema-valid without the
workarounds sdmx1 needs. Ids and namespaces shared with the data writers live in sdmx_common.
"""

from __future__ import annotations

from lxml import etree

from .. import __version__
from ..codelists import Code, Codelist, Codelists
from ..model import STATUS_SYMBOLS, Status
from .sdmx_common import (
    AGENCY,
    CONCEPT_SCHEME_ID,
    DATAFLOW_ID,
    DSD_ID,
    NS,
    SDMX_DIMENSIONS,
    SS_NAMESPACE,
    URN,
    VERSION,
    XML_LANG,
    q,
    source_date_epoch,
)

# The SDMX cross-domain codes navstat uses (SDMX:CL_OBS_STATUS(2.2), SDMX:CL_CONF_STATUS(1.3)).
OBS_STATUS_CODES = {
    "A": ("Normal verdi", "Normal value"),
    STATUS_SYMBOLS[Status.CONFIDENTIAL]["sdmx_obs"]: (
        "Manglende verdi; skjult (konfidensielt: verdi under 4, vist som * av NAV)",
        "Missing value; suppressed (confidential: value below 4, shown as * by NAV)",
    ),
    STATUS_SYMBOLS[Status.BLANK]["sdmx_obs"]: (
        "Manglende verdi: tomt felt i rapporten",
        "Missing value: empty cell in the report",
    ),
    STATUS_SYMBOLS[Status.WITHHELD]["sdmx_obs"]: (
        "Manglende verdi; tallet står i rapporten, men navstat utelot det (kunne ikke leses sikkert)",
        "Missing value; the report prints a figure, but navstat left it out (it could not be read with certainty)",
    ),
}
CONF_STATUS_CODES = {
    "C": ("Konfidensiell statistisk informasjon", "Confidential statistical information"),
    "F": ("Fri for publisering", "Free"),
}
CONCEPT_NAMES = {
    "TIME_PERIOD": ("Måned", "Month"),
    "OBS_VALUE": ("Verdi", "Observation value"),
    "OBS_STATUS": ("Observasjonsstatus", "Observation status"),
    "CONF_STATUS": ("Konfidensialitetsstatus", "Confidentiality status"),
}


def _names(parent: etree._Element, nb: str, en: str, tag: str = "Name") -> None:
    for lang, text in (("nb", nb), ("en", en)):
        el = etree.SubElement(parent, q("common", tag))
        el.set(XML_LANG, lang)
        el.text = text


def _annotations(parent: etree._Element, items: list[tuple[str, str]]) -> None:
    if not items:
        return
    anns = etree.SubElement(parent, q("common", "Annotations"))
    for kind, value in items:
        a = etree.SubElement(anns, q("common", "Annotation"))
        etree.SubElement(a, q("common", "AnnotationTitle")).text = value
        etree.SubElement(a, q("common", "AnnotationType")).text = kind


def codelist_id(dim: str) -> str:
    return f"CL_{dim}"


def merged_codes(cl: Codelist) -> list[tuple[Code, list[str], str | None, str | None]]:
    """Every code of every version once: the latest definition, the versions holding it, validity."""
    out: dict[str, list] = {}
    for c in ([cl.total] if cl.total else []) + cl.groups + cl.special:
        out[c.code] = [c, [], c.valid_from, c.valid_to]
    for v in cl.versions:
        for c in v.codes:
            frm, to = c.valid_from or v.valid_from, c.valid_to or v.valid_to
            if c.code not in out:
                out[c.code] = [c, [v.id], frm, to]
            else:
                entry = out[c.code]
                entry[0] = c  # the latest name wins; older names stay as annotations
                entry[1].append(v.id)
                entry[2] = min(x for x in (entry[2], frm) if x) if (entry[2] or frm) else None
                entry[3] = None if (entry[3] is None or to is None) else max(entry[3], to)
    return [tuple(v) for v in out.values()]  # type: ignore[misc]


def _code_element(parent: etree._Element, cl_id: str, code: Code, versions: list[str], frm, to, parent_code) -> None:
    el = etree.SubElement(parent, q("structure", "Code"), id=code.code)
    el.set("urn", f"{URN}.codelist.Code={AGENCY}:{cl_id}({VERSION}).{code.code}")
    anns = []
    if frm:
        anns.append(("NAVSTAT_VALID_FROM", frm))
    if to:
        anns.append(("NAVSTAT_VALID_TO", to))
    if versions:
        anns.append(("NAVSTAT_CODELIST_VERSIONS", ",".join(versions)))
    for k, v in sorted(code.annotations.items()):
        anns.append((f"NAVSTAT_{k.upper()}", v))
    for lang, name in sorted(code.names.items()):
        anns.append((f"NAME_{lang.upper()}", name))
    _annotations(el, anns)
    _names(el, code.label("nb"), code.label("en"))
    if parent_code:
        p = etree.SubElement(el, q("structure", "Parent"))
        etree.SubElement(p, "Ref", id=parent_code)


def _maintainable(
    parent: etree._Element,
    tag: str,
    ident: str,
    urn_class: str,
    nb: str,
    en: str,
    annotations: list[tuple[str, str]] | None = None,
) -> etree._Element:
    el = etree.SubElement(parent, q("structure", tag), id=ident, agencyID=AGENCY, version=VERSION)
    el.set("isFinal", "true")
    el.set("urn", f"{URN}.{urn_class}={AGENCY}:{ident}({VERSION})")
    _annotations(el, annotations or [])
    _names(el, nb, en)
    return el


def _item(parent: etree._Element, tag: str, ident: str, urn_prefix: str, nb: str, en: str) -> etree._Element:
    """An item of a scheme (a code, a concept) with its URN and names in nb and en."""
    el = etree.SubElement(parent, q("structure", tag), id=ident)
    el.set("urn", f"{URN}.{urn_prefix}.{ident}")
    _names(el, nb, en)
    return el


def _concept_ref(parent: etree._Element, concept: str) -> None:
    ci = etree.SubElement(parent, q("structure", "ConceptIdentity"))
    etree.SubElement(
        ci,
        "Ref",
        id=concept,
        maintainableParentID=CONCEPT_SCHEME_ID,
        maintainableParentVersion=VERSION,
        agencyID=AGENCY,
        package="conceptscheme",
        **{"class": "Concept"},
    )


def _enumeration(parent: etree._Element, cl_id: str) -> None:
    lr = etree.SubElement(parent, q("structure", "LocalRepresentation"))
    en = etree.SubElement(lr, q("structure", "Enumeration"))
    etree.SubElement(en, "Ref", id=cl_id, version=VERSION, agencyID=AGENCY, package="codelist", **{"class": "Codelist"})


def structure_message(cl: Codelists) -> bytes:
    """The SDMX-ML 2.1 Structure message, deterministic bytes."""
    root = etree.Element(q("message", "Structure"), nsmap={k: NS[k] for k in ("message", "structure", "common")})
    header = etree.SubElement(root, q("message", "Header"))
    etree.SubElement(header, q("message", "ID")).text = "NAVSTAT_STRUCTURE"
    etree.SubElement(header, q("message", "Test")).text = "false"
    # Reproducible: SOURCE_DATE_EPOCH when set, else the date the newest codelist version starts (the
    # structure's content changes with the codelists), not the clock.
    newest = max(v.valid_from for c in cl.lists.values() for v in c.versions)
    etree.SubElement(header, q("message", "Prepared")).text = source_date_epoch() or f"{newest}T00:00:00Z"
    etree.SubElement(header, q("message", "Sender"), id=AGENCY)
    structures = etree.SubElement(root, q("message", "Structures"))

    codelists = etree.SubElement(structures, q("structure", "Codelists"))
    for dim in SDMX_DIMENSIONS:
        c = cl[dim]
        el = _maintainable(
            codelists,
            "Codelist",
            codelist_id(dim),
            "codelist.Codelist",
            c.name["nb"],
            c.name["en"],
            [("NAVSTAT_STANDARD", c.standard)] + ([("NAVSTAT_LINK", c.link)] if c.link else []),
        )
        for code, versions, frm, to in merged_codes(c):
            parent_code = code.parent or (c.total.code if c.total and code.level != "total" else None)
            _code_element(el, codelist_id(dim), code, versions, frm, to, parent_code)
    for ident, codes, nb, en, ref in (
        ("CL_OBS_STATUS", OBS_STATUS_CODES, "Observasjonsstatus", "Observation status", "SDMX:CL_OBS_STATUS(2.2)"),
        (
            "CL_CONF_STATUS",
            CONF_STATUS_CODES,
            "Konfidensialitetsstatus",
            "Confidentiality status",
            "SDMX:CL_CONF_STATUS(1.3)",
        ),
    ):
        el = _maintainable(codelists, "Codelist", ident, "codelist.Codelist", nb, en, [("NAVSTAT_SUBSET_OF", ref)])
        for symbol, (cnb, cen) in codes.items():
            _item(el, "Code", symbol, f"codelist.Code={AGENCY}:{ident}({VERSION})", cnb, cen)

    schemes = etree.SubElement(structures, q("structure", "Concepts"))
    cs = _maintainable(
        schemes,
        "ConceptScheme",
        CONCEPT_SCHEME_ID,
        "conceptscheme.ConceptScheme",
        "Begreper for tiltaksdeltakere",
        "Concepts for participants in labour market measures",
    )
    concepts = [(d, cl[d].name["nb"], cl[d].name["en"]) for d in SDMX_DIMENSIONS]
    concepts += [(k, nb, en) for k, (nb, en) in CONCEPT_NAMES.items()]
    for ident, nb, en in concepts:
        _item(cs, "Concept", ident, f"conceptscheme.Concept={AGENCY}:{CONCEPT_SCHEME_ID}({VERSION})", nb, en)

    dsds = etree.SubElement(structures, q("structure", "DataStructures"))
    dsd = _maintainable(
        dsds,
        "DataStructure",
        DSD_ID,
        "datastructure.DataStructure",
        "Deltakere i arbeidsrettede tiltak",
        "Participants in labour market measures",
        [("NAVSTAT_VERSION", __version__)],
    )
    comps = etree.SubElement(dsd, q("structure", "DataStructureComponents"))
    dl = etree.SubElement(comps, q("structure", "DimensionList"), id="DimensionDescriptor")
    dl.set("urn", f"{URN}.datastructure.DimensionDescriptor={AGENCY}:{DSD_ID}({VERSION}).DimensionDescriptor")
    for pos, dim in enumerate(SDMX_DIMENSIONS, 1):
        d = etree.SubElement(dl, q("structure", "Dimension"), id=dim, position=str(pos))
        d.set("urn", f"{URN}.datastructure.Dimension={AGENCY}:{DSD_ID}({VERSION}).{dim}")
        _concept_ref(d, dim)
        _enumeration(d, codelist_id(dim))
    td = etree.SubElement(dl, q("structure", "TimeDimension"), id="TIME_PERIOD", position=str(len(SDMX_DIMENSIONS) + 1))
    td.set("urn", f"{URN}.datastructure.TimeDimension={AGENCY}:{DSD_ID}({VERSION}).TIME_PERIOD")
    _concept_ref(td, "TIME_PERIOD")
    lr = etree.SubElement(td, q("structure", "LocalRepresentation"))
    etree.SubElement(lr, q("structure", "TextFormat"), textType="ObservationalTimePeriod")
    al = etree.SubElement(comps, q("structure", "AttributeList"), id="AttributeDescriptor")
    al.set("urn", f"{URN}.datastructure.AttributeDescriptor={AGENCY}:{DSD_ID}({VERSION}).AttributeDescriptor")
    for attr in ("OBS_STATUS", "CONF_STATUS"):
        a = etree.SubElement(al, q("structure", "Attribute"), id=attr, assignmentStatus="Conditional")
        a.set("urn", f"{URN}.datastructure.DataAttribute={AGENCY}:{DSD_ID}({VERSION}).{attr}")
        _concept_ref(a, attr)
        _enumeration(a, f"CL_{attr}")
        rel = etree.SubElement(a, q("structure", "AttributeRelationship"))
        pm = etree.SubElement(rel, q("structure", "PrimaryMeasure"))
        etree.SubElement(pm, "Ref", id="OBS_VALUE")
    ml = etree.SubElement(comps, q("structure", "MeasureList"), id="MeasureDescriptor")
    ml.set("urn", f"{URN}.datastructure.MeasureDescriptor={AGENCY}:{DSD_ID}({VERSION}).MeasureDescriptor")
    pm = etree.SubElement(ml, q("structure", "PrimaryMeasure"), id="OBS_VALUE")
    pm.set("urn", f"{URN}.datastructure.PrimaryMeasure={AGENCY}:{DSD_ID}({VERSION}).OBS_VALUE")
    _concept_ref(pm, "OBS_VALUE")
    lr = etree.SubElement(pm, q("structure", "LocalRepresentation"))
    etree.SubElement(lr, q("structure", "TextFormat"), textType="Integer")

    flows = etree.SubElement(structures, q("structure", "Dataflows"))
    df = _maintainable(
        flows,
        "Dataflow",
        DATAFLOW_ID,
        "datastructure.Dataflow",
        "Deltakere i arbeidsrettede tiltak, måned",
        "Participants in labour market measures, monthly",
    )
    st = etree.SubElement(df, q("structure", "Structure"))
    etree.SubElement(
        st, "Ref", id=DSD_ID, version=VERSION, agencyID=AGENCY, package="datastructure", **{"class": "DataStructure"}
    )
    structures.insert(0, flows)  # the 2.1 schema wants Dataflows before Codelists
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dsd_schema(cl: Codelists, base: str = "") -> bytes:
    """The DSD-specific XML schema for StructureSpecificData with all dimensions at the observation.

    `base` is where the official SDMX 2.1 schemas are (a folder path or URL ending in '/'); by default
    they are expected beside this file, as SDMX registries publish them.
    """
    xs = NS["xs"]
    root = etree.Element(
        f"{{{xs}}}schema", nsmap={"xs": xs, None: SS_NAMESPACE, "common": NS["common"], "dsd": NS["data"]}
    )
    root.set("targetNamespace", SS_NAMESPACE)
    root.set("elementFormDefault", "qualified")
    root.set("attributeFormDefault", "unqualified")
    for ns, loc in ((NS["data"], "SDMXDataStructureSpecific.xsd"), (NS["common"], "SDMXCommon.xsd")):
        etree.SubElement(root, f"{{{xs}}}import", namespace=ns, schemaLocation=f"{base}{loc}")

    def enum_type(name: str, codes: list[str]) -> None:
        st = etree.SubElement(root, f"{{{xs}}}simpleType", name=name)
        r = etree.SubElement(st, f"{{{xs}}}restriction", base="xs:string")
        for c in codes:
            etree.SubElement(r, f"{{{xs}}}enumeration", value=c)

    for dim in SDMX_DIMENSIONS:
        enum_type(f"{codelist_id(dim)}Type", [c.code for c, *_ in merged_codes(cl[dim])])
    enum_type("CL_OBS_STATUSType", list(OBS_STATUS_CODES))
    enum_type("CL_CONF_STATUSType", list(CONF_STATUS_CODES))

    ds = etree.SubElement(root, f"{{{xs}}}complexType", name="DataSetType")
    cc = etree.SubElement(ds, f"{{{xs}}}complexContent")
    r = etree.SubElement(cc, f"{{{xs}}}restriction", base="dsd:DataSetType")
    seq = etree.SubElement(r, f"{{{xs}}}sequence")
    etree.SubElement(seq, f"{{{xs}}}element", ref="common:Annotations", minOccurs="0")
    etree.SubElement(
        seq,
        f"{{{xs}}}element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    etree.SubElement(seq, f"{{{xs}}}element", name="Obs", type="ObsType", form="unqualified", maxOccurs="unbounded")

    obs = etree.SubElement(root, f"{{{xs}}}complexType", name="ObsType")
    cc = etree.SubElement(obs, f"{{{xs}}}complexContent")
    r = etree.SubElement(cc, f"{{{xs}}}restriction", base="dsd:ObsType")
    seq = etree.SubElement(r, f"{{{xs}}}sequence")
    etree.SubElement(seq, f"{{{xs}}}element", ref="common:Annotations", minOccurs="0")
    etree.SubElement(r, f"{{{xs}}}attribute", name="type", type="common:IDType", use="prohibited")
    etree.SubElement(r, f"{{{xs}}}attribute", name="REPORTING_YEAR_START_DAY", type="xs:gMonthDay", use="prohibited")
    for dim in SDMX_DIMENSIONS:
        etree.SubElement(r, f"{{{xs}}}attribute", name=dim, type=f"{codelist_id(dim)}Type", use="required")
    etree.SubElement(
        r, f"{{{xs}}}attribute", name="TIME_PERIOD", type="common:ObservationalTimePeriodType", use="required"
    )
    etree.SubElement(r, f"{{{xs}}}attribute", name="OBS_VALUE", type="xs:integer", use="optional")
    etree.SubElement(r, f"{{{xs}}}attribute", name="OBS_STATUS", type="CL_OBS_STATUSType", use="optional")
    etree.SubElement(r, f"{{{xs}}}attribute", name="CONF_STATUS", type="CL_CONF_STATUSType", use="optional")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def wrapper_schema(message_xsd: str, dsd_xsd: str) -> str:
    """A schema importing the SDMX message schema and the DSD-specific one, for validating
    structure-specific data in one pass (both arguments are URIs)."""
    return (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{NS["message"]}" schemaLocation="{message_xsd}"/>'
        f'<xs:import namespace="{SS_NAMESPACE}" schemaLocation="{dsd_xsd}"/>'
        "</xs:schema>"
    )
