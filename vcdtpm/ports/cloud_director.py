"""The CloudDirector port: sessions, the records it reads, tasks, and the steps it starts."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vcdtpm.domain.model import TemplateFacts, VmFacts


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
class PlacedVm:
    """Provider-only: a VM of a vApp as Cloud Director records it, with its org and where it lives
    on its vCenter (`vcenter` and `moref` None when Cloud Director does not say)."""

    id: str  # URN
    name: str
    org: str  # the org's name
    vapp: str | None  # URN of the vApp holding it
    vcenter: str | None
    moref: str | None


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

    def rights(self, session: Session) -> frozenset[str] | None:
        """The names of the Cloud Director rights the session's roles hold (`rights` of each role of
        the session); None when this Cloud Director cannot tell."""
        return None

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
    def provider_vms(self) -> list[PlacedVm]:
        """Provider-only: every VM of every vApp in the cloud (template VMs left out), with its
        org, vCenter and moref. A few paged queries for all of them, never one per VM."""

    @abc.abstractmethod
    def visible_vms(self, session: Session) -> set[str]:
        """The URNs of the vApp VMs the caller can see, read with the caller's own token (so
        Cloud Director's RBAC decides). A few paged queries, never one per VM."""

    @abc.abstractmethod
    def locate_vdc(self, urn: str) -> VdcLocation:
        """Provider-only: the vCenter and datastore backing a VDC."""

    @abc.abstractmethod
    def provider_vcenter_names(self) -> list[str]:
        """Provider-only: the names of the vCenters registered in Cloud Director."""

    @abc.abstractmethod
    def fast_cross_vcenter_instantiation(self) -> bool:
        """Provider-only: whether fast cross-vCenter vApp instantiation is on."""

    def refresh(self) -> None:
        """Forget every kept answer (provider facts, a session's reads of slow-changing objects),
        so that the next reads go to Cloud Director. An adapter that keeps nothing does nothing."""
        return None

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
