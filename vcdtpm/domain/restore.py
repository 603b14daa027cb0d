"""Pure checks before restoring a vTPM backup onto a vCenter: backup facts in, `Check`s out."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.domain.guest import GuestFamily, classify
from vcdtpm.domain.model import Check, CheckStatus, Firmware, KeyProviderType, VCenterFacts
from vcdtpm.domain.preflight import MINIMUM_HARDWARE_VERSION
from vcdtpm.domain.versions import at_least

PASS, FAIL, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.SKIP


@dataclass(frozen=True)
class BackupFacts:
    """What the checks need to know of one backup: the VM it saved and whether its bundle is intact."""

    vm: str  # URN of the backed-up VM
    name: str
    guest_os: str
    firmware: str
    hardware_version: int
    key_provider: str
    intact: bool


@dataclass(frozen=True)
class RestorePlan:
    """The checks of one restore; `allowed` exactly when none fails (the shape PreflightFailed carries)."""

    checks: tuple[Check, ...]

    @property
    def allowed(self) -> bool:
        return all(c.status is not FAIL for c in self.checks)


def _check(b: BackupFacts, check_id: str, status: CheckStatus, message: str, remedy: str = "") -> Check:
    return Check(check_id, status, message, remedy, b.vm)


def backup_checksum(b: BackupFacts) -> Check:
    if b.intact:
        return _check(b, "backup_checksum", PASS, f"The backup bundle of {b.name} verifies (sha256).")
    return _check(
        b,
        "backup_checksum",
        FAIL,
        f"The backup bundle of {b.name} does not match its sha256 checksum: it was changed "
        "or damaged after it was written.",
        "Restore from another backup of the VM, or take a new backup.",
    )


def firmware_efi(b: BackupFacts) -> Check:
    if b.firmware == Firmware.EFI.value:
        return _check(b, "firmware_efi", PASS, f"{b.name} was backed up with EFI firmware.")
    return _check(
        b,
        "firmware_efi",
        FAIL,
        f"{b.name} was backed up with {b.firmware} firmware; a vTPM needs EFI firmware.",
        "Restore from a backup of a VM that uses EFI firmware.",
    )


def hardware_version(b: BackupFacts) -> Check:
    if b.hardware_version >= MINIMUM_HARDWARE_VERSION:
        return _check(b, "hardware_version", PASS, f"{b.name} has hardware version {b.hardware_version} (14 or later).")
    return _check(
        b,
        "hardware_version",
        FAIL,
        f"{b.name} has hardware version {b.hardware_version}; a vTPM needs 14 or later.",
        "Restore from a backup of a VM with hardware version 14 or later.",
    )


def vcenter_version_for_guest(b: BackupFacts, target: VCenterFacts) -> Check:
    check_id = "vcenter_version_for_guest"
    guest = classify(b.guest_os)
    if guest.minimum_vcenter is None:
        return _check(b, check_id, SKIP, f"The guest OS of {b.name} has no vCenter minimum for a vTPM.")
    family = "Windows" if guest.family is GuestFamily.WINDOWS else "Linux"
    if at_least(target.version, guest.minimum_vcenter):
        return _check(
            b, check_id, PASS, f"vCenter {target.name} ({target.version}) can host a {family} VM with a vTPM."
        )
    return _check(
        b,
        check_id,
        FAIL,
        f"vCenter {target.name} ({target.version}) is older than vCenter "
        f"{guest.minimum_vcenter.label}, the minimum for a {family} VM with a vTPM.",
        "Restore onto a newer vCenter, or upgrade this one.",
    )


def key_provider_on_target(b: BackupFacts, target: VCenterFacts) -> Check:
    if target.key_provider(b.key_provider) is not None:
        return _check(
            b, "key_provider_on_target", PASS, f"Key provider {b.key_provider} is registered on vCenter {target.name}."
        )
    return _check(
        b,
        "key_provider_on_target",
        FAIL,
        f"Key provider {b.key_provider}, which holds the key of {b.name}'s vTPM, is not "
        f"registered on vCenter {target.name}: the restored VM could not be decrypted.",
        f"Register the same key provider (the same KMS, or the exported Native Key Provider) "
        f"as {b.key_provider} on vCenter {target.name}, or restore onto a vCenter that has it.",
    )


def key_provider_configured(b: BackupFacts, target: VCenterFacts) -> Check:
    provider = target.key_provider(b.key_provider)
    if provider is None:
        return _check(b, "key_provider_configured", SKIP, "See key_provider_on_target.")
    if provider.type is KeyProviderType.NATIVE and provider.tpm_hosts_only and not target.has_tpm_host:
        return _check(
            b,
            "key_provider_configured",
            FAIL,
            f"Key provider {b.key_provider} on vCenter {target.name} is a Native Key Provider "
            "restricted to TPM-protected hosts, and none of its hosts has a TPM 2.0 chip.",
            f"Add a host with a TPM 2.0 chip to vCenter {target.name}, lift the restriction, "
            "or restore onto another vCenter.",
        )
    return _check(
        b, "key_provider_configured", PASS, f"Key provider {b.key_provider} is usable on vCenter {target.name}."
    )


def restore_checks(b: BackupFacts, target: VCenterFacts) -> RestorePlan:
    """Every check of restoring backup `b` onto vCenter `target`."""
    return RestorePlan(
        (
            backup_checksum(b),
            firmware_efi(b),
            hardware_version(b),
            vcenter_version_for_guest(b, target),
            key_provider_on_target(b, target),
            key_provider_configured(b, target),
        )
    )
