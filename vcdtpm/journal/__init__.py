"""Durable operations and idempotency keys: the journal workers resume from."""
from vcdtpm.journal.errors import IdempotencyKeyReused, LeaseLost, StepOutOfOrder
from vcdtpm.journal.schema import sqlite_url
from vcdtpm.journal.store import Journal
from vcdtpm.journal.views import (FAILED, ISSUING, OPERATION_STATUSES, PENDING, QUEUED, RUNNING,
                                  STEP_STATUSES, SUCCEEDED, OperationView, StepSpec, StepView)

__all__ = [
    "Journal", "OperationView", "StepSpec", "StepView", "sqlite_url",
    "IdempotencyKeyReused", "LeaseLost", "StepOutOfOrder",
    "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "PENDING", "ISSUING",
    "OPERATION_STATUSES", "STEP_STATUSES",
]
