"""Template and OVF actions: captureVApp (202 Task), catalog upload (201 CatalogItem), instantiateOvf (201 VApp)."""

from __future__ import annotations

from vcdtpm.domain.model import Provenance, TpmMode
from vcdtpm.sim.inventory import SimCatalog, SimTemplate, SimVApp, SimVdc, SimVm, new_id
from vcdtpm.sim.vcd import act, errors
from vcdtpm.sim.vcd import roles as R
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.created import template_created, vapp_created
from vcdtpm.sim.vcd.ids import catalog_item_id
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.rules.placement import COPY, clone_vm, new_vapp, new_vm, place_in_vapp
from vcdtpm.sim.vcd.views.tenant import render_catalog_item


def capture(ctx: RequestContext, catalog_id: str):
    """CaptureVAppParams: Source a vApp, whose every VM is captured; CaptureVmParams only
    names VMs of it to customize; CopyTpmOnInstantiate (default true here) becomes the
    template's TPM provisioning.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CaptureVApp-catalog.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CaptureVAppParamsType.html
    """
    catalog = access.catalog(ctx, catalog_id)
    params = act.body(ctx, "CaptureVAppParams")
    catalog = access.catalog(ctx, catalog_id)
    name = act.name_of(params)
    source = act.source_vapp(ctx, act.required(params, "Source"), "CaptureVAppParams: the Source must be a vApp.")
    _check_capture_vms(ctx, params, source)
    copy_tpm = act.flag(params, "CopyTpmOnInstantiate", True)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        vms = [inv.vms[i] for i in inv.vapps[source.id].vms]
        vdc = inv.vdcs[catalog.vdc or source.vdc]
        copies = [clone_vm(inv, vm, vdc, COPY) for vm in vms]
        template = new_template(inv, catalog, name, vdc, Provenance.CAPTURED, made_id)
        template.tpm_provisioning = TpmMode.COPY if copy_tpm else TpmMode.REPLACE
        return "vapptemplate", *fill_template(inv, template, copies)

    return act.accepted(
        ctx,
        "vdcCaptureTemplate",
        f"Capturing Virtual Application {name}",
        catalog.org,
        ("vapptemplate", made_id, name),
        effect,
    )


def _check_capture_vms(ctx: RequestContext, params, vapp: SimVApp) -> None:
    """Each CaptureVmParams/Source must be a VM of the captured vApp."""
    for element in params.findall(x.qn(x.VCLOUD, "CaptureVmParams")):
        refusal = "CaptureVmParams: the Source must be a VM of the captured vApp."
        _, vm = act.source_vm(ctx, act.required(element, "Source"), refusal, kinds=("vm",))
        if vm.id not in vapp.vms:
            raise errors.bad_request(refusal)


def new_template(
    inv, catalog: SimCatalog, name: str, vdc: SimVdc, provenance: Provenance, template_id: str
) -> SimTemplate:
    template = SimTemplate(name, catalog.org, catalog.id, vdc.id, provenance, id=template_id)
    inv.templates[template.id] = template
    catalog.templates.append(template.id)
    return template


def fill_template(inv, template: SimTemplate, vms: list[SimVm]) -> tuple[str, str]:
    for vm in vms:
        vm.template, vm.vapp = template.id, None
        template.vms.append(vm.id)
        inv.vms[vm.id] = vm
    return template.id, template.name


def instantiate_ovf(ctx: RequestContext, vdc_id: str):
    """InstantiateOvfParams (no OVF inside: an Envelope child is refused): 201 with the VApp,
    its Task and a Files/File upload link for the descriptor; the task runs once the
    descriptor (and any file it references) has been PUT there (sim/vcd/uploads.py).
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-InstantiateOvf.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateOvfParamsType.html
    """
    vdc = access.vdc(ctx, vdc_id)
    params = act.body(ctx, "InstantiateOvfParams")
    act.refuse_child(params, "Envelope", x.OVF)
    name, made_id, inv = act.name_of(params), new_id(), ctx.inventory

    def effect_for(specs):
        def effect():
            made = [new_vm(inv, spec, vdc) for spec in specs]
            vapp = new_vapp(inv, name, vdc, made_id)
            for vm in made:
                place_in_vapp(inv, vm, vapp)
            return "vapp", vapp.id, vapp.name

        return effect

    operation = ("vdcUploadOvfContents", f"Creating Virtual Application {name}")
    return vapp_created(ctx, vdc, name, made_id, operation, None, effect_for)


def upload(ctx: RequestContext, catalog_id: str):
    """UploadVAppTemplateParams (Description, VdcStorageProfile; an Envelope is refused):
    201 with the CatalogItem, Location the item; its Entity, the new template, carries the
    task and the descriptor's upload link.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-UploadVAppTemplate.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/UploadVAppTemplateParamsType.html
    """
    catalog = access.catalog(ctx, catalog_id)
    params = act.body(ctx, "UploadVAppTemplateParams")
    act.refuse_child(params, "Envelope", x.OVF)
    name, vdc, inv = act.name_of(params), _catalog_vdc(ctx, catalog), ctx.inventory
    template = SimTemplate(name, catalog.org, catalog.id, vdc.id, Provenance.OVF)

    def effect_for(specs):
        return lambda: ("vapptemplate", *fill_template(inv, template, [new_vm(inv, s, vdc) for s in specs]))

    template_created(
        ctx, template, catalog, ("vdcUploadOvfContents", f"Uploading vApp template {name}"), None, effect_for
    )
    item_id = catalog_item_id(template.id)
    return act.created(
        ctx, ctx.hrefs.catalog_item(item_id), render_catalog_item(ctx, item_id, template), x.CATALOG_ITEM
    )


def _catalog_vdc(ctx: RequestContext, catalog: SimCatalog) -> SimVdc:
    if catalog.vdc is not None:
        return ctx.inventory.vdcs[catalog.vdc]
    vdc = next((v for v in ctx.inventory.vdcs.values() if v.org == catalog.org), None)
    if vdc is None:
        raise errors.bad_request(f"The catalog '{catalog.name}' has no storage to hold templates.")
    return vdc


ROUTES = [
    Route("POST", "/api/catalog/<uuid:catalog_id>/action/captureVApp", capture, rights=(R.ADD_TO_CATALOG,)),
    Route("POST", "/api/catalog/<uuid:catalog_id>/action/upload", upload, rights=(R.UPLOAD_TEMPLATE,)),
    Route(
        "POST",
        "/api/vdc/<uuid:vdc_id>/action/instantiateOvf",
        instantiate_ovf,
        rights=(R.CREATE_RECONFIGURE, R.UPLOAD_VAPP),
    ),
]
