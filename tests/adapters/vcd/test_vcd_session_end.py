"""A task issued with a tenant's token is still followed once that token's session has ended."""

from __future__ import annotations

import pytest

from tests.adapters.vcd.acting import URN
from tests.smallcloud import ActIds, Ids
from vcdtpm.domain.errors import Unauthorized


def _end_sessions_of(fresh_cloud, org: str) -> int:
    store = fresh_cloud.app.sessions
    callers = [caller for caller in list(store._by_access.values()) if caller.org == org]
    for caller in callers:
        store.close(caller)
    return len(callers)


def test_a_task_is_followed_with_the_providers_read_access_after_the_tenant_token_expired(
    fresh_cloud, adapter, alice_session
):
    params = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.lab)}}
    href = adapter.start(alice_session, "copy_vm", params, "0e1d-0")
    assert _end_sessions_of(fresh_cloud, "acme") == 1
    with pytest.raises(Unauthorized):
        adapter.whoami(alice_session.token + "-gone")  # the tenant's own reads are refused
    state = adapter.task(alice_session, href)
    for _ in range(5):
        if state.done:
            break
        state = adapter.task(alice_session, href)
    assert state.status == "success", state.error
    assert state.result and state.result["vm"].startswith("urn:vcloud:vm:")
    copies = [vm for vm in fresh_cloud.inventory.vms.values() if vm.vapp == ActIds.lab]
    assert len(copies) == 1


def test_cloud_directors_own_messages_lose_the_address_the_service_reaches_it_by():
    from vcdtpm.adapters.vcd.errors import without_address

    text = "No access to entity https://vcd.internal:8443/api/vApp/vapp-1 (see http://10.0.0.5/cloudapi)."
    assert without_address(text) == "No access to entity /api/vApp/vapp-1 (see /cloudapi)."


def test_an_operation_whose_token_expires_during_its_task_still_succeeds_once(
    fresh_cloud, adapter, alice_session, tmp_path
):
    """The whole executor over HTTP: the token is revoked right after the copy is issued."""
    from vcdtpm.adapters.journal import Journal
    from vcdtpm.app.executor import Executor
    from vcdtpm.domain.model import Operation
    from vcdtpm.domain.steps import MainParams, StepSpec

    class ExpiringAfterStart:
        def __getattr__(self, name):
            return getattr(adapter, name)

        def start(self, session, kind, params, request_id):
            href = adapter.start(session, kind, params, request_id)
            _end_sessions_of(fresh_cloud, "acme")
            return href

    params = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.lab)}}
    journal = Journal(f"sqlite:///{tmp_path / 'journal.db'}")
    try:
        op, _ = journal.create(
            org="acme",
            user="alice",
            operation="copy_vm",
            request=params,
            plan={},
            steps=[StepSpec("copy_vm", MainParams(Operation.COPY_VM, params))],
            idempotency_key=None,
            token=alice_session.token,
        )
        Executor(journal, ExpiringAfterStart(), poll=0.01).run_once()  # type: ignore[arg-type]
        done = journal.get(op.id, "acme")
        assert done.status == "succeeded", done.error
        assert journal.token_of(op.id) is None
    finally:
        journal.close()
    assert len([vm for vm in fresh_cloud.inventory.vms.values() if vm.vapp == ActIds.lab]) == 1
