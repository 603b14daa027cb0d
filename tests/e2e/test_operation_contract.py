"""POST /api/v1/operations: refusals, idempotency and tenancy."""

from __future__ import annotations

import uuid

import pytest

from tests.demo import urn
from tests.e2e.conftest import finished, submit

ADD_TPM_WEB2 = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}


def test_a_plan_with_a_failed_check_is_refused_with_409_and_its_checks(http, login):
    answer = submit(http, login("alice@acme"), {"operation": "add_tpm", "source": {"vm": urn("vm", "bios-1")}})
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    failing = {c["id"] for c in answer.get_json()["checks"] if c["status"] == "fail"}
    assert failing == {"firmware_efi"}


def test_removing_a_vtpm_without_acknowledgement_is_refused(http, login):
    answer = submit(http, login("alice@acme"), {"operation": "remove_tpm", "source": {"vm": urn("vm", "db-1")}})
    assert answer.status_code == 409
    loss = [c for c in answer.get_json()["checks"] if c["id"] == "data_loss_acknowledged"]
    assert [c["status"] for c in loss] == ["fail"]
    assert "acknowledge_tpm_data_loss" in answer.get_json()["detail"]


def test_an_accepted_operation_answers_202_with_its_location(http, login):
    key = str(uuid.uuid4())
    answer = submit(http, login("alice@acme"), ADD_TPM_WEB2, key)
    assert answer.status_code == 202
    body = answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/operations/{body['id']}"
    assert body["operation"] == "add_tpm" and body["status"] in ("queued", "running", "succeeded")
    assert body["plan"]["vms"][0]["action"] == "new"
    done = finished(http, login("alice@acme"), answer.headers["Location"])
    assert done["status"] == "succeeded", done
    assert done["result"]["vm"] == urn("vm", "web-2") and done["progress"] == 100

    again = submit(http, login("alice@acme"), ADD_TPM_WEB2, key)
    assert again.status_code == 202 and again.get_json()["id"] == body["id"]
    assert again.headers["Idempotent-Replayed"] == "true"

    other = submit(http, login("alice@acme"), {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-b1")}}, key)
    assert other.status_code == 422 and other.get_json()["field"] == "Idempotency-Key"


def test_another_orgs_operation_is_404_and_lists_stay_per_org(http, login):
    answer = submit(http, login("alice@acme"), {"operation": "add_tpm", "source": {"vm": urn("vm", "win-old")}})
    assert answer.status_code == 202
    location = answer.headers["Location"]
    assert http.get(location, headers=login("gina@globex")).status_code == 404
    ids = {op["id"] for op in http.get("/api/v1/operations", headers=login("gina@globex")).get_json()["operations"]}
    assert answer.get_json()["id"] not in ids
    mine = http.get("/api/v1/operations", headers=login("alice@acme")).get_json()["operations"]
    assert answer.get_json()["id"] in {op["id"] for op in mine}
    finished(http, login("alice@acme"), location)


def test_an_unknown_operation_id_is_404(http, login):
    assert http.get(f"/api/v1/operations/{uuid.uuid4()}", headers=login("alice@acme")).status_code == 404
    assert http.get("/api/v1/operations/not-a-uuid", headers=login("alice@acme")).status_code == 404


def test_operations_need_a_token(http):
    assert http.post("/api/v1/operations", json=ADD_TPM_WEB2).status_code == 401
    assert http.get("/api/v1/operations").status_code == 401


def test_the_operations_list_is_paged_newest_first_without_plans(http, login):
    alice = login("alice@acme")
    bodies = [
        {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-b1")}},
        {"operation": "remove_tpm", "source": {"vm": urn("vm", "db-1")}, "acknowledge_tpm_data_loss": True},
    ]
    for body in bodies:
        answer = submit(http, alice, body)
        assert answer.status_code == 202, answer.get_json()
        finished(http, alice, answer.headers["Location"])
    everything = http.get("/api/v1/operations?pageSize=128", headers=alice).get_json()
    assert everything["page"] == 1 and everything["pageSize"] == 128 and everything["total"] >= 2
    assert len(everything["operations"]) == everything["total"]
    assert all("plan" not in op for op in everything["operations"])
    second = http.get("/api/v1/operations?page=2&pageSize=1", headers=alice).get_json()
    assert [op["id"] for op in second["operations"]] == [everything["operations"][1]["id"]]
    assert second["total"] == everything["total"] and second["pageSize"] == 1
    succeeded = http.get("/api/v1/operations?status=succeeded", headers=alice).get_json()
    assert succeeded["operations"] and {op["status"] for op in succeeded["operations"]} == {"succeeded"}
    assert http.get("/api/v1/operations", headers=alice).get_json()["pageSize"] == 25


@pytest.mark.parametrize("query", ["page=0", "pageSize=0", "pageSize=129", "status=done", "page=x"])
def test_a_bad_page_or_status_is_a_422(http, login, query):
    answer = http.get(f"/api/v1/operations?{query}", headers=login("alice@acme"))
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_a_status_poll_carries_no_plan_and_the_plan_has_its_own_resource(http, login):
    alice = login("alice@acme")
    remove = {"operation": "remove_tpm", "source": {"vm": urn("vm", "web-1")}, "acknowledge_tpm_data_loss": True}
    answer = submit(http, alice, remove)
    assert answer.status_code == 202, answer.get_json()
    location = answer.headers["Location"]
    assert "plan" not in finished(http, alice, location)
    compact = http.get(f"{location}/plan", headers=alice).get_json()
    full = http.get(f"{location}/plan?detail=full", headers=alice).get_json()
    assert compact["vms"] == full["vms"] == answer.get_json()["plan"]["vms"]
    assert {c["vm"] for c in compact["checks"] if c["status"] == "pass"} == {None}
    assert {c["vm"] for c in full["checks"] if c["id"] != "caller_rights"} == {urn("vm", "web-1")}
    assert http.get(f"{location}/plan", headers=login("gina@globex")).status_code == 404
