"""The copy/replace matrix as data, its provenance rules and the rows of GET /api/v1/matrix."""

import json

import pytest

from vcdtpm.domain.matrix import (
    MATRIX,
    OPERATIONS,
    PROVENANCE,
    MatrixGap,
    allowed,
    lookup_band,
    matrix_rows,
    operation_row,
    rule_id,
    template_mode,
)
from vcdtpm.domain.model import Band, MatrixMode, Operation, Provenance, TpmMode

from .factories import template

C, R, N, T, X = "copy", "replace", "new", "template", "remove"
O = Operation

# The seed table as this product reads it, restated independently of the module.
EXPECTED = {
    O.CREATE_VM: ([N], [N]),
    O.CREATE_VM_FROM_TEMPLATE: ([T], [T]),
    O.COMPOSE_VAPP: ([T], [T]),
    O.CREATE_VAPP_FROM_OVF: ([N], [N]),
    O.INSTANTIATE_VAPP_TEMPLATE: ([T], [T]),
    O.IMPORT_VM_AS_VAPP: ([C], [C]),
    O.ADD_VM_TO_VAPP: ([N], [N]),
    O.ADD_VM_FROM_TEMPLATE: ([T], [T]),
    O.COPY_VM: ([C], [C, R]),
    O.MOVE_VM: ([C], [C]),
    O.COPY_VAPP: ([C], [C, R]),
    O.MOVE_VAPP: ([C], [C]),
    O.CAPTURE_VAPP: ([C, R], [C, R]),
    O.CAPTURE_VM: ([C, R], [C, R]),
    O.CREATE_TEMPLATE_FROM_OVF: ([N], [N]),
    O.IMPORT_VM_AS_TEMPLATE: ([C], [C]),
    O.ADD_TPM: ([N], [N]),
    O.REMOVE_TPM: ([X], [X]),
    O.REPLACE_TPM: ([R], [R]),
}
CARRY = {
    O.IMPORT_VM_AS_VAPP,
    O.IMPORT_VM_AS_TEMPLATE,
    O.COPY_VM,
    O.MOVE_VM,
    O.COPY_VAPP,
    O.MOVE_VAPP,
    O.CAPTURE_VAPP,
    O.CAPTURE_VM,
}
CELLS = [(op, band) for op in Operation for band in Band]


def test_the_matrix_covers_every_operation_on_both_bands_and_nothing_else():
    assert set(MATRIX) == set(CELLS)
    assert len(MATRIX) == 38


@pytest.mark.parametrize("operation, band", CELLS)
def test_each_cell_holds_the_seed_modes(operation, band):
    modes = EXPECTED[operation][0 if band is Band.V7 else 1]
    assert [mode.value for mode in allowed(operation, band).modes] == modes


@pytest.mark.parametrize("operation, band", CELLS)
def test_the_default_is_copy_wherever_copy_is_allowed_else_the_only_mode(operation, band):
    cell = allowed(operation, band)
    if MatrixMode.COPY in cell.modes:
        assert cell.default is MatrixMode.COPY
    else:
        assert cell.modes == (cell.default,)


@pytest.mark.parametrize("operation, band", CELLS)
def test_each_cell_cites_a_stable_rule_id(operation, band):
    suffix = {Band.V7: "7x", Band.V8: "8x"}[band]
    assert allowed(operation, band).rule == f"matrix.{operation.value}.{suffix}"
    assert rule_id(operation, band) == allowed(operation, band).rule


def test_rule_ids_are_unique():
    rules = [cell.rule for cell in MATRIX.values()]
    assert len(set(rules)) == len(rules)


def test_copy_vm_offers_replace_only_on_8x():
    assert MatrixMode.REPLACE not in allowed(O.COPY_VM, Band.V7).modes
    assert MatrixMode.REPLACE in allowed(O.COPY_VM, Band.V8).modes


def test_lookup_accepts_the_string_forms():
    assert allowed("copy_vm", "8.x") is MATRIX[(O.COPY_VM, Band.V8)]


@pytest.mark.parametrize("operation, band", [("frobnicate_vm", Band.V8), (O.COPY_VM, "9.x"), (None, Band.V7)])
def test_a_missing_key_is_an_error_never_a_silent_default(operation, band):
    with pytest.raises(MatrixGap) as caught:
        allowed(operation, band)
    assert caught.value.slug == "matrix-gap"


def test_the_matrix_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        MATRIX[(O.COPY_VM, Band.V7)] = allowed(O.COPY_VM, Band.V8)


@pytest.mark.parametrize(
    "operation, label",
    [
        (O.CREATE_VM, "Create a Standalone Virtual Machine"),
        (O.COMPOSE_VAPP, "Build a New vApp"),
        (O.COPY_VM, "Copy a Virtual Machine to a Different vApp"),
        (O.CAPTURE_VAPP, "Save a vApp as a vApp Template to a Catalog"),
        (O.CREATE_TEMPLATE_FROM_OVF, "Create a vApp Template from an OVF File"),
    ],
)
def test_operations_carry_their_seed_row_label(operation, label):
    assert operation_row(operation).label == label


def test_every_operation_has_a_label_and_a_note():
    assert set(OPERATIONS) == set(Operation)
    assert all(row.label and row.note.endswith(".") for row in OPERATIONS.values())


def test_an_unknown_operation_has_no_row():
    with pytest.raises(MatrixGap):
        operation_row("frobnicate_vm")


@pytest.mark.parametrize("operation", list(Operation))
@pytest.mark.parametrize(
    "source, target", [(Band.V8, Band.V7), (Band.V7, Band.V8), (Band.V8, Band.V8), (None, Band.V7)]
)
def test_operations_on_existing_vms_read_the_matrix_on_the_lower_band(operation, source, target):
    expected = min(source or target, target, key=lambda b: b.value) if operation in CARRY else target
    assert lookup_band(operation, source, target) is expected


@pytest.mark.parametrize(
    "provenance, provisioning, mode, rule",
    [
        (Provenance.CAPTURED, TpmMode.COPY, TpmMode.COPY, "provenance.captured"),
        (Provenance.CAPTURED, TpmMode.REPLACE, TpmMode.REPLACE, "provenance.captured"),
        (Provenance.CAPTURED, None, TpmMode.COPY, "provenance.captured"),
        (Provenance.OVF, None, TpmMode.REPLACE, "provenance.ovf"),
        (Provenance.OVF, TpmMode.COPY, TpmMode.REPLACE, "provenance.ovf"),
        (Provenance.VCENTER_IMPORT, None, TpmMode.COPY, "provenance.vcenter_import"),
        (Provenance.VCENTER_IMPORT, TpmMode.REPLACE, TpmMode.COPY, "provenance.vcenter_import"),
        (Provenance.UNKNOWN, None, None, "provenance.unknown"),
        (Provenance.UNKNOWN, TpmMode.COPY, TpmMode.COPY, "provenance.reported"),
        (Provenance.UNKNOWN, TpmMode.REPLACE, TpmMode.REPLACE, "provenance.reported"),
    ],
)
def test_template_provenance_decides_copy_or_replace(provenance, provisioning, mode, rule):
    assert template_mode(template(provenance, provisioning)) == (mode, rule)


def test_every_provenance_has_a_rule():
    assert set(PROVENANCE) == set(Provenance)
    assert {rule.rule for rule in PROVENANCE.values()} == {
        "provenance.captured",
        "provenance.ovf",
        "provenance.vcenter_import",
        "provenance.unknown",
    }


def test_an_unknown_provenance_is_an_error():
    with pytest.raises(MatrixGap):
        template_mode(template("scanned_from_tape"))


def test_matrix_rows_list_every_operation_in_contract_order():
    assert [row["operation"] for row in matrix_rows()] == [op.value for op in Operation]


@pytest.mark.parametrize("row", matrix_rows(), ids=lambda row: row["operation"])
def test_each_matrix_row_agrees_with_the_data(row):
    operation = Operation(row["operation"])
    assert set(row) >= {"operation", "7.x", "8.x", "note"}
    for index, band in enumerate(Band):
        assert row[band.value]["modes"] == EXPECTED[operation][index]
        assert row[band.value]["default"] == allowed(operation, band).default.value
        assert row[band.value]["rule"] == rule_id(operation, band)
    assert row["note"] == OPERATIONS[operation].note


def test_matrix_rows_are_plain_json():
    rows = matrix_rows()
    assert json.loads(json.dumps(rows)) == rows


def test_remove_tpm_row_offers_remove_and_copy_vapp_row_says_it_applies_to_all_vms():
    rows = {row["operation"]: row for row in matrix_rows()}
    assert rows["remove_tpm"]["7.x"] == {"modes": ["remove"], "default": "remove", "rule": "matrix.remove_tpm.7x"}
    assert rows["copy_vapp"]["note"] == "Applies to all TPM devices within the vApp."
    assert rows["copy_vapp"]["8.x"]["modes"] == ["copy", "replace"]
