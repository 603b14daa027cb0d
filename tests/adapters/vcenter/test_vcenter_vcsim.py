"""The pyvmomi VCenter adapter against simulated vCenters 7.0 U3 and 8.0 U2 (vcsim)."""

from __future__ import annotations

import hashlib

import pytest
from pyVmomi import vim, vmodl

from tests.adapters.vcenter.vcsim import VC7_UUID, VC8_UUID, WIN11_EK, adapter_for, free_port, last_clone, moref
from vcdtpm.adapters.vcenter.clone import policy_supported
from vcdtpm.adapters.vcenter.faults import translate
from vcdtpm.domain.errors import (
    BackendError,
    BackendUnavailable,
    Conflict,
    Invalid,
    NotFound,
    Unauthorized,
)
from vcdtpm.domain.model import (
    Band,
    Datastore,
    Firmware,
    Host,
    KeyProvider,
    KeyProviderType,
    Power,
    VCenterFacts,
)
from vcdtpm.ports import VCenter

# --- what each vCenter offers -------------------------------------------------


def test_the_adapter_is_a_vcenter_port(vc7):
    assert isinstance(vc7, VCenter)
    assert vc7.name == "vc-7"


@pytest.mark.parametrize(
    "which, version, api, uuid, band",
    [
        ("vc7", "7.0.3", "7.0.3.0", VC7_UUID, Band.V7),
        ("vc8", "8.0.2", "8.0.2.0", VC8_UUID, Band.V8),
    ],
)
def test_about_reports_version_band_and_instance_uuid(request, which, version, api, uuid, band):
    about = request.getfixturevalue(which).about()
    assert (about.version, about.api_version, about.instance_uuid, about.band) == (version, api, uuid, band)


def test_key_providers_on_7x_include_the_default_standard_kms(vc7):
    assert vc7.key_providers() == (
        KeyProvider("kms-std", KeyProviderType.STANDARD, default=True),
        KeyProvider("nkp-7", KeyProviderType.NATIVE),
    )


def test_key_providers_on_8x_show_the_native_provider_restricted_to_tpm_hosts(vc8):
    providers = {kp.name: kp for kp in vc8.key_providers()}
    assert providers["nkp-8"] == KeyProvider("nkp-8", KeyProviderType.NATIVE, default=True, tpm_hosts_only=True)
    assert providers["hytrust"] == KeyProvider("hytrust", KeyProviderType.STANDARD)
    assert providers["vta"].type is KeyProviderType.TRUSTED


def test_key_providers_fall_back_to_list_kmip_servers_before_7_0(legacy67):
    vc = adapter_for(legacy67, "vc-67")
    assert vc.key_providers() == (KeyProvider("old-kms", KeyProviderType.STANDARD, default=True),)
    assert legacy67.calls().get("ListKmipServers") == 1


def test_only_hosts_with_a_tpm_2_count_as_tpm_hosts(vc8):
    hosts = {h.name: h.tpm for h in vc8.facts().hosts}
    assert hosts == {"DC0_H0": False, "DC0_C0_H0": False, "DC0_C0_H1": True, "DC0_C0_H2": False}


def test_datastores_carry_their_summary_url(vc7, vc8):
    assert vc7.facts().datastores == (Datastore("LocalDS_0", "ds:///vmfs/volumes/vc7-ds0/"),)
    assert vc8.facts().datastore_urls == {"ds:///vmfs/volumes/vc8-ds0/"}


def test_clone_policy_on_8x_is_read_from_the_option_manager(vc8):
    assert vc8.clone_tpm_policy() == "replace"


def test_clone_policy_on_7x_is_copy_whatever_the_option(vc7):
    assert vc7.clone_tpm_policy() == "copy"


def test_a_bare_8x_vcenter_has_no_providers_no_tpm_hosts_and_copies(bare8):
    facts = adapter_for(bare8, "vc-bare").facts()
    assert (facts.key_providers, facts.has_tpm_host, facts.clone_tpm_policy) == ((), False, "copy")
    assert facts.version == "8.0.1"


def test_facts_bundle_everything_in_domain_types(vc8):
    facts = vc8.facts()
    assert isinstance(facts, VCenterFacts)
    assert (facts.name, facts.version, facts.clone_tpm_policy) == ("vc-8", "8.0.2", "replace")
    assert facts.default_key_provider.name == "nkp-8"
    assert Host("DC0_C0_H1", tpm=True) in facts.hosts and facts.has_tpm_host


# --- VM facts -------------------------------------------------------------------


def test_vm_facts_reads_several_vms_in_one_round_trip(vc8, vcsim8):
    vms = vcsim8.vms()
    wanted = [vms[n]["moref"] for n in ("win11", "ws2022", "fleet-000", "fleet-001", "fleet-003")]
    vc8.about()  # connected
    client_before, server_before = vc8.round_trips, vcsim8.calls()
    facts = vc8.vm_facts(wanted)
    server_after = vcsim8.calls()
    assert sorted(facts) == sorted(wanted)
    assert vc8.round_trips - client_before == 1
    assert sum(server_after.values()) - sum(server_before.values()) == 1
    assert server_after["RetrievePropertiesEx"] - server_before["RetrievePropertiesEx"] == 1


def test_vm_facts_reads_firmware_hardware_guest_power_and_key_provider(vc7, vcsim7):
    vms = vcsim7.vms()
    facts = vc7.vm_facts([vms[n]["moref"] for n in ("win11", "rhel9", "legacy-bios")])
    win11, rhel9, legacy = (facts[vms[n]["moref"]] for n in ("win11", "rhel9", "legacy-bios"))
    assert (win11.firmware, win11.hardware_version, win11.guest_os, win11.power) == (
        Firmware.EFI,
        19,
        "windows2019srvNext_64Guest",
        Power.OFF,
    )
    assert (win11.key_provider, win11.tpm_present, win11.vcenter) == ("kms-std", True, "vc-7")
    assert (rhel9.guest_os, rhel9.power, rhel9.key_provider) == ("rhel9_64Guest", Power.ON, "nkp-7")
    assert (legacy.firmware, legacy.hardware_version, legacy.tpm_present) == (Firmware.BIOS, 13, False)
    assert legacy.key_provider is None and legacy.tpm_identity is None


def test_vm_identity_is_the_sha256_of_its_endorsement_key_certificate(vc7, vcsim7):
    win11 = vc7.vm_facts([moref(vcsim7, "win11")])[moref(vcsim7, "win11")]
    assert win11.tpm_identity == "sha256:" + hashlib.sha256(WIN11_EK).hexdigest()


def test_vm_identities_match_what_the_simulator_holds(vc8, vcsim8):
    vms = vcsim8.vms()
    facts = vc8.vm_facts([row["moref"] for row in vms.values()])
    assert {f.name: f.tpm_identity for f in facts.values()} == {name: row["tpm_identity"] for name, row in vms.items()}


def test_vm_facts_carry_the_home_datastore_url(vc8, vcsim8):
    ws = vc8.vm_facts([moref(vcsim8, "ws2022")])[moref(vcsim8, "ws2022")]
    assert (ws.datastore_url, ws.hardware_version, ws.moref) == (
        "ds:///vmfs/volumes/vc8-ds0/",
        20,
        moref(vcsim8, "ws2022"),
    )


def test_vm_facts_leave_unknown_morefs_out(vc7, vcsim7):
    known = moref(vcsim7, "win11")
    assert list(vc7.vm_facts([known, "vm-404040", known])) == [known]


def test_vm_facts_of_no_vm_cost_no_round_trip(vc7):
    before = vc7.round_trips
    assert vc7.vm_facts([]) == {}
    assert vc7.round_trips == before


def test_find_vm_by_name(vc8, vcsim8):
    found = vc8.find_vm("ws2022")
    assert (found.name, found.moref, found.tpm_present) == ("ws2022", moref(vcsim8, "ws2022"), True)
    assert vc8.find_vm("no-such-vm") is None


def test_find_vm_refuses_to_guess_between_vms_sharing_a_name(vc7, vcsim7):
    for _ in range(2):  # vcsim, unlike vCenter, lets two VMs of one folder share a name
        vc7.clone_vm(moref(vcsim7, "legacy-bios"), "twin", "copy")
    with pytest.raises(Conflict, match="2 VMs named 'twin'"):
        vc7.find_vm("twin")


# --- clones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "api_version, client_version, expected",
    [
        ("7.0.3.0", "vim.version.v7_0_3_0", False),
        ("8.0.0.0", "vim.version.v8_0_0_0", False),
        ("8.0.0.1", "vim.version.v8_0_0_1", True),
        ("8.0.2.0", "vim.version.v8_0_2_0", True),
        ("8.0.2.0", "vim.version.v7_0_3_0", False),  # a client that would drop the field
    ],
)
def test_the_clone_policy_is_used_only_when_both_sides_know_it(api_version, client_version, expected):
    assert policy_supported(api_version, client_version) is expected


def test_clone_on_8x_copy_says_copy_so_the_vcenter_default_replace_does_not_apply(vc8, vcsim8):
    source = vc8.find_vm("win11")
    clone = vc8.clone_vm(source.moref, "win11-copy-8", "copy")
    request = last_clone(vcsim8, "win11-copy-8")
    assert (request["tpmProvisionPolicy"], request["deviceChange"]) == ("copy", [])
    assert clone.tpm_present and clone.tpm_identity == source.tpm_identity


def test_clone_on_8x_replace_sends_the_policy_and_gets_a_new_identity(vc8, vcsim8):
    source = vc8.find_vm("win11")
    clone = vc8.clone_vm(source.moref, "win11-replace-8", "replace")
    request = last_clone(vcsim8, "win11-replace-8")
    assert (request["source"], request["tpmProvisionPolicy"], request["deviceChange"]) == (source.moref, "replace", [])
    assert clone.tpm_present and clone.tpm_identity not in (None, source.tpm_identity)


def test_clone_on_7x_replace_removes_and_adds_the_vtpm_in_the_spec(vc7, vcsim7):
    source = vc7.find_vm("win11")
    clone = vc7.clone_vm(source.moref, "win11-replace-7", "replace")
    request = last_clone(vcsim7, "win11-replace-7")
    assert request["tpmProvisionPolicy"] is None
    assert [(c["operation"], c["device"]) for c in request["deviceChange"]] == [
        ("remove", "VirtualTPM"),
        ("add", "VirtualTPM"),
    ]
    assert request["deviceChange"][1]["key"] < 0
    assert clone.tpm_present and clone.tpm_identity not in (None, source.tpm_identity)


def test_clone_on_7x_copy_sends_no_policy_and_no_device_change(vc7, vcsim7):
    source = vc7.find_vm("win11")
    clone = vc7.clone_vm(source.moref, "win11-copy-7", "copy")
    request = last_clone(vcsim7, "win11-copy-7")
    assert (request["tpmProvisionPolicy"], request["deviceChange"]) == (None, [])
    assert clone.tpm_identity == source.tpm_identity == "sha256:" + hashlib.sha256(WIN11_EK).hexdigest()


def test_a_clone_keeps_firmware_hardware_version_and_key_provider(vc8, vcsim8):
    clone = vc8.clone_vm(moref(vcsim8, "ws2022"), "ws2022-clone", "replace")
    assert (clone.name, clone.firmware, clone.hardware_version, clone.key_provider) == (
        "ws2022-clone",
        Firmware.EFI,
        20,
        "nkp-8",
    )


# --- faults --------------------------------------------------------------------------


def test_a_wrong_password_is_unauthorized(vcsim8):
    vc = adapter_for(vcsim8, "vc-8", password="not-the-password")
    with pytest.raises(Unauthorized) as caught:
        vc.facts()
    assert "not-the-password" not in str(caught.value)


def test_an_unreachable_vcenter_is_backend_unavailable(vcsim8):
    vc = adapter_for(vcsim8, "vc-gone", url=f"https://127.0.0.1:{free_port()}/sdk")
    with pytest.raises(BackendUnavailable, match="vc-gone"):
        vc.vm_facts(["vm-1"])


def test_an_endpoint_that_is_not_vsphere_is_backend_unavailable(vcsim8):
    vc = adapter_for(vcsim8, "vc-odd", url=vcsim8.url.replace("/sdk", "/elsewhere"))
    with pytest.raises(BackendUnavailable):
        vc.about()


def test_an_untrusted_certificate_is_refused(vcsim8):
    vc = adapter_for(vcsim8, "vc-8", ca_bundle=None)
    with pytest.raises(BackendUnavailable, match="TLS"):
        vc.about()


def test_verification_can_be_turned_off(vcsim8):
    assert adapter_for(vcsim8, "vc-8", ca_bundle=None, verify_tls=False).about().band is Band.V8


def test_cloning_an_unknown_vm_is_not_found(vc8):
    with pytest.raises(NotFound, match="vm-999999"):
        vc8.clone_vm("vm-999999", "ghost", "copy")


def test_a_failed_clone_task_is_a_backend_error(vc7, vcsim7):
    with pytest.raises(BackendError, match="InvalidArgument"):  # a template has no pool to inherit
        vc7.clone_vm(moref(vcsim7, "gold-template"), "from-gold", "copy")


def test_an_unknown_tpm_mode_is_invalid(vc7, vcsim7):
    with pytest.raises(Invalid) as caught:
        vc7.clone_vm(moref(vcsim7, "win11"), "never", "keep")
    assert caught.value.field == "tpm"


def test_an_expired_session_logs_in_again(vcsim7):
    vc = adapter_for(vcsim7, "vc-7")
    vc.about()
    vc._session.content().sessionManager.Logout()  # as if the vCenter had expired the session
    assert vc.key_providers()[0].name == "kms-std"
    assert vcsim7.calls()["Login"] >= 2


def test_the_password_can_come_from_a_file_and_never_shows(vcsim7, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(vcsim7.password + "\n")
    vc = adapter_for(vcsim7, "vc-7", password=None, password_file=str(secret))
    assert vc.about().band is Band.V7
    assert vcsim7.password not in repr(vc._config)


@pytest.mark.parametrize(
    "fault, family",
    [
        (vim.fault.InvalidLogin(), Unauthorized),
        (vim.fault.NotAuthenticated(), Unauthorized),
        (vmodl.fault.ManagedObjectNotFound(obj=vim.VirtualMachine("vm-7")), NotFound),
        (vmodl.fault.HostCommunication(), BackendUnavailable),
        (vim.fault.DuplicateName(name="x"), BackendError),
        (vmodl.fault.SystemError(reason="boom"), BackendError),
        (ConnectionResetError("reset"), BackendUnavailable),
        (TimeoutError("slow"), BackendUnavailable),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v.__name__,
)
def test_faults_become_domain_errors(fault, family):
    error = translate(fault, "vCenter vc-x")
    assert type(error) is family
    if family is NotFound:
        assert error.message == "VirtualMachine vm-7 was not found."


def test_the_adapter_accepts_the_service_configuration_endpoint(vcsim8):
    from vcdtpm.adapters.vcenter import PyVmomiVCenter
    from vcdtpm.config import Endpoint

    endpoint = Endpoint(
        url=vcsim8.url, user=vcsim8.user, password=vcsim8.password, ca_bundle=vcsim8.ca_bundle, name="vc-8"
    )
    assert PyVmomiVCenter(endpoint).about().api_version == "8.0.2.0"
