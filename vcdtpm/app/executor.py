"""Drives journaled operations to their end: each step issued once, re-attached after a crash."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from vcdtpm.domain.errors import MissingRights, VcdTpmError
from vcdtpm.domain.steps import params_from_json, resolve_refs
from vcdtpm.ports import (
    CloudDirector,
    Failure,
    Journal,
    LeaseLost,
    OperationStatus,
    OperationView,
    Session,
    StepIntent,
    StepStatus,
    StepView,
)

log = logging.getLogger("vcdtpm.app.executor")


class Executor:
    """Claims operations from the journal and carries out their steps.

    A step goes pending -> issuing (journaled before the request leaves) ->
    running (the vCD task or new entity href journaled) -> succeeded/failed. After
    a crash, a running step is re-attached to what was journaled and an issuing one
    is looked up by what Cloud Director records of its task (`find_task` with the
    step's intent), so no request is ever sent twice.
    """

    def __init__(
        self, journal: Journal, cloud: CloudDirector, worker: str | None = None, lease: float = 30.0, poll: float = 0.2
    ):
        self.journal, self.cloud = journal, cloud
        self.worker = worker or f"worker-{uuid.uuid4().hex[:8]}"
        self.lease, self.poll = lease, poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the loop -------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.worker, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("executor loop error")
                busy = False
            if not busy:
                self._wake.wait(1.0)
                self._wake.clear()

    def run_once(self) -> bool:
        """Claim one operation and drive it; False when there was none."""
        op = self.journal.claim(self.worker, self.lease)
        if op is None:
            return False
        try:
            self.drive(op)
        except LeaseLost:
            log.warning("operation %s was taken over by another worker", op.id)
        return True

    # -- one operation --------------------------------------------------------
    def drive(self, op: OperationView) -> None:
        session = Session(self.journal.token_of(op.id) or "", op.org, op.user, False)
        results: dict[int, dict] = {}
        for step in op.steps:
            if step.status is StepStatus.SUCCEEDED:
                results[step.index] = step.result or {}
                continue
            if step.status is StepStatus.FAILED:
                return self._finish(op, OperationStatus.FAILED, results, step.error)
            outcome = self._run_step(op, step, session, results)
            if isinstance(outcome, Failure):
                return self._finish(op, OperationStatus.FAILED, results, outcome)
            results[step.index] = outcome
        self._finish(op, OperationStatus.SUCCEEDED, results, None)

    def _run_step(self, op: OperationView, step: StepView, session: Session, results: dict) -> dict | Failure:
        """The step's result (the URNs it made), or why it failed."""
        request_id = f"{op.id}-{step.index}"
        href = step.task
        params = resolve_refs(params_from_json(step.kind, step.params), results)
        if href is None and step.status is StepStatus.ISSUING:
            intent = StepIntent(step.kind, params, step.started_at)
            href = self.cloud.find_task(session, request_id, intent)
            if href is not None:  # sent before the crash, never journaled
                self.journal.step_attached(op.id, step.index, self.worker, href)
        if href is None:
            self.journal.step_issuing(op.id, step.index, self.worker)
            try:
                href = self.cloud.start(session, step.kind, params, request_id)
            except MissingRights as exc:
                failure = Failure("Cloud Director refused the request", exc.message, 403, exc.rights)
                self.journal.step_failed(op.id, step.index, self.worker, failure)
                return failure
            except VcdTpmError as exc:
                failure = Failure("Cloud Director refused the request", exc.message)
                self.journal.step_failed(op.id, step.index, self.worker, failure)
                return failure
            self.journal.step_attached(op.id, step.index, self.worker, href)
        return self._follow(op, step, session, href)

    def _follow(self, op: OperationView, step: StepView, session: Session, href: str) -> dict | Failure:
        last = -1
        while True:
            state = self.cloud.task(session, href)
            if state.progress != last:
                self.journal.step_progress(op.id, step.index, self.worker, state.progress)
                last = state.progress
            if state.done:
                break
            self._check(self.journal.renew(op.id, self.worker, self.lease))
            time.sleep(self.poll)
        if state.status == "success":
            self.journal.step_succeeded(op.id, step.index, self.worker, state.result or {})
            return state.result or {}
        failure = Failure(f"{step.name} failed", state.error or f"the task ended {state.status}")
        self.journal.step_failed(op.id, step.index, self.worker, failure)
        return failure

    def _finish(self, op: OperationView, status: OperationStatus, results: dict, error: Failure | None) -> None:
        merged: dict = {}
        for index in sorted(results):
            for key, value in (results[index] or {}).items():
                merged.setdefault(key, value)
        self.journal.finish(op.id, self.worker, status, merged, error)

    def _check(self, ok: bool) -> None:
        """A lease the journal would not renew is lost: stop acting on the operation."""
        if not ok:
            raise LeaseLost("", self.worker)
