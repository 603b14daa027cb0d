"""Reading rows into views: operations with their steps, never the token column."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from vcdtpm.adapters.journal.schema import VIEW_COLUMNS, operations, steps
from vcdtpm.adapters.journal.views import derive_progress
from vcdtpm.ports import Failure, OperationStatus, OperationView, StepStatus, StepView


def load_operations(
    conn: sa.Connection,
    where,
    *,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
    with_plan: bool = True,
) -> list[OperationView]:
    """The operations matching `where` in creation order (or newest first), with their steps;
    without `with_plan`, the (large) plan column is not read and views carry an empty plan."""
    order = operations.c.seq.desc() if newest_first else operations.c.seq.asc()
    columns = VIEW_COLUMNS if with_plan else tuple(c for c in VIEW_COLUMNS if c.name != "plan")
    query = sa.select(*columns).where(where).order_by(order)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    rows = conn.execute(query).all()
    by_operation = _steps_of(conn, [row.id for row in rows])
    return [_operation_view(row, by_operation[row.id]) for row in rows]


def load_operation(conn: sa.Connection, where, with_plan: bool = True) -> OperationView | None:
    found = load_operations(conn, where, limit=1, with_plan=with_plan)
    return found[0] if found else None


def _steps_of(conn: sa.Connection, op_ids: list[str]) -> dict[str, tuple[StepView, ...]]:
    grouped: dict[str, list[StepView]] = defaultdict(list)
    if op_ids:
        query = sa.select(steps).where(steps.c.op_id.in_(op_ids)).order_by(steps.c.op_id, steps.c.idx)
        for row in conn.execute(query):
            grouped[row.op_id].append(_step_view(row))
    return {op_id: tuple(grouped[op_id]) for op_id in op_ids}


def _step_view(row) -> StepView:
    return StepView(
        index=row.idx,
        name=row.name,
        kind=row.kind,
        params=row.params or {},
        status=StepStatus(row.status),
        task=row.task,
        progress=row.progress,
        result=row.result,
        error=Failure.from_json(row.error) if row.error else None,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _operation_view(row, step_views: tuple[StepView, ...]) -> OperationView:
    return OperationView(
        id=row.id,
        org=row.org,
        user=row.username,
        operation=row.operation,
        status=OperationStatus(row.status),
        progress=derive_progress(OperationStatus(row.status), step_views),
        steps=step_views,
        result=row.result,
        error=Failure.from_json(row.error) if row.error else None,
        plan=getattr(row, "plan", None) or {},
        request=row.request,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner=row.owner,
        lease_expires=row.lease_expires,
        attempts=row.attempts or 0,
    )
