"""The one place that chooses: real Cloud Director and vCenters, or the simulated cloud."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from vcdtpm.backups import BackupStore
from vcdtpm.config import Config
from vcdtpm.service import Service


@dataclass
class Wiring:
    service: Service
    inventory: object | None = None             # the simulated cloud's inventory, if simulated
    cloud_director_url: str | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

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
    from vcdtpm.sim.world import demo_world, load_world

    inventory = load_world(config.world) if config.world else demo_world()
    handle = serve_in_thread(create_vcd_app(inventory))
    admin = inventory.provider_users[0]
    cloud = VcdAdapter(handle.url, admin.name, admin.password, api_version=config.api_version,
                       data_dir=config.data_dir)
    service = Service(cloud, simulated_vcenters(inventory), BackupStore(config.tpm_backup_dir))
    return Wiring(service, inventory, handle.url, [handle.stop])


def _real(config: Config) -> Wiring:
    from vcdtpm.adapters.vcd import VcdAdapter
    from vcdtpm.adapters.vcenter import PyVmomiVCenter

    vcd = config.cloud_director
    cloud = VcdAdapter(vcd.url, vcd.user, vcd.password, verify_tls=vcd.verify_tls,
                       ca_bundle=vcd.ca_bundle, api_version=config.api_version, data_dir=config.data_dir)
    vcenters = {vc.name: PyVmomiVCenter(vc) for vc in config.vcenters}
    return Wiring(Service(cloud, vcenters, BackupStore(config.tpm_backup_dir)), None, vcd.url, [])
