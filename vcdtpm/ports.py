"""Ports: what the use cases need from Cloud Director, each vCenter, the journal and the backup store."""

from __future__ import annotations

import abc
import builtins
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from vcdtpm.domain.errors import Conflict
from vcdtpm.domain.model import Host, TemplateFacts, VCenterFacts, VmFacts
from vcdtpm.domain.steps import StepSpec


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


@dataclass(frozen=True)
class StepIntent:
    """What the journal knows of a step that may have been sent: its kind, its params and
    when it was first issued; enough to find its task by what Cloud Director records."""

    kind: str
    params: dict
    since: datetime | None = None


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
        name or `edit_tpm`) and return what to follow with `task`: the href of the
        Task it answered with, or of the new entity whose Tasks carry it.
        `request_id` goes out as X-VMWARE-VCLOUD-CLIENT-REQUEST-ID (log correlation
        only). Raises `BackendError` when Cloud Director refuses the request outright."""

    @abc.abstractmethod
    def task(self, session: Session, href: str) -> TaskState:
        """Read a task's status, progress, error and the URNs it produced (`href` is
        a task's or an entity's, as `start` answered)."""

    @abc.abstractmethod
    def find_task(self, session: Session, request_id: str, intent: StepIntent | None = None) -> str | None:
        """The href of the task of a step that may have been sent (`intent` says
        what it was), or None if Cloud Director never received that request."""


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


@dataclass(frozen=True)
class StoredBackup:
    """One bundle: what the vCenter saved, where it came from, and whether it still verifies."""

    id: str
    vm: str  # URN of the backed-up VM
    vcenter: str
    created_at: str  # ISO 8601, UTC
    backup: TpmBackup
    checksum: str  # "sha256:<hex>" over the canonical payload
    size: int  # bytes of the bundle file
    intact: bool = True  # the checksum verifies and the bundle is where its id says


class BackupStore(Protocol):
    """Where vTPM backups are kept: each bundle written whole or not at all, and verified when read back."""

    def save(self, vm: str, vcenter: str, backup: TpmBackup) -> StoredBackup:
        """Store a new bundle under a fresh id."""

    def load(self, backup_id: str) -> StoredBackup:
        """The bundle with this id (`NotFound` if none); `intact` says whether it still verifies."""

    def list(self) -> builtins.list[StoredBackup]:
        """Every bundle, newest first."""


@dataclass(frozen=True)
class Failure:
    """Why a step, and so its operation, failed: what failed, and the reason Cloud Director gave."""

    summary: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"summary": self.summary, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        """From the journal; records written before this type carry `title` / `detail`."""
        return cls(str(data.get("summary", data.get("title", ""))), str(data.get("reason", data.get("detail", ""))))


class OperationStatus(enum.StrEnum):
    """Where an operation is: queued until a worker claims it, then running until it ends."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (OperationStatus.SUCCEEDED, OperationStatus.FAILED)


class StepStatus(enum.StrEnum):
    """A step's lifecycle: `issuing` is journaled before its request leaves, `running` once its task is known."""

    PENDING = "pending"
    ISSUING = "issuing"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class StepView:
    """A step as recorded: `issuing` means a backend request may have been sent without a task yet."""

    index: int
    name: str
    kind: str
    params: dict[str, Any]
    status: StepStatus
    task: str | None
    progress: int
    result: dict[str, Any] | None
    error: Failure | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class OperationView:
    """An operation as recorded, with its steps; the caller's token is never part of it."""

    id: str
    org: str
    user: str
    operation: str
    status: OperationStatus
    progress: int
    steps: tuple[StepView, ...]
    result: dict[str, Any] | None
    error: Failure | None
    plan: dict[str, Any]
    request: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    owner: str | None
    lease_expires: datetime | None


class LeaseLost(Conflict):
    """The worker no longer holds the operation's lease; it must stop acting on it."""

    slug = "lease-lost"
    template = "Operation {op_id} is no longer leased to {worker}."

    def __init__(self, op_id: str, worker: str):
        super().__init__(op_id=op_id, worker=worker)
        self.op_id = op_id
        self.worker = worker


class Journal(Protocol):
    """The durable record of operations and their steps, shared by every replica.

    Guarantees: one operation per (org, idempotency key, request); a step moves
    only forward (pending -> issuing -> running -> succeeded | failed) and only
    for the worker holding the operation's lease (`LeaseLost` otherwise); the
    caller's token is kept only until the operation ends.
    """

    def create(
        self,
        *,
        org: str,
        user: str,
        operation: str,
        request: dict[str, Any],
        plan: dict[str, Any],
        steps: builtins.list[StepSpec],
        idempotency_key: str | None,
        token: str,
    ) -> tuple[OperationView, bool]:
        """A new queued operation, or the one this key already names (created: False)."""

    def find(
        self, *, org: str, idempotency_key: str | None, operation: str, request: dict[str, Any]
    ) -> OperationView | None:
        """The operation this key already names for this very request, or None."""

    def get(self, op_id: str, org: str) -> OperationView | None: ...

    def list(self, org: str, limit: int = 100) -> builtins.list[OperationView]: ...

    def token_of(self, op_id: str) -> str | None:
        """The token the operation acts with, while it has not ended."""

    def claim(self, worker: str, lease_seconds: float) -> OperationView | None:
        """Lease one queued or abandoned operation to `worker`, or None."""

    def renew(self, op_id: str, worker: str, lease_seconds: float) -> bool: ...

    def step_issuing(self, op_id: str, index: int, worker: str) -> None: ...

    def step_attached(self, op_id: str, index: int, worker: str, task: str) -> None: ...

    def step_progress(self, op_id: str, index: int, worker: str, progress: int) -> None: ...

    def step_succeeded(self, op_id: str, index: int, worker: str, result: dict) -> None: ...

    def step_failed(self, op_id: str, index: int, worker: str, error: Failure) -> None: ...

    def finish(
        self, op_id: str, worker: str, status: OperationStatus, result: dict | None, error: Failure | None
    ) -> None: ...

    def close(self) -> None: ...
