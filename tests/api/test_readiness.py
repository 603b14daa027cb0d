"""GET /api/v1/vms/{id}/tpm: every readiness check's message matches the VM's facts, with and without a vTPM."""

from __future__ import annotations

import pytest

from tests.demo import urn
from vcdtpm.domain.preflight import CHECK_IDS

SAME_VCENTER = "{vm} stays on its vCenter: nothing crosses to another one."
# web-1 (vTPM) and web-2 (none) share their vApp, VDC and every requirement: only the vTPM differs.
EXPECTED = {
    "firmware_efi": (("pass", "{vm} uses EFI firmware."),) * 2,
    "hardware_version": (("pass", "{vm} has hardware version 19 (14 or later)."),) * 2,
    "guest_os_supported": (("pass", "{vm} runs Windows Server 2019, which supports a vTPM."),) * 2,
    "vcenter_version_for_guest": (("pass", "The vCenter of {vm} (8.x band) can host a Windows VM with a vTPM."),) * 2,
    "key_provider_configured": (("pass", "The vCenter of {vm} has a key provider usable on the hosts {vm} runs on."),)
    * 2,
    "key_provider_default": (("pass", "The vCenter of {vm} has a default key provider."),) * 2,
    "key_provider_on_target": (("skip", SAME_VCENTER),) * 2,
    "shared_storage": (("skip", SAME_VCENTER),) * 2,
    "cross_vcenter_instantiation": (("skip", "{vm} is not instantiated from a template on another vCenter."),) * 2,
    "template_provenance": (("skip", "{vm} does not take a vTPM from a template."),) * 2,
    "tpm_mode_supported": (
        ("pass", "{vm} already has a vTPM; no TPM mode is needed."),
        ("pass", "Adding a vTPM to {vm} creates a new one; no TPM mode is needed."),
    ),
    "powered_off": (("pass", "{vm} is powered off."),) * 2,
    "single_tpm": (("fail", "{vm} already has a vTPM; a VM can have only one."), ("pass", "{vm} has no vTPM yet.")),
    "tpm_present": (("skip", "Only removing or replacing a vTPM needs one to be present."),) * 2,
    "data_loss_acknowledged": (
        ("skip", "No existing vTPM of {vm} is replaced or removed."),
        ("skip", "No existing vTPM of {vm} is replaced or removed."),
    ),
    "capture_vm_alone_in_vapp": (("skip", "Only capturing one VM needs the VM alone in its vApp."),) * 2,
}
CASES = [(check_id, present) for check_id in CHECK_IDS for present in (True, False)]


def test_the_table_covers_every_check():
    assert set(EXPECTED) == set(CHECK_IDS)


@pytest.mark.parametrize("check_id,present", CASES, ids=[f"{c}-{'present' if p else 'absent'}" for c, p in CASES])
def test_each_readiness_check_says_what_is_true_of_the_vm(client, alice, check_id, present):
    vm = "web-1" if present else "web-2"
    body = client.get(f"/api/v1/vms/{urn('vm', vm)}/tpm", headers=alice).get_json()
    assert body["present"] is present and body["readiness"]["can_add"] is not present
    found = [c for c in body["readiness"]["checks"] if c["id"] == check_id]
    status, message = EXPECTED[check_id][0 if present else 1]
    assert [(c["status"], c["message"]) for c in found] == [(status, message.format(vm=vm))]


ACME_VMS = ["web-1", "web-2", "bios-1", "hw13-1", "xp-1", "running-1", "db-1", "linux-b1", "linux-old", "win-old"]


@pytest.mark.parametrize("vm", ACME_VMS + ["win-d1", "db-solo"])
def test_no_readiness_message_contradicts_whether_the_vm_has_a_vtpm(client, alice, vm):
    body = client.get(f"/api/v1/vms/{urn('vm', vm)}/tpm", headers=alice).get_json()
    messages = " ".join(c["message"] for c in body["readiness"]["checks"])
    if body["present"]:
        assert "will not have a vTPM" not in messages and "has no vTPM" not in messages
        assert "already has a vTPM" in messages and body["readiness"]["can_add"] is False
    else:
        assert "already has a vTPM" not in messages and "has no vTPM yet" in messages
