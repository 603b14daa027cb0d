"""Provider imports of a vCenter VM (by name) as a vApp or a vApp template, copying it or
(`move`) moving it in: ImportVmAsVAppParams / ImportVmAsVAppTemplateParams `sourceMove`."""

from __future__ import annotations

from vcdtpm.adapters.vcd import bodies, parse
from vcdtpm.adapters.vcd.requests_for import Call, Request, field
from vcdtpm.domain.errors import NotFound

VMEXT = bodies.VMEXT


def _vim_servers(call: Call, preferred: str) -> list[str]:
    """The vimServer hrefs, the vCenter backing the target VDC first."""
    refs = call.read(f"{call.api}/admin/extension/vimServerReferences", "vCenter", preferred)
    found = refs.findall(parse.q("VimServerReference", VMEXT))
    return [ref.get("href") for ref in sorted(found, key=lambda ref: ref.get("name") != preferred)]


def _moref(call: Call, vim_server: str, vm_name: str) -> str | None:
    """The moref of an unmanaged VM of that vCenter, from its vmsList, or None."""
    listing = call.read(vim_server + "/vmsList", "vCenter VM", vm_name)
    for ref in listing.findall(parse.q("VmObjectRef", VMEXT)):
        if ref.get("name") == vm_name:
            return str(ref.find(parse.q("MoRef", VMEXT)).text).strip()
    return None


def _locate(call: Call, vm_name: str) -> tuple[str, str]:
    """(vimServer href, moref) of the unmanaged VM, on whichever vCenter holds it."""
    for vim_server in _vim_servers(call, call.vcenter or ""):
        moref = _moref(call, vim_server, vm_name)
        if moref is not None:
            return vim_server, moref
    raise NotFound(kind="vCenter VM", id=vm_name)


def _import(call: Call, tag: str, action: str, media_type: str, catalog: bool) -> Request:
    vm_name = call.src("vcenter_vm") or ""  # required: OperationRequest.validate
    vim_server, moref = _locate(call, vm_name)
    vdc = call.href(call.vdc, "vdc")
    catalog_href = call.href(call.dst("catalog"), "catalog") if catalog else None
    body = bodies.import_vm(tag, field(call.params, "name") or vm_name, moref, vdc, catalog_href)
    if field(call.params, "move"):
        body.set("sourceMove", "true")  # the vCenter VM itself is taken in; its vTPM is kept
    return f"{vim_server}/{action}", body, media_type


def import_vm_as_vapp(call: Call) -> Request:
    return _import(call, "ImportVmAsVAppParams", "importVmAsVApp", bodies.IMPORT_VAPP, False)


def import_vm_as_template(call: Call) -> Request:
    return _import(call, "ImportVmAsVAppTemplateParams", "importVmAsVAppTemplate", bodies.IMPORT_TEMPLATE, True)


IMPORT_BUILDERS = {"import_vm_as_vapp": import_vm_as_vapp, "import_vm_as_template": import_vm_as_template}
