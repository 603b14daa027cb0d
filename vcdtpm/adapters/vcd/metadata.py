"""Recording a template's provenance through Cloud Director's metadata API, after vcdtpm made it.

POST /api/vAppTemplate/{id}/metadata with a `Metadata` document (MetadataType) of MetadataEntry
elements, each a Key and a TypedValue of xsi:type MetadataStringValue; Cloud Director merges them
into the template's metadata and answers 202 with a Task. No Domain element: GENERAL-domain
entries, which the caller's own token may write. References (VMware Cloud Director API):
POST-UpdateVAppTemplateMetadata, MetadataType, MetadataEntryType, MetadataTypedValue.
"""

from __future__ import annotations

from lxml import etree

from vcdtpm.adapters.vcd.requests_for import Call, Request, field
from vcdtpm.domain import provenance_record
from vcdtpm.domain.model import Provenance

VCLOUD = "http://www.vmware.com/vcloud/v1.5"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
METADATA = "application/vnd.vmware.vcloud.metadata+xml"


def _q(tag: str, ns: str = VCLOUD) -> str:
    return "{%s}%s" % (ns, tag)


def metadata_body(entries: dict[str, str]):
    """A Metadata document of string entries, in schema order (Key, TypedValue/Value)."""
    root = etree.Element(_q("Metadata"), nsmap={None: VCLOUD, "xsi": XSI})
    for key, value in entries.items():
        entry = etree.SubElement(root, _q("MetadataEntry"))
        etree.SubElement(entry, _q("Key")).text = key
        typed = etree.SubElement(entry, _q("TypedValue"))
        typed.set(_q("type", XSI), "MetadataStringValue")
        etree.SubElement(typed, _q("Value")).text = value
    return root


def record_provenance(call: Call) -> Request:
    """The step after a capture, upload or import: the made template's provenance as metadata."""
    template = field(call.params, "template")
    entries = provenance_record.entries(Provenance(field(call.params, "provenance")), field(call.params, "tpm"))
    return call.href(template, "vapptemplate") + "/metadata", metadata_body(entries), METADATA


METADATA_BUILDERS = {"record_provenance": record_provenance}
