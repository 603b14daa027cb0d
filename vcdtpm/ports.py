"""Ports: what the service needs from Cloud Director and from each vCenter, in domain terms."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from vcdtpm.domain.model import Host, TemplateFacts, VCenterFacts, VmFacts


@dataclass(frozen=True)
class Session:
    """A Cloud Director session: the caller's own token and who it belongs to."""

    token: str
    org: str
    user: str
    provider: bool


@dataclass(frozen=True)
class VdcRecord:
    id: str
    name: str
    org: str


@dataclass(frozen=True)
class VAppRecord:
    id: str
    name: str
    vdc: str  # URN of the VDC holding it
    vms: tuple[VmFacts, ...]


@dataclass(frozen=True)
class CatalogRecord:
    id: str
    name: str
    org: str
    vdc: str | None  # URN of the VDC whose storage holds its templates


@dataclass(frozen=True)
class TemplateRecord:
    facts: TemplateFacts
    catalog: str  # URN of the catalog
    vdc: str | None  # URN of the VDC whose storage holds its VMs


@dataclass(frozen=True)
class VmRecord:
    facts: VmFacts
    vapp: str | None  # URN of the vApp holding it, None for a template VM
    vdc: str | None


@dataclass(frozen=True)
class VdcLocation:
    """Provider-only: which vCenter and datastore back a VDC."""

    vcenter: str
    datastore_url: str | None
    resource_pool: str | None = None  # moref of the resource pool backing it (its cluster's)


@dataclass(frozen=True)
class TaskState:
    """A Cloud Director task as last read: `status` is vCD's (queued, preRunning,
    running, success, error, aborted, canceled); `result` holds the URNs of what
    the task made, keyed `vm` / `vapp` / `template`."""

    href: str
    status: str
    progress: int = 0
    error: str | None = None
    result: dict | None = None

    @property
    def done(self) -> bool:
        return self.status in ("success", "error", "aborted", "canceled")


class CloudDirector(abc.ABC):
    """Cloud Director as the service sees it.

    Tenant reads take the caller's `Session` and go to Cloud Director with the
    caller's own token, so Cloud Director's RBAC and org isolation apply: an
    object of another org raises `NotFound`, exactly like a missing one.
    Methods named `locate_*` and `provider_*` use the service's own provider
    account; they return provider-only facts and are never used to act.
    Every method raises `Unauthorized` for a bad token, `NotFound` for a
    missing/foreign object and `BackendUnavailable` when Cloud Director cannot
    be reached. No method returns SDK or XML objects.
    """

    @abc.abstractmethod
    def login(self, user: str, org: str, password: str) -> Session:
        """Open a session with Basic `user@org:password`; `Unauthorized` on failure."""

    @abc.abstractmethod
    def whoami(self, token: str) -> Session:
        """Resolve a token (Bearer JWT or x-vcloud-authorization) to its session."""

    @abc.abstractmethod
    def get_vm(self, session: Session, urn: str) -> VmRecord:
        """A VM the caller can see, tenant facts only (no vCenter, key provider)."""

    @abc.abstractmethod
    def get_vapp(self, session: Session, urn: str) -> VAppRecord:
        """A vApp the caller can see, with its VMs (tenant facts only)."""

    @abc.abstractmethod
    def get_vdc(self, session: Session, urn: str) -> VdcRecord:
        """A VDC the caller can see."""

    @abc.abstractmethod
    def get_catalog(self, session: Session, urn: str) -> CatalogRecord:
        """A catalog the caller can see."""

    @abc.abstractmethod
    def get_template(self, session: Session, urn: str) -> TemplateRecord:
        """A vApp template the caller can see, with provenance and VMs."""

    @abc.abstractmethod
    def locate_vms(self, urns: Sequence[str]) -> dict[str, VmFacts]:
        """Provider-only: for each VM URN, its facts with `vcenter`, `moref` and
        `datastore_url` filled in. One request for all of them, not one per VM.
        Unknown URNs are left out of the answer."""

    @abc.abstractmethod
    def locate_vdc(self, urn: str) -> VdcLocation:
        """Provider-only: the vCenter and datastore backing a VDC."""

    @abc.abstractmethod
    def provider_vcenter_names(self) -> list[str]:
        """Provider-only: the names of the vCenters registered in Cloud Director."""

    @abc.abstractmethod
    def fast_cross_vcenter_instantiation(self) -> bool:
        """Provider-only: whether fast cross-vCenter vApp instantiation is on."""

    # -- acting (with the caller's token) ---------------------------------------
    @abc.abstractmethod
    def start(self, session: Session, kind: str, params: dict, request_id: str) -> str:
        """Send the Cloud Director request for one step (`kind` is an operation
        name or `edit_tpm`) and return the href of the Task it answered with.
        `request_id` goes out as X-VMWARE-VCLOUD-CLIENT-REQUEST-ID so that
        `find_task` can re-attach after a crash. Raises `BackendError` when Cloud
        Director refuses the request outright."""

    @abc.abstractmethod
    def task(self, session: Session, href: str) -> TaskState:
        """Read a task's status, progress, error and the URNs it produced."""

    @abc.abstractmethod
    def find_task(self, session: Session, request_id: str) -> str | None:
        """The href of the task started with `request_id`, or None if Cloud
        Director never received that request."""


@dataclass(frozen=True)
class TpmBackup:
    """What the vSphere backup recipe saves for a vTPM VM (seed 000): the keyId,
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
