"""The journal on SQLite and PostgreSQL: idempotency, leases, step lifecycle, progress, the token."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from vcdtpm.adapters.journal import IdempotencyKeyReused, Journal, LeaseLost, StepOutOfOrder, sqlite_url
from vcdtpm.domain.errors import Invalid, NotFound
from vcdtpm.domain.model import Operation
from vcdtpm.domain.steps import MainParams, StepSpec
from vcdtpm.ports import Failure

pytest_plugins = ["tests.pg_fixture"]

TOKEN = "tok-SECRET-5f1e"
LEASE = 30.0


class Clock:
    """A clock the tests move by hand."""

    def __init__(self):
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def journal(url, clock):
    opened = Journal(url, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def other_journal(url, clock):
    """A second Journal on the same database, as another process would open it."""
    opened = Journal(url, clock=clock)
    yield opened
    opened.close()


def create(journal, *, org="acme", key=None, request=None, steps=2):
    return journal.create(
        org=org,
        user="alice",
        operation="copy_vm",
        request=request if request is not None else {"operation": "copy_vm", "vm": "urn:1"},
        plan={"allowed": True},
        idempotency_key=key,
        token=TOKEN,
        steps=[StepSpec(f"step {i}", MainParams(Operation.COPY_VM, {"n": i})) for i in range(steps)],
    )


def claimed(journal, worker="w1", steps=2):
    op, _ = create(journal, steps=steps)
    got = journal.claim(worker, LEASE)
    assert got.id == op.id
    return got


# -- creating and reading -------------------------------------------------------------
def test_create_queues_an_operation_with_pending_steps(journal):
    op, created = create(journal, steps=3)
    assert created and op.status == "queued" and op.progress == 0
    assert (op.org, op.user, op.operation) == ("acme", "alice", "copy_vm")
    assert op.plan == {"allowed": True} and op.request["vm"] == "urn:1"
    assert [(s.index, s.name, s.status, s.params) for s in op.steps] == [
        (i, f"step {i}", "pending", {"n": i}) for i in range(3)
    ]
    assert op.owner is None and op.lease_expires is None and op.created_at.tzinfo is not None


def test_get_returns_an_operation_to_its_own_org_only(journal):
    op, _ = create(journal)
    assert journal.get(op.id, "acme") == op
    assert journal.get(op.id, "globex") is None
    assert journal.get("00000000-0000-0000-0000-000000000000", "acme") is None


def test_list_returns_the_orgs_operations_newest_first(journal):
    ids = [create(journal)[0].id for _ in range(3)]
    create(journal, org="globex")
    assert [op.id for op in journal.list("acme")] == ids[::-1]
    assert [op.id for op in journal.list("acme", limit=2)] == ids[:0:-1]
    assert journal.list("initech") == []


def test_operations_survive_closing_and_reopening_the_journal(url, clock):
    first = Journal(url, clock=clock)
    op, _ = create(first)
    first.close()
    again = Journal(url, clock=clock)
    assert again.get(op.id, "acme") == op
    again.close()


# -- idempotency ----------------------------------------------------------------------
def test_the_same_key_and_body_return_the_same_operation(journal):
    op, created = create(journal, key="k-1", request={"a": 1, "b": [1, 2]})
    again, created_again = create(journal, key="k-1", request={"b": [1, 2], "a": 1})
    assert created and not created_again and again == op
    assert len(journal.list("acme")) == 1


def test_the_same_key_with_another_body_is_refused(journal):
    create(journal, key="k-1", request={"a": 1})
    with pytest.raises(IdempotencyKeyReused) as refused:
        create(journal, key="k-1", request={"a": 2})
    assert isinstance(refused.value, Invalid) and refused.value.field == "idempotency_key"
    assert len(journal.list("acme")) == 1


def test_idempotency_keys_are_scoped_per_org(journal):
    acme, _ = create(journal, key="k-1")
    globex, created = create(journal, org="globex", key="k-1", request={"other": True})
    assert created and globex.id != acme.id


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_empty_or_overlong_idempotency_key_is_invalid(journal, key):
    with pytest.raises(Invalid):
        create(journal, key=key)


def test_concurrent_creates_with_one_key_make_one_operation(journal, other_journal):
    racers = 8
    barrier = threading.Barrier(racers)

    def race(n):
        barrier.wait()
        return create((journal, other_journal)[n % 2], key="same")

    with ThreadPoolExecutor(racers) as pool:
        outcomes = list(pool.map(race, range(racers)))
    assert len({op.id for op, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert len(journal.list("acme")) == 1


def test_an_in_memory_sqlite_journal_is_shared_by_threads():
    journal = Journal("sqlite://")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: create(journal, key=f"k-{n % 3}"), range(12)))
    assert len(journal.list("acme")) == 3
    journal.close()


# -- claims and leases ------------------------------------------------------------------
def test_claim_leases_the_oldest_queued_operation_and_marks_it_running(journal, clock):
    oldest, _ = create(journal)
    create(journal)
    got = journal.claim("w1", LEASE)
    assert (got.id, got.status, got.owner) == (oldest.id, "running", "w1")
    assert got.lease_expires == clock.now + timedelta(seconds=LEASE)


def test_claim_finds_nothing_when_every_operation_is_leased_or_finished(journal):
    assert journal.claim("w1", LEASE) is None
    op = claimed(journal)
    assert journal.claim("w2", LEASE) is None
    journal.finish(op.id, "w1", "succeeded", {"vm": "urn:2"})
    assert journal.claim("w2", LEASE) is None


def test_two_journals_claim_each_operation_exactly_once(journal, other_journal):
    ids = {create(journal, steps=1)[0].id for _ in range(40)}
    taken: list[str] = []

    def drain(n):
        source = (journal, other_journal)[n % 2]
        while (op := source.claim(f"worker-{n}", LEASE)) is not None:
            taken.append(op.id)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(drain, range(6)))
    assert sorted(taken) == sorted(ids)


def test_an_expired_lease_can_be_claimed_by_another_worker(journal, clock):
    op = claimed(journal, "w1")
    clock.advance(LEASE + 1)
    again = journal.claim("w2", LEASE)
    assert (again.id, again.owner, again.status) == (op.id, "w2", "running")
    assert not journal.renew(op.id, "w1", LEASE)


def test_renew_extends_only_a_lease_still_held(journal, clock):
    op = claimed(journal, "w1")
    clock.advance(LEASE - 1)
    assert journal.renew(op.id, "w1", LEASE)
    assert journal.get(op.id, "acme").lease_expires == clock.now + timedelta(seconds=LEASE)
    assert not journal.renew(op.id, "w2", LEASE)
    clock.advance(LEASE + 1)
    assert not journal.renew(op.id, "w1", LEASE)


LOSABLE = {
    "step_issuing": lambda j, op: j.step_issuing(op, 1, "w1"),
    "step_attached": lambda j, op: j.step_attached(op, 0, "w1", "task-2"),
    "step_progress": lambda j, op: j.step_progress(op, 0, "w1", 40),
    "step_succeeded": lambda j, op: j.step_succeeded(op, 0, "w1", {"vm": "urn:2"}),
    "step_failed": lambda j, op: j.step_failed(op, 0, "w1", Failure("boom", "the task ended error")),
    "finish": lambda j, op: j.finish(op, "w1", "succeeded", {"vm": "urn:2"}),
}


@pytest.mark.parametrize("action", sorted(LOSABLE))
def test_a_worker_that_lost_its_lease_cannot_update_steps(journal, clock, action):
    op = claimed(journal, "w1")
    journal.step_issuing(op.id, 0, "w1")
    journal.step_attached(op.id, 0, "w1", "task-1")
    clock.advance(LEASE + 1)
    journal.claim("w2", LEASE)
    before = journal.get(op.id, "acme")
    with pytest.raises(LeaseLost):
        LOSABLE[action](journal, op.id)
    after = journal.get(op.id, "acme")
    assert (after.steps, after.status, after.owner) == (before.steps, "running", "w2")


def test_a_worker_that_never_held_the_lease_cannot_update_steps(journal):
    op = claimed(journal, "w1")
    with pytest.raises(LeaseLost):
        journal.step_issuing(op.id, 0, "intruder")
    assert journal.get(op.id, "acme").steps[0].status == "pending"


# -- steps, progress and the end ----------------------------------------------------------
def test_a_step_moves_through_issuing_and_running_to_succeeded(journal, clock):
    op = claimed(journal)
    journal.step_issuing(op.id, 0, "w1")
    issuing = journal.get(op.id, "acme").steps[0]
    assert (issuing.status, issuing.task, issuing.started_at) == ("issuing", None, clock.now)
    journal.step_attached(op.id, 0, "w1", "https://vcd/api/task/7")
    journal.step_progress(op.id, 0, "w1", 60)
    running = journal.get(op.id, "acme").steps[0]
    assert (running.status, running.task, running.progress) == ("running", "https://vcd/api/task/7", 60)
    clock.advance(5)
    journal.step_succeeded(op.id, 0, "w1", {"vm": "urn:2"})
    done = journal.get(op.id, "acme").steps[0]
    assert (done.status, done.progress, done.result, done.finished_at) == ("succeeded", 100, {"vm": "urn:2"}, clock.now)


def test_a_failed_step_keeps_its_error(journal):
    op = claimed(journal)
    journal.step_issuing(op.id, 0, "w1")
    journal.step_failed(op.id, 0, "w1", Failure("Backend error", "vCenter vc-a failed"))
    step = journal.get(op.id, "acme").steps[0]
    assert (step.status, step.error) == ("failed", Failure("Backend error", "vCenter vc-a failed"))


def test_steps_refuse_to_move_out_of_order(journal):
    op = claimed(journal)
    with pytest.raises(StepOutOfOrder):
        journal.step_progress(op.id, 0, "w1", 10)
    with pytest.raises(StepOutOfOrder):
        journal.step_attached(op.id, 0, "w1", "task-1")
    journal.step_issuing(op.id, 0, "w1")
    journal.step_succeeded(op.id, 0, "w1", {})
    with pytest.raises(StepOutOfOrder):
        journal.step_issuing(op.id, 0, "w1")
    with pytest.raises(NotFound):
        journal.step_issuing(op.id, 9, "w1")


def test_progress_is_derived_from_the_steps(journal):
    op = claimed(journal, steps=4)

    def progress():
        return journal.get(op.id, "acme").progress

    assert progress() == 0
    journal.step_issuing(op.id, 0, "w1")
    journal.step_succeeded(op.id, 0, "w1", {})
    assert progress() == 25
    journal.step_issuing(op.id, 1, "w1")
    journal.step_attached(op.id, 1, "w1", "task-1")
    journal.step_progress(op.id, 1, "w1", 50)
    assert progress() == 37
    journal.step_succeeded(op.id, 1, "w1", {})
    for index in (2, 3):
        journal.step_issuing(op.id, index, "w1")
        journal.step_succeeded(op.id, index, "w1", {})
    assert progress() == 99
    journal.finish(op.id, "w1", "succeeded", {"vm": "urn:2"})
    assert progress() == 100


def test_finish_records_the_outcome_and_frees_the_operation(journal):
    op = claimed(journal)
    error = Failure("copy_vm failed", "Cloud Director refused the request")
    journal.finish(op.id, "w1", "failed", None, error)
    done = journal.get(op.id, "acme")
    assert (done.status, done.result, done.error) == ("failed", None, error)
    assert done.owner == "w1" and done.lease_expires is None
    assert not journal.renew(op.id, "w1", LEASE)
    assert journal.claim("w2", LEASE) is None


def test_finish_accepts_only_succeeded_or_failed(journal):
    op = claimed(journal)
    with pytest.raises(Invalid):
        journal.finish(op.id, "w1", "queued", {})
    assert journal.get(op.id, "acme").status == "running"


# -- the token ---------------------------------------------------------------------------
def test_the_token_is_kept_for_resuming_but_never_shown(journal):
    op = claimed(journal)
    shown = [repr(op), str(asdict(op)), repr(journal.get(op.id, "acme")), repr(journal.list("acme")), repr(journal)]
    assert not any(TOKEN in text for text in shown)
    assert not any("token" in name for name in asdict(op))
    assert journal.token_of(op.id) == TOKEN


def test_the_token_is_forgotten_when_the_operation_finishes(journal):
    op = claimed(journal)
    journal.finish(op.id, "w1", "succeeded", {"vm": "urn:2"})
    assert journal.token_of(op.id) is None


def test_the_default_journal_is_a_wal_sqlite_file_in_the_data_dir(tmp_path):
    url = sqlite_url(tmp_path / "state")
    Journal(url).close()
    path = tmp_path / "state" / "journal.db"
    assert url.endswith(str(path)) and path.exists()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failure_recorded_as_a_problem_reads_back_as_a_failure():
    legacy = {"type": "about:blank", "title": "copy_vm failed", "detail": "the task ended error", "status": 502}
    assert Failure.from_json(legacy) == Failure("copy_vm failed", "the task ended error")
