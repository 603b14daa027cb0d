"""The pyvcloud adapter against the simulated Cloud Director over real HTTP."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.smallcloud import PASSWORD, Ids
from vcdtpm.adapters.vcd import VcdAdapter
from vcdtpm.domain.errors import BackendUnavailable, NotFound, Unauthorized
from vcdtpm.domain.model import Firmware, Power, Provenance, TpmMode

VM = "urn:vcloud:vm:{}".format
SHARED = "ds:///vmfs/volumes/5f1e-shared/"


def make_adapter(url: str, log_file, inventory=None, **options) -> VcdAdapter:
    def datastore_url_of(vcenter: str, datastore: str):
        found = inventory.vcenters[vcenter].datastore(datastore) if inventory else None
        return found.url if found else None

    return VcdAdapter(url, "admin", PASSWORD, log_file=log_file, datastore_url_of=datastore_url_of, **options)


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    return tmp_path_factory.mktemp("vcd-data") / "vcd_pysdk.log"


@pytest.fixture(scope="module")
def adapter(small_cloud, log_file):
    return make_adapter(small_cloud.url, log_file, small_cloud.inventory)


@pytest.fixture(scope="module")
def alice(adapter):
    return adapter.login("alice", "acme", PASSWORD)


@pytest.fixture(scope="module")
def admin(adapter):
    return adapter.login("admin", "System", PASSWORD)


def test_login_as_a_tenant_returns_a_tenant_session(alice):
    assert (alice.org, alice.user, alice.provider) == ("acme", "alice", False)
    assert alice.token.count(".") == 2


def test_login_as_the_provider_returns_a_provider_session(admin):
    assert (admin.org, admin.user, admin.provider) == ("System", "admin", True)


@pytest.mark.parametrize(
    "user, org, password", [("alice", "acme", "wrong"), ("alice", "globex", PASSWORD), ("admin", "System", "wrong")]
)
def test_login_with_wrong_credentials_raises_unauthorized(adapter, user, org, password):
    with pytest.raises(Unauthorized):
        adapter.login(user, org, password)


def test_whoami_resolves_a_bearer_token(small_cloud, log_file, alice):
    fresh = make_adapter(small_cloud.url, log_file, session_cache_seconds=0)
    assert fresh.whoami(alice.token) == alice


def test_whoami_resolves_an_x_vcloud_authorization_token(small_cloud, log_file):
    response = requests.post(
        small_cloud.url + "/cloudapi/1.0.0/sessions",
        auth=("bob@globex", PASSWORD),
        headers={"Accept": "application/json;version=38.1"},
    )
    token = response.headers["x-vcloud-authorization"]
    session = make_adapter(small_cloud.url, log_file).whoami(token)
    assert (session.org, session.user, session.provider, session.token) == ("globex", "bob", False, token)


@pytest.mark.parametrize("token", ["not.a.jwt", "0123456789abcdef", ""])
def test_whoami_with_a_bad_token_raises_unauthorized(adapter, token):
    with pytest.raises(Unauthorized):
        adapter.whoami(token)


def test_a_logged_out_token_is_unauthorized_once_the_cache_lapses(small_cloud, log_file):
    adapter = make_adapter(small_cloud.url, log_file, session_cache_seconds=0)
    session = adapter.login("alice", "acme", PASSWORD)
    requests.delete(
        small_cloud.url + "/api/session",
        headers={"Accept": "application/*+xml;version=38.1", "Authorization": f"Bearer {session.token}"},
    )
    with pytest.raises(Unauthorized):
        adapter.whoami(session.token)


def test_get_vm_reads_tenant_facts_and_where_the_vm_sits(adapter, alice):
    record = adapter.get_vm(alice, VM(Ids.web1))
    facts = record.facts
    assert (facts.name, facts.guest_os, facts.firmware, facts.hardware_version) == (
        "web-1",
        "windows2019srv_64Guest",
        Firmware.EFI,
        19,
    )
    assert (facts.power, facts.tpm_present, facts.id) == (Power.OFF, True, VM(Ids.web1))
    assert (record.vapp, record.vdc) == (f"urn:vcloud:vapp:{Ids.web}", f"urn:vcloud:vdc:{Ids.acme_a}")
    assert (facts.vcenter, facts.moref, facts.datastore_url) == (None, None, None)


def test_get_vm_of_a_template_vm_has_no_vapp(adapter, alice):
    record = adapter.get_vm(alice, VM(Ids.tpl_vm))
    assert (record.facts.name, record.vapp, record.vdc) == ("win", None, f"urn:vcloud:vdc:{Ids.acme_a}")


def test_get_vapp_lists_its_vms_with_their_tpm(adapter, alice):
    vapp = adapter.get_vapp(alice, f"urn:vcloud:vapp:{Ids.web}")
    assert (vapp.name, vapp.vdc) == ("web", f"urn:vcloud:vdc:{Ids.acme_a}")
    assert [(vm.name, vm.tpm_present, vm.power, vm.firmware) for vm in vapp.vms] == [
        ("web-1", True, Power.OFF, Firmware.EFI),
        ("web-2", False, Power.ON, Firmware.BIOS),
    ]


def test_get_vdc_names_the_vdc_and_its_org(adapter, alice):
    vdc = adapter.get_vdc(alice, f"urn:vcloud:vdc:{Ids.acme_b}")
    assert (vdc.id, vdc.name, vdc.org) == (f"urn:vcloud:vdc:{Ids.acme_b}", "acme-b", "acme")


def test_get_catalog_finds_the_vdc_holding_its_templates(adapter, alice):
    catalog = adapter.get_catalog(alice, f"urn:vcloud:catalog:{Ids.gold}")
    assert (catalog.name, catalog.org, catalog.vdc) == ("gold", "acme", f"urn:vcloud:vdc:{Ids.acme_a}")


def test_a_catalog_without_storage_has_no_vdc(adapter, alice):
    assert adapter.get_catalog(alice, f"urn:vcloud:catalog:{Ids.bare}").vdc is None


def test_get_template_reads_provenance_and_tpm_provisioning(adapter, alice):
    record = adapter.get_template(alice, f"urn:vcloud:vapptemplate:{Ids.win_tpl}")
    facts = record.facts
    assert (facts.name, facts.provenance, facts.tpm_provisioning) == ("win-tpl", Provenance.CAPTURED, TpmMode.REPLACE)
    assert [vm.name for vm in facts.vms] == ["win"] and facts.vms[0].tpm_present
    assert (record.catalog, record.vdc) == (f"urn:vcloud:catalog:{Ids.gold}", f"urn:vcloud:vdc:{Ids.acme_a}")


def test_template_provenance_is_what_vcdtpm_recorded_not_the_clouds_truth(small_cloud, adapter, alice):
    template = small_cloud.inventory.templates[Ids.win_tpl]
    original = (template.provenance, template.tpm_provisioning, dict(template.metadata))
    template.provenance, template.tpm_provisioning = Provenance.VCENTER_IMPORT, None
    template.metadata = {}  # made outside vcdtpm: nothing Cloud Director shows says how
    adapter.refresh()  # a session's template reads are kept a while
    try:
        facts = adapter.get_template(alice, f"urn:vcloud:vapptemplate:{Ids.win_tpl}").facts
        assert (facts.provenance, facts.tpm_provisioning) == (Provenance.UNKNOWN, None)
    finally:
        template.provenance, template.tpm_provisioning, template.metadata = original
        adapter.refresh()


READS = [
    ("get_vm", VM(Ids.erp1)),
    ("get_vapp", f"urn:vcloud:vapp:{Ids.erp}"),
    ("get_vdc", f"urn:vcloud:vdc:{Ids.globex_a}"),
]
MISSING = [
    ("get_vm", VM(Ids.acme)),
    ("get_vapp", f"urn:vcloud:vapp:{Ids.acme}"),
    ("get_vdc", f"urn:vcloud:vdc:{Ids.web}"),
    ("get_catalog", f"urn:vcloud:catalog:{Ids.web}"),
    ("get_template", f"urn:vcloud:vapptemplate:{Ids.web}"),
]


@pytest.mark.parametrize("method, urn", READS)
def test_another_orgs_object_is_not_found_exactly_like_a_missing_one(adapter, alice, method, urn):
    with pytest.raises(NotFound) as foreign:
        getattr(adapter, method)(alice, urn)
    missing_urn = urn.replace(Ids.erp1, Ids.acme).replace(Ids.erp, Ids.acme).replace(Ids.globex_a, Ids.web)
    with pytest.raises(NotFound) as missing:
        getattr(adapter, method)(alice, missing_urn)
    assert str(foreign.value) == str(missing.value).replace(missing_urn, urn)


@pytest.mark.parametrize("method, urn", MISSING)
def test_missing_objects_are_not_found(adapter, alice, method, urn):
    with pytest.raises(NotFound):
        getattr(adapter, method)(alice, urn)


@pytest.mark.parametrize("urn", ["vm-123", "urn:vcloud:vapp:" + Ids.web1, "urn:vcloud:vm:x"])
def test_a_malformed_or_mistyped_urn_is_not_found(adapter, alice, urn):
    with pytest.raises(NotFound):
        adapter.get_vm(alice, urn)


def test_the_provider_reads_any_orgs_objects(adapter, admin):
    assert adapter.get_vdc(admin, f"urn:vcloud:vdc:{Ids.globex_a}").org == "globex"
    assert adapter.get_vm(admin, VM(Ids.erp1)).facts.name == "erp-1"


def test_locate_vms_answers_many_vms_with_one_request(small_cloud, adapter):
    adapter.provider_vcenter_names()
    small_cloud.app.requests.clear()
    located = adapter.locate_vms([VM(Ids.web1), VM(Ids.web2), VM(Ids.erp1), VM(Ids.tpl_vm)])
    assert len(small_cloud.app.requests.entries) == 1
    assert small_cloud.app.requests.entries[0].path == "/api/query"
    assert set(located) == {VM(Ids.web1), VM(Ids.web2), VM(Ids.erp1), VM(Ids.tpl_vm)}


def test_locate_vms_gives_vcenter_moref_datastore_and_tpm(adapter):
    web1 = adapter.locate_vms([VM(Ids.web1)])[VM(Ids.web1)]
    assert (web1.vcenter, web1.moref, web1.datastore_url) == ("vc-a", "vm-101", SHARED)
    assert (web1.tpm_present, web1.firmware, web1.hardware_version) == (True, Firmware.EFI, 19)
    erp1 = adapter.locate_vms([VM(Ids.erp1)])[VM(Ids.erp1)]
    assert erp1.datastore_url == "ds:///vmfs/volumes/aaaa-local/"


def test_locate_vms_leaves_out_unknown_and_malformed_urns(adapter):
    located = adapter.locate_vms([VM(Ids.web2), VM(Ids.acme), "urn:vcloud:vm:bad", "x"])
    assert list(located) == [VM(Ids.web2)]
    assert adapter.locate_vms([]) == {}


def test_locate_vms_without_a_datastore_resolver_leaves_urls_empty(small_cloud, log_file):
    bare = VcdAdapter(small_cloud.url, "admin", PASSWORD, log_file=log_file)
    assert bare.locate_vms([VM(Ids.web1)])[VM(Ids.web1)].datastore_url is None


def test_locate_vdc_names_the_vcenter_and_datastore_behind_a_vdc(adapter):
    location = adapter.locate_vdc(f"urn:vcloud:vdc:{Ids.acme_b}")
    assert (location.vcenter, location.datastore_url) == ("vc-b", SHARED)


def test_locate_vdc_names_the_resource_pool_whose_cluster_runs_its_vms(adapter):
    from vcdtpm.sim.vcd.ids import resource_pool_moref

    location = adapter.locate_vdc(f"urn:vcloud:vdc:{Ids.acme_b}")
    assert location.resource_pool == resource_pool_moref(Ids.acme_b)


def test_locate_vdc_of_an_unknown_vdc_is_not_found(adapter):
    with pytest.raises(NotFound):
        adapter.locate_vdc(f"urn:vcloud:vdc:{Ids.web}")


def test_provider_vcenter_names_list_every_vcenter(adapter):
    assert adapter.provider_vcenter_names() == ["vc-a", "vc-b"]


def test_fast_cross_vcenter_instantiation_is_never_read_from_the_cloud(small_cloud, adapter):
    """No Cloud Director API exposes the switch: only the provider's configuration says."""
    small_cloud.inventory.fast_cross_vcenter_instantiation = True
    try:
        assert adapter.fast_cross_vcenter_instantiation() is False
    finally:
        small_cloud.inventory.fast_cross_vcenter_instantiation = False


def test_fast_cross_vcenter_instantiation_can_be_set_by_configuration(small_cloud, log_file):
    configured = make_adapter(small_cloud.url, log_file, fast_cross_vcenter_instantiation=True)
    assert configured.fast_cross_vcenter_instantiation() is True


def test_the_provider_session_is_reopened_after_it_expires(small_cloud, adapter):
    adapter.provider_vcenter_names()
    for caller in list(small_cloud.app.sessions._by_access.values()):
        if caller.provider:
            small_cloud.app.sessions.close(caller)
    assert adapter.provider_vcenter_names() == ["vc-a", "vc-b"]


def test_a_refused_provider_account_makes_cloud_director_unavailable(small_cloud, log_file):
    wrong = VcdAdapter(small_cloud.url, "admin", "wrong", log_file=log_file)
    with pytest.raises(BackendUnavailable):
        wrong.provider_vcenter_names()


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.login("alice", "acme", PASSWORD),
        lambda a: a.whoami("a.b.c"),
        lambda a: a.locate_vms([VM(Ids.web1)]),
        lambda a: a.provider_vcenter_names(),
    ],
)
def test_an_unreachable_cloud_director_is_backend_unavailable(log_file, call):
    with pytest.raises(BackendUnavailable):
        call(VcdAdapter(_closed_port_url(), "admin", PASSWORD, log_file=log_file))


def test_tls_is_verified_by_default_and_can_use_a_ca_bundle(log_file, tmp_path):
    assert VcdAdapter("https://vcd.example", "a", "b", log_file=log_file)._settings.verify is True
    bundle = tmp_path / "ca.pem"
    with_ca = VcdAdapter("https://vcd.example", "a", "b", log_file=log_file, ca_bundle=bundle)
    assert with_ca._settings.verify == str(bundle)
    assert with_ca._settings.api_version == "38.1"


def test_the_log_file_never_holds_tokens_or_passwords(adapter, alice, admin, log_file):
    adapter.get_vm(alice, VM(Ids.web1))
    text = log_file.read_text()
    assert "Request uri" in text
    assert alice.token not in text and admin.token not in text
    assert PASSWORD not in text and "Bearer" not in text
