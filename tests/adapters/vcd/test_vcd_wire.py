"""Conformance: the bodies the adapter really sends over HTTP and how it reads vCD's answers.

Element orders and media types as the vCD API reference has them
(https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/<Type>.html).
"""

from __future__ import annotations

import requests
from lxml import etree

from tests.adapters.vcd.acting import URN
from tests.adapters.vcd.test_vcd_actions import NEW_VM, OVF_WITH_TPM
from tests.smallcloud import ActIds, Ids

V = "http://www.vmware.com/vcloud/v1.5"
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
MEDIA = "application/vnd.vmware.vcloud.{}+xml".format


def sent(cloud, method: str, path_end: str):
    """The last request of `method` whose path ends with `path_end`, and its parsed body."""
    entry = [e for e in cloud.app.requests.entries if e.method == method and e.path.endswith(path_end)][-1]
    return entry, etree.fromstring(entry.body)


def children(element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def child(element, tag: str, ns: str = V):
    return element.find(f"{{{ns}}}{tag}")


def replay(cloud, session, entry):
    """The same request again, straight to the simulator: its status, headers and body."""
    headers = {
        "Accept": "application/*+xml;version=38.1",
        "Authorization": f"Bearer {session.token}",
        "Content-Type": entry.content_type,
    }
    answer = requests.post(cloud.url + entry.path, data=entry.body, headers=headers, timeout=10)
    return answer, etree.fromstring(answer.content)


def test_clone_vapp_sends_one_sourced_item_per_vm_with_replace_tpm_last(fresh_cloud, adapter, alice_session):
    params = {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"vdc": URN("vdc", Ids.acme_a)}, "tpm": "replace"}
    adapter.start(alice_session, "copy_vapp", params, "w-1")
    entry, body = sent(fresh_cloud, "POST", "/action/cloneVApp")
    assert entry.content_type == MEDIA("cloneVAppParams") and etree.QName(body) == etree.QName(V, "CloneVAppParams")
    assert children(body) == ["Description", "Source", "IsSourceDelete"] + ["SourcedItem"] * 3
    items = body.findall(f"{{{V}}}SourcedItem")
    assert {child(i, "Source").get("href").rsplit("vm-", 1)[1] for i in items} == {Ids.web1, Ids.web2, ActIds.web3}
    assert all(children(i) == ["Source", "ReplaceTpm"] and child(i, "ReplaceTpm").text == "true" for i in items)


def test_recompose_puts_replace_tpm_last_in_the_sourced_item(fresh_cloud, adapter, alice_session):
    params = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.lab)}, "tpm": "copy"}
    adapter.start(alice_session, "copy_vm", {**params, "name": "web-1b"}, "w-2")
    entry, body = sent(fresh_cloud, "POST", "/action/recomposeVApp")
    assert entry.content_type == MEDIA("recomposeVAppParams")
    assert children(body) == ["Description", "SourcedItem", "AllEULAsAccepted"]
    assert children(child(body, "SourcedItem")) == ["Source", "VmGeneralParams", "ReplaceTpm"]


def test_a_vm_from_a_template_vm_is_instantiate_vm_template_params(fresh_cloud, adapter, alice_session):
    params = {"source": {"template": URN("vapptemplate", Ids.win_tpl)}, "target": {"vdc": URN("vdc", Ids.acme_a)}}
    adapter.start(alice_session, "create_vm_from_template", params, "w-3")
    entry, body = sent(fresh_cloud, "POST", "/action/instantiateVmFromTemplate")
    assert entry.content_type == MEDIA("instantiateVmTemplateParams")
    assert etree.QName(body).localname == "InstantiateVmTemplateParams"
    assert children(body) == ["Description", "SourcedVmTemplateItem", "AllEULAsAccepted"]
    assert children(child(body, "SourcedVmTemplateItem")) == ["Source", "VmGeneralParams"]


def test_capture_vm_names_the_parent_vapp_and_the_vm_in_capture_vm_params(fresh_cloud, adapter, alice_session):
    fresh_cloud.inventory.vapps[Ids.web].vms = [Ids.web1]
    params = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"catalog": URN("catalog", Ids.gold)}}
    adapter.start(alice_session, "capture_vm", params, "w-4")
    entry, body = sent(fresh_cloud, "POST", "/action/captureVApp")
    assert entry.content_type == MEDIA("captureVAppParams")
    assert children(body) == ["Description", "Source", "CaptureVmParams", "CopyTpmOnInstantiate"]
    assert child(body, "Source").get("href").endswith(f"/vApp/vapp-{Ids.web}")
    assert child(child(body, "CaptureVmParams"), "Source").get("href").endswith(f"/vApp/vm-{Ids.web1}")


def test_tpm_and_create_vm_bodies(fresh_cloud, adapter, alice_session):
    adapter.start(alice_session, "add_tpm", {"source": {"vm": URN("vm", ActIds.web3)}}, "w-5")
    entry, body = sent(fresh_cloud, "POST", "/action/editTrustedPlatformModule")
    assert entry.content_type == MEDIA("TpmSection") and etree.QName(body).localname == "TrustedPlatformModule"
    assert children(body) == ["TpmPresent"]
    adapter.start(alice_session, "create_vm", {"target": {"vdc": URN("vdc", Ids.acme_a)}, "vm": NEW_VM}, "w-6")
    entry, body = sent(fresh_cloud, "POST", "/action/createVm")
    assert entry.content_type == MEDIA("CreateVmParams") and children(body) == ["CreateVm"]
    assert children(child(body, "CreateVm")) == ["Description", "VmSpecSection", "TrustedPlatformModule"]


def test_an_ovf_template_is_params_then_the_descriptor_put_to_its_upload_link(fresh_cloud, adapter, alice_session):
    params = {"target": {"catalog": URN("catalog", Ids.gold)}, "ovf": OVF_WITH_TPM}
    handle = adapter.start(alice_session, "create_template_from_ovf", params, "w-7")
    entry, body = sent(fresh_cloud, "POST", "/action/upload")
    assert entry.content_type == MEDIA("uploadVAppTemplateParams") and children(body) == ["Description"]
    put, descriptor = sent(fresh_cloud, "PUT", "/descriptor.ovf")
    assert put.path.startswith("/transfer/") and put.content_type == "text/xml"
    assert etree.QName(descriptor) == etree.QName(OVF, "Envelope")
    assert "/vAppTemplate/vappTemplate-" in handle
    state = _follow(adapter, alice_session, handle)
    assert state.status == "success" and state.result["template"].endswith(handle.rsplit("vappTemplate-", 1)[1])


def test_an_ovf_vapp_is_params_then_the_descriptor_put_to_the_vapps_link(fresh_cloud, adapter, alice_session):
    params = {"target": {"vdc": URN("vdc", Ids.acme_a)}, "ovf": OVF_WITH_TPM}
    handle = adapter.start(alice_session, "create_vapp_from_ovf", params, "w-8")
    entry, body = sent(fresh_cloud, "POST", "/action/instantiateOvf")
    assert entry.content_type == MEDIA("instantiateOvfParams")
    assert children(body) == ["Description", "AllEULAsAccepted"]
    assert sent(fresh_cloud, "PUT", "/descriptor.ovf")[0].content_type == "text/xml"
    state = _follow(adapter, alice_session, handle)
    assert state.status == "success" and state.result == {"vapp": URN("vapp", handle.rsplit("vapp-", 1)[1])}


def _follow(adapter, session, href):
    state = adapter.task(session, href)
    for _ in range(200):
        if state.done:
            break
        state = adapter.task(session, href)
    return state


# -- answers ---------------------------------------------------------------------------


def test_entity_creating_operations_answer_201_with_the_entity_and_its_running_task(
    fresh_cloud, adapter, alice_session
):
    params = {
        "source": {"template": URN("vapptemplate", Ids.win_tpl)},
        "target": {"vdc": URN("vdc", Ids.acme_a)},
        "name": "twin",
    }
    handle = adapter.start(alice_session, "instantiate_vapp_template", params, "a-1")
    assert "/vApp/vapp-" in handle  # the entity is journaled, not a task
    answer, body = replay(fresh_cloud, alice_session, sent(fresh_cloud, "POST", "/action/instantiateVAppTemplate")[0])
    assert answer.status_code == 201 and answer.headers["Location"] == body.get("href")
    assert etree.QName(body).localname == "VApp" and body.get("status") == "0"
    task = body.find(f"{{{V}}}Tasks/{{{V}}}Task")
    assert task is not None and task.get("status") in ("queued", "running")
    assert answer.headers["Content-Type"].startswith(MEDIA("vApp"))
    state = _follow(adapter, alice_session, handle)
    assert state.status == "success" and state.result == {"vapp": URN("vapp", handle.rsplit("vapp-", 1)[1])}


def test_task_operations_answer_202_with_the_task(fresh_cloud, adapter, alice_session):
    handle = adapter.start(alice_session, "add_tpm", {"source": {"vm": URN("vm", ActIds.web3)}}, "a-2")
    assert "/task/" in handle
    fresh_cloud.inventory.vms[ActIds.web3].tpm = None  # let the replay be valid again
    answer, body = replay(fresh_cloud, alice_session, sent(fresh_cloud, "POST", "/action/editTrustedPlatformModule")[0])
    assert answer.status_code == 202 and etree.QName(body).localname == "Task"
    assert answer.headers["Location"] == body.get("href") and "/api/task/" in answer.headers["Location"]


def test_catalog_upload_answers_201_with_a_catalog_item(fresh_cloud, adapter, alice_session):
    params = {"target": {"catalog": URN("catalog", Ids.gold)}, "ovf": OVF_WITH_TPM, "name": "from-ovf"}
    adapter.start(alice_session, "create_template_from_ovf", params, "a-3")
    entry = sent(fresh_cloud, "POST", "/action/upload")[0]
    answer, body = replay(fresh_cloud, alice_session, entry)
    assert answer.status_code == 201 and etree.QName(body).localname == "CatalogItem"
    assert answer.headers["Location"] == body.get("href") and "/api/catalogItem/" in body.get("href")
    template = requests.get(
        body.find(f"{{{V}}}Entity").get("href"),
        headers={"Accept": "application/*+xml;version=38.1", "Authorization": f"Bearer {alice_session.token}"},
        timeout=10,
    )
    files = etree.fromstring(template.content).findall(f"{{{V}}}Files/{{{V}}}File")
    assert [f.find(f"{{{V}}}Link").get("rel") for f in files] == ["upload:default"]


def test_an_envelope_inside_the_params_is_refused(fresh_cloud, alice_session):
    body = (
        f'<UploadVAppTemplateParams xmlns="{V}" name="x"><Description/>{OVF_WITH_TPM.split("?>", 1)[1]}'
        "</UploadVAppTemplateParams>"
    )
    headers = {
        "Accept": "application/*+xml;version=38.1",
        "Authorization": f"Bearer {alice_session.token}",
        "Content-Type": MEDIA("uploadVAppTemplateParams"),
    }
    url = f"{fresh_cloud.url}/api/catalog/{Ids.gold}/action/upload"
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 400


def test_a_failed_creation_reports_the_tasks_error_after_the_entity_is_gone(fresh_cloud, adapter, alice_session):
    params = {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"vdc": URN("vdc", Ids.acme_b)}, "tpm": "replace"}
    handle = adapter.start(alice_session, "copy_vapp", params, "a-4")
    state = _follow(adapter, alice_session, handle)
    assert state.status == "error" and "requires vCenter Server 8.0" in state.error
    assert handle.rsplit("vapp-", 1)[1] not in fresh_cloud.inventory.vapps
