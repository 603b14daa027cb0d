"""Error families of the journal: reused idempotency keys, lost leases, steps out of order."""

from __future__ import annotations

from vcdtpm.domain.errors import Conflict, Invalid
from vcdtpm.ports import LeaseLost

__all__ = ["IdempotencyKeyReused", "LeaseLost", "StepOutOfOrder"]


class IdempotencyKeyReused(Invalid):
    """An idempotency key already names an operation with another request."""

    slug = "idempotency-key-reused"

    def __init__(self, key: str):
        super().__init__("idempotency_key", "was already used in this org for a different request")
        self.key = key


class StepOutOfOrder(Conflict):
    """A step was asked to move to a status its current status cannot lead to."""

    slug = "step-out-of-order"
    template = "Step {index} of operation {op_id} is {current}; it cannot become {target}."

    def __init__(self, op_id: str, index: int, current: str, target: str):
        super().__init__(op_id=op_id, index=index, current=current, target=target)
        self.op_id = op_id
        self.index = index
