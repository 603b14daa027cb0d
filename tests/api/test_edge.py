"""Bodies that once made a 500: bounded and refused at the edge with 4xx problem+json naming the field."""

from __future__ import annotations

import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

from tests.demo import urn

VDC = urn("vdc", "acme-a")


def _post_raw(client, headers, path, text, content_type="application/json"):
    return client.post(path, headers={**headers, "Content-Type": content_type}, data=text)


def _new_vm(name: str) -> str:
    body = {"operation": "create_vm", "target": {"vdc": VDC}, "vm": {"name": name, "guest_os": "ubuntu64Guest"}}
    return json.dumps(body)  # escapes every non-ASCII character, lone surrogates included


@pytest.mark.parametrize("path", ["/api/v1/plans", "/api/v1/operations", "/api/v1/tpm-backups"])
def test_a_thousand_nested_arrays_are_422_not_500(client, alice, path):
    answer = _post_raw(client, alice, path, "[" * 1000 + "]" * 1000)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["field"] == "body"


@pytest.mark.parametrize("path", ["/api/v1/plans", "/api/v1/operations", "/api/v1/tpm-restores"])
def test_a_five_thousand_digit_integer_is_422_not_500(client, alice, path):
    answer = _post_raw(client, alice, path, '{"operation": "add_tpm", "n": ' + "9" * 5000 + "}")
    assert answer.status_code == 422 and answer.get_json()["field"] == "body"


def test_a_lone_surrogate_in_any_string_of_an_operation_is_422_naming_it(client, alice):
    body = '{"operation": "add_tpm", "source": {"vm": "\\ud800"}}'
    answer = _post_raw(client, alice, "/api/v1/operations", body)
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vm"


def test_a_lone_surrogate_with_an_idempotency_key_is_422(client, alice):
    body = '{"operation": "add_tpm", "source": {"vm": "%s"}, "name": "\\udfff"}' % urn("vm", "web-2")
    answer = client.post(
        "/api/v1/operations",
        headers={**alice, "Content-Type": "application/json", "Idempotency-Key": "k-surrogate"},
        data=body,
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "name"


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\ufffe", "\uffff", "\ud800"])
def test_a_name_no_xml_can_hold_is_refused_naming_the_field(client, alice, character):
    answer = _post_raw(client, alice, "/api/v1/plans", _new_vm("web" + character))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["field"] == "vm.name"


def test_a_body_that_is_not_json_is_415_saying_what_to_send(client, alice):
    answer = _post_raw(client, alice, "/api/v1/plans", "operation=add_tpm", content_type="text/plain")
    assert answer.status_code == 415 and answer.mimetype == "application/problem+json"
    assert "application/json" in answer.get_json()["detail"]


def test_a_malformed_urn_is_422(client, alice):
    answer = client.post(
        "/api/v1/plans", headers=alice, json={"operation": "add_tpm", "source": {"vm": "urn:vcloud:vm:nope"}}
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vm"


def test_a_urn_with_an_encoded_newline_in_the_path_is_422(client, alice):
    answer = client.get(f"/api/v1/vms/{urn('vm', 'web-1')}%0A/tpm", headers=alice)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"


def test_a_source_key_the_operation_does_not_use_is_422_naming_it(client, alice):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2"), "vapp": urn("vapp", "web")}}
    answer = client.post("/api/v1/operations", headers=alice, json=body)
    assert answer.status_code == 422 and answer.get_json()["field"] == "source.vapp"


def test_trace_is_405_with_allow(client, alice):
    answer = client.open("/api/v1/plans", method="TRACE", headers=alice)
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    assert "TRACE" not in answer.headers["Allow"]


@pytest.fixture()
def served_app(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


def test_a_chunked_body_over_the_limit_is_413(served_app, alice):
    connection = http.client.HTTPConnection("127.0.0.1", served_app, timeout=30)
    chunk = b"x" * 65536
    chunks = [b'{"operation": "create_vapp_from_ovf", "ovf": "'] + [chunk] * 32 + [b'"}']
    connection.request(
        "POST",
        "/api/v1/plans",
        body=iter(chunks),
        headers={**alice, "Content-Type": "application/json"},
        encode_chunked=True,
    )
    answer = connection.getresponse()
    assert answer.status == 413, answer.read()
    assert answer.getheader("Content-Type") == "application/problem+json"
    connection.close()


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"vm": {"name": "spare", "guest_os": "ubuntu64Guest"}}, "vm"),
        ({"ovf": "<Envelope/>"}, "ovf"),
        ({"items": [{"new_vm": {"name": "x", "guest_os": "ubuntu64Guest"}}]}, "items"),
    ],
)
def test_a_part_the_operation_does_not_use_is_422_naming_it(client, alice, extra, field):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}, **extra}
    answer = client.post("/api/v1/operations", headers=alice, json=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == field
