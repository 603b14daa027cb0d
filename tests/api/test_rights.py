"""Rights as Cloud Director has them: the plan warns when the caller's role lacks a right the operation
needs (read from vCD), and vCD's refusal comes back as a 403 problem naming the right."""

from __future__ import annotations

import pytest

from tests.api.test_plans import OVF_TPM
from tests.demo import urn
from tests.e2e.conftest import finished

REMOVE_DB_SOLO = {"operation": "remove_tpm", "source": {"vm": urn("vm", "db-solo")}, "acknowledge_tpm_data_loss": True}
CAPTURE_DB_SOLO = {
    "operation": "capture_vm",
    "source": {"vm": urn("vm", "db-solo")},
    "target": {"catalog": urn("catalog", "gold")},
}
OVF_TEMPLATE = {"operation": "create_template_from_ovf", "target": {"catalog": urn("catalog", "gold")}}


def rights_check(plan: dict) -> dict:
    [check] = [c for c in plan["checks"] if c["id"] == "caller_rights"]
    return check


@pytest.mark.parametrize(
    "user, body, status, right",
    [
        ("victor@acme", REMOVE_DB_SOLO, "warn", "vApp: Create / Reconfigure"),
        ("victor@acme", CAPTURE_DB_SOLO, "warn", "Catalog: Add vApp from My Cloud"),
        ("alice@acme", REMOVE_DB_SOLO, "pass", None),
        ("alice@acme", CAPTURE_DB_SOLO, "pass", None),
        ("alice@acme", OVF_TEMPLATE, "warn", "vApp Template / Media: Create / Upload"),
        ("carol@acme", OVF_TEMPLATE, "pass", None),
        ("olivia@acme", OVF_TEMPLATE, "pass", None),
        ("admin@System", REMOVE_DB_SOLO, "pass", None),
    ],
)
def test_the_plan_says_whether_the_callers_role_holds_the_rights(client, tokens, user, body, status, right):
    body = {**body, "ovf": OVF_TPM} if body["operation"] == "create_template_from_ovf" else body
    plan = client.post("/api/v1/plans", headers=tokens(user), json=body).get_json()
    check = rights_check(plan)
    assert check["status"] == status and check["vm"] is None
    if right is not None:
        assert f"'{right}'" in check["message"] and check["remedy"]
        assert check["message"] in plan["warnings"]


def test_a_refusal_for_a_missing_right_is_a_403_problem_naming_the_right(client, tokens):
    victor = tokens("victor@acme")
    answer = client.post("/api/v1/operations", headers=victor, json=REMOVE_DB_SOLO)
    assert answer.status_code == 202, answer.get_json()
    done = finished(client, victor, answer.headers["Location"])
    assert done["status"] == "failed"
    error = done["error"]
    assert error["status"] == 403 and error["rights"] == ["vApp: Create / Reconfigure"]
    assert "'vApp: Create / Reconfigure'" in error["detail"]
    present = client.get(f"/api/v1/vms/{urn('vm', 'db-solo')}/tpm", headers=victor).get_json()["present"]
    assert present is True  # vCD refused: nothing was removed
