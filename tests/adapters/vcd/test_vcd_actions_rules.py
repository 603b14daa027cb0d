"""What vCD and vCenter refuse fails the task; request ids, progress, tenancy and bodies."""

from __future__ import annotations

import time

import pytest
import requests
from lxml import etree

from tests.adapters.vcd.acting import URN, adapter_for, run
from tests.smallcloud import PASSWORD, ActIds, Cloud, Ids, build_acting_inventory
from vcdtpm.domain.errors import BackendError, NotFound
from vcdtpm.domain.model import Datastore, Power
from vcdtpm.sim.vcd import create_vcd_app
from vcdtpm.sim.vcd.server import serve_in_thread

VCLOUD = "{http://www.vmware.com/vcloud/v1.5}"
COPY_TO_DR = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.dr)}}


def failed(state, words: str) -> None:
    assert state.status == "error", state
    assert words in state.error


def test_copy_vm_with_replace_onto_a_7x_vcenter_fails_the_task(fresh_cloud, adapter, alice_session):
    failed(run(adapter, alice_session, "copy_vm", {**COPY_TO_DR, "tpm": "replace"}), "requires vCenter Server 8.0")
    assert fresh_cloud.inventory.vapps[ActIds.dr].vms == []


def test_copying_a_vtpm_to_a_vcenter_without_its_key_provider_fails_the_task(fresh_cloud, adapter, alice_session):
    fresh_cloud.inventory.vcenters["vc-b"].key_providers = []
    failed(run(adapter, alice_session, "copy_vm", COPY_TO_DR), "key provider 'kp-gold' of VM 'web-1' is not registered")


def _unshare(fresh_cloud) -> None:
    fresh_cloud.inventory.vcenters["vc-b"].datastores[0] = Datastore("ds-shared-b", "ds:///vmfs/b/")


def test_cross_vcenter_copy_without_shared_storage_fails_the_task(fresh_cloud, adapter, alice_session):
    _unshare(fresh_cloud)
    failed(run(adapter, alice_session, "copy_vm", COPY_TO_DR), "no datastore is shared")


def test_fast_cross_vcenter_instantiation_lifts_the_shared_storage_need(fresh_cloud, adapter, alice_session):
    _unshare(fresh_cloud)
    fresh_cloud.inventory.fast_cross_vcenter_instantiation = True
    assert run(adapter, alice_session, "copy_vm", COPY_TO_DR).status == "success"


def test_cross_vcenter_instantiation_with_copy_needs_shared_storage(fresh_cloud, adapter, alice_session):
    _unshare(fresh_cloud)
    failed(
        run(
            adapter,
            alice_session,
            "instantiate_vapp_template",
            {"source": {"template": URN("vapptemplate", ActIds.imp_tpl)}, "target": {"vdc": URN("vdc", Ids.acme_b)}},
        ),
        "no datastore is shared",
    )


def test_adding_a_vtpm_to_a_powered_on_vm_fails_the_task(fresh_cloud, adapter, alice_session):
    fresh_cloud.inventory.vms[ActIds.web3].power = Power.ON
    failed(
        run(adapter, alice_session, "add_tpm", {"source": {"vm": URN("vm", ActIds.web3)}}),
        "only when it is powered off",
    )


def test_adding_a_vtpm_to_a_bios_vm_fails_the_task(fresh_cloud, adapter, alice_session):
    assert run(adapter, alice_session, "edit_tpm", {"vm": URN("vm", Ids.web2), "present": False}).status == "success"
    fresh_cloud.inventory.vms[Ids.web2].power = Power.OFF
    failed(run(adapter, alice_session, "add_tpm", {"source": {"vm": URN("vm", Ids.web2)}}), "requires EFI firmware")


def test_a_second_vtpm_fails_the_task(fresh_cloud, adapter, alice_session):
    failed(run(adapter, alice_session, "add_tpm", {"source": {"vm": URN("vm", Ids.web1)}}), "already has a TPM device")


def test_removing_the_vtpm_of_a_vm_powered_on_through_the_api_fails_the_task(fresh_cloud, adapter, alice_session):
    client = adapter._client_for(alice_session.token)[0]
    client.post_resource(f"{fresh_cloud.url}/api/vApp/vm-{Ids.web1}/power/action/powerOn", None, None)
    assert run(adapter, alice_session, "remove_tpm", {"source": {"vm": URN("vm", Ids.web1)}}).error.startswith(
        "The TPM device of VM 'web-1' can be removed only"
    )
    assert fresh_cloud.inventory.vms[Ids.web1].power == Power.ON


def test_a_tenant_cannot_act_on_another_orgs_objects(fresh_cloud, adapter):
    bob = adapter.login("bob", "globex", PASSWORD)
    with pytest.raises(NotFound):
        adapter.start(
            bob, "copy_vm", {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", Ids.erp)}}, "r-1"
        )
    assert not fresh_cloud.app.tasks.all()


def test_a_tenant_cannot_import_from_vcenter(fresh_cloud, adapter, alice_session):
    with pytest.raises(NotFound):
        adapter.start(
            alice_session,
            "import_vm_as_vapp",
            {"source": {"vcenter_vm": "legacy-1"}, "target": {"vdc": URN("vdc", Ids.acme_b)}},
            "r-2",
        )


def test_the_task_effect_lands_exactly_once(fresh_cloud, adapter, alice_session):
    href = adapter.start(alice_session, "copy_vm", COPY_TO_DR, "once")
    for _ in range(5):
        adapter.task(alice_session, href)
    assert len(fresh_cloud.inventory.vapps[ActIds.dr].vms) == 1


def test_a_slow_task_shows_running_progress_before_it_succeeds(tmp_path):
    inventory = build_acting_inventory()
    handle = serve_in_thread(create_vcd_app(inventory, task_delay=0.4))
    try:
        adapter = adapter_for(Cloud(handle.url, inventory, None), tmp_path / "vcd.log")
        alice_session = adapter.login("alice", "acme", PASSWORD)
        href = adapter.start(alice_session, "copy_vm", COPY_TO_DR, "slow")
        seen = [adapter.task(alice_session, href)]
        while not seen[-1].done:
            time.sleep(0.05)
            seen.append(adapter.task(alice_session, href))
        assert any(s.status == "running" and 0 < s.progress < 100 for s in seen)
        assert seen[-1].status == "success" and seen[-1].progress == 100
        assert len(inventory.vapps[ActIds.dr].vms) == 1
    finally:
        handle.stop()


def test_a_refused_request_raises_backend_error_with_vcds_message(fresh_cloud, adapter, alice_session):
    with pytest.raises(BackendError, match="the element OsType is required"):
        adapter.start(
            alice_session,
            "create_vm",
            {"target": {"vdc": URN("vdc", Ids.acme_a)}, "vm": {"name": "x", "guest_os": ""}},
            "r-3",
        )


def test_a_body_in_the_wrong_namespace_is_a_400_vcd_error(fresh_cloud, alice_session):
    response = requests.post(
        f"{fresh_cloud.url}/api/vApp/vapp-{ActIds.dr}/action/recomposeVApp",
        data=b"<RecomposeVAppParams/>",
        headers={
            "Authorization": f"Bearer {alice_session.token}",
            "Accept": "application/*+xml;version=38.1",
            "Content-Type": "application/vnd.vmware.vcloud.recomposeVAppParams+xml",
        },
    )
    assert response.status_code == 400
    assert etree.fromstring(response.content).tag == VCLOUD + "Error"


def test_recompose_and_capture_bodies_use_vcds_namespace_and_element_order(fresh_cloud, adapter, alice_session):
    run(adapter, alice_session, "copy_vm", {**COPY_TO_DR, "tpm": "copy"})
    run(
        adapter,
        alice_session,
        "capture_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"catalog": URN("catalog", Ids.gold)}},
    )
    posted = [e for e in fresh_cloud.app.requests.entries if e.method == "POST" and "/action/" in e.path]
    recompose, capture = (etree.fromstring(e.body) for e in posted)
    assert recompose.tag == VCLOUD + "RecomposeVAppParams"
    assert [c.tag for c in recompose] == [VCLOUD + t for t in ("Description", "SourcedItem", "AllEULAsAccepted")]
    assert [c.tag for c in recompose.find(VCLOUD + "SourcedItem")] == [VCLOUD + "Source", VCLOUD + "ReplaceTpm"]
    assert recompose.findtext(f"{VCLOUD}SourcedItem/{VCLOUD}ReplaceTpm") == "false"
    assert [c.tag for c in capture] == [VCLOUD + t for t in ("Description", "Source", "CopyTpmOnInstantiate")]
    assert capture.get("name") == "web"
