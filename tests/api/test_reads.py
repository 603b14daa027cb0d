"""The read endpoints: matrix, a VM's vTPM, provider facts, the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

import yaml

from api import openapi_document
from tests.demo import urn

ROOT = Path(__file__).resolve().parents[2]


def test_the_matrix_has_a_row_per_operation_with_both_bands(client, alice):
    rows = client.get("/api/v1/matrix", headers=alice).get_json()["rows"]
    assert len(rows) == 19
    copy_vm = next(r for r in rows if r["operation"] == "copy_vm")
    assert copy_vm["7.x"]["modes"] == ["copy"] and set(copy_vm["8.x"]["modes"]) == {"copy", "replace"}
    assert copy_vm["8.x"]["default"] == "copy"
    assert next(r for r in rows if r["operation"] == "instantiate_vapp_template")["8.x"]["modes"] == ["template"]


def test_a_vm_with_a_vtpm_shows_its_identity_and_cannot_get_a_second(client, alice):
    body = client.get(f"/api/v1/vms/{urn('vm', 'web-1')}/tpm", headers=alice).get_json()
    assert body["present"] is True and body["identity"].startswith("sha256:")
    assert body["readiness"]["can_add"] is False
    assert "single_tpm" in {c["id"] for c in body["readiness"]["checks"] if c["status"] == "fail"}


def test_a_vm_without_a_vtpm_is_ready_for_one(client, alice):
    body = client.get(f"/api/v1/vms/{urn('vm', 'web-2')}/tpm", headers=alice).get_json()
    assert body == {**body, "present": False, "identity": None}
    assert body["readiness"]["can_add"] is True


def test_a_malformed_vm_id_is_a_422_naming_the_id(client, alice):
    answer = client.get("/api/v1/vms/web-1/tpm", headers=alice)
    assert answer.status_code == 422 and answer.get_json()["field"] == "id"


def test_the_provider_sees_every_vcenter_with_its_band_and_key_providers(client, admin):
    vcenters = {v["name"]: v for v in client.get("/api/v1/provider/vcenters", headers=admin).get_json()["vcenters"]}
    assert set(vcenters) == {"vc-a", "vc-b", "vc-c", "vc-d"}
    assert vcenters["vc-a"]["band"] == "8.x" and vcenters["vc-b"]["band"] == "7.x"
    assert vcenters["vc-d"]["clone_tpm_policy"] == "replace"
    nkp = vcenters["vc-d"]["key_providers"][0]
    assert nkp == {"name": "kp-gold", "type": "native", "default": True, "tpm_hosts_only": True}
    assert "ds:///vmfs/volumes/5f1e-shared/" in {d["url"] for d in vcenters["vc-b"]["datastores"]}


def test_key_provider_parity_shows_where_a_name_is_missing(client, admin):
    rows = {
        r["name"]: r for r in client.get("/api/v1/provider/key-providers", headers=admin).get_json()["key_providers"]
    }
    assert sorted(v["name"] for v in rows["kp-gold"]["vcenters"]) == ["vc-a", "vc-b", "vc-d"]
    assert rows["kp-gold"]["missing_on"] == ["vc-c"] and rows["kp-gold"]["everywhere"] is False
    assert rows["kp-silver"]["missing_on"] == ["vc-a", "vc-b", "vc-d"]


def test_the_openapi_document_is_served_as_yaml(client):
    answer = client.get("/openapi.yaml")
    assert answer.status_code == 200
    spec = yaml.safe_load(answer.get_data(as_text=True))
    for path in [
        "/api/v1/sessions",
        "/api/v1/plans",
        "/api/v1/matrix",
        "/api/v1/vms/{vm_id}/tpm",
        "/api/v1/provider/vcenters",
        "/api/v1/provider/key-providers",
        "/healthz",
        "/readyz",
    ]:
        assert path in spec["paths"]


def test_the_committed_openapi_yaml_matches_the_code(app):
    committed = (ROOT / "openapi.yaml").read_text()
    assert committed == openapi_document(app), "openapi.yaml drifted: run `vcdtpm openapi -o openapi.yaml`"


def test_vcenter_facts_are_kept_until_the_provider_asks_for_them_again(client, admin, wiring):
    vc = wiring.inventory.vcenters["vc-b"]

    def clone_policy(query: str = "") -> str:
        answer = client.get(f"/api/v1/provider/vcenters{query}", headers=admin).get_json()
        return next(v for v in answer["vcenters"] if v["name"] == "vc-b")["clone_tpm_policy"]

    before = clone_policy("?refresh=true")
    vc.clone_tpm_policy = "replace" if before == "copy" else "copy"
    try:
        assert clone_policy() == before  # kept
        assert clone_policy("?refresh=true") == vc.clone_tpm_policy
    finally:
        vc.clone_tpm_policy = before
        clone_policy("?refresh=true")


def test_refresh_must_be_a_boolean(client, admin):
    answer = client.get("/api/v1/provider/vcenters?refresh=maybe", headers=admin)
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"
