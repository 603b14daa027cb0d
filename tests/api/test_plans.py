"""POST /api/v1/plans for every operation, on the demo world, over the real vCD adapter."""
from __future__ import annotations

import pytest

from tests.conftest import urn

WIN = {"name": "new-win", "guest_os": "windows2019srv_64Guest", "firmware": "efi", "hardware_version": 19,
       "tpm": True}
OVF_TPM = """<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:vmw="http://www.vmware.com/schema/ovf"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <VirtualSystemCollection ovf:id="pkg">
  <VirtualSystem ovf:id="ovf-win">
    <Name>ovf-win</Name>
    <OperatingSystemSection ovf:id="1" vmw:osType="windows2019srv_64Guest"/>
    <VirtualHardwareSection>
      <System><vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType></System>
      <Item><rasd:ResourceSubType>vmware.vtpm</rasd:ResourceSubType><rasd:ResourceType>1</rasd:ResourceType></Item>
      <vmw:Config vmw:key="firmware" vmw:value="efi"/>
    </VirtualHardwareSection>
  </VirtualSystem>
  <VirtualSystem ovf:id="ovf-plain">
    <Name>ovf-plain</Name>
    <OperatingSystemSection ovf:id="1" vmw:osType="ubuntu64Guest"/>
    <VirtualHardwareSection><System><vssd:VirtualSystemType>vmx-15</vssd:VirtualSystemType></System>
    </VirtualHardwareSection>
  </VirtualSystem>
  </VirtualSystemCollection>
</Envelope>"""

# (id, who, body, allowed, actions per VM, failing checks)
CASES = [
    ("create_vm", "alice", {"operation": "create_vm", "target": {"vdc": urn("vdc", "71")}, "vm": WIN},
     True, ["new"], set()),
    ("create_vm_no_usable_kp", "alice", {"operation": "create_vm", "target": {"vdc": urn("vdc", "74")}, "vm": WIN},
     False, ["new"], {"key_provider_configured"}),
    ("create_vm_from_captured_replace", "alice",
     {"operation": "create_vm_from_template", "source": {"template": urn("vapptemplate", "52")},
      "target": {"vdc": urn("vdc", "72")}}, True, ["replace"], set()),
    ("compose", "alice",
     {"operation": "compose_vapp", "target": {"vdc": urn("vdc", "71")},
      "items": [{"template": urn("vapptemplate", "51"), "vm": urn("vm", "21")},
                {"new_vm": {"name": "plain", "guest_os": "ubuntu64Guest"}}]}, True, ["copy", "none"], set()),
    ("vapp_from_ovf", "alice", {"operation": "create_vapp_from_ovf", "target": {"vdc": urn("vdc", "71")},
                                "ovf": OVF_TPM}, True, ["new", "none"], set()),
    ("instantiate_copy_across_unshared", "alice",
     {"operation": "instantiate_vapp_template", "source": {"template": urn("vapptemplate", "51")},
      "target": {"vdc": urn("vdc", "73")}}, False, ["copy"],
     {"cross_vcenter_instantiation", "key_provider_on_target", "shared_storage"}),
    ("instantiate_ovf_template_replaces", "alice",
     {"operation": "instantiate_vapp_template", "source": {"template": urn("vapptemplate", "53")},
      "target": {"vdc": urn("vdc", "72")}}, True, ["replace"], set()),
    ("import_as_vapp", "admin", {"operation": "import_vm_as_vapp", "source": {"vcenter_vm": "legacy-tpm"},
                                 "target": {"vdc": urn("vdc", "72")}}, True, ["copy"], set()),
    ("add_vm", "alice", {"operation": "add_vm_to_vapp", "target": {"vapp": urn("vapp", "41")}, "vm": WIN},
     True, ["new"], set()),
    ("add_vm_from_imported_template", "alice",
     {"operation": "add_vm_from_template", "source": {"template": urn("vapptemplate", "54"), "vm": urn("vm", "24")},
      "target": {"vapp": urn("vapp", "43")}}, True, ["copy"], set()),
    ("copy_vm_replace_on_7x_refused", "alice",
     {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "43")},
      "tpm": "replace"}, False, ["copy"], {"tpm_mode_supported"}),
    ("copy_vm_replace_on_7x_emulated", "alice",
     {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "43")},
      "tpm": "replace", "replace_on_7x": True}, True, ["replace"], set()),
    ("copy_vm_replace_on_8x", "alice",
     {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "41")},
      "tpm": "replace", "acknowledge_tpm_data_loss": True}, True, ["replace"], set()),
    ("move_vm_to_mismatched_vcenter", "alice",
     {"operation": "move_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "44")}},
     False, ["copy"], {"key_provider_on_target", "shared_storage"}),
    ("copy_vapp_shared", "alice", {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "41")},
                                   "target": {"vdc": urn("vdc", "72")}}, True, ["copy", "none"], set()),
    ("move_vapp_needs_no_shared_storage", "alice",
     {"operation": "move_vapp", "source": {"vapp": urn("vapp", "41")}, "target": {"vdc": urn("vdc", "73")}},
     False, ["copy", "none"], {"key_provider_on_target"}),
    ("capture_vapp_replace", "alice",
     {"operation": "capture_vapp", "source": {"vapp": urn("vapp", "41")}, "target": {"catalog": urn("catalog", "61")},
      "tpm": "replace"}, True, ["copy", "none"], set()),
    ("capture_vm_across", "alice", {"operation": "capture_vm", "source": {"vm": urn("vm", "07")},
                                    "target": {"catalog": urn("catalog", "61")}}, True, ["copy"], set()),
    ("template_from_ovf", "alice", {"operation": "create_template_from_ovf",
                                    "target": {"catalog": urn("catalog", "61")}, "ovf": OVF_TPM},
     True, ["new", "none"], set()),
    ("import_as_template", "admin", {"operation": "import_vm_as_template", "source": {"vcenter_vm": "legacy-plain"},
                                     "target": {"catalog": urn("catalog", "61")}}, True, ["none"], set()),
    ("add_tpm", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "02")}}, True, ["new"], set()),
    ("add_tpm_bios", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "03")}}, False, ["new"],
     {"firmware_efi"}),
    ("add_tpm_hw13", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "04")}}, False, ["new"],
     {"hardware_version"}),
    ("add_tpm_xp", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "05")}}, False, ["new"],
     {"guest_os_supported"}),
    ("add_tpm_running", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "06")}}, False, ["new"],
     {"powered_off"}),
    ("add_tpm_linux_old_vcenter", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "09")}}, False,
     ["new"], {"vcenter_version_for_guest"}),
    ("add_tpm_unusable_kp", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "11")}}, False, ["new"],
     {"key_provider_configured"}),
    ("add_tpm_twice", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "01")}}, False, ["none"],
     {"single_tpm"}),
    ("remove_tpm", "alice", {"operation": "remove_tpm", "source": {"vm": urn("vm", "01")}}, True, ["remove"], set()),
]


@pytest.mark.parametrize("name,who,body,allowed,actions,failing", CASES, ids=[c[0] for c in CASES])
def test_plan_answers_each_operation_on_the_demo_world(client, tokens, name, who, body, allowed, actions,
                                                       failing):
    headers = tokens({"alice": "alice@acme", "admin": "admin@System"}[who])
    answer = client.post("/api/v1/plans", headers=headers, json=body)
    assert answer.status_code == 200, answer.get_json()
    plan = answer.get_json()
    assert plan["operation"] == body["operation"]
    assert [vm["action"] for vm in plan["vms"]] == actions
    assert {c["id"] for c in plan["checks"] if c["status"] == "fail"} == failing
    assert plan["allowed"] is allowed
    for check in plan["checks"]:
        assert check["status"] in ("pass", "fail", "warn", "skip")
        if check["status"] == "fail":
            assert check["message"] and check["remedy"]


def test_a_plan_cites_the_matrix_rule_and_both_bands(client, alice):
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "43")}}
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    assert plan["source_band"] == "8.x" and plan["target_band"] == "7.x"
    assert plan["tpm"] == "copy"
    assert plan["vms"][0]["rule"].startswith("matrix.copy_vm.")
    assert plan["vms"][0]["id"] == urn("vm", "01") and plan["vms"][0]["tpm_present"] is True


def test_replace_without_acknowledgement_is_a_warning_in_plans(client, alice):
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "41")},
            "tpm": "replace"}
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    loss = [c for c in plan["checks"] if c["id"] == "data_loss_acknowledged"]
    assert [c["status"] for c in loss] == ["warn"]
    assert plan["allowed"] is True and plan["warnings"]


def test_every_check_id_of_the_contract_appears_in_a_plan(client, alice):
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "01")}, "target": {"vapp": urn("vapp", "44")}}
    ids = {c["id"] for c in client.post("/api/v1/plans", headers=alice, json=body).get_json()["checks"]}
    assert {"firmware_efi", "hardware_version", "guest_os_supported", "vcenter_version_for_guest",
            "key_provider_configured", "key_provider_on_target", "shared_storage", "cross_vcenter_instantiation",
            "tpm_mode_supported", "powered_off", "single_tpm", "data_loss_acknowledged"} <= ids


def test_a_template_vm_that_is_not_in_the_template_names_the_field(client, alice):
    body = {"operation": "add_vm_from_template", "target": {"vapp": urn("vapp", "41")},
            "source": {"template": urn("vapptemplate", "51"), "vm": urn("vm", "01")}}
    answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vm"
