"""A simulated VMware Cloud Director (API 38.x) over the shared inventory, as a WSGI app."""
from __future__ import annotations

from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.vcd.app import SUPPORTED_VERSIONS, VcdSimulator
from vcdtpm.sim.vcd.routes import all_routes

__all__ = ["SUPPORTED_VERSIONS", "VcdSimulator", "create_vcd_app"]


def create_vcd_app(inventory: Inventory) -> VcdSimulator:
    """The WSGI app; its `.requests` log, `.sessions` and `.tasks` are open for inspection."""
    return VcdSimulator(inventory, all_routes())
