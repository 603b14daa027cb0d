"""World VMs whose vTPM is a copy of another's (`tpm_copy_of`): the same endorsement key and secrets.

A copied vTPM (copy_vm, copy_vapp, a capture with copy, an import...) keeps its endorsement-key
certificate and NVRAM, so its identity. A world file says which VMs already hold such copies;
the copies are resolved once every VM of the world is built."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.sim.inventory import Inventory, SimVm
from vcdtpm.sim.world.checks import at, object_id
from vcdtpm.sim.world.errors import WorldError

FIELD = "tpm_copy_of"


@dataclass(frozen=True)
class PendingCopy:
    vm: SimVm
    original: str  # id of the VM whose vTPM it copies
    path: str  # the VM's path in the world file


def pending(vm: SimVm, raw: dict, path: str) -> PendingCopy | None:
    """The copy a VM's `tpm_copy_of` asks for (checked later), or None."""
    if FIELD not in raw:
        return None
    original = object_id(raw[FIELD], at(path, FIELD))
    if vm.tpm is None:
        raise WorldError(at(path, FIELD), "only a VM with a vTPM (tpm: true) can hold a copy of another's")
    return PendingCopy(vm, original, at(path, FIELD))


def resolve(inv: Inventory, copies: list[PendingCopy]) -> None:
    """Give every copy the endorsement-key certificate and NVRAM of its original."""
    copying = {c.vm.id for c in copies}
    for copy in copies:
        original = inv.vms.get(copy.original)
        if original is None:
            raise WorldError(copy.path, f"no VM with id {copy.original} in this world")
        if original.id == copy.vm.id:
            raise WorldError(copy.path, "a VM cannot hold a copy of its own vTPM")
        if original.id in copying:
            raise WorldError(copy.path, f"VM '{original.name}' is itself a copy: name the original VM")
        if original.tpm is None:
            raise WorldError(copy.path, f"VM '{original.name}' has no vTPM to copy")
        assert copy.vm.tpm is not None  # pending() accepts only VMs with a vTPM
        copy.vm.tpm = original.tpm.copy()
