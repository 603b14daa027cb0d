"""vTPM backup and restore over the simulated vCenters, with Cloud Director's locate calls stubbed."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.demo import urn, uuid
from vcdtpm.adapters.backup_files import BackupFiles
from vcdtpm.app.tpm_backups import RestoreRequest, TpmBackups
from vcdtpm.domain.errors import BackendError, Conflict, Forbidden, Invalid, NotFound, PreflightFailed
from vcdtpm.domain.model import CheckStatus, VmFacts
from vcdtpm.ports import Session, VdcLocation
from vcdtpm.sim.vcd.ids import resource_pool_moref
from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import demo_world

VM = "urn:vcloud:vm:{}".format
ADMIN = Session("t-admin", "System", "admin", provider=True)
ALICE = Session("t-alice", "acme", "alice", provider=False)


class LocatingCloud:
    """Cloud Director's provider-only locate calls, answered from the simulated inventory."""

    def __init__(self, inventory):
        self.inventory = inventory

    def locate_vms(self, urns):
        found = {}
        for vm_urn in urns:
            vm = self.inventory.vms.get(vm_urn.rsplit(":", 1)[-1])
            if vm is not None and self.inventory.vm_org(vm) is not None:
                found[vm_urn] = VmFacts(vm.name, vm.guest_os, id=vm_urn, vcenter=vm.vcenter, moref=vm.moref)
        return found

    def locate_vdc(self, urn):
        vdc = self.inventory.vdcs.get(urn.rsplit(":", 1)[-1])
        if vdc is None:
            raise NotFound(kind="VDC", id=urn)
        url = self.inventory.vcenters[vdc.vcenter].datastore(vdc.datastore).url
        return VdcLocation(vdc.vcenter, url, resource_pool_moref(vdc.id))


@pytest.fixture
def inventory():
    return demo_world()


@pytest.fixture
def vcenters(inventory):
    return simulated_vcenters(inventory)


@pytest.fixture
def backups(inventory, vcenters, tmp_path):
    return TpmBackups(LocatingCloud(inventory), vcenters, BackupFiles(tmp_path / "tpm-backups"))


@pytest.fixture
def web1_backup(backups):
    return backups.backup(ADMIN, VM(uuid("vm", "web-1")))


def restored_vm(inventory, vcenter, name):
    return next(vm for vm in inventory.vcenter_vms(vcenter) if vm.name == name)


def failed(plan) -> set[str]:
    return {c.id for c in plan.checks if c.status is CheckStatus.FAIL}


def test_a_backup_saves_key_id_bundle_firmware_device_and_nvram_of_the_vm(inventory, web1_backup):
    web1 = inventory.vms[uuid("vm", "web-1")]
    saved = web1_backup.backup
    assert (web1_backup.vm, web1_backup.vcenter, saved.vm_name) == (VM(uuid("vm", "web-1")), "vc-a", "web-1")
    assert (saved.key_provider, saved.key_id, saved.firmware) == ("kp-gold", web1.key_id, "efi")
    assert saved.encryption_bundle == web1.encryption_bundle and saved.nvram == web1.tpm.nvram
    assert saved.identity == web1.tpm.identity and saved.tpm_device["key"] == 11000


def test_restoring_onto_another_vcenter_with_the_key_provider_keeps_the_identity(inventory, backups, web1_backup):
    answer = backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b"))
    assert answer["identity"] == inventory.vms[uuid("vm", "web-1")].tpm.identity and answer["identity_matches"] is True
    assert (answer["vcenter"], answer["vm_name"], answer["backup"]) == ("vc-b", "web-1-restored", web1_backup.id)
    vm = restored_vm(inventory, "vc-b", "web-1-restored")
    assert vm.moref == answer["moref"] and vm.vapp is None and vm.template is None
    assert (vm.key_id, vm.key_provider, vm.tpm.nvram) == (
        web1_backup.backup.key_id,
        "kp-gold",
        inventory.vms[uuid("vm", "web-1")].tpm.nvram,
    )
    assert vm.tpm is not inventory.vms[uuid("vm", "web-1")].tpm
    assert vm.storage_policy == "VM Encryption Policy"  # an encryption storage policy is assigned


def test_restoring_into_a_vdc_uses_its_vcenter_and_datastore(inventory, backups, web1_backup):
    answer = backups.restore(
        ADMIN,
        RestoreRequest(web1_backup.id, target_vdc="urn:vcloud:vdc:" + uuid("vdc", "acme-b"), name="web-1-in-acme-b"),
    )
    assert answer["vcenter"] == "vc-b"
    assert restored_vm(inventory, "vc-b", "web-1-in-acme-b").datastore == "ds-shared-b"


def test_restoring_on_a_named_datastore_puts_the_vm_there(inventory, backups, web1_backup):
    backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b", datastore="ds-b-local"))
    assert restored_vm(inventory, "vc-b", "web-1-restored").datastore == "ds-b-local"


def test_an_unknown_datastore_is_invalid_and_names_the_field(backups, web1_backup):
    with pytest.raises(Invalid) as caught:
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b", datastore="ds-nope"))
    assert caught.value.field == "datastore"


def test_a_vcenter_without_the_key_provider_fails_preflight(inventory, backups, web1_backup):
    before = len(inventory.vms)
    with pytest.raises(PreflightFailed) as caught:
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-c"))
    assert failed(caught.value.plan) == {"key_provider_on_target"}
    assert not caught.value.plan.allowed and len(inventory.vms) == before


def test_a_key_provider_restricted_to_absent_tpm_hosts_fails_preflight(backups, web1_backup):
    """vc-d has a TPM host (esx-d3), but not in acme-d's cluster, where the VM would run."""
    with pytest.raises(PreflightFailed) as caught:
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, target_vdc=urn("vdc", "acme-d")))
    assert failed(caught.value.plan) == {"key_provider_configured"}


def test_a_tampered_bundle_fails_the_checksum_check(backups, web1_backup):
    path = backups.store.directory / f"{web1_backup.id}.json"
    bundle = json.loads(path.read_text())
    bundle["payload"]["backup"]["key_id"] = "00000000-0000-4000-8000-000000000000"
    path.write_text(json.dumps(bundle))
    with pytest.raises(PreflightFailed) as caught:
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b"))
    assert failed(caught.value.plan) == {"backup_checksum"}


def test_a_restored_vm_with_another_identity_is_a_backend_error(vcenters, backups, web1_backup):
    port = vcenters["vc-b"]
    honest = port.restore_vtpm
    port.restore_vtpm = lambda *a, **kw: replace(honest(*a, **kw), tpm_identity="sha256:" + "00" * 32)
    with pytest.raises(BackendError, match="not the backed-up"):
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b"))


def test_restoring_twice_under_one_name_is_a_conflict(backups, web1_backup):
    backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b"))
    with pytest.raises(Conflict):
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-b"))


def test_a_vm_without_a_vtpm_cannot_be_backed_up(backups):
    with pytest.raises(Invalid) as caught:
        backups.backup(ADMIN, VM(uuid("vm", "web-2")))
    assert caught.value.field == "vm"


def test_an_unknown_vm_unknown_backup_and_unknown_vcenter_are_not_found(backups, web1_backup):
    with pytest.raises(NotFound):
        backups.backup(ADMIN, VM("0e0e0e0e-0000-4000-8000-000000000000"))
    with pytest.raises(NotFound):
        backups.restore(ADMIN, RestoreRequest("0e0e0e0e-0000-4000-8000-000000000000", vcenter="vc-b"))
    with pytest.raises(NotFound):
        backups.restore(ADMIN, RestoreRequest(web1_backup.id, vcenter="vc-z"))


def test_a_malformed_backup_id_is_invalid_and_names_the_field(backups):
    with pytest.raises(Invalid) as caught:
        backups.restore(ADMIN, RestoreRequest("../../etc/passwd", vcenter="vc-b"))
    assert caught.value.field == "backup"


def test_tenants_can_neither_back_up_list_read_nor_restore(backups, web1_backup):
    for call in (
        lambda: backups.backup(ALICE, VM(uuid("vm", "web-1"))),
        lambda: backups.list(ALICE),
        lambda: backups.get(ALICE, web1_backup.id),
        lambda: backups.restore(ALICE, RestoreRequest(web1_backup.id, vcenter="vc-b")),
    ):
        with pytest.raises(Forbidden):
            call()


def test_the_list_and_a_read_show_the_saved_backup(backups, web1_backup):
    assert [b.id for b in backups.list(ADMIN)] == [web1_backup.id]
    assert backups.get(ADMIN, web1_backup.id) == web1_backup


def test_the_simulated_vcenter_refuses_a_restore_without_the_key_provider(vcenters, web1_backup):
    with pytest.raises(BackendError, match="kp-gold"):
        vcenters["vc-c"].restore_vtpm(web1_backup.backup, "web-1-restored")


def test_the_simulated_vcenter_refuses_a_bundle_that_does_not_match_the_key_id(vcenters, web1_backup):
    forged = replace(web1_backup.backup, encryption_bundle="vmware:key/list/(pair/(fqid/<VMWARE-NULL>/x))")
    with pytest.raises(BackendError, match="encryption.bundle"):
        vcenters["vc-b"].restore_vtpm(forged, "web-1-forged")


def test_the_simulated_vcenter_backs_up_in_one_round_trip_and_knows_no_unknown_moref(inventory, vcenters):
    port = vcenters["vc-a"]
    port.backup_vtpm(inventory.vms[uuid("vm", "web-1")].moref)
    assert port.round_trips == 1
    with pytest.raises(NotFound):
        port.backup_vtpm("vm-999")


def test_the_simulated_vcenter_refuses_a_restore_without_an_encryption_storage_policy(inventory, vcenters, web1_backup):
    inventory.vcenters["vc-b"].encryption_policy = None
    with pytest.raises(BackendError, match="encryption storage policy"):
        vcenters["vc-b"].restore_vtpm(web1_backup.backup, "web-1-no-policy")
    assert not [vm for vm in inventory.vms.values() if vm.name == "web-1-no-policy"]
