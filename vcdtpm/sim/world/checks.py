"""Hand-written checks for world-file values; every failure names its path."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Datastore, Host, KeyProvider, KeyProviderType, Power
from vcdtpm.domain.versions import VCenterVersion, parse_version
from vcdtpm.sim.inventory import SimUser
from vcdtpm.sim.world.errors import WorldError

E = TypeVar("E", bound=enum.Enum)

TENANT_ROLES = ("vApp Author", "Organization Administrator", "vApp User", "Catalog Author", "Console Access Only")
PROVIDER_ROLE = "System Administrator"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def at(path: str, key: str) -> str:
    """The path of a key inside the mapping at `path`."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """The path of an item inside the list at `path`."""
    return f"{path}[{index}]"


def describe(value: Any) -> str:
    """A value's kind in YAML words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"string '{value}'"
    return f"{type(value).__name__} {value!r}"


def fields(value: Any, path: str, required: Iterable[str] = (), optional: Iterable[str] = ()) -> dict:
    """A mapping with exactly the allowed keys: unknown ones and missing required ones fail."""
    if not isinstance(value, dict):
        raise WorldError(path, f"expected a mapping, got {describe(value)}")
    required, optional = tuple(required), tuple(optional)
    allowed = set(required) | set(optional)
    for key in value:
        if key not in allowed:
            raise WorldError(at(path, str(key)), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in value:
            raise WorldError(at(path, key), "required key is missing")
    return value


def sequence(value: Any, path: str) -> list:
    """A list; a key left empty (null) counts as an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise WorldError(path, f"expected a list, got {describe(value)}")
    return value


def text(value: Any, path: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str):
        raise WorldError(path, f"expected a string, got {describe(value)}")
    if not value.strip():
        raise WorldError(path, "must not be empty")
    return value


def flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise WorldError(path, f"expected true or false, got {describe(value)}")
    return value


def whole(value: Any, path: str, minimum: int = 1) -> int:
    """An integer (not a boolean) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorldError(path, f"expected an integer, got {describe(value)}")
    if value < minimum:
        raise WorldError(path, f"must be at least {minimum}, got {value}")
    return value


def choice(value: Any, path: str, kind: type[E]) -> E:
    """One member of an enum, given by its value."""
    for member in kind:
        if value == member.value:
            return member
    names = ", ".join(str(m.value) for m in kind)
    raise WorldError(path, f"{describe(value)} is not one of: {names}")


def power(value: Any, path: str) -> Power:
    """`on` / `off`; YAML 1.1 reads those bare words as booleans, so take those too."""
    if isinstance(value, bool):
        return Power.ON if value else Power.OFF
    return choice(value, path, Power)


def object_id(value: Any, path: str) -> str:
    """A UUID in its canonical 8-4-4-4-12 form, lower-cased."""
    if not isinstance(value, str) or not _UUID.match(value):
        raise WorldError(path, f"{describe(value)} is not a UUID such as 6b0a5c3e-0000-4000-8000-000000000001")
    return value.lower()


def version(value: Any, path: str) -> VCenterVersion:
    if not isinstance(value, str):
        raise WorldError(path, f'expected a quoted version string such as "8.0.2", got {describe(value)}')
    try:
        return parse_version(value, path)
    except Invalid as exc:
        raise WorldError(path, str(exc.kwargs["reason"])) from None


class Registry:
    """Names (or ids) already taken in one scope, with where they were first seen."""

    def __init__(self, what: str):
        self.what = what
        self.seen: dict[str, str] = {}

    def claim(self, key: str, path: str) -> None:
        if key in self.seen:
            raise WorldError(path, f"duplicate {self.what} '{key}' (first at {self.seen[key]})")
        self.seen[key] = path


# -- value objects of a vCenter, and users ------------------------------------


def users(raws: Any, path: str, tenant: bool) -> list[SimUser]:
    """An org's users (with a role), or the provider's (System Administrators)."""
    names, users = Registry("user name"), []
    for i, raw in enumerate(sequence(raws, path)):
        p = item(path, i)
        raw = fields(raw, p, ("name", "password"), ("role",) if tenant else ())
        name = text(raw["name"], at(p, "name"))
        names.claim(name, at(p, "name"))
        role = raw.get("role", TENANT_ROLES[0]) if tenant else PROVIDER_ROLE
        if role not in TENANT_ROLES and tenant:
            raise WorldError(at(p, "role"), f"{describe(role)} is not one of: {', '.join(TENANT_ROLES)}")
        users.append(SimUser(name=name, password=text(raw["password"], at(p, "password")), role=role))
    return users


def hosts(raws: Any, path: str) -> list[Host]:
    names, hosts = Registry("host name"), []
    for i, raw in enumerate(sequence(raws, path)):
        p = item(path, i)
        raw = fields(raw, p, ("name",), ("tpm",))
        names.claim(text(raw["name"], at(p, "name")), at(p, "name"))
        hosts.append(Host(name=raw["name"], tpm=flag(raw.get("tpm", False), at(p, "tpm"))))
    return hosts


def key_providers(raws: Any, path: str) -> list[KeyProvider]:
    names, providers, default = Registry("key provider name"), [], None
    for i, raw in enumerate(sequence(raws, path)):
        p = item(path, i)
        raw = fields(raw, p, ("name", "type"), ("default", "tpm_hosts_only"))
        names.claim(text(raw["name"], at(p, "name")), at(p, "name"))
        kp = KeyProvider(
            name=raw["name"],
            type=choice(raw["type"], at(p, "type"), KeyProviderType),
            default=flag(raw.get("default", False), at(p, "default")),
            tpm_hosts_only=flag(raw.get("tpm_hosts_only", False), at(p, "tpm_hosts_only")),
        )
        if kp.default and default is not None:
            raise WorldError(at(p, "default"), f"'{default}' is already the default key provider")
        default = kp.name if kp.default else default
        providers.append(kp)
    return providers


def datastores(raws: Any, path: str) -> list[Datastore]:
    names, urls, stores = Registry("datastore name"), Registry("datastore url"), []
    for i, raw in enumerate(sequence(raws, path)):
        p = item(path, i)
        raw = fields(raw, p, ("name", "url"))
        names.claim(text(raw["name"], at(p, "name")), at(p, "name"))
        urls.claim(text(raw["url"], at(p, "url")), at(p, "url"))
        stores.append(Datastore(name=raw["name"], url=raw["url"]))
    return stores
