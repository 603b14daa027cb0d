"""One log event (and one count) per state change of an operation or a step, once it is committed."""

from __future__ import annotations

import logging

from vcdtpm.metrics import OPERATION_CHANGES

log = logging.getLogger("vcdtpm.operations")


def operation_changed(op_id: str, status: str, worker: str | None = None, operation: str | None = None) -> None:
    OPERATION_CHANGES.labels(str(status)).inc()
    log.info(
        "operation %s is %s",
        op_id,
        status,
        extra={"event": "operation.status", "operation_id": op_id, "status": str(status), "worker": worker}
        | ({"operation": operation} if operation else {}),
    )


def step_changed(op_id: str, index: int, status: str, worker: str) -> None:
    log.info(
        "operation %s step %d is %s",
        op_id,
        index,
        status,
        extra={
            "event": "operation.step",
            "operation_id": op_id,
            "step": index,
            "status": str(status),
            "worker": worker,
        },
    )
