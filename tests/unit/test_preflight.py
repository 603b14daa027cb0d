"""The prerequisite checks, each passing, failing and skipping, and what tenants may read."""

import pytest

from vcdtpm.domain.model import (
    CheckStatus,
    Datastore,
    Firmware,
    Host,
    Operation,
    Placement,
    Power,
    Provenance,
    SourceVApp,
    TpmAction,
    TpmMode,
)
from vcdtpm.domain.preflight import (
    CHECK_IDS,
    PER_VM_CHECKS,
    ModeVerdict,
    VmCase,
    capture_vm_alone_in_vapp,
    check_vm,
    cross_vcenter_instantiation,
    data_loss_acknowledged,
    firmware_efi,
    guest_os_supported,
    hardware_version,
    key_provider_configured,
    key_provider_default,
    key_provider_on_target,
    no_vm_checks,
    powered_off,
    shared_storage,
    single_tpm,
    source_key_provider,
    template_provenance,
    tpm_mode_supported,
    tpm_present,
    vcenter_version_for_guest,
)

from .factories import (
    KEY_PROVIDER,
    OTHER_KEY_PROVIDER,
    SHARED_URL,
    leaks,
    native,
    new_vm,
    secrets_of,
    standard,
    subject,
    template,
    vcenter,
    vm,
)

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
OK_MODE = ModeVerdict(PASS, "Fine.")
HOME = vcenter("vc-ams-prod-03")
AWAY = vcenter("vc-fra-dr-09", datastores=(Datastore("ds-fra-shared", SHARED_URL),))


def case(
    the_vm=None,
    operation=Operation.COPY_VM,
    action=TpmAction.COPY,
    source=HOME,
    target=HOME,
    datastore_url=None,
    mode=OK_MODE,
    the_template=None,
    hosts=None,
    vapp=None,
    **kwargs,
) -> VmCase:
    return VmCase(
        operation,
        subject(the_vm or vm(), source, template=the_template, vapp=vapp),
        Placement(target, datastore_url, hosts),
        action,
        mode,
        **kwargs,
    )


def status(check, the_case) -> CheckStatus:
    return check(the_case).status


def test_the_check_ids_are_the_contract_ones_plus_additions_in_order():
    assert CHECK_IDS == (
        "firmware_efi",
        "hardware_version",
        "guest_os_supported",
        "vcenter_version_for_guest",
        "key_provider_configured",
        "key_provider_default",
        "key_provider_on_target",
        "shared_storage",
        "cross_vcenter_instantiation",
        "template_provenance",
        "tpm_mode_supported",
        "powered_off",
        "single_tpm",
        "tpm_present",
        "data_loss_acknowledged",
        "capture_vm_alone_in_vapp",
    )


def test_check_vm_runs_every_check_once_for_the_vm():
    checks = check_vm(case())
    assert [c.id for c in checks] == list(CHECK_IDS)
    assert {c.vm for c in checks} == {vm().id}


def test_a_vm_yet_to_be_made_is_named_in_its_checks():
    assert firmware_efi(case(new_vm("db-9"), action=TpmAction.NEW)).vm == "db-9"


def test_no_vm_checks_skip_every_check_without_a_vm():
    checks = no_vm_checks()
    assert [c.id for c in checks] == list(CHECK_IDS)
    assert {(c.status, c.vm) for c in checks} == {(SKIP, None)}


@pytest.mark.parametrize("check", PER_VM_CHECKS[:5], ids=lambda c: c.__name__)
def test_requirement_checks_skip_a_vm_that_will_have_no_vtpm(check):
    result = check(case(vm(tpm_present=False), action=TpmAction.NONE))
    assert (result.status, result.message) == (SKIP, "web-1 will not have a vTPM.")


@pytest.mark.parametrize("action", [TpmAction.COPY, TpmAction.REPLACE, TpmAction.NEW])
def test_firmware_efi_passes_efi_and_fails_bios(action):
    assert status(firmware_efi, case(vm(firmware=Firmware.EFI), action=action)) is PASS
    failed = firmware_efi(case(vm(firmware=Firmware.BIOS), action=action))
    assert failed.status is FAIL and "EFI" in failed.remedy and "web-1" in failed.message


@pytest.mark.parametrize("version, expected", [(13, FAIL), (14, PASS), (21, PASS), (10, FAIL)])
def test_hardware_version_needs_14(version, expected):
    assert status(hardware_version, case(vm(hardware_version=version))) is expected


@pytest.mark.parametrize(
    "guest_os, expected",
    [
        ("windows9_64Guest", PASS),
        ("rhel9_64Guest", PASS),
        ("winLonghorn64Guest", PASS),
        ("winXPProGuest", FAIL),
        ("winNetStandardGuest", FAIL),
        ("darwin23_64Guest", FAIL),
        ("freebsd13_64Guest", FAIL),
        ("", FAIL),
    ],
)
def test_guest_os_supported_accepts_windows_7_server_2008_and_linux(guest_os, expected):
    assert status(guest_os_supported, case(vm(guest_os=guest_os))) is expected


@pytest.mark.parametrize(
    "guest_os, version, expected",
    [
        ("windows2019srv_64Guest", "6.7.0", PASS),
        ("windows2019srv_64Guest", "6.5.0", FAIL),
        ("ubuntu64Guest", "7.0.1", FAIL),
        ("ubuntu64Guest", "7.0.2", PASS),
        ("ubuntu64Guest", "7.0 U3", PASS),
        ("ubuntu64Guest", "8.0.2.00100", PASS),
        ("winXPProGuest", "8.0.2", SKIP),
    ],
)
def test_vcenter_version_for_guest_needs_6_7_for_windows_and_7_0_u2_for_linux(guest_os, version, expected):
    target = vcenter("vc-old-lab-12", version)
    result = vcenter_version_for_guest(case(vm(guest_os=guest_os), target=target, source=target))
    assert result.status is expected
    assert version not in result.message + result.remedy


def test_vcenter_version_for_guest_names_the_band_and_the_minimum_only():
    result = vcenter_version_for_guest(case(vm(guest_os="ubuntu64Guest"), target=vcenter("vc-old-lab-12", "7.0.1")))
    assert "7.x band" in result.message and "7.0 U2" in result.message


@pytest.mark.parametrize(
    "key_providers, hosts, expected",
    [
        ((), None, FAIL),
        ((standard(),), None, PASS),
        ((native(tpm_hosts_only=False),), (Host("esx-9", tpm=False),), PASS),
        ((native(tpm_hosts_only=True),), (Host("esx-9", tpm=True),), PASS),
        ((native(tpm_hosts_only=True),), (Host("esx-9", tpm=False),), FAIL),
        ((native(tpm_hosts_only=True),), (), FAIL),
        ((native(tpm_hosts_only=True), standard(OTHER_KEY_PROVIDER, default=False)), (Host("esx-9", tpm=False),), FAIL),
        (
            (native(default=False, tpm_hosts_only=True), standard(OTHER_KEY_PROVIDER, default=False)),
            (Host("esx-9", tpm=False),),
            PASS,
        ),
        ((native(default=False, tpm_hosts_only=True),), (Host("esx-9", tpm=False),), FAIL),
        ((standard(default=False),), None, PASS),
    ],
)
def test_key_provider_configured_needs_a_usable_default_or_any_when_none_is_default(key_providers, hosts, expected):
    target = vcenter("vc-kp-lab-04", key_providers=key_providers, hosts=hosts)
    assert status(key_provider_configured, case(target=target, source=target)) is expected


def test_key_provider_configured_explains_the_tpm_protected_hosts_pitfall():
    target = vcenter(
        "vc-kp-lab-04", key_providers=(native(tpm_hosts_only=True),), hosts=(Host("esx-kp-lab-04-h1", tpm=False),)
    )
    result = key_provider_configured(case(target=target))
    assert "TPM-protected hosts" in result.message and "TPM 2.0" in result.message


@pytest.mark.parametrize("check", [key_provider_on_target, shared_storage], ids=lambda c: c.__name__)
def test_across_checks_skip_on_the_same_vcenter_and_when_nothing_is_carried(check):
    assert status(check, case(target=HOME, source=HOME, carried=True)) is SKIP
    assert status(check, case(target=AWAY, source=HOME, carried=False)) is SKIP
    assert status(check, case(target=AWAY, source=None, carried=True)) is SKIP


@pytest.mark.parametrize(
    "vm_key_provider, target_providers, expected",
    [
        (None, (standard(KEY_PROVIDER),), PASS),
        (None, (standard(OTHER_KEY_PROVIDER),), FAIL),
        (OTHER_KEY_PROVIDER, (standard(KEY_PROVIDER), standard(OTHER_KEY_PROVIDER, False)), PASS),
        (OTHER_KEY_PROVIDER, (standard(KEY_PROVIDER),), FAIL),
        (None, (), FAIL),
    ],
)
def test_key_provider_on_target_needs_the_same_name_on_the_target(vm_key_provider, target_providers, expected):
    target = vcenter("vc-fra-dr-09", key_providers=target_providers)
    the_case = case(vm(key_provider=vm_key_provider), target=target, source=HOME, carried=True)
    assert status(key_provider_on_target, the_case) is expected


def test_source_key_provider_falls_back_to_the_default_then_the_only_one():
    assert source_key_provider(subject(vm(key_provider="kp-x"), HOME)) == "kp-x"
    assert source_key_provider(subject(vm(), HOME)) == KEY_PROVIDER
    only = vcenter("vc-one", key_providers=(standard("kp-only", default=False),))
    assert source_key_provider(subject(vm(), only)) == "kp-only"
    two = vcenter("vc-two", key_providers=(standard("a", False), standard("b", False)))
    assert source_key_provider(subject(vm(), two)) is None
    assert source_key_provider(subject(vm(), None)) is None


def test_a_vm_whose_key_provider_cannot_be_told_fails_key_provider_on_target():
    two = vcenter("vc-two", key_providers=(standard(KEY_PROVIDER, False), standard("b", False)))
    the_case = case(vm(), source=two, target=AWAY, carried=True)
    assert status(key_provider_on_target, the_case) is FAIL


@pytest.mark.parametrize(
    "datastore, placement_url, fast, expected",
    [
        (SHARED_URL, None, False, PASS),
        ("ds:///vmfs/volumes/elsewhere/", None, False, FAIL),
        ("ds:///vmfs/volumes/elsewhere/", "ds:///vmfs/volumes/elsewhere/", False, PASS),
        ("ds:///vmfs/volumes/elsewhere/", None, True, PASS),
        (None, None, False, FAIL),
        (None, None, True, PASS),
    ],
)
def test_shared_storage_needs_a_shared_datastore_or_fast_instantiation(datastore, placement_url, fast, expected):
    the_case = case(
        vm(datastore_url=datastore),
        target=AWAY,
        datastore_url=placement_url,
        carried=True,
        fast_cross_vcenter_instantiation=fast,
    )
    assert status(shared_storage, the_case) is expected


def test_move_vapp_has_no_shared_storage_requirement():
    the_case = case(vm(datastore_url="ds:///nowhere/"), operation=Operation.MOVE_VAPP, target=AWAY, carried=True)
    result = shared_storage(the_case)
    assert (result.status, result.message) == (SKIP, "moveVApp has no shared-storage requirement.")


def test_cross_vcenter_instantiation_skips_non_templates_and_the_same_vcenter():
    assert status(cross_vcenter_instantiation, case(target=AWAY, carried=True)) is SKIP
    tpl = template(Provenance.VCENTER_IMPORT)
    same = case(operation=Operation.INSTANTIATE_VAPP_TEMPLATE, the_template=tpl, carried=True)
    assert status(cross_vcenter_instantiation, same) is SKIP


def test_cross_vcenter_instantiation_passes_a_template_that_replaces():
    the_case = case(
        operation=Operation.INSTANTIATE_VAPP_TEMPLATE,
        action=TpmAction.REPLACE,
        the_template=template(Provenance.OVF),
        target=vcenter("vc-far", key_providers=()),
    )
    assert status(cross_vcenter_instantiation, the_case) is PASS


@pytest.mark.parametrize(
    "target_kp, datastore, fast, expected",
    [
        (KEY_PROVIDER, SHARED_URL, False, PASS),
        (KEY_PROVIDER, "ds:///x/", True, PASS),
        (KEY_PROVIDER, "ds:///x/", False, FAIL),
        (OTHER_KEY_PROVIDER, SHARED_URL, False, FAIL),
        (OTHER_KEY_PROVIDER, SHARED_URL, True, FAIL),
    ],
)
def test_cross_vcenter_instantiation_of_a_copying_template_needs_key_provider_and_storage(
    target_kp, datastore, fast, expected
):
    target = vcenter(
        "vc-fra-dr-09", key_providers=(standard(target_kp),), datastores=(Datastore("ds-fra-shared", SHARED_URL),)
    )
    the_case = case(
        vm(datastore_url=datastore),
        operation=Operation.INSTANTIATE_VAPP_TEMPLATE,
        the_template=template(Provenance.CAPTURED, TpmMode.COPY),
        target=target,
        carried=True,
        fast_cross_vcenter_instantiation=fast,
    )
    assert status(cross_vcenter_instantiation, the_case) is expected


def test_cross_vcenter_instantiation_skips_a_template_vm_without_vtpm():
    the_case = case(
        vm(tpm_present=False),
        operation=Operation.INSTANTIATE_VAPP_TEMPLATE,
        action=TpmAction.NONE,
        the_template=template(),
        target=AWAY,
    )
    assert status(cross_vcenter_instantiation, the_case) is SKIP


def test_tpm_mode_supported_reports_the_planner_verdict():
    verdict = ModeVerdict(FAIL, "Not offered.", "Omit `tpm`.")
    result = tpm_mode_supported(case(mode=verdict))
    assert (result.id, result.status, result.message, result.remedy) == (
        "tpm_mode_supported",
        FAIL,
        "Not offered.",
        "Omit `tpm`.",
    )


@pytest.mark.parametrize("operation", [Operation.ADD_TPM, Operation.REMOVE_TPM])
def test_powered_off_fails_a_powered_on_vm_when_adding_or_removing(operation):
    assert status(powered_off, case(vm(power=Power.ON), operation=operation)) is FAIL
    assert status(powered_off, case(vm(power=Power.OFF), operation=operation)) is PASS


def test_powered_off_skips_other_operations_even_when_powered_on():
    assert status(powered_off, case(vm(power=Power.ON), operation=Operation.COPY_VM)) is SKIP


def test_single_tpm_fails_adding_a_second_vtpm():
    assert status(single_tpm, case(vm(tpm_present=True), operation=Operation.ADD_TPM)) is FAIL
    assert status(single_tpm, case(vm(tpm_present=False), operation=Operation.ADD_TPM, action=TpmAction.NEW)) is PASS
    assert status(single_tpm, case(vm(tpm_present=True))) is SKIP


def test_tpm_present_fails_removing_a_vtpm_that_is_not_there():
    assert (
        status(tpm_present, case(vm(tpm_present=False), operation=Operation.REMOVE_TPM, action=TpmAction.NONE)) is FAIL
    )
    assert status(tpm_present, case(vm(), operation=Operation.REMOVE_TPM, action=TpmAction.REMOVE)) is PASS
    assert status(tpm_present, case(vm(tpm_present=False))) is SKIP


WEB = "urn:vcloud:vapp:00000000-0000-4000-8000-000000000041"


def test_capture_vm_alone_in_vapp_fails_a_vm_sharing_its_vapp_and_names_the_others():
    shared = SourceVApp(WEB, "web", ("web-2", "web-3"))
    result = capture_vm_alone_in_vapp(case(operation=Operation.CAPTURE_VM, vapp=shared))
    assert (result.status, result.vm) == (FAIL, vm().id)
    assert "web-1 shares vApp web with web-2, web-3" in result.message and "whole vApp" in result.message
    assert result.remedy == (
        f"Capture the vApp with capture_vapp (source vApp {WEB}), or move web-1 into a vApp of its own first."
    )


def test_capture_vm_alone_in_vapp_passes_a_vm_alone_in_its_vapp():
    alone = SourceVApp("urn:vcloud:vapp:00000000-0000-4000-8000-000000000047", "solo")
    result = capture_vm_alone_in_vapp(case(operation=Operation.CAPTURE_VM, vapp=alone))
    assert (result.status, result.message, result.remedy) == (PASS, "web-1 is alone in vApp solo.", "")


@pytest.mark.parametrize(
    "operation, vapp",
    [
        (Operation.CAPTURE_VAPP, SourceVApp(WEB, "web", ("web-2",))),
        (Operation.COPY_VM, SourceVApp(WEB, "web", ("web-2",))),
        (Operation.CAPTURE_VM, None),
    ],
    ids=["capture_vapp", "copy_vm", "capture_vm_vapp_not_read"],
)
def test_capture_vm_alone_in_vapp_skips_other_operations_and_an_unread_vapp(operation, vapp):
    assert status(capture_vm_alone_in_vapp, case(operation=operation, vapp=vapp)) is SKIP


@pytest.mark.parametrize(
    "action, by_request, acknowledged, expected",
    [
        (TpmAction.REPLACE, True, False, WARN),
        (TpmAction.REPLACE, True, True, PASS),
        (TpmAction.REMOVE, False, False, WARN),
        (TpmAction.REMOVE, False, True, PASS),
        (TpmAction.REPLACE, False, False, SKIP),
        (TpmAction.COPY, False, False, SKIP),
        (TpmAction.NEW, False, False, SKIP),
    ],
)
def test_data_loss_acknowledged_warns_until_acknowledged(action, by_request, acknowledged, expected):
    the_case = case(action=action, by_request=by_request, acknowledge_tpm_data_loss=acknowledged)
    assert status(data_loss_acknowledged, the_case) is expected


def test_data_loss_warning_names_the_vm_and_the_remedy():
    result = data_loss_acknowledged(case(action=TpmAction.REMOVE, operation=Operation.REMOVE_TPM))
    assert "web-1" in result.message and "BitLocker" in result.message
    assert "acknowledge_tpm_data_loss" in result.remedy


def _every_outcome():
    bad_vm = vm(
        firmware=Firmware.BIOS,
        hardware_version=11,
        guest_os="ubuntu64Guest",
        power=Power.ON,
        datastore_url="ds:///vmfs/volumes/vc-ams-prod-03-local/",
        key_provider=KEY_PROVIDER,
    )
    restricted = vcenter(
        "vc-nkp-lab-77",
        "7.0.1",
        key_providers=(native(tpm_hosts_only=True),),
        hosts=(Host("esx-nkp-lab-77-h3.corp.example", tpm=False),),
    )
    stranger = vcenter("vc-lis-edge-05", key_providers=(standard(OTHER_KEY_PROVIDER),))
    cases = []
    for the_vm in (vm(), bad_vm, vm(tpm_present=False)):
        for target in (HOME, AWAY, restricted, stranger):
            for operation in (
                Operation.COPY_VM,
                Operation.ADD_TPM,
                Operation.REMOVE_TPM,
                Operation.INSTANTIATE_VAPP_TEMPLATE,
                Operation.MOVE_VAPP,
            ):
                for action in (TpmAction.COPY, TpmAction.REPLACE, TpmAction.REMOVE):
                    cases.append(
                        case(
                            the_vm,
                            operation=operation,
                            action=action,
                            target=target,
                            the_template=template(),
                            carried=True,
                            by_request=True,
                        )
                    )
                cases.append(
                    case(
                        the_vm,
                        operation=Operation.INSTANTIATE_VAPP_TEMPLATE,
                        action=TpmAction.UNKNOWN,
                        target=target,
                        the_template=template(Provenance.UNKNOWN),
                        carried=True,
                    )
                )
    return cases, secrets_of(HOME, AWAY, restricted, stranger, vms=(bad_vm,))


def test_no_check_text_reveals_vcenter_host_key_provider_datastore_or_version():
    cases, secrets = _every_outcome()
    checks = [check for the_case in cases for check in check_vm(the_case)]
    assert {c.status for c in checks} == {PASS, FAIL, WARN, SKIP}
    assert leaks([text for c in checks for text in (c.message, c.remedy)], secrets) == []


# -- key providers: a default one, usable on the hosts the VM will run on -------------------


@pytest.mark.parametrize(
    "key_providers, expected",
    [
        ((standard(),), PASS),
        ((native(),), PASS),
        ((standard(default=False),), FAIL),
        ((standard(default=False), native(OTHER_KEY_PROVIDER, default=False)), FAIL),
        ((), SKIP),
    ],
)
def test_key_provider_default_needs_one_key_provider_set_as_the_default(key_providers, expected):
    target = vcenter("vc-kp-lab-04", key_providers=key_providers)
    assert status(key_provider_default, case(target=target, source=target)) is expected


def test_key_provider_default_explains_and_skips_a_vm_without_vtpm():
    target = vcenter("vc-kp-lab-04", key_providers=(standard(default=False),))
    result = key_provider_default(case(target=target))
    assert "none is set as the default" in result.message and "default" in result.remedy
    assert status(key_provider_default, case(vm(tpm_present=False), action=TpmAction.NONE, target=target)) is SKIP


def test_key_provider_configured_looks_at_the_hosts_the_vm_will_run_on_not_any_host():
    target = vcenter(
        "vc-kp-lab-04",
        key_providers=(native(tpm_hosts_only=True),),
        hosts=(Host("esx-tpm", tpm=True), Host("esx-plain", tpm=False)),
    )
    assert status(key_provider_configured, case(target=target)) is PASS  # cluster not known: any host
    assert status(key_provider_configured, case(target=target, hosts=(Host("esx-plain", tpm=False),))) is FAIL
    assert status(key_provider_configured, case(target=target, hosts=(Host("esx-tpm", tpm=True),))) is PASS
    assert status(key_provider_configured, case(target=target, hosts=())) is FAIL


def test_key_provider_configured_tells_the_remedy_for_tpm_less_target_hosts():
    target = vcenter("vc-kp-lab-04", key_providers=(native(tpm_hosts_only=True),), hosts=(Host("esx-t", tpm=True),))
    result = key_provider_configured(case(target=target, hosts=(Host("esx-p", tpm=False),)))
    assert "hosts the VM would run on" in result.message and "TPM 2.0 chip" in result.remedy


# -- templates of unknown provenance --------------------------------------------------------


def _from_template(the_template, action, **kwargs):
    return case(operation=Operation.INSTANTIATE_VAPP_TEMPLATE, action=action, the_template=the_template, **kwargs)


def test_template_provenance_warns_when_nothing_says_how_the_template_was_made():
    result = template_provenance(_from_template(template(Provenance.UNKNOWN), TpmAction.UNKNOWN, carried=True))
    assert result.status is WARN
    assert "unknown" in result.message and "may not survive" in result.message and "vcdtpm" in result.remedy


@pytest.mark.parametrize(
    "the_template",
    [
        template(Provenance.CAPTURED, TpmMode.COPY),
        template(Provenance.CAPTURED, TpmMode.REPLACE),
        template(Provenance.OVF),
        template(Provenance.VCENTER_IMPORT),
        template(Provenance.UNKNOWN, TpmMode.COPY),
    ],
    ids=["captured-copy", "captured-replace", "ovf", "import", "reported"],
)
def test_template_provenance_passes_a_template_whose_treatment_is_known(the_template):
    assert status(template_provenance, _from_template(the_template, TpmAction.COPY)) is PASS


def test_template_provenance_skips_non_templates_and_template_vms_without_vtpm():
    assert status(template_provenance, case()) is SKIP
    no_tpm = _from_template(template(Provenance.UNKNOWN), TpmAction.NONE, the_vm=vm(tpm_present=False))
    assert status(template_provenance, no_tpm) is SKIP


@pytest.mark.parametrize(
    "target_kp, datastore, expected",
    [(KEY_PROVIDER, SHARED_URL, PASS), (KEY_PROVIDER, "ds:///x/", FAIL), (OTHER_KEY_PROVIDER, SHARED_URL, FAIL)],
)
def test_an_unknown_provenance_gets_the_cross_vcenter_checks_a_copy_needs(target_kp, datastore, expected):
    target = vcenter(
        "vc-fra-dr-09", key_providers=(standard(target_kp),), datastores=(Datastore("ds-fra-shared", SHARED_URL),)
    )
    the_case = _from_template(
        template(Provenance.UNKNOWN), TpmAction.UNKNOWN, the_vm=vm(datastore_url=datastore), target=target, carried=True
    )
    assert status(cross_vcenter_instantiation, the_case) is expected
    assert "may copy" in cross_vcenter_instantiation(the_case).message
    assert status(key_provider_on_target, the_case) is (PASS if target_kp == KEY_PROVIDER else FAIL)
    assert status(shared_storage, the_case) is (PASS if datastore == SHARED_URL else FAIL)


def test_an_unknown_provenance_still_needs_every_vtpm_requirement():
    the_case = _from_template(template(Provenance.UNKNOWN), TpmAction.UNKNOWN, the_vm=vm(firmware=Firmware.BIOS))
    assert status(firmware_efi, the_case) is FAIL
