"""How the journal derives what it records: an operation's progress and a request's digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from vcdtpm.ports import OperationStatus, StepStatus, StepView


def derive_progress(status: str, steps: tuple[StepView, ...]) -> int:
    """0-100: each succeeded step counts whole, any other step its own share; 100 only on success."""
    if status == OperationStatus.SUCCEEDED:
        return 100
    if not steps:
        return 0
    done = sum(1.0 if step.status == StepStatus.SUCCEEDED else step.progress / 100 for step in steps)
    return min(99, int(100 * done / len(steps)))


def request_digest(request: dict[str, Any]) -> str:
    """The sha256 of the request's canonical JSON: sorted keys, no insignificant whitespace."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
