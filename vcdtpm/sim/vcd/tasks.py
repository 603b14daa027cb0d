"""Tasks with a lifecycle, as long-running actions report them under /api/task/{id}."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.errors import VcdError
from vcdtpm.sim.vcd.ids import Hrefs, urn

QUEUED, PRE_RUNNING, RUNNING = "queued", "preRunning", "running"
SUCCESS, ERROR, ABORTED = "success", "error", "aborted"
FINAL = (SUCCESS, ERROR, ABORTED)

# What a task does when it completes: changes the inventory and answers (kind, id, name) of
# what it made, or raises VcdError to fail the task.
Effect = Callable[[], "tuple[str, str, str] | None"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class SimTask:
    """One task: `owner` is (kind, id, name) of the object it works on."""

    operation_name: str
    operation: str
    org: str
    user: str
    owner: tuple[str, str, str]
    status: str = QUEUED
    progress: int = 0
    error: tuple[int, str, str] | None = None  # (status, minorErrorCode, message)
    result: tuple[str, str, str] | None = None  # (kind, id, name) of what it made
    effect: Effect | None = field(default=None, repr=False)
    duration: float = 0.0
    created: float = field(default_factory=time.monotonic)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    start_time: str = field(default_factory=_now)
    end_time: str | None = None


class TaskStore:
    """All tasks; actions create them, `tick` moves them along their lifecycle.

    A task with an effect stays queued until the next request the simulator serves, runs
    for `delay` seconds with growing progress, then applies its effect exactly once.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self._lock = threading.RLock()
        self._tasks: dict[str, SimTask] = {}

    def create(self, **fields) -> SimTask:
        fields.setdefault("duration", self.delay)
        task = SimTask(**fields)
        with self._lock:
            self._tasks[task.id] = task
        return task

    def get(self, task_id: str) -> SimTask | None:
        with self._lock:
            return self._tasks.get(task_id)

    def all(self) -> list[SimTask]:
        with self._lock:
            return list(self._tasks.values())

    def tick(self) -> None:
        """Advance every task that has an effect; call with the inventory lock held."""
        with self._lock:
            for task in list(self._tasks.values()):
                if task.effect is not None and task.status not in FINAL:
                    self._step(task, task.effect)

    def _step(self, task: SimTask, effect: Effect) -> None:
        elapsed = time.monotonic() - task.created
        if task.status == QUEUED or elapsed < task.duration:
            fraction = elapsed / task.duration if task.duration > 0 else 0.0
            self.advance(task.id, RUNNING, min(99, int(fraction * 100)))
            return
        try:
            task.result = effect()
        except VcdError as failure:
            self.advance(task.id, ERROR, error=(failure.status, failure.minor, failure.message))
            return
        self.advance(task.id, SUCCESS)

    def advance(
        self, task_id: str, status: str, progress: int | None = None, error: tuple[int, str, str] | None = None
    ) -> None:
        with self._lock:
            task = self._tasks[task_id]
            task.status = status
            task.progress = 100 if status == SUCCESS else (progress if progress is not None else task.progress)
            task.error = error
            if status in FINAL:
                task.end_time = _now()


def render_task(task: SimTask, hrefs: Hrefs, owner_href: str, owner_type: str, org: tuple[str, str] | None = None):
    """A Task in TaskType's element order; `Result/ResultContent` names what it made."""
    element = x.root(
        "Task",
        href=hrefs.task(task.id),
        id=urn("task", task.id),
        type=x.TASK,
        name="task",
        status=task.status,
        operation=task.operation,
        operationName=task.operation_name,
        serviceNamespace="com.vmware.vcloud",
        startTime=task.start_time,
        endTime=task.end_time,
        cancelRequested=False,
    )
    if task.status not in FINAL:
        x.link(element, "task:cancel", hrefs.task(task.id) + "/action/cancel")
    kind, owner_id, owner_name = task.owner
    x.ref(element, "Owner", owner_href, owner_type, owner_name, urn(kind, owner_id))
    if task.error is not None:
        status, minor, message = task.error
        x.sub(element, "Error", majorErrorCode=status, minorErrorCode=minor, message=message)
    x.sub(element, "User", name=task.user, type=x.USER)
    if org is not None:
        x.ref(element, "Organization", org[0], x.ORG, org[1])
    x.sub(element, "Progress", task.progress)
    if task.result is not None and task.status == SUCCESS:
        made_kind, made_id, _name = task.result
        x.sub(x.sub(element, "Result"), "ResultContent", urn(made_kind, made_id))
    return element
