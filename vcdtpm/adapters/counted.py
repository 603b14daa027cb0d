"""A VCenter port that counts each call to the vCenter behind it (a round trip or a few) and its latency."""

from __future__ import annotations

from collections.abc import Sequence

from vcdtpm.domain.model import Host, VCenterFacts, VmFacts
from vcdtpm.metrics import backend_request
from vcdtpm.ports import TpmBackup, VCenter


class CountedVCenter(VCenter):
    """`port`, each call counted under vcdtpm_backend_requests_total{backend="vcenter:<name>"}."""

    def __init__(self, port: VCenter):
        self.port = port
        self.name = port.name
        self.backend = f"vcenter:{port.name}"

    def facts(self) -> VCenterFacts:
        with backend_request(self.backend):
            return self.port.facts()

    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        with backend_request(self.backend):
            return self.port.vm_facts(morefs)

    def find_vm(self, name: str) -> VmFacts | None:
        with backend_request(self.backend):
            return self.port.find_vm(name)

    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        with backend_request(self.backend):
            return self.port.hosts_of(resource_pool)

    def backup_vtpm(self, moref: str) -> TpmBackup:
        with backend_request(self.backend):
            return self.port.backup_vtpm(moref)

    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        with backend_request(self.backend):
            return self.port.restore_vtpm(backup, name, datastore)

    def tpm_identities(self) -> dict[str, str]:
        with backend_request(self.backend):
            return self.port.tpm_identities()

    def __getattr__(self, attr: str):
        """Anything else the adapter offers (round_trips, close, ...) is the adapter's."""
        if attr == "port":
            raise AttributeError(attr)
        return getattr(self.port, attr)
