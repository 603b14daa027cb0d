"""TaskRecords of the `task` query: only the attributes of vCD's QueryResultTaskRecordType."""

from __future__ import annotations

from collections.abc import Iterator

from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.ids import urn
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.views.tasks import owner_of

# https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultTaskRecordType.html
# `name` is the task's operation name (Task/@operationName), `operationFull` its operation
# text, `object` the href of what it works on, `ownerName` the user who started it.
# No attribute carries a client request id or an operationKey.
TASK_FIELDS = frozenset(
    (
        "href",
        "id",
        "org",
        "orgName",
        "name",
        "operationFull",
        "startDate",
        "endDate",
        "status",
        "progress",
        "ownerName",
        "object",
        "objectType",
        "objectName",
        "serviceNamespace",
    )
)


def task_rows(ctx: RequestContext) -> Iterator[dict[str, str]]:
    """The tasks of the caller's org."""
    for task in ctx.sim.tasks.all():
        if not ctx.who.sees(task.org):
            continue
        kind, _owner_id, owner_name = task.owner
        values = dict(
            href=ctx.hrefs.task(task.id),
            id=urn("task", task.id),
            org=ctx.hrefs.org(access.org_id_of(ctx, task.org)),
            orgName=task.org,
            name=task.operation_name,
            operationFull=task.operation,
            startDate=task.start_time,
            endDate=task.end_time,
            status=task.status,
            progress=task.progress,
            ownerName=task.user,
            object=owner_of(ctx, task)[0],
            objectType=kind,
            objectName=owner_name,
            serviceNamespace="com.vmware.vcloud",
        )
        yield {k: x.xs(v) for k, v in values.items() if v is not None}
