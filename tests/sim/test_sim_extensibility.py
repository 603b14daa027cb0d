"""The simulated vCD's externalEndpoints, apiFilters and trustedCertificates refuse what vCD refuses."""

from __future__ import annotations

import pytest
import requests

from tests.demo import basic
from tests.tls import self_signed

V = {"Accept": "application/json;version=38.1"}
CLOUDAPI = "/cloudapi/1.0.0"
ENDPOINT = {"vendor": "acme", "name": "ep", "version": "1.0.0", "enabled": True, "rootUrl": "https://ep.example"}


def login(vcd_url, who: str, provider: bool) -> dict:
    path = "sessions/provider" if provider else "sessions"
    answer = requests.post(f"{vcd_url}{CLOUDAPI}/{path}", headers={**V, **basic(who)})
    assert answer.status_code == 200, answer.text
    return {**V, "Authorization": f"Bearer {answer.headers['X-VMWARE-VCLOUD-ACCESS-TOKEN']}"}


@pytest.fixture
def admin(vcd_url):
    return login(vcd_url, "admin@System", provider=True)


@pytest.fixture(autouse=True)
def clean(small_cloud):
    yield
    ext = small_cloud.app.extensibility
    ext.filters.clear(), ext.endpoints.clear(), ext.certificates.clear()


def post(vcd_url, headers, what, body):
    return requests.post(f"{vcd_url}{CLOUDAPI}/{what}", headers=headers, json=body)


def test_an_endpoint_id_is_made_of_vendor_name_and_version(vcd_url, admin):
    answer = post(vcd_url, admin, "externalEndpoints", ENDPOINT)
    assert answer.status_code == 200
    assert answer.json()["id"] == "urn:vcloud:extensionEndpoint:acme:ep:1.0.0"
    assert answer.headers["Content-Type"] == "application/json;version=38.1"
    again = post(vcd_url, admin, "externalEndpoints", ENDPOINT)
    assert again.status_code == 400 and again.json()["minorErrorCode"] == "DUPLICATE_NAME"


@pytest.mark.parametrize(
    "change, word",
    [
        ({"rootUrl": "http://ep.example"}, "https"),
        ({"version": "1.0.0-beta"}, "version"),
        ({"enabled": None}, "enabled"),
        ({"vendor": ""}, "vendor"),
    ],
)
def test_a_bad_endpoint_is_refused_with_the_cloudapi_error(vcd_url, admin, change, word):
    answer = post(vcd_url, admin, "externalEndpoints", {**ENDPOINT, **change})
    assert answer.status_code == 400
    assert answer.json()["minorErrorCode"] == "BAD_REQUEST" and word in answer.json()["message"]


def test_only_the_provider_manages_endpoints(vcd_url):
    alice = login(vcd_url, "alice@acme", provider=False)
    assert post(vcd_url, alice, "externalEndpoints", ENDPOINT).status_code == 403
    assert requests.get(f"{vcd_url}{CLOUDAPI}/apiFilters", headers=alice).status_code == 403
    assert requests.get(f"{vcd_url}{CLOUDAPI}/externalEndpoints", headers=V).status_code == 401


def test_an_enabled_endpoint_or_one_with_filters_cannot_be_deleted(vcd_url, admin):
    ep = post(vcd_url, admin, "externalEndpoints", ENDPOINT).json()
    url = f"{vcd_url}{CLOUDAPI}/externalEndpoints/{ep['id']}"
    matcher = {"urlPattern": "/ep/.*", "urlScope": "EXT_API"}
    flt = post(vcd_url, admin, "apiFilters", {"externalSystem": {"id": ep["id"]}, "urlMatcher": matcher}).json()
    assert requests.delete(url, headers=admin).status_code == 400
    assert requests.put(url, headers=admin, json={**ep, "enabled": False}).status_code == 200
    assert requests.delete(url, headers=admin).status_code == 400  # still referenced by the filter
    assert requests.delete(f"{vcd_url}{CLOUDAPI}/apiFilters/{flt['id']}", headers=admin).status_code == 204
    assert requests.delete(url, headers=admin).status_code == 204
    assert requests.get(url, headers=admin).status_code == 404


def test_vendor_name_and_version_cannot_change(vcd_url, admin):
    ep = post(vcd_url, admin, "externalEndpoints", ENDPOINT).json()
    answer = requests.put(f"{vcd_url}{CLOUDAPI}/externalEndpoints/{ep['id']}", headers=admin, json={**ep, "name": "x"})
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "matcher",
    [
        {"urlPattern": "/ep/", "urlScope": "EXT_API"},  # must end with .*
        {"urlPattern": "/ep/.*", "urlScope": "API"},  # API is for external services
        {"urlPattern": "/ep/(.*", "urlScope": "EXT_API"},
        {"urlPattern": "/" + "a" * 1024 + ".*", "urlScope": "EXT_API"},
    ],
)
def test_a_bad_url_matcher_is_refused(vcd_url, admin, matcher):
    ep = post(vcd_url, admin, "externalEndpoints", ENDPOINT).json()
    assert (
        post(vcd_url, admin, "apiFilters", {"externalSystem": {"id": ep["id"]}, "urlMatcher": matcher}).status_code
        == 400
    )


def test_a_filter_needs_an_existing_endpoint(vcd_url, admin):
    body = {
        "externalSystem": {"id": "urn:vcloud:extensionEndpoint:x:y:1.0.0"},
        "urlMatcher": {"urlPattern": "/y/.*", "urlScope": "EXT_API"},
    }
    assert post(vcd_url, admin, "apiFilters", body).status_code == 400


def test_lists_are_cloudapi_pages(vcd_url, admin):
    for n in range(3):
        post(vcd_url, admin, "externalEndpoints", {**ENDPOINT, "version": f"1.0.{n}"})
    body = requests.get(f"{vcd_url}{CLOUDAPI}/externalEndpoints?page=2&pageSize=2", headers=admin).json()
    assert (body["resultTotal"], body["pageCount"], body["page"], body["pageSize"]) == (3, 2, 2, 2)
    assert [e["version"] for e in body["values"]] == ["1.0.2"]
    too_big = requests.get(f"{vcd_url}{CLOUDAPI}/externalEndpoints?pageSize=129", headers=admin)
    assert too_big.status_code == 400


def test_a_body_must_be_json(vcd_url, admin):
    answer = requests.post(
        f"{vcd_url}{CLOUDAPI}/externalEndpoints", headers={**admin, "Content-Type": "text/plain"}, data="x"
    )
    assert answer.status_code == 415


def test_a_trusted_certificate_is_kept_normalised_and_aliases_are_unique(vcd_url, admin, tmp_path):
    pem = self_signed(tmp_path)[0].read_text()
    answer = post(vcd_url, admin, "ssl/trustedCertificates", {"alias": "svc", "certificate": "\n  " + pem + "\n\n"})
    assert answer.status_code == 201
    assert answer.json()["certificate"] == pem and answer.json()["id"].startswith("urn:vcloud:trustedCertificate:")
    assert post(vcd_url, admin, "ssl/trustedCertificates", {"alias": "SVC", "certificate": pem}).status_code == 400
    assert post(vcd_url, admin, "ssl/trustedCertificates", {"alias": "x", "certificate": "junk"}).status_code == 400


def test_sessions_current_is_the_callers_session(vcd_url):
    alice = login(vcd_url, "alice@acme", provider=False)
    body = requests.get(f"{vcd_url}{CLOUDAPI}/sessions/current", headers=alice).json()
    assert (body["user"]["name"], body["org"]["name"], body["roles"]) == ("alice", "acme", ["Catalog Author"])
    assert requests.get(f"{vcd_url}{CLOUDAPI}/sessions/current", headers=V).status_code == 401


def test_ext_api_needs_a_session_and_a_matching_filter(vcd_url):
    assert requests.get(f"{vcd_url}/ext-api/vcdtpm/api/v1/plans").status_code == 401
    alice = login(vcd_url, "alice@acme", provider=False)
    assert requests.get(f"{vcd_url}/ext-api/nothing/here", headers=alice).status_code == 404
