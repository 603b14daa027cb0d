"""The VCenter port over pyvmomi: facts, batched VM facts, vTPM-aware clones, vTPM backup and restore."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pyVmomi import vim, vmodl

from vcdtpm.adapters.vcenter import bulk, clone, collector, facts, identities, places, spbm, vtpm
from vcdtpm.adapters.vcenter.config import VCenterConfig
from vcdtpm.adapters.vcenter.faults import translated
from vcdtpm.adapters.vcenter.filesvc import FileService, beside, datastore_name, session_cookie
from vcdtpm.adapters.vcenter.session import RoundTrips, Session
from vcdtpm.domain.errors import BackendError, Conflict, Invalid, NotFound
from vcdtpm.domain.model import Band, Datastore, Host, KeyProvider, TpmMode, VCenterFacts, VmFacts
from vcdtpm.domain.versions import band_of
from vcdtpm.ports import TpmBackup, VCenter

CLONE_POLICY_OPTION = "vpxd.clone.tpmProvisionPolicy"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class About:
    """What a vCenter says about itself."""

    version: str
    api_version: str
    instance_uuid: str
    band: Band


class PyVmomiVCenter(VCenter):
    """One vCenter read and driven with the provider's account over the vSphere API.

    Connects on first use. Every public method raises only domain errors.
    `round_trips` counts the requests sent so far: SOAP and file-service transfers.
    """

    def __init__(self, config: VCenterConfig) -> None:
        config = VCenterConfig.coerce(config)
        self.name = config.name
        self._config = config
        self._round_trips = RoundTrips()
        self._session = Session(config, self._round_trips)
        self._files = FileService(config, self._round_trips, self._cookie, self._relogin)

    @property
    def round_trips(self) -> int:
        return self._round_trips.count

    def close(self) -> None:
        self._session.close()

    @translated
    def about(self) -> About:
        about = self._session.content().about
        return About(
            version=about.version,
            api_version=about.apiVersion,
            instance_uuid=about.instanceUuid,
            band=band_of(about.version),
        )

    @translated
    def facts(self) -> VCenterFacts:
        about = self.about()
        hosts, datastores = self._hosts_and_datastores()
        return VCenterFacts(
            name=self.name,
            version=about.version,
            key_providers=self.key_providers(),
            hosts=hosts,
            datastores=datastores,
            clone_tpm_policy=self.clone_tpm_policy(),
        )

    @translated
    def key_providers(self) -> tuple[KeyProvider, ...]:
        """Every key provider with its type, default flag and TPM-hosts-only flag."""
        crypto = self._session.content().cryptoManager
        if not isinstance(crypto, vim.encryption.CryptoManagerKmip):
            return ()
        try:
            clusters = crypto.ListKmsClusters(includeKmsServers=False)
        except vmodl.fault.MethodNotFound:
            clusters = crypto.ListKmipServers()
        return tuple(facts.key_provider(c) for c in clusters or ())

    def _hosts_and_datastores(self) -> tuple[tuple[Host, ...], tuple[Datastore, ...]]:
        found = bulk.every(
            self._session.content(), {vim.HostSystem: facts.HOST_PATHS, vim.Datastore: facts.DATASTORE_PATHS}
        ).values()
        hosts = [facts.host(f.values) for f in found if issubclass(f.kind, vim.HostSystem)]
        stores = [facts.datastore(f.values) for f in found if issubclass(f.kind, vim.Datastore)]
        return (tuple(sorted(hosts, key=lambda h: h.name)), tuple(sorted(stores, key=lambda d: d.name)))

    @translated
    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        """The hosts of the cluster (compute resource) that owns a resource pool, with their TPMs:
        one retrieval from the pool through its owner to the owner's hosts; None for an unknown pool."""
        found = bulk.properties(
            self._session.content(),
            {vim.ResourcePool: [resource_pool]},
            {vim.ResourcePool: ("name",), vim.HostSystem: facts.HOST_PATHS},
            follow=[(vim.ResourcePool, "owner"), (vim.ComputeResource, "host")],
        )
        if resource_pool not in found:
            return None
        hosts = [facts.host(f.values) for f in found.values() if issubclass(f.kind, vim.HostSystem)]
        return tuple(sorted(hosts, key=lambda h: h.name))

    @translated
    def clone_tpm_policy(self) -> str:
        """What a clone does to a vTPM by default: `vpxd.clone.tpmProvisionPolicy`
        on 8.x (absent means copy); always copy on 7.x."""
        content = self._session.content()
        if band_of(content.about.version) is Band.V7:
            return "copy"
        try:
            options = content.setting.QueryOptions(CLONE_POLICY_OPTION)
        except vim.fault.InvalidName:
            return "copy"
        value = str(options[0].value).strip().lower() if options else "copy"
        return value if value in ("copy", "replace") else "copy"

    @translated
    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        """Facts of many VMs and of their datastores in one retrieval; unknown morefs are left out."""
        found = bulk.properties(
            self._session.content(),
            {vim.VirtualMachine: morefs},
            {vim.VirtualMachine: facts.VM_PATHS, vim.Datastore: facts.DATASTORE_PATHS},
            follow=[(vim.VirtualMachine, "datastore")],
        )
        urls: dict = {
            f.values.get("name"): f.values.get("summary.url")
            for f in found.values()
            if issubclass(f.kind, vim.Datastore)
        }
        return {
            moref: facts.vm(moref, f.values, self.name, urls)
            for moref, f in found.items()
            if issubclass(f.kind, vim.VirtualMachine)
        }

    @translated
    def tpm_identities(self) -> dict[str, str]:
        """Every vTPM VM's identity by moref, read in one retrieval (identities.py)."""
        return identities.tpm_identities(self._session.content())

    @translated
    def find_vm(self, name: str) -> VmFacts | None:
        """The VM with this name, None when there is none; `Conflict` when several share it."""
        objects = collector.in_view(self._session.content(), {vim.VirtualMachine: ("name",)})
        matches = sorted(o.obj._moId for o in objects if collector.props(o).get("name") == name)
        if len(matches) > 1:
            raise Conflict(reason=f"vCenter {self.name} has {len(matches)} VMs named '{name}'")
        return self.vm_facts(matches).get(matches[0]) if matches else None

    @translated
    def clone_vm(
        self,
        moref: str,
        name: str,
        tpm: TpmMode | str = TpmMode.COPY,
        *,
        folder: str | None = None,
        pool: str | None = None,
        datastore: str | None = None,
    ) -> VmFacts:
        """Clone a VM and copy or replace its vTPM; returns the clone's facts.

        On API 8.0.0.1+ the spec carries `tpmProvisionPolicy`; before that a
        replace removes the source's vTPM and adds a blank one in the spec.
        `folder`, `pool` and `datastore` are morefs (default: the source's).
        """
        mode = _tpm_mode(tpm)
        content = self._session.content()
        source = self._clone_source(content, moref)
        location = vim.vm.RelocateSpec(
            pool=collector.mo(content, vim.ResourcePool, pool) if pool else source.get("resourcePool"),
            datastore=collector.mo(content, vim.Datastore, datastore) if datastore else None,
        )
        with_policy = clone.policy_supported(content.about.apiVersion, content.propertyCollector._stub.version)
        spec = clone.clone_spec(mode, with_policy, facts.vtpm_of(source.get("config.hardware.device")), location)
        target = collector.mo(content, vim.Folder, folder) if folder else source["parent"]
        task = collector.mo(content, vim.VirtualMachine, moref).CloneVM_Task(target, name, spec)
        new_vm = clone.wait(task, self._config.timeout, f"vCenter {self.name}")
        return self.vm_facts([new_vm._moId])[new_vm._moId]

    def _clone_source(self, content, moref: str) -> dict:
        return _read_vm(content, moref, ("parent", "resourcePool", "config.hardware.device"))

    @translated
    def backup_vtpm(self, moref: str) -> TpmBackup:
        """The vTPM backup recipe: keyId, encryption.bundle, firmware and VirtualTPM device
        from configInfo, and the NVRAM file downloaded from the VM's directory."""
        content = self._session.content()
        values = _read_vm(content, moref, vtpm.BACKUP_PATHS)
        vtpm.require_vtpm(values)
        nvram = self._files.download(self._nvram_file(content, values))
        return vtpm.backup_of(values, nvram)

    @translated
    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        """Create a VM with the backup's keyId, bundle, firmware and vTPM device on `datastore`
        (a name; the first by name when None) and upload its NVRAM. Refused before anything
        is created when this vCenter lacks the backup's key provider."""
        backend = f"vCenter {self.name}"
        if all(kp.name != backup.key_provider for kp in self.key_providers()):
            raise BackendError(
                backend=backend,
                reason=f"key provider {backup.key_provider} is not "
                f"registered, so key {backup.key_id} cannot be retrieved",
            )
        content = self._session.content()
        policy = self._encryption_policy(content, backend)
        where = places.read(content)
        store = where.datastore(datastore)
        spec = vtpm.create_spec(backup, name, where.name(store), backend, policy)
        folder = collector.mo(content, vim.Folder, where.vm_folder(where.datacenter_of(store)))
        pool = collector.mo(content, vim.ResourcePool, where.pool_for(store, backend))
        new_vm = clone.wait(folder.CreateVM_Task(spec, pool), self._config.timeout, backend)
        self._upload_nvram(content, new_vm, where, backup.nvram)
        return self.vm_facts([new_vm._moId])[new_vm._moId]

    def _encryption_policy(self, content, backend: str) -> str:
        """An encryption storage policy to assign to the restored VM; refused without one."""
        policy = spbm.find_encryption_policy(content.propertyCollector._stub.soapStub, self._cookie())
        if policy is None:
            raise BackendError(backend=backend, reason="no encryption storage policy (vmwarevmcrypt) exists")
        return policy

    def _upload_nvram(self, content, vm: vim.VirtualMachine, where: places.Places, nvram: bytes) -> None:
        """Put the NVRAM file in a new VM's directory; the VM is destroyed if that fails."""
        try:
            values = _read_vm(content, vm._moId, vtpm.NVRAM_PATHS)
            self._files.upload(self._nvram_file(content, values, where), nvram)
        except Exception:
            _discard(vm)
            raise

    def _nvram_file(self, content, values: dict, where: places.Places | None = None):
        """Where a VM's NVRAM file is, in file-service terms."""
        where = where or places.read(content)
        vmx = values.get("config.files.vmPathName") or ""
        stores = tuple(d._moId for d in values["datastore"]) if values.get("datastore") else None
        store = where.datastore(datastore_name(vmx), stores)
        return beside(vmx, vtpm.nvram_name(values), where.datacenter_path(where.datacenter_of(store)))

    def _cookie(self) -> str:
        return session_cookie(self._session.content().propertyCollector._stub.soapStub.cookie)

    def _relogin(self) -> None:
        """A cheap read, so that the stub logs in again if the session has expired."""
        self._session.content().rootFolder.name  # noqa: B018


def _read_vm(content, moref: str, paths) -> dict:
    """One VM's properties; `NotFound` when there is no such VM."""
    vm = collector.mo(content, vim.VirtualMachine, moref)
    objects = collector.retrieve(
        content, collector.filter_spec(collector.object_specs([vm]), {vim.VirtualMachine: paths})
    )
    if not objects:
        raise NotFound(kind="VirtualMachine", id=moref)
    return collector.props(objects[0])


def _discard(vm: vim.VirtualMachine) -> None:
    """Destroy a half-restored VM, best effort: the error that made it half-restored wins."""
    try:
        vm.Destroy_Task()
    except Exception as exc:  # the original error is the one to report
        log.warning("could not destroy the half-restored VM %s: %s", vm._moId, type(exc).__name__)


def _tpm_mode(tpm: TpmMode | str) -> TpmMode:
    try:
        return TpmMode(tpm)
    except ValueError:
        raise Invalid("tpm", f"'{tpm}' is not one of copy, replace") from None
