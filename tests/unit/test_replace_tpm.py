"""replace_tpm: a new vTPM (a new identity) for an existing, powered-off VM, in two steps."""

from dataclasses import replace

from vcdtpm.domain.model import Band, CheckStatus, Operation, Plan, Power, TpmAction, TpmMode, VmPlan
from vcdtpm.domain.planner import plan
from vcdtpm.domain.steps import EditTpmParams, params_from_json, steps_for

from .factories import plan_input, subject, vcenter, vm

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
O, A = Operation, TpmAction
IDENTITY = "sha256:" + "ab" * 32


def check(result, check_id):
    (found,) = [c for c in result.checks if c.id == check_id]
    return found


def test_replace_tpm_replaces_by_its_own_rule_and_asks_no_mode():
    result = plan(plan_input(O.REPLACE_TPM, [subject(vm(), vcenter())]))
    assert (result.vms[0].action, result.vms[0].rule) == (A.REPLACE, "matrix.replace_tpm.8x")
    assert result.tpm is None and result.allowed is True
    assert "new identity" in result.vms[0].reason
    assert check(result, "tpm_mode_supported").status is PASS


def test_replace_tpm_warns_of_bitlocker_and_windows_hello_until_acknowledged():
    result = plan(plan_input(O.REPLACE_TPM, [subject(vm(), vcenter())]))
    loss = check(result, "data_loss_acknowledged")
    assert loss.status is WARN and "BitLocker" in loss.message and "Windows Hello" in loss.message
    assert loss.message.startswith("Replacing the vTPM of web-1") and loss.message in result.warnings
    acknowledged = plan(plan_input(O.REPLACE_TPM, [subject(vm(), vcenter())], acknowledge_tpm_data_loss=True))
    assert check(acknowledged, "data_loss_acknowledged").status is PASS


def test_replace_tpm_refuses_a_powered_on_vm():
    result = plan(plan_input(O.REPLACE_TPM, [subject(vm(power=Power.ON), vcenter())]))
    assert check(result, "powered_off").status is FAIL and result.allowed is False


def test_replace_tpm_of_a_vm_without_one_fails_tpm_present_and_points_to_add_tpm():
    result = plan(plan_input(O.REPLACE_TPM, [subject(vm(tpm_present=False), vcenter())]))
    present = check(result, "tpm_present")
    assert result.vms[0].action is A.NONE and present.status is FAIL and "add_tpm" in present.remedy
    assert check(result, "data_loss_acknowledged").status is SKIP


def test_replace_tpm_refuses_a_tpm_mode():
    result = plan(plan_input(O.REPLACE_TPM, [subject(vm(), vcenter())], requested=TpmMode.REPLACE))
    assert check(result, "tpm_mode_supported").status is FAIL and result.allowed is False


def test_the_plan_says_which_identity_group_the_vm_leaves():
    shared = replace(subject(vm(tpm_identity=IDENTITY), vcenter()), identity_peers=2)
    result = plan(plan_input(O.REPLACE_TPM, [shared]))
    assert f"web-1 leaves the group of 3 VMs sharing vTPM identity {IDENTITY}; 2 other VMs keep it." in (
        result.warnings
    )
    alone = plan(plan_input(O.REPLACE_TPM, [replace(shared, identity_peers=0)]))
    assert any("with no other VM" in w for w in alone.warnings)
    unread = plan(plan_input(O.REPLACE_TPM, [replace(shared, identity_peers=None)]))
    assert not any(IDENTITY in w for w in unread.warnings)


def test_replace_tpm_is_two_steps_on_the_vm_itself_remove_then_add():
    urn = "urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000001"
    the_plan = Plan(O.REPLACE_TPM, True, None, None, Band.V8, vms=(VmPlan(urn, "web-1", True, A.REPLACE, "r", ""),))
    steps = steps_for(O.REPLACE_TPM, {"source": {"vm": urn}}, the_plan)
    assert [(s.kind, s.params) for s in steps] == [
        ("edit_tpm", EditTpmParams(False, vm=urn)),
        ("edit_tpm", EditTpmParams(True, vm=urn)),
    ]
    assert [s.name for s in steps] == ["remove the vTPM of web-1", "add a new vTPM to web-1"]
    assert params_from_json("edit_tpm", steps[1].params.to_json()) == steps[1].params
