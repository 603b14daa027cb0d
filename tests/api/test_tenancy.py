"""Tenants see and touch only their org; provider facts stay with the provider."""

from __future__ import annotations

import json

import pytest

from tests.demo import urn

PROVIDER_WORDS = [
    "vc-a",
    "vc-b",
    "vc-c",
    "vc-d",
    "esx-",
    "kp-gold",
    "kp-silver",
    "kp-hw",
    "ds-shared",
    "ds:///",
    "8.0.2",
    "7.0.3",
    "7.0.1",
]


@pytest.mark.parametrize(
    "body",
    [
        {"operation": "add_tpm", "source": {"vm": urn("vm", "gx-1")}},
        {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "gx-app")}},
        {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "gx-app")}, "target": {"vdc": urn("vdc", "acme-a")}},
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-captured-copy")},
            "target": {"vdc": urn("vdc", "globex-a")},
        },
    ],
)
def test_another_orgs_objects_are_answered_as_missing(client, alice, body):
    answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_a_foreign_vm_and_a_missing_vm_look_the_same(client, alice):
    foreign = client.get(f"/api/v1/vms/{urn('vm', 'gx-1')}/tpm", headers=alice)
    missing = client.get(f"/api/v1/vms/{'urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000099'}/tpm", headers=alice)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json()["title"] == missing.get_json()["title"]


def test_the_other_org_sees_its_own_vm(client, gina):
    answer = client.get(f"/api/v1/vms/{urn('vm', 'gx-1')}/tpm", headers=gina)
    assert answer.status_code == 200 and answer.get_json()["present"] is True


@pytest.mark.parametrize("path", ["/api/v1/provider/vcenters", "/api/v1/provider/key-providers"])
def test_provider_endpoints_are_forbidden_to_tenants(client, alice, path):
    answer = client.get(path, headers=alice)
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "operation,target",
    [
        ("import_vm_as_vapp", {"vdc": urn("vdc", "acme-a")}),
        ("import_vm_as_template", {"catalog": urn("catalog", "gold")}),
    ],
)
def test_imports_from_vcenter_are_forbidden_to_tenants(client, alice, operation, target):
    body = {"operation": operation, "source": {"vcenter_vm": "legacy-tpm"}, "target": target}
    assert client.post("/api/v1/plans", headers=alice, json=body).status_code == 403


TENANT_PLANS = [
    {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "old")}},
    {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "web")}, "target": {"vdc": urn("vdc", "acme-c")}},
    {"operation": "add_tpm", "source": {"vm": urn("vm", "win-d1")}},
    {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-old")}},
    {
        "operation": "instantiate_vapp_template",
        "source": {"template": urn("vapptemplate", "win-captured-copy")},
        "target": {"vdc": urn("vdc", "acme-c")},
    },
]


@pytest.mark.parametrize("body", TENANT_PLANS)
def test_tenant_plans_never_name_vcenters_hosts_or_key_providers(client, alice, body):
    answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == 200
    text = json.dumps(answer.get_json())
    assert [word for word in PROVIDER_WORDS if word in text] == []


def test_a_tenant_vm_read_never_names_provider_facts(client, alice):
    text = client.get(f"/api/v1/vms/{urn('vm', 'web-1')}/tpm", headers=alice).get_data(as_text=True)
    assert [word for word in PROVIDER_WORDS if word in text] == []
