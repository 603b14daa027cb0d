"""vTPM backup and restore by the pyvmomi adapter, between simulated vCenters 8.0 U2 and 7.0 U3."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import ssl

import pytest
from pyVim.connect import SmartConnect

from tests.adapters.vcenter.vcsim import adapter_for, connected, free_port, moref, running, vc7_config, vc8_config
from tests.vcsim.launcher import Vcsim
from vcdtpm.adapters.vcenter.filesvc import DatastoreFile
from vcdtpm.domain.errors import BackendError, BackendUnavailable, Invalid, NotFound
from vcdtpm.domain.model import Firmware

VAULT_EK = b"EK certificate of vault \x00\x01\xfe\xff" + bytes(range(200, 256))
NVRAM = b"NVRAM\x00\xff\xfe\x80\xc3\x28" + bytes(range(256)) + b"\r\n\x1a\xa0\xa1 end"
SHARED_PROVIDER = {"name": "kms-dr", "type": "standard"}
DS1_URL = "ds:///vmfs/volumes/dr7-ds1/"


def dr8_config() -> dict:
    """The 8.x vCenter with a key provider the 7.x one also has, a vTPM VM and a plain one."""
    config = vc8_config()
    config["key_providers"].append(SHARED_PROVIDER)
    config["vms"] = [
        {
            "name": "vault",
            "tpm": True,
            "hardware_version": 20,
            "key_provider": "kms-dr",
            "key_id": "key-vault",
            "ek_cert": base64.b64encode(VAULT_EK).decode(),
        },
        {"name": "plain", "guest_id": "rhel9_64Guest"},
    ]
    return config


def dr7_config() -> dict:
    """The 7.x vCenter: the same key provider name, and a second datastore."""
    config = vc7_config()
    config["key_providers"].append(SHARED_PROVIDER)
    config["model"] = {"cluster_hosts": 3, "datastores": 2, "vms": 0}
    config["datastores"]["LocalDS_1"] = DS1_URL
    config["vms"] = []
    return config


@pytest.fixture(scope="module")
def dr8(vcsim_binary):
    yield from running(vcsim_binary, "8.0.2.0", "8d8d8d8d-0000-4000-8000-000000000802", dr8_config())


@pytest.fixture(scope="module")
def dr7(vcsim_binary):
    yield from running(vcsim_binary, "7.0.3.0", "7d7d7d7d-0000-4000-8000-000000000703", dr7_config())


@pytest.fixture(scope="module")
def vc_dr8(dr8):
    yield from connected(dr8, "vc-dr8")


@pytest.fixture(scope="module")
def vc_dr7(dr7):
    yield from connected(dr7, "vc-dr7")


def login_cookie(sim: Vcsim) -> str:
    """A session cookie of our own, so files are put and read independently of the adapter."""
    host, port = sim.url.split("//")[1].split("/")[0].split(":")
    si = SmartConnect(
        host=host,
        port=int(port),
        user=sim.user,
        pwd=sim.password,
        sslContext=ssl.create_default_context(cafile=sim.ca_bundle),
    )
    return si._stub.cookie.split(";")[0]


@pytest.fixture(scope="module")
def vault_nvram(dr8) -> bytes:
    """The vault VM's NVRAM file, as written through the file service."""
    status, _ = dr8.file("PUT", "vault/vault.nvram", login_cookie(dr8), NVRAM)
    assert status == 200
    return NVRAM


@pytest.fixture(scope="module")
def backup(vc_dr8, dr8, vault_nvram):
    return vc_dr8.backup_vtpm(moref(dr8, "vault"))


@pytest.fixture(scope="module")
def restored(vc_dr7, backup):
    return vc_dr7.restore_vtpm(backup, "vault-restored")


# --- backup -----------------------------------------------------------------------


def test_a_backup_on_8x_carries_the_key_the_bundle_the_firmware_and_the_guest(backup):
    assert (backup.vm_name, backup.guest_os, backup.hardware_version, backup.firmware) == (
        "vault",
        "windows2019srvNext_64Guest",
        20,
        "efi",
    )
    assert (backup.key_provider, backup.key_id) == ("kms-dr", "key-vault")
    assert backup.encryption_bundle.startswith("vmware:key/list/")
    assert "kms-dr/key-vault" in backup.encryption_bundle


def test_a_backup_keeps_the_vtpm_device_with_its_certificate_in_base64(backup):
    device = backup.tpm_device
    assert [base64.b64decode(c) for c in device["endorsement_key_certificate"]] == [VAULT_EK]
    assert device["endorsement_key_certificate_signing_request"] == []
    assert isinstance(device["key"], int)


def test_the_backup_identity_is_the_sha256_of_the_endorsement_key_certificate(backup, dr8):
    assert backup.identity == "sha256:" + hashlib.sha256(VAULT_EK).hexdigest()
    assert backup.identity == dr8.vms()["vault"]["tpm_identity"]


def test_the_backed_up_nvram_is_byte_for_byte_what_the_vm_directory_holds(backup, vault_nvram):
    assert backup.nvram == vault_nvram
    with pytest.raises(UnicodeDecodeError):
        backup.nvram.decode("utf-8")


def test_a_backup_downloads_the_nvram_once_over_the_file_service(vc_dr8, dr8, vault_nvram):
    before = dr8.calls()
    vc_dr8.backup_vtpm(moref(dr8, "vault"))
    after = dr8.calls()
    assert after.get("folder:GET", 0) - before.get("folder:GET", 0) == 1
    assert after.get("folder:PUT", 0) == before.get("folder:PUT", 0)


def test_the_file_service_wants_a_live_session_cookie(dr8, vault_nvram):
    assert dr8.file("GET", "vault/vault.nvram")[0] == 401
    assert dr8.file("GET", "vault/vault.nvram", 'vmware_soap_session="forged"')[0] == 401
    assert dr8.file("GET", "vault/vault.nvram", login_cookie(dr8)) == (200, NVRAM)


def test_a_download_refused_for_an_expired_session_logs_in_again(dr8, vault_nvram):
    vc = adapter_for(dr8, "vc-dr8")
    vc.about()
    vc._session.content().sessionManager.Logout()  # as if the vCenter had expired the session
    logins = dr8.calls()["Login"]
    assert vc._files.download(DatastoreFile("DC0", "LocalDS_0", "vault/vault.nvram")) == NVRAM
    assert dr8.calls()["Login"] == logins + 1


def test_backing_up_a_vm_without_a_vtpm_is_invalid_and_downloads_nothing(vc_dr8, dr8):
    before = dr8.calls().get("folder:GET", 0)
    with pytest.raises(Invalid) as caught:
        vc_dr8.backup_vtpm(moref(dr8, "plain"))
    assert caught.value.field == "vm" and "plain" in caught.value.message
    assert dr8.calls().get("folder:GET", 0) == before


def test_backing_up_an_unknown_vm_is_not_found(vc_dr8):
    with pytest.raises(NotFound, match="vm-999999"):
        vc_dr8.backup_vtpm("vm-999999")


# --- restore ----------------------------------------------------------------------


def test_a_restore_onto_7x_keeps_the_vtpm_identity(restored, backup, dr7):
    assert restored.tpm_identity == backup.identity
    assert dr7.vms()["vault-restored"]["tpm_identity"] == backup.identity
    assert (restored.name, restored.vcenter, restored.moref) == (
        "vault-restored",
        "vc-dr7",
        moref(dr7, "vault-restored"),
    )


def test_a_restored_vm_has_the_key_provider_firmware_hardware_version_and_guest(restored):
    assert (restored.key_provider, restored.firmware, restored.hardware_version, restored.guest_os) == (
        "kms-dr",
        Firmware.EFI,
        20,
        "windows2019srvNext_64Guest",
    )
    assert restored.tpm_present and restored.datastore_url == "ds:///vmfs/volumes/vc7-ds0/"


def test_a_restored_vm_holds_the_backed_up_nvram(restored, dr7):
    status, data = dr7.file("GET", "vault-restored/vault-restored.nvram", login_cookie(dr7))
    assert (status, data) == (200, NVRAM)


def test_create_vm_carries_the_crypto_key_the_bundle_and_the_vtpm(restored, backup, dr7):
    create = [c for c in dr7.creates() if c["name"] == "vault-restored"][-1]
    assert (create["crypto"], create["keyProvider"], create["keyId"]) == ("CryptoSpecEncrypt", "kms-dr", "key-vault")
    assert create["extraConfig"] == {"encryption.bundle": backup.encryption_bundle}
    assert (create["firmware"], create["version"], create["guestId"]) == ("efi", "vmx-20", "windows2019srvNext_64Guest")
    assert [(d["operation"], d["device"]) for d in create["deviceChange"]] == [("add", "VirtualTPM")]


def test_a_restored_vm_backs_up_to_the_same_vtpm(vc_dr7, restored, backup):
    again = vc_dr7.backup_vtpm(restored.moref)
    assert (again.identity, again.nvram, again.encryption_bundle, again.key_id) == (
        backup.identity,
        backup.nvram,
        backup.encryption_bundle,
        backup.key_id,
    )


def test_a_restore_goes_to_the_named_datastore(vc_dr7, backup, dr7):
    vm = vc_dr7.restore_vtpm(backup, "vault-on-ds1", datastore="LocalDS_1")
    assert (vm.datastore_url, vm.tpm_identity) == (DS1_URL, backup.identity)
    cookie = login_cookie(dr7)
    assert dr7.file("GET", "vault-on-ds1/vault-on-ds1.nvram", cookie, datastore="LocalDS_1") == (200, NVRAM)


def _nothing_created(sim: Vcsim, attempt) -> None:
    vms, calls = sim.vms(), sim.calls()
    attempt()
    after = sim.vms(), sim.calls()
    assert after[0] == vms
    assert after[1].get("CreateVM_Task", 0) == calls.get("CreateVM_Task", 0)
    assert after[1].get("folder:PUT", 0) == calls.get("folder:PUT", 0)


def test_a_restore_onto_a_vcenter_without_the_key_provider_is_refused_before_creating_anything(vc7, vcsim7, backup):
    def attempt():
        with pytest.raises(BackendError, match="key provider kms-dr is not registered"):
            vc7.restore_vtpm(backup, "vault-nowhere")

    _nothing_created(vcsim7, attempt)


def test_a_restore_onto_an_unknown_datastore_is_not_found(vc_dr7, dr7, backup):
    def attempt():
        with pytest.raises(NotFound, match="NoSuchDS"):
            vc_dr7.restore_vtpm(backup, "vault-lost", datastore="NoSuchDS")

    _nothing_created(dr7, attempt)


def test_a_bios_backup_is_refused_before_creating_anything(vc_dr7, dr7, backup):
    def attempt():
        with pytest.raises(BackendError, match="EFI"):
            vc_dr7.restore_vtpm(dataclasses.replace(backup, firmware="bios"), "vault-bios")

    _nothing_created(dr7, attempt)


def test_a_backup_without_a_certificate_is_refused_before_creating_anything(vc_dr7, dr7, backup):
    bare = dict(backup.tpm_device, endorsement_key_certificate=[])

    def attempt():
        with pytest.raises(BackendError, match="no endorsement key certificate"):
            vc_dr7.restore_vtpm(dataclasses.replace(backup, tpm_device=bare), "vault-bare")

    _nothing_created(dr7, attempt)


def test_an_unreachable_vcenter_is_backend_unavailable_for_backup_and_restore(dr8, backup):
    vc = adapter_for(dr8, "vc-gone", url=f"https://127.0.0.1:{free_port()}/sdk")
    with pytest.raises(BackendUnavailable):
        vc.backup_vtpm("vm-1")
    with pytest.raises(BackendUnavailable):
        vc.restore_vtpm(backup, "never")


def test_a_restore_whose_nvram_upload_fails_leaves_no_vm_behind(vc_dr7, dr7, backup, monkeypatch):
    def refused(file, data):
        raise BackendError(backend="vCenter vc-dr7", reason="the file service answered 507")

    monkeypatch.setattr(vc_dr7._files, "upload", refused)
    with pytest.raises(BackendError, match="507"):
        vc_dr7.restore_vtpm(backup, "vault-half")
    assert "vault-half" not in dr7.vms()
    assert dr7.calls().get("Destroy_Task", 0) >= 1
