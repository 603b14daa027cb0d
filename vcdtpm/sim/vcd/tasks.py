"""Tasks with a lifecycle, as long-running actions report them under /api/task/{id}."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.ids import Hrefs, urn

QUEUED, PRE_RUNNING, RUNNING = "queued", "preRunning", "running"
SUCCESS, ERROR, ABORTED = "success", "error", "aborted"
FINAL = (SUCCESS, ERROR, ABORTED)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


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
    error: tuple[int, str, str] | None = None   # (status, minorErrorCode, message)
    result: tuple[str, str, str] | None = None  # (kind, id, name) of what it made
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    start_time: str = field(default_factory=_now)
    end_time: str | None = None


class TaskStore:
    """All tasks; actions create them and move them along their lifecycle."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tasks: dict[str, SimTask] = {}

    def create(self, **fields) -> SimTask:
        task = SimTask(**fields)
        with self._lock:
            self._tasks[task.id] = task
        return task

    def get(self, task_id: str) -> SimTask | None:
        with self._lock:
            return self._tasks.get(task_id)

    def advance(self, task_id: str, status: str, progress: int | None = None,
                error: tuple[int, str, str] | None = None) -> None:
        with self._lock:
            task = self._tasks[task_id]
            task.status = status
            task.progress = 100 if status == SUCCESS else (progress if progress is not None
                                                           else task.progress)
            task.error = error
            if status in FINAL:
                task.end_time = _now()


def render_task(task: SimTask, hrefs: Hrefs, owner_href: str, owner_type: str):
    element = x.root("Task", href=hrefs.task(task.id), id=urn("task", task.id), type=x.TASK,
                     name="task", status=task.status, operation=task.operation,
                     operationName=task.operation_name, serviceNamespace="com.vmware.vcloud",
                     startTime=task.start_time, endTime=task.end_time,
                     cancelRequested=False)
    if task.status not in FINAL:
        x.link(element, "task:cancel", hrefs.task(task.id) + "/action/cancel")
    kind, owner_id, owner_name = task.owner
    x.ref(element, "Owner", owner_href, owner_type, owner_name, urn(kind, owner_id))
    if task.error is not None:
        status, minor, message = task.error
        x.sub(element, "Error", majorErrorCode=status, minorErrorCode=minor, message=message)
    x.sub(element, "User", name=task.user, type=x.USER)
    x.sub(element, "Progress", task.progress)
    return element
