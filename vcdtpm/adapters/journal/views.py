"""What the journal hands out: frozen views of operations and steps, and the step specs it takes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
PENDING, ISSUING = "pending", "issuing"
OPERATION_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
STEP_STATUSES = (PENDING, ISSUING, RUNNING, SUCCEEDED, FAILED)
TERMINAL = (SUCCEEDED, FAILED)


@dataclass(frozen=True)
class StepSpec:
    """One step of a plan to carry out: a name, a kind the worker knows, and its parameters."""

    name: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepView:
    """A step as recorded: `issuing` means a backend request may have been sent without a task yet."""

    index: int
    name: str
    kind: str
    params: dict[str, Any]
    status: str
    task: str | None
    progress: int
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class OperationView:
    """An operation as recorded, with its steps; the caller's token is never part of it."""

    id: str
    org: str
    user: str
    operation: str
    status: str
    progress: int
    steps: tuple[StepView, ...]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    plan: dict[str, Any]
    request: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    owner: str | None
    lease_expires: datetime | None


def derive_progress(status: str, steps: tuple[StepView, ...]) -> int:
    """0-100: each succeeded step counts whole, any other step its own share; 100 only on success."""
    if status == SUCCEEDED:
        return 100
    if not steps:
        return 0
    done = sum(1.0 if step.status == SUCCEEDED else step.progress / 100 for step in steps)
    return min(99, int(100 * done / len(steps)))


def request_digest(request: dict[str, Any]) -> str:
    """The sha256 of the request's canonical JSON: sorted keys, no insignificant whitespace."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
