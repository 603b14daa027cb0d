"""XML vocabulary of the simulated Cloud Director: namespaces, media types, element helpers."""

from __future__ import annotations

from lxml import etree

VCLOUD = "http://www.vmware.com/vcloud/v1.5"
VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VERSIONS = "http://www.vmware.com/vcloud/versions"

NSMAP = {None: VCLOUD, "ovf": OVF, "vmext": VMEXT, "xsi": XSI}
VMEXT_NSMAP = {"vmext": VMEXT, "vcloud": VCLOUD, "xsi": XSI}

_PREFIX = "application/vnd.vmware."
SESSION = _PREFIX + "vcloud.session+xml"
ORG_LIST = _PREFIX + "vcloud.orgList+xml"
ORG = _PREFIX + "vcloud.org+xml"
VDC = _PREFIX + "vcloud.vdc+xml"
VAPP = _PREFIX + "vcloud.vApp+xml"
VM = _PREFIX + "vcloud.vm+xml"
TPM_SECTION = _PREFIX + "vcloud.TpmSection+xml"
CATALOG = _PREFIX + "vcloud.catalog+xml"
CATALOG_ITEM = _PREFIX + "vcloud.catalogItem+xml"
VAPP_TEMPLATE = _PREFIX + "vcloud.vAppTemplate+xml"
METADATA = _PREFIX + "vcloud.metadata+xml"
METADATA_VALUE = _PREFIX + "vcloud.metadata.value+xml"
STORAGE_PROFILE = _PREFIX + "vcloud.vdcStorageProfile+xml"
QUERY_LIST = _PREFIX + "vcloud.query.queryList+xml"
QUERY_RECORDS = _PREFIX + "vcloud.query.records+xml"
QUERY_IDRECORDS = _PREFIX + "vcloud.query.idrecords+xml"
QUERY_REFERENCES = _PREFIX + "vcloud.query.references+xml"
TASK = _PREFIX + "vcloud.task+xml"
TASKS_LIST = _PREFIX + "vcloud.tasksList+xml"
ERROR = _PREFIX + "vcloud.error+xml"
OWNER = _PREFIX + "vcloud.owner+xml"
USER = _PREFIX + "admin.user+xml"
ADMIN = _PREFIX + "admin.vcloud+xml"
ADMIN_VDC = _PREFIX + "admin.vdc+xml"
EXTENSION = _PREFIX + "admin.vmwExtension+xml"
VIM_SERVER_REFS = _PREFIX + "admin.vmwVimServerReferences+xml"
VIM_SERVER = _PREFIX + "admin.vmwvirtualcenter+xml"
PROVIDER_VDC = _PREFIX + "admin.vmwprovidervdc+xml"
DATASTORE = _PREFIX + "admin.datastore+xml"
GENERAL_SETTINGS = _PREFIX + "admin.generalSettings+xml"
ENTITY = _PREFIX + "vcloud.entity+xml"


def qn(ns: str, tag: str) -> str:
    return "{%s}%s" % (ns, tag)


def root(tag: str, ns: str = VCLOUD, nsmap: dict | None = None, **attrs) -> etree._Element:
    """A document element; attributes with a None value are left out."""
    element = etree.Element(qn(ns, tag), nsmap=nsmap or NSMAP)
    _set(element, attrs)
    return element


def sub(parent, tag: str, text=None, ns: str = VCLOUD, **attrs) -> etree._Element:
    """A child element; `text` is stringified (booleans as xs:boolean)."""
    element = etree.SubElement(parent, qn(ns, tag))
    _set(element, attrs)
    if text is not None:
        element.text = xs(text)
    return element


def link(parent, rel: str, href: str, type_: str | None = None, name: str | None = None, ns: str = VCLOUD):
    return sub(parent, "Link", ns=ns, rel=rel, href=href, type=type_, name=name)


def ref(parent, tag: str, href: str, type_: str, name: str | None = None, id_: str | None = None, ns: str = VCLOUD):
    """A ReferenceType element (href, id, type, name)."""
    return sub(parent, tag, ns=ns, href=href, id=id_, type=type_, name=name)


def xs(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def serialize(element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set(element, attrs: dict) -> None:
    for key, value in attrs.items():
        if value is not None:
            element.set(key, xs(value))
