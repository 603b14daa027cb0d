"""The spec, fuzzed (schemathesis): requests the spec allows, with the world's real URNs and a real token, reach
plans and operations past validation; no answer is a 5xx and every answer matches its documented schema.

VCDTPM_FUZZ_EXAMPLES sets the examples per API operation (small for CI; thousands by hand).
"""

from __future__ import annotations

import copy
import os

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api import create_app, openapi_document
from tests.demo import _ids, basic
from vcdtpm.app.operation_request import NEEDS
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config

EXAMPLES = int(os.environ.get("VCDTPM_FUZZ_EXAMPLES", "8"))
FUZZ_CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def world_urns(kind: str) -> list[str]:
    return sorted(f"urn:vcloud:{k}:{uid}" for (k, _name), uid in _ids().items() if k == kind)


def with_real_urns(node):
    """The spec with every URN pattern replaced by the world's URNs of that kind (an enum), so that generated
    requests name objects that exist and go past validation; the vm_id path parameter too."""
    if isinstance(node, dict):
        pattern = node.get("pattern", "")
        if isinstance(pattern, str) and pattern.startswith("^urn:vcloud:"):
            kind = pattern.split(":")[2]
            node = {key: value for key, value in node.items() if key not in ("pattern", "minLength", "maxLength")}
            node["enum"] = world_urns(kind)
        if node.get("in") == "path" and node.get("name") == "vm_id":
            node = {**node, "schema": {"type": "string", "enum": world_urns("vm")}}
        return {key: with_real_urns(value) for key, value in node.items()}
    if isinstance(node, list):
        return [with_real_urns(value) for value in node]
    return node


def per_operation(spec: dict) -> dict:
    """OperationRequest as oneOf its operations, each with exactly the parts it needs (the service's own NEEDS
    table): generated requests then pass validation and reach the plan, its checks and the journal."""
    schemas = spec["components"]["schemas"]
    request = schemas["OperationRequest"]
    variants = []
    for operation, needs in NEEDS.items():
        properties = {
            k: v
            for k, v in request["properties"].items()
            if k not in ("source", "target", "vm", "items", "ovf", "move")
        }
        properties["operation"] = {"type": "string", "enum": [operation.value]}
        required = ["operation"]
        for part in ("source", "target"):
            keys = [path.split(".")[1] for path in needs if path.startswith(part + ".")]
            if keys:
                fields = schemas[part.capitalize()]["properties"]
                properties[part] = {
                    "type": "object",
                    "properties": {key: fields[key] for key in keys},
                    "required": keys,
                    "additionalProperties": False,
                }
                required.append(part)
        for part in ("vm", "items", "ovf"):
            if part in needs:
                properties[part] = request["properties"][part]
                required.append(part)
        variants.append(
            {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
        )
    schemas["OperationRequest"] = {"oneOf": variants}
    return spec


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("fuzz")), run_executor=False))
    app = create_app(use_cases=wired.use_cases)
    spec = per_operation(with_real_urns(copy.deepcopy(yaml.safe_load(openapi_document(app)))))
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = app
    client = app.test_client()
    schema.tokens = {  # type: ignore[attr-defined]
        user: client.post("/api/v1/sessions", headers=basic(user)).get_json()["token"]
        for user in ("alice@acme", "admin@System")
    }
    yield schema
    wired.close()


def test_no_request_the_spec_allows_gets_a_5xx_or_an_undocumented_answer(fuzzed):
    seen: dict[str, int] = {}
    for found in fuzzed.get_all_operations():
        operation = found.ok()
        user = "admin@System" if operation.path.startswith("/api/v1/provider/") else "alice@acme"
        headers = {"Authorization": f"Bearer {fuzzed.tokens[user]}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def exchange(case):
            response = case.call(headers=headers)  # noqa: B023 - run before the loop moves on
            case.validate_response(response, checks=FUZZ_CHECKS)
            key = f"{case.method} {case.operation.path} {response.status_code}"
            seen[key] = seen.get(key, 0) + 1

        exchange()
    print(f"fuzzed {sum(seen.values())} requests: " + ", ".join(f"{k} x{n}" for k, n in sorted(seen.items())))
    assert not any(key.endswith(tuple(f" 5{d}{e}" for d in "0123456789" for e in "0123456789")) for key in seen)
    reached = {key for key in seen if key.split()[2] in ("200", "202", "409")}
    assert any(key.startswith("POST /api/v1/plans 200") for key in reached), seen  # past validation
    assert any(key.startswith("POST /api/v1/operations") for key in reached), seen
