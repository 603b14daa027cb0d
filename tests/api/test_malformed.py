"""A table of malformed requests: every one is a 4xx problem+json naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.demo import urn

VM = urn("vm", "web-1")

# (id, body as raw text or JSON, expected status, field the problem must name or None)
BODIES = [
    ("not_json", "{not json", 400, None),
    ("json_array", "[1, 2]", 422, None),
    ("json_string", '"copy_vm"', 422, None),
    ("json_null", "null", 422, None),
    ("empty_object", {}, 422, "operation"),
    ("unknown_operation", {"operation": "teleport_vm"}, 422, "operation"),
    ("operation_not_a_string", {"operation": 7}, 422, "operation"),
    ("unknown_top_level_field", {"operation": "add_tpm", "source": {"vm": VM}, "colour": "red"}, 422, "colour"),
    ("unknown_source_field", {"operation": "add_tpm", "source": {"vm": VM, "disk": "x"}}, 422, "source.disk"),
    ("source_not_an_object", {"operation": "add_tpm", "source": "vm"}, 422, "source"),
    ("missing_source_vm", {"operation": "add_tpm"}, 422, "source.vm"),
    ("source_vm_not_a_urn", {"operation": "add_tpm", "source": {"vm": "web-1"}}, 422, "source.vm"),
    ("source_vm_wrong_urn_kind", {"operation": "add_tpm", "source": {"vm": urn("vapp", "web")}}, 422, "source.vm"),
    (
        "bad_tpm_mode",
        {"operation": "copy_vm", "source": {"vm": VM}, "target": {"vapp": urn("vapp", "web")}, "tpm": "clone"},
        422,
        "tpm",
    ),
    (
        "tpm_mode_wrong_type",
        {"operation": "copy_vm", "source": {"vm": VM}, "target": {"vapp": urn("vapp", "web")}, "tpm": True},
        422,
        "tpm",
    ),
    ("bool_as_string", {"operation": "add_tpm", "source": {"vm": VM}, "replace_on_7x": "yes"}, 422, "replace_on_7x"),
    (
        "ack_as_number",
        {"operation": "add_tpm", "source": {"vm": VM}, "acknowledge_tpm_data_loss": 1},
        422,
        "acknowledge_tpm_data_loss",
    ),
    ("missing_target", {"operation": "copy_vm", "source": {"vm": VM}}, 422, "target.vapp"),
    ("missing_vm_spec", {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-a")}}, 422, "vm"),
    (
        "vm_spec_missing_guest",
        {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-a")}, "vm": {"name": "x"}},
        422,
        "vm.guest_os",
    ),
    (
        "vm_spec_bad_firmware",
        {
            "operation": "create_vm",
            "target": {"vdc": urn("vdc", "acme-a")},
            "vm": {"name": "x", "guest_os": "ubuntu64Guest", "firmware": "uefi"},
        },
        422,
        "vm.firmware",
    ),
    (
        "vm_spec_hw_as_string",
        {
            "operation": "create_vm",
            "target": {"vdc": urn("vdc", "acme-a")},
            "vm": {"name": "x", "guest_os": "ubuntu64Guest", "hardware_version": "19"},
        },
        422,
        "vm.hardware_version",
    ),
    (
        "items_not_a_list",
        {"operation": "compose_vapp", "target": {"vdc": urn("vdc", "acme-a")}, "items": {}},
        422,
        "items",
    ),
    ("items_empty", {"operation": "compose_vapp", "target": {"vdc": urn("vdc", "acme-a")}, "items": []}, 422, "items"),
    (
        "item_with_both_kinds",
        {
            "operation": "compose_vapp",
            "target": {"vdc": urn("vdc", "acme-a")},
            "items": [
                {
                    "template": urn("vapptemplate", "win-captured-copy"),
                    "new_vm": {"name": "x", "guest_os": "ubuntu64Guest"},
                }
            ],
        },
        422,
        "items[0]",
    ),
    (
        "item_with_neither",
        {"operation": "compose_vapp", "target": {"vdc": urn("vdc", "acme-a")}, "items": [{}]},
        422,
        "items[0]",
    ),
    (
        "ovf_not_xml",
        {"operation": "create_vapp_from_ovf", "target": {"vdc": urn("vdc", "acme-a")}, "ovf": "<<<"},
        422,
        "ovf",
    ),
    (
        "ovf_not_an_envelope",
        {"operation": "create_vapp_from_ovf", "target": {"vdc": urn("vdc", "acme-a")}, "ovf": "<a/>"},
        422,
        "ovf",
    ),
    (
        "ovf_entity_bomb",
        {
            "operation": "create_vapp_from_ovf",
            "target": {"vdc": urn("vdc", "acme-a")},
            "ovf": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>',
        },
        422,
        "ovf",
    ),
    (
        "ovf_with_an_external_dtd",
        {
            "operation": "create_vapp_from_ovf",
            "target": {"vdc": urn("vdc", "acme-a")},
            "ovf": '<?xml version="1.0"?><!DOCTYPE Envelope SYSTEM "http://example.invalid/ovf.dtd">'
            '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem><Name>a</Name>'
            "</VirtualSystem></Envelope>",
        },
        422,
        "ovf",
    ),
    (
        "name_too_long",
        {
            "operation": "create_vm",
            "target": {"vdc": urn("vdc", "acme-a")},
            "vm": {"name": "x" * 500, "guest_os": "ubuntu64Guest"},
        },
        422,
        "vm.name",
    ),
    (
        "two_targets_one_plan",
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vdc": urn("vdc", "acme-a"), "vapp": urn("vapp", "old")},
        },
        422,
        "target.vdc",
    ),
    (
        "urn_with_a_trailing_newline",
        {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2") + "\n"}},
        422,
        "source.vm",
    ),
]


@pytest.mark.parametrize("name,body,status,field", BODIES, ids=[b[0] for b in BODIES])
def test_malformed_plan_requests_are_problems_naming_the_field(client, alice, name, body, status, field):
    if isinstance(body, str):
        answer = client.post("/api/v1/plans", headers={**alice, "Content-Type": "application/json"}, data=body)
    else:
        answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if field is not None:
        assert problem["field"] == field, problem


def test_a_body_over_the_limit_is_413(client, alice):
    huge = '{"operation": "create_vapp_from_ovf", "ovf": "' + "x" * (2 * 1024 * 1024) + '"}'
    answer = client.post("/api/v1/plans", headers={**alice, "Content-Type": "application/json"}, data=huge)
    assert answer.status_code == 413 and answer.mimetype == "application/problem+json"


def test_a_wrong_content_type_is_a_problem_not_a_crash(client, alice):
    answer = client.post("/api/v1/plans", headers={**alice, "Content-Type": "text/plain"}, data="operation=add_tpm")
    assert 400 <= answer.status_code < 500 and answer.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "method,path", [("get", "/api/v1/nothing"), ("delete", "/api/v1/plans"), ("put", "/api/v1/matrix")]
)
def test_unknown_routes_and_methods_are_problems(client, alice, method, path):
    answer = getattr(client, method)(path, headers=alice)
    assert answer.status_code in (404, 405) and answer.mimetype == "application/problem+json"
