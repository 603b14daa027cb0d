"""The journal: durable operations and their steps, leases for workers, idempotency keys per org."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from vcdtpm.adapters.journal.errors import LeaseLost, StepOutOfOrder
from vcdtpm.adapters.journal.events import operation_changed, step_changed
from vcdtpm.adapters.journal.queries import by_key, check_key, claimable, held, insert_steps, one, stats
from vcdtpm.adapters.journal.rows import load_operation, load_operations
from vcdtpm.adapters.journal.schema import create_tables, make_engine, operations, steps, utcnow
from vcdtpm.adapters.journal.sealing import TokenSeal
from vcdtpm.adapters.journal.views import request_digest
from vcdtpm.domain.errors import Invalid, NotFound
from vcdtpm.domain.steps import StepSpec
from vcdtpm.ports import Failure, OperationStatus, OperationView, StepStatus

CREATE_ATTEMPTS = 3
CLAIM_ATTEMPTS = 8


class Journal:
    """Operations as rows: a SQLite file for one process, or PostgreSQL shared by replicas.

    Every change a worker makes is conditional on it still holding the operation's lease;
    one that lost it gets LeaseLost and must stop. Times come from `clock` (aware UTC).
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utcnow, token_key: str | bytes | None = None):
        self._engine, self._lock = make_engine(url)
        self._postgres = self._engine.dialect.name == "postgresql"
        self._clock = clock
        self._seal = TokenSeal(token_key)
        create_tables(self._engine)
        self._seal_plain_tokens()

    def _seal_plain_tokens(self) -> None:
        """Tokens an earlier release stored in plaintext, sealed now."""
        with self._tx(write=True) as conn:
            stored = conn.execute(sa.select(operations.c.id, operations.c.token).where(operations.c.token.is_not(None)))
            for op_id, token in stored.all():
                if not TokenSeal.is_sealed(token):
                    sealed = self._seal.seal(token)
                    conn.execute(sa.update(operations).where(operations.c.id == op_id).values(token=sealed))

    def __repr__(self) -> str:
        return f"Journal({self._engine.url!r})"  # SQLAlchemy masks any password

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[sa.Connection]:
        with self._lock or nullcontext(), self._engine.connect() as conn:
            conn.execution_options(journal_write=write)
            with conn.begin():
                yield conn

    # -- creating and reading -----------------------------------------------------
    def create(
        self,
        *,
        org: str,
        user: str,
        operation: str,
        request: dict[str, Any],
        plan: dict[str, Any],
        steps: builtins.list[StepSpec],
        idempotency_key: str | None,
        token: str,
    ) -> tuple[OperationView, bool]:
        """A new queued operation, or the one this org's `idempotency_key` already names.

        The same key with another request body raises IdempotencyKeyReused.
        Concurrent creates with one key make one operation.
        """
        check_key(idempotency_key)
        digest = request_digest(request)
        for attempt in range(CREATE_ATTEMPTS):
            try:
                with self._tx(write=True) as conn:
                    found = by_key(conn, org, idempotency_key, operation, digest)
                    if found is not None:
                        return one(conn, found), False
                    op_id = self._insert(
                        conn,
                        org=org,
                        username=user,
                        operation=operation,
                        request=request,
                        request_sha256=digest,
                        plan=plan,
                        idempotency_key=idempotency_key,
                        token=self._seal.seal(token) if token else None,
                    )
                    insert_steps(conn, op_id, steps)
                    made = one(conn, op_id)
                operation_changed(made.id, OperationStatus.QUEUED, operation=operation)
                return made, True
            except IntegrityError:
                if idempotency_key is None or attempt == CREATE_ATTEMPTS - 1:
                    raise
        raise RuntimeError(f"no operation made in {CREATE_ATTEMPTS} attempts")  # reached only if CREATE_ATTEMPTS < 1

    def find(
        self, *, org: str, idempotency_key: str | None, operation: str, request: dict[str, Any]
    ) -> OperationView | None:
        """The org's operation already made under `idempotency_key` for this very
        request, or None; IdempotencyKeyReused when the key named another body."""
        check_key(idempotency_key)
        with self._tx() as conn:
            found = by_key(conn, org, idempotency_key, operation, request_digest(request))
            return None if found is None else load_operation(conn, operations.c.id == found)

    def _insert(self, conn: sa.Connection, **values: Any) -> str:
        op_id, now = str(uuid.uuid4()), self._clock()
        conn.execute(
            sa.insert(operations).values(
                id=op_id, status=OperationStatus.QUEUED, created_at=now, updated_at=now, **values
            )
        )
        return op_id

    def get(self, op_id: str, org: str, with_plan: bool = True) -> OperationView | None:
        """The operation, or None when it does not exist or belongs to another org;
        without `with_plan`, its plan is not read (the view's plan is empty)."""
        with self._tx() as conn:
            return load_operation(conn, (operations.c.id == op_id) & (operations.c.org == org), with_plan)

    def plan_of(self, op_id: str, org: str) -> dict[str, Any] | None:
        """The plan an operation was accepted on, or None when there is no such operation in the org."""
        with self._tx() as conn:
            query = sa.select(operations.c.plan).where((operations.c.id == op_id) & (operations.c.org == org))
            return conn.execute(query).scalar()

    def page(
        self, org: str, *, page: int, page_size: int, status: OperationStatus | None = None
    ) -> tuple[builtins.list[OperationView], int]:
        """One page (1-based) of the org's operations, newest first, without their plans; and how
        many there are in all (of that status, when given)."""
        where = operations.c.org == org
        if status is not None:
            where = where & (operations.c.status == status.value)
        with self._tx() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(operations).where(where)).scalar() or 0
            views = load_operations(
                conn, where, newest_first=True, limit=page_size, offset=(page - 1) * page_size, with_plan=False
            )
        return views, int(total)

    def token_of(self, op_id: str) -> str | None:
        """The token stored (sealed) to resume the operation with; None once it has finished, or when
        it was sealed with another key."""
        with self._tx() as conn:
            query = sa.select(operations.c.token).where(operations.c.id == op_id)
            return self._seal.open(conn.execute(query).scalar())

    def stats(self) -> tuple[dict[str, int], datetime | None]:
        """Operations by status, and the creation time of the oldest one still queued or running."""
        with self._tx() as conn:
            return stats(conn)

    # -- leases ---------------------------------------------------------------------
    def claim(self, worker: str, lease_seconds: float) -> OperationView | None:
        """Lease the oldest operation that is queued or whose lease has lapsed; mark it running."""
        claimed = self._claim(worker, lease_seconds)
        if claimed is not None:
            operation_changed(claimed.id, OperationStatus.RUNNING, worker)
        return claimed

    def _claim(self, worker: str, lease_seconds: float) -> OperationView | None:
        for _ in range(CLAIM_ATTEMPTS):
            with self._tx(write=True) as conn:
                now = self._clock()
                candidate = sa.select(operations.c.id).where(claimable(now))
                candidate = candidate.order_by(operations.c.seq).limit(1)
                if self._postgres:
                    candidate = candidate.with_for_update(skip_locked=True)
                op_id = conn.execute(candidate).scalar()
                if op_id is None:
                    return None
                taken = conn.execute(
                    sa.update(operations)
                    .where(operations.c.id == op_id, claimable(now))
                    .values(
                        status=OperationStatus.RUNNING,
                        attempts=sa.func.coalesce(operations.c.attempts, 0) + 1,
                        owner=worker,
                        updated_at=now,
                        lease_expires=now + timedelta(seconds=lease_seconds),
                    )
                )
                if taken.rowcount == 1:
                    return load_operation(conn, operations.c.id == op_id)
        return None

    def renew(self, op_id: str, worker: str, lease_seconds: float) -> bool:
        """Extend a lease the worker still holds; False when it has lapsed or passed on."""
        with self._tx(write=True) as conn:
            now = self._clock()
            renewed = conn.execute(
                sa.update(operations)
                .where(held(op_id, worker, now))
                .values(lease_expires=now + timedelta(seconds=lease_seconds), updated_at=now)
            )
            return renewed.rowcount == 1

    def _hold(self, conn: sa.Connection, op_id: str, worker: str, now: datetime) -> None:
        """Touch the operation if the worker holds its lease (locking the row), else LeaseLost."""
        touched = conn.execute(sa.update(operations).where(held(op_id, worker, now)).values(updated_at=now))
        if touched.rowcount != 1:
            raise LeaseLost(op_id, worker)

    # -- steps and the end ------------------------------------------------------------
    def step_issuing(self, op_id: str, index: int, worker: str) -> None:
        """Record, before a backend request is sent, that the step is being issued."""
        self._move_step(
            op_id,
            index,
            worker,
            StepStatus.ISSUING,
            (StepStatus.PENDING, StepStatus.ISSUING),
            lambda row, now: {"started_at": row.started_at or now},
        )

    def step_attached(self, op_id: str, index: int, worker: str, task: str) -> None:
        """Record the backend task (href or id) carrying the step: it is now running."""
        self._move_step(
            op_id,
            index,
            worker,
            StepStatus.RUNNING,
            (StepStatus.ISSUING, StepStatus.RUNNING),
            lambda row, now: {"task": task},
        )

    def step_progress(self, op_id: str, index: int, worker: str, progress: int) -> None:
        share = max(0, min(100, int(progress)))
        self._move_step(
            op_id, index, worker, StepStatus.RUNNING, (StepStatus.RUNNING,), lambda row, now: {"progress": share}
        )

    def step_succeeded(self, op_id: str, index: int, worker: str, result: dict) -> None:
        self._move_step(
            op_id,
            index,
            worker,
            StepStatus.SUCCEEDED,
            (StepStatus.ISSUING, StepStatus.RUNNING),
            lambda row, now: {
                "result": result,
                "progress": 100,
                "finished_at": now,
                "started_at": row.started_at or now,
            },
        )

    def step_failed(self, op_id: str, index: int, worker: str, error: Failure) -> None:
        self._move_step(
            op_id,
            index,
            worker,
            StepStatus.FAILED,
            (StepStatus.PENDING, StepStatus.ISSUING, StepStatus.RUNNING),
            lambda row, now: {"error": error.to_json(), "finished_at": now, "started_at": row.started_at or now},
        )

    def _move_step(
        self,
        op_id: str,
        index: int,
        worker: str,
        target: str,
        allowed: tuple[str, ...],
        values: Callable[[Any, datetime], dict],
    ) -> None:
        with self._tx(write=True) as conn:
            now = self._clock()
            self._hold(conn, op_id, worker, now)
            this_step = (steps.c.op_id == op_id) & (steps.c.idx == index)
            row = conn.execute(sa.select(steps.c.status, steps.c.started_at).where(this_step)).first()
            if row is None:
                raise NotFound(kind="Step", id=f"{index} of operation {op_id}")
            if row.status not in allowed:
                raise StepOutOfOrder(op_id, index, row.status, target)
            conn.execute(sa.update(steps).where(this_step).values(status=target, **values(row, now)))
        if row.status != target:
            step_changed(op_id, index, target, worker)

    def finish(
        self,
        op_id: str,
        worker: str,
        status: OperationStatus,
        result: dict[str, Any] | None,
        error: Failure | None = None,
    ) -> None:
        """End the operation (succeeded or failed), free its lease and forget the token.

        `owner` stays as the worker that finished it, for the record."""
        if status not in (OperationStatus.SUCCEEDED, OperationStatus.FAILED):
            raise Invalid("status", f"must be succeeded or failed, not {status!r}")
        with self._tx(write=True) as conn:
            now = self._clock()
            self._hold(conn, op_id, worker, now)
            conn.execute(
                sa.update(operations)
                .where(operations.c.id == op_id)
                .values(
                    status=status,
                    result=result,
                    error=error.to_json() if error else None,
                    owner=worker,
                    lease_expires=None,
                    token=None,
                    updated_at=now,
                )
            )
        operation_changed(op_id, status, worker)

    def list(self, org: str, limit: int = 100) -> builtins.list[OperationView]:
        """The org's operations, newest first."""
        with self._tx() as conn:
            return load_operations(conn, operations.c.org == org, newest_first=True, limit=max(1, int(limit)))
