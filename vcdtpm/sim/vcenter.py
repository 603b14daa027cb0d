"""The simulated vCenter: the VCenter port answered from the shared inventory."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from vcdtpm.domain.errors import BackendError, Invalid, NotFound
from vcdtpm.domain.model import Datastore, Firmware, Host, VCenterFacts, VmFacts
from vcdtpm.ports import TpmBackup, VCenter
from vcdtpm.sim.inventory import Inventory, SimVCenter, SimVm, SimVTpm
from vcdtpm.sim.vcd.ids import resource_pool_moref

TPM_DEVICE_KEY = 11000  # the device key vSphere gives a VirtualTPM


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
            return VCenterFacts(
                name=vc.name,
                version=vc.version,
                key_providers=tuple(vc.key_providers),
                hosts=tuple(vc.hosts),
                datastores=tuple(vc.datastores),
                clone_tpm_policy=vc.clone_tpm_policy,
            )

    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        wanted = set(morefs)
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            return {vm.moref: _facts(vm, vc) for vm in self.inventory.vcenter_vms(self.name) if vm.moref in wanted}

    def tpm_identities(self) -> dict[str, str]:
        """Every vTPM VM's identity by moref, in one round trip (one container-view retrieval)."""
        with self.inventory.lock:
            self.round_trips += 1
            self._vcenter()
            return {vm.moref: vm.tpm.identity for vm in self.inventory.vcenter_vms(self.name) if vm.tpm is not None}

    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        """The hosts of the cluster that owns a resource pool (a VDC's), None for an unknown pool."""
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            vdc = next(
                (
                    v
                    for v in self.inventory.vdcs.values()
                    if v.vcenter == vc.name and resource_pool_moref(v.id) == resource_pool
                ),
                None,
            )
            if vdc is None:
                return None
            return tuple(h for h in vc.hosts if vdc.hosts is None or h.name in vdc.hosts)

    def find_vm(self, name: str) -> VmFacts | None:
        """A VM that Cloud Director does not manage yet (the ones import can take), by name."""
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            for vm in self.inventory.vcenter_vms(self.name):
                if vm.name == name and vm.vapp is None and vm.template is None:
                    return _facts(vm, vc)
            return None

    def backup_vtpm(self, moref: str) -> TpmBackup:
        """What the backup recipe reads from configInfo, and the NVRAM file as downloaded."""
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            vm = next((v for v in self.inventory.vcenter_vms(vc.name) if v.moref == moref), None)
            if vm is None:
                raise NotFound(kind="VM", id=moref)
            if vm.tpm is None or vm.key_id is None or vm.key_provider is None:
                raise Invalid("vm", f"{vm.name} has no vTPM to back up")
            return TpmBackup(
                vm_name=vm.name,
                guest_os=vm.guest_os,
                hardware_version=vm.hardware_version,
                firmware=vm.firmware.value,
                key_provider=vm.key_provider,
                key_id=vm.key_id,
                encryption_bundle=vm.encryption_bundle or "",
                tpm_device=_tpm_device(vm.tpm),
                nvram=bytes(vm.tpm.nvram),
                identity=vm.tpm.identity,
            )

    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        """A new vCenter-only VM with the backup's keyId, bundle, firmware, vTPM device and NVRAM;
        refused as vSphere would refuse the reconfiguration or the creation."""
        with self.inventory.lock:
            self.round_trips += 1
            vc = self._vcenter()
            store = self._restore_checks(vc, backup, name, datastore)
            vm = SimVm(
                name=name,
                guest_os=backup.guest_os,
                vcenter=vc.name,
                datastore=store.name,
                moref=vc.next_moref(),
                firmware=Firmware.EFI,
                hardware_version=backup.hardware_version,
                tpm=SimVTpm(ek_cert=_ek_cert(backup.tpm_device, self.name), nvram=bytes(backup.nvram)),
                key_provider=backup.key_provider,
                key_id=backup.key_id,
                storage_policy=vc.encryption_policy,
            )
            if vm.encryption_bundle != backup.encryption_bundle:
                raise self._refused("the encryption.bundle does not match the keyId")
            self.inventory.vms[vm.id] = vm
            return _facts(vm, vc)

    def _restore_checks(self, vc: SimVCenter, backup: TpmBackup, name: str, datastore: str | None) -> Datastore:
        if not any(kp.name == backup.key_provider for kp in vc.key_providers):
            raise self._refused(
                f"key provider {backup.key_provider} is not registered, so key {backup.key_id} cannot be retrieved"
            )
        if backup.firmware != Firmware.EFI.value:
            raise self._refused("a VirtualTPM device needs EFI firmware")
        if vc.encryption_policy is None:
            raise self._refused("no encryption storage policy (vmwarevmcrypt) exists to assign to the VM")
        if any(vm.name == name for vm in self.inventory.vcenter_vms(vc.name)):
            raise self._refused(f"a VM named {name} already exists")
        store = vc.datastore(datastore) if datastore else (vc.datastores[0] if vc.datastores else None)
        if store is None:
            raise NotFound(kind="Datastore", id=datastore or "(any)")
        return store

    def _refused(self, reason: str) -> BackendError:
        return BackendError(backend=f"vCenter {self.name}", reason=reason)

    def _vcenter(self) -> SimVCenter:
        vc = self.inventory.vcenters.get(self.name)
        if vc is None:
            raise NotFound(kind="vCenter", id=self.name)
        return vc


def _facts(vm: SimVm, vc: SimVCenter) -> VmFacts:
    """What vSphere tells about one VM; it knows nothing of Cloud Director URNs."""
    store = vc.datastore(vm.datastore)
    return VmFacts(
        name=vm.name,
        guest_os=vm.guest_os,
        firmware=vm.firmware,
        hardware_version=vm.hardware_version,
        power=vm.power,
        tpm_present=vm.tpm is not None,
        vcenter=vc.name,
        moref=vm.moref,
        datastore_url=store.url if store else None,
        key_provider=vm.key_provider,
        tpm_identity=vm.tpm.identity if vm.tpm else None,
    )


def _tpm_device(tpm: SimVTpm) -> dict:
    """The VirtualTPM device as the backup keeps it: JSON-safe, certificates in base64."""
    return {
        "key": TPM_DEVICE_KEY,
        "endorsement_key_certificate": [base64.b64encode(tpm.ek_cert).decode("ascii")],
        "endorsement_key_certificate_signing_request": [],
    }


def _ek_cert(device: dict, vcenter: str) -> bytes:
    try:
        return base64.b64decode(device["endorsement_key_certificate"][0], validate=True)
    except (KeyError, IndexError, TypeError, binascii.Error):
        raise BackendError(
            backend=f"vCenter {vcenter}", reason="the VirtualTPM device carries no endorsement key certificate"
        ) from None


def simulated_vcenters(inventory: Inventory) -> dict[str, SimulatedVCenter]:
    """One SimulatedVCenter per vCenter of the inventory, by name."""
    with inventory.lock:
        return {name: SimulatedVCenter(inventory, name) for name in inventory.vcenters}
