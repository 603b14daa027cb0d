"""Pure prerequisite checks: one VM's facts and planned action in, `Check`s out."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.domain.guest import GuestFamily, classify
from vcdtpm.domain.model import (
    Check,
    CheckStatus,
    Firmware,
    KeyProviderType,
    Operation,
    Placement,
    Power,
    Subject,
    TpmAction,
    VCenterFacts,
)
from vcdtpm.domain.versions import at_least, band_of

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
MINIMUM_HARDWARE_VERSION = 14
_WITH_TPM = (TpmAction.COPY, TpmAction.REPLACE, TpmAction.NEW)
_DEVICE_OPERATIONS = (Operation.ADD_TPM, Operation.REMOVE_TPM)
_OTHER_VCENTER = "or choose a target on the same vCenter as the source."


@dataclass(frozen=True)
class ModeVerdict:
    """Whether the requested `tpm` mode can apply to one VM (decided by the planner)."""

    status: CheckStatus
    message: str
    remedy: str = ""


@dataclass(frozen=True)
class VmCase:
    """One subject as the checks see it: its facts and what the plan does to its vTPM.

    `carried`: the existing vTPM travels with the VM (copy, move, emulated replace);
    `by_request`: a replace chosen by the caller rather than by a template.
    """

    operation: Operation
    subject: Subject
    target: Placement
    action: TpmAction
    mode: ModeVerdict
    carried: bool = False
    by_request: bool = False
    fast_cross_vcenter_instantiation: bool = False
    acknowledge_tpm_data_loss: bool = False

    @property
    def name(self) -> str:
        return self.subject.vm.name

    @property
    def will_have_tpm(self) -> bool:
        return self.action in _WITH_TPM

    @property
    def cross_vcenter(self) -> bool:
        source = self.subject.source
        return source is not None and source.name != self.target.vcenter.name


def _check(case: VmCase, check_id: str, status: CheckStatus, message: str, remedy: str = "") -> Check:
    return Check(check_id, status, message, remedy, case.subject.vm.id or case.subject.vm.name)


def _no_tpm(case: VmCase, check_id: str) -> Check:
    return _check(case, check_id, SKIP, f"{case.name} will not have a vTPM.")


def firmware_efi(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return _no_tpm(case, "firmware_efi")
    if case.subject.vm.firmware == Firmware.EFI:
        return _check(case, "firmware_efi", PASS, f"{case.name} uses EFI firmware.")
    return _check(
        case,
        "firmware_efi",
        FAIL,
        f"{case.name} uses BIOS firmware; a vTPM needs EFI firmware.",
        f"Switch {case.name} to EFI firmware while it is powered off (its guest OS "
        "must boot with EFI), or use a VM or template with EFI firmware.",
    )


def hardware_version(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return _no_tpm(case, "hardware_version")
    version = case.subject.vm.hardware_version
    if version >= MINIMUM_HARDWARE_VERSION:
        return _check(case, "hardware_version", PASS, f"{case.name} has hardware version {version} (14 or later).")
    return _check(
        case,
        "hardware_version",
        FAIL,
        f"{case.name} has hardware version {version}; a vTPM needs 14 or later.",
        f"Upgrade the hardware version of {case.name} to 14 or later while it is powered off.",
    )


def guest_os_supported(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return _no_tpm(case, "guest_os_supported")
    guest = classify(case.subject.vm.guest_os)
    if guest.vtpm_supported:
        return _check(case, "guest_os_supported", PASS, f"{case.name} runs {guest.label}, which supports a vTPM.")
    return _check(
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
        return _no_tpm(case, check_id)
    guest = classify(case.subject.vm.guest_os)
    if guest.minimum_vcenter is None:
        return _check(
            case, check_id, SKIP, f"The guest OS of {case.name} does not support a vTPM (see guest_os_supported)."
        )
    vcenter = case.target.vcenter
    family = "Windows" if guest.family is GuestFamily.WINDOWS else "Linux"
    band = band_of(vcenter.version).value
    if at_least(vcenter.version, guest.minimum_vcenter):
        return _check(case, check_id, PASS, f"The target vCenter ({band} band) can host a {family} VM with a vTPM.")
    return _check(
        case,
        check_id,
        FAIL,
        f"The target vCenter ({band} band) is older than vCenter "
        f"{guest.minimum_vcenter.label}, the minimum for a {family} VM with a vTPM.",
        f"Place {case.name} in a VDC backed by a newer vCenter, or ask your provider to upgrade the vCenter.",
    )


def key_provider_problem(vcenter: VCenterFacts) -> str | None:
    """Why a vCenter cannot encrypt a new vTPM, or None when it has a usable key provider."""
    if not vcenter.key_providers:
        return "has no key provider"
    default = vcenter.default_key_provider
    candidates = (default,) if default is not None else vcenter.key_providers
    if any(not (kp.type == KeyProviderType.NATIVE and kp.tpm_hosts_only) or vcenter.has_tpm_host for kp in candidates):
        return None
    return (
        "offers only a Native Key Provider restricted to TPM-protected hosts, and none of its hosts has a TPM 2.0 chip"
    )


def key_provider_configured(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return _no_tpm(case, "key_provider_configured")
    problem = key_provider_problem(case.target.vcenter)
    if problem is None:
        return _check(case, "key_provider_configured", PASS, "The target vCenter has a usable key provider.")
    return _check(
        case,
        "key_provider_configured",
        FAIL,
        f"The target vCenter {problem}; a vTPM needs a key provider to encrypt the VM files.",
        "Ask your provider to configure a usable key provider (native, standard or "
        "trusted) on the vCenter backing the target, or choose a VDC backed by "
        "another vCenter.",
    )


def source_key_provider(subject: Subject) -> str | None:
    """The name of the key provider that encrypts a VM, as well as it can be told."""
    if subject.vm.key_provider:
        return subject.vm.key_provider
    source = subject.source
    if source is None:
        return None
    default = source.default_key_provider
    if default is not None:
        return default.name
    return source.key_providers[0].name if len(source.key_providers) == 1 else None


def key_provider_reaches_target(case: VmCase) -> bool:
    """Whether the VM's key provider is registered on the target vCenter by name."""
    name = source_key_provider(case.subject)
    return name is not None and case.target.vcenter.key_provider(name) is not None


def storage_reaches_target(case: VmCase) -> bool:
    """Whether fast instantiation is on or the VM's datastore is visible to the target."""
    if case.fast_cross_vcenter_instantiation:
        return True
    url = case.subject.vm.datastore_url
    target = case.target
    return url is not None and (url in target.vcenter.datastore_urls or url == target.datastore_url)


def _not_across(case: VmCase, check_id: str) -> Check | None:
    if not case.carried:
        return _check(case, check_id, SKIP, f"No existing vTPM of {case.name} is carried over.")
    if not case.cross_vcenter:
        return _check(case, check_id, SKIP, f"{case.name} stays on the same vCenter.")
    return None


def key_provider_on_target(case: VmCase) -> Check:
    skipped = _not_across(case, "key_provider_on_target")
    if skipped is not None:
        return skipped
    if key_provider_reaches_target(case):
        return _check(
            case,
            "key_provider_on_target",
            PASS,
            f"The key provider that encrypts {case.name} is registered on the target vCenter under the same name.",
        )
    return _check(
        case,
        "key_provider_on_target",
        FAIL,
        f"The key provider that encrypts {case.name} is not registered on the target vCenter under the same name.",
        "Ask your provider to register the same key provider, under the same name, "
        f"on the target vCenter, {_OTHER_VCENTER}",
    )


def shared_storage(case: VmCase) -> Check:
    skipped = _not_across(case, "shared_storage")
    if skipped is not None:
        return skipped
    if case.operation is Operation.MOVE_VAPP:
        return _check(case, "shared_storage", SKIP, "moveVApp has no shared-storage requirement.")
    if storage_reaches_target(case):
        return _check(
            case,
            "shared_storage",
            PASS,
            f"{case.name} can reach the target vCenter: shared storage or fast cross-vCenter instantiation.",
        )
    return _check(
        case,
        "shared_storage",
        FAIL,
        f"{case.name} is not on storage shared with the target vCenter, and fast cross-vCenter instantiation is off.",
        "Ask your provider to turn on fast cross-vCenter vApp instantiation or to "
        f"share a datastore between the two vCenters, {_OTHER_VCENTER}",
    )


def cross_vcenter_instantiation(case: VmCase) -> Check:
    check_id = "cross_vcenter_instantiation"
    if case.subject.template is None or not case.cross_vcenter:
        return _check(case, check_id, SKIP, f"{case.name} is not instantiated from a template on another vCenter.")
    if case.action is TpmAction.REPLACE:
        return _check(
            case,
            check_id,
            PASS,
            f"The template replaces the vTPM of {case.name}, so "
            "any target vCenter that meets the vTPM requirements will do.",
        )
    if case.action is not TpmAction.COPY:
        return _check(case, check_id, SKIP, f"{case.name} has no vTPM to carry over.")
    if key_provider_reaches_target(case) and storage_reaches_target(case):
        return _check(
            case,
            check_id,
            PASS,
            f"The template copies the vTPM of {case.name}, and the key provider and storage reach the target vCenter.",
        )
    return _check(
        case,
        check_id,
        FAIL,
        f"The template copies the vTPM of {case.name}; across vCenters that needs the "
        "same key provider on the target and shared storage or fast cross-vCenter "
        "instantiation.",
        f"Resolve key_provider_on_target and shared_storage, use a template that replaces the vTPM, {_OTHER_VCENTER}",
    )


def tpm_mode_supported(case: VmCase) -> Check:
    return _check(case, "tpm_mode_supported", case.mode.status, case.mode.message, case.mode.remedy)


def powered_off(case: VmCase) -> Check:
    if case.operation not in _DEVICE_OPERATIONS:
        return _check(case, "powered_off", SKIP, "Only adding or removing a vTPM needs the VM powered off.")
    if case.subject.vm.power != Power.ON:
        return _check(case, "powered_off", PASS, f"{case.name} is powered off.")
    return _check(
        case,
        "powered_off",
        FAIL,
        f"{case.name} is powered on; a vTPM can be added or removed only while the VM is powered off (no hot-add).",
        f"Shut down the guest OS of {case.name}, power it off, and try again.",
    )


def single_tpm(case: VmCase) -> Check:
    if case.operation is not Operation.ADD_TPM:
        return _check(case, "single_tpm", SKIP, "Only adding a vTPM could give a VM a second one.")
    if not case.subject.vm.tpm_present:
        return _check(case, "single_tpm", PASS, f"{case.name} has no vTPM yet.")
    return _check(
        case,
        "single_tpm",
        FAIL,
        f"{case.name} already has a vTPM; a VM can have only one.",
        f"Nothing to add: keep the vTPM of {case.name}.",
    )


def tpm_present(case: VmCase) -> Check:
    if case.operation is not Operation.REMOVE_TPM:
        return _check(case, "tpm_present", SKIP, "Only removing a vTPM needs one to be present.")
    if case.subject.vm.tpm_present:
        return _check(case, "tpm_present", PASS, f"{case.name} has a vTPM to remove.")
    return _check(
        case,
        "tpm_present",
        FAIL,
        f"{case.name} has no vTPM to remove.",
        f"Nothing to remove: check that {case.name} is the VM you meant.",
    )


def data_loss_acknowledged(case: VmCase) -> Check:
    replaces = case.action is TpmAction.REPLACE and case.by_request and case.subject.vm.tpm_present
    if not replaces and case.action is not TpmAction.REMOVE:
        return _check(case, "data_loss_acknowledged", SKIP, f"No existing vTPM of {case.name} is replaced or removed.")
    loss = (
        f"Removing the vTPM of {case.name} destroys its keys"
        if not replaces
        else f"The new vTPM of the copy of {case.name} does not have the keys of the original"
    )
    if case.acknowledge_tpm_data_loss:
        return _check(case, "data_loss_acknowledged", PASS, f"{loss}; this is acknowledged.")
    return _check(
        case,
        "data_loss_acknowledged",
        WARN,
        f"{loss}: BitLocker, Windows Hello and other workloads that rely on them stop working.",
        f"Make sure no workload of {case.name} still relies on its vTPM (e.g. suspend "
        "BitLocker), then set acknowledge_tpm_data_loss: true.",
    )


PER_VM_CHECKS = (
    firmware_efi,
    hardware_version,
    guest_os_supported,
    vcenter_version_for_guest,
    key_provider_configured,
    key_provider_on_target,
    shared_storage,
    cross_vcenter_instantiation,
    tpm_mode_supported,
    powered_off,
    single_tpm,
    tpm_present,
    data_loss_acknowledged,
)
CHECK_IDS = tuple(check.__name__ for check in PER_VM_CHECKS)


def check_vm(case: VmCase) -> list[Check]:
    """Every check for one VM, in the contract's order."""
    return [check(case) for check in PER_VM_CHECKS]


def no_vm_checks() -> list[Check]:
    """Every check skipped, for an operation that involves no VM at all."""
    return [Check(check_id, SKIP, "The operation involves no VM.") for check_id in CHECK_IDS]
