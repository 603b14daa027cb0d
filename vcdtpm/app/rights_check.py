"""The `caller_rights` check of a plan: does the caller's Cloud Director role hold every right the
operation's requests need (domain/rights.py)? Read from Cloud Director, so a refusal is known before
anything is sent."""

from __future__ import annotations

from vcdtpm.app.operation_request import OperationRequest
from vcdtpm.domain.errors import VcdTpmError
from vcdtpm.domain.model import Check, CheckStatus, Plan
from vcdtpm.domain.rights import rights_needed
from vcdtpm.domain.steps import steps_for
from vcdtpm.ports import CloudDirector, Session

CHECK_ID = "caller_rights"


def caller_rights(cloud: CloudDirector, session: Session, request: OperationRequest, plan: Plan) -> Check:
    """PASS when the caller's role holds every right, WARN naming the rights it lacks, SKIP when
    Cloud Director does not tell."""
    items = [{"template": item.template} if item.template else {} for item in request.items]
    steps = steps_for(request.operation, {"items": items, "source": request.source}, plan)
    needed = rights_needed((step.kind, {"items": items}) for step in steps)
    if session.provider:
        return Check(CHECK_ID, CheckStatus.PASS, "A system administrator holds every Cloud Director right.")
    try:
        held = cloud.rights(session)
    except VcdTpmError as exc:
        return Check(CHECK_ID, CheckStatus.SKIP, f"The rights of your role could not be read: {exc.message}")
    if held is None:
        return Check(CHECK_ID, CheckStatus.SKIP, "Cloud Director does not tell the rights of your role.")
    missing = [right for right in needed if right not in held]
    if not missing:
        listed = ", ".join(f"'{right}'" for right in needed) or "none"
        return Check(CHECK_ID, CheckStatus.PASS, f"Your role holds every Cloud Director right this needs ({listed}).")
    named = " and ".join(f"'{right}'" for right in missing)
    return Check(
        CHECK_ID,
        CheckStatus.WARN,
        f"Your Cloud Director role lacks the right {named}, which {request.operation.value} needs: "
        "Cloud Director will refuse the request.",
        f"Ask your organization administrator for a role with {named}, or have someone whose role has it "
        "run the operation.",
    )
