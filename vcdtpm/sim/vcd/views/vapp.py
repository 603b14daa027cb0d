"""vApps, VMs and their TPM section, vApp templates (their metadata: metadata.py)."""

from __future__ import annotations

from vcdtpm.domain.model import Power
from vcdtpm.sim.inventory import SimTemplate
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.ids import catalog_item_id, urn, user_id
from vcdtpm.sim.vcd.render_vm import POWERED_OFF, POWERED_ON, render_tpm, render_vm
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.views.tasks import embed_tasks

UNRESOLVED = 0  # status while being made: https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/VAppType.html


def render_vapp(ctx: RequestContext, vapp):
    """A VApp: status 0 (unresolved) while the task creating it runs, its tasks under Tasks.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/VAppType.html
    """
    vms = [ctx.inventory.vms[i] for i in vapp.vms if i in ctx.inventory.vms]
    powered_on = any(vm.power == Power.ON for vm in vms)
    upload = ctx.sim.uploads.get(vapp.id)
    element = x.root(
        "VApp",
        ovfDescriptorUploaded=upload is None or upload.descriptor_done,
        deployed=powered_on,
        name=vapp.name,
        id=urn("vapp", vapp.id),
        href=ctx.hrefs.vapp(vapp.id),
        type=x.VAPP,
    )
    x.link(element, "up", ctx.hrefs.vdc(vapp.vdc), x.VDC)
    x.sub(element, "Description", "")
    busy = embed_tasks(ctx, element, "vapp", vapp.id)
    element.set("status", str(UNRESOLVED if busy and not vms else POWERED_ON if powered_on else POWERED_OFF))
    if upload is not None:
        upload.render_files(ctx, element)
    _owner(ctx, element, vapp.org)
    x.sub(element, "InMaintenanceMode", False)
    _children(ctx, element, vms)
    return element


def get_vapp(ctx: RequestContext, vapp_id: str):
    return ctx.xml(render_vapp(ctx, access.vapp(ctx, vapp_id)), x.VAPP)


def get_vm(ctx: RequestContext, vm_id: str):
    return ctx.xml(render_vm(ctx, access.vm(ctx, vm_id)), x.VM)


def get_vm_tpm(ctx: RequestContext, vm_id: str):
    return ctx.xml(render_tpm(ctx, access.vm(ctx, vm_id)), x.TPM_SECTION)


def get_template_vm(ctx: RequestContext, vm_id: str):
    return ctx.xml(render_vm(ctx, access.vm(ctx, vm_id, in_template=True)), x.VM)


def get_template_vm_tpm(ctx: RequestContext, vm_id: str):
    return ctx.xml(render_tpm(ctx, access.vm(ctx, vm_id, in_template=True)), x.TPM_SECTION)


def render_template(ctx: RequestContext, template: SimTemplate):
    """A VAppTemplate: status 0 while being made, its tasks under Tasks, then Files (an
    upload's transfer links) before Owner.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/VAppTemplateType.html
    """
    href = ctx.hrefs.template(template.id)
    vms = [ctx.inventory.vms[i] for i in template.vms if i in ctx.inventory.vms]
    upload = ctx.sim.uploads.get(template.id)
    element = x.root(
        "VAppTemplate",
        goldMaster=False,
        ovfDescriptorUploaded=upload is None or upload.descriptor_done,
        name=template.name,
        id=urn("vapptemplate", template.id),
        href=href,
        type=x.VAPP_TEMPLATE,
    )
    x.link(element, "up", ctx.hrefs.vdc(template.vdc), x.VDC)
    x.link(element, "catalogItem", ctx.hrefs.catalog_item(catalog_item_id(template.id)), x.CATALOG_ITEM)
    x.link(element, "down", href + "/metadata", x.METADATA)
    x.sub(element, "Description", "")
    busy = embed_tasks(ctx, element, "vapptemplate", template.id)
    element.set("status", str(UNRESOLVED if busy and not vms else POWERED_OFF))
    if upload is not None:
        upload.render_files(ctx, element)
    _owner(ctx, element, template.org)
    _children(ctx, element, vms)
    return element


def get_template(ctx: RequestContext, template_id: str):
    return ctx.xml(render_template(ctx, access.template(ctx, template_id)), x.VAPP_TEMPLATE)


def _owner(ctx: RequestContext, element, org: str) -> None:
    owner = x.sub(element, "Owner", type=x.OWNER)
    org_users = ctx.inventory.orgs[org].users if org in ctx.inventory.orgs else []
    if org_users:
        first = org_users[0]
        x.ref(owner, "User", ctx.hrefs.user(user_id(org, first.name)), x.USER, first.name)


def _children(ctx: RequestContext, element, vms) -> None:
    children = x.sub(element, "Children")
    for vm in vms:
        children.append(render_vm(ctx, vm))


ROUTES = [
    Route("GET", "/api/vApp/vapp-<uuid:vapp_id>", get_vapp),
    Route("GET", "/api/vApp/vm-<uuid:vm_id>", get_vm),
    Route("GET", "/api/vApp/vm-<uuid:vm_id>/trustedPlatformModule", get_vm_tpm),
    Route("GET", "/api/vAppTemplate/vappTemplate-<uuid:template_id>", get_template),
    Route("GET", "/api/vAppTemplate/vm-<uuid:vm_id>", get_template_vm),
    Route("GET", "/api/vAppTemplate/vm-<uuid:vm_id>/trustedPlatformModule", get_template_vm_tpm),
]
