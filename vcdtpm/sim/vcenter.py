"""The simulated vCenter: the VCenter port answered from the shared inventory."""
from __future__ import annotations

from typing import Sequence

from vcdtpm.domain.errors import NotFound
from vcdtpm.domain.model import VCenterFacts, VmFacts
from vcdtpm.ports import VCenter
from vcdtpm.sim.inventory import Inventory, SimVCenter, SimVm


class SimulatedVCenter(VCenter):
    """One vCenter of the simulated cloud, read in-process.

    Every call counts as one round trip (`round_trips`), as it would over the
    vSphere API: `vm_facts` answers any number of VMs with a single one.
    """

    def __init__(self, inventory: Inventory, name: str):
        if name not in inventory.vcenters:
            raise NotFound(kind="vCenter", id=name)
        self.inventory = inventory
        self.name = name
        self.round_trips = 0

    def facts(self) -> VCenterFacts:
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            return VCenterFacts(name=vc.name, version=vc.version, key_providers=tuple(vc.key_providers),
                                hosts=tuple(vc.hosts), datastores=tuple(vc.datastores),
                                clone_tpm_policy=vc.clone_tpm_policy)

    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        wanted = set(morefs)
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            return {vm.moref: _facts(vm, vc) for vm in self.inventory.vcenter_vms(self.name)
                    if vm.moref in wanted}

    def find_vm(self, name: str) -> VmFacts | None:
        """A VM that Cloud Director does not manage yet (the ones import can take), by name."""
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            for vm in self.inventory.vcenter_vms(self.name):
                if vm.name == name and vm.vapp is None and vm.template is None:
                    return _facts(vm, vc)
            return None

    def _vcenter(self) -> SimVCenter:
        vc = self.inventory.vcenters.get(self.name)
        if vc is None:
            raise NotFound(kind="vCenter", id=self.name)
        return vc


def _facts(vm: SimVm, vc: SimVCenter) -> VmFacts:
    """What vSphere tells about one VM; it knows nothing of Cloud Director URNs."""
    store = vc.datastore(vm.datastore)
    return VmFacts(
        name=vm.name, guest_os=vm.guest_os, firmware=vm.firmware, hardware_version=vm.hardware_version,
        power=vm.power, tpm_present=vm.tpm is not None, vcenter=vc.name, moref=vm.moref,
        datastore_url=store.url if store else None, key_provider=vm.key_provider,
        tpm_identity=vm.tpm.identity if vm.tpm else None)


def simulated_vcenters(inventory: Inventory) -> dict[str, SimulatedVCenter]:
    """One SimulatedVCenter per vCenter of the inventory, by name."""
    with inventory.lock:
        return {name: SimulatedVCenter(inventory, name) for name in inventory.vcenters}
