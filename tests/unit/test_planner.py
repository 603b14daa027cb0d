"""The planner: every operation on both bands, provenance, cross-vCenter rules and checks."""

import pytest

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.matrix import MATRIX, MatrixGap
from vcdtpm.domain.model import (
    Band,
    CheckStatus,
    Datastore,
    Firmware,
    Host,
    Operation,
    Placement,
    PlanInput,
    Power,
    Provenance,
    SourceVApp,
    TpmAction,
    TpmMode,
)
from vcdtpm.domain.planner import plan
from vcdtpm.domain.preflight import CHECK_IDS

from .factories import (
    KEY_PROVIDER,
    OTHER_KEY_PROVIDER,
    SHARED_URL,
    leaks,
    native,
    new_vm,
    plan_input,
    secrets_of,
    standard,
    subject,
    template,
    vcenter,
    vcenter_of_band,
    vm,
)

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
O, A = Operation, TpmAction
CAPTURES = (O.CAPTURE_VAPP, O.CAPTURE_VM)


def check(result, check_id, vm_ref=None):
    found = [c for c in result.checks if c.id == check_id and (vm_ref is None or c.vm == vm_ref)]
    assert len(found) == 1, (check_id, found)
    return found[0]


def modes(operation, band):
    return {mode.value for mode in MATRIX[(operation, band)].modes}


def subject_for(operation, vc):
    """The natural subject of an operation on one vCenter."""
    if operation is O.ADD_TPM:
        return subject(vm(tpm_present=False), vc)
    if "template" in modes(operation, Band.V8):
        return subject(vm(), vc, template=template(Provenance.CAPTURED, TpmMode.COPY))
    if "new" in modes(operation, Band.V8):
        return subject(new_vm(), None)
    return subject(vm(), vc)


def expected(operation, band, requested, opt_in):
    """(action, rule, tpm_mode_supported) from the matrix data and the planning rules."""
    cell, wanted = MATRIX[(operation, band)], requested.value if requested else None
    if operation is O.REPLACE_TPM:
        return A.REPLACE, cell.rule, PASS if wanted is None else FAIL
    if operation in (O.ADD_TPM, O.REMOVE_TPM) or modes(operation, band) & {"new"}:
        action = A.NEW if operation is not O.REMOVE_TPM else A.REMOVE
        return action, cell.rule, PASS if wanted is None else FAIL
    if "template" in modes(operation, band):
        return A.COPY, "provenance.captured", PASS if wanted in (None, "copy") else FAIL
    chosen = wanted or "copy"
    if chosen in modes(operation, band):
        copies = chosen == "copy" or operation in CAPTURES
        return (A.COPY if copies else A.REPLACE), cell.rule, PASS
    if chosen == "replace" and band is Band.V7 and "replace" in modes(operation, Band.V8):
        return (A.REPLACE, "emulation.replace_on_7x", PASS) if opt_in else (A.COPY, cell.rule, FAIL)
    return A.COPY, cell.rule, FAIL


@pytest.mark.parametrize("opt_in", [False, True], ids=["plain", "replace_on_7x"])
@pytest.mark.parametrize("requested", [None, TpmMode.COPY, TpmMode.REPLACE], ids=["unset", "copy", "replace"])
@pytest.mark.parametrize("band", list(Band), ids=lambda b: b.value)
@pytest.mark.parametrize("operation", list(Operation), ids=lambda o: o.value)
def test_every_operation_band_and_request_follows_the_matrix(operation, band, requested, opt_in):
    vc = vcenter_of_band(band.value)
    the_subject = subject_for(operation, vc)
    result = plan(plan_input(operation, [the_subject], target=vc, requested=requested, replace_on_7x=opt_in))
    action, rule, mode_status = expected(operation, band, requested, opt_in)
    assert (result.vms[0].action, result.vms[0].rule) == (action, rule)
    assert check(result, "tpm_mode_supported").status is mode_status
    assert result.allowed is (mode_status is PASS)
    assert [c.id for c in result.checks] == list(CHECK_IDS)
    offers_copy = "copy" in modes(operation, band)
    assert result.tpm == (requested or (TpmMode.COPY if offers_copy else None))
    assert (result.source_band, result.target_band) == (None if the_subject.source is None else band, band)
    by_request = action is A.REPLACE and rule != "provenance.captured"
    losing = by_request or action is A.REMOVE
    assert check(result, "data_loss_acknowledged").status is (WARN if losing else SKIP)
    assert any("emulated" in w for w in result.warnings) is (rule == "emulation.replace_on_7x")


def test_copy_vm_on_7x_refuses_replace():
    vc = vcenter_of_band("7.x")
    result = plan(plan_input(O.COPY_VM, [subject(vm(), vc)], target=vc, requested=TpmMode.REPLACE))
    mode = check(result, "tpm_mode_supported")
    assert result.allowed is False and mode.status is FAIL
    assert "replace_on_7x" in mode.remedy and "8.x" in mode.remedy
    assert result.vms[0].action is A.COPY and result.vms[0].rule == "matrix.copy_vm.7x"


def test_copy_vm_on_7x_emulates_replace_when_opted_in():
    vc = vcenter_of_band("7.x")
    result = plan(
        plan_input(
            O.COPY_VM,
            [subject(vm(), vc)],
            target=vc,
            requested=TpmMode.REPLACE,
            replace_on_7x=True,
            acknowledge_tpm_data_loss=True,
        )
    )
    assert result.allowed is True
    assert (result.vms[0].action, result.vms[0].rule) == (A.REPLACE, "emulation.replace_on_7x")
    assert check(result, "data_loss_acknowledged").status is PASS
    assert result.warnings == (
        "Replace for web-1 is emulated on the 7.x band: the VM is copied with its vTPM, then "
        "the vTPM of the powered-off copy is removed and a new one is added.",
    )


def test_copy_vm_from_8x_to_7x_reads_the_matrix_on_the_lower_band():
    source, target = vcenter_of_band("8.x"), vcenter_of_band("7.x", key_providers=(standard(),), datastores=())
    result = plan(
        plan_input(
            O.COPY_VM,
            [subject(vm(datastore_url=SHARED_URL), source)],
            target=target,
            datastore_url=SHARED_URL,
            requested=TpmMode.REPLACE,
        )
    )
    assert (result.source_band, result.target_band) == (Band.V8, Band.V7)
    assert check(result, "tpm_mode_supported").status is FAIL


def test_copy_vm_from_7x_to_8x_also_reads_the_matrix_on_7x():
    source, target = vcenter_of_band("7.x"), vcenter_of_band("8.x")
    result = plan(
        plan_input(O.COPY_VM, [subject(vm(), source)], target=target, requested=TpmMode.REPLACE, replace_on_7x=True)
    )
    assert result.vms[0].rule == "emulation.replace_on_7x"


def test_copy_vm_on_8x_replaces_when_requested_and_warns_about_the_lost_keys():
    result = plan(plan_input(O.COPY_VM, [subject(vm(), vcenter())], requested=TpmMode.REPLACE))
    assert (result.vms[0].action, result.vms[0].rule) == (A.REPLACE, "matrix.copy_vm.8x")
    loss = check(result, "data_loss_acknowledged")
    assert result.allowed is True and loss.status is WARN and result.warnings == (loss.message,)


def test_copy_vm_copies_by_default_and_says_why():
    result = plan(plan_input(O.COPY_VM, [subject(vm(), vcenter())]))
    assert result.tpm is TpmMode.COPY and result.vms[0].action is A.COPY
    assert result.vms[0].reason == "The copy of web-1 gets a copy of its vTPM."
    assert check(result, "tpm_mode_supported").message == ("'copy' is offered for web-1 (Cloud Director's default).")


def test_move_vm_refuses_replace_even_on_8x():
    result = plan(plan_input(O.MOVE_VM, [subject(vm(), vcenter())], requested=TpmMode.REPLACE, replace_on_7x=True))
    assert check(result, "tpm_mode_supported").status is FAIL
    assert result.vms[0].reason == "Moving web-1 keeps its vTPM."


def test_a_vm_without_vtpm_gets_none_and_skips_the_vtpm_checks():
    result = plan(
        plan_input(
            O.COPY_VAPP, [subject(vm(tpm_present=False, firmware=Firmware.BIOS), vcenter())], requested=TpmMode.REPLACE
        )
    )
    assert result.vms[0].action is A.NONE and result.allowed is True
    assert {c.status for c in result.checks} == {SKIP}


def test_copy_vapp_plans_every_vm_and_runs_checks_per_vm():
    vms = [vm("web-1"), vm("web-2", firmware=Firmware.BIOS), vm("db-1", tpm_present=False)]
    result = plan(plan_input(O.COPY_VAPP, [subject(v, vcenter()) for v in vms]))
    assert [(p.name, p.action) for p in result.vms] == [("web-1", A.COPY), ("web-2", A.COPY), ("db-1", A.NONE)]
    assert len(result.checks) == 3 * len(CHECK_IDS)
    assert check(result, "firmware_efi", vms[1].id).status is FAIL
    assert check(result, "firmware_efi", vms[2].id).status is SKIP
    assert result.allowed is False


def test_the_source_band_is_the_lowest_of_several_sources():
    subjects = [subject(vm("a"), vcenter_of_band("8.x")), subject(vm("b"), vcenter_of_band("7.x"))]
    result = plan(plan_input(O.COPY_VAPP, subjects, target=vcenter_of_band("8.x")))
    assert result.source_band is Band.V7


def test_create_vm_with_a_vtpm_gets_a_new_one_and_has_no_source_band():
    result = plan(plan_input(O.CREATE_VM, [subject(new_vm("app-1"))]))
    assert (result.vms[0].action, result.vms[0].rule) == (A.NEW, "matrix.create_vm.8x")
    assert (result.source_band, result.tpm, result.allowed) == (None, None, True)
    assert result.vms[0].id is None and check(result, "firmware_efi", "app-1").status is PASS


def test_create_vm_refuses_a_requested_tpm_mode():
    result = plan(plan_input(O.CREATE_VM, [subject(new_vm())], requested=TpmMode.COPY))
    mode = check(result, "tpm_mode_supported")
    assert mode.status is FAIL and mode.remedy == "Omit `tpm` for create_vm."


def test_create_vm_without_vtpm_gets_none():
    result = plan(plan_input(O.CREATE_VM, [subject(new_vm(tpm=False, firmware=Firmware.BIOS))]))
    assert result.vms[0].action is A.NONE and result.allowed is True


def test_an_ovf_vm_with_a_vtpm_gets_a_new_one():
    result = plan(plan_input(O.CREATE_VAPP_FROM_OVF, [subject(new_vm(), from_ovf=True)]))
    assert result.vms[0].action is A.NEW


@pytest.mark.parametrize(
    "provenance, provisioning, action, rule",
    [
        (Provenance.CAPTURED, TpmMode.COPY, A.COPY, "provenance.captured"),
        (Provenance.CAPTURED, TpmMode.REPLACE, A.REPLACE, "provenance.captured"),
        (Provenance.CAPTURED, None, A.COPY, "provenance.captured"),
        (Provenance.OVF, None, A.REPLACE, "provenance.ovf"),
        (Provenance.VCENTER_IMPORT, None, A.COPY, "provenance.vcenter_import"),
        (Provenance.UNKNOWN, TpmMode.COPY, A.COPY, "provenance.reported"),
        (Provenance.UNKNOWN, TpmMode.REPLACE, A.REPLACE, "provenance.reported"),
    ],
)
@pytest.mark.parametrize(
    "operation", [O.CREATE_VM_FROM_TEMPLATE, O.COMPOSE_VAPP, O.INSTANTIATE_VAPP_TEMPLATE, O.ADD_VM_FROM_TEMPLATE]
)
def test_template_provenance_decides_the_action(operation, provenance, provisioning, action, rule):
    vc = vcenter()
    tpl = template(provenance, provisioning)
    result = plan(plan_input(operation, [subject(vm(), vc, template=tpl)], target=vc))
    assert (result.vms[0].action, result.vms[0].rule, result.tpm) == (action, rule, None)
    assert check(result, "data_loss_acknowledged").status is SKIP
    assert result.allowed is True


@pytest.mark.parametrize(
    "provenance, provisioning, requested, expected",
    [
        (Provenance.OVF, None, TpmMode.COPY, FAIL),
        (Provenance.OVF, None, TpmMode.REPLACE, PASS),
        (Provenance.VCENTER_IMPORT, None, TpmMode.REPLACE, FAIL),
        (Provenance.CAPTURED, TpmMode.REPLACE, TpmMode.REPLACE, PASS),
        (Provenance.CAPTURED, TpmMode.REPLACE, TpmMode.COPY, FAIL),
    ],
)
def test_a_requested_mode_must_match_the_template(provenance, provisioning, requested, expected):
    tpl = template(provenance, provisioning)
    result = plan(
        plan_input(O.INSTANTIATE_VAPP_TEMPLATE, [subject(vm(), vcenter(), template=tpl)], requested=requested)
    )
    mode = check(result, "tpm_mode_supported")
    assert mode.status is expected and result.tpm is requested
    if expected is FAIL:
        assert mode.remedy.startswith("Omit `tpm`, or pick a template whose TPM provisioning")


def test_compose_vapp_mixes_template_items_and_new_vms():
    vc = vcenter()
    items = [
        subject(vm("from-ovf-tpl"), vc, template=template(Provenance.OVF)),
        subject(new_vm("fresh")),
        subject(new_vm("plain", tpm=False)),
    ]
    result = plan(plan_input(O.COMPOSE_VAPP, items, target=vc, requested=TpmMode.COPY))
    assert [(p.name, p.action) for p in result.vms] == [
        ("from-ovf-tpl", A.REPLACE),
        ("fresh", A.NEW),
        ("plain", A.NONE),
    ]
    assert check(result, "tpm_mode_supported", items[0].vm.id).status is FAIL
    assert check(result, "tpm_mode_supported", "fresh").status is SKIP
    assert result.vms[1].rule == "matrix.compose_vapp.8x"


@pytest.mark.parametrize("operation", CAPTURES)
@pytest.mark.parametrize(
    "requested, will",
    [(None, "copy the vTPM"), (TpmMode.COPY, "copy the vTPM"), (TpmMode.REPLACE, "give each new VM a new, blank vTPM")],
)
def test_capture_keeps_a_copy_and_says_what_instantiation_will_do(operation, requested, will):
    vc = vcenter_of_band("7.x")
    result = plan(plan_input(operation, [subject(vm(), vc)], target=vc, requested=requested))
    assert result.vms[0].action is A.COPY and will in result.vms[0].reason
    assert result.tpm is (requested or TpmMode.COPY) and result.allowed is True
    assert check(result, "data_loss_acknowledged").status is SKIP


def test_capture_vm_of_a_vm_sharing_its_vapp_is_not_allowed():
    shared = SourceVApp("urn:vcloud:vapp:1", "web", ("web-2",))
    result = plan(plan_input(O.CAPTURE_VM, [subject(vm(), vcenter(), vapp=shared)]))
    alone = check(result, "capture_vm_alone_in_vapp")
    assert (alone.status, result.allowed) == (FAIL, False)
    assert "web-2" in alone.message and "capture_vapp" in alone.remedy
    assert result.vms[0].action is A.COPY and alone.message not in result.warnings


def test_capture_vm_of_a_vm_alone_in_its_vapp_is_allowed():
    alone = SourceVApp("urn:vcloud:vapp:2", "solo")
    result = plan(plan_input(O.CAPTURE_VM, [subject(vm(), vcenter(), vapp=alone)]))
    assert (check(result, "capture_vm_alone_in_vapp").status, result.allowed) == (PASS, True)


def test_capture_vapp_captures_every_vm_and_skips_capture_vm_alone_in_vapp():
    shared = SourceVApp("urn:vcloud:vapp:1", "web", ("web-2",))
    subjects = [subject(vm(), vcenter(), vapp=shared), subject(vm("web-2"), vcenter())]
    result = plan(plan_input(O.CAPTURE_VAPP, subjects))
    assert {c.status for c in result.checks if c.id == "capture_vm_alone_in_vapp"} == {SKIP}
    assert result.allowed is True


def test_add_tpm_creates_a_new_vtpm_on_a_powered_off_vm():
    result = plan(plan_input(O.ADD_TPM, [subject(vm(tpm_present=False), vcenter())]))
    assert (result.vms[0].action, result.allowed) == (A.NEW, True)
    assert check(result, "powered_off").status is PASS and check(result, "single_tpm").status is PASS


def test_add_tpm_refuses_a_powered_on_vm():
    result = plan(plan_input(O.ADD_TPM, [subject(vm(tpm_present=False, power=Power.ON), vcenter())]))
    assert check(result, "powered_off").status is FAIL and result.allowed is False


def test_add_tpm_refuses_a_second_vtpm():
    result = plan(plan_input(O.ADD_TPM, [subject(vm(), vcenter())]))
    assert result.vms[0].action is A.NONE and check(result, "single_tpm").status is FAIL


def test_add_tpm_on_a_bios_vm_fails_firmware_efi():
    result = plan(plan_input(O.ADD_TPM, [subject(vm(tpm_present=False, firmware=Firmware.BIOS), vcenter())]))
    assert check(result, "firmware_efi").status is FAIL and result.allowed is False


def test_remove_tpm_warns_about_data_loss_until_acknowledged():
    result = plan(plan_input(O.REMOVE_TPM, [subject(vm(), vcenter())]))
    loss = check(result, "data_loss_acknowledged")
    assert result.vms[0].action is A.REMOVE and result.allowed is True
    assert loss.status is WARN and result.warnings == (loss.message,)
    acknowledged = plan(plan_input(O.REMOVE_TPM, [subject(vm(), vcenter())], acknowledge_tpm_data_loss=True))
    assert check(acknowledged, "data_loss_acknowledged").status is PASS
    assert acknowledged.warnings == ()


def test_remove_tpm_of_a_vm_without_one_fails_tpm_present():
    result = plan(plan_input(O.REMOVE_TPM, [subject(vm(tpm_present=False), vcenter())]))
    assert result.vms[0].action is A.NONE and check(result, "tpm_present").status is FAIL
    assert check(result, "data_loss_acknowledged").status is SKIP and result.allowed is False


def test_remove_tpm_refuses_a_powered_on_vm():
    result = plan(plan_input(O.REMOVE_TPM, [subject(vm(power=Power.ON), vcenter())]))
    assert check(result, "powered_off").status is FAIL


def _across(target_kps=(KEY_PROVIDER,), shared=True):
    source = vcenter("vc-ams-prod-03", datastores=(Datastore("ds-ams", SHARED_URL),))
    target = vcenter(
        "vc-fra-dr-09",
        key_providers=tuple(standard(n) for n in target_kps),
        datastores=(Datastore("ds-fra", SHARED_URL if shared else "ds:///fra/"),),
    )
    return source, target


@pytest.mark.parametrize(
    "operation",
    [O.COPY_VM, O.MOVE_VM, O.COPY_VAPP, O.CAPTURE_VAPP, O.CAPTURE_VM, O.IMPORT_VM_AS_VAPP, O.IMPORT_VM_AS_TEMPLATE],
)
@pytest.mark.parametrize(
    "target_kps, shared, fast, kp_status, storage_status",
    [
        ((KEY_PROVIDER,), True, False, PASS, PASS),
        ((KEY_PROVIDER,), False, False, PASS, FAIL),
        ((KEY_PROVIDER,), False, True, PASS, PASS),
        ((OTHER_KEY_PROVIDER,), True, False, FAIL, PASS),
    ],
)
def test_cross_vcenter_copies_need_the_key_provider_and_shared_storage(
    operation, target_kps, shared, fast, kp_status, storage_status
):
    source, target = _across(target_kps, shared)
    the_vm = vm(datastore_url=SHARED_URL)
    result = plan(
        plan_input(operation, [subject(the_vm, source)], target=target, fast_cross_vcenter_instantiation=fast)
    )
    assert check(result, "key_provider_on_target").status is kp_status
    assert check(result, "shared_storage").status is storage_status
    assert result.allowed is (kp_status is PASS and storage_status is PASS)


def test_move_vapp_across_vcenters_needs_the_key_provider_but_no_shared_storage():
    source, target = _across((OTHER_KEY_PROVIDER,), shared=False)
    result = plan(plan_input(O.MOVE_VAPP, [subject(vm(datastore_url=SHARED_URL), source)], target=target))
    assert check(result, "shared_storage").status is SKIP
    assert check(result, "key_provider_on_target").status is FAIL


def test_a_replace_across_vcenters_carries_nothing_over():
    source, target = _across((OTHER_KEY_PROVIDER,), shared=False)
    result = plan(plan_input(O.COPY_VM, [subject(vm(), source)], target=target, requested=TpmMode.REPLACE))
    assert check(result, "key_provider_on_target").status is SKIP
    assert check(result, "shared_storage").status is SKIP and result.allowed is True


def test_an_emulated_replace_across_vcenters_carries_the_copy_over_first():
    source, target = _across((OTHER_KEY_PROVIDER,), shared=False)
    source = vcenter_of_band("7.x", "vc-ams-prod-03")
    result = plan(
        plan_input(O.COPY_VM, [subject(vm(), source)], target=target, requested=TpmMode.REPLACE, replace_on_7x=True)
    )
    assert result.vms[0].rule == "emulation.replace_on_7x"
    assert check(result, "key_provider_on_target").status is FAIL


@pytest.mark.parametrize(
    "provenance, provisioning, target_kps, shared, fast, expected",
    [
        (Provenance.OVF, None, (OTHER_KEY_PROVIDER,), False, False, PASS),
        (Provenance.CAPTURED, TpmMode.REPLACE, (OTHER_KEY_PROVIDER,), False, False, PASS),
        (Provenance.CAPTURED, TpmMode.COPY, (KEY_PROVIDER,), True, False, PASS),
        (Provenance.VCENTER_IMPORT, None, (KEY_PROVIDER,), False, True, PASS),
        (Provenance.VCENTER_IMPORT, None, (KEY_PROVIDER,), False, False, FAIL),
        (Provenance.CAPTURED, None, (OTHER_KEY_PROVIDER,), True, True, FAIL),
    ],
)
def test_cross_vcenter_instantiation_follows_what_the_template_does(
    provenance, provisioning, target_kps, shared, fast, expected
):
    source, target = _across(target_kps, shared)
    tpl = template(provenance, provisioning)
    result = plan(
        plan_input(
            O.INSTANTIATE_VAPP_TEMPLATE,
            [subject(vm(datastore_url=SHARED_URL), source, template=tpl)],
            target=target,
            fast_cross_vcenter_instantiation=fast,
        )
    )
    assert check(result, "cross_vcenter_instantiation").status is expected
    assert result.allowed is (expected is PASS)


def test_the_same_vcenter_skips_every_cross_vcenter_check():
    vc = vcenter()
    result = plan(plan_input(O.INSTANTIATE_VAPP_TEMPLATE, [subject(vm(), vc, template=template())], target=vc))
    for check_id in ("key_provider_on_target", "shared_storage", "cross_vcenter_instantiation"):
        assert check(result, check_id).status is SKIP


@pytest.mark.parametrize(
    "guest_os, version, expected",
    [
        ("ubuntu64Guest", "7.0.1", FAIL),
        ("ubuntu64Guest", "7.0.2", PASS),
        ("windows9_64Guest", "6.7.0", PASS),
        ("windows9_64Guest", "6.5.0", FAIL),
    ],
)
def test_the_target_vcenter_must_be_new_enough_for_the_guest(guest_os, version, expected):
    target = vcenter("vc-old-lab-12", version)
    result = plan(plan_input(O.CREATE_VM, [subject(new_vm(guest_os=guest_os))], target=target))
    assert check(result, "vcenter_version_for_guest").status is expected


def test_a_native_key_provider_for_tpm_hosts_only_without_tpm_hosts_blocks_a_new_vtpm():
    target = vcenter("vc-nkp-lab-77", key_providers=(native(tpm_hosts_only=True),), hosts=(Host("esx-77", tpm=False),))
    result = plan(plan_input(O.CREATE_VM, [subject(new_vm())], target=target))
    assert check(result, "key_provider_configured").status is FAIL and result.allowed is False


def test_an_operation_without_vms_emits_every_check_skipped():
    result = plan(plan_input(O.COPY_VAPP, []))
    assert [c.id for c in result.checks] == list(CHECK_IDS)
    assert {(c.status, c.vm) for c in result.checks} == {(SKIP, None)}
    assert result.allowed is True and result.vms == ()


def test_an_operation_missing_from_the_matrix_is_an_error():
    with pytest.raises(MatrixGap):
        plan(PlanInput("frobnicate_vm", (subject(vm(), vcenter()),), Placement(vcenter())))


def test_the_planner_accepts_operation_and_mode_as_their_strings():
    result = plan(PlanInput("copy_vm", (subject(vm(), vcenter()),), Placement(vcenter()), requested="replace"))
    assert (result.operation, result.tpm) == (O.COPY_VM, TpmMode.REPLACE)
    assert result.vms[0].action is A.REPLACE


def test_an_unknown_tpm_mode_is_invalid_and_names_the_field():
    with pytest.raises(Invalid) as caught:
        plan(plan_input(O.COPY_VM, [subject(vm(), vcenter())], requested="shred"))
    assert caught.value.field == "tpm"


def test_no_plan_text_reveals_provider_only_facts():
    source = vcenter_of_band(
        "7.x",
        "vc-ams-prod-03",
        key_providers=(native(tpm_hosts_only=True),),
        hosts=(Host("esx-ams-h9.corp.example", tpm=False),),
    )
    target = vcenter("vc-fra-dr-09", "6.5.0", key_providers=(standard(OTHER_KEY_PROVIDER),))
    bad = vm(
        guest_os="ubuntu64Guest",
        firmware=Firmware.BIOS,
        hardware_version=9,
        power=Power.ON,
        datastore_url="ds:///vmfs/volumes/ams-gold-lun/",
        key_provider="kp-ams-hsm-55",
        vcenter="vc-ams-prod-03",
        moref="vm-4411",
    )
    texts = []
    for operation in Operation:
        for requested in (None, TpmMode.COPY, TpmMode.REPLACE):
            subjects = [
                subject(bad, source),
                subject(vm(tpm_present=False), source),
                subject(bad, source, template=template(Provenance.VCENTER_IMPORT)),
            ]
            result = plan(plan_input(operation, subjects, target=target, requested=requested))
            texts += [t for c in result.checks for t in (c.message, c.remedy)]
            texts += [p.reason for p in result.vms] + list(result.warnings)
    assert leaks(texts, secrets_of(source, target, vms=(bad,))) == []


# -- templates whose provenance nothing records ------------------------------------------------

TEMPLATE_OPERATIONS = [O.CREATE_VM_FROM_TEMPLATE, O.COMPOSE_VAPP, O.INSTANTIATE_VAPP_TEMPLATE, O.ADD_VM_FROM_TEMPLATE]


@pytest.mark.parametrize("operation", TEMPLATE_OPERATIONS)
def test_an_unknown_provenance_is_said_never_claimed_as_a_copy(operation):
    vc = vcenter()
    result = plan(plan_input(operation, [subject(vm(), vc, template=template(Provenance.UNKNOWN))], target=vc))
    only = result.vms[0]
    assert (only.action, only.rule) == (A.UNKNOWN, "provenance.unknown")
    assert "unknown" in only.reason and "either a copy" in only.reason
    assert check(result, "template_provenance").status is WARN
    assert any("may not survive" in warning for warning in result.warnings)
    assert result.allowed is True


def test_an_unknown_provenance_across_vcenters_needs_what_a_copy_needs():
    home = vcenter("vc-ams-prod-03")
    away = vcenter("vc-lis-edge-05", key_providers=(standard(OTHER_KEY_PROVIDER),))
    tpl = template(Provenance.UNKNOWN)
    result = plan(plan_input(O.INSTANTIATE_VAPP_TEMPLATE, [subject(vm(), home, template=tpl)], target=away))
    failing = {c.id for c in result.checks if c.status is FAIL}
    assert {"key_provider_on_target", "shared_storage", "cross_vcenter_instantiation"} <= failing
    assert result.allowed is False and result.vms[0].action is A.UNKNOWN


@pytest.mark.parametrize("requested", [TpmMode.COPY, TpmMode.REPLACE])
def test_a_requested_mode_cannot_be_promised_for_an_unknown_provenance(requested):
    tpl = template(Provenance.UNKNOWN)
    result = plan(
        plan_input(O.INSTANTIATE_VAPP_TEMPLATE, [subject(vm(), vcenter(), template=tpl)], requested=requested)
    )
    assert check(result, "tpm_mode_supported").status is FAIL and result.allowed is False


def test_a_template_vm_without_vtpm_has_nothing_unknown():
    tpl = template(Provenance.UNKNOWN)
    result = plan(plan_input(O.INSTANTIATE_VAPP_TEMPLATE, [subject(vm(tpm_present=False), vcenter(), template=tpl)]))
    assert result.vms[0].action is A.NONE and check(result, "template_provenance").status is SKIP


# -- imports from vCenter keep the vTPM, copying or moving ------------------------------------


@pytest.mark.parametrize("operation", [O.IMPORT_VM_AS_VAPP, O.IMPORT_VM_AS_TEMPLATE])
@pytest.mark.parametrize("move", [False, True])
def test_an_import_keeps_the_vtpm_whether_it_copies_or_moves(operation, move):
    vc = vcenter()
    result = plan(plan_input(operation, [subject(vm(), vc)], target=vc, move=move))
    only = result.vms[0]
    assert only.action is A.COPY and only.rule.startswith(f"matrix.{operation.value}.")
    assert ("Moving web-1 in from vCenter keeps its vTPM" in only.reason) is move
    assert result.allowed is True
