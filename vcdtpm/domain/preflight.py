"""Pure prerequisite checks: one VM's facts and planned action in, `Check`s out."""

from __future__ import annotations

from vcdtpm.domain.cases import FAIL, OTHER_VCENTER, PASS, SKIP, WARN, ModeVerdict, VmCase, check, no_tpm, not_across
from vcdtpm.domain.guest import GuestFamily, classify
from vcdtpm.domain.key_checks import (
    key_provider_configured,
    key_provider_default,
    key_provider_on_target,
    key_provider_problem,
    key_provider_reaches_target,
    source_key_provider,
)
from vcdtpm.domain.model import Check, Firmware, Operation, Power, Provenance, TpmAction
from vcdtpm.domain.versions import at_least, band_of

__all__ = [  # the key-provider checks live in key_checks.py; they are part of this module's surface
    "CHECK_IDS",
    "MINIMUM_HARDWARE_VERSION",
    "ModeVerdict",
    "VmCase",
    "check_vm",
    "key_provider_configured",
    "key_provider_default",
    "key_provider_on_target",
    "key_provider_problem",
    "source_key_provider",
]

MINIMUM_HARDWARE_VERSION = 14
_DEVICE_OPERATIONS = (Operation.ADD_TPM, Operation.REMOVE_TPM, Operation.REPLACE_TPM)
_TAKES_TPM = (Operation.REMOVE_TPM, Operation.REPLACE_TPM)


def firmware_efi(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return no_tpm(case, "firmware_efi")
    if case.subject.vm.firmware == Firmware.EFI:
        return check(case, "firmware_efi", PASS, f"{case.name} uses EFI firmware.")
    return check(
        case,
        "firmware_efi",
        FAIL,
        f"{case.name} uses BIOS firmware; a vTPM needs EFI firmware.",
        f"Switch {case.name} to EFI firmware while it is powered off (its guest OS "
        "must boot with EFI), or use a VM or template with EFI firmware.",
    )


def hardware_version(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return no_tpm(case, "hardware_version")
    version = case.subject.vm.hardware_version
    if version >= MINIMUM_HARDWARE_VERSION:
        return check(case, "hardware_version", PASS, f"{case.name} has hardware version {version} (14 or later).")
    return check(
        case,
        "hardware_version",
        FAIL,
        f"{case.name} has hardware version {version}; a vTPM needs 14 or later.",
        f"Upgrade the hardware version of {case.name} to 14 or later while it is powered off.",
    )


def guest_os_supported(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return no_tpm(case, "guest_os_supported")
    guest = classify(case.subject.vm.guest_os)
    if guest.vtpm_supported:
        return check(case, "guest_os_supported", PASS, f"{case.name} runs {guest.label}, which supports a vTPM.")
    return check(
        case,
        "guest_os_supported",
        FAIL,
        f"{case.name} runs {guest.label} ({guest.guest_id or 'no guest id'}); a vTPM "
        "supports Windows 7 and later, Windows Server 2008 and later, and Linux.",
        f"Use a supported guest OS for {case.name}, or leave its vTPM out.",
    )


def vcenter_version_for_guest(case: VmCase) -> Check:
    check_id = "vcenter_version_for_guest"
    if not case.will_have_tpm:
        return no_tpm(case, check_id)
    guest = classify(case.subject.vm.guest_os)
    if guest.minimum_vcenter is None:
        return check(
            case, check_id, SKIP, f"The guest OS of {case.name} does not support a vTPM (see guest_os_supported)."
        )
    vcenter = case.target.vcenter
    family = "Windows" if guest.family is GuestFamily.WINDOWS else "Linux"
    band = band_of(vcenter.version).value
    if at_least(vcenter.version, guest.minimum_vcenter):
        return check(case, check_id, PASS, f"{case.where} ({band} band) can host a {family} VM with a vTPM.")
    return check(
        case,
        check_id,
        FAIL,
        f"{case.where} ({band} band) is older than vCenter "
        f"{guest.minimum_vcenter.label}, the minimum for a {family} VM with a vTPM.",
        f"Place {case.name} in a VDC backed by a newer vCenter, or ask your provider to upgrade the vCenter.",
    )


def storage_reaches_target(case: VmCase) -> bool:
    """Whether fast instantiation is on or the VM's datastore is visible to the target."""
    if case.fast_cross_vcenter_instantiation:
        return True
    url = case.subject.vm.datastore_url
    target = case.target
    return url is not None and (url in target.vcenter.datastore_urls or url == target.datastore_url)


def shared_storage(case: VmCase) -> Check:
    skipped = not_across(case, "shared_storage")
    if skipped is not None:
        return skipped
    if case.operation is Operation.MOVE_VAPP:
        return check(case, "shared_storage", SKIP, "moveVApp has no shared-storage requirement.")
    if storage_reaches_target(case):
        return check(
            case,
            "shared_storage",
            PASS,
            f"{case.name} can reach the target vCenter: shared storage or fast cross-vCenter instantiation.",
        )
    return check(
        case,
        "shared_storage",
        FAIL,
        f"{case.name} is not on storage shared with the target vCenter, and fast cross-vCenter instantiation is off.",
        "Ask your provider to turn on fast cross-vCenter vApp instantiation or to "
        f"share a datastore between the two vCenters, {OTHER_VCENTER}",
    )


def cross_vcenter_instantiation(case: VmCase) -> Check:
    check_id = "cross_vcenter_instantiation"
    if case.subject.template is None or not case.cross_vcenter:
        return check(case, check_id, SKIP, f"{case.name} is not instantiated from a template on another vCenter.")
    if case.action is TpmAction.REPLACE:
        return check(
            case,
            check_id,
            PASS,
            f"The template replaces the vTPM of {case.name}, so "
            "any target vCenter that meets the vTPM requirements will do.",
        )
    if case.action not in (TpmAction.COPY, TpmAction.UNKNOWN):
        return check(case, check_id, SKIP, f"{case.name} has no vTPM to carry over.")
    copies = "copies" if case.action is TpmAction.COPY else "may copy (its provenance is unknown)"
    if key_provider_reaches_target(case) and storage_reaches_target(case):
        return check(
            case,
            check_id,
            PASS,
            f"The template {copies} the vTPM of {case.name}, and the key provider and storage "
            "reach the target vCenter.",
        )
    return check(
        case,
        check_id,
        FAIL,
        f"The template {copies} the vTPM of {case.name}; across vCenters that needs the "
        "same key provider on the target and shared storage or fast cross-vCenter "
        "instantiation.",
        f"Resolve key_provider_on_target and shared_storage, use a template that replaces the vTPM, {OTHER_VCENTER}",
    )


def template_provenance(case: VmCase) -> Check:
    """Warns when nothing records how the template was made: copy or replace, nobody can tell."""
    check_id = "template_provenance"
    template = case.subject.template
    if template is None or not case.subject.vm.tpm_present:
        return check(case, check_id, SKIP, f"{case.name} does not take a vTPM from a template.")
    if template.provenance is not Provenance.UNKNOWN or template.tpm_provisioning is not None:
        return check(case, check_id, PASS, f"How template {template.name} treats the vTPM of {case.name} is known.")
    return check(
        case,
        check_id,
        WARN,
        f"The provenance of template {template.name} is unknown (it was not made through vcdtpm): "
        f"{case.name} may get a new, blank vTPM, so the secrets of the template's vTPM may not survive.",
        "Re-create the template through vcdtpm (capture, OVF upload or import), which records its "
        "provenance, or use a template whose provenance is recorded.",
    )


def tpm_mode_supported(case: VmCase) -> Check:
    return check(case, "tpm_mode_supported", case.mode.status, case.mode.message, case.mode.remedy)


def powered_off(case: VmCase) -> Check:
    if case.operation not in _DEVICE_OPERATIONS:
        return check(case, "powered_off", SKIP, "Only adding, removing or replacing a vTPM needs the VM powered off.")
    if case.subject.vm.power != Power.ON:
        return check(case, "powered_off", PASS, f"{case.name} is powered off.")
    return check(
        case,
        "powered_off",
        FAIL,
        f"{case.name} is powered on; a vTPM can be added, removed or replaced only while the VM is powered off "
        "(no hot-add).",
        f"Shut down the guest OS of {case.name}, power it off, and try again.",
    )


def single_tpm(case: VmCase) -> Check:
    if case.operation is not Operation.ADD_TPM:
        return check(case, "single_tpm", SKIP, "Only adding a vTPM could give a VM a second one.")
    if not case.subject.vm.tpm_present:
        return check(case, "single_tpm", PASS, f"{case.name} has no vTPM yet.")
    return check(
        case,
        "single_tpm",
        FAIL,
        f"{case.name} already has a vTPM; a VM can have only one.",
        f"Nothing to add: keep the vTPM of {case.name}.",
    )


def tpm_present(case: VmCase) -> Check:
    if case.operation not in _TAKES_TPM:
        return check(case, "tpm_present", SKIP, "Only removing or replacing a vTPM needs one to be present.")
    verb = "remove" if case.operation is Operation.REMOVE_TPM else "replace"
    if case.subject.vm.tpm_present:
        return check(case, "tpm_present", PASS, f"{case.name} has a vTPM to {verb}.")
    remedy = f"Nothing to {verb}: check that {case.name} is the VM you meant."
    if case.operation is Operation.REPLACE_TPM:
        remedy += " To give it a vTPM, use add_tpm."
    return check(case, "tpm_present", FAIL, f"{case.name} has no vTPM to {verb}.", remedy)


def data_loss_acknowledged(case: VmCase) -> Check:
    replaces = case.action is TpmAction.REPLACE and case.by_request and case.subject.vm.tpm_present
    if not replaces and case.action is not TpmAction.REMOVE:
        return check(case, "data_loss_acknowledged", SKIP, f"No existing vTPM of {case.name} is replaced or removed.")
    if not replaces:
        loss = f"Removing the vTPM of {case.name} destroys its keys"
    elif case.operation is Operation.REPLACE_TPM:
        loss = f"Replacing the vTPM of {case.name} destroys its keys; the new one does not have them"
    else:
        loss = f"The new vTPM of the copy of {case.name} does not have the keys of the original"
    if case.acknowledge_tpm_data_loss:
        return check(case, "data_loss_acknowledged", PASS, f"{loss}; this is acknowledged.")
    return check(
        case,
        "data_loss_acknowledged",
        WARN,
        f"{loss}: BitLocker, Windows Hello and other workloads that rely on them stop working.",
        f"Make sure no workload of {case.name} still relies on its vTPM (e.g. suspend "
        "BitLocker), then set acknowledge_tpm_data_loss: true.",
    )


def capture_vm_alone_in_vapp(case: VmCase) -> Check:
    """Cloud Director's captureVApp takes a vApp as its source and captures every VM in it;
    CaptureVmParams only customizes a VM of that vApp, it does not narrow the capture
    (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CaptureVApp-catalog.html,
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CaptureVmParamsType.html).
    So capturing one VM is capturing its vApp, which must hold that VM alone."""
    check_id = "capture_vm_alone_in_vapp"
    if case.operation is not Operation.CAPTURE_VM:
        return check(case, check_id, SKIP, "Only capturing one VM needs the VM alone in its vApp.")
    vapp = case.subject.vapp
    if vapp is None:
        return check(case, check_id, SKIP, f"The vApp of {case.name} is not known.")
    if not vapp.others:
        return check(case, check_id, PASS, f"{case.name} is alone in vApp {vapp.name}.")
    return check(
        case,
        check_id,
        FAIL,
        f"{case.name} shares vApp {vapp.name} with {', '.join(vapp.others)}; Cloud Director captures a "
        "whole vApp, so the template would hold those VMs too.",
        f"Capture the vApp with capture_vapp (source vApp {vapp.id}), or move {case.name} into a vApp "
        "of its own first.",
    )


PER_VM_CHECKS = (
    firmware_efi,
    hardware_version,
    guest_os_supported,
    vcenter_version_for_guest,
    key_provider_configured,
    key_provider_default,
    key_provider_on_target,
    shared_storage,
    cross_vcenter_instantiation,
    template_provenance,
    tpm_mode_supported,
    powered_off,
    single_tpm,
    tpm_present,
    data_loss_acknowledged,
    capture_vm_alone_in_vapp,
)
CHECK_IDS = tuple(check.__name__ for check in PER_VM_CHECKS)


def check_vm(case: VmCase) -> list[Check]:
    """Every check for one VM, in the contract's order."""
    return [check(case) for check in PER_VM_CHECKS]


def no_vm_checks() -> list[Check]:
    """Every check skipped, for an operation that involves no VM at all."""
    return [Check(check_id, SKIP, "The operation involves no VM.") for check_id in CHECK_IDS]
