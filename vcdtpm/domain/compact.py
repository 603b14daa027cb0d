"""Compact plans: per VM what differs (the checks that did not pass), once what holds for every VM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from vcdtpm.domain.model import Check, CheckStatus, Plan

_ALIKE = {CheckStatus.PASS: "Passes", CheckStatus.SKIP: "Does not apply"}


def compact(plan: Plan) -> Plan:
    """The plan with its checks compacted (`compact_checks`); everything else as it is."""
    return replace(plan, checks=compact_checks(plan.checks))


def compact_checks(checks: Sequence[Check]) -> tuple[Check, ...]:
    """Per check id: when it passes for every VM (or does not apply to any), one check with
    `vm` None in its place; otherwise only its entries that did not pass, per VM. A check
    naming no VM stays as it is. The order of first appearance is kept."""
    by_id: dict[str, list[Check]] = {}
    for check in checks:
        by_id.setdefault(check.id, []).append(check)
    out: list[Check] = []
    for check_id, group in by_id.items():
        per_vm = [c for c in group if c.vm is not None]
        out.extend(c for c in group if c.vm is None)
        if not per_vm:
            continue
        statuses = {c.status for c in per_vm}
        if len(statuses) == 1 and (status := statuses.pop()) in _ALIKE:
            out.append(_once(check_id, status, per_vm))
        else:
            out.extend(c for c in per_vm if c.status is not CheckStatus.PASS)
    return tuple(out)


def _once(check_id: str, status: CheckStatus, group: list[Check]) -> Check:
    first = group[0]
    if len(group) == 1:
        return replace(first, vm=None)
    message = f"{_ALIKE[status]} for all {len(group)} VMs; for example: {first.message}"
    return Check(check_id, status, message, first.remedy, None)
