"""The one place that chooses: real Cloud Director and vCenters, or the simulated cloud; it builds every use case."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vcdtpm.adapters.backup_files import BackupFiles
from vcdtpm.adapters.counted import CountedVCenter
from vcdtpm.adapters.journal import Journal, sqlite_url
from vcdtpm.adapters.journal.sealing import KEY_FILE, journal_key, private_dir
from vcdtpm.app.executor import Executor
from vcdtpm.app.identities import TpmIdentities
from vcdtpm.app.operations import Operations
from vcdtpm.app.planning import Planning
from vcdtpm.app.tpm_backups import TpmBackups
from vcdtpm.app.vcenter_cache import cached
from vcdtpm.config import Config
from vcdtpm.metrics import count_plan
from vcdtpm.ports import CloudDirector, VCenter
from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.shared import SharedSimEndpoint

log = logging.getLogger("vcdtpm.bootstrap")


@dataclass(frozen=True)
class UseCases:
    """What the API (or any other face) calls: each use case built with its ports."""

    planning: Planning
    operations: Operations
    backups: TpmBackups
    identities: TpmIdentities


@dataclass
class Wiring:
    """The use cases and what runs behind them, with how to stop it all."""

    use_cases: UseCases
    executor: Executor
    journal: Journal
    inventory: Inventory | None = None  # the simulated cloud's inventory, if simulated
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()


def bootstrap(config: Config, shared_sim: SharedSimEndpoint | None = None) -> Wiring:
    """Wire every use case for `config`; the simulated cloud when no Cloud Director is configured:
    the one running in its own process at `shared_sim` (`vcdtpm serve`), else one in this process."""
    os.makedirs(config.data_dir, exist_ok=True)
    if config.simulated and shared_sim is not None:
        return _shared_simulated(config, shared_sim)
    if config.simulated:
        return _simulated(config)
    return _real(config)


def _shared_simulated(config: Config, endpoint: SharedSimEndpoint) -> Wiring:
    """The simulated cloud of another process, shared by every worker: its vCD over HTTP, its vCenters
    through the simulator's manager (vcdtpm/sim/shared.py)."""
    from vcdtpm.adapters.vcd import VcdAdapter
    from vcdtpm.sim.shared import SharedSimClient

    sim = SharedSimClient(endpoint)
    vcenters = _kept(sim.vcenters(), config)
    settings = sim.settings
    fast = config.fast_cross_vcenter_instantiation
    cloud = VcdAdapter(
        endpoint.vcd_url,
        settings["admin_user"],
        settings["admin_password"],
        api_version=config.api_version,
        data_dir=config.data_dir,
        datastore_url_of=_datastore_url_of(vcenters),
        fast_cross_vcenter_instantiation=settings["fast_cross_vcenter_instantiation"] if fast is None else fast,
        facts_cache_seconds=config.facts_cache_seconds,
    )
    return wire(config, cloud, vcenters)


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
        facts_cache_seconds=config.facts_cache_seconds,
    )
    wiring = wire(config, cloud, _kept(simulated_vcenters(inventory), config))
    wiring.inventory = inventory
    wiring.closers.insert(0, handle.stop)
    return wiring


def _real(config: Config) -> Wiring:
    from vcdtpm.adapters.vcenter import PyVmomiVCenter, VCenterConfig

    vcenters: dict[str, VCenter] = {vc.name: PyVmomiVCenter(VCenterConfig.coerce(vc)) for vc in config.vcenters}
    world = None
    if not vcenters and config.world:
        world = _world(config.world)
        vcenters = _world_vcenters(world)
    return service(config, vcenters, world)


def service(config: Config, vcenters: Mapping[str, VCenter], world: Inventory | None = None) -> Wiring:
    """The service on a configured Cloud Director and these vCenters, their facts kept a while."""
    kept = _kept(vcenters, config)
    return wire(config, cloud_director(config, kept, world), kept)


def cloud_director(config: Config, vcenters: Mapping[str, VCenter], world: Inventory | None = None) -> CloudDirector:
    """The Cloud Director adapter for a configured Cloud Director, resolving datastore URLs through `vcenters`."""
    from vcdtpm.adapters.vcd import VcdAdapter

    vcd = config.cloud_director
    assert vcd is not None  # config.simulated is False

    return VcdAdapter(
        vcd.url,
        vcd.user,
        vcd.password,
        verify_tls=vcd.verify_tls,
        ca_bundle=vcd.ca_bundle,
        api_version=config.api_version,
        data_dir=config.data_dir,
        datastore_url_of=_datastore_url_of(vcenters),
        fast_cross_vcenter_instantiation=_fast_cross_vc(config, world),
        facts_cache_seconds=config.facts_cache_seconds,
    )


def _datastore_url_of(vcenters: Mapping[str, VCenter]) -> Callable[[str, str], str | None]:
    def datastore_url_of(vcenter: str, datastore: str) -> str | None:
        port = vcenters.get(vcenter)
        found = next((d for d in port.facts().datastores if d.name == datastore), None) if port else None
        return found.url if found else None

    return datastore_url_of


def _kept(vcenters: Mapping[str, VCenter], config: Config) -> dict[str, VCenter]:
    """Each vCenter port counted for /metrics (every call that reaches it), its slow facts kept a while
    in front of the count, so a kept answer is not counted as a backend request."""
    return cached({name: CountedVCenter(port) for name, port in vcenters.items()}, config.facts_cache_seconds)


def _world(path: str) -> Inventory:
    from vcdtpm.sim.world.loader import load_world

    return load_world(path)


def _world_vcenters(inventory: Inventory) -> dict[str, VCenter]:
    """vCenter facts of a simulated cloud whose Cloud Director runs in another process
    (`vcdtpm sim`): read from the same world file."""
    from vcdtpm.sim.vcenter import simulated_vcenters

    return dict(simulated_vcenters(inventory))


def _fast_cross_vc(config: Config, inventory: Inventory | None) -> bool:
    """Fast cross-vCenter instantiation as configured; unstated, a simulated cloud's world file
    says (it is the provider's setting there), else off. Never read from Cloud Director."""
    if config.fast_cross_vcenter_instantiation is not None:
        return config.fast_cross_vcenter_instantiation
    return bool(getattr(inventory, "fast_cross_vcenter_instantiation", False))


def wire(config: Config, cloud: CloudDirector, vcenters: Mapping[str, VCenter]) -> Wiring:
    """Every use case on its ports: the journal (SQLite under the data dir unless a URL is configured),
    its executor, and the vTPM backup files."""
    private_dir(config.data_dir)
    key = journal_key(config.journal_key, config.journal_key_file, config.data_dir)
    if config.journal_url and not (config.journal_key or config.journal_key_file):
        log.warning("journal_key is not configured: replicas sharing this journal must share %s", KEY_FILE)
    journal = Journal(config.journal_url or sqlite_url(config.data_dir), token_key=key)
    worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"  # which process holds a lease
    executor = Executor(
        journal,
        cloud,
        worker=worker,
        lease=config.lease_seconds,
        poll=config.poll_seconds,
        retry_deadline=config.retry_seconds,
    )
    planning = Planning(cloud, vcenters, observe=count_plan)
    use_cases = UseCases(
        planning=planning,
        operations=Operations(planning, journal, executor),
        backups=TpmBackups(cloud, planning.vcenters, BackupFiles(config.tpm_backup_dir)),
        identities=TpmIdentities(cloud, planning.vcenters, journal),
    )
    wiring = Wiring(use_cases, executor, journal, closers=[journal.close])
    if config.run_executor:
        executor.start()
        wiring.closers.append(executor.stop)
    return wiring
