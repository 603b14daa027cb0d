"""The router table: every served (method, path) and its handler, gathered from the view modules."""
from __future__ import annotations

from vcdtpm.sim.vcd import (views_admin, views_auth, views_catalog_actions, views_import,
                            views_query, views_tasks, views_tenant, views_vapp,
                            views_vapp_actions, views_vm_actions)
from vcdtpm.sim.vcd.context import Route

VIEW_MODULES = (views_auth, views_tenant, views_vapp, views_query, views_admin, views_tasks,
                views_vapp_actions, views_vm_actions, views_catalog_actions, views_import)


def all_routes() -> list[Route]:
    return [route for module in VIEW_MODULES for route in module.ROUTES]
