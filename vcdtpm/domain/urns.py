"""Cloud Director URNs (`urn:vcloud:<kind>:<uuid>`) and backup ids: the one validator every layer uses."""

from __future__ import annotations

import re

from vcdtpm.domain.errors import Invalid

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URN = re.compile(rf"urn:vcloud:([a-z]+):({UUID})")
BACKUP_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_BACKUP_ID = re.compile(BACKUP_ID)


def urn_parts(value: object) -> tuple[str, str] | None:
    """(kind, uuid) of a URN, or None; the whole string must match (no trailing newline)."""
    found = _URN.fullmatch(value) if isinstance(value, str) else None
    return (found.group(1), found.group(2)) if found else None


def is_urn(value: object, kind: str) -> bool:
    parts = urn_parts(value)
    return parts is not None and parts[0] == kind


def urn_problem(value: object, kind: str) -> str | None:
    """Why `value` is not a URN of `kind`, or None when it is."""
    return None if is_urn(value, kind) else f"expected a URN urn:vcloud:{kind}:<uuid>, got {str(value)[:80]!r}"


def check_urn(field: str, value: object, kind: str) -> str:
    """`value` when it is a URN of `kind`; `Invalid` naming `field` otherwise."""
    problem = urn_problem(value, kind)
    if problem:
        raise Invalid(field, problem)
    return str(value)


def is_backup_id(value: object) -> bool:
    """Whether `value` is a backup id: a lower-case UUID, never a path."""
    return isinstance(value, str) and _BACKUP_ID.fullmatch(value) is not None
