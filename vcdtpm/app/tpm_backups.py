"""Use cases: back up a VM's vTPM into the backup store, and restore it onto a vCenter. Ports only."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from vcdtpm.domain.errors import BackendError, Conflict, Forbidden, Invalid, NotFound, PreflightFailed
from vcdtpm.domain.model import CheckStatus, VCenterFacts, VmFacts
from vcdtpm.domain.restore import BackupFacts, restore_checks
from vcdtpm.domain.urns import is_backup_id
from vcdtpm.ports import BackupStore, CloudDirector, Session, StoredBackup, VCenter


@dataclass(frozen=True)
class RestoreRequest:
    """Where to restore a backup: a VDC's vCenter and datastore, or a vCenter (and datastore) by name."""

    backup: str
    target_vdc: str | None = None
    vcenter: str | None = None
    datastore: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class RestoreTarget:
    port: VCenter
    facts: VCenterFacts
    datastore: str | None  # datastore name on that vCenter; None: its first one


class TpmBackups:
    """Provider-only backup and restore of vTPM VMs (the vSphere recipe), over the two ports."""

    def __init__(self, cloud: CloudDirector, vcenters: Mapping[str, VCenter], store: BackupStore):
        self.cloud = cloud
        self.vcenters = vcenters
        self.store = store

    def backup(self, session: Session, vm: str) -> StoredBackup:
        """Save the keyId, encryption.bundle, firmware, vTPM device and NVRAM of VM `vm`."""
        _provider(session)
        place = self.cloud.locate_vms([vm]).get(vm)
        if place is None or not place.vcenter or not place.moref:
            raise NotFound(kind="VM", id=vm)
        try:
            saved = self._port(place.vcenter).backup_vtpm(place.moref)
        except Invalid as exc:
            raise Invalid("vm", exc.kwargs.get("reason", exc.message)) from None
        return self.store.save(vm, place.vcenter, saved)

    def list(self, session: Session) -> list[StoredBackup]:
        _provider(session)
        return self.store.list()

    def get(self, session: Session, backup_id: str) -> StoredBackup:
        _provider(session)
        return self.store.load(backup_id)

    def restore(self, session: Session, request: RestoreRequest) -> dict:
        """Preflight, re-create the VM with the same keyId, bundle, firmware, vTPM device and
        NVRAM, then prove the restored vTPM has the backed-up identity."""
        _provider(session)
        if not is_backup_id(request.backup):
            raise Invalid("backup", "is not a backup id (a lower-case UUID)")
        stored = self.store.load(request.backup)
        target = self._target(request)
        plan = restore_checks(_facts_of(stored), target.facts)
        if not plan.allowed:
            failed = ", ".join(c.id for c in plan.checks if c.status is CheckStatus.FAIL)
            raise PreflightFailed(plan, f"The restore onto vCenter {target.port.name} has failed checks: {failed}.")
        name = request.name or f"{stored.backup.vm_name}-restored"
        if target.port.find_vm(name) is not None:
            raise Conflict(
                reason=f"vCenter {target.port.name} already has a VM named {name}; give the restored VM another name."
            )
        restored = target.port.restore_vtpm(stored.backup, name, target.datastore)
        _same_identity(stored, restored, target.port.name)
        return {
            "backup": stored.id,
            "vcenter": target.port.name,
            "vm_name": restored.name,
            "moref": restored.moref,
            "identity": restored.tpm_identity,
            "identity_matches": True,
        }

    def _port(self, name: str) -> VCenter:
        port = self.vcenters.get(name)
        if port is None:
            raise NotFound(f"vCenter {name} is not configured in vcdtpm.")
        return port

    def _target(self, request: RestoreRequest) -> RestoreTarget:
        """The vCenter port and datastore name a restore goes to."""
        if request.target_vdc:
            where = self.cloud.locate_vdc(request.target_vdc)
            port = self._port(where.vcenter)
            facts = port.facts()
            store = next((d.name for d in facts.datastores if d.url == where.datastore_url), None)
            cluster = port.hosts_of(where.resource_pool) if where.resource_pool else None
            if cluster is not None:  # judged on the hosts the VM will run on, not any host
                facts = dataclasses.replace(facts, hosts=cluster)
            return RestoreTarget(port, facts, store)
        if not request.vcenter:
            raise Invalid("target_vdc", "give target_vdc, or vcenter (and optionally datastore)")
        port = self._port(request.vcenter)
        facts = port.facts()
        if request.datastore and all(d.name != request.datastore for d in facts.datastores):
            raise Invalid("datastore", f"vCenter {port.name} has no datastore named {request.datastore}")
        return RestoreTarget(port, facts, request.datastore)


def _provider(session: Session) -> None:
    if not session.provider:
        raise Forbidden()


def _same_identity(stored: StoredBackup, restored: VmFacts, vcenter: str) -> None:
    """The restored vTPM must be the backed-up one: same endorsement key certificate."""
    if restored.tpm_identity != stored.backup.identity:
        raise BackendError(
            backend=f"vCenter {vcenter}",
            reason=f"the restored VM {restored.name} ({restored.moref}) has vTPM identity "
            f"{restored.tpm_identity}, not the backed-up {stored.backup.identity}",
        )


def _facts_of(stored: StoredBackup) -> BackupFacts:
    b = stored.backup
    return BackupFacts(
        vm=stored.vm,
        name=b.vm_name,
        guest_os=b.guest_os,
        firmware=b.firmware,
        hardware_version=b.hardware_version,
        key_provider=b.key_provider,
        intact=stored.intact,
    )
