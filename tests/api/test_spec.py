"""The spec says what the service accepts: URN patterns, either template or new_vm, and so a generated request
that follows the spec reaches the plan."""

from __future__ import annotations

import re

import pytest
import yaml

from api import openapi_document
from tests.demo import urn

URN_FIELDS = [
    ("Source", "vm", "vm"),
    ("Source", "vapp", "vapp"),
    ("Source", "template", "vapptemplate"),
    ("Target", "vdc", "vdc"),
    ("Target", "vapp", "vapp"),
    ("Target", "catalog", "catalog"),
    ("Item", "template", "vapptemplate"),
    ("Item", "vm", "vm"),
    ("BackupRequest", "vm", "vm"),
]


@pytest.fixture(scope="module")
def schemas(app):
    return yaml.safe_load(openapi_document(app))["components"]["schemas"]


@pytest.mark.parametrize("schema,field,kind", URN_FIELDS)
def test_every_urn_field_has_a_pattern_of_its_kind(schemas, schema, field, kind):
    pattern = schemas[schema]["properties"][field]["pattern"]
    assert pattern.startswith("^") and pattern.endswith("$") and "\\Z" not in pattern  # ECMA-262, as JSON Schema
    ecma = re.compile(pattern[:-1] + r"\Z")  # ECMA's $ is Python's \Z
    example = "urn:vcloud:%s:6b0a5c3e-0000-4000-8000-000000000001" % kind
    assert ecma.match(example)
    assert not ecma.match(example + "\n") and not ecma.match("urn:vcloud:%s:nope" % kind)
    assert not ecma.match(example.replace(f":{kind}:", ":other:"))


def test_a_compose_item_is_either_a_template_or_a_new_vm(schemas):
    assert schemas["Item"]["oneOf"] == [{"required": ["template"]}, {"required": ["new_vm"]}]


def test_the_pattern_and_the_service_agree_on_a_trailing_newline(client, alice):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2") + "\n"}}
    answer = client.post("/api/v1/plans", headers=alice, json=body)
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vm"
