"""Operations that answer 201 Created with the new vApp or vApp template, made up front."""

from __future__ import annotations

from collections.abc import Callable

from vcdtpm.sim.inventory import SimCatalog, SimTemplate, SimVdc
from vcdtpm.sim.vcd import act
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.rules.placement import new_vapp
from vcdtpm.sim.vcd.tasks import Effect, SimTask
from vcdtpm.sim.vcd.uploads import PendingUpload
from vcdtpm.sim.vcd.views.vapp import render_template, render_vapp

# Given the VMs of an uploaded OVF descriptor, the effect of the entity's task.
EffectFor = Callable[[list], Effect]


def vapp_created(
    ctx: RequestContext,
    vdc: SimVdc,
    name: str,
    made_id: str,
    operation: tuple[str, str],
    effect: Effect | None,
    effect_for: EffectFor | None = None,
) -> object:
    """An empty vApp (status 0) now, filled by the task; removed again if the task fails.
    With `effect_for`, the task waits for an OVF descriptor PUT to the vApp's upload link.

    composeVApp, instantiateVAppTemplate, cloneVApp, instantiateOvf and importVmAsVApp all
    answer 201 with the VApp embedding its running Task:
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-ComposeVApp.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/38.0/doc/operations/POST-InstantiateVAppTemplate.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/37.1/doc/operations/POST-CloneVApp.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-InstantiateOvf.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/36.0/doc/operations/POST-ImportVmAsVApp.html
    """
    inv = ctx.inventory
    vapp = new_vapp(inv, name, vdc, made_id)

    def undo():
        if made_id in inv.vapps and not inv.vapps[made_id].vms:
            del inv.vapps[made_id]

    task = _start(ctx, operation, vdc.org, ("vapp", made_id, name), effect, undo)
    _await_upload(ctx, made_id, task, effect_for, undo)
    return act.created(ctx, ctx.hrefs.vapp(vapp.id), render_vapp(ctx, vapp), x.VAPP)


def template_created(
    ctx: RequestContext,
    template: SimTemplate,
    catalog: SimCatalog,
    operation: tuple[str, str],
    effect: Effect | None,
    effect_for: EffectFor | None = None,
) -> SimTask:
    """Register an empty template (status 0) now and the task that fills it (or that waits
    for its OVF upload); the task removes the template again if it fails."""
    inv = ctx.inventory
    inv.templates[template.id] = template
    catalog.templates.append(template.id)

    def undo():
        if not template.vms:
            inv.templates.pop(template.id, None)
            if template.id in catalog.templates:
                catalog.templates.remove(template.id)

    owner = ("vapptemplate", template.id, template.name)
    task = _start(ctx, operation, catalog.org, owner, effect, undo)
    _await_upload(ctx, template.id, task, effect_for, undo)
    return task


def template_answer(ctx: RequestContext, template: SimTemplate) -> object:
    """importVmAsVAppTemplate answers 201 with the VAppTemplate embedding its Task.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-ImportVmAsVAppTemplate.html
    """
    return act.created(ctx, ctx.hrefs.template(template.id), render_template(ctx, template), x.VAPP_TEMPLATE)


def _start(ctx, operation: tuple[str, str], org: str, owner, effect: Effect | None, undo) -> SimTask:
    operation_name, text = operation
    wrapped = act.undone_on_failure(effect, undo) if effect is not None else None
    return act.start_task(ctx, operation_name, text, org, owner, wrapped)


def _await_upload(ctx, entity_id: str, task: SimTask, effect_for: EffectFor | None, undo) -> None:
    if effect_for is not None:
        ctx.sim.uploads[entity_id] = PendingUpload(
            entity_id, task, lambda specs: act.undone_on_failure(effect_for(specs), undo)
        )
