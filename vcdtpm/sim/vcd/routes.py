"""The router table: every served (method, path) and its handler, gathered from the view modules.

Actions (POST .../action/<name>, answering a Task) join the table the same way: a view
module with a ROUTES list, its handlers creating tasks in `sim.tasks`.
"""
from __future__ import annotations

from vcdtpm.sim.vcd import (views_admin, views_auth, views_query, views_tasks, views_tenant,
                            views_vapp)
from vcdtpm.sim.vcd.context import Route

VIEW_MODULES = (views_auth, views_tenant, views_vapp, views_query, views_admin, views_tasks)


def all_routes() -> list[Route]:
    return [route for module in VIEW_MODULES for route in module.ROUTES]
