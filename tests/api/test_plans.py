"""POST /api/v1/plans for every operation, on the demo world, over the real vCD adapter."""

from __future__ import annotations

import pytest

from tests.demo import urn

WIN = {"name": "new-win", "guest_os": "windows2019srv_64Guest", "firmware": "efi", "hardware_version": 19, "tpm": True}
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
    (
        "create_vm",
        "alice",
        {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-a")}, "vm": WIN},
        True,
        ["new"],
        set(),
    ),
    (
        "create_vm_no_usable_kp",
        "alice",
        {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-d")}, "vm": WIN},
        False,
        ["new"],
        {"key_provider_configured"},
    ),
    (
        "create_vm_from_captured_replace",
        "alice",
        {
            "operation": "create_vm_from_template",
            "source": {"template": urn("vapptemplate", "win-captured-replace")},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
        True,
        ["replace"],
        set(),
    ),
    (
        "compose",
        "alice",
        {
            "operation": "compose_vapp",
            "target": {"vdc": urn("vdc", "acme-a")},
            "items": [
                {"template": urn("vapptemplate", "win-captured-copy"), "vm": urn("vm", "win-cc")},
                {"new_vm": {"name": "plain", "guest_os": "ubuntu64Guest"}},
            ],
        },
        True,
        ["copy", "none"],
        set(),
    ),
    (
        "vapp_from_ovf",
        "alice",
        {"operation": "create_vapp_from_ovf", "target": {"vdc": urn("vdc", "acme-a")}, "ovf": OVF_TPM},
        True,
        ["new", "none"],
        set(),
    ),
    (
        "instantiate_copy_across_unshared",
        "alice",
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-captured-copy")},
            "target": {"vdc": urn("vdc", "acme-c")},
        },
        False,
        ["copy"],
        {"cross_vcenter_instantiation", "key_provider_on_target", "shared_storage"},
    ),
    (
        "instantiate_ovf_template_replaces",
        "alice",
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-ovf")},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
        True,
        ["replace"],
        set(),
    ),
    (
        "import_as_vapp",
        "admin",
        {
            "operation": "import_vm_as_vapp",
            "source": {"vcenter_vm": "legacy-tpm"},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
        True,
        ["copy"],
        set(),
    ),
    (
        "add_vm",
        "alice",
        {"operation": "add_vm_to_vapp", "target": {"vapp": urn("vapp", "web")}, "vm": WIN},
        True,
        ["new"],
        set(),
    ),
    (
        "add_vm_from_imported_template",
        "alice",
        {
            "operation": "add_vm_from_template",
            "source": {"template": urn("vapptemplate", "win-imported"), "vm": urn("vm", "win-imp")},
            "target": {"vapp": urn("vapp", "app7")},
        },
        True,
        ["copy"],
        set(),
    ),
    (
        "copy_vm_replace_on_7x_refused",
        "alice",
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "app7")},
            "tpm": "replace",
        },
        False,
        ["copy"],
        {"tpm_mode_supported"},
    ),
    (
        "copy_vm_replace_on_7x_emulated",
        "alice",
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "app7")},
            "tpm": "replace",
            "replace_on_7x": True,
        },
        True,
        ["replace"],
        set(),
    ),
    (
        "copy_vm_replace_on_8x",
        "alice",
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "web")},
            "tpm": "replace",
            "acknowledge_tpm_data_loss": True,
        },
        True,
        ["replace"],
        set(),
    ),
    (
        "move_vm_to_mismatched_vcenter",
        "alice",
        {"operation": "move_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "old")}},
        False,
        ["copy"],
        {"key_provider_on_target", "shared_storage"},
    ),
    (
        "copy_vapp_shared",
        "alice",
        {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "web")}, "target": {"vdc": urn("vdc", "acme-b")}},
        True,
        ["copy", "none"],
        set(),
    ),
    (
        "move_vapp_needs_no_shared_storage",
        "alice",
        {"operation": "move_vapp", "source": {"vapp": urn("vapp", "web")}, "target": {"vdc": urn("vdc", "acme-c")}},
        False,
        ["copy", "none"],
        {"key_provider_on_target"},
    ),
    (
        "capture_vapp_replace",
        "alice",
        {
            "operation": "capture_vapp",
            "source": {"vapp": urn("vapp", "web")},
            "target": {"catalog": urn("catalog", "gold")},
            "tpm": "replace",
        },
        True,
        ["copy", "none"],
        set(),
    ),
    (
        "capture_vm_across",
        "alice",
        {
            "operation": "capture_vm",
            "source": {"vm": urn("vm", "db-solo")},
            "target": {"catalog": urn("catalog", "gold")},
        },
        True,
        ["copy"],
        set(),
    ),
    (
        "capture_vm_sharing_its_vapp",
        "alice",
        {"operation": "capture_vm", "source": {"vm": urn("vm", "db-1")}, "target": {"catalog": urn("catalog", "gold")}},
        False,
        ["copy"],
        {"capture_vm_alone_in_vapp"},
    ),
    (
        "template_from_ovf",
        "alice",
        {"operation": "create_template_from_ovf", "target": {"catalog": urn("catalog", "gold")}, "ovf": OVF_TPM},
        True,
        ["new", "none"],
        set(),
    ),
    (
        "import_as_template",
        "admin",
        {
            "operation": "import_vm_as_template",
            "source": {"vcenter_vm": "legacy-plain"},
            "target": {"catalog": urn("catalog", "gold")},
        },
        True,
        ["none"],
        set(),
    ),
    ("add_tpm", "alice", {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}, True, ["new"], set()),
    (
        "add_tpm_bios",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "bios-1")}},
        False,
        ["new"],
        {"firmware_efi"},
    ),
    (
        "add_tpm_hw13",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "hw13-1")}},
        False,
        ["new"],
        {"hardware_version"},
    ),
    (
        "add_tpm_xp",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "xp-1")}},
        False,
        ["new"],
        {"guest_os_supported"},
    ),
    (
        "add_tpm_running",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "running-1")}},
        False,
        ["new"],
        {"powered_off"},
    ),
    (
        "add_tpm_linux_old_vcenter",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-old")}},
        False,
        ["new"],
        {"vcenter_version_for_guest"},
    ),
    (
        "add_tpm_unusable_kp",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "win-d1")}},
        False,
        ["new"],
        {"key_provider_configured"},
    ),
    (
        "add_tpm_twice",
        "alice",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "web-1")}},
        False,
        ["none"],
        {"single_tpm"},
    ),
    ("remove_tpm", "alice", {"operation": "remove_tpm", "source": {"vm": urn("vm", "web-1")}}, True, ["remove"], set()),
    (
        "template_made_outside_vcdtpm_across_with_what_a_copy_needs",
        "alice",
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-outside")},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
        True,
        ["unknown"],
        set(),
    ),
    (
        "template_made_outside_vcdtpm_across_without",
        "alice",
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-outside")},
            "target": {"vdc": urn("vdc", "acme-c")},
        },
        False,
        ["unknown"],
        {"key_provider_on_target", "shared_storage", "cross_vcenter_instantiation"},
    ),
]


@pytest.mark.parametrize(
    "template, rule, action",
    [
        ("win-captured-copy", "provenance.captured", "copy"),
        ("win-captured-replace", "provenance.captured", "replace"),
        ("win-ovf", "provenance.ovf", "replace"),
        ("win-imported", "provenance.vcenter_import", "copy"),
        ("win-outside", "provenance.unknown", "unknown"),
    ],
)
def test_every_demo_template_plans_by_the_provenance_vcdtpm_recorded(client, alice, template, rule, action):
    body = {
        "operation": "instantiate_vapp_template",
        "source": {"template": urn("vapptemplate", template)},
        "target": {"vdc": urn("vdc", "acme-a")},
    }
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    assert [(vm["rule"], vm["action"]) for vm in plan["vms"]] == [(rule, action)]
    unknown = any("may not survive" in warning for warning in plan["warnings"])
    assert unknown is (action == "unknown") and plan["allowed"] is True


@pytest.mark.parametrize("name,who,body,allowed,actions,failing", CASES, ids=[c[0] for c in CASES])
def test_plan_answers_each_operation_on_the_demo_world(client, tokens, name, who, body, allowed, actions, failing):
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
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "app7")}}
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    assert plan["source_band"] == "8.x" and plan["target_band"] == "7.x"
    assert plan["tpm"] == "copy"
    assert plan["vms"][0]["rule"].startswith("matrix.copy_vm.")
    assert plan["vms"][0]["id"] == urn("vm", "web-1") and plan["vms"][0]["tpm_present"] is True


def test_replace_without_acknowledgement_is_a_warning_in_plans(client, alice):
    body = {
        "operation": "copy_vm",
        "source": {"vm": urn("vm", "web-1")},
        "target": {"vapp": urn("vapp", "web")},
        "tpm": "replace",
    }
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    loss = [c for c in plan["checks"] if c["id"] == "data_loss_acknowledged"]
    assert [c["status"] for c in loss] == ["warn"]
    assert plan["allowed"] is True and plan["warnings"]


def test_every_check_id_of_the_contract_appears_in_a_plan(client, alice):
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "old")}}
    ids = {c["id"] for c in client.post("/api/v1/plans", headers=alice, json=body).get_json()["checks"]}
    assert {
        "firmware_efi",
        "hardware_version",
        "guest_os_supported",
        "vcenter_version_for_guest",
        "key_provider_configured",
        "key_provider_on_target",
        "shared_storage",
        "cross_vcenter_instantiation",
        "tpm_mode_supported",
        "powered_off",
        "single_tpm",
        "data_loss_acknowledged",
    } <= ids


def test_a_template_vm_that_is_not_in_the_template_names_the_field(client, alice):
    body = {
        "operation": "add_vm_from_template",
        "target": {"vapp": urn("vapp", "web")},
        "source": {"template": urn("vapptemplate", "win-captured-copy"), "vm": urn("vm", "web-1")},
    }
    answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vm"


def test_an_import_can_move_and_its_plan_says_the_vtpm_is_kept(client, tokens):
    body = {
        "operation": "import_vm_as_vapp",
        "source": {"vcenter_vm": "legacy-tpm"},
        "target": {"vdc": urn("vdc", "acme-a")},
        "move": True,
    }
    plan = client.post("/api/v1/plans", headers=tokens("admin@System"), json=body).get_json()
    assert [vm["action"] for vm in plan["vms"]] == ["copy"] and "Moving legacy-tpm in" in plan["vms"][0]["reason"]


def test_move_is_for_imports_only(client, alice):
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "app7")}}
    answer = client.post("/api/v1/plans", headers=alice, json={**body, "move": True})
    assert answer.status_code in (400, 422) and "move" in answer.get_data(as_text=True)


CAPTURE_WEB1 = {
    "operation": "capture_vm",
    "source": {"vm": urn("vm", "web-1")},
    "target": {"catalog": urn("catalog", "gold")},
}


def capture_check(checks: list[dict]) -> list[dict]:
    return [c for c in checks if c["id"] == "capture_vm_alone_in_vapp"]


def test_a_plan_to_capture_a_vm_sharing_its_vapp_names_the_others_and_the_remedy(client, alice):
    plan = client.post("/api/v1/plans", headers=alice, json=CAPTURE_WEB1).get_json()
    [found] = capture_check(plan["checks"])
    assert plan["allowed"] is False and (found["status"], found["vm"]) == ("fail", urn("vm", "web-1"))
    assert "web-1 shares vApp web with web-2" in found["message"]
    assert found["remedy"] == (
        f"Capture the vApp with capture_vapp (source vApp {urn('vapp', 'web')}), "
        "or move web-1 into a vApp of its own first."
    )


def test_executing_a_capture_of_a_vm_sharing_its_vapp_is_a_409_with_the_check(client, alice):
    answer = client.post("/api/v1/operations", headers=alice, json=CAPTURE_WEB1)
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    [found] = capture_check(answer.get_json()["checks"])
    assert found["status"] == "fail" and "capture_vapp" in found["remedy"]


@pytest.mark.parametrize("vm", ["db-solo", "win-d1"])
def test_a_plan_to_capture_a_vm_alone_in_its_vapp_passes_the_check(client, alice, vm):
    body = {**CAPTURE_WEB1, "source": {"vm": urn("vm", vm)}}
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    assert [c["status"] for c in capture_check(plan["checks"])] == ["pass"] and plan["allowed"] is True
