"""A plan's `requires_acknowledgement` is true exactly when POST /operations with the same body is refused
for lack of `acknowledge_tpm_data_loss`."""

from __future__ import annotations

import pytest

from api import create_app
from tests.api.test_plans import CASES
from tests.demo import basic, urn
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config

LOSSY = [
    {"operation": "remove_tpm", "source": {"vm": urn("vm", "web-2")}},
    {
        "operation": "copy_vm",
        "source": {"vm": urn("vm", "web-1")},
        "target": {"vapp": urn("vapp", "web")},
        "tpm": "replace",
    },
    {
        "operation": "copy_vm",
        "source": {"vm": urn("vm", "db-1")},
        "target": {"vapp": urn("vapp", "app7")},
        "tpm": "replace",
        "replace_on_7x": True,
    },
]
# refused for lack of acknowledgement first, then the same with it; then the plan cases of test_plans
BODIES = (
    LOSSY
    + [{**body, "acknowledge_tpm_data_loss": True} for body in LOSSY]
    + [body for _, who, body, *_ in CASES if who == "alice"]
)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """A service of its own: the accepted operations change its world."""
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("ack-data")), sim_task_delay=0))
    client = create_app(use_cases=wired.use_cases).test_client()
    token = client.post("/api/v1/sessions", headers=basic("alice@acme")).get_json()["token"]
    yield client, {"Authorization": f"Bearer {token}"}
    wired.close()


def _refused_for_acknowledgement(answer) -> bool:
    if answer.status_code != 409:
        return False
    checks = answer.get_json()["checks"]
    return any(c["id"] == "data_loss_acknowledged" and c["status"] == "fail" for c in checks)


@pytest.mark.parametrize("body", BODIES, ids=[f"{n}-{b['operation']}" for n, b in enumerate(BODIES)])
def test_requires_acknowledgement_says_whether_the_operation_is_refused_for_it(service, body):
    client, alice = service
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    answer = client.post("/api/v1/operations", headers=alice, json=body)
    assert answer.status_code in (202, 409), answer.get_json()
    assert plan["requires_acknowledgement"] is _refused_for_acknowledgement(answer)


def test_a_lossy_plan_is_allowed_but_requires_acknowledgement(service):
    client, alice = service
    plan = client.post("/api/v1/plans", headers=alice, json=LOSSY[1]).get_json()
    assert plan["allowed"] is True and plan["requires_acknowledgement"] is True
    acknowledged = client.post("/api/v1/plans", headers=alice, json={**LOSSY[1], "acknowledge_tpm_data_loss": True})
    assert acknowledged.get_json()["requires_acknowledgement"] is False


def test_the_refusal_of_a_plan_failing_checks_names_the_acknowledgement_too(service):
    client, alice = service
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "old")}}
    body.update(tpm="replace", replace_on_7x=True)  # vc-c lacks kp-gold and shared storage: two checks fail
    plan = client.post("/api/v1/plans", headers=alice, json=body).get_json()
    answer = client.post("/api/v1/operations", headers=alice, json=body)
    assert plan["allowed"] is False and plan["requires_acknowledgement"] is True
    assert answer.status_code == 409 and "acknowledge_tpm_data_loss" in answer.get_json()["detail"]
    assert _refused_for_acknowledgement(answer)
