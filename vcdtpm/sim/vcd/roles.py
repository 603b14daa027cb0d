"""The predefined roles of Cloud Director and the rights each holds, as data, with where each list comes from.

- vApp Author: the rights a Cloud Director 10.x returns for the predefined role (read-only,
  bundle key ROLE_VAPP_AUTHOR), as shown in
  https://github.com/vmware/terraform-provider-vcd/blob/main/website/docs/d/role.html.markdown.
- Organization Administrator: every right of the Default Rights Bundle ("Default set of tenant rights"),
  https://github.com/vmware/terraform-provider-vcd/blob/main/website/docs/d/rights_bundle.html.markdown;
  an organization administrator "has super-user rights within that organization" (vCloud Director
  Administrator's Guide 5.5, p. 149, and the 10.5 list of rights in the global tenant roles:
  https://docs.vmware.com/en/VMware-Cloud-Director/10.5/VMware-Cloud-Director-Service-Provider-Admin-Guide/GUID-AE42A8F6-868C-4FC0-B224-87CA0F3D6350.html).
- Catalog Author: "create and publish catalogs" (Administrator's Guide 5.5, p. 149; Table 111, p. 150:
  Catalog: Create / Delete, Edit Properties, Publish, Sharing, Add vApp from My Cloud, View Private and
  Shared Catalogs), and the vApp rights the same tables give it alongside vApp Author (Table 114, p. 152;
  API guide 5.1 Table 6-4, p. 187: Create / Reconfigure). "vApp Template / Media: Create / Upload" and
  "vApp Template: Download" for it are invented from "create and publish catalogs" (docs/FIDELITY.md).
- vApp User: "use existing vApps" (p. 149): the rights Table 6-4 (API guide 5.1, p. 187) and Table 114
  (Administrator's Guide 5.5, p. 152) mark for it - Delete, Edit Properties, Power Operations, Sharing,
  Copy, Use Console, Edit VM Properties, Edit VM Network, Manage VM Password Settings, Snapshot
  Operations - and not Create / Reconfigure, Edit VM CPU / Memory / Hard Disk; no "Catalog: Add vApp
  from My Cloud" (Table 111); no "vApp Template: Checkout" ("Add a vApp Template to My Cloud: you are at
  least a vApp author", vCloud Director User's Guide 1.0, p. 43). Its view rights are invented.
- Console Access Only: "view virtual machine state and properties and use the guest OS" (p. 150):
  Use Console and Manage VM Password Settings (Table 114); its view rights are invented.
- System Administrator: every right (p. 149).
"""

from __future__ import annotations

import uuid

# the rights the simulator's actions check (each in the lists below, as Cloud Director names it)
CREATE_RECONFIGURE = "vApp: Create / Reconfigure"
COPY = "vApp: Copy"
CHECKOUT = "vApp Template: Checkout"
ADD_TO_CATALOG = "Catalog: Add vApp from My Cloud"
UPLOAD_TEMPLATE = "vApp Template / Media: Create / Upload"
UPLOAD_VAPP = "vApp: Upload"
EDIT_TEMPLATE = "vApp Template / Media: Edit"
POWER = "vApp: Power Operations"

VAPP_AUTHOR = frozenset(
    {
        "Catalog: Add vApp from My Cloud",
        "Catalog: View Private and Shared Catalogs",
        "Organization vDC Compute Policy: View",
        "Organization vDC Named Disk: Create",
        "Organization vDC Named Disk: Delete",
        "Organization vDC Named Disk: Edit Properties",
        "Organization vDC Named Disk: View Properties",
        "Organization vDC Network: View Properties",
        "Organization vDC: VM-VM Affinity Edit",
        "Organization: View",
        "UI Plugins: View",
        "VAPP_VM_METADATA_TO_VCENTER",
        "vApp Template / Media: Copy",
        "vApp Template / Media: Edit",
        "vApp Template / Media: View",
        "vApp Template: Checkout",
        "vApp: Copy",
        "vApp: Create / Reconfigure",
        "vApp: Delete",
        "vApp: Download",
        "vApp: Edit Properties",
        "vApp: Edit VM CPU",
        "vApp: Edit VM Hard Disk",
        "vApp: Edit VM Memory",
        "vApp: Edit VM Network",
        "vApp: Edit VM Properties",
        "vApp: Manage VM Password Settings",
        "vApp: Power Operations",
        "vApp: Sharing",
        "vApp: Snapshot Operations",
        "vApp: Upload",
        "vApp: Use Console",
        "vApp: VM Boot Options",
        "vApp: View ACL",
        "vApp: View VM metrics",
    }
)

DEFAULT_RIGHTS_BUNDLE_VAPP_AND_CATALOG = frozenset(
    {
        # the catalog, template and vApp rights of the Default Rights Bundle (the rest of the bundle -
        # gateways, networks, users, organization settings - is nothing the simulator checks)
        "Access All Organization VDCs",
        "Catalog: Add vApp from My Cloud",
        "Catalog: CLSP Publish Subscribe",
        "Catalog: Change Owner",
        "Catalog: Create / Delete a Catalog",
        "Catalog: Edit Properties",
        "Catalog: Publish",
        "Catalog: Sharing",
        "Catalog: View ACL",
        "Catalog: View Private and Shared Catalogs",
        "Catalog: View Published Catalogs",
        "General: Administrator Control",
        "General: Administrator View",
        "Organization vDC: View",
        "Organization: View",
        "VAPP_VM_METADATA_TO_VCENTER",
        "vApp Template / Media: Copy",
        "vApp Template / Media: Create / Upload",
        "vApp Template / Media: Edit",
        "vApp Template / Media: View",
        "vApp Template: Change Owner",
        "vApp Template: Checkout",
        "vApp Template: Download",
        "vApp: Change Owner",
        "vApp: Copy",
        "vApp: Create / Reconfigure",
        "vApp: Delete",
        "vApp: Download",
        "vApp: Edit Properties",
        "vApp: Edit VM CPU",
        "vApp: Edit VM Hard Disk",
        "vApp: Edit VM Memory",
        "vApp: Edit VM Network",
        "vApp: Edit VM Properties",
        "vApp: Manage VM Password Settings",
        "vApp: Power Operations",
        "vApp: Sharing",
        "vApp: Snapshot Operations",
        "vApp: Upload",
        "vApp: Use Console",
        "vApp: VM Boot Options",
        "vApp: View ACL",
        "vApp: View VM metrics",
    }
)

CATALOG_AUTHOR = VAPP_AUTHOR | {
    "Catalog: Create / Delete a Catalog",
    "Catalog: Edit Properties",
    "Catalog: Publish",
    "Catalog: Sharing",
    "vApp Template / Media: Create / Upload",  # invented (see the module docstring)
    "vApp Template: Download",  # invented
}

VAPP_USER = frozenset(
    {
        "vApp: Delete",
        "vApp: Edit Properties",
        "vApp: Power Operations",
        "vApp: Sharing",
        "vApp: Copy",
        "vApp: Use Console",
        "vApp: Edit VM Properties",
        "vApp: Edit VM Network",
        "vApp: Manage VM Password Settings",
        "vApp: Snapshot Operations",
        # invented: what it needs to see its vApps and the catalogs it may open templates from
        "Catalog: View Private and Shared Catalogs",
        "Organization vDC: View",
        "Organization: View",
        "vApp Template / Media: View",
    }
)

CONSOLE_ACCESS_ONLY = frozenset(
    {
        "vApp: Use Console",
        "vApp: Manage VM Password Settings",
        "Organization: View",  # invented
    }
)

ORGANIZATION_ADMINISTRATOR = DEFAULT_RIGHTS_BUNDLE_VAPP_AND_CATALOG
SYSTEM_ADMINISTRATOR = "System Administrator"

PREDEFINED: dict[str, frozenset[str]] = {
    "Organization Administrator": ORGANIZATION_ADMINISTRATOR,
    "Catalog Author": CATALOG_AUTHOR,
    "vApp Author": VAPP_AUTHOR,
    "vApp User": VAPP_USER,
    "Console Access Only": CONSOLE_ACCESS_ONLY,
}
EVERY_RIGHT = frozenset().union(*PREDEFINED.values())

_NAMESPACE = uuid.UUID("9a1c3f5e-7b2d-4e8f-a6c4-0d3b5e7f9a1c")  # the simulator's own: role and right ids


def rights_of(role: str) -> frozenset[str]:
    """The rights a role holds; a System Administrator holds every right, an unknown role none."""
    if role == SYSTEM_ADMINISTRATOR:
        return EVERY_RIGHT
    return PREDEFINED.get(role, frozenset())


def holds(role: str, right: str) -> bool:
    return role == SYSTEM_ADMINISTRATOR or right in rights_of(role)


def role_id(role: str) -> str:
    """urn:vcloud:role:<uuid>, stable per role name (vCD's ids are uuids; these are the simulator's)."""
    return f"urn:vcloud:role:{uuid.uuid5(_NAMESPACE, 'role:' + role)}"


def role_by_id(urn: str) -> str | None:
    known = [SYSTEM_ADMINISTRATOR, *PREDEFINED]
    return next((role for role in known if role_id(role) == urn), None)


def right_id(right: str) -> str:
    return f"urn:vcloud:right:{uuid.uuid5(_NAMESPACE, 'right:' + right)}"
