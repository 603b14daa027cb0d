"""A simulated VMware Cloud Director (API 38.x) over the shared inventory, as a WSGI app."""

from __future__ import annotations

from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.vcd.app import SUPPORTED_VERSIONS, VcdSimulator
from vcdtpm.sim.vcd.routes import all_routes

__all__ = ["SUPPORTED_VERSIONS", "VcdSimulator", "create_vcd_app"]


def create_vcd_app(inventory: Inventory, task_delay: float = 0.0) -> VcdSimulator:
    """The WSGI app; its `.requests` log, `.sessions` and `.tasks` are open for inspection.

    `task_delay` is how many seconds an action's task runs before its effect lands; with 0 the
    task completes on the first request served after the action.
    """
    return VcdSimulator(inventory, all_routes(), task_delay)
