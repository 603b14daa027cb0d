"""The request id of the call being served reaches Cloud Director; an operation step keeps its own."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tests.adapters.vcd.acting import URN
from tests.smallcloud import ActIds, Ids
from vcdtpm.logs import request_id

COPY_TO_DR = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.dr)}}


def counted() -> float:
    labels = {"backend": "cloud_director", "outcome": "ok"}
    return REGISTRY.get_sample_value("vcdtpm_backend_requests_total", labels) or 0.0


def test_reads_carry_the_request_id_and_a_step_keeps_its_own(fresh_cloud, adapter, alice_session):
    log = fresh_cloud.app.requests
    seen, before = len(log.entries), counted()
    token = request_id.set("req-42")
    try:
        adapter.get_vm(alice_session, URN("vm", Ids.web1))
        adapter.start(alice_session, "copy_vm", COPY_TO_DR, "op-1-0")
    finally:
        request_id.reset(token)
    served = log.entries[seen:]
    adapter.get_vm(alice_session, URN("vm", Ids.web1))  # outside any request: no id
    after = log.entries[seen + len(served) :]
    assert [e.client_request_id for e in served if e.method == "POST"] == ["op-1-0"]
    reads = [e.client_request_id for e in served if e.method == "GET"]
    assert reads and set(reads) == {"req-42"}
    assert after and {e.client_request_id for e in after} == {""}
    assert counted() - before == len(served) + len(after)
