"""The planner: resolved facts and a request in, a `Plan` of every VM's vTPM out."""

from __future__ import annotations

from dataclasses import dataclass, replace

from vcdtpm.domain import matrix
from vcdtpm.domain.cases import ModeVerdict, VmCase
from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.matrix import EMULATION_RULE, Allowed
from vcdtpm.domain.model import (
    Band,
    Check,
    CheckStatus,
    MatrixMode,
    Operation,
    Plan,
    PlanInput,
    Subject,
    TpmAction,
    TpmMode,
    VmPlan,
)
from vcdtpm.domain.preflight import check_vm, no_vm_checks
from vcdtpm.domain.versions import band_of, lower_band

_CHOICES = {MatrixMode.COPY, MatrixMode.REPLACE}
_CAPTURES = (Operation.CAPTURE_VAPP, Operation.CAPTURE_VM)
_KEEPS = {
    Operation.MOVE_VM: "Moving {name} keeps its vTPM.",
    Operation.MOVE_VAPP: "Moving {name} with its vApp keeps its vTPM.",
    Operation.IMPORT_VM_AS_VAPP: "Importing {name} from vCenter keeps its vTPM.",
    Operation.IMPORT_VM_AS_TEMPLATE: "Importing {name} from vCenter keeps its vTPM in the template.",
}
# An import that moves the vCenter VM keeps its vTPM exactly as a copying import does: importing
# from vCenter preserves the TPM device for both copy and move (Cloud Director TPM documentation).
_MOVED_IN = "Moving {name} in from vCenter keeps its vTPM (the VM itself is taken in, not copied)."
_NOT_APPLICABLE = "{name} has no vTPM before or after, so no TPM mode applies."


@dataclass(frozen=True)
class Decision:
    """What happens to one VM's vTPM, why, and what the checks need to know."""

    action: TpmAction
    rule: str
    reason: str
    mode: ModeVerdict
    carried: bool = False
    by_request: bool = False
    note: str = ""


def plan(inp: PlanInput) -> Plan:
    """Decide every subject's vTPM action and run every check; changes nothing."""
    inp = _normalized(inp)
    target_band = band_of(inp.target.vcenter.version)
    source_band = lower_band(*(band_of(s.source.version) for s in inp.subjects if s.source))
    band = matrix.lookup_band(inp.operation, source_band, target_band)
    decisions = [decide(inp, subject, band) for subject in inp.subjects]
    checks = [
        check for subject, decision in zip(inp.subjects, decisions) for check in check_vm(_case(inp, subject, decision))
    ] or no_vm_checks()
    warnings = [c.message for c in checks if c.status is CheckStatus.WARN]
    warnings += [decision.note for decision in decisions if decision.note]
    return Plan(
        operation=inp.operation,
        allowed=not any(c.status is CheckStatus.FAIL for c in checks),
        tpm=plan_tpm(inp.operation, band, inp.requested),
        source_band=source_band,
        target_band=target_band,
        vms=tuple(_vm_plan(s, d) for s, d in zip(inp.subjects, decisions)),
        checks=tuple(checks),
        warnings=tuple(warnings),
        requires_acknowledgement=any(is_unacknowledged_loss(c) for c in checks),
    )


DATA_LOSS = "data_loss_acknowledged"


def is_unacknowledged_loss(check: Check) -> bool:
    """A replace or remove of an existing vTPM that the request does not acknowledge: a warning in
    a plan, a refusal when executed."""
    return check.id == DATA_LOSS and check.status is CheckStatus.WARN


def _normalized(inp: PlanInput) -> PlanInput:
    """The input with enum members for values given as their strings."""
    operation = next((op for op in matrix.OPERATIONS if op == inp.operation), None)
    if operation is None:
        raise matrix.MatrixGap(what=f"operation {inp.operation!r}")
    try:
        requested = TpmMode(inp.requested) if inp.requested is not None else None
    except ValueError:
        raise Invalid("tpm", f"expected 'copy' or 'replace', got {inp.requested!r}") from None
    return replace(inp, operation=operation, requested=requested, subjects=tuple(inp.subjects))


def plan_tpm(operation: Operation, band: Band, requested: TpmMode | None) -> TpmMode | None:
    """The plan's `tpm`: the request, else copy where the matrix offers a choice (copy among
    its modes; replace_tpm, which only replaces, leaves nothing to choose)."""
    if requested is not None:
        return TpmMode(requested)
    offers_choice = MatrixMode.COPY in matrix.allowed(operation, band).modes
    return TpmMode.COPY if offers_choice else None


def decide(inp: PlanInput, subject: Subject, band: Band) -> Decision:
    """The decision for one subject, on the band the matrix is read on."""
    cell = matrix.allowed(inp.operation, band)
    if inp.operation is Operation.ADD_TPM:
        return _add_tpm(inp, subject, cell)
    if inp.operation is Operation.REMOVE_TPM:
        return _remove_tpm(inp, subject, cell)
    if inp.operation is Operation.REPLACE_TPM:
        return _replace_tpm(inp, subject, cell)
    if subject.template is not None:
        return _from_template(inp, subject)
    if subject.from_ovf or not _CHOICES & set(cell.modes):
        return _new_vm(inp, subject, cell)
    return _carry(inp, subject, band, cell)


def _case(inp: PlanInput, subject: Subject, decision: Decision) -> VmCase:
    return VmCase(
        inp.operation,
        subject,
        inp.target,
        decision.action,
        decision.mode,
        carried=decision.carried,
        by_request=decision.by_request,
        fast_cross_vcenter_instantiation=inp.fast_cross_vcenter_instantiation,
        acknowledge_tpm_data_loss=inp.acknowledge_tpm_data_loss,
    )


def _vm_plan(subject: Subject, decision: Decision) -> VmPlan:
    vm = subject.vm
    return VmPlan(vm.id, vm.name, vm.tpm_present, decision.action, decision.rule, decision.reason)


def _none(subject: Subject, rule: str, reason: str) -> Decision:
    mode = ModeVerdict(CheckStatus.SKIP, _NOT_APPLICABLE.format(name=subject.vm.name))
    return Decision(TpmAction.NONE, rule, reason, mode)


def _no_mode_needed(inp: PlanInput, what: str) -> ModeVerdict:
    """The verdict for an operation whose vTPM outcome leaves nothing to choose."""
    if inp.requested is None:
        return ModeVerdict(CheckStatus.PASS, f"{what}; no TPM mode is needed.")
    return ModeVerdict(
        CheckStatus.FAIL,
        f"{what}; the requested TPM mode '{inp.requested.value}' does not apply to {inp.operation.value}.",
        f"Omit `tpm` for {inp.operation.value}.",
    )


def _add_tpm(inp: PlanInput, subject: Subject, cell: Allowed) -> Decision:
    name = subject.vm.name
    if subject.vm.tpm_present:
        return Decision(
            TpmAction.NONE,
            cell.rule,
            f"{name} already has a vTPM; a VM can have only one.",
            _no_mode_needed(inp, f"{name} already has a vTPM"),
        )
    return Decision(
        TpmAction.NEW,
        cell.rule,
        f"{name} gets a new, blank vTPM.",
        _no_mode_needed(inp, f"Adding a vTPM to {name} creates a new one"),
    )


def _remove_tpm(inp: PlanInput, subject: Subject, cell: Allowed) -> Decision:
    name = subject.vm.name
    if not subject.vm.tpm_present:
        return _none(subject, cell.rule, f"{name} has no vTPM to remove.")
    reason = f"The vTPM of {name} is removed with its keys; the VM files may be decrypted as well."
    return Decision(TpmAction.REMOVE, cell.rule, reason, _no_mode_needed(inp, f"Removing the vTPM of {name}"))


def _replace_tpm(inp: PlanInput, subject: Subject, cell: Allowed) -> Decision:
    name = subject.vm.name
    if not subject.vm.tpm_present:
        return _none(subject, cell.rule, f"{name} has no vTPM to replace.")
    reason = f"The vTPM of {name} is removed with its keys and a new, blank one is added: {name} gets a new identity."
    verdict = _no_mode_needed(inp, f"Replacing the vTPM of {name} makes a new one")
    return Decision(TpmAction.REPLACE, cell.rule, reason, verdict, by_request=True, note=_leaves(subject))


def _leaves(subject: Subject) -> str:
    """Which identity group the VM leaves, as far as it was read."""
    vm, peers = subject.vm, subject.identity_peers
    if vm.tpm_identity is None or peers is None:
        return ""
    if peers == 0:
        return f"{vm.name} shares its vTPM identity {vm.tpm_identity} with no other VM; it gets a new one."
    others = "1 other VM keeps it" if peers == 1 else f"{peers} other VMs keep it"
    return f"{vm.name} leaves the group of {peers + 1} VMs sharing vTPM identity {vm.tpm_identity}; {others}."


def _new_vm(inp: PlanInput, subject: Subject, cell: Allowed) -> Decision:
    name = subject.vm.name
    if not subject.vm.tpm_present:
        return _none(subject, cell.rule, f"{name} has no vTPM and gets none.")
    reason = f"{name} gets a new vTPM."
    if inp.requested is not None and MatrixMode.TEMPLATE in cell.modes:
        mode = ModeVerdict(
            CheckStatus.SKIP,
            f"The requested TPM mode applies to the template VMs; {name} is a new VM and gets a new vTPM.",
        )
    else:
        mode = _no_mode_needed(inp, f"{name} is new and gets a new vTPM")
    return Decision(TpmAction.NEW, cell.rule, reason, mode)


def _from_template(inp: PlanInput, subject: Subject) -> Decision:
    template, name = subject.template, subject.vm.name
    assert template is not None  # _from_template is only asked about template subjects
    mode, rule = matrix.template_mode(template)
    if not subject.vm.tpm_present:
        return _none(subject, rule, f"{name} has no vTPM in the template and gets none.")
    if mode is None:
        return _unknown_provenance(inp, subject, rule)
    does = "copies" if mode is TpmMode.COPY else "replaces"
    gets = "a copy of the template's vTPM" if mode is TpmMode.COPY else "a new, blank vTPM"
    text = matrix.provenance_rule(template).text
    reason = f"{text[0].upper()}{text[1:]}: {name} gets {gets}."
    if inp.requested is None or inp.requested is mode:
        verdict = ModeVerdict(CheckStatus.PASS, f"The template {does} the vTPM of {name}.")
    else:
        verdict = ModeVerdict(
            CheckStatus.FAIL,
            f"The template {does} the vTPM of {name}; the requested TPM mode "
            f"'{inp.requested.value}' cannot override it.",
            f"Omit `tpm`, or pick a template whose TPM provisioning is '{inp.requested.value}'.",
        )
    action = TpmAction.COPY if mode is TpmMode.COPY else TpmAction.REPLACE
    return Decision(action, rule, reason, verdict, carried=action is TpmAction.COPY)


def _unknown_provenance(inp: PlanInput, subject: Subject, rule: str) -> Decision:
    """Copy or replace, nobody can tell: plan for both, claim neither.

    The checks a copy needs run (carried), and `template_provenance` warns that the
    vTPM's secrets may not survive."""
    name, template = subject.vm.name, subject.template
    assert template is not None  # asked only about template subjects
    reason = (
        f"The provenance of template {template.name} is unknown: {name} gets either a copy "
        "of the template's vTPM or a new, blank one."
    )
    if inp.requested is None:
        verdict = ModeVerdict(CheckStatus.PASS, f"No TPM mode is asked for {name}; the template decides.")
    else:
        verdict = ModeVerdict(
            CheckStatus.FAIL,
            f"The template decides what happens to the vTPM of {name}, and its provenance is unknown: "
            f"the requested TPM mode '{inp.requested.value}' cannot be promised.",
            "Omit `tpm`, or use a template whose provenance is recorded.",
        )
    return Decision(TpmAction.UNKNOWN, rule, reason, verdict, carried=True)


def _carry(inp: PlanInput, subject: Subject, band: Band, cell: Allowed) -> Decision:
    name = subject.vm.name
    if not subject.vm.tpm_present:
        return _none(subject, cell.rule, f"{name} has no vTPM; nothing to copy or replace.")
    requested = inp.requested
    if requested is None or MatrixMode(requested.value) in cell.modes:
        return _carry_allowed(inp, subject, cell, requested or TpmMode.COPY)
    if requested is TpmMode.REPLACE and _emulable(inp.operation, band):
        return _replace_on_7x(inp, subject, cell)
    verdict = ModeVerdict(
        CheckStatus.FAIL,
        f"{matrix.operation_row(inp.operation).label} only copies the vTPM on the "
        f"{band.value} band; '{requested.value}' is not offered.",
        f"Omit `tpm` (or set it to copy) for {inp.operation.value}.",
    )
    return Decision(TpmAction.COPY, cell.rule, _copy_reason(inp, name), verdict, carried=True)


def _carry_allowed(inp: PlanInput, subject: Subject, cell: Allowed, mode: TpmMode) -> Decision:
    name = subject.vm.name
    how = "as requested" if inp.requested is not None else "Cloud Director's default"
    verdict = ModeVerdict(CheckStatus.PASS, f"'{mode.value}' is offered for {name} ({how}).")
    if inp.operation in _CAPTURES:
        will = "copy the vTPM" if mode is TpmMode.COPY else "give each new VM a new, blank vTPM"
        reason = (
            f"The template keeps a copy of the vTPM of {name}; instantiating it will "
            f"{will} (TPM provisioning '{mode.value}')."
        )
        return Decision(TpmAction.COPY, cell.rule, reason, verdict, carried=True)
    if mode is TpmMode.REPLACE:
        reason = f"The copy of {name} gets a new, blank vTPM, as requested."
        return Decision(TpmAction.REPLACE, cell.rule, reason, verdict, by_request=True)
    return Decision(TpmAction.COPY, cell.rule, _copy_reason(inp, name), verdict, carried=True)


def _copy_reason(inp: PlanInput, name: str) -> str:
    if inp.move and inp.operation in (Operation.IMPORT_VM_AS_VAPP, Operation.IMPORT_VM_AS_TEMPLATE):
        return _MOVED_IN.format(name=name)
    return _KEEPS.get(inp.operation, "The copy of {name} gets a copy of its vTPM.").format(name=name)


def _emulable(operation: Operation, band: Band) -> bool:
    """Replace is offered on 8.x but not on 7.x for this operation."""
    offers = {b: matrix.allowed(operation, b).modes for b in Band}
    return band is Band.V7 and MatrixMode.REPLACE not in offers[Band.V7] and MatrixMode.REPLACE in offers[Band.V8]


def _replace_on_7x(inp: PlanInput, subject: Subject, cell: Allowed) -> Decision:
    name = subject.vm.name
    if not inp.replace_on_7x:
        verdict = ModeVerdict(
            CheckStatus.FAIL,
            f"Replace is not offered for {inp.operation.value} on the 7.x band: vCenter 7.x "
            f"copies the vTPM of {name} as an exact replica.",
            "Set replace_on_7x: true to emulate replace (copy, then remove and re-add the "
            "vTPM on the powered-off copy), or use vCenters of the 8.x band at both ends.",
        )
        return Decision(TpmAction.COPY, cell.rule, _copy_reason(inp, name), verdict, carried=True)
    verdict = ModeVerdict(CheckStatus.PASS, f"Replace for {name} is emulated on the 7.x band (replace_on_7x).")
    reason = f"The copy of {name} gets a new, blank vTPM: replace is emulated on the 7.x band."
    note = (
        f"Replace for {name} is emulated on the 7.x band: the VM is copied with its vTPM, "
        "then the vTPM of the powered-off copy is removed and a new one is added."
    )
    return Decision(TpmAction.REPLACE, EMULATION_RULE, reason, verdict, carried=True, by_request=True, note=note)
