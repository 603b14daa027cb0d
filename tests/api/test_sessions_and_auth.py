"""Logging in through the service, and what every endpoint says to callers without a good token."""

from __future__ import annotations

import pytest

from tests.demo import basic, urn

PROTECTED = [
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/matrix"),
    ("get", f"/api/v1/vms/{urn('vm', 'web-1')}/tpm"),
    ("get", "/api/v1/provider/vcenters"),
    ("get", "/api/v1/provider/key-providers"),
]


def test_a_tenant_logs_in_and_gets_a_token_for_its_org(client):
    answer = client.post("/api/v1/sessions", headers=basic("alice@acme"))
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["org"] == "acme" and body["user"] == "alice" and body["provider"] is False
    assert len(body["token"]) > 16


def test_a_system_org_user_logs_in_as_provider(client):
    body = client.post("/api/v1/sessions", headers=basic("admin@System")).get_json()
    assert body["provider"] is True and body["org"] == "System"


@pytest.mark.parametrize(
    "headers",
    [
        basic("alice@acme", "wrong"),
        basic("nobody@acme"),
        basic("alice@globex"),
        basic("alice"),
        {"Authorization": "Basic !!!not-base64"},
        {},
    ],
)
def test_bad_credentials_are_401_problems(client, headers):
    answer = client.post("/api/v1/sessions", headers=headers)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["status"] == 401


@pytest.mark.parametrize("who", [basic("alice@acme", "wrong"), basic("nobody@acme"), basic("alice@globex")])
def test_a_refused_login_says_user_org_or_password_is_wrong(client, who):
    answer = client.post("/api/v1/sessions", headers=who)
    assert answer.status_code == 401
    assert "user, org or password is wrong" in answer.get_json()["detail"]
    assert "token" not in answer.get_json()["detail"]


@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"x-vcloud-authorization": "nope"}, {"Authorization": "Bearer "}],
)
def test_every_endpoint_needs_a_valid_token(client, method, path, headers):
    answer = getattr(client, method)(path, headers=headers, json={"operation": "add_tpm"})
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_a_cloud_director_token_works_as_x_vcloud_authorization(client, alice):
    token = alice["Authorization"].split(" ", 1)[1]
    answer = client.get("/api/v1/matrix", headers={"x-vcloud-authorization": token})
    assert answer.status_code == 200


def test_health_and_readiness_need_no_token(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ok" and "backends" not in ready.get_json()
