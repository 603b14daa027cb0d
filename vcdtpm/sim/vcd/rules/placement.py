"""What actions do to the inventory: copy, move and create VMs the way vCD and vCenter do."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.domain.model import Firmware, Power, Provenance, TpmMode
from vcdtpm.sim.inventory import Inventory, SimTemplate, SimVApp, SimVCenter, SimVdc, SimVm, SimVTpm, new_id
from vcdtpm.sim.vcd.errors import VcdError

COPY, REPLACE = TpmMode.COPY.value, TpmMode.REPLACE.value


@dataclass(frozen=True)
class VmSpec:
    """A VM to create: what CreateItem / CreateVm / an OVF VirtualSystem describe."""

    name: str
    guest_os: str
    firmware: Firmware = Firmware.EFI
    hardware_version: int = 19
    tpm: bool = False


def task_error(message: str, minor: str = "BAD_REQUEST", status: int = 400) -> VcdError:
    return VcdError(status, minor, message)


def major(vcenter: SimVCenter) -> int:
    head = vcenter.version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def template_mode(template: SimTemplate) -> str:
    """How instantiation treats a template VM's vTPM: its provenance decides (docs/RULES.md)."""
    if template.provenance == Provenance.OVF:
        return REPLACE
    if template.provenance == Provenance.CAPTURED and template.tpm_provisioning is not None:
        return template.tpm_provisioning.value
    return COPY


def default_key_provider(vcenter: SimVCenter, vm_name: str) -> str:
    provider = next((kp for kp in vcenter.key_providers if kp.default), None)
    provider = provider or (vcenter.key_providers[0] if vcenter.key_providers else None)
    if provider is None:
        raise task_error(
            f"Cannot create a TPM device for VM '{vm_name}': no key provider is "
            f"configured on vCenter Server '{vcenter.name}'."
        )
    return provider.name


def check_carry(inv: Inventory, vm: SimVm, vdc: SimVdc, shared_storage: bool = True) -> None:
    """A vTPM carried to another vCenter needs its key provider there (by name) and, unless
    exempt (moveVApp), a shared datastore or fast cross-vCenter instantiation."""
    if vm.tpm is None or vm.vcenter == vdc.vcenter:
        return
    target = inv.vcenters[vdc.vcenter]
    if not any(kp.name == vm.key_provider for kp in target.key_providers):
        raise task_error(
            f"The key provider '{vm.key_provider}' of VM '{vm.name}' is not "
            f"registered on the target vCenter Server '{target.name}'."
        )
    if shared_storage and not inv.fast_cross_vcenter_instantiation and not _shared(inv, vm, target):
        raise task_error(
            f"Cannot place VM '{vm.name}' with a TPM device on vCenter Server "
            f"'{target.name}': no datastore is shared with its source and fast "
            f"cross vCenter Server instantiation is not enabled."
        )


def _shared(inv: Inventory, vm: SimVm, target: SimVCenter) -> bool:
    source = inv.vcenters[vm.vcenter].datastore(vm.datastore)
    return source is not None and any(d.url == source.url for d in target.datastores)


def clone_vm(inv: Inventory, vm: SimVm, vdc: SimVdc, mode: str, explicit: bool = False) -> SimVm:
    """A powered-off copy of `vm` on the VDC's vCenter and datastore, not yet placed.
    `explicit` means the caller asked for ReplaceTpm (refused by a 7.x vCenter)."""
    target = inv.vcenters[vdc.vcenter]
    copy = SimVm(
        vm.name,
        vm.guest_os,
        target.name,
        vdc.datastore,
        target.next_moref(),
        firmware=vm.firmware,
        hardware_version=vm.hardware_version,
    )
    if vm.tpm is None:
        return copy
    if mode == REPLACE:
        if explicit and major(target) < 8:
            raise task_error(
                f"Replacing the TPM device of VM '{vm.name}' is not supported on "
                f"vCenter Server '{target.name}' version {target.version}; it "
                f"requires vCenter Server 8.0 or later."
            )
        copy.tpm, copy.key_provider = SimVTpm.fresh(), default_key_provider(target, vm.name)
        copy.key_id = new_id()
        return copy
    check_carry(inv, vm, vdc)
    copy.tpm, copy.key_provider, copy.key_id = vm.tpm.copy(), vm.key_provider, vm.key_id
    return copy


def relocate(inv: Inventory, vm: SimVm, vdc: SimVdc, shared_storage: bool = True) -> None:
    """Move `vm` (the same object, the same vTPM) onto the VDC's vCenter and datastore."""
    if vm.vcenter != vdc.vcenter:
        check_carry(inv, vm, vdc, shared_storage)
        vm.vcenter, vm.moref = vdc.vcenter, inv.vcenters[vdc.vcenter].next_moref()
    vm.datastore = vdc.datastore


def new_vm(inv: Inventory, spec: VmSpec, vdc: SimVdc) -> SimVm:
    target = inv.vcenters[vdc.vcenter]
    vm = SimVm(
        spec.name,
        spec.guest_os,
        target.name,
        vdc.datastore,
        target.next_moref(),
        firmware=spec.firmware,
        hardware_version=spec.hardware_version,
    )
    if spec.tpm:
        check_tpm_addable(vm)
        vm.tpm, vm.key_provider = SimVTpm.fresh(), default_key_provider(target, vm.name)
        vm.key_id = new_id()
    return vm


def check_tpm_addable(vm: SimVm) -> None:
    if vm.tpm is not None:
        raise task_error(f"VM '{vm.name}' already has a TPM device; a VM can have only one.")
    if vm.power != Power.OFF:
        raise task_error(f"A TPM device can be added to VM '{vm.name}' only when it is powered off.", "BUSY_ENTITY")
    if vm.firmware != Firmware.EFI:
        raise task_error(f"A TPM device requires EFI firmware; VM '{vm.name}' uses BIOS.")
    if vm.hardware_version < 14:
        raise task_error(
            f"A TPM device requires hardware version 14 or later; VM '{vm.name}' has vmx-{vm.hardware_version}."
        )


def place_in_vapp(inv: Inventory, vm: SimVm, vapp: SimVApp) -> SimVm:
    """Register a VM (new or moved) as a member of `vapp`."""
    if vm.vapp is not None and vm.vapp in inv.vapps and vm.id in inv.vapps[vm.vapp].vms:
        inv.vapps[vm.vapp].vms.remove(vm.id)
    vm.vapp, vm.template = vapp.id, None
    vapp.vms.append(vm.id)
    inv.vms[vm.id] = vm
    return vm


def new_vapp(inv: Inventory, name: str, vdc: SimVdc, vapp_id: str | None = None) -> SimVApp:
    vapp = SimVApp(name, vdc.org, vdc.id, id=vapp_id or new_id())
    inv.vapps[vapp.id] = vapp
    return vapp
