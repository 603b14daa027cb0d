"""VM actions: editTrustedPlatformModule, power on/off, createVm and instantiateVmFromTemplate."""

from __future__ import annotations

from vcdtpm.domain.model import Power
from vcdtpm.sim.inventory import SimVm, SimVTpm, new_id
from vcdtpm.sim.vcd import act
from vcdtpm.sim.vcd import roles as R
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.rules import access, items
from vcdtpm.sim.vcd.rules.placement import (
    check_tpm_addable,
    clone_vm,
    default_key_provider,
    new_vapp,
    new_vm,
    place_in_vapp,
    task_error,
    template_mode,
)


def edit_tpm(ctx: RequestContext, vm_id: str):
    params = act.body(ctx, "TrustedPlatformModule")
    vm = access.vm(ctx, vm_id)
    act.required(params, "TpmPresent")
    present = act.flag(params, "TpmPresent")
    inv = ctx.inventory

    def effect():
        if present:
            check_tpm_addable(vm)
            vm.key_provider = default_key_provider(inv.vcenters[vm.vcenter], vm.name)
            vm.tpm, vm.key_id = SimVTpm.fresh(), new_id()
        elif vm.tpm is not None:
            if vm.power != Power.OFF:
                raise task_error(
                    f"The TPM device of VM '{vm.name}' can be removed only when it is powered off.", "BUSY_ENTITY"
                )
            vm.tpm = None
        return "vm", vm.id, vm.name

    return act.accepted(
        ctx, "vappUpdateVm", f"Updating Virtual Machine {vm.name}", _org(ctx, vm), ("vm", vm.id, vm.name), effect
    )


def _org(ctx: RequestContext, vm: SimVm) -> str:
    org = ctx.inventory.vm_org(vm)
    assert org is not None  # access.vm answers only VMs a vApp or a template holds, each in an org
    return org


def _power(ctx: RequestContext, vm_id: str, power: Power):
    vm = access.vm(ctx, vm_id)

    def effect():
        vm.power = power
        return "vm", vm.id, vm.name

    verb = "On" if power == Power.ON else "Off"
    return act.accepted(
        ctx,
        f"vappPower{verb}",
        f"Powering {verb.lower()} Virtual Machine {vm.name}",
        _org(ctx, vm),
        ("vm", vm.id, vm.name),
        effect,
    )


def power_on(ctx: RequestContext, vm_id: str):
    return _power(ctx, vm_id, Power.ON)


def power_off(ctx: RequestContext, vm_id: str):
    return _power(ctx, vm_id, Power.OFF)


def create_vm(ctx: RequestContext, vdc_id: str):
    """CreateVmParams: a standalone VM: like vCD, it lands in a vApp of its own."""
    params = act.body(ctx, "CreateVmParams")
    vdc = access.vdc(ctx, vdc_id)
    name = act.name_of(params)
    spec = items.vm_spec(act.required(params, "CreateVm"))
    vm_id, inv = new_id(), ctx.inventory

    def effect():
        vm = new_vm(inv, spec, vdc)
        vm.id = vm_id
        place_in_vapp(inv, vm, new_vapp(inv, name, vdc))
        return "vm", vm.id, vm.name

    return act.accepted(
        ctx, "vdcCreateVm", f"Creating Virtual Machine {spec.name}", vdc.org, ("vm", vm_id, spec.name), effect
    )


def instantiate_vm(ctx: RequestContext, vdc_id: str):
    """InstantiateVmTemplateParams (the only root this operation takes).
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-InstantiateVmTemplate.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateVmTemplateParamsType.html
    """
    vdc = access.vdc(ctx, vdc_id)
    params = act.body(ctx, "InstantiateVmTemplateParams")
    name = act.name_of(params)
    item = act.required(params, "SourcedVmTemplateItem")
    refusal = "SourcedVmTemplateItem: the Source must be a template VM."
    _, source = act.source_vm(ctx, act.required(item, "Source"), refusal, kinds=("template_vm",))
    general = act.find(item, "VmGeneralParams")
    vm_name = (act.text(general, "Name") if general is not None else None) or source.name
    vm_id, inv = new_id(), ctx.inventory

    def effect():
        if source.id not in inv.vms:
            raise task_error(f"The template VM '{source.name}' no longer exists.", "NOT_FOUND", 404)
        template = inv.templates.get(source.template or "")
        if template is None:
            raise task_error(f"The template of VM '{source.name}' no longer exists.", "NOT_FOUND", 404)
        vm = clone_vm(inv, source, vdc, template_mode(template))
        vm.id, vm.name = vm_id, vm_name
        place_in_vapp(inv, vm, new_vapp(inv, name, vdc))
        return "vm", vm.id, vm.name

    return act.accepted(
        ctx, "vdcInstantiateVm", f"Creating Virtual Machine {vm_name}", vdc.org, ("vm", vm_id, vm_name), effect
    )


ROUTES = [
    Route(
        "POST",
        "/api/vApp/vm-<uuid:vm_id>/action/editTrustedPlatformModule",
        edit_tpm,
        rights=(R.CREATE_RECONFIGURE,),
    ),
    Route("POST", "/api/vApp/vm-<uuid:vm_id>/power/action/powerOn", power_on, rights=(R.POWER,)),
    Route("POST", "/api/vApp/vm-<uuid:vm_id>/power/action/powerOff", power_off, rights=(R.POWER,)),
    Route("POST", "/api/vdc/<uuid:vdc_id>/action/createVm", create_vm, rights=(R.CREATE_RECONFIGURE,)),
    Route(
        "POST",
        "/api/vdc/<uuid:vdc_id>/action/instantiateVmFromTemplate",
        instantiate_vm,
        rights=(R.CREATE_RECONFIGURE, R.CHECKOUT),
    ),
]
