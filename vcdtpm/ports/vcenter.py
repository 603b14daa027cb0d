"""The VCenter port: one vCenter's facts, and vTPM backup and restore on it."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from vcdtpm.domain.model import Host, VCenterFacts, VmFacts


@dataclass(frozen=True)
class TpmBackup:
    """What the vSphere backup recipe saves for a vTPM VM (docs/RULES.md, backup): the keyId,
    the `encryption.bundle` extraConfig, the firmware, the VirtualTPM device and
    the NVRAM file, plus what is needed to re-create the VM."""

    vm_name: str
    guest_os: str
    hardware_version: int
    firmware: str
    key_provider: str
    key_id: str
    encryption_bundle: str
    tpm_device: dict  # JSON-safe: endorsement key certificates (base64) and device key
    nvram: bytes
    identity: str  # "sha256:<hex>" of the EK certificate


class VCenter(abc.ABC):
    """One vCenter, read with the provider's account.

    Guarantees: answers carry domain types only; vSphere faults are translated
    into `BackendUnavailable` / `BackendError` / `NotFound` at the boundary;
    `vm_facts` costs one round trip whatever the number of VMs.
    """

    name: str

    @abc.abstractmethod
    def facts(self) -> VCenterFacts:
        """Version, key providers, hosts' TPMs, datastores and the clone policy."""

    @abc.abstractmethod
    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        """For many VMs at once: firmware, hardware version, guest id, power,
        key provider and the vTPM identity, keyed by moref. Unknown morefs are
        left out."""

    @abc.abstractmethod
    def tpm_identities(self) -> dict[str, str]:
        """The vTPM identity ("sha256:<hex>" of the endorsement-key certificate) of every VM of
        this vCenter that has one, keyed by moref: one retrieval for the whole vCenter."""

    @abc.abstractmethod
    def find_vm(self, name: str) -> VmFacts | None:
        """A VM of this vCenter by name (for import), or None."""

    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        """The hosts of the cluster owning a resource pool (where a VDC's VMs run), with their
        TPMs; None when the pool is not known here."""
        return None

    def backup_vtpm(self, moref: str) -> TpmBackup:
        """Read a vTPM VM's keyId, encryption.bundle, firmware, VirtualTPM device
        and download its NVRAM file over the HTTP file service (`/folder`).
        `NotFound` for an unknown VM, `Invalid` for a VM without a vTPM."""
        raise NotImplementedError

    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        """Create a VM with the backup's keyId and bundle, firmware and vTPM
        device, upload its NVRAM, and answer its facts (identity included).
        `BackendError` when this vCenter lacks the backup's key provider."""
        raise NotImplementedError
