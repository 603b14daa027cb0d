"""Logins and sessions: Basic user@org credentials, bearer JWTs and x-vcloud-authorization tokens."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass

from vcdtpm.sim.inventory import SYSTEM_ORG, Inventory, SimUser
from vcdtpm.sim.vcd import errors

PROVIDER_ROLE = "System Administrator"


@dataclass(frozen=True)
class Caller:
    """Who a session belongs to; `org` is spelled as in the inventory."""

    org: str
    user: str
    role: str
    provider: bool
    session_id: str
    access_token: str
    auth_token: str

    def sees(self, org: str | None) -> bool:
        """Whether objects of `org` are visible: the System org sees every org."""
        return self.provider or (org is not None and org.lower() == self.org.lower())


class SessionStore:
    """Open sessions, found by either of their two tokens."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_access: dict[str, Caller] = {}
        self._by_auth: dict[str, Caller] = {}

    def open(self, org: str, user: str, role: str, provider: bool) -> Caller:
        caller = Caller(
            org=org,
            user=user,
            role=role,
            provider=provider,
            session_id=str(uuid.uuid4()),
            access_token=_jwt(user, org),
            auth_token=secrets.token_hex(16),
        )
        with self._lock:
            self._by_access[caller.access_token] = caller
            self._by_auth[caller.auth_token] = caller
        return caller

    def by_bearer(self, token: str) -> Caller | None:
        with self._lock:
            return self._by_access.get(token)

    def by_auth_token(self, token: str) -> Caller | None:
        with self._lock:
            return self._by_auth.get(token)

    def close(self, caller: Caller) -> None:
        with self._lock:
            self._by_access.pop(caller.access_token, None)
            self._by_auth.pop(caller.auth_token, None)


def parse_basic(header: str | None) -> tuple[str, str, str]:
    """`Basic base64(user@org:password)` -> (user, org, password); 401 when malformed."""
    if not header or not header.lower().startswith("basic "):
        raise errors.unauthorized("Authentication is required.")
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise errors.unauthorized("Malformed credentials.") from None
    principal, sep, password = decoded.partition(":")
    user, at, org = principal.rpartition("@")
    if not sep or not at or not user or not org:
        raise errors.unauthorized("Credentials must be user@org:password.")
    return user, org, password


def authenticate(
    inventory: Inventory, user: str, org: str, password: str, provider_endpoint: bool
) -> tuple[str, SimUser]:
    """The org name and user for valid credentials on the right endpoint, else 401."""
    is_system = org.lower() == SYSTEM_ORG.lower()
    if is_system != provider_endpoint:
        where = "the provider endpoint" if is_system else "the tenant endpoint"
        raise errors.unauthorized(f"Organization {org} must log in through {where}.")
    if is_system:
        org_name, users = SYSTEM_ORG, inventory.provider_users
    else:
        found = next((o for o in inventory.orgs.values() if o.name.lower() == org.lower()), None)
        if found is None:
            raise errors.unauthorized("Invalid credentials.")
        org_name, users = found.name, found.users
    account = next((u for u in users if u.name.lower() == user.lower()), None)
    if account is None or not secrets.compare_digest(account.password.encode(), password.encode()):
        raise errors.unauthorized("Invalid credentials.")
    return org_name, account


def _jwt(user: str, org: str) -> str:
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {"iss": f"{org}@vcd-sim", "sub": user, "iat": int(time.time()), "jti": str(uuid.uuid4())}
    parts = [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(secrets.token_bytes(64))]
    return ".".join(parts)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
