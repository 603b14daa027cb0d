"""Through Cloud Director's /ext-api: register the service, then a tenant calls it with its own vCD token.

The simulated vCD and the service run as real HTTP servers on free ports, the service over TLS with a
self-signed certificate that `vcdtpm register` reads from it and trusts in vCD.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
import yaml
from werkzeug.serving import make_server

from api import create_app
from tests.demo import basic, urn
from tests.tls import self_signed
from vcdtpm.bootstrap import bootstrap
from vcdtpm.cli.main import main
from vcdtpm.config import Config, Endpoint
from vcdtpm.sim.vcd import create_vcd_app
from vcdtpm.sim.vcd.server import serve_in_thread
from vcdtpm.sim.world.loader import DEMO_WORLD_PATH, demo_world

V = {"Accept": "application/json;version=38.1"}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    """(vCD URL, service URL): the simulated vCD, and vcdtpm over TLS configured against it, registered."""
    tmp = tmp_path_factory.mktemp("ext")
    vcd_app = create_vcd_app(demo_world(), task_delay=0.05)
    vcd = serve_in_thread(vcd_app)
    provider = {"url": vcd.url, "user": "admin", "password": "secret"}
    config = Config(
        cloud_director=Endpoint(**provider),
        world=str(DEMO_WORLD_PATH),
        data_dir=str(tmp / "data"),
        poll_seconds=0.02,
    )
    wired = bootstrap(config)
    cert, key = self_signed(tmp)
    server = make_server(
        "127.0.0.1", 0, create_app(use_cases=wired.use_cases), threaded=True, ssl_context=(str(cert), str(key))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service = f"https://127.0.0.1:{server.server_port}"
    config_file = tmp / "vcdtpm.yaml"
    config_file.write_text(yaml.safe_dump({"cloud_director": provider}))
    assert main(["register", "--config", str(config_file), "--endpoint-url", service]) == 0
    yield vcd.url, vcd_app
    server.shutdown()
    wired.close()
    vcd.stop()


def vcd_login(vcd_url: str, who: str) -> requests.Response:
    answer = requests.post(f"{vcd_url}/cloudapi/1.0.0/sessions", headers={**V, **basic(who)})
    assert answer.status_code == 200, answer.text
    return answer


@pytest.fixture(scope="module")
def alice(cloud):
    token = vcd_login(cloud[0], "alice@acme").headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"]
    return {"Authorization": f"Bearer {token}"}


def ext(cloud, path: str) -> str:
    return f"{cloud[0]}/ext-api/vcdtpm{path}"


def test_a_tenant_plans_through_ext_api_with_its_vcd_token(cloud, alice):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}
    answer = requests.post(ext(cloud, "/api/v1/plans"), headers=alice, json=body)
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["operation"] == "add_tpm" and plan["allowed"] is True
    assert [vm["id"] for vm in plan["vms"]] == [urn("vm", "web-2")]


def test_a_tenant_runs_an_operation_through_ext_api_and_follows_it(cloud, alice):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}
    answer = requests.post(ext(cloud, "/api/v1/operations"), headers={**alice, "Idempotency-Key": "ext-1"}, json=body)
    assert answer.status_code == 202, answer.text
    operation_id = answer.json()["id"]
    deadline = time.monotonic() + 30
    while (status := requests.get(ext(cloud, f"/api/v1/operations/{operation_id}"), headers=alice).json())[
        "status"
    ] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert status["status"] == "succeeded", status
    listed = requests.get(ext(cloud, "/api/v1/operations"), headers=alice).json()
    assert operation_id in [o["id"] for o in listed["operations"]]
    gina = {"Authorization": f"Bearer {vcd_login(cloud[0], 'gina@globex').headers['X-VMWARE-VCLOUD-ACCESS-TOKEN']}"}
    assert requests.get(ext(cloud, f"/api/v1/operations/{operation_id}"), headers=gina).status_code == 404


def test_another_orgs_objects_are_404_through_ext_api(cloud, alice):
    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "gx-1")}}
    answer = requests.post(ext(cloud, "/api/v1/plans"), headers=alice, json=body)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/problem+json")


def test_the_legacy_x_vcloud_authorization_token_works_too(cloud):
    token = vcd_login(cloud[0], "gina@globex").headers["x-vcloud-authorization"]
    answer = requests.get(ext(cloud, "/api/v1/operations"), headers={"x-vcloud-authorization": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["operations"] == []  # alice's operation is not globex's


def test_without_a_vcd_session_ext_api_answers_401_and_the_service_sees_nothing(cloud):
    vcd_app = cloud[1]
    before = vcd_app.requests.count("/api/session")
    assert requests.get(ext(cloud, "/api/v1/operations")).status_code == 401
    assert requests.get(ext(cloud, "/api/v1/operations"), headers={"Authorization": "Bearer forged"}).status_code == 401
    assert vcd_app.requests.count("/api/session") == before  # vCD refused it before proxying


def test_an_untrusted_certificate_is_not_proxied(cloud, alice):
    ext_state = cloud[1].extensibility
    saved = dict(ext_state.certificates)
    ext_state.certificates.clear()
    try:
        answer = requests.get(ext(cloud, "/api/v1/operations"), headers=alice)
    finally:
        ext_state.certificates.update(saved)
    assert answer.status_code == 502
