"""The Cloud Director rights the requests of an operation need, by the names Cloud Director gives them.

Right names as Cloud Director's API spells them (the rights of the predefined vApp Author role and of the
Default Rights Bundle as a Cloud Director 10.x returns them, shown in the Terraform VCD provider's docs:
https://github.com/vmware/terraform-provider-vcd/blob/main/website/docs/d/role.html.markdown,
https://github.com/vmware/terraform-provider-vcd/blob/main/website/docs/d/rights_bundle.html.markdown; the
10.5 list: https://docs.vmware.com/en/VMware-Cloud-Director/10.5/VMware-Cloud-Director-Service-Provider-Admin-Guide/GUID-AE42A8F6-868C-4FC0-B224-87CA0F3D6350.html).

Which right each request needs: Cloud Director's API reference names no right per operation. The
mapping below follows each right's documented description ("vApp: Create / Reconfigure": create and
reconfigure vApps; "vApp: Copy"; "vApp Template: Checkout": add a vApp template to My Cloud, i.e.
instantiate it; "Catalog: Add vApp from My Cloud": capture; "vApp Template / Media: Create / Upload";
"vApp Template / Media: Edit"), vCloud Director Administrator's Guide 5.5, pp. 150-152. Adding or removing
a vTPM is taken as reconfiguring the VM ("vApp: Create / Reconfigure", the stricter choice over "vApp:
Edit VM Properties"): invented, listed in docs/FIDELITY.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CREATE_RECONFIGURE = "vApp: Create / Reconfigure"
COPY = "vApp: Copy"
CHECKOUT = "vApp Template: Checkout"
ADD_TO_CATALOG = "Catalog: Add vApp from My Cloud"
UPLOAD_TEMPLATE = "vApp Template / Media: Create / Upload"
UPLOAD_VAPP = "vApp: Upload"
EDIT_TEMPLATE = "vApp Template / Media: Edit"
POWER = "vApp: Power Operations"

# step kind (domain/steps.py) -> the rights its Cloud Director request needs
STEP_RIGHTS: Mapping[str, tuple[str, ...]] = {
    "create_vm": (CREATE_RECONFIGURE,),
    "create_vm_from_template": (CREATE_RECONFIGURE, CHECKOUT),
    "compose_vapp": (CREATE_RECONFIGURE,),  # + CHECKOUT for template items (rights_for_step)
    "create_vapp_from_ovf": (CREATE_RECONFIGURE, UPLOAD_VAPP),
    "instantiate_vapp_template": (CREATE_RECONFIGURE, CHECKOUT),
    "add_vm_to_vapp": (CREATE_RECONFIGURE,),
    "add_vm_from_template": (CREATE_RECONFIGURE, CHECKOUT),
    "copy_vm": (CREATE_RECONFIGURE, COPY),
    "move_vm": (CREATE_RECONFIGURE,),
    "copy_vapp": (CREATE_RECONFIGURE, COPY),
    "move_vapp": (CREATE_RECONFIGURE,),
    "capture_vapp": (ADD_TO_CATALOG,),
    "capture_vm": (ADD_TO_CATALOG,),
    "create_template_from_ovf": (UPLOAD_TEMPLATE,),
    "add_tpm": (CREATE_RECONFIGURE,),
    "remove_tpm": (CREATE_RECONFIGURE,),
    "replace_tpm": (CREATE_RECONFIGURE,),  # its two steps are edit_tpm requests on the VM
    "edit_tpm": (CREATE_RECONFIGURE,),
    "record_provenance": (EDIT_TEMPLATE,),
    # provider-only requests (importVmAsVApp / importVmAsVAppTemplate): System Administrators hold every right
    "import_vm_as_vapp": (),
    "import_vm_as_template": (),
}


def rights_for_step(kind: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The rights one step's request needs."""
    rights = STEP_RIGHTS.get(kind, ())
    if kind == "compose_vapp" and any(isinstance(i, Mapping) and i.get("template") for i in params.get("items") or ()):
        rights += (CHECKOUT,)
    return rights


def rights_needed(steps: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[str, ...]:
    """Every right the steps (kind, params) need, each once, in the order they are first needed."""
    needed: dict[str, None] = {}
    for kind, params in steps:
        needed.update(dict.fromkeys(rights_for_step(kind, params)))
    return tuple(needed)
