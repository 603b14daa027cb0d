"""Plans are compact unless ?detail=full, and are serialized as marshmallow would, only cheaper."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from api.schemas import CheckSchema, PlanSchema, VmPlanSchema
from tests.demo import urn
from vcdtpm.app.operation_request import OperationRequest
from vcdtpm.domain.model import Operation

COPY_LAB = {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "lab")}, "target": {"vdc": urn("vdc", "acme-b")}}
COPY_WEB = {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "web")}, "target": {"vdc": urn("vdc", "acme-b")}}


@pytest.mark.parametrize("body", [COPY_LAB, COPY_WEB], ids=["lab", "web"])
def test_a_compact_plan_lists_once_what_holds_for_every_vm_and_per_vm_what_did_not_pass(client, alice, body):
    compact = client.post("/api/v1/plans", json=body, headers=alice).get_json()
    full = client.post("/api/v1/plans?detail=full", json=body, headers=alice).get_json()
    assert compact["vms"] == full["vms"] and compact["allowed"] == full["allowed"]
    vm_count = len(full["vms"])
    per_vm = [c for c in full["checks"] if c["id"] != "caller_rights"]  # caller_rights is the operation's own
    assert vm_count > 1 and all(c["vm"] is not None for c in per_vm)
    by_id: dict[str, list[dict]] = {}
    mixed: list[str] = []
    for check in full["checks"]:
        by_id.setdefault(check["id"], []).append(check)
    for check_id, entries in by_id.items():
        shown = [c for c in compact["checks"] if c["id"] == check_id]
        statuses = {c["status"] for c in entries}
        if statuses in ({"pass"}, {"skip"}):
            assert [(c["vm"], c["status"]) for c in shown] == [(None, statuses.pop())]
        else:
            assert shown == [c for c in entries if c["status"] != "pass"]
            mixed.append(check_id)
    assert mixed or body is COPY_LAB  # web-1 has a vTPM, web-2 none: some checks pass for one only
    assert len(compact["checks"]) < len(full["checks"])


def test_detail_is_compact_or_full(client, alice):
    answer = client.post("/api/v1/plans?detail=everything", json=COPY_WEB, headers=alice)
    assert answer.status_code == 422 and answer.get_json()["field"] == "query.detail"


class MarshmallowPlanSchema(PlanSchema):
    """The plan schema as marshmallow dumps it field by field."""

    vms = fields.List(fields.Nested(VmPlanSchema))
    checks = fields.List(fields.Nested(CheckSchema))


def test_the_cheap_plan_dump_is_marshmallows(wiring, tokens):
    planning = wiring.use_cases.planning
    session = planning.authenticate(tokens("alice@acme")["Authorization"].split()[1])
    plan = planning.plan(
        session, OperationRequest(Operation.COPY_VAPP, source=COPY_LAB["source"], target=COPY_LAB["target"])
    )
    assert isinstance(PlanSchema(), Schema) and len(plan.checks) > 10
    assert PlanSchema().dump(plan) == MarshmallowPlanSchema().dump(plan)
