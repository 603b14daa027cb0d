"""The adapter acts on the simulated Cloud Director over HTTP and the inventory changes as vCD's."""

from __future__ import annotations

import pytest

from tests.adapters.vcd.acting import URN, run, uuid_of
from tests.smallcloud import PASSWORD, ActIds, Ids
from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Power, Provenance, TpmMode

OVF_WITH_TPM = """<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:vmw="http://www.vmware.com/schema/ovf"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
 <VirtualSystem ovf:id="app-1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <Name>app-1</Name>
  <OperatingSystemSection vmw:osType="windows2019srv_64Guest"><Info>os</Info></OperatingSystemSection>
  <VirtualHardwareSection><Info>hw</Info>
   <System><vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType></System>
   <Item><rasd:ResourceSubType>vmware.vtpm</rasd:ResourceSubType></Item>
   <vmw:Config vmw:key="firmware" vmw:value="efi"/>
  </VirtualHardwareSection>
 </VirtualSystem>
</Envelope>"""
NEW_VM = {"name": "new-1", "guest_os": "windows2019srv_64Guest", "firmware": "efi", "hardware_version": 19, "tpm": True}


@pytest.fixture
def admin(adapter):
    return adapter.login("admin", "System", PASSWORD)


def made(fresh_cloud, state, key):
    assert state.status == "success", state.error
    return (
        fresh_cloud.inventory.vms.get(uuid_of(state.result[key]))
        if key == "vm"
        else (fresh_cloud.inventory.vapps if key == "vapp" else fresh_cloud.inventory.templates)[
            uuid_of(state.result[key])
        ]
    )


def vms_of(fresh_cloud, holder):
    return [fresh_cloud.inventory.vms[i] for i in holder.vms]


def test_copy_vm_across_vcenters_keeps_the_vtpm_identity_and_powers_the_copy_off(fresh_cloud, adapter, alice_session):
    source = fresh_cloud.inventory.vms[Ids.web1]
    source.power = Power.ON
    state = run(
        adapter,
        alice_session,
        "copy_vm",
        {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.dr)}},
    )
    copy = made(fresh_cloud, state, "vm")
    assert copy.id != source.id and copy.vapp == ActIds.dr
    assert (copy.vcenter, copy.datastore, copy.power) == ("vc-b", "ds-shared-b", Power.OFF)
    assert copy.tpm.identity == source.tpm.identity and copy.key_provider == "kp-gold"


def test_copy_vm_with_replace_on_8x_gives_the_copy_a_new_vtpm(fresh_cloud, adapter, alice_session):
    state = run(
        adapter,
        alice_session,
        "copy_vm",
        {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.lab)}, "tpm": "replace"},
    )
    copy = made(fresh_cloud, state, "vm")
    assert copy.tpm.identity != fresh_cloud.inventory.vms[Ids.web1].tpm.identity


def test_move_vm_moves_the_same_vm_with_the_same_vtpm(fresh_cloud, adapter, alice_session):
    source = fresh_cloud.inventory.vms[Ids.web1]
    tpm = source.tpm
    state = run(
        adapter,
        alice_session,
        "move_vm",
        {"source": {"vm": URN("vm", Ids.web1)}, "target": {"vapp": URN("vapp", ActIds.dr)}},
    )
    moved = made(fresh_cloud, state, "vm")
    assert moved is source and moved.tpm is tpm and moved.vcenter == "vc-b"
    assert Ids.web1 in fresh_cloud.inventory.vapps[ActIds.dr].vms
    assert Ids.web1 not in fresh_cloud.inventory.vapps[Ids.web].vms


def test_copy_vapp_copies_every_vm_and_its_vtpm(fresh_cloud, adapter, alice_session):
    state = run(
        adapter,
        alice_session,
        "copy_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"vdc": URN("vdc", Ids.acme_a)}},
    )
    vapp = made(fresh_cloud, state, "vapp")
    assert vapp.name == "web-copy" and len(vapp.vms) == 3
    copy = next(vm for vm in vms_of(fresh_cloud, vapp) if vm.name == "web-1")
    assert copy.tpm.identity == fresh_cloud.inventory.vms[Ids.web1].tpm.identity


def test_move_vapp_needs_no_shared_storage_and_keeps_the_vapp(fresh_cloud, adapter, alice_session):
    fresh_cloud.inventory.vcenters["vc-b"].datastores[0] = type(fresh_cloud.inventory.vcenters["vc-b"].datastores[0])(
        "ds-shared-b", "ds:///vmfs/volumes/b/"
    )
    fresh_cloud.inventory.vdcs[Ids.acme_b].datastore = "ds-shared-b"
    tpm = fresh_cloud.inventory.vms[Ids.web1].tpm
    state = run(
        adapter,
        alice_session,
        "move_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"vdc": URN("vdc", Ids.acme_b)}},
    )
    vapp = made(fresh_cloud, state, "vapp")
    assert vapp.id == Ids.web and vapp.vdc == Ids.acme_b
    assert fresh_cloud.inventory.vms[Ids.web1].tpm is tpm
    assert fresh_cloud.inventory.vms[Ids.web1].vcenter == "vc-b"


@pytest.mark.parametrize(
    "template, same_identity", [(Ids.win_tpl, False), (ActIds.ovf_tpl, False), (ActIds.imp_tpl, True)]
)
def test_instantiate_vapp_template_follows_the_templates_provenance(
    fresh_cloud, adapter, alice_session, template, same_identity
):
    state = run(
        adapter,
        alice_session,
        "instantiate_vapp_template",
        {"source": {"template": URN("vapptemplate", template)}, "target": {"vdc": URN("vdc", Ids.acme_a)}},
    )
    vm = vms_of(fresh_cloud, made(fresh_cloud, state, "vapp"))[0]
    source = vms_of(fresh_cloud, fresh_cloud.inventory.templates[template])[0]
    assert (vm.tpm.identity == source.tpm.identity) is same_identity


@pytest.mark.parametrize("tpm, provisioning", [(None, TpmMode.COPY), ("replace", TpmMode.REPLACE)])
def test_capture_vapp_records_the_tpm_provisioning_on_the_template(
    fresh_cloud, adapter, alice_session, tpm, provisioning
):
    state = run(
        adapter,
        alice_session,
        "capture_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": {"catalog": URN("catalog", Ids.gold)}, "tpm": tpm},
    )
    template = made(fresh_cloud, state, "template")
    assert (template.provenance, template.tpm_provisioning) == (Provenance.CAPTURED, provisioning)
    assert template.id in fresh_cloud.inventory.catalogs[Ids.gold].templates
    captured = next(vm for vm in vms_of(fresh_cloud, template) if vm.name == "web-1")
    assert captured.tpm.identity == fresh_cloud.inventory.vms[Ids.web1].tpm.identity


def test_capture_vm_makes_a_template_of_a_vm_alone_in_its_vapp(fresh_cloud, adapter, alice_session):
    fresh_cloud.inventory.vapps[Ids.web].vms = [Ids.web1]
    state = run(
        adapter,
        alice_session,
        "capture_vm",
        {"source": {"vm": URN("vm", Ids.web1)}, "target": {"catalog": URN("catalog", Ids.gold)}},
    )
    template = made(fresh_cloud, state, "template")
    assert [vm.name for vm in vms_of(fresh_cloud, template)] == ["web-1"]


def test_capture_vm_of_a_vm_sharing_its_vapp_is_refused_before_sending(fresh_cloud, adapter, alice_session):
    params = {"source": {"vm": URN("vm", Ids.web1)}, "target": {"catalog": URN("catalog", Ids.gold)}}
    with pytest.raises(Invalid, match="captures a whole vApp"):
        adapter.start(alice_session, "capture_vm", params, "req-1")
    assert fresh_cloud.app.requests.count("/api/catalog/", "POST") == 0


def test_add_tpm_gives_a_powered_off_efi_vm_a_new_vtpm_and_remove_takes_it(fresh_cloud, adapter, alice_session):
    vm = fresh_cloud.inventory.vms[ActIds.web3]
    state = run(adapter, alice_session, "add_tpm", {"source": {"vm": URN("vm", ActIds.web3)}})
    assert made(fresh_cloud, state, "vm") is vm and vm.tpm is not None
    assert vm.key_provider == "kp-gold"
    state = run(
        adapter, alice_session, "edit_tpm", {"vapp": URN("vapp", Ids.web), "vm_name": "web-3", "present": False}
    )
    assert state.status == "success" and vm.tpm is None


def test_add_vm_to_vapp_creates_a_vm_with_a_new_vtpm(fresh_cloud, adapter, alice_session):
    state = run(adapter, alice_session, "add_vm_to_vapp", {"target": {"vapp": URN("vapp", ActIds.lab)}, "vm": NEW_VM})
    vm = made(fresh_cloud, state, "vm")
    assert (vm.name, vm.vapp, vm.vcenter, vm.key_provider) == ("new-1", ActIds.lab, "vc-a", "kp-gold")
    assert vm.tpm is not None


def test_add_vm_from_template_follows_the_templates_provenance(fresh_cloud, adapter, alice_session):
    state = run(
        adapter,
        alice_session,
        "add_vm_from_template",
        {
            "source": {"template": URN("vapptemplate", ActIds.imp_tpl), "vm": URN("vm", ActIds.imp_vm)},
            "target": {"vapp": URN("vapp", ActIds.lab)},
        },
    )
    vm = made(fresh_cloud, state, "vm")
    assert vm.vapp == ActIds.lab
    assert vm.tpm.identity == fresh_cloud.inventory.vms[ActIds.imp_vm].tpm.identity


def test_create_vm_lands_in_a_vapp_of_its_own(fresh_cloud, adapter, alice_session):
    state = run(adapter, alice_session, "create_vm", {"target": {"vdc": URN("vdc", Ids.acme_a)}, "vm": NEW_VM})
    vm = made(fresh_cloud, state, "vm")
    vapp = fresh_cloud.inventory.vapps[vm.vapp]
    assert vapp.vms == [vm.id] and vapp.vdc == Ids.acme_a and vm.tpm is not None


def test_create_vm_from_template_replaces_as_an_ovf_template_says(fresh_cloud, adapter, alice_session):
    state = run(
        adapter,
        alice_session,
        "create_vm_from_template",
        {"source": {"template": URN("vapptemplate", ActIds.ovf_tpl)}, "target": {"vdc": URN("vdc", Ids.acme_a)}},
    )
    vm = made(fresh_cloud, state, "vm")
    assert vm.name == "ovf-tpl-vm"
    assert vm.tpm.identity != fresh_cloud.inventory.vms[ActIds.ovf_vm].tpm.identity


def test_compose_vapp_builds_a_vapp_from_template_vms_and_new_vms(fresh_cloud, adapter, alice_session):
    items = [{"template": URN("vapptemplate", ActIds.imp_tpl), "vm": URN("vm", ActIds.imp_vm)}, {"new_vm": NEW_VM}]
    state = run(
        adapter,
        alice_session,
        "compose_vapp",
        {"target": {"vdc": URN("vdc", Ids.acme_a)}, "items": items, "name": "composed"},
    )
    vapp = made(fresh_cloud, state, "vapp")
    assert vapp.name == "composed"
    assert sorted(vm.name for vm in vms_of(fresh_cloud, vapp)) == ["imported-tpl-vm", "new-1"]


def test_create_vapp_from_ovf_gives_a_vtpm_placeholder_a_new_vtpm(fresh_cloud, adapter, alice_session):
    state = run(
        adapter, alice_session, "create_vapp_from_ovf", {"target": {"vdc": URN("vdc", Ids.acme_a)}, "ovf": OVF_WITH_TPM}
    )
    vm = vms_of(fresh_cloud, made(fresh_cloud, state, "vapp"))[0]
    assert (vm.name, vm.tpm is not None, vm.key_provider) == ("app-1", True, "kp-gold")


def test_create_template_from_ovf_marks_its_provenance_ovf(fresh_cloud, adapter, alice_session):
    state = run(
        adapter,
        alice_session,
        "create_template_from_ovf",
        {"target": {"catalog": URN("catalog", Ids.gold)}, "ovf": OVF_WITH_TPM, "name": "from-ovf"},
    )
    template = made(fresh_cloud, state, "template")
    assert (template.name, template.provenance) == ("from-ovf", Provenance.OVF)
    assert vms_of(fresh_cloud, template)[0].tpm is not None


def test_import_vm_as_vapp_copies_the_vcenter_vm_and_its_vtpm(fresh_cloud, adapter, admin):
    legacy = next(vm for vm in fresh_cloud.inventory.vms.values() if vm.name == "legacy-1")
    state = run(
        adapter,
        admin,
        "import_vm_as_vapp",
        {"source": {"vcenter_vm": "legacy-1"}, "target": {"vdc": URN("vdc", Ids.acme_b)}},
    )
    vm = vms_of(fresh_cloud, made(fresh_cloud, state, "vapp"))[0]
    assert vm.id != legacy.id and vm.tpm.identity == legacy.tpm.identity


def test_import_vm_as_template_marks_its_provenance_vcenter_import(fresh_cloud, adapter, admin):
    fresh_cloud.inventory.catalogs[Ids.bare].vdc = Ids.acme_b
    state = run(
        adapter,
        admin,
        "import_vm_as_template",
        {"source": {"vcenter_vm": "legacy-1"}, "target": {"catalog": URN("catalog", Ids.bare)}},
    )
    template = made(fresh_cloud, state, "template")
    assert template.provenance == Provenance.VCENTER_IMPORT and template.org == "acme"
