"""The router table: every served (method, path) and its handler, gathered from the view modules."""

from __future__ import annotations

from vcdtpm.sim.vcd import uploads
from vcdtpm.sim.vcd.context import Route
from vcdtpm.sim.vcd.views import admin as views_admin
from vcdtpm.sim.vcd.views import auth as views_auth
from vcdtpm.sim.vcd.views import catalog_actions as views_catalog_actions
from vcdtpm.sim.vcd.views import extensions as views_extensions
from vcdtpm.sim.vcd.views import imports as views_import
from vcdtpm.sim.vcd.views import metadata as views_metadata
from vcdtpm.sim.vcd.views import query as views_query
from vcdtpm.sim.vcd.views import tasks as views_tasks
from vcdtpm.sim.vcd.views import tenant as views_tenant
from vcdtpm.sim.vcd.views import vapp as views_vapp
from vcdtpm.sim.vcd.views import vapp_actions as views_vapp_actions
from vcdtpm.sim.vcd.views import vm_actions as views_vm_actions

VIEW_MODULES = (
    views_auth,
    views_tenant,
    views_vapp,
    views_metadata,
    views_query,
    views_admin,
    views_tasks,
    views_vapp_actions,
    views_vm_actions,
    views_catalog_actions,
    views_import,
    uploads,
    views_extensions,
)


def all_routes() -> list[Route]:
    return [route for module in VIEW_MODULES for route in module.ROUTES]
