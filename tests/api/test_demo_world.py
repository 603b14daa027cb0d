"""The demo world tells the truth: every example its header gives is planned as the header says, and every
object the header names by name and id is there under that name and id."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.demo import _ids, urn
from vcdtpm.sim.world.loader import DEMO_WORLD_PATH

HEADER = [line for line in DEMO_WORLD_PATH.read_text().splitlines() if line.startswith("#")]
USERS = {"alice": "alice@acme", "olivia": "olivia@acme", "victor": "victor@acme", "admin": "admin@System"}
KIND_OF_FIELD = {"vm": "vm", "vapp": "vapp", "template": "vapptemplate", "vdc": "vdc", "catalog": "catalog"}


def examples() -> list[tuple[str, str, dict, str]]:
    """(user, operation, body, expected) for each example line; a line starting "#          ->" continues one."""
    start = next(i for i, line in enumerate(HEADER) if line.startswith("# Examples:"))
    joined: list[str] = []
    for line in HEADER[start + 2 :]:
        text = line[1:].strip()
        if text.startswith("->"):
            joined[-1] += " " + text
        elif text:
            joined.append(text)
    found = []
    for text in joined:
        match = re.fullmatch(r"(\w+)\s+(\w+)\s+(.*?)\s*->\s*(.+)", text)
        assert match, f"not an example: {text}"
        user, operation, fields, expected = match.groups()
        found.append((user, operation, _body(operation, fields.split()), expected.strip()))
    return found


def _body(operation: str, fields: list[str]) -> dict:
    body: dict = {"operation": operation}
    for field in fields:
        key, _, value = field.partition("=")
        if "." in key:
            part, name = key.split(".")
            body.setdefault(part, {})[name] = urn(KIND_OF_FIELD[name], value) if name in KIND_OF_FIELD else value
        else:
            body[key] = {"true": True, "false": False}.get(value, value)
    return body


EXAMPLES = examples()


def test_the_header_has_examples_of_every_outcome():
    outcomes = {expected.split()[0] for _, _, _, expected in EXAMPLES}
    assert outcomes == {"allowed", "fails", "needs", "not", "lacks"} and len(EXAMPLES) >= 20


@pytest.mark.parametrize(
    "user, operation, body, expected", EXAMPLES, ids=[f"{n}-{e[1]}" for n, e in enumerate(EXAMPLES)]
)
def test_each_example_of_the_header_plans_as_it_says(client, tokens, user, operation, body, expected):
    answer = client.post("/api/v1/plans", headers=tokens(USERS[user]), json=body)
    if expected == "not found":
        assert answer.status_code == 404
        return
    assert answer.status_code == 200, answer.get_json()
    plan = answer.get_json()
    failing = {c["id"] for c in plan["checks"] if c["status"] == "fail"}
    rights = [c for c in plan["checks"] if c["id"] == "caller_rights"]
    if expected.startswith("fails "):
        assert failing == set(expected.split()[1:])
        return
    assert plan["allowed"] is True and failing == set()
    assert plan["requires_acknowledgement"] is (expected == "needs acknowledgement")
    assert [c["status"] for c in rights] == (["warn"] if expected == "lacks rights" else ["pass"])


def test_every_object_the_header_names_with_an_id_has_that_name_and_id():
    named = re.findall(r"([a-z][\w-]*[a-z0-9])\s*\(\.\.(\d\d)\)", "\n".join(HEADER))
    assert len(named) >= 20
    ids: dict[str, set[str]] = {}
    for (_, name), uid in _ids().items():  # a template VM may share its template's name: either will do
        ids.setdefault(name, set()).add(uid[-2:])
    for name, suffix in named:
        assert name in ids, f"the header names {name}, which the world does not have"
        assert suffix in ids[name], f"{name} is ..{sorted(ids[name])}, the header says ..{suffix}"


def test_the_vcenter_only_vms_the_header_names_are_there_by_name():
    world = yaml.safe_load(DEMO_WORLD_PATH.read_text())
    names = {vm["name"] for vm in world["vcenter_vms"]}
    assert {"legacy-tpm", "legacy-plain"} <= names
    assert "source.vcenter_vm: legacy-tpm" in "\n".join(HEADER)


def test_the_users_the_header_names_have_the_roles_it_says():
    world = yaml.safe_load(DEMO_WORLD_PATH.read_text())
    roles = {(org["name"], u["name"]): u.get("role") for org in world["orgs"] for u in org["users"]}
    text = " ".join(line[1:].strip() for line in HEADER)
    for (org, user), role in roles.items():
        assert f"{user} ({role}" in text, f"the header does not give {user}@{org}'s role {role}"
