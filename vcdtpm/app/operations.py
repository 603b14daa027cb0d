"""Use cases for executing operations: plan first, journal the steps, let the executor act."""

from __future__ import annotations

import builtins
import re
import time
from dataclasses import replace
from datetime import datetime

from vcdtpm.app.executor import Executor
from vcdtpm.app.jsonable import jsonable
from vcdtpm.app.operation_request import OperationRequest
from vcdtpm.app.planning import Planning
from vcdtpm.domain.compact import compact_checks
from vcdtpm.domain.errors import NotFound, PreflightFailed
from vcdtpm.domain.model import Check, CheckStatus, Plan
from vcdtpm.domain.planner import is_unacknowledged_loss
from vcdtpm.domain.steps import steps_for
from vcdtpm.domain.urns import UUID
from vcdtpm.ports import Failure, Journal, OperationStatus, OperationView, Session


def request_params(request: OperationRequest) -> dict:
    """The JSON-safe parameters of an operation's main Cloud Director request."""
    params = jsonable(
        {
            "source": request.source,
            "target": request.target,
            "vm": request.vm,
            "items": request.items,
            "ovf": request.ovf,
            "tpm": request.tpm,
            "name": request.name,
            "move": request.move or None,
        }
    )
    return {key: value for key, value in params.items() if value not in (None, [], {})}


def request_document(request: OperationRequest) -> dict:
    """The request as the journal keeps it: canonical JSON, so one meaning gives one idempotency digest."""
    return {
        "operation": request.operation.value,
        **request_params(request),
        "replace_on_7x": request.replace_on_7x,
        "acknowledge_tpm_data_loss": request.acknowledge_tpm_data_loss,
    }


def executable(plan: Plan) -> Plan:
    """The plan, or PreflightFailed (409) when a check fails or data loss is not acknowledged.

    In a plan, an unacknowledged replace/remove of an existing vTPM is a warning and the plan says
    `requires_acknowledgement`; to execute it, it is a failure."""
    if plan.allowed and not plan.requires_acknowledgement:
        return plan
    checks = tuple(replace(c, status=CheckStatus.FAIL) if is_unacknowledged_loss(c) else c for c in plan.checks)
    refused = replace(plan, allowed=False, checks=checks)
    acknowledge = (
        "This replaces or removes an existing vTPM and its secrets (BitLocker, "
        "Windows Hello): set acknowledge_tpm_data_loss to true to go ahead."
    )
    if plan.allowed:
        raise PreflightFailed(refused, acknowledge)
    failing = sorted({c.id for c in plan.checks if c.status is CheckStatus.FAIL})
    also = f" {acknowledge}" if plan.requires_acknowledgement else ""
    raise PreflightFailed(refused, f"The plan has failed checks: {', '.join(failing)}.{also}")


# a Cloud Director href -> the URN of what it names; the address itself (the service's way in) is the provider's
_HREF = re.compile(r"/api/(task|vApp|vAppTemplate)/(?:(vapp|vm|vappTemplate)-)?(" + UUID + r")$")
_HREF_KINDS = {"task": "task", "vapp": "vapp", "vm": "vm", "vappTemplate": "vapptemplate"}


def task_ref(href: str | None) -> str | None:
    """What a tenant sees of a step's task: its URN (urn:vcloud:task:<id>, or the new entity's), never the href."""
    found = _HREF.search(href or "")
    if found is None:
        return None
    return f"urn:vcloud:{_HREF_KINDS[found.group(2) or found.group(1)]}:{found.group(3)}"


def compact_document(plan: dict) -> dict:
    """A stored plan (as `jsonable` made it) with its checks compacted like `domain.compact`."""
    checks = [
        Check(c["id"], CheckStatus(c["status"]), c.get("message", ""), c.get("remedy", ""), c.get("vm"))
        for c in plan.get("checks") or ()
    ]
    return {**plan, "checks": jsonable(compact_checks(checks))}


def redact(failure: Failure | None, pattern: re.Pattern | None) -> Failure | None:
    """The failure with every provider-only name replaced."""
    if pattern is None or failure is None:
        return failure
    hidden = "<provider resource>"
    return replace(failure, summary=pattern.sub(hidden, failure.summary), reason=pattern.sub(hidden, failure.reason))


def _without_addresses(failure: Failure | None) -> Failure | None:
    """The failure with every absolute address (Cloud Director's, a vCenter's) taken out."""
    if failure is None:
        return None
    hidden = "<Cloud Director address>"
    return replace(failure, summary=_ADDRESS.sub(hidden, failure.summary), reason=_ADDRESS.sub(hidden, failure.reason))


_ADDRESS = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>)]+")


class Operations:
    """Submit, read and list the caller's operations."""

    NAMES_TTL = 60.0

    def __init__(self, planning: Planning, journal: Journal, executor: Executor | None = None):
        self.planning, self.journal, self.executor = planning, journal, executor
        self._names: tuple[float, re.Pattern | None] = (0.0, None)

    def _provider_names(self) -> re.Pattern | None:
        """vCenter, host, key-provider and datastore names, refreshed now and then."""
        read_at, pattern = self._names
        if time.monotonic() - read_at > self.NAMES_TTL:
            names = set()
            for port in self.planning.vcenters.values():
                facts = port.facts()
                names |= {
                    facts.name,
                    *(h.name for h in facts.hosts),
                    *(k.name for k in facts.key_providers),
                    *(d.name for d in facts.datastores),
                }
            ordered = sorted(names, key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(n) for n in ordered)) if ordered else None
            self._names = (time.monotonic(), pattern)
        return pattern

    def _shown(self, session: Session, view: OperationView) -> OperationView:
        """What the caller may see of an operation: tenants never see provider names or backend addresses
        (a step's task as its URN)."""
        if session.provider:
            return view
        failed = view.error is not None or any(s.error is not None for s in view.steps)
        pattern = self._provider_names() if failed else None

        def hidden(failure: Failure | None) -> Failure | None:
            return _without_addresses(redact(failure, pattern))

        steps = tuple(replace(s, error=hidden(s.error), task=task_ref(s.task)) for s in view.steps)
        return replace(view, error=hidden(view.error), steps=steps)

    def submit(
        self, session: Session, request: OperationRequest, idempotency_key: str | None
    ) -> tuple[OperationView, bool]:
        """(operation, created): the same idempotency key and request give the same operation."""
        body = request_document(request)
        known = self.journal.find(
            org=session.org, idempotency_key=idempotency_key, operation=request.operation.value, request=body
        )
        if known is not None:
            return self._shown(session, known), False
        plan = executable(self.planning.plan(session, request))
        steps = steps_for(request.operation, request_params(request), plan)
        view, created = self.journal.create(
            org=session.org,
            user=session.user,
            operation=request.operation.value,
            request=body,
            plan=jsonable(plan),
            steps=steps,
            idempotency_key=idempotency_key,
            token=session.token,
        )
        if created and self.executor is not None:
            self.executor.wake()
        return view, created

    def get(self, session: Session, op_id: str) -> OperationView:
        """The operation's status, steps and result (its plan left unread: see `plan`)."""
        view = self.journal.get(op_id, session.org, with_plan=False)
        if view is None:
            raise NotFound(kind="Operation", id=op_id)
        return self._shown(session, view)

    def stats(self) -> tuple[dict[str, int], datetime | None]:
        """For monitoring: operations by status and the creation time of the oldest unfinished one."""
        return self.journal.stats()

    def plan(self, session: Session, op_id: str, full: bool = False) -> dict:
        """The plan the operation was accepted on: compact, or every check for every VM."""
        plan = self.journal.plan_of(op_id, session.org)
        if plan is None:
            raise NotFound(kind="Operation", id=op_id)
        return plan if full else compact_document(plan)

    def list(self, session: Session) -> list[OperationView]:
        return [self._shown(session, view) for view in self.journal.list(session.org)]

    def page(
        self, session: Session, page: int, page_size: int, status: OperationStatus | None = None
    ) -> tuple[builtins.list[OperationView], int]:
        """One page of the caller's org's operations, newest first, and how many there are."""
        views, total = self.journal.page(session.org, page=page, page_size=page_size, status=status)
        return [self._shown(session, view) for view in views], total
