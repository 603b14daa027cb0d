"""The one place that chooses: real Cloud Director and vCenters, or the simulated cloud."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from vcdtpm.adapters.backup_files import BackupStore
from vcdtpm.app.planning import Service
from vcdtpm.config import Config


@dataclass
class Wiring:
    service: Service
    inventory: object | None = None  # the simulated cloud's inventory, if simulated
    cloud_director_url: str | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    executor: object | None = None
    journal: object | None = None

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()


def bootstrap(config: Config) -> Wiring:
    """Wire the service for `config`; the simulated cloud when no Cloud Director is configured."""
    os.makedirs(config.data_dir, exist_ok=True)
    if config.simulated:
        return _simulated(config)
    return _real(config)


def _simulated(config: Config) -> Wiring:
    from vcdtpm.adapters.vcd import VcdAdapter
    from vcdtpm.sim.vcd import create_vcd_app
    from vcdtpm.sim.vcd.server import serve_in_thread
    from vcdtpm.sim.vcenter import simulated_vcenters
    from vcdtpm.sim.world.loader import demo_world, load_world

    inventory = load_world(config.world) if config.world else demo_world()
    handle = serve_in_thread(create_vcd_app(inventory, task_delay=config.sim_task_delay))
    admin = inventory.provider_users[0]

    def datastore_url_of(vcenter: str, datastore: str) -> str | None:
        found = inventory.vcenters[vcenter].datastore(datastore) if vcenter in inventory.vcenters else None
        return found.url if found else None

    cloud = VcdAdapter(
        handle.url,
        admin.name,
        admin.password,
        api_version=config.api_version,
        data_dir=config.data_dir,
        datastore_url_of=datastore_url_of,
        fast_cross_vcenter_instantiation=_fast_cross_vc(config, inventory),
    )
    service = Service(cloud, simulated_vcenters(inventory), BackupStore(config.tpm_backup_dir))
    wiring = Wiring(service, inventory, handle.url, [handle.stop])
    return _with_operations(wiring, config, cloud)


def _real(config: Config) -> Wiring:
    from vcdtpm.adapters.vcd import VcdAdapter
    from vcdtpm.adapters.vcenter import PyVmomiVCenter

    vcd = config.cloud_director
    vcenters = {vc.name: PyVmomiVCenter(vc) for vc in config.vcenters}
    world = None
    if not vcenters and config.world:
        world = _world(config.world)
        vcenters = _world_vcenters(world)

    def datastore_url_of(vcenter: str, datastore: str) -> str | None:
        port = vcenters.get(vcenter)
        found = next((d for d in port.facts().datastores if d.name == datastore), None) if port else None
        return found.url if found else None

    cloud = VcdAdapter(
        vcd.url,
        vcd.user,
        vcd.password,
        verify_tls=vcd.verify_tls,
        ca_bundle=vcd.ca_bundle,
        api_version=config.api_version,
        data_dir=config.data_dir,
        datastore_url_of=datastore_url_of,
        fast_cross_vcenter_instantiation=_fast_cross_vc(config, world),
    )
    wiring = Wiring(Service(cloud, vcenters, BackupStore(config.tpm_backup_dir)), None, vcd.url, [])
    return _with_operations(wiring, config, cloud)


def _world(path: str):
    from vcdtpm.sim.world.loader import load_world

    return load_world(path)


def _world_vcenters(inventory) -> dict:
    """vCenter facts of a simulated cloud whose Cloud Director runs in another process
    (`vcdtpm sim`): read from the same world file."""
    from vcdtpm.sim.vcenter import simulated_vcenters

    return simulated_vcenters(inventory)


def _fast_cross_vc(config: Config, inventory) -> bool:
    """Fast cross-vCenter instantiation as configured; unstated, a simulated cloud's world file
    says (it is the provider's setting there), else off. Never read from Cloud Director."""
    if config.fast_cross_vcenter_instantiation is not None:
        return config.fast_cross_vcenter_instantiation
    return bool(getattr(inventory, "fast_cross_vcenter_instantiation", False))


def _with_operations(wiring: Wiring, config: Config, cloud) -> Wiring:
    """The journal (SQLite under the data dir unless a URL is configured) and its executor."""
    from vcdtpm.adapters.journal import Journal, sqlite_url
    from vcdtpm.app.executor import Executor
    from vcdtpm.app.operations import Operations

    journal = Journal(config.journal_url or sqlite_url(config.data_dir))
    executor = Executor(journal, cloud, lease=config.lease_seconds, poll=config.poll_seconds)
    wiring.service.operations = Operations(wiring.service, journal, executor)
    if config.run_executor:
        executor.start()
        wiring.closers.append(executor.stop)
    wiring.closers.append(journal.close)
    wiring.executor, wiring.journal = executor, journal
    return wiring
