"""Provider imports of a vCenter VM (by name) as a vApp or a vApp template, copying it."""
from __future__ import annotations

from vcdtpm.adapters.vcd import bodies, parse
from vcdtpm.adapters.vcd.requests_for import Call, Request, field
from vcdtpm.domain.errors import NotFound

VMEXT = bodies.VMEXT


def _vim_server(call: Call, vcenter: str) -> str:
    """The vimServer href of the vCenter backing the target VDC."""
    refs = call.read(f"{call.api}/admin/extension/vimServerReferences", "vCenter", vcenter)
    for ref in refs.findall(parse.q("VimServerReference", VMEXT)):
        if ref.get("name") == vcenter:
            return ref.get("href")
    raise NotFound(kind="vCenter", id=vcenter)


def _moref(call: Call, vim_server: str, vm_name: str) -> str:
    """The moref of an unmanaged VM of that vCenter, from its vmsList."""
    listing = call.read(vim_server + "/vmsList", "vCenter VM", vm_name)
    for ref in listing.findall(parse.q("VmObjectRef", VMEXT)):
        if ref.get("name") == vm_name:
            return str(ref.find(parse.q("MoRef", VMEXT)).text).strip()
    raise NotFound(kind="vCenter VM", id=vm_name)


def _import(call: Call, tag: str, action: str, media_type: str, catalog: bool) -> Request:
    vm_name = call.src("vcenter_vm")
    vim_server = _vim_server(call, call.params["_vcenter"])
    vdc = call.href(call.params["_vdc"], "vdc")
    catalog_href = call.href(call.dst("catalog"), "catalog") if catalog else None
    body = bodies.import_vm(tag, field(call.params, "name") or vm_name,
                            _moref(call, vim_server, vm_name), vdc, catalog_href)
    return f"{vim_server}/{action}", body, media_type


def import_vm_as_vapp(call: Call) -> Request:
    return _import(call, "ImportVmAsVAppParams", "importVmAsVApp", bodies.IMPORT_VAPP, False)


def import_vm_as_template(call: Call) -> Request:
    return _import(call, "ImportVmAsVAppTemplateParams", "importVmAsVAppTemplate",
                   bodies.IMPORT_TEMPLATE, True)


IMPORT_BUILDERS = {"import_vm_as_vapp": import_vm_as_vapp,
                   "import_vm_as_template": import_vm_as_template}
