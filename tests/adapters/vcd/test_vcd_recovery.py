"""After a crash, a step's task is found again by what a real TaskRecord carries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from tests.adapters.vcd.acting import URN
from tests.smallcloud import ActIds, Ids
from vcdtpm.ports import StepIntent

COPY_TO_DR = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.dr)}}
INSTANTIATE = {
    "source": {"template": URN("vapptemplate", Ids.win_tpl)},
    "target": {"vdc": URN("vdc", Ids.acme_b)},
    "name": "restored",
}


def _follow(adapter, session, href):
    state = adapter.task(session, href)
    for _ in range(200):
        if state.done:
            break
        state = adapter.task(session, href)
    return state


def test_a_recompose_task_is_found_by_its_object_owner_and_start(adapter, alice_session):
    before = datetime.now(UTC)
    href = adapter.start(alice_session, "copy_vm", COPY_TO_DR, "r-1")
    assert adapter.find_task(alice_session, "r-1", StepIntent("copy_vm", COPY_TO_DR, before)) == href
    later = StepIntent("copy_vm", COPY_TO_DR, before + timedelta(hours=1))
    assert adapter.find_task(alice_session, "r-1", later) is None
    elsewhere = {**COPY_TO_DR, "target": {"vapp": URN("vapp", ActIds.lab)}}
    assert adapter.find_task(alice_session, "r-1", StepIntent("copy_vm", elsewhere, before)) is None


def test_a_creating_task_is_found_by_the_new_objects_name_and_followed(adapter, alice_session):
    before = datetime.now(UTC)
    vapp_href = adapter.start(alice_session, "instantiate_vapp_template", INSTANTIATE, "r-2")
    found = adapter.find_task(alice_session, "r-2", StepIntent("instantiate_vapp_template", INSTANTIATE, before))
    assert found is not None and "/task/" in found
    state = _follow(adapter, alice_session, found)
    assert state.status == "success"
    assert state.result == {"vapp": URN("vapp", vapp_href.rsplit("vapp-", 1)[1])}


def test_nothing_is_found_for_a_step_never_sent_or_without_an_intent(adapter, alice_session):
    intent = StepIntent("copy_vm", COPY_TO_DR, datetime.now(UTC))
    assert adapter.find_task(alice_session, "r-3", intent) is None
    assert adapter.find_task(alice_session, "r-3") is None


def test_the_task_query_knows_only_task_record_attributes(fresh_cloud, adapter, alice_session):
    adapter.start(alice_session, "copy_vm", COPY_TO_DR, "r-4")
    headers = {"Accept": "application/*+xml;version=38.1", "Authorization": f"Bearer {alice_session.token}"}
    url = f"{fresh_cloud.url}/api/query"
    refused = requests.get(
        url, params={"type": "task", "format": "records", "filter": "clientRequestId==r-4"}, headers=headers
    )
    assert refused.status_code == 400
    answer = requests.get(url, params={"type": "task", "format": "records"}, headers=headers)
    record = answer.text[answer.text.index("<TaskRecord") :].split(">", 1)[0]
    assert "clientRequestId" not in record and "operationName" not in record
    assert 'name="vdcRecomposeVapp"' in record and f'object="{fresh_cloud.url}/api/vApp/vapp-{ActIds.dr}"' in record
