"""The Cloud Director TPM copy/replace matrix and the template provenance rules, as data.

Source (docs/RULES.md): the TPM pages of the VMware Cloud Director 10.4.2 (and later) Service Provider Admin Guide:
the matrix per operation and vCenter band, and how a template's provenance decides what
instantiation does to its vTPMs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from vcdtpm.domain.errors import VcdTpmError
from vcdtpm.domain.model import Band, MatrixMode, Operation, Provenance, TemplateFacts, TpmMode
from vcdtpm.domain.versions import lower_band

EMULATION_RULE = "emulation.replace_on_7x"
UNKNOWN_RULE = "provenance.unknown"


class MatrixGap(VcdTpmError):
    """The matrix has no entry for a key: a defect, never a silent default."""

    slug = "matrix-gap"
    template = "The TPM matrix has no rule for {what}."


@dataclass(frozen=True)
class Allowed:
    """What the matrix allows for one operation on one band, and the rule that says so."""

    modes: tuple[MatrixMode, ...]
    default: MatrixMode
    rule: str


@dataclass(frozen=True)
class OperationRow:
    """One operation as the seed table names it."""

    label: str
    note: str
    carries_source: bool  # works on existing VMs: the band is the lower of both ends


@dataclass(frozen=True)
class ProvenanceRule:
    """How instantiating a template of one provenance treats its vTPM."""

    rule: str
    mode: TpmMode | None  # None: the TPM provisioning chosen at capture decides
    text: str


_C, _R, _N, _T, _X = (MatrixMode.COPY, MatrixMode.REPLACE, MatrixMode.NEW, MatrixMode.TEMPLATE, MatrixMode.REMOVE)
_O = Operation

# operation: (seed row label, 7.x modes, 8.x modes, carries source VMs, note)
_TABLE = {
    _O.CREATE_VM: ("Create a Standalone Virtual Machine", (_N,), (_N,), False, "New TPM device."),
    _O.CREATE_VM_FROM_TEMPLATE: (
        "Create a Virtual Machine from a Template",
        (_T,),
        (_T,),
        False,
        "Copy and replace: depends on the specific VM template.",
    ),
    _O.COMPOSE_VAPP: (
        "Build a New vApp",
        (_T,),
        (_T,),
        False,
        "Copy and replace: depends on the specific VM templates; new VMs get a new TPM device.",
    ),
    _O.CREATE_VAPP_FROM_OVF: (
        "Create a vApp From an OVF Package",
        (_N,),
        (_N,),
        False,
        "New TPM device: uploading an OVF with a TPM.",
    ),
    _O.INSTANTIATE_VAPP_TEMPLATE: (
        "Create a vApp from a vApp Template",
        (_T,),
        (_T,),
        False,
        "Copy and replace: depends on the vApp template.",
    ),
    _O.IMPORT_VM_AS_VAPP: (
        "Import a Virtual Machine from vCenter Server as a vApp",
        (_C,),
        (_C,),
        True,
        "Copy: the imported VM keeps its TPM device.",
    ),
    _O.ADD_VM_TO_VAPP: ("Add a Virtual Machine to a vApp", (_N,), (_N,), False, "New TPM device."),
    _O.ADD_VM_FROM_TEMPLATE: (
        "Add a VM from a Template to a vApp",
        (_T,),
        (_T,),
        False,
        "Copy and replace: depends on the specific VM template.",
    ),
    _O.COPY_VM: (
        "Copy a Virtual Machine to a Different vApp",
        (_C,),
        (_C, _R),
        True,
        "vCenter 7.x copies the TPM device; 8.x can also replace it with a new one.",
    ),
    _O.MOVE_VM: (
        "Move a Virtual Machine to a Different vApp",
        (_C,),
        (_C,),
        True,
        "Copy: a moved VM keeps its TPM device.",
    ),
    _O.COPY_VAPP: ("Copy a vApp", (_C,), (_C, _R), True, "Applies to all TPM devices within the vApp."),
    _O.MOVE_VAPP: (
        "Move a vApp",
        (_C,),
        (_C,),
        True,
        "Copy: moveVApp keeps every TPM device and has no shared-storage requirement.",
    ),
    _O.CAPTURE_VAPP: (
        "Save a vApp as a vApp Template to a Catalog",
        (_C, _R),
        (_C, _R),
        True,
        "The chosen mode becomes the template's TPM provisioning (CopyTpmOnInstantiate).",
    ),
    _O.CAPTURE_VM: (
        "Add a standalone VM to a catalog",
        (_C, _R),
        (_C, _R),
        True,
        "As for saving a vApp as a template: the chosen mode becomes the template's TPM provisioning.",
    ),
    _O.CREATE_TEMPLATE_FROM_OVF: (
        "Create a vApp Template from an OVF File",
        (_N,),
        (_N,),
        False,
        "New TPM device: uploading an OVF with a TPM; instantiating the template replaces it.",
    ),
    _O.IMPORT_VM_AS_TEMPLATE: (
        "Import a VM from vCenter Server as a template",
        (_C,),
        (_C,),
        True,
        "Copy: instantiating the imported template copies the TPM device.",
    ),
    _O.ADD_TPM: (
        "Add a vTPM to an existing VM",
        (_N,),
        (_N,),
        False,
        "New TPM device; the VM must be powered off (no hot-add).",
    ),
    _O.REMOVE_TPM: (
        "Remove the vTPM of a VM",
        (_X,),
        (_X,),
        False,
        "Removes the TPM device and its secrets; the VM must be powered off.",
    ),
    _O.REPLACE_TPM: (
        "Replace the vTPM of a VM with a new one",
        (_R,),
        (_R,),
        False,
        "Removes the TPM device and adds a new, blank one: a new identity, the old secrets are gone; "
        "the VM must be powered off.",
    ),
}

_BAND_SUFFIX = {Band.V7: "7x", Band.V8: "8x"}


def rule_id(operation: Operation, band: Band) -> str:
    """The stable id of a matrix rule, e.g. `matrix.copy_vm.8x`."""
    return f"matrix.{Operation(operation).value}.{_BAND_SUFFIX[Band(band)]}"


def _default(modes: tuple[MatrixMode, ...]) -> MatrixMode:
    return MatrixMode.COPY if MatrixMode.COPY in modes else modes[0]


def _build() -> dict[tuple[Operation, Band], Allowed]:
    table = {}
    for operation, (_label, modes_7x, modes_8x, _carries, _note) in _TABLE.items():
        for band, modes in ((Band.V7, modes_7x), (Band.V8, modes_8x)):
            table[(operation, band)] = Allowed(modes, _default(modes), rule_id(operation, band))
    return table


MATRIX: Mapping[tuple[Operation, Band], Allowed] = MappingProxyType(_build())

OPERATIONS: Mapping[Operation, OperationRow] = MappingProxyType(
    {op: OperationRow(label, note, carries) for op, (label, _, _, carries, note) in _TABLE.items()}
)

PROVENANCE: Mapping[Provenance, ProvenanceRule] = MappingProxyType(
    {
        Provenance.CAPTURED: ProvenanceRule(
            "provenance.captured",
            None,
            "a template captured in Cloud Director copies or replaces the vTPM as chosen at capture",
        ),
        Provenance.OVF: ProvenanceRule(
            "provenance.ovf",
            TpmMode.REPLACE,
            "a template uploaded from an OVF or OVA replaces the vTPM on instantiation",
        ),
        Provenance.VCENTER_IMPORT: ProvenanceRule(
            "provenance.vcenter_import",
            TpmMode.COPY,
            "a template imported from vCenter copies the vTPM on instantiation",
        ),
        Provenance.UNKNOWN: ProvenanceRule(
            UNKNOWN_RULE,
            None,
            "nothing records how this template was made, so whether instantiation copies or "
            "replaces the vTPM is unknown",
        ),
    }
)

# A template of unknown provenance for which Cloud Director itself reports the TPM provisioning.
REPORTED = ProvenanceRule(
    "provenance.reported",
    None,
    "Cloud Director reports the template's TPM provisioning (copyTpmOnInstantiate)",
)


def allowed(operation: Operation, band: Band) -> Allowed:
    """The matrix entry for an operation on a band; `MatrixGap` when there is none."""
    try:
        return MATRIX[(Operation(operation), Band(band))]
    except (KeyError, ValueError):
        raise MatrixGap(what=f"operation {operation!r} on band {band!r}") from None


def operation_row(operation: Operation) -> OperationRow:
    """The seed label and note of an operation; `MatrixGap` when there is none."""
    try:
        return OPERATIONS[Operation(operation)]
    except (KeyError, ValueError):
        raise MatrixGap(what=f"operation {operation!r}") from None


def lookup_band(operation: Operation, source: Band | None, target: Band) -> Band:
    """The band to read the matrix on: the lower end for existing VMs, else the target."""
    if operation_row(operation).carries_source:
        return lower_band(source, target) or target
    return target


def provenance_rule(template: TemplateFacts) -> ProvenanceRule:
    """The rule that decides for a template: its provenance's, or Cloud Director's own report."""
    try:
        rule = PROVENANCE[Provenance(template.provenance)]
    except (KeyError, ValueError):
        raise MatrixGap(what=f"template provenance {template.provenance!r}") from None
    if rule.rule == UNKNOWN_RULE and template.tpm_provisioning is not None:
        return REPORTED
    return rule


def template_mode(template: TemplateFacts) -> tuple[TpmMode | None, str]:
    """What instantiating a template does to its VMs' vTPMs (None: unknown), and the rule."""
    rule = provenance_rule(template)
    if rule.rule == UNKNOWN_RULE:
        return None, rule.rule
    return rule.mode or template.tpm_provisioning or TpmMode.COPY, rule.rule


def matrix_rows() -> list[dict]:
    """The rows of `GET /api/v1/matrix`, one per operation in contract order."""
    rows = []
    for operation, row in OPERATIONS.items():
        entry: dict = {"operation": operation.value, "label": row.label}
        for band in (Band.V7, Band.V8):
            cell = allowed(operation, band)
            entry[band.value] = {
                "modes": [mode.value for mode in cell.modes],
                "default": cell.default.value,
                "rule": cell.rule,
            }
        entry["note"] = row.note
        rows.append(entry)
    return rows
