"""SourcedItem and CreateItem (recompose / compose): what they name and the VMs they make."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vcdtpm.domain.model import Firmware
from vcdtpm.sim.inventory import Inventory, SimVdc, SimVm
from vcdtpm.sim.vcd import act, errors, roles
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.rules.placement import COPY, REPLACE, VmSpec, clone_vm, new_vm, relocate, task_error, template_mode


@dataclass(frozen=True)
class SourcedItem:
    """A VM to add, copied or moved from `source`."""

    source: SimVm
    source_kind: str  # vm | template_vm
    delete_source: bool = False
    replace_tpm: bool | None = None
    name: str | None = None


@dataclass(frozen=True)
class CreateItem:
    """A VM to add, created from `spec`."""

    spec: VmSpec


Item = SourcedItem | CreateItem


def sourced_items(ctx: RequestContext, params) -> list[SourcedItem]:
    items = []
    for element in params.findall(x.qn(x.VCLOUD, "SourcedItem")):
        refusal = "SourcedItem: the Source must be a VM or a template VM."
        kind, vm = act.source_vm(ctx, act.required(element, "Source"), refusal)
        general = act.find(element, "VmGeneralParams")
        delete = (element.get("sourceDelete") or "").lower() == "true"
        _require_for_source(ctx, kind, delete, vm)
        items.append(
            SourcedItem(
                source=vm,
                source_kind=kind,
                delete_source=delete,
                replace_tpm=act.flag(element, "ReplaceTpm"),
                name=act.text(general, "Name") if general is not None else None,
            )
        )
    return items


def _require_for_source(ctx: RequestContext, kind: str, delete: bool, vm: SimVm) -> None:
    """A VM copied from another needs "vApp: Copy"; a template VM taken into a vApp, "vApp Template:
    Checkout" (sim/vcd/roles.py)."""
    if kind == "template_vm":
        access.require(ctx, (roles.CHECKOUT,), "vapp_template_checkout", vm.id)
    elif not delete:
        access.require(ctx, (roles.COPY,), "vapp_copy", vm.id)


def create_items(params) -> list[CreateItem]:
    """CreateItem elements: each is a VmType describing a new VM."""
    return [CreateItem(vm_spec(element)) for element in params.findall(x.qn(x.VCLOUD, "CreateItem"))]


def vm_spec(vm) -> VmSpec:
    """A VmType (CreateItem / CreateVm): name, VmSpecSection and TrustedPlatformModule."""
    spec = act.required(vm, "VmSpecSection")
    os_type = act.text(spec, "OsType")
    if not os_type:
        raise errors.bad_request("VmSpecSection: the element OsType is required.")
    hardware = re.search(r"(\d+)$", act.text(spec, "HardwareVersion") or "vmx-19")
    tpm = act.find(vm, "TrustedPlatformModule")
    return VmSpec(
        name=act.name_of(vm),
        guest_os=os_type,
        firmware=Firmware.BIOS if (act.text(spec, "Firmware") or "efi").lower() == "bios" else Firmware.EFI,
        hardware_version=int(hardware.group(1)) if hardware else 19,
        tpm=bool(act.flag(tpm, "TpmPresent", False)) if tpm is not None else False,
    )


def make_vm(inv: Inventory, item: Item, vdc: SimVdc) -> SimVm:
    """The VM an item puts into a vApp on `vdc` (for a move, the source itself, relocated)."""
    if isinstance(item, CreateItem):
        return new_vm(inv, item.spec, vdc)
    source = item.source
    if source.id not in inv.vms:
        raise task_error(f"The source VM '{source.name}' no longer exists.", "NOT_FOUND", 404)
    if item.delete_source and item.source_kind == "vm":
        relocate(inv, source, vdc)
        return source
    if item.source_kind == "template_vm":
        assert source.template is not None  # access.vm(in_template=True) found it in a template
        mode = template_mode(inv.templates[source.template])
        made = clone_vm(inv, source, vdc, mode)
    else:
        mode = REPLACE if item.replace_tpm else COPY
        made = clone_vm(inv, source, vdc, mode, explicit=bool(item.replace_tpm))
    made.name = item.name or made.name
    return made
