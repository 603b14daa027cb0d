"""vApp actions: recomposeVApp, moveVApp (202 Task); cloneVApp, composeVApp, instantiateVAppTemplate (201 VApp)."""

from __future__ import annotations

from vcdtpm.sim.inventory import SimVApp, SimVdc, new_id
from vcdtpm.sim.vcd import act, errors
from vcdtpm.sim.vcd import roles as R
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.created import vapp_created
from vcdtpm.sim.vcd.rules import access, items
from vcdtpm.sim.vcd.rules.placement import (
    COPY,
    REPLACE,
    check_carry,
    clone_vm,
    new_vapp,
    place_in_vapp,
    relocate,
    task_error,
    template_mode,
)


def recompose(ctx: RequestContext, vapp_id: str):
    """202 with a Task: https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-RecomposeVApp.html"""
    vapp = access.vapp(ctx, vapp_id)
    params = act.body(ctx, "RecomposeVAppParams")
    vapp = access.vapp(ctx, vapp_id)
    wanted = items.sourced_items(ctx, params) + items.create_items(params)
    if not wanted:
        raise errors.bad_request("RecomposeVAppParams: no SourcedItem or CreateItem.")
    inv = ctx.inventory

    def effect():
        if vapp.id not in inv.vapps:
            raise task_error(f"The vApp '{vapp.name}' no longer exists.", "NOT_FOUND", 404)
        vdc = inv.vdcs[vapp.vdc]
        made = [items.make_vm(inv, item, vdc) for item in wanted]
        _check_names(vapp, [vm for vm in made if vm.vapp != vapp.id], inv)
        for vm in made:
            place_in_vapp(inv, vm, vapp)
        return "vm", made[-1].id, made[-1].name

    return act.accepted(
        ctx,
        "vdcRecomposeVapp",
        f"Updating Virtual Application {vapp.name}",
        vapp.org,
        ("vapp", vapp.id, vapp.name),
        effect,
    )


def _check_names(vapp: SimVApp, joining, inv) -> None:
    names = [inv.vms[i].name for i in vapp.vms if i in inv.vms] + [vm.name for vm in joining]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise task_error(f"The VM name '{duplicate}' is already used in vApp '{vapp.name}'.", "DUPLICATE_NAME")


def clone(ctx: RequestContext, vdc_id: str):
    """CloneVAppParams: Source a vApp; the TPM intent is per VM, SourcedItem/ReplaceTpm
    (CloneVAppParams itself has no ReplaceTpm child).
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CloneVApp.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateVAppParamsType.html
    """
    vdc = access.vdc(ctx, vdc_id)
    params = act.body(ctx, "CloneVAppParams")
    vdc = access.vdc(ctx, vdc_id)
    name = act.name_of(params)
    act.refuse_child(params, "ReplaceTpm")
    source = act.source_vapp(ctx, act.required(params, "Source"), "CloneVAppParams: the Source must be a vApp.")
    delete, replace = act.flag(params, "IsSourceDelete", False), _replace_per_vm(ctx, params, source)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        vms = _members(inv, source)
        if delete:
            for vm in vms:
                check_carry(inv, vm, vdc)
        copies = vms if delete else [_clone_member(inv, vm, vdc, replace.get(vm.id)) for vm in vms]
        target = new_vapp(inv, name, vdc, made_id)
        for vm in copies:
            if delete:
                relocate(inv, vm, vdc)
            place_in_vapp(inv, vm, target)
        if delete:
            inv.vapps.pop(source.id, None)
        return "vapp", target.id, target.name

    return vapp_created(ctx, vdc, name, made_id, ("vdcCopyVapp", f"Copying Virtual Application {source.name}"), effect)


def _replace_per_vm(ctx: RequestContext, params, source: SimVApp) -> dict[str, bool | None]:
    """ReplaceTpm of each SourcedItem, by VM id; each must name a VM of the source vApp."""
    replace = {}
    for item in items.sourced_items(ctx, params):
        if item.source_kind != "vm" or item.source.id not in source.vms:
            raise errors.bad_request(f"SourcedItem: the VM '{item.source.name}' is not in vApp '{source.name}'.")
        replace[item.source.id] = item.replace_tpm
    return replace


def _clone_member(inv, vm, vdc: SimVdc, replace: bool | None):
    return clone_vm(inv, vm, vdc, REPLACE if replace else COPY, explicit=bool(replace))


def _members(inv, vapp: SimVApp) -> list:
    if vapp.id not in inv.vapps:
        raise task_error(f"The vApp '{vapp.name}' no longer exists.", "NOT_FOUND", 404)
    return [inv.vms[i] for i in vapp.vms if i in inv.vms]


def move(ctx: RequestContext, vdc_id: str):
    """202 with a Task: https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-MoveVApp.html"""
    vdc = access.vdc(ctx, vdc_id)
    params = act.body(ctx, "MoveVAppParams")
    vdc = access.vdc(ctx, vdc_id)
    source = act.source_vapp(ctx, act.required(params, "Source"), "MoveVAppParams: the Source must be a vApp.")
    inv = ctx.inventory

    def effect():
        vms = _members(inv, source)
        for vm in vms:
            check_carry(inv, vm, vdc, shared_storage=False)
        for vm in vms:
            relocate(inv, vm, vdc, shared_storage=False)
        source.vdc, source.org = vdc.id, vdc.org
        return "vapp", source.id, source.name

    return act.accepted(
        ctx,
        "vdcMoveVapp",
        f"Moving Virtual Application {source.name}",
        vdc.org,
        ("vapp", source.id, source.name),
        effect,
    )


def compose(ctx: RequestContext, vdc_id: str):
    params = act.body(ctx, "ComposeVAppParams")
    vdc = access.vdc(ctx, vdc_id)
    name = act.name_of(params)
    wanted = items.sourced_items(ctx, params) + items.create_items(params)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        made = [items.make_vm(inv, item, vdc) for item in wanted]
        target = new_vapp(inv, name, vdc, made_id)
        _check_names(target, made, inv)
        for vm in made:
            place_in_vapp(inv, vm, target)
        return "vapp", target.id, target.name

    return vapp_created(ctx, vdc, name, made_id, ("vdcComposeVapp", f"Composing Virtual Application {name}"), effect)


def instantiate(ctx: RequestContext, vdc_id: str):
    params = act.body(ctx, "InstantiateVAppTemplateParams")
    vdc = access.vdc(ctx, vdc_id)
    name = act.name_of(params)
    refusal = "InstantiateVAppTemplateParams: the Source must be a vApp template."
    template = act.source_template(ctx, act.required(params, "Source"), refusal)
    made_id, inv = new_id(), ctx.inventory

    def effect():
        return "vapp", *instantiate_into(inv, template, vdc, name, made_id)

    operation = ("vdcInstantiateVapp", f"Creating Virtual Application {name}")
    return vapp_created(ctx, vdc, name, made_id, operation, effect)


def instantiate_into(inv, template, vdc: SimVdc, name: str, vapp_id: str) -> tuple[str, str]:
    """A new vApp holding copies of the template's VMs, the vTPM as its provenance says."""
    if template.id not in inv.templates:
        raise task_error(f"The vApp template '{template.name}' no longer exists.", "NOT_FOUND", 404)
    mode = template_mode(template)
    copies = [clone_vm(inv, inv.vms[i], vdc, mode) for i in template.vms if i in inv.vms]
    target = new_vapp(inv, name, vdc, vapp_id)
    for vm in copies:
        place_in_vapp(inv, vm, target)
    return target.id, target.name


ROUTES = [
    Route("POST", "/api/vApp/vapp-<uuid:vapp_id>/action/recomposeVApp", recompose, rights=(R.CREATE_RECONFIGURE,)),
    Route("POST", "/api/vdc/<uuid:vdc_id>/action/cloneVApp", clone, rights=(R.CREATE_RECONFIGURE, R.COPY)),
    Route("POST", "/api/vdc/<uuid:vdc_id>/action/moveVApp", move, rights=(R.CREATE_RECONFIGURE,)),
    Route("POST", "/api/vdc/<uuid:vdc_id>/action/composeVApp", compose, rights=(R.CREATE_RECONFIGURE,)),
    Route(
        "POST",
        "/api/vdc/<uuid:vdc_id>/action/instantiateVAppTemplate",
        instantiate,
        rights=(R.CREATE_RECONFIGURE, R.CHECKOUT),
    ),
]
