"""The simulated vCD checks, for each action, the right a real vCD requires against the caller's role."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.sim.test_sim_vcd_http import JSON_ACCEPT, V15, XML_ACCEPT
from tests.smallcloud import PASSWORD, ActIds, Ids, build_acting_inventory, served
from vcdtpm.domain import rights as domain_rights
from vcdtpm.sim.inventory import SimUser
from vcdtpm.sim.vcd import roles
from vcdtpm.sim.vcd.routes import all_routes

ROLE_USERS = {
    "vApp User": "vu",
    "Console Access Only": "coa",
    "vApp Author": "va",
    "Catalog Author": "ca",
    "Organization Administrator": "oa",
}
TPM_SECTION = "application/vnd.vmware.vcloud.TpmSection+xml"


@pytest.fixture(scope="module")
def cloud():
    inventory = build_acting_inventory()
    inventory.orgs["acme"].users += [SimUser(name, PASSWORD, role) for role, name in ROLE_USERS.items()]
    yield from served(inventory)


def token(url: str, user: str, org: str = "acme") -> str:
    path = "/cloudapi/1.0.0/sessions/provider" if org == "System" else "/cloudapi/1.0.0/sessions"
    answer = requests.post(url + path, auth=(f"{user}@{org}", PASSWORD), headers={"Accept": JSON_ACCEPT}, timeout=10)
    return answer.headers["x-vmware-vcloud-access-token"]


def edit_tpm(url: str, user: str, present: bool = False) -> requests.Response:
    present_text = str(present).lower()
    body = f'<TrustedPlatformModule xmlns="{V15}"><TpmPresent>{present_text}</TpmPresent></TrustedPlatformModule>'
    headers = {"Accept": XML_ACCEPT, "Authorization": f"Bearer {token(url, user)}", "Content-Type": TPM_SECTION}
    path = f"/api/vApp/vm-{ActIds.web3}/action/editTrustedPlatformModule"
    return requests.post(url + path, data=body, headers=headers, timeout=10)


def test_every_right_a_route_checks_is_a_right_vcd_ships():
    checked = {right for route in all_routes() for right in route.rights}
    assert checked and checked <= roles.EVERY_RIGHT


def test_every_right_the_service_expects_is_a_right_vcd_ships():
    expected = {right for needed in domain_rights.STEP_RIGHTS.values() for right in needed}
    assert expected <= roles.EVERY_RIGHT


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_adding_a_vtpm_is_allowed_exactly_to_roles_that_may_reconfigure(cloud, role):
    answer = edit_tpm(cloud.url, ROLE_USERS[role], present=True)
    may = roles.holds(role, roles.CREATE_RECONFIGURE)
    if may:
        assert answer.status_code == 202, answer.text
        return
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.error+xml")
    error = etree.fromstring(answer.content)
    assert error.get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN" and error.get("majorErrorCode") == "403"
    assert "following rights [vApp: Create / Reconfigure]" in error.get("message")


def test_the_predefined_roles_differ_where_the_guides_say():
    assert not roles.holds("vApp User", roles.CREATE_RECONFIGURE) and roles.holds("vApp User", roles.COPY)
    assert not roles.holds("vApp User", roles.CHECKOUT) and not roles.holds("vApp User", roles.ADD_TO_CATALOG)
    assert roles.holds("vApp Author", roles.ADD_TO_CATALOG) and not roles.holds("vApp Author", roles.UPLOAD_TEMPLATE)
    assert roles.holds("Catalog Author", roles.UPLOAD_TEMPLATE)
    assert roles.holds("Organization Administrator", "vApp: Change Owner")
    assert roles.rights_of("Console Access Only") & {roles.CREATE_RECONFIGURE, roles.COPY, roles.POWER} == set()
    assert roles.holds("System Administrator", roles.UPLOAD_TEMPLATE)


def test_copying_a_vm_into_a_vapp_needs_vapp_copy_on_top_of_reconfigure(cloud):
    """A vApp User holds "vApp: Copy" but not "vApp: Create / Reconfigure": recomposeVApp is refused
    on the latter before its items are read."""
    body = (
        f'<RecomposeVAppParams xmlns="{V15}"><SourcedItem><Source href="{cloud.url}/api/vApp/vm-{Ids.web1}"/>'
        "</SourcedItem></RecomposeVAppParams>"
    )
    headers = {
        "Accept": XML_ACCEPT,
        "Authorization": f"Bearer {token(cloud.url, 'vu')}",
        "Content-Type": "application/vnd.vmware.vcloud.recomposeVAppParams+xml",
    }
    answer = requests.post(
        f"{cloud.url}/api/vApp/vapp-{ActIds.lab}/action/recomposeVApp", data=body, headers=headers, timeout=10
    )
    assert answer.status_code == 403 and "[vApp: Create / Reconfigure]" in answer.text


def test_the_current_session_names_the_role_with_an_id_whose_rights_are_readable(cloud):
    headers = {"Accept": JSON_ACCEPT, "Authorization": f"Bearer {token(cloud.url, 'vu')}"}
    session = requests.get(f"{cloud.url}/cloudapi/1.0.0/sessions/current", headers=headers, timeout=10).json()
    [ref] = session["roleRefs"]
    assert ref["name"] == "vApp User" and ref["id"].startswith("urn:vcloud:role:")
    names, page, pages = set(), 1, 1
    while page <= pages:
        url = f"{cloud.url}/cloudapi/1.0.0/roles/{ref['id']}/rights?page={page}&pageSize=5"
        body = requests.get(url, headers=headers, timeout=10).json()
        names |= {value["name"] for value in body["values"]}
        pages, page = body["pageCount"], page + 1
    assert names == roles.VAPP_USER and pages == -(-len(roles.VAPP_USER) // 5)


def test_a_tenant_cannot_read_the_system_administrator_role(cloud):
    headers = {"Accept": JSON_ACCEPT, "Authorization": f"Bearer {token(cloud.url, 'va')}"}
    url = f"{cloud.url}/cloudapi/1.0.0/roles/{roles.role_id('System Administrator')}/rights"
    answer = requests.get(url, headers=headers, timeout=10)
    assert answer.status_code == 403 and answer.json()["minorErrorCode"] == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"


def test_a_page_size_over_128_is_refused(cloud):
    headers = {"Accept": JSON_ACCEPT, "Authorization": f"Bearer {token(cloud.url, 'va')}"}
    url = f"{cloud.url}/cloudapi/1.0.0/roles/{roles.role_id('vApp Author')}/rights?pageSize=129"
    assert requests.get(url, headers=headers, timeout=10).status_code == 400
