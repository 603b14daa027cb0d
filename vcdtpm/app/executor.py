"""Drives journaled operations to their end: each step issued once, re-attached after a crash."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from vcdtpm.domain.errors import BackendUnavailable, MissingRights, Unauthorized, VcdTpmError
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

# what is worth another try: the backend could not be reached or was overloaded, not what it decided
TRANSIENT: tuple[type[Exception], ...] = (BackendUnavailable, ConnectionError, TimeoutError)
SESSION_ENDED = (
    "the Cloud Director session this operation acts with has ended (its token expired or was revoked, "
    "or Cloud Director restarted): submit the operation again"
)


class _Stopped(Exception):
    """The executor is stopping while a step waits to be retried."""


class _Raised(Exception):
    """What a backend call (or reading a step's parameters) raised, apart from the journal's own errors."""

    def __init__(self, error: Exception):
        super().__init__(type(error).__name__)
        self.error = error


@contextmanager
def _backend() -> Iterator[None]:
    """Mark what the block raises as the step's: the error boundary judges it; journal errors pass by it."""
    try:
        yield
    except Exception as exc:
        raise _Raised(exc) from exc


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, VcdTpmError) else type(exc).__name__


FIRST_POLL, POLL_GROWTH = 0.05, 1.5


def poll_intervals(longest: float) -> Iterator[float]:
    """The waits between reads of a running task: 0.05 s first, half as long again each time,
    never above `longest` (`poll_seconds`). A task that ends early is seen within ~0.1 s of its
    end; a long one is read every `longest` seconds, so Cloud Director is not hammered."""
    wait = min(FIRST_POLL, longest)
    while True:
        yield wait
        wait = min(wait * POLL_GROWTH, longest)


class Executor:
    """Claims operations from the journal and carries out their steps.

    A step goes pending -> issuing (journaled before the request leaves) ->
    running (the vCD task or new entity href journaled) -> succeeded/failed. After
    a crash, a running step is re-attached to what was journaled and an issuing one
    is looked up by what Cloud Director records of its task (`find_task` with the
    step's intent), so no request is ever sent twice.
    """

    def __init__(
        self,
        journal: Journal,
        cloud: CloudDirector,
        worker: str | None = None,
        lease: float = 30.0,
        poll: float = 0.2,
        *,
        retry_deadline: float = 900.0,
        retry_backoff: tuple[float, float] = (1.0, 30.0),
        max_attempts: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ):
        self.journal, self.cloud = journal, cloud
        self.worker = worker or f"worker-{uuid.uuid4().hex[:8]}"
        self.lease, self.poll = lease, poll
        self.retry_deadline, self.retry_backoff, self.max_attempts = retry_deadline, retry_backoff, max_attempts
        self._clock = clock
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
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
        """Claim one operation and drive it; False when there was none. Nothing it raises escapes:
        an operation left unfinished is claimed again when its lease lapses, at most `max_attempts` times."""
        op = self.journal.claim(self.worker, self.lease)
        if op is None:
            return False
        try:
            if op.attempts > self.max_attempts:
                self._give_up(op)
            else:
                self.drive(op)
        except LeaseLost:
            log.warning("operation %s was taken over by another worker", op.id)
        except _Stopped:
            log.info("operation %s left to the next worker: this one is stopping", op.id)
        except Exception as exc:
            log.error("operation %s left unfinished (claim %d): %s", op.id, op.attempts, type(exc).__name__)
        return True

    def _give_up(self, op: OperationView) -> None:
        """A poison operation: claimed `max_attempts` times without ending. It fails, in the step it was at."""
        step = next((s for s in op.steps if s.status not in (StepStatus.SUCCEEDED, StepStatus.FAILED)), None)
        failure = Failure(
            f"{step.name if step else op.operation} failed",
            f"the service could not carry this operation to its end in {self.max_attempts} attempts",
            step.name if step else None,
        )
        if step is not None:
            self.journal.step_failed(op.id, step.index, self.worker, failure)
        results = {s.index: s.result or {} for s in op.steps if s.status is StepStatus.SUCCEEDED}
        self._finish(op, OperationStatus.FAILED, results, failure)

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
            outcome = self._bounded_step(op, step, session, results)
            if isinstance(outcome, Failure):
                return self._finish(op, OperationStatus.FAILED, results, outcome)
            results[step.index] = outcome
        self._finish(op, OperationStatus.SUCCEEDED, results, None)

    # -- the error boundary ------------------------------------------------------------
    def _bounded_step(self, op: OperationView, step: StepView, session: Session, results: dict) -> dict | Failure:
        """Run one step under the one error boundary: whatever it raises, it ends in a result or a Failure.

        Transient errors (Cloud Director unavailable, 502/503/504, timeouts, connection errors) are retried
        with capped exponential backoff until `retry_deadline`, each retry starting again from what the
        journal holds (so a request that may have left is looked up, never sent twice); anything else is
        permanent and fails the step. LeaseLost passes: the operation is no longer this worker's."""
        deadline = self._clock() + self.retry_deadline
        delay, cap = self.retry_backoff
        while True:
            try:
                return self._run_step(op, step, session, results)
            except _Raised as raised:
                exc = raised.error
            if isinstance(exc, MissingRights):  # Cloud Director's 403 for the caller's role: the rights it lacks
                return self._fail(op, step, exc.message, status=403, rights=exc.rights)
            if not isinstance(exc, TRANSIENT):
                return self._fail(op, step, self._permanent_reason(op, step, exc))
            if self._clock() + delay > deadline:
                return self._fail(op, step, f"Cloud Director stayed unavailable past the deadline: {_reason(exc)}")
            log.warning("operation %s step %d: %s; again in %.1fs", op.id, step.index, _reason(exc), delay)
            self._check(self.journal.renew(op.id, self.worker, self.lease + delay))
            self._sleep(delay)
            if self._stop.is_set():
                raise _Stopped()  # the operation stays claimable: whoever runs next carries on
            delay = min(delay * 2, cap)
            step = self._journaled(op, step)

    @staticmethod
    def _permanent_reason(op: OperationView, step: StepView, exc: Exception) -> str:
        if isinstance(exc, Unauthorized):
            return SESSION_ENDED
        if isinstance(exc, VcdTpmError):
            return exc.message
        log.error("operation %s step %d failed unexpectedly", op.id, step.index, exc_info=exc)
        return f"the service could not carry out this step ({type(exc).__name__})"

    def _journaled(self, op: OperationView, step: StepView) -> StepView:
        """The step as the journal holds it now."""
        fresh = self.journal.get(op.id, op.org)
        return fresh.steps[step.index] if fresh is not None else step

    def _fail(
        self, op: OperationView, step: StepView, reason: str, status: int | None = None, rights: tuple[str, ...] = ()
    ) -> Failure:
        failure = Failure(f"{step.name} failed", reason, step.name, status, rights)
        self.journal.step_failed(op.id, step.index, self.worker, failure)
        return failure

    def _run_step(self, op: OperationView, step: StepView, session: Session, results: dict) -> dict | Failure:
        """The step's result (the URNs it made), or why it failed."""
        request_id = f"{op.id}-{step.index}"
        href = step.task
        with _backend():
            params = resolve_refs(params_from_json(step.kind, step.params), results)
        if href is None and step.status is StepStatus.ISSUING:
            intent = StepIntent(step.kind, params, step.started_at)
            with _backend():
                href = self.cloud.find_task(session, request_id, intent)
            if href is not None:  # sent before the crash, never journaled
                self.journal.step_attached(op.id, step.index, self.worker, href)
        if href is None:
            self.journal.step_issuing(op.id, step.index, self.worker)
            with _backend():
                href = self.cloud.start(session, step.kind, params, request_id)
            self.journal.step_attached(op.id, step.index, self.worker, href)
        return self._follow(op, step, session, href)

    def _follow(self, op: OperationView, step: StepView, session: Session, href: str) -> dict | Failure:
        last = -1
        waits = poll_intervals(self.poll)
        while True:
            with _backend():
                state = self.cloud.task(session, href)
            if state.progress != last:
                self.journal.step_progress(op.id, step.index, self.worker, state.progress)
                last = state.progress
            if state.done:
                break
            self._check(self.journal.renew(op.id, self.worker, self.lease))
            time.sleep(next(waits))
        if state.status == "success":
            self.journal.step_succeeded(op.id, step.index, self.worker, state.result or {})
            return state.result or {}
        failure = Failure(f"{step.name} failed", state.error or f"the task ended {state.status}", step.name)
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
