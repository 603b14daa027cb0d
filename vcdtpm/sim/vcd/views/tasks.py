"""GET /api/task/{id}: the task an action returned, visible to the org that started it."""

from __future__ import annotations

from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.ids import urn
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.tasks import FINAL, SimTask, render_task


def owner_of(ctx: RequestContext, task: SimTask) -> tuple[str, str]:
    """The href and media type of the object a task works on."""
    kind, owner_id, _name = task.owner
    hrefs = ctx.hrefs
    by_kind = {
        "vm": (hrefs.vm, x.VM),
        "vapp": (hrefs.vapp, x.VAPP),
        "vapptemplate": (hrefs.template, x.VAPP_TEMPLATE),
        "vdc": (hrefs.vdc, x.VDC),
        "catalog": (hrefs.catalog, x.CATALOG),
    }
    make_href, media_type = by_kind.get(kind, (lambda i: urn(kind, i), x.ENTITY))
    return make_href(owner_id), media_type


def task_element(ctx: RequestContext, task: SimTask):
    owner_href, owner_type = owner_of(ctx, task)
    org = (ctx.hrefs.org(access.org_id_of(ctx, task.org)), task.org)
    return render_task(task, ctx.hrefs, owner_href, owner_type, org)


def embed_tasks(ctx: RequestContext, element, kind: str, id_: str) -> bool:
    """The entity's tasks in progress under Tasks (TasksInProgressType); True if any.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/37.0/doc/types/TasksInProgressType.html
    """
    running = [t for t in ctx.sim.tasks.all() if t.owner[:2] == (kind, id_) and t.status not in FINAL]
    if running:
        holder = x.sub(element, "Tasks")
        for task in running:
            holder.append(task_element(ctx, task))
    return bool(running)


def get_task(ctx: RequestContext, task_id: str):
    task = ctx.sim.tasks.get(task_id)
    if task is None or not ctx.who.sees(task.org):
        raise errors.forbidden("TASK_VIEW", urn("task", task_id))
    return ctx.xml(task_element(ctx, task), x.TASK)


ROUTES = [Route("GET", "/api/task/<uuid:task_id>", get_task)]
