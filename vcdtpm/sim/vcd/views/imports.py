"""Provider imports from vCenter: vmsList, importVmAsVApp and importVmAsVAppTemplate."""

from __future__ import annotations

from vcdtpm.domain.model import Provenance
from vcdtpm.sim.inventory import SimTemplate, SimVCenter, SimVdc, SimVm, new_id
from vcdtpm.sim.vcd import act, errors
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import PROVIDER, RequestContext, Route
from vcdtpm.sim.vcd.created import template_answer, template_created, vapp_created
from vcdtpm.sim.vcd.ids import urn
from vcdtpm.sim.vcd.rules.placement import COPY, clone_vm, new_vapp, place_in_vapp, relocate, task_error
from vcdtpm.sim.vcd.views.catalog_actions import fill_template

VM_OBJECT_REFS = "application/vnd.vmware.admin.vmsObjectRefsList+xml"


def _vcenter(ctx: RequestContext, vc_id: str) -> SimVCenter:
    vcenter = next((v for v in ctx.inventory.vcenters.values() if v.id == vc_id), None)
    if vcenter is None:
        raise errors.forbidden("VIM_SERVER_VIEW", urn("vimserver", vc_id))
    return vcenter


def _unmanaged(ctx: RequestContext, vcenter: SimVCenter) -> list[SimVm]:
    return [vm for vm in ctx.inventory.vcenter_vms(vcenter.name) if vm.vapp is None and vm.template is None]


def vms_list(ctx: RequestContext, vc_id: str):
    """The vCenter's VMs that Cloud Director does not manage (candidates for import)."""
    vcenter = _vcenter(ctx, vc_id)
    href = ctx.hrefs.vim_server(vcenter.id) + "/vmsList"
    element = x.root(
        "VmObjectRefsList", ns=x.VMEXT, nsmap=x.VMEXT_NSMAP, href=href, type=VM_OBJECT_REFS, page=1, pageSize=128
    )
    for vm in _unmanaged(ctx, vcenter):
        ref = x.sub(element, "VmObjectRef", ns=x.VMEXT, name=vm.name)
        x.ref(ref, "VimServerRef", ctx.hrefs.vim_server(vcenter.id), x.VIM_SERVER, vcenter.name, ns=x.VMEXT)
        x.sub(ref, "MoRef", vm.moref, ns=x.VMEXT)
        x.sub(ref, "VimObjectType", "VIRTUAL_MACHINE", ns=x.VMEXT)
    return ctx.xml(element, VM_OBJECT_REFS)


def _import_params(ctx: RequestContext, vc_id: str, tag: str):
    """(params, vcenter VM, target VDC, whether the source moves) of an import request."""
    params = act.body(ctx, tag, x.VMEXT)
    vcenter = _vcenter(ctx, vc_id)
    act.name_of(params)
    moref = act.text(params, "VmMoRef", x.VMEXT)
    vdc_ref = act.find(params, "Vdc", x.VMEXT)
    if not moref or vdc_ref is None:
        raise errors.bad_request(f"{tag}: the elements VmMoRef and Vdc are required.")
    vm = next((v for v in _unmanaged(ctx, vcenter) if v.moref == moref), None)
    if vm is None:
        raise errors.bad_request(f"No VM {moref} to import on vCenter Server {vcenter.name}.")
    kind, vdc_id = act.source_href(vdc_ref)
    vdc = ctx.inventory.vdcs.get(vdc_id) if kind == "vdc" else None
    if vdc is None:
        raise errors.bad_request(f"{tag}: the Vdc reference is not a VDC.")
    # a VDC of another vCenter is a cross-vCenter import: the copy checks the same key
    # provider name and shared storage there (docs/RULES.md), as for any cross-vCenter copy
    return params, vm, vdc, (params.get("sourceMove") or "").lower() == "true"


def _imported(inv, vm: SimVm, vdc: SimVdc, move: bool) -> SimVm:
    if vm.vapp is not None or vm.template is not None:
        raise task_error(f"The VM '{vm.name}' is already managed by Cloud Director.")
    if move:
        relocate(inv, vm, vdc)
        return vm
    return clone_vm(inv, vm, vdc, COPY)


def import_as_vapp(ctx: RequestContext, vc_id: str):
    """201 with the VApp embedding its Task, Location the vApp.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/36.0/doc/operations/POST-ImportVmAsVApp.html
    """
    params, vm, vdc, move = _import_params(ctx, vc_id, "ImportVmAsVAppParams")
    name, made_id, inv = params.get("name"), new_id(), ctx.inventory

    def effect():
        vapp = new_vapp(inv, name, vdc, made_id)
        place_in_vapp(inv, _imported(inv, vm, vdc, move), vapp)
        return "vapp", vapp.id, vapp.name

    return vapp_created(
        ctx, vdc, name, made_id, ("vdcImportVmAsVApp", f"Importing VM {vm.name} as vApp {name}"), effect
    )


def import_as_template(ctx: RequestContext, vc_id: str):
    """201 with the VAppTemplate embedding its Task, Location the template.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-ImportVmAsVAppTemplate.html
    """
    params, vm, vdc, move = _import_params(ctx, vc_id, "ImportVmAsVAppTemplateParams")
    catalog_ref = act.find(params, "Catalog", x.VMEXT)
    kind, catalog_id = act.source_href(catalog_ref) if catalog_ref is not None else ("", "")
    catalog = ctx.inventory.catalogs.get(catalog_id) if kind == "catalog" else None
    if catalog is None:
        raise errors.bad_request("ImportVmAsVAppTemplateParams: the element Catalog is required.")
    name, inv = params.get("name"), ctx.inventory
    template = SimTemplate(name, catalog.org, catalog.id, vdc.id, Provenance.VCENTER_IMPORT)

    def effect():
        return "vapptemplate", *fill_template(inv, template, [_imported(inv, vm, vdc, move)])

    operation = ("vdcImportVmAsVAppTemplate", f"Importing VM {vm.name} as template {name}")
    template_created(ctx, template, catalog, operation, effect)
    return template_answer(ctx, template)


_VIM = "/api/admin/extension/vimServer/<uuid:vc_id>"
ROUTES = [
    Route("GET", _VIM + "/vmsList", vms_list, auth=PROVIDER),
    Route("POST", _VIM + "/importVmAsVApp", import_as_vapp, auth=PROVIDER),
    Route("POST", _VIM + "/importVmAsVAppTemplate", import_as_template, auth=PROVIDER),
]
