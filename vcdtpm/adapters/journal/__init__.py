"""Durable operations and idempotency keys: the journal workers resume from."""

from vcdtpm.adapters.journal.errors import IdempotencyKeyReused, LeaseLost, StepOutOfOrder
from vcdtpm.adapters.journal.schema import sqlite_url
from vcdtpm.adapters.journal.store import Journal
from vcdtpm.adapters.journal.views import (
    FAILED,
    ISSUING,
    OPERATION_STATUSES,
    PENDING,
    QUEUED,
    RUNNING,
    STEP_STATUSES,
    SUCCEEDED,
    OperationView,
    StepSpec,
    StepView,
)

__all__ = [
    "Journal",
    "OperationView",
    "StepSpec",
    "StepView",
    "sqlite_url",
    "IdempotencyKeyReused",
    "LeaseLost",
    "StepOutOfOrder",
    "QUEUED",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "PENDING",
    "ISSUING",
    "OPERATION_STATUSES",
    "STEP_STATUSES",
]
