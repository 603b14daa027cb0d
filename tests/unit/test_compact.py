"""Compact plans: what holds for every VM once, per VM only what did not pass."""

from __future__ import annotations

from vcdtpm.domain.compact import compact_checks
from vcdtpm.domain.model import Check, CheckStatus

P, F, W, S = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP


def c(check_id: str, status: CheckStatus, vm: str | None, message: str = "m") -> Check:
    return Check(check_id, status, message, "", vm)


def test_a_check_passing_for_every_vm_appears_once_without_a_vm():
    out = compact_checks([c("firmware_efi", P, "a", "a uses EFI"), c("firmware_efi", P, "b", "b uses EFI")])
    assert [(x.id, x.status, x.vm) for x in out] == [("firmware_efi", P, None)]
    assert out[0].message == "Passes for all 2 VMs; for example: a uses EFI"


def test_a_check_that_applies_to_no_vm_appears_once():
    out = compact_checks([c("powered_off", S, "a"), c("powered_off", S, "b")])
    assert [(x.id, x.status, x.vm) for x in out] == [("powered_off", S, None)]


def test_one_vm_keeps_its_own_message():
    assert compact_checks([c("hardware_version", P, "a", "a has 19")]) == (c("hardware_version", P, None, "a has 19"),)


def test_mixed_outcomes_keep_only_the_vms_that_did_not_pass():
    checks = [c("firmware_efi", P, "a"), c("firmware_efi", F, "b"), c("firmware_efi", S, "c"), c("x", W, "a")]
    out = compact_checks(checks)
    assert [(x.id, x.status, x.vm) for x in out] == [("firmware_efi", F, "b"), ("firmware_efi", S, "c"), ("x", W, "a")]


def test_a_check_failing_for_every_vm_stays_per_vm():
    out = compact_checks([c("shared_storage", F, "a"), c("shared_storage", F, "b")])
    assert [x.vm for x in out] == ["a", "b"]


def test_checks_naming_no_vm_stay_and_the_order_is_kept():
    checks = [c("t", S, None), c("firmware_efi", P, "a"), c("single_tpm", F, "a"), c("firmware_efi", P, "b")]
    assert [(x.id, x.vm) for x in compact_checks(checks)] == [("t", None), ("firmware_efi", None), ("single_tpm", "a")]
