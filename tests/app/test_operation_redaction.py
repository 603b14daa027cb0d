"""Operation errors shown to tenants never name vCenters, hosts, key providers or datastores."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vcdtpm.adapters.journal import Journal
from vcdtpm.app.operations import Operations
from vcdtpm.domain.model import Operation
from vcdtpm.domain.steps import MainParams, StepSpec
from vcdtpm.ports import Failure, Session
from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import demo_world

MESSAGE = "The key provider 'kp-gold' of VM 'web-1' is not registered on vCenter Server 'vc-c' (esx-c1, ds-c-local)."


@pytest.fixture()
def failed(tmp_path):
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    view, _ = journal.create(
        org="acme",
        user="alice",
        operation="copy_vm",
        request={},
        plan={},
        steps=[StepSpec("copy_vm", MainParams(Operation.COPY_VM, {}))],
        idempotency_key=None,
        token="t",
    )
    journal.claim("w", 30)
    journal.step_issuing(view.id, 0, "w")
    journal.step_failed(view.id, 0, "w", Failure("copy_vm failed", MESSAGE))
    journal.finish(view.id, "w", "failed", {}, Failure("copy_vm failed", MESSAGE))
    operations = Operations(SimpleNamespace(vcenters=simulated_vcenters(demo_world())), journal)
    yield operations, view.id
    journal.close()


def test_a_tenant_sees_the_failure_without_provider_names(failed):
    operations, op_id = failed
    shown = operations.get(Session("t", "acme", "alice", False), op_id)
    for text in (shown.error.reason, shown.steps[0].error.reason):
        assert not any(name in text for name in ("kp-gold", "vc-c", "esx-c1", "ds-c-local"))
        assert "web-1" in text
    assert [op.error.reason for op in operations.list(Session("t", "acme", "alice", False))] == [shown.error.reason]


def test_the_provider_sees_the_failure_as_cloud_director_said_it(failed):
    operations, op_id = failed
    assert operations.get(Session("t", "acme", "admin", True), op_id).error.reason == MESSAGE


def test_a_tenant_sees_no_cloud_director_address_in_a_failure_and_tasks_as_urns(tmp_path):
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    view, _ = journal.create(
        org="acme",
        user="alice",
        operation="copy_vm",
        request={},
        plan={},
        steps=[StepSpec("copy_vm", MainParams(Operation.COPY_VM, {}))],
        idempotency_key=None,
        token="t",
    )
    href = "https://vcd-internal.example:8443/api/task/0b9e8f0e-6f2a-4b8e-9f57-1d2c3b4a5e6f"
    failure = Failure("copy_vm failed", f"Task {href} failed: see https://vcd-internal.example:8443/api/vApp/vapp-1")
    journal.claim("w", 30)
    journal.step_issuing(view.id, 0, "w")
    journal.step_attached(view.id, 0, "w", href)
    journal.step_failed(view.id, 0, "w", failure)
    journal.finish(view.id, "w", "failed", {}, failure)
    operations = Operations(SimpleNamespace(vcenters=simulated_vcenters(demo_world())), journal)
    shown = operations.get(Session("t", "acme", "alice", False), view.id)
    assert "vcd-internal" not in shown.error.reason and "vcd-internal" not in shown.steps[0].error.reason
    assert shown.steps[0].task == "urn:vcloud:task:0b9e8f0e-6f2a-4b8e-9f57-1d2c3b4a5e6f"
    assert operations.get(Session("t", "acme", "admin", True), view.id).steps[0].task == href
    journal.close()
