"""Template and OVF actions: captureVApp, catalog upload, instantiateOvf, vCenter imports."""

from __future__ import annotations

from vcdtpm.domain.model import Provenance, TpmMode
from vcdtpm.sim.inventory import SimCatalog, SimTemplate, SimVdc, SimVm, new_id
from vcdtpm.sim.vcd import act, errors
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.rules.placement import COPY, VmSpec, clone_vm, new_vapp, new_vm, place_in_vapp


def capture(ctx: RequestContext, catalog_id: str):
    """CaptureVAppParams: Source is a vApp (a standalone VM is captured through its own vApp);
    CopyTpmOnInstantiate (default true here) becomes the template's TPM provisioning.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CaptureVApp-catalog.html"""
    params = act.body(ctx, "CaptureVAppParams")
    catalog = access.catalog(ctx, catalog_id)
    name = act.name_of(params)
    kind, source = act.source_entity(ctx, act.required(params, "Source"))
    if kind != "vapp":
        raise errors.bad_request("CaptureVAppParams: the Source must be a vApp.")
    copy_tpm = act.flag(params, "CopyTpmOnInstantiate", True)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        vms = [inv.vms[i] for i in inv.vapps[source.id].vms]
        vdc = inv.vdcs[catalog.vdc or _vdc_of(inv, vms[0])]
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


def _vdc_of(inv, vm: SimVm) -> str:
    return inv.vapps[vm.vapp].vdc


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


def _ovf_specs(params) -> list[VmSpec]:
    """The VMs of the OVF descriptor: none yet. The params carry no ovf:Envelope (it is no child of
    InstantiateOvfParams or UploadVAppTemplateParams); vCD takes the descriptor on the upload link of
    the entity it answers with, which this simulator does not serve yet (docs/FIDELITY-strict.md).
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateOvfParamsType.html"""
    return []


def instantiate_ovf(ctx: RequestContext, vdc_id: str):
    """InstantiateOvfParams: a vApp whose VMs would come from the uploaded descriptor."""
    params = act.body(ctx, "InstantiateOvfParams")
    vdc = access.vdc(ctx, vdc_id)
    name, specs = act.name_of(params), _ovf_specs(params)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        made = [new_vm(inv, spec, vdc) for spec in specs]
        vapp = new_vapp(inv, name, vdc, made_id)
        for vm in made:
            place_in_vapp(inv, vm, vapp)
        return "vapp", vapp.id, vapp.name

    return act.accepted(
        ctx, "vdcUploadOvfContents", f"Creating Virtual Application {name}", vdc.org, ("vapp", made_id, name), effect
    )


def upload(ctx: RequestContext, catalog_id: str):
    """UploadVAppTemplateParams: a template whose VMs would come from the uploaded descriptor."""
    params = act.body(ctx, "UploadVAppTemplateParams")
    catalog = access.catalog(ctx, catalog_id)
    name, specs = act.name_of(params), _ovf_specs(params)
    vdc = _catalog_vdc(ctx, catalog)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        template = new_template(inv, catalog, name, vdc, Provenance.OVF, made_id)
        return "vapptemplate", *fill_template(inv, template, [new_vm(inv, s, vdc) for s in specs])

    return act.accepted(
        ctx,
        "vdcUploadOvfContents",
        f"Uploading vApp template {name}",
        catalog.org,
        ("vapptemplate", made_id, name),
        effect,
    )


def _catalog_vdc(ctx: RequestContext, catalog: SimCatalog) -> SimVdc:
    if catalog.vdc is not None:
        return ctx.inventory.vdcs[catalog.vdc]
    vdc = next((v for v in ctx.inventory.vdcs.values() if v.org == catalog.org), None)
    if vdc is None:
        raise errors.bad_request(f"The catalog '{catalog.name}' has no storage to hold templates.")
    return vdc


ROUTES = [
    Route("POST", "/api/catalog/<uuid:catalog_id>/action/captureVApp", capture),
    Route("POST", "/api/catalog/<uuid:catalog_id>/action/upload", upload),
    Route("POST", "/api/vdc/<uuid:vdc_id>/action/instantiateOvf", instantiate_ovf),
]
