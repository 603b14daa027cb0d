"""Every VM's vTPM identity on a simulated vCenter (vcsim), read in one PropertyCollector retrieval."""

from __future__ import annotations

import base64
import hashlib

import pytest
from pyVmomi import vim

from tests.adapters.vcenter.vcsim import adapter_for, running
from vcdtpm.adapters.vcenter import clone, collector, facts

SHARED_EK = b"EK certificate copied with its vTPM " + bytes(range(32))
OWN_EK = b"EK certificate of a vTPM of its own " + bytes(range(32, 64))
FLEET = 40


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _identity(cert: bytes) -> str:
    return "sha256:" + hashlib.sha256(cert).hexdigest()


@pytest.fixture(scope="module")
def copies(vcsim_binary):
    """An 8.x vCenter holding two VMs with one endorsement key (a copy), one with its own,
    one without a vTPM, and a fleet whose vTPMs each got a certificate of their own."""
    kms = {"name": "nkp", "type": "native", "default": True}
    config = {
        "key_providers": [kms],
        "vms": [
            {"name": "original", "tpm": True, "ek_cert": _b64(SHARED_EK), "key_provider": "nkp"},
            {"name": "copy", "tpm": True, "ek_cert": _b64(SHARED_EK), "key_provider": "nkp"},
            {"name": "own", "tpm": True, "ek_cert": _b64(OWN_EK), "key_provider": "nkp"},
            {"name": "plain"},
            {"name": "fleet", "tpm": True, "key_provider": "nkp", "count": FLEET},
        ],
    }
    yield from running(vcsim_binary, "8.0.2.0", "00000000-0000-4000-8000-0000000008e1", config)


@pytest.fixture(scope="module")
def vc(copies):
    adapter = adapter_for(copies, "vc-copies")
    try:
        yield adapter
    finally:
        adapter.close()


def test_vms_holding_a_copied_vtpm_share_its_identity(vc, copies):
    vms = copies.vms()
    found = vc.tpm_identities()
    by_name = {name: found.get(row["moref"]) for name, row in vms.items()}
    assert by_name["original"] == by_name["copy"] == _identity(SHARED_EK)
    assert by_name["own"] == _identity(OWN_EK) and by_name["plain"] is None
    assert found == {row["moref"]: row["tpm_identity"] for row in vms.values() if row["tpm_identity"]}
    fleet = [by_name[f"fleet-{i:03d}"] for i in range(FLEET)]
    assert len(set(fleet)) == FLEET and None not in fleet


def test_the_endorsement_keys_of_every_vm_are_read_in_one_retrieval(vc, copies):
    vc.about()  # connected
    client_before, server_before = vc.round_trips, copies.calls()
    found = vc.tpm_identities()
    server_after = copies.calls()
    sent = {m: n - server_before.get(m, 0) for m, n in server_after.items() if n != server_before.get(m, 0)}
    assert len(found) == FLEET + 3
    assert sent == {"CreateContainerView": 1, "RetrievePropertiesEx": 1, "DestroyView": 1}
    assert vc.round_trips - client_before == 3


def test_a_vtpm_removed_and_added_again_has_a_new_identity(vc, copies):
    """What replace_tpm's two steps do on vSphere (last here: it re-keys `copy`)."""
    content = vc._session.content()
    vm = collector.mo(content, vim.VirtualMachine, copies.vms()["copy"]["moref"])
    device = facts.vtpm_of(vm.config.hardware.device)
    for change in (
        vim.vm.device.VirtualDeviceSpec(operation="remove", device=device),
        vim.vm.device.VirtualDeviceSpec(operation="add", device=vim.vm.device.VirtualTPM(key=-1)),
    ):
        clone.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])), 30, "vcsim")
    found, vms = vc.tpm_identities(), copies.vms()
    assert found[vms["copy"]["moref"]] not in (None, _identity(SHARED_EK))
    assert found[vms["original"]["moref"]] == _identity(SHARED_EK)
