"""The Journal port: durable operations and steps, their statuses, views and failures."""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from vcdtpm.domain.errors import Conflict
from vcdtpm.domain.steps import StepSpec


@dataclass(frozen=True)
class Failure:
    """Why a step, and so its operation, failed: what failed, the reason Cloud Director (or the
    service) gave, the name of the step it failed in (None for records written before steps were named), and
    `status` the HTTP status that tells the failure's kind where one does (403: the rights in `rights` are
    missing from the caller's role)."""

    summary: str
    reason: str
    step: str | None = None
    status: int | None = None
    rights: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"summary": self.summary, "reason": self.reason}
        if self.step is not None:
            out["step"] = self.step
        if self.status is not None:
            out["status"] = self.status
        if self.rights:
            out["rights"] = list(self.rights)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        """From the journal; records written before this type carry `title` / `detail`."""
        step = data.get("step")
        status = data.get("status") if "summary" in data else None  # a legacy problem's status is not ours
        return cls(
            str(data.get("summary", data.get("title", ""))),
            str(data.get("reason", data.get("detail", ""))),
            None if step is None else str(step),
            int(status) if isinstance(status, int) else None,
            tuple(str(r) for r in data.get("rights") or ()),
        )


class OperationStatus(enum.StrEnum):
    """Where an operation is: queued until a worker claims it, then running until it ends."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (OperationStatus.SUCCEEDED, OperationStatus.FAILED)


class StepStatus(enum.StrEnum):
    """A step's lifecycle: `issuing` is journaled before its request leaves, `running` once its task is known."""

    PENDING = "pending"
    ISSUING = "issuing"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class StepView:
    """A step as recorded: `issuing` means a backend request may have been sent without a task yet."""

    index: int
    name: str
    kind: str
    params: dict[str, Any]
    status: StepStatus
    task: str | None
    progress: int
    result: dict[str, Any] | None
    error: Failure | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class OperationView:
    """An operation as recorded, with its steps; the caller's token is never part of it."""

    id: str
    org: str
    user: str
    operation: str
    status: OperationStatus
    progress: int
    steps: tuple[StepView, ...]
    result: dict[str, Any] | None
    error: Failure | None
    plan: dict[str, Any]
    request: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    owner: str | None
    lease_expires: datetime | None
    attempts: int = 0  # how many times a worker has claimed it


class LeaseLost(Conflict):
    """The worker no longer holds the operation's lease; it must stop acting on it."""

    slug = "lease-lost"
    template = "Operation {op_id} is no longer leased to {worker}."

    def __init__(self, op_id: str, worker: str):
        super().__init__(op_id=op_id, worker=worker)
        self.op_id = op_id
        self.worker = worker


class Journal(Protocol):
    """The durable record of operations and their steps, shared by every replica.

    Guarantees: one operation per (org, idempotency key, request); a step moves
    only forward (pending -> issuing -> running -> succeeded | failed) and only
    for the worker holding the operation's lease (`LeaseLost` otherwise); the
    caller's token is kept only until the operation ends.
    """

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
        """A new queued operation, or the one this key already names (created: False)."""

    def find(
        self, *, org: str, idempotency_key: str | None, operation: str, request: dict[str, Any]
    ) -> OperationView | None:
        """The operation this key already names for this very request, or None."""

    def get(self, op_id: str, org: str, with_plan: bool = True) -> OperationView | None:
        """The operation in `org`, or None; without `with_plan` its plan is left unread (empty)."""

    def plan_of(self, op_id: str, org: str) -> dict[str, Any] | None:
        """The plan an operation of `org` was accepted on, or None."""

    def list(self, org: str, limit: int = 100) -> builtins.list[OperationView]: ...

    def page(
        self, org: str, *, page: int, page_size: int, status: OperationStatus | None = None
    ) -> tuple[builtins.list[OperationView], int]:
        """One 1-based page of the org's operations, newest first and without plans, and the total."""

    def token_of(self, op_id: str) -> str | None:
        """The token the operation acts with, while it has not ended."""

    def claim(self, worker: str, lease_seconds: float) -> OperationView | None:
        """Lease one queued or abandoned operation to `worker`, or None; each claim counts in `attempts`."""

    def renew(self, op_id: str, worker: str, lease_seconds: float) -> bool: ...

    def step_issuing(self, op_id: str, index: int, worker: str) -> None: ...

    def step_attached(self, op_id: str, index: int, worker: str, task: str) -> None: ...

    def step_progress(self, op_id: str, index: int, worker: str, progress: int) -> None: ...

    def step_succeeded(self, op_id: str, index: int, worker: str, result: dict) -> None: ...

    def step_failed(self, op_id: str, index: int, worker: str, error: Failure) -> None: ...

    def finish(
        self, op_id: str, worker: str, status: OperationStatus, result: dict | None, error: Failure | None
    ) -> None: ...

    def stats(self) -> tuple[dict[str, int], datetime | None]:
        """Operations by status, and when the oldest one still queued or running was made (None: none)."""

    def close(self) -> None: ...
