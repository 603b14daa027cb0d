"""The journal's SQL pieces: loading one operation, idempotency keys, inserting steps, claim and lease conditions."""

from __future__ import annotations

import builtins
from datetime import datetime

import sqlalchemy as sa

from vcdtpm.adapters.journal.errors import IdempotencyKeyReused
from vcdtpm.adapters.journal.rows import load_operation
from vcdtpm.adapters.journal.schema import operations, steps
from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.steps import StepSpec
from vcdtpm.ports import OperationStatus, OperationView, StepStatus

MAX_KEY_LENGTH = 255


def one(conn: sa.Connection, op_id: str) -> OperationView:
    """The operation just found or written in this transaction: it exists."""
    view = load_operation(conn, operations.c.id == op_id)
    assert view is not None
    return view


def check_key(key: str | None) -> None:
    if key is not None and not key.strip():
        raise Invalid("Idempotency-Key", "must not be empty")
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise Invalid("Idempotency-Key", f"must be at most {MAX_KEY_LENGTH} characters")


def by_key(conn: sa.Connection, org: str, key: str | None, operation: str, digest: str) -> str | None:
    """The id of the org's operation under `key`, if any, after checking the body is the same."""
    if key is None:
        return None
    row = conn.execute(
        sa.select(operations.c.id, operations.c.operation, operations.c.request_sha256).where(
            operations.c.org == org, operations.c.idempotency_key == key
        )
    ).first()
    if row is not None and (row.request_sha256, row.operation) != (digest, operation):
        raise IdempotencyKeyReused(key)
    return None if row is None else row.id


def insert_steps(conn: sa.Connection, op_id: str, specs: builtins.list[StepSpec]) -> None:
    if specs:
        conn.execute(
            sa.insert(steps),
            [
                {
                    "op_id": op_id,
                    "idx": index,
                    "name": spec.name,
                    "kind": spec.kind,
                    "params": spec.params.to_json(),
                    "status": StepStatus.PENDING,
                    "progress": 0,
                }
                for index, spec in enumerate(specs)
            ],
        )


def stats(conn: sa.Connection) -> tuple[dict[str, int], datetime | None]:
    """Operations by status, and when the oldest still queued or running was made."""
    rows = conn.execute(sa.select(operations.c.status, sa.func.count()).group_by(operations.c.status))
    counts = {str(status): int(count) for status, count in rows}
    pending = operations.c.status.in_((OperationStatus.QUEUED, OperationStatus.RUNNING))
    oldest = conn.execute(sa.select(sa.func.min(operations.c.created_at)).where(pending)).scalar()
    return counts, oldest


def claimable(now: datetime):
    lapsed = operations.c.owner.is_(None) | (operations.c.lease_expires < now)
    return operations.c.status.in_((OperationStatus.QUEUED, OperationStatus.RUNNING)) & lapsed


def held(op_id: str, worker: str, now: datetime):
    return (
        (operations.c.id == op_id)
        & (operations.c.owner == worker)
        & (operations.c.status == OperationStatus.RUNNING)
        & (operations.c.lease_expires > now)
    )
