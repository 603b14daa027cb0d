"""The simulated Cloud Director over raw HTTP: versions, logins, XML shapes, tokens, visibility."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.smallcloud import PASSWORD, Ids

V15 = "http://www.vmware.com/vcloud/v1.5"
VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
XML_ACCEPT = "application/*+xml;version=38.1"
JSON_ACCEPT = "application/json;version=38.1"
NS = {"v": V15, "vmext": VMEXT, "ovf": "http://schemas.dmtf.org/ovf/envelope/1"}


def login(url: str, user: str, org: str, password: str = PASSWORD) -> requests.Response:
    path = "/cloudapi/1.0.0/sessions/provider" if org == "System" else "/cloudapi/1.0.0/sessions"
    return requests.post(url + path, auth=(f"{user}@{org}", password), headers={"Accept": JSON_ACCEPT}, timeout=10)


def bearer(url: str, user: str = "alice", org: str = "acme") -> dict:
    token = login(url, user, org).headers["x-vmware-vcloud-access-token"]
    return {"Accept": XML_ACCEPT, "Authorization": f"Bearer {token}"}


def get(url: str, path: str, headers: dict) -> requests.Response:
    return requests.get(url + path, headers=headers, timeout=10)


def xml(response: requests.Response):
    return etree.fromstring(response.content)


@pytest.fixture(scope="module")
def alice(small_cloud):
    return bearer(small_cloud.url)


@pytest.fixture(scope="module")
def admin(small_cloud):
    return bearer(small_cloud.url, "admin", "System")


def test_versions_list_the_37_and_38_api_versions(vcd_url):
    response = requests.get(vcd_url + "/api/versions", timeout=10)
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "{http://www.vmware.com/vcloud/versions}SupportedVersions"
    versions = root.xpath("//*[local-name()='VersionInfo'][@deprecated='false']/*[local-name()='Version']/text()")
    assert {"37.0", "37.1", "37.2", "38.0", "38.1"} <= set(versions)


def test_tenant_login_answers_a_json_session_and_both_tokens(vcd_url):
    response = login(vcd_url, "alice", "acme")
    assert response.status_code == 200
    assert response.headers["x-vmware-vcloud-access-token"].count(".") == 2
    assert response.headers["x-vcloud-authorization"]
    body = response.json()
    assert body["user"]["name"] == "alice"
    assert body["org"] == {"name": "acme", "id": f"urn:vcloud:org:{Ids.acme}"}


def test_provider_login_works_on_the_provider_endpoint(vcd_url):
    response = login(vcd_url, "admin", "System")
    assert response.status_code == 200
    assert response.json()["org"]["name"] == "System"


@pytest.mark.parametrize(
    "user, org, password",
    [
        ("alice", "acme", "wrong"),
        ("nobody", "acme", PASSWORD),
        ("alice", "nowhere", PASSWORD),
        ("admin", "System", "wrong"),
    ],
)
def test_wrong_credentials_are_401_with_a_json_error(vcd_url, user, org, password):
    response = login(vcd_url, user, org, password)
    assert response.status_code == 401
    assert response.json()["minorErrorCode"] == "UNAUTHORIZED"
    assert "x-vmware-vcloud-access-token" not in response.headers


def test_tenant_login_on_the_provider_endpoint_is_refused(vcd_url):
    response = requests.post(
        vcd_url + "/cloudapi/1.0.0/sessions/provider", auth=("alice@acme", PASSWORD), headers={"Accept": JSON_ACCEPT}
    )
    assert response.status_code == 401


def test_system_login_on_the_tenant_endpoint_is_refused(vcd_url):
    response = requests.post(
        vcd_url + "/cloudapi/1.0.0/sessions", auth=("admin@System", PASSWORD), headers={"Accept": JSON_ACCEPT}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "authorization", [None, "Basic !!!notbase64", "Basic YWxpY2U6c2VjcmV0", "Bearer abc", "Digest x"]
)
def test_malformed_login_credentials_are_401(vcd_url, authorization):
    headers = {"Accept": JSON_ACCEPT}
    if authorization:
        headers["Authorization"] = authorization
    response = requests.post(vcd_url + "/cloudapi/1.0.0/sessions", headers=headers)
    assert response.status_code == 401


def test_api_without_a_token_is_401_in_error_xml(vcd_url):
    response = get(vcd_url, "/api/session", {"Accept": XML_ACCEPT})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.error+xml")
    error = xml(response)
    assert error.tag == f"{{{V15}}}Error"
    assert error.get("majorErrorCode") == "401"


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer not.a.token"}, {"x-vcloud-authorization": "0000"}])
def test_unknown_tokens_are_401(vcd_url, headers):
    assert get(vcd_url, "/api/session", {"Accept": XML_ACCEPT, **headers}).status_code == 401


def test_the_x_vcloud_authorization_token_opens_the_same_session(vcd_url):
    token = login(vcd_url, "alice", "acme").headers["x-vcloud-authorization"]
    response = get(vcd_url, "/api/session", {"Accept": XML_ACCEPT, "x-vcloud-authorization": token})
    assert response.status_code == 200
    assert xml(response).get("user") == "alice"


def test_session_xml_names_org_and_user_and_links_what_pyvcloud_needs(vcd_url, alice):
    response = get(vcd_url, "/api/session", alice)
    assert response.headers["Content-Type"] == "application/vnd.vmware.vcloud.session+xml;version=38.1"
    session = xml(response)
    assert (session.get("org"), session.get("user")) == ("acme", "alice")
    types = {link.get("type") for link in session.findall("v:Link", NS)}
    assert "application/vnd.vmware.vcloud.orgList+xml" in types
    assert "application/vnd.vmware.vcloud.query.queryList+xml" in types
    assert "application/vnd.vmware.admin.vmwExtension+xml" not in types


def test_provider_session_links_the_admin_and_extension_roots(vcd_url, admin):
    types = {link.get("type") for link in xml(get(vcd_url, "/api/session", admin)).findall("v:Link", NS)}
    assert {"application/vnd.vmware.admin.vcloud+xml", "application/vnd.vmware.admin.vmwExtension+xml"} <= types


def test_logout_ends_the_session(vcd_url):
    headers = bearer(vcd_url)
    assert requests.delete(vcd_url + "/api/session", headers=headers).status_code == 204
    assert get(vcd_url, "/api/session", headers).status_code == 401


@pytest.mark.parametrize("accept", ["application/*+xml", "application/*+xml;version=99.0"])
def test_requests_without_a_supported_api_version_are_406(vcd_url, alice, accept):
    response = get(vcd_url, "/api/org", {**alice, "Accept": accept})
    assert response.status_code == 406
    assert xml(response).get("minorErrorCode") == "NOT_ACCEPTABLE"


def test_a_tenant_sees_only_its_own_org(vcd_url, alice):
    names = [org.get("name") for org in xml(get(vcd_url, "/api/org/", alice))]
    assert names == ["acme"]


def test_the_provider_sees_every_org(vcd_url, admin):
    names = {org.get("name") for org in xml(get(vcd_url, "/api/org/", admin))}
    assert names == {"System", "acme", "globex"}


def test_an_org_links_its_vdcs_and_catalogs(vcd_url, alice):
    org = xml(get(vcd_url, f"/api/org/{Ids.acme}", alice))
    links = {(link.get("type"), link.get("name")) for link in org.findall("v:Link", NS)}
    assert ("application/vnd.vmware.vcloud.vdc+xml", "acme-a") in links
    assert ("application/vnd.vmware.vcloud.catalog+xml", "gold") in links
    assert org.get("id") == f"urn:vcloud:org:{Ids.acme}"


def test_a_vdc_lists_its_vapps_and_templates_as_resource_entities(vcd_url, alice):
    vdc = xml(get(vcd_url, f"/api/vdc/{Ids.acme_a}", alice))
    entities = {e.get("name"): e.get("type") for e in vdc.find("v:ResourceEntities", NS)}
    assert entities == {
        "web": "application/vnd.vmware.vcloud.vApp+xml",
        "win-tpl": "application/vnd.vmware.vcloud.vAppTemplate+xml",
    }


def test_a_vapp_holds_its_vms_as_children(vcd_url, alice):
    response = get(vcd_url, f"/api/vApp/vapp-{Ids.web}", alice)
    assert response.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.vApp+xml")
    vapp = xml(response)
    assert vapp.tag == f"{{{V15}}}VApp"
    assert [vm.get("name") for vm in vapp.findall("v:Children/v:Vm", NS)] == ["web-1", "web-2"]


def test_a_vm_carries_its_spec_section_and_its_tpm_element(vcd_url, alice):
    vm = xml(get(vcd_url, f"/api/vApp/vm-{Ids.web1}", alice))
    assert vm.get("id") == f"urn:vcloud:vm:{Ids.web1}"
    assert vm.findtext("v:VmSpecSection/v:OsType", namespaces=NS) == "windows2019srv_64Guest"
    assert vm.findtext("v:VmSpecSection/v:Firmware", namespaces=NS) == "efi"
    assert vm.findtext("v:VmSpecSection/v:HardwareVersion", namespaces=NS) == "vmx-19"
    assert vm.findtext("v:TrustedPlatformModule/v:TpmPresent", namespaces=NS) == "true"


def test_a_vm_without_a_vtpm_says_so(vcd_url, alice):
    vm = xml(get(vcd_url, f"/api/vApp/vm-{Ids.web2}", alice))
    assert vm.findtext("v:TrustedPlatformModule/v:TpmPresent", namespaces=NS) == "false"
    assert vm.get("status") == "4"


def test_the_tpm_section_has_its_own_media_type(vcd_url, alice):
    response = get(vcd_url, f"/api/vApp/vm-{Ids.web1}/trustedPlatformModule", alice)
    assert response.headers["Content-Type"] == "application/vnd.vmware.vcloud.TpmSection+xml;version=38.1"
    section = xml(response)
    assert section.tag == f"{{{V15}}}TrustedPlatformModule"
    assert section.findtext("v:TpmPresent", namespaces=NS) == "true"


def test_tenants_never_see_a_vms_vsphere_identity(vcd_url, alice):
    body = get(vcd_url, f"/api/vApp/vm-{Ids.web1}", alice).text
    assert "VmVimInfo" not in body and "vm-101" not in body and "vc-a" not in body


def test_the_provider_sees_a_vms_vcenter_and_moref(vcd_url, admin):
    vm = xml(get(vcd_url, f"/api/vApp/vm-{Ids.web1}", admin))
    ref = vm.find("v:VCloudExtension/vmext:VmVimInfo/vmext:VmVimObjectRef", NS)
    assert ref.findtext("vmext:MoRef", namespaces=NS) == "vm-101"
    assert ref.find("vmext:VimServerRef", NS).get("name") == "vc-a"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/vApp/vm-{Ids.erp1}",
        f"/api/vApp/vapp-{Ids.erp}",
        f"/api/vdc/{Ids.globex_a}",
        f"/api/org/{Ids.globex}",
        f"/api/vApp/vm-{Ids.erp1}/trustedPlatformModule",
    ],
)
def test_another_orgs_object_is_forbidden_like_a_missing_one(vcd_url, alice, path):
    foreign = get(vcd_url, path, alice)
    missing = get(
        vcd_url,
        path.replace(Ids.erp1, Ids.acme)
        .replace(Ids.erp, Ids.acme)
        .replace(Ids.globex_a, Ids.acme)
        .replace(Ids.globex, Ids.web),
        alice,
    )
    for response in (foreign, missing):
        assert response.status_code == 403
        assert xml(response).get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"


def test_a_template_vm_is_not_served_as_a_vapp_vm(vcd_url, alice):
    assert get(vcd_url, f"/api/vApp/vm-{Ids.tpl_vm}", alice).status_code == 403
    assert get(vcd_url, f"/api/vAppTemplate/vm-{Ids.tpl_vm}", alice).status_code == 200


def test_a_vm_only_vcenter_holds_is_forbidden_even_to_the_provider(small_cloud, admin):
    legacy = next(vm for vm in small_cloud.inventory.vms.values() if vm.name == "legacy-1")
    assert legacy.vapp is None and legacy.template is None
    for path in (f"/api/vApp/vm-{legacy.id}", f"/api/vApp/vm-{legacy.id}/trustedPlatformModule"):
        response = get(small_cloud.url, path, admin)
        assert response.status_code == 403
        assert xml(response).get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
    power_on = requests.post(
        f"{small_cloud.url}/api/vApp/vm-{legacy.id}/power/action/powerOn", headers=admin, timeout=10
    )
    assert power_on.status_code == 403


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/vApp/vm-not-a-uuid", "/api/vdc/1234", "/cloudapi/1.0.0/nothing"]
)
def test_unknown_paths_are_404(vcd_url, alice, path):
    response = get(vcd_url, path, alice)
    assert response.status_code == 404


def test_a_wrong_method_is_405(vcd_url, alice):
    response = requests.put(vcd_url + f"/api/vApp/vm-{Ids.web1}", headers=alice, data=b"<x/>")
    assert response.status_code == 405


def test_a_catalog_lists_items_that_point_to_their_template(vcd_url, alice):
    catalog = xml(get(vcd_url, f"/api/catalog/{Ids.gold}", alice))
    item_ref = catalog.find("v:CatalogItems/v:CatalogItem", NS)
    item = xml(requests.get(item_ref.get("href"), headers=alice))
    entity = item.find("v:Entity", NS)
    assert entity.get("id") == f"urn:vcloud:vapptemplate:{Ids.win_tpl}"
    assert entity.get("type") == "application/vnd.vmware.vcloud.vAppTemplate+xml"


def test_a_template_holds_its_vms_and_its_provenance_metadata(vcd_url, alice):
    template = xml(get(vcd_url, f"/api/vAppTemplate/vappTemplate-{Ids.win_tpl}", alice))
    vm = template.find("v:Children/v:Vm", NS)
    assert vm.get("href").endswith(f"/api/vAppTemplate/vm-{Ids.tpl_vm}")
    meta = xml(get(vcd_url, f"/api/vAppTemplate/vappTemplate-{Ids.win_tpl}/metadata", alice))
    entries = {
        e.findtext("v:Key", namespaces=NS): e.findtext("v:TypedValue/v:Value", namespaces=NS)
        for e in meta.findall("v:MetadataEntry", NS)
    }
    assert entries == {"vcdtpm.provenance": "captured", "vcdtpm.tpm-provisioning": "replace"}  # as vcdtpm wrote
    assert meta.find("v:MetadataEntry/v:Domain", NS) is None  # GENERAL domain: written with a tenant token


@pytest.mark.parametrize(
    "path",
    [
        "/api/query?type=adminVM",
        "/api/query?type=virtualCenter",
        "/api/admin/extension/vimServerReferences",
        "/api/admin/extension/settings/general",
        f"/api/admin/vdc/{Ids.acme_a}",
    ],
)
def test_provider_facts_are_forbidden_to_tenants(vcd_url, alice, path):
    assert get(vcd_url, path, alice).status_code == 403


def test_the_admin_vm_query_tells_the_provider_where_each_vm_lives(vcd_url, admin):
    response = get(vcd_url, f"/api/query?type=adminVM&format=records&filter=id==urn:vcloud:vm:{Ids.web1}", admin)
    assert response.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.query.records+xml")
    records = xml(response).findall("v:AdminVMRecord", NS)
    assert len(records) == 1
    record = records[0]
    assert (record.get("moref"), record.get("datastoreName")) == ("vm-101", "ds-shared")
    assert record.get("vc").endswith(f"/api/admin/extension/vimServer/{Ids.vc_a}")
    assert (record.get("firmware"), record.get("tpmPresent")) == ("efi", "true")


def test_the_vm_query_pages_and_filters_with_or(vcd_url, alice):
    path = (
        f"/api/query?type=vm&pageSize=1&filter=(id==urn:vcloud:vm:{Ids.web1},"
        f"id==urn:vcloud:vm:{Ids.web2},id==urn:vcloud:vm:{Ids.erp1})"
    )
    page = xml(get(vcd_url, path, alice))
    assert page.get("total") == "2"
    assert len(page.findall("v:VMRecord", NS)) == 1
    next_page = next(link for link in page.findall("v:Link", NS) if link.get("rel") == "nextPage")
    second = xml(requests.get(next_page.get("href"), headers=alice))
    assert len(second.findall("v:VMRecord", NS)) == 1


def test_the_query_list_names_typed_queries(vcd_url, admin):
    links = xml(get(vcd_url, "/api/query", admin)).findall("v:Link", NS)
    assert ("adminVM", "application/vnd.vmware.vcloud.query.records+xml") in {
        (link.get("name"), link.get("type")) for link in links
    }


@pytest.mark.parametrize(
    "query",
    [
        "type=vm&filter=(((",
        "type=vm&filter=nosuch==1",
        "type=vm&filter=name",
        "type=nosuch",
        "type=vm&pageSize=0",
        "type=vm&page=abc",
        "type=vm&format=pdf",
        "type=vm&sortAsc=nosuch",
        "type=vm&fields=nosuch",
        "type=vm&filter=" + "(" * 500 + "name==a" + ")" * 500,
    ],
)
def test_malformed_queries_are_400(vcd_url, alice, query):
    response = get(vcd_url, "/api/query?" + query, alice)
    assert response.status_code == 400
    assert xml(response).get("minorErrorCode") == "BAD_REQUEST"


def test_vcenters_are_listed_for_the_provider(vcd_url, admin):
    refs = xml(get(vcd_url, "/api/admin/extension/vimServerReferences", admin))
    assert refs.tag == f"{{{VMEXT}}}VMWVimServerReferences"
    assert [r.get("name") for r in refs.findall("vmext:VimServerReference", NS)] == ["vc-a", "vc-b"]


def test_vcenter_versions_are_in_the_virtual_center_query(vcd_url, admin):
    records = xml(get(vcd_url, "/api/query?type=virtualCenter", admin)).findall("v:VirtualCenterRecord", NS)
    assert {r.get("name"): r.get("vcVersion") for r in records} == {"vc-a": "8.0.2", "vc-b": "7.0.3"}


def test_general_settings_carry_no_invented_fast_cross_vcenter_element(small_cloud, admin):
    settings = xml(get(small_cloud.url, "/api/admin/extension/settings/general", admin))
    assert settings.find("v:VCloudExtension", NS) is None
    assert b"FastCross" not in etree.tostring(settings)


def test_a_task_is_visible_to_its_org_only(small_cloud, alice):
    task = small_cloud.app.tasks.create(
        operation_name="vappUpdateVm",
        operation="Updating VM web-1",
        org="acme",
        user="alice",
        owner=("vm", Ids.web1, "web-1"),
    )
    body = xml(get(small_cloud.url, f"/api/task/{task.id}", alice))
    assert (body.get("status"), body.find("v:Owner", NS).get("name")) == ("queued", "web-1")
    bob = bearer(small_cloud.url, "bob", "globex")
    assert get(small_cloud.url, f"/api/task/{task.id}", bob).status_code == 403


def test_hrefs_are_absolute_from_the_request_host(small_cloud, alice):
    local = small_cloud.url.replace("127.0.0.1", "localhost")
    vapp = xml(requests.get(f"{local}/api/vApp/vapp-{Ids.web}", headers=alice))
    assert vapp.get("href") == f"{local}/api/vApp/vapp-{Ids.web}"


@pytest.mark.parametrize(
    "method, path, headers, body",
    [
        ("POST", "/cloudapi/1.0.0/sessions", {"Authorization": "Basic %%%"}, b"\xff\xfe"),
        ("GET", "/api/query?type=vm&filter=" + "(" * 500, {}, None),
        ("GET", "/api/query?type=vm&filter=name==%ff%fe", {}, None),
        ("GET", "/api/vApp/vm-\u00e9", {}, None),
        ("GET", "/api/session", {"Authorization": "Bearer " + "x" * 5000}, None),
        ("DELETE", "/api/org", {}, None),
    ],
)
def test_malformed_input_never_answers_500(vcd_url, alice, method, path, headers, body):
    response = requests.request(method, vcd_url + path, headers={**alice, **headers}, data=body)
    assert response.status_code < 500
