"""vTPM backup and restore through the REST API on the demo world (provider only)."""

from __future__ import annotations

import uuid

import pytest

from tests.demo import urn

BACKUPS = "/api/v1/provider/tpm-backups"
RESTORES = "/api/v1/provider/tpm-restores"
WEB1, WEB2 = urn("vm", "web-1"), urn("vm", "web-2")
UNKNOWN = "0e0e0e0e-0000-4000-8000-000000000000"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def web1_backup(app, tokens):
    answer = app.test_client().post(BACKUPS, json={"vm": WEB1}, headers=tokens("admin@System"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def fresh_name() -> str:
    return f"web-1-r-{uuid.uuid4().hex[:8]}"


def test_backing_up_a_vtpm_vm_answers_the_bundle_with_its_identity_and_checksum(client, alice, web1_backup):
    identity = client.get(f"/api/v1/vms/{WEB1}/tpm", headers=alice).get_json()["identity"]
    assert uuid.UUID(web1_backup["id"])
    assert web1_backup == {
        **web1_backup,
        "vm": WEB1,
        "vm_name": "web-1",
        "vcenter": "vc-a",
        "key_provider": "kp-gold",
        "identity": identity,
        "intact": True,
    }
    assert web1_backup["checksum"].startswith("sha256:") and web1_backup["size"] > 256
    assert web1_backup["created_at"].endswith("Z")


def test_the_provider_lists_and_reads_backups(client, admin, web1_backup):
    listed = client.get(BACKUPS, headers=admin).get_json()["backups"]
    assert web1_backup in listed
    assert client.get(f"{BACKUPS}/{web1_backup['id']}", headers=admin).get_json() == web1_backup


def test_restoring_onto_vc_b_gives_the_original_identity(client, admin, alice, web1_backup):
    answer = client.post(RESTORES, json={"backup": web1_backup["id"], "vcenter": "vc-b"}, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    original = client.get(f"/api/v1/vms/{WEB1}/tpm", headers=alice).get_json()["identity"]
    assert body == {
        "backup": web1_backup["id"],
        "vcenter": "vc-b",
        "vm_name": "web-1-restored",
        "moref": body["moref"],
        "identity": original,
        "identity_matches": True,
    }


def test_restoring_into_a_vdc_lands_on_its_vcenter(client, admin, web1_backup):
    answer = client.post(
        RESTORES,
        json={"backup": web1_backup["id"], "target_vdc": urn("vdc", "acme-b"), "name": fresh_name()},
        headers=admin,
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["vcenter"] == "vc-b" and answer.get_json()["identity"] == web1_backup["identity"]


def test_restoring_onto_vc_c_without_kp_gold_is_a_409_with_the_failing_check(client, admin, web1_backup):
    answer = client.post(
        RESTORES, json={"backup": web1_backup["id"], "vcenter": "vc-c", "name": fresh_name()}, headers=admin
    )
    assert answer.status_code == 409 and answer.mimetype == PROBLEM
    checks = {c["id"]: c for c in answer.get_json()["checks"]}
    assert checks["key_provider_on_target"]["status"] == "fail" and checks["key_provider_on_target"]["remedy"]
    assert checks["firmware_efi"]["status"] == "pass" and checks["backup_checksum"]["status"] == "pass"


def test_restoring_twice_under_one_name_is_a_409(client, admin, web1_backup):
    body = {"backup": web1_backup["id"], "vcenter": "vc-b", "name": fresh_name()}
    assert client.post(RESTORES, json=body, headers=admin).status_code == 201
    answer = client.post(RESTORES, json=body, headers=admin)
    assert answer.status_code == 409 and answer.mimetype == PROBLEM


def test_a_restored_vm_is_a_vcenter_only_vm(client, admin, wiring, web1_backup):
    name = fresh_name()
    assert (
        client.post(
            RESTORES, json={"backup": web1_backup["id"], "vcenter": "vc-b", "name": name}, headers=admin
        ).status_code
        == 201
    )
    vm = next(vm for vm in wiring.inventory.vcenter_vms("vc-b") if vm.name == name)
    assert vm.vapp is None and vm.template is None


def test_a_vm_without_a_vtpm_is_a_422_naming_vm(client, admin):
    answer = client.post(BACKUPS, json={"vm": WEB2}, headers=admin)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM and answer.get_json()["field"] == "vm"


def test_an_unknown_vm_is_a_404(client, admin):
    assert client.post(BACKUPS, json={"vm": f"urn:vcloud:vm:{UNKNOWN}"}, headers=admin).status_code == 404


def test_an_unknown_backup_is_a_404_to_read_and_to_restore(client, admin):
    assert client.get(f"{BACKUPS}/{UNKNOWN}", headers=admin).status_code == 404
    answer = client.post(RESTORES, json={"backup": UNKNOWN, "vcenter": "vc-b"}, headers=admin)
    assert answer.status_code == 404 and answer.mimetype == PROBLEM


def test_an_unknown_vcenter_is_a_404_and_an_unknown_datastore_a_422(client, admin, web1_backup):
    assert (
        client.post(RESTORES, json={"backup": web1_backup["id"], "vcenter": "vc-z"}, headers=admin).status_code == 404
    )
    answer = client.post(
        RESTORES, json={"backup": web1_backup["id"], "vcenter": "vc-b", "datastore": "nope"}, headers=admin
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "datastore"


def test_a_malformed_backup_id_in_the_path_is_a_422_naming_id(client, admin):
    answer = client.get(f"{BACKUPS}/..%2F..%2Fetc%2Fpasswd", headers=admin)
    assert answer.status_code == 404 and answer.mimetype == PROBLEM
    answer = client.get(f"{BACKUPS}/not-a-uuid", headers=admin)
    assert answer.status_code == 422 and answer.get_json()["field"] == "id"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", BACKUPS, {"vm": WEB1}),
        ("get", BACKUPS, None),
        ("get", f"{BACKUPS}/{UNKNOWN}", None),
        ("post", RESTORES, {"backup": UNKNOWN, "vcenter": "vc-b"}),
    ],
)
def test_tenants_get_403_and_strangers_401(client, alice, method, path, body):
    assert getattr(client, method)(path, json=body, headers=alice).status_code == 403
    answer = getattr(client, method)(path, json=body)
    assert answer.status_code == 401 and answer.mimetype == PROBLEM


ID = "0e0e0e0e-0000-4000-8000-000000000000"
MALFORMED = [
    ("backup_not_json", BACKUPS, "{not json", 400, None),
    ("backup_json_array", BACKUPS, "[1]", 422, None),
    ("backup_empty", BACKUPS, {}, 422, "vm"),
    ("backup_vm_not_a_urn", BACKUPS, {"vm": "web-1"}, 422, "vm"),
    ("backup_vm_wrong_kind", BACKUPS, {"vm": urn("vapp", "web")}, 422, "vm"),
    ("backup_vm_not_a_string", BACKUPS, {"vm": 1}, 422, "vm"),
    ("backup_unknown_field", BACKUPS, {"vm": WEB1, "path": "/etc"}, 422, "path"),
    ("restore_not_json", RESTORES, "{not json", 400, None),
    ("restore_empty", RESTORES, {}, 422, "backup"),
    ("restore_backup_a_path", RESTORES, {"backup": "../../etc/passwd", "vcenter": "vc-b"}, 422, "backup"),
    ("restore_backup_upper_case", RESTORES, {"backup": ID.upper(), "vcenter": "vc-b"}, 422, "backup"),
    ("restore_backup_not_a_string", RESTORES, {"backup": 7, "vcenter": "vc-b"}, 422, "backup"),
    ("restore_no_target", RESTORES, {"backup": ID}, 422, "target_vdc"),
    (
        "restore_two_targets",
        RESTORES,
        {"backup": ID, "vcenter": "vc-b", "target_vdc": urn("vdc", "acme-b")},
        422,
        "vcenter",
    ),
    (
        "restore_datastore_without_vcenter",
        RESTORES,
        {"backup": ID, "target_vdc": urn("vdc", "acme-b"), "datastore": "ds-b-local"},
        422,
        "datastore",
    ),
    ("restore_vdc_wrong_kind", RESTORES, {"backup": ID, "target_vdc": urn("vapp", "web")}, 422, "target_vdc"),
    ("restore_vcenter_empty", RESTORES, {"backup": ID, "vcenter": ""}, 422, "vcenter"),
    ("restore_name_with_slash", RESTORES, {"backup": ID, "vcenter": "vc-b", "name": "a/b"}, 422, "name"),
    ("restore_name_too_long", RESTORES, {"backup": ID, "vcenter": "vc-b", "name": "x" * 81}, 422, "name"),
    ("restore_unknown_field", RESTORES, {"backup": ID, "vcenter": "vc-b", "force": True}, 422, "force"),
]


@pytest.mark.parametrize("path, body, status, field", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_body_is_a_4xx_problem_naming_the_field(client, admin, path, body, status, field):
    if isinstance(body, str):
        answer = client.post(path, data=body, headers={**admin, "Content-Type": "application/json"})
    else:
        answer = client.post(path, json=body, headers=admin)
    assert answer.status_code == status and answer.mimetype == PROBLEM, answer.get_data(as_text=True)
    if field:
        assert answer.get_json()["field"] == field
