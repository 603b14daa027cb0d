"""Every VM's vTPM identity on one vCenter, in one PropertyCollector retrieval over a container view."""

from __future__ import annotations

from pyVmomi import vim

from vcdtpm.adapters.vcenter import bulk, facts

# VirtualTPM.endorsementKeyCertificate sits in the device list; the PropertyCollector cannot
# select one device type by path, so the list is read and the VirtualTPM picked out here.
PATHS = ("config.hardware.device",)


def tpm_identities(content: vim.ServiceContent) -> dict[str, str]:
    """moref -> "sha256:<hex>" of the endorsement-key certificate, for every VM with a vTPM that has one.

    `bulk.every`: one RetrievePropertiesEx over a ContainerView of every VirtualMachine (plus one
    ContinueRetrievePropertiesEx per further page, if the server pages), never one call per VM."""
    found: dict[str, str] = {}
    for moref, vm in bulk.every(content, {vim.VirtualMachine: PATHS}).items():
        identity = facts.tpm_identity(facts.vtpm_of(vm.values.get("config.hardware.device")))
        if identity is not None:
            found[moref] = identity
    return found
