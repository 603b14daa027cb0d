"""The scan every test runs under: it sees the tenants' answers and would catch a provider name in one."""

from __future__ import annotations

from flask import Flask, g

from tests.leaks import TenantAnswers
from vcdtpm.ports import Session


def test_every_tenant_answer_of_a_test_is_scanned(client, alice, no_provider_names_for_tenants):
    before = no_provider_names_for_tenants.scanned
    client.get("/api/v1/matrix", headers=alice)
    client.get("/api/v1/operations", headers=alice)
    assert no_provider_names_for_tenants.scanned == before + 2


def _leaky_app() -> Flask:
    app = Flask("leaky")

    @app.get("/tenant")
    def tenant():
        g.session = Session("t", "acme", "alice", False)
        return {"detail": "copy failed on vc-b (http://127.0.0.1:8443/api/task/1) with kp-gold"}

    @app.get("/provider")
    def provider():
        g.session = Session("t", "System", "admin", True)
        return {"vcenters": ["vc-a", "vc-b"]}

    @app.get("/fine")
    def fine():
        return {"name": "vc-available", "x": "nvc-a"}  # names inside other words are not names

    return app


def test_the_scan_catches_provider_names_and_addresses_shown_to_a_tenant_only(no_provider_names_for_tenants):
    client = _leaky_app().test_client()
    with TenantAnswers() as answers:
        client.get("/tenant")
        client.get("/provider")
        client.get("/fine")
    no_provider_names_for_tenants.leaks.clear()  # this test's leaks are planted
    assert answers.scanned == 2
    assert [leak.split(" -> ")[0] for leak in answers.leaks] == ["GET /tenant"] * 3
