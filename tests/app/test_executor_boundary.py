"""The executor's error boundary: every operation ends, whatever a step raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.app.test_executor import ADD, COPY, ScriptedCloud, submitted
from vcdtpm.adapters.journal import Journal
from vcdtpm.app.executor import Executor
from vcdtpm.domain.errors import BackendError, BackendUnavailable, Unauthorized


class JournalClock:
    """The journal's clock, moved by hand: leases lapse when a test says so."""

    def __init__(self):
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def lapse(self) -> None:
        self.now += timedelta(hours=1)


@pytest.fixture()
def journal_clock():
    return JournalClock()


@pytest.fixture()
def journal(tmp_path, journal_clock):
    j = Journal(f"sqlite:///{tmp_path / 'journal.db'}", clock=journal_clock)
    yield j
    j.close()


class FakeTime:
    """A clock that moves only when the executor waits: backoff counted, never slept."""

    def __init__(self):
        self.now, self.waits = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def executor(journal, cloud, **options) -> tuple[Executor, FakeTime]:
    fake = FakeTime()
    worker = Executor(journal, cloud, poll=0, clock=fake.clock, sleep=fake.sleep, **options)
    return worker, fake


class Raising(ScriptedCloud):
    """Cloud Director whose `where` call raises `error` the first `times` times."""

    def __init__(self, where: str, error: Exception, times: int = 10**9):
        super().__init__()
        self.where, self.error, self.left = where, error, times
        self.calls = 0

    def _maybe(self, name):
        if name == self.where and self.left > 0:
            self.left -= 1
            self.calls += 1
            raise self.error

    def start(self, session, kind, params, request_id):
        self._maybe("start")
        return super().start(session, kind, params, request_id)

    def task(self, session, href):
        self._maybe("task")
        return super().task(session, href)

    def find_task(self, session, request_id, intent=None):
        self._maybe("find_task")
        return super().find_task(session, request_id, intent)


@pytest.mark.parametrize(
    "error",
    [TypeError("unexpected keyword 'vm'"), ValueError("All strings must be XML compatible"), KeyError("href")],
    ids=["TypeError", "ValueError", "KeyError"],
)
@pytest.mark.parametrize("where", ["start", "task"])
def test_an_unexpected_error_fails_the_operation_with_a_problem_naming_the_step(journal, error, where):
    op = submitted(journal, [COPY, ADD])
    worker, _ = executor(journal, Raising(where, error))
    assert worker.run_once() is True
    done = journal.get(op.id, "acme")
    assert done.status == "failed"
    assert done.error.summary and done.error.reason and done.error.step == "copy_vm"
    assert type(error).__name__ not in done.error.reason or "could not carry out" in done.error.reason
    assert [s.status for s in done.steps] == ["failed", "pending"]
    assert journal.token_of(op.id) is None


def test_a_refused_request_names_the_step(journal):
    op = submitted(journal, [COPY])
    worker, _ = executor(journal, Raising("start", BackendError(backend="Cloud Director", reason="no room")))
    worker.run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "failed" and "no room" in done.error.reason and done.error.step == "copy_vm"


@pytest.mark.parametrize("where", ["start", "task"])
def test_a_passing_outage_is_retried_with_capped_backoff_and_the_operation_succeeds(journal, where):
    op = submitted(journal, [COPY, ADD])
    cloud = Raising(where, BackendUnavailable(backend="Cloud Director", reason="connection failed"), times=6)
    worker, fake = executor(journal, cloud, retry_deadline=600.0, retry_backoff=(1.0, 8.0))
    worker.run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "succeeded", done.error
    assert fake.waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert [kind for kind, _, _ in cloud.started] == ["copy_vm", "edit_tpm"]  # each step sent once


def test_a_request_lost_in_an_outage_is_looked_up_not_sent_again(journal):
    """A start that raised after reaching Cloud Director: the retry finds its task."""
    op = submitted(journal, [COPY])

    class SentThenLost(ScriptedCloud):
        lost = False

        def start(self, session, kind, params, request_id):
            href = super().start(session, kind, params, request_id)
            if not self.lost:
                self.lost = True
                raise BackendUnavailable(backend="Cloud Director", reason="timed out")
            return href

    cloud = SentThenLost()
    worker, _ = executor(journal, cloud, retry_backoff=(1.0, 8.0))
    worker.run_once()
    assert journal.get(op.id, "acme").status == "succeeded"
    assert len(cloud.started) == 1


def test_an_outage_past_the_deadline_fails_the_operation(journal):
    op = submitted(journal, [COPY])
    cloud = Raising("task", BackendUnavailable(backend="Cloud Director", reason="connection failed"))
    worker, fake = executor(journal, cloud, retry_deadline=60.0, retry_backoff=(1.0, 16.0))
    worker.run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "failed" and done.error.step == "copy_vm"
    assert "unavailable" in done.error.reason
    assert sum(fake.waits) <= 60.0 and max(fake.waits) == 16.0


@pytest.mark.parametrize("where", ["task", "find_task"])
def test_an_ended_session_fails_the_operation_visibly(journal, journal_clock, where):
    """The token expired (or the simulated cloud restarted): the operation ends, saying why."""
    op = submitted(journal, [COPY])
    if where == "find_task":  # issued before a crash, never journaled
        journal.claim("w1", 30)
        journal.step_issuing(op.id, 0, "w1")
        journal_clock.lapse()  # w1 died
    worker, _ = executor(journal, Raising(where, Unauthorized()))
    worker.run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "failed" and done.error.step == "copy_vm"
    assert "session" in done.error.reason


def test_no_exception_escapes_to_the_claim_loop(journal, monkeypatch):
    op = submitted(journal, [COPY])
    worker, _ = executor(journal, ScriptedCloud())

    def broken(*args, **kwargs):
        raise RuntimeError("the journal's disk is full")

    monkeypatch.setattr(journal, "step_succeeded", broken)
    assert worker.run_once() is True  # nothing raised
    assert journal.get(op.id, "acme").status == "running"  # left for the lease to lapse


def test_a_poison_operation_is_failed_after_its_last_claim(journal, journal_clock, monkeypatch):
    op = submitted(journal, [COPY])
    cloud = ScriptedCloud()
    monkeypatch.setattr(journal, "step_succeeded", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("poison")))
    claims = 0
    while journal.get(op.id, "acme").status != "failed":
        worker, _ = executor(journal, cloud, max_attempts=3)
        worker.run_once()
        journal_clock.lapse()  # the worker's lease runs out
        claims += 1
        assert claims <= 4
    done = journal.get(op.id, "acme")
    assert claims == 4 and done.attempts == 4
    assert "3" in done.error.reason and journal.token_of(op.id) is None
    assert len(cloud.started) == 1  # re-claims re-attached, never re-sent


def test_a_stopping_executor_leaves_a_step_waiting_for_a_retry_to_the_next_worker(journal):
    op = submitted(journal, [COPY])
    cloud = Raising("task", BackendUnavailable(backend="Cloud Director", reason="connection failed"))
    worker, fake = executor(journal, cloud, retry_backoff=(1.0, 8.0))
    worker._sleep = lambda seconds: (fake.waits.append(seconds), worker._stop.set())
    assert worker.run_once() is True
    assert fake.waits == [1.0] and cloud.calls == 1
    assert journal.get(op.id, "acme").status == "running"
