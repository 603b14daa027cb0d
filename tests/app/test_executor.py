"""The executor: steps issued once, re-attached after a crash, failures stop the operation."""

from __future__ import annotations

import time

import pytest

from vcdtpm.adapters.journal import Journal
from vcdtpm.app.executor import Executor
from vcdtpm.domain.errors import BackendError
from vcdtpm.domain.model import Operation
from vcdtpm.domain.steps import EditTpmParams, MainParams, StepRef, StepSpec
from vcdtpm.ports import TaskState

COPY = StepSpec("copy_vm", MainParams(Operation.COPY_VM, {"source": {"vm": "urn:vcloud:vm:1"}}))
REMOVE = StepSpec("remove vTPM", EditTpmParams(False, vm=StepRef(0, "vm")))
ADD = StepSpec("add vTPM", EditTpmParams(True, vm=StepRef(0, "vm")))


class ScriptedCloud:
    """Cloud Director as the executor sees it: tasks that finish after a few reads."""

    def __init__(self, failing_kind_present=None, refuse=False):
        self.started: list[tuple[str, dict, str]] = []
        self.tasks: dict[str, dict] = {}
        self.failing = failing_kind_present
        self.refuse = refuse

    def start(self, session, kind, params, request_id):
        if self.refuse:
            raise BackendError(backend="Cloud Director", reason="the request was refused")
        href = f"https://vcd/api/task/{len(self.started)}"
        self.started.append((kind, params, request_id))
        fails = self.failing is not None and (kind, params.get("present")) == self.failing
        self.tasks[href] = {"reads": 0, "fails": fails, "kind": kind, "request_id": request_id}
        return href

    def task(self, session, href):
        task = self.tasks[href]
        task["reads"] += 1
        if task["reads"] < 3:
            return TaskState(href, "running", 40 * task["reads"])
        if task["fails"]:
            return TaskState(href, "error", 100, "Cannot remove the TPM of a powered-on VM: power it off first.")
        return TaskState(href, "success", 100, None, {"vm": "urn:vcloud:vm:copy"})

    def find_task(self, session, request_id, intent=None):
        return next((h for h, t in self.tasks.items() if t["request_id"] == request_id), None)


@pytest.fixture()
def journal(tmp_path):
    j = Journal(f"sqlite:///{tmp_path / 'journal.db'}")
    yield j
    j.close()


def submitted(journal, steps):
    view, _ = journal.create(
        org="acme",
        user="alice",
        operation="copy_vm",
        request={"x": 1},
        plan={},
        steps=steps,
        idempotency_key=None,
        token="tok",
    )
    return view


def test_every_step_runs_once_and_later_steps_get_the_copy(journal):
    op = submitted(journal, [COPY, REMOVE, ADD])
    cloud = ScriptedCloud()
    assert Executor(journal, cloud, poll=0).run_once() is True
    done = journal.get(op.id, "acme")
    assert done.status == "succeeded" and done.progress == 100
    assert [kind for kind, _, _ in cloud.started] == ["copy_vm", "edit_tpm", "edit_tpm"]
    assert cloud.started[1][1] == {"vm": "urn:vcloud:vm:copy", "present": False}
    assert [rid for _, _, rid in cloud.started] == [f"{op.id}-0", f"{op.id}-1", f"{op.id}-2"]
    assert done.result == {"vm": "urn:vcloud:vm:copy"}


def test_a_failed_step_fails_the_operation_and_nothing_after_it_runs(journal):
    op = submitted(journal, [COPY, REMOVE, ADD])
    cloud = ScriptedCloud(failing_kind_present=("edit_tpm", False))
    Executor(journal, cloud, poll=0).run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "failed"
    assert [s.status for s in done.steps] == ["succeeded", "failed", "pending"]
    assert "powered-on" in done.error.reason
    assert len(cloud.started) == 2


def test_a_refused_request_fails_its_step_with_cloud_directors_reason(journal):
    op = submitted(journal, [COPY])
    Executor(journal, ScriptedCloud(refuse=True), poll=0).run_once()
    done = journal.get(op.id, "acme")
    assert done.status == "failed" and "refused" in done.error.reason


def test_a_running_step_is_reattached_to_its_task_not_reissued(journal):
    op = submitted(journal, [COPY, ADD])
    cloud = ScriptedCloud()
    journal.claim("w1", 0.3)  # long enough for w1 to journal; then it dies
    journal.step_issuing(op.id, 0, "w1")
    href = cloud.start(None, "copy_vm", COPY.params, f"{op.id}-0")
    journal.step_attached(op.id, 0, "w1", href)  # then w1 dies; its lease runs out
    time.sleep(0.35)
    Executor(journal, cloud, worker="w2", poll=0).run_once()
    assert journal.get(op.id, "acme").status == "succeeded"
    assert [kind for kind, _, _ in cloud.started] == ["copy_vm", "edit_tpm"]


@pytest.mark.parametrize("reached_cloud_director", [True, False])
def test_an_issuing_step_is_looked_up_by_request_id_before_being_sent(journal, reached_cloud_director):
    op = submitted(journal, [COPY])
    cloud = ScriptedCloud()
    journal.claim("w1", 0.3)  # long enough for w1 to journal; then it dies
    journal.step_issuing(op.id, 0, "w1")
    if reached_cloud_director:  # sent, but the task href was never journaled
        cloud.start(None, "copy_vm", COPY.params, f"{op.id}-0")
    time.sleep(0.35)
    Executor(journal, cloud, worker="w2", poll=0).run_once()
    assert journal.get(op.id, "acme").status == "succeeded"
    assert len(cloud.started) == 1


def test_an_idle_executor_claims_nothing(journal):
    assert Executor(journal, ScriptedCloud(), poll=0).run_once() is False


def test_a_task_is_read_again_soon_then_less_often_up_to_poll_seconds(journal, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("vcdtpm.app.executor.time.sleep", waits.append)

    class SlowCloud(ScriptedCloud):
        def task(self, session, href):
            reads = self.tasks[href]["reads"] = self.tasks[href]["reads"] + 1
            return TaskState(href, "running" if reads < 8 else "success", min(99, reads * 10), None, {})

    submitted(journal, [COPY])
    Executor(journal, SlowCloud(), poll=0.5).run_once()
    assert waits == pytest.approx([0.05, 0.075, 0.1125, 0.16875, 0.253125, 0.3796875, 0.5])


def test_poll_intervals_never_exceed_poll_seconds():
    from itertools import islice

    from vcdtpm.app.executor import poll_intervals

    assert list(islice(poll_intervals(0.02), 3)) == [0.02, 0.02, 0.02]
    assert max(islice(poll_intervals(2.0), 50)) == 2.0
