"""Who shares a vTPM's secrets: VMs grouped by vTPM identity, across the cloud, with how the copies came about.

A copied vTPM keeps its endorsement-key certificate, and so its identity ("sha256:<hex>" of the certificate,
as `GET /api/v1/vms/{id}/tpm` shows it): VMs with one identity can read each other's sealed secrets. The
facts are the provider's: one census of Cloud Director's vApp VMs (org, vCenter, moref) and one identity
read per vCenter, never one call per VM. A tenant sees the groups its own VMs are in, those VMs named, and
only a count of the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vcdtpm.domain.errors import Forbidden
from vcdtpm.domain.model import PlanInput
from vcdtpm.ports import CloudDirector, Journal, OperationStatus, OperationView, PlacedVm, Session, VCenter

# Operations whose result can carry an existing vTPM (a copy of its identity).
CARRYING = frozenset(
    {
        "copy_vm",
        "move_vm",
        "copy_vapp",
        "move_vapp",
        "instantiate_vapp_template",
        "create_vm_from_template",
        "add_vm_from_template",
        "compose_vapp",
        "import_vm_as_vapp",
    }
)
LINEAGE_DEPTH = 100  # operations read from the journal per org


@dataclass(frozen=True)
class Member:
    """A VM of a group; `org` and `vcenter` are None for a tenant."""

    id: str
    name: str
    org: str | None = None
    vcenter: str | None = None


@dataclass(frozen=True)
class LineageStep:
    """An operation vcdtpm ran that made a member of the group (its result is a member or a member's vApp)."""

    operation: str
    operation_id: str
    time: str
    user: str
    org: str | None
    source: dict
    result: str


@dataclass(frozen=True)
class IdentityGroup:
    identity: str
    vms: tuple[Member, ...]
    others: int
    lineage: tuple[LineageStep, ...] = ()

    @property
    def size(self) -> int:
        return len(self.vms) + self.others


@dataclass(frozen=True)
class Holder:
    """A vApp VM and the identity of its vTPM, as the census found it."""

    vm: PlacedVm
    identity: str


class TpmIdentities:
    """The identity audit, the count a metrics gauge needs, and which group a re-keyed VM leaves."""

    def __init__(self, cloud: CloudDirector, vcenters: Mapping[str, VCenter], journal: Journal | None = None):
        self.cloud, self.vcenters, self.journal = cloud, vcenters, journal
        self._lock = threading.Lock()
        self._per_org: tuple[float, dict[str, int]] | None = None

    # -- the census -----------------------------------------------------------
    def census(self) -> dict[str, list[Holder]]:
        """identity -> the vApp VMs holding it: one Cloud Director census, one read per vCenter."""
        placed = self.cloud.provider_vms()
        identities: dict[str, dict[str, str]] = {}
        for name in sorted({vm.vcenter for vm in placed if vm.vcenter}):
            port = self.vcenters.get(name)
            identities[name] = port.tpm_identities() if port is not None else {}
        groups: dict[str, list[Holder]] = {}
        for vm in placed:
            identity = identities.get(vm.vcenter or "", {}).get(vm.moref or "")
            if identity is not None:
                groups.setdefault(identity, []).append(Holder(vm, identity))
        return groups

    # -- the audit ------------------------------------------------------------
    def groups(
        self, session: Session, shared: bool = False, org: str | None = None, vcenter: str | None = None
    ) -> list[IdentityGroup]:
        """The caller's groups, largest first. `shared`: only groups of two VMs or more; `org`,
        `vcenter` (provider only): groups with a member there (every member is listed)."""
        if not session.provider:
            for name, value in (("org", org), ("vcenter", vcenter)):
                if value:
                    raise Forbidden(
                        f"The {name} filter is for the provider (System org); a tenant sees its own VMs.", field=name
                    )
        census = self.census()
        if session.provider:
            found = [self._provider_group(i, h) for i, h in census.items() if _touches(h, org, vcenter)]
        else:
            visible = self.cloud.visible_vms(session)
            found = [g for i, h in census.items() if (g := _tenant_group(i, h, visible)) is not None]
        if shared:
            found = [g for g in found if g.size >= 2]
        found = self._with_lineage(session, found, census)
        return sorted(found, key=lambda g: (-g.size, g.identity))

    @staticmethod
    def _provider_group(identity: str, holders: list[Holder]) -> IdentityGroup:
        members = tuple(Member(h.vm.id, h.vm.name, h.vm.org, h.vm.vcenter) for h in _ordered(holders))
        return IdentityGroup(identity, members, 0)

    def _with_lineage(
        self, session: Session, found: list[IdentityGroup], census: dict[str, list[Holder]]
    ) -> list[IdentityGroup]:
        """Each group with the operations (read from the journal) that made its members."""
        if self.journal is None or not found:
            return found
        orgs = {session.org}
        if session.provider:
            orgs |= {m.org for g in found for m in g.vms if m.org}
        operations = [op for name in sorted(orgs) for op in self.journal.list(name, LINEAGE_DEPTH)]
        return [replace(g, lineage=_lineage(g, census[g.identity], operations, session.provider)) for g in found]

    # -- for a gauge and for plans --------------------------------------------
    def shared_per_org(self, max_age: float = 60.0) -> dict[str, int]:
        """Per org, how many identities its VMs share with another VM (of any org): the provider's
        facts, for a metrics gauge; orgs without any shared identity are left out. A census costs
        Cloud Director and every vCenter a read, so one is reused for `max_age` seconds."""
        with self._lock:
            if self._per_org is None or time.monotonic() - self._per_org[0] > max_age:
                self._per_org = (time.monotonic(), _shared_per_org(self.census()))
            return dict(self._per_org[1])

    def with_peers(self, inp: PlanInput) -> PlanInput:
        """The plan input with, for each subject that has a vTPM identity, how many other VMs share it."""
        if not any(s.vm.tpm_identity for s in inp.subjects):
            return inp
        census = self.census()
        subjects = tuple(
            replace(s, identity_peers=_peers(census.get(s.vm.tpm_identity, []), s.vm.id)) if s.vm.tpm_identity else s
            for s in inp.subjects
        )
        return replace(inp, subjects=subjects)


def _shared_per_org(census: dict[str, list[Holder]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for holders in census.values():
        if len(holders) >= 2:
            for org in {h.vm.org for h in holders}:
                counts[org] = counts.get(org, 0) + 1
    return dict(sorted(counts.items()))


def _peers(holders: list[Holder], vm: str | None) -> int:
    return sum(1 for h in holders if h.vm.id != vm)


def _ordered(holders: Iterable[Holder]) -> list[Holder]:
    return sorted(holders, key=lambda h: (h.vm.org, h.vm.name, h.vm.id))


def _touches(holders: list[Holder], org: str | None, vcenter: str | None) -> bool:
    in_org = org is None or any(h.vm.org == org for h in holders)
    return in_org and (vcenter is None or any(h.vm.vcenter == vcenter for h in holders))


def _tenant_group(identity: str, holders: list[Holder], visible: set[str]) -> IdentityGroup | None:
    """The group as a tenant sees it: its own VMs named, the others only counted; None if it has none."""
    own = [h for h in _ordered(holders) if h.vm.id in visible]
    if not own:
        return None
    return IdentityGroup(identity, tuple(Member(h.vm.id, h.vm.name) for h in own), len(holders) - len(own))


def _lineage(
    group: IdentityGroup, holders: list[Holder], operations: list[OperationView], provider: bool
) -> tuple[LineageStep, ...]:
    """The succeeded operations whose result is a member of the group, or a vApp holding one, oldest first.
    A tenant's group only looks at results among the members it sees."""
    shown = {m.id for m in group.vms}
    members = {h.vm.id for h in holders if h.vm.id in shown}
    vapps = {h.vm.vapp for h in holders if h.vm.id in shown and h.vm.vapp}
    steps = []
    for op in operations:
        if op.status is not OperationStatus.SUCCEEDED or op.operation not in CARRYING:
            continue
        made = next((u for u in _results(op) if u in members or u in vapps), None)
        if made is not None:
            when = op.updated_at.isoformat()
            steps.append(
                LineageStep(op.operation, op.id, when, op.user, op.org if provider else None, _source(op), made)
            )
    return tuple(sorted(steps, key=lambda s: (s.time, s.operation_id)))


def _results(op: OperationView) -> list[str]:
    result = op.result or {}
    return [str(result[key]) for key in ("vm", "vapp") if result.get(key)]


def _source(op: OperationView) -> dict:
    source = op.request.get("source")
    return dict(source) if isinstance(source, dict) else {}
