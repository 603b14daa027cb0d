"""Cloud Director URNs and the /api hrefs they correspond to."""

from __future__ import annotations

import re

from vcdtpm.domain.errors import NotFound
from vcdtpm.domain.urns import UUID as _UUID
from vcdtpm.domain.urns import urn_parts

_HREF_KINDS = (
    (re.compile(rf"/vApp/vm-({_UUID})$"), "vm"),
    (re.compile(rf"/vAppTemplate/vm-({_UUID})$"), "vm"),
    (re.compile(rf"/vApp/vapp-({_UUID})$"), "vapp"),
    (re.compile(rf"/vAppTemplate/vappTemplate-({_UUID})$"), "vapptemplate"),
    (re.compile(rf"/vdc/({_UUID})$"), "vdc"),
    (re.compile(rf"/catalog/({_UUID})$"), "catalog"),
    (re.compile(rf"/org/({_UUID})$"), "org"),
)
_PATHS = {
    "vm": "vApp/vm-{}",
    "template_vm": "vAppTemplate/vm-{}",
    "vapp": "vApp/vapp-{}",
    "vapptemplate": "vAppTemplate/vappTemplate-{}",
    "vdc": "vdc/{}",
    "catalog": "catalog/{}",
    "org": "org/{}",
}
LABELS = {"vm": "VM", "vapp": "vApp", "vapptemplate": "vApp template", "vdc": "VDC", "catalog": "Catalog", "org": "Org"}


def make(kind: str, uuid: str) -> str:
    return f"urn:vcloud:{kind}:{uuid.lower()}"


def uuid_of(urn: str, kind: str) -> str:
    """The UUID inside a URN of the given kind; a malformed URN is a missing object."""
    parts = urn_parts(urn)
    if parts is None or parts[0] != kind:
        raise NotFound(kind=LABELS.get(kind, kind), id=urn)
    return parts[1].lower()


def try_uuid(urn: str, kind: str) -> str | None:
    try:
        return uuid_of(urn, kind)
    except NotFound:
        return None


def href(api_uri: str, path_kind: str, uuid: str) -> str:
    return f"{api_uri.rstrip('/')}/{_PATHS[path_kind].format(uuid)}"


def from_href(value: str | None) -> str | None:
    """The URN of an object from its href, or None for hrefs of other kinds."""
    for pattern, kind in _HREF_KINDS:
        match = pattern.search((value or "").rstrip("/"))
        if match:
            return make(kind, match.group(1))
    return None


def uuid_from_href(value: str | None) -> str | None:
    match = re.search(rf"({_UUID})/?$", value or "")
    return match.group(1).lower() if match else None
