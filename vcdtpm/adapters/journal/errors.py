"""Error families of the journal: reused idempotency keys, lost leases, steps out of order."""

from __future__ import annotations

from vcdtpm.domain.errors import Conflict, Invalid


class IdempotencyKeyReused(Invalid):
    """An Idempotency-Key already names an operation with another request body."""

    slug = "idempotency-key-reused"

    def __init__(self, key: str):
        super().__init__("Idempotency-Key", "was already used in this org for a different request body")
        self.key = key


class LeaseLost(Conflict):
    """The worker no longer holds the operation's lease; it must stop acting on it."""

    slug = "lease-lost"
    template = "Operation {op_id} is no longer leased to {worker}."

    def __init__(self, op_id: str, worker: str):
        super().__init__(op_id=op_id, worker=worker)
        self.op_id = op_id
        self.worker = worker


class StepOutOfOrder(Conflict):
    """A step was asked to move to a status its current status cannot lead to."""

    slug = "step-out-of-order"
    template = "Step {index} of operation {op_id} is {current}; it cannot become {target}."

    def __init__(self, op_id: str, index: int, current: str, target: str):
        super().__init__(op_id=op_id, index=index, current=current, target=target)
        self.op_id = op_id
        self.index = index
