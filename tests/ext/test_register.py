"""`vcdtpm register` / `unregister` against the simulated vCD: idempotent, one endpoint, one filter."""

from __future__ import annotations

import pytest
import requests
import yaml

from tests.demo import basic
from tests.tls import self_signed
from vcdtpm.cli.main import main

ENDPOINT = "urn:vcloud:extensionEndpoint:vcdtpm:vcdtpm:1.0.0"
V = {"Accept": "application/json;version=38.1"}


@pytest.fixture
def provider(vcd_url):
    answer = requests.post(f"{vcd_url}/cloudapi/1.0.0/sessions/provider", headers={**V, **basic("admin@System")})
    assert answer.status_code == 200
    return {**V, "Authorization": f"Bearer {answer.headers['X-VMWARE-VCLOUD-ACCESS-TOKEN']}"}


@pytest.fixture
def config(tmp_path, vcd_url):
    path = tmp_path / "vcdtpm.yaml"
    path.write_text(yaml.safe_dump({"cloud_director": {"url": vcd_url, "user": "admin", "password": "secret"}}))
    return str(path)


@pytest.fixture
def certificate(tmp_path):
    return str(self_signed(tmp_path)[0])


@pytest.fixture(autouse=True)
def clean(small_cloud):
    yield
    ext = small_cloud.app.extensibility
    ext.filters.clear(), ext.endpoints.clear(), ext.certificates.clear()


def listed(vcd_url, provider, what: str) -> list[dict]:
    body = requests.get(f"{vcd_url}/cloudapi/1.0.0/{what}", headers=provider).json()
    assert body["resultTotal"] == len(body["values"])
    return body["values"]


def register(config, certificate, url="https://127.0.0.1:9443", capsys=None) -> int:
    return main(["register", "--config", config, "--endpoint-url", url, "--certificate", certificate])


def test_register_twice_leaves_one_endpoint_one_filter_one_certificate(vcd_url, provider, config, certificate, capsys):
    assert register(config, certificate) == 0
    first = capsys.readouterr().out
    assert "created" in first and "trusted (alias vcdtpm-endpoint)" in first
    assert register(config, certificate) == 0
    second = capsys.readouterr().out
    assert "created" not in second and second.count("unchanged") == 2 and "already trusted" in second

    endpoints = listed(vcd_url, provider, "externalEndpoints")
    assert [(e["id"], e["rootUrl"], e["enabled"]) for e in endpoints] == [(ENDPOINT, "https://127.0.0.1:9443", True)]
    filters = listed(vcd_url, provider, "apiFilters")
    assert [(f["externalSystem"]["id"], f["urlMatcher"]) for f in filters] == [
        (ENDPOINT, {"urlPattern": "/vcdtpm/.*", "urlScope": "EXT_API"})
    ]
    assert len(listed(vcd_url, provider, "ssl/trustedCertificates")) == 1


def test_register_with_a_new_url_updates_the_root_url(vcd_url, provider, config, certificate, capsys):
    register(config, certificate)
    register(config, certificate, url="https://vcdtpm.example.com:8443")
    assert "updated: https://127.0.0.1:9443 -> https://vcdtpm.example.com:8443" in capsys.readouterr().out
    endpoints = listed(vcd_url, provider, "externalEndpoints")
    assert [e["rootUrl"] for e in endpoints] == ["https://vcdtpm.example.com:8443"]
    assert len(listed(vcd_url, provider, "apiFilters")) == 1


def test_a_new_certificate_replaces_the_one_under_the_alias(vcd_url, provider, config, tmp_path, capsys):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    register(config, str(self_signed(tmp_path / "a")[0]))
    register(config, str(self_signed(tmp_path / "b")[0]))
    assert "replacing the one under alias vcdtpm-endpoint" in capsys.readouterr().out
    trusted = listed(vcd_url, provider, "ssl/trustedCertificates")
    assert len(trusted) == 1
    assert trusted[0]["certificate"] == (tmp_path / "b" / "server.pem").read_text()


def test_unregister_removes_the_filter_then_the_endpoint(vcd_url, provider, config, certificate, capsys):
    register(config, certificate)
    capsys.readouterr()
    assert main(["unregister", "--config", config]) == 0
    said = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in said] == ["removed", "disabled", "removed"]
    assert said[0].startswith("API filter urn:vcloud:apiFilter:")
    assert listed(vcd_url, provider, "externalEndpoints") == []
    assert listed(vcd_url, provider, "apiFilters") == []
    assert main(["unregister", "--config", config]) == 0
    assert "not registered" in capsys.readouterr().out


def test_register_refuses_a_plain_http_endpoint(config, certificate, capsys):
    assert main(["register", "--config", config, "--endpoint-url", "http://x:8080", "--certificate", certificate]) == 2
    assert "endpoint_url" in capsys.readouterr().err


def test_register_needs_a_cloud_director(tmp_path, certificate, capsys):
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    assert register(str(empty), certificate) == 2
    assert "cloud_director" in capsys.readouterr().err


def test_a_wrong_provider_password_is_an_error_not_a_traceback(tmp_path, vcd_url, certificate, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"cloud_director": {"url": vcd_url, "user": "admin", "password": "nope"}}))
    assert register(str(path), certificate) == 2
    assert "refused" in capsys.readouterr().err
