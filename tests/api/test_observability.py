"""Liveness, readiness, /metrics, request ids and logs: what an operator of the service sees."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from api.metrics import METRICS_TOKEN
from tests.demo import basic, urn
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config
from vcdtpm.domain.errors import BackendUnavailable
from vcdtpm.logs import json_handler

SCRAPE_TOKEN = "scrape-7f3a9c"
ADD_TPM_WEB2 = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}


# -- liveness and readiness ------------------------------------------------------------------------------------
def test_livez_and_healthz_answer_without_asking_any_backend(client, wiring, monkeypatch):
    def refuse(*_):
        raise AssertionError("liveness asked a backend")

    monkeypatch.setattr(wiring.use_cases.planning, "ready", refuse)
    for path in ("/livez", "/healthz"):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_readyz_gives_anyone_the_status_and_counts_but_no_backend_names(client, alice):
    for headers in ({}, alice, {"Authorization": "Bearer not-a-token"}):
        answer = client.get("/readyz", headers=headers)
        assert answer.status_code == 200
        assert answer.get_json() == {"status": "ok", "backends_checked": 5, "backends_unavailable": 0}


def test_readyz_names_the_backends_to_a_provider(client, admin):
    body = client.get("/readyz", headers=admin).get_json()
    assert body["status"] == "ok"
    assert body["backends"] == {"cloud_director": "ok", "vc-a": "ok", "vc-b": "ok", "vc-c": "ok", "vc-d": "ok"}


def _unreachable(*_args, **_kwargs):
    raise BackendUnavailable(backend="vCenter vc-b", reason="connection refused")


def test_readyz_is_degraded_not_down_when_one_vcenter_does_not_answer(client, wiring, admin, alice, monkeypatch):
    monkeypatch.setattr(wiring.use_cases.planning.vcenters["vc-b"], "facts", _unreachable)
    answer = client.get("/readyz", headers=admin)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "degraded" and body["backends_unavailable"] == 1
    assert body["backends"]["vc-b"] == "unavailable: BackendUnavailable" and body["backends"]["vc-a"] == "ok"
    tenant = client.get("/readyz", headers=alice).get_json()
    assert tenant == {"status": "degraded", "backends_checked": 5, "backends_unavailable": 1}


def test_readyz_is_503_when_cloud_director_does_not_answer(client, wiring, monkeypatch):
    monkeypatch.setattr(wiring.use_cases.planning.cloud, "provider_vcenter_names", _unreachable)
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["status"] == 503 and body["type"].endswith("not-ready")
    assert body["backends_unavailable"] == 1 and "backends" not in body
    assert "vc-" not in answer.get_data(as_text=True)


# -- request ids -------------------------------------------------------------------------------------------------
def test_a_request_id_is_echoed_or_made(client):
    assert client.get("/livez", headers={"X-Request-Id": "trace-1.2"}).headers["X-Request-Id"] == "trace-1.2"
    made = client.get("/livez").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    for unsafe in ("x" * 200, "has space", "semi;colon", 'quote"d'):
        echoed = client.get("/livez", headers={"X-Request-Id": unsafe}).headers["X-Request-Id"]
        assert echoed != unsafe and re.fullmatch(r"[0-9a-f]{32}", echoed)


# -- /metrics on a cloud of its own (operations change it) ----------------------------------------------------------
@pytest.fixture(scope="module")
def own(tmp_path_factory):
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("metrics")), poll_seconds=0.02))
    yield create_app({METRICS_TOKEN: SCRAPE_TOKEN}, use_cases=wired.use_cases).test_client()
    wired.close()


def _login(http, who: str) -> dict:
    answer = http.post("/api/v1/sessions", headers=basic(who))
    assert answer.status_code == 201
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def scrape(http, headers: dict) -> dict[tuple[str, tuple], float]:
    answer = http.get("/metrics", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _finished(http, headers, location: str) -> dict:
    for _ in range(500):
        body = http.get(location, headers=headers).get_json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.02)
    raise AssertionError(f"{location} did not finish")


def test_metrics_are_for_a_provider_or_the_metrics_token(own):
    assert own.get("/metrics").status_code == 401
    assert own.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert own.get("/metrics", headers=_login(own, "alice@acme")).status_code == 403
    assert own.get("/metrics", headers=_login(own, "admin@System")).status_code == 200
    assert own.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"}).status_code == 200


def test_metrics_count_a_plan_and_an_operation(own):
    scraper = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
    alice = _login(own, "alice@acme")
    before = scrape(own, scraper)
    assert own.post("/api/v1/plans", headers=alice, json=ADD_TPM_WEB2).status_code == 200
    refused = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-1")}}  # it has a vTPM already
    assert own.post("/api/v1/plans", headers=alice, json=refused).get_json()["allowed"] is False
    submitted = own.post("/api/v1/operations", headers=alice, json=ADD_TPM_WEB2)
    assert submitted.status_code == 202
    assert _finished(own, alice, submitted.headers["Location"])["status"] == "succeeded"
    after = scrape(own, scraper)

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("vcdtpm_plans_total", operation="add_tpm", outcome="allowed") == 2  # the plan, the operation's
    assert grew("vcdtpm_plans_total", operation="add_tpm", outcome="refused") == 1
    assert grew("vcdtpm_tpm_actions_total", operation="add_tpm", action="new") == 2
    assert grew("vcdtpm_tpm_actions_total", operation="add_tpm", action="none") == 1
    assert grew("vcdtpm_http_requests_total", route="/api/v1/plans", method="POST", status="200") == 2
    assert grew("vcdtpm_http_requests_total", route="/api/v1/operations", method="POST", status="202") == 1
    assert grew("vcdtpm_http_request_duration_seconds_count", route="/api/v1/plans", method="POST", status="200") == 2
    route = "/api/v1/operations/<string:op_id>"
    assert grew("vcdtpm_http_requests_total", route=route, method="GET", status="200") >= 1
    for status in ("queued", "running", "succeeded"):
        assert grew("vcdtpm_operation_status_changes_total", status=status) == 1
    assert value(after, "vcdtpm_operations", status="succeeded") == 1
    assert value(after, "vcdtpm_journal_lag_seconds") == 0
    assert grew("vcdtpm_backend_requests_total", backend="cloud_director", outcome="ok") > 0
    assert grew("vcdtpm_backend_requests_total", backend="vcenter:vc-a", outcome="ok") > 0
    assert grew("vcdtpm_backend_request_duration_seconds_count", backend="vcenter:vc-a") == grew(
        "vcdtpm_backend_requests_total", backend="vcenter:vc-a", outcome="ok"
    )


# -- logs ----------------------------------------------------------------------------------------------------------
@pytest.fixture()
def json_log():
    """Every record of the test as the service writes it: JSON lines, through the service's filters."""
    stream = io.StringIO()
    handler = json_handler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_logs_are_json_lines_without_tokens_passwords_or_colours(own, json_log):
    login = own.post("/api/v1/sessions", headers=basic("alice@acme"))
    token = login.get_json()["token"]
    alice = {"Authorization": f"Bearer {token}", "X-Request-Id": "log-test-1"}
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-b1")}}
    assert own.post("/api/v1/plans", headers=alice, json=body).get_json()["allowed"] is True
    submitted = own.post("/api/v1/operations", headers=alice, json=body)
    assert submitted.status_code == 202
    assert _finished(own, alice, submitted.headers["Location"])["status"] == "succeeded"
    text = json_log.getvalue()
    records = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert len(records) > 5
    assert token not in text and token[:16] not in text
    assert not re.search(r"\bsecret\b", text), "a password reached the log"
    assert basic("alice@acme")["Authorization"].split()[1] not in text
    assert "\x1b[" not in text
    logged = [r for r in records if r.get("event") == "http.request" and r["request_id"] == "log-test-1"]
    assert {r["route"] for r in logged} >= {"/api/v1/plans", "/api/v1/operations"}
    op_id = submitted.get_json()["id"]
    changes = [r["status"] for r in records if r.get("event") == "operation.status" and r["operation_id"] == op_id]
    assert changes == ["queued", "running", "succeeded"]


# -- /docs ------------------------------------------------------------------------------------------------------------
def test_docs_page_loads_only_local_assets_over_the_generated_spec(client, app):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3
    for asset in assets:
        assert "//" not in asset and not asset.startswith("http")
        answer = client.get("/" + asset.lstrip("/"))
        assert answer.status_code == 200 and len(answer.get_data()) > 1000
    assert not re.search(r"https?://", html)
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and '"/openapi.json"' in html
    assert set(spec.get_json()["paths"]) == set(app.extensions["vcdtpm.api"].spec.to_dict()["paths"])


def test_metrics_gauge_the_shared_tpm_identities_per_org(own):
    """The demo world shares app-1's vTPM with a copy in acme and with globex's gx-app-1: one identity each."""
    samples = scrape(own, {"Authorization": f"Bearer {SCRAPE_TOKEN}"})
    assert value(samples, "vcdtpm_shared_tpm_identities", org="acme") == 1
    assert value(samples, "vcdtpm_shared_tpm_identities", org="globex") == 1
