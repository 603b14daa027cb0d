"""The demo world's objects by name: `urn("vm", "web-1")` instead of an id to remember."""

from __future__ import annotations

import base64
from functools import cache

import yaml

from vcdtpm.sim.world.loader import DEMO_WORLD_PATH

KINDS = {"orgs": "org", "vdcs": "vdc", "catalogs": "catalog", "templates": "vapptemplate", "vapps": "vapp", "vms": "vm"}


@cache
def _ids() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}

    def walk(node: object, kind: str | None) -> None:
        if isinstance(node, dict):
            if kind and "id" in node and "name" in node:
                key = (kind, node["name"])
                assert key not in found, f"two demo {kind}s named {node['name']}"
                found[key] = str(node["id"])
            for name, value in node.items():
                walk(value, KINDS.get(name))
        elif isinstance(node, list):
            for value in node:
                walk(value, kind)

    walk(yaml.safe_load(DEMO_WORLD_PATH.read_text()), None)
    return found


def urn(kind: str, name: str) -> str:
    """The URN of the demo world's object of this kind and name."""
    return f"urn:vcloud:{kind}:{_ids()[(kind, name)]}"


def uuid(kind: str, name: str) -> str:
    return _ids()[(kind, name)]


def basic(user_at_org: str, password: str = "secret") -> dict:
    raw = base64.b64encode(f"{user_at_org}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}
