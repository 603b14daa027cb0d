"""A vCenter's slow-changing facts (version, key providers, clone policy, hosts, datastores) kept for a while."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from vcdtpm.domain.model import Host, VCenterFacts, VmFacts
from vcdtpm.ports import TpmBackup, VCenter


class CachedVCenter(VCenter):
    """A VCenter port whose `facts()` and `hosts_of()` are read at most once per `ttl` seconds.

    What a provider changes rarely (the version, key providers, the clone policy, hosts and their
    TPMs, datastores) is kept; `refresh()` reads it again at once (GET
    /api/v1/provider/vcenters?refresh=true). Everything about VMs goes to the vCenter every time.
    A `ttl` of 0 keeps nothing.
    """

    def __init__(self, port: VCenter, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.port, self.name, self._ttl, self._clock = port, port.name, ttl, clock
        self._lock = threading.Lock()
        self._facts: tuple[float, VCenterFacts] | None = None
        self._hosts: dict[str, tuple[float, tuple[Host, ...] | None]] = {}

    def facts(self) -> VCenterFacts:
        with self._lock:
            if self._facts is not None and self._facts[0] > self._clock():
                return self._facts[1]
        facts = self.port.facts()
        with self._lock:
            self._facts = (self._clock() + self._ttl, facts)
        return facts

    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        with self._lock:
            kept = self._hosts.get(resource_pool)
            if kept is not None and kept[0] > self._clock():
                return kept[1]
        hosts = self.port.hosts_of(resource_pool)
        with self._lock:
            self._hosts[resource_pool] = (self._clock() + self._ttl, hosts)
        return hosts

    def refresh(self) -> VCenterFacts:
        """Forget what is kept and read the facts again."""
        with self._lock:
            self._facts, self._hosts = None, {}
        return self.facts()

    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        return self.port.vm_facts(morefs)

    def find_vm(self, name: str) -> VmFacts | None:
        return self.port.find_vm(name)

    def backup_vtpm(self, moref: str) -> TpmBackup:
        return self.port.backup_vtpm(moref)

    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        return self.port.restore_vtpm(backup, name, datastore)

    def tpm_identities(self) -> dict[str, str]:
        return self.port.tpm_identities()  # identities change with every vTPM added or removed: never kept

    def __getattr__(self, attr: str):
        """Anything else the adapter offers (round_trips, close, ...) is the adapter's."""
        if attr == "port":
            raise AttributeError(attr)
        return getattr(self.port, attr)


def cached(vcenters: dict[str, VCenter], ttl: float) -> dict[str, VCenter]:
    """Every port behind a `CachedVCenter`."""
    return {name: CachedVCenter(port, ttl) for name, port in vcenters.items()}
