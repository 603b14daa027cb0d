"""From a plan to the steps that carry it out; replace on 7.x becomes copy, remove, add."""

from __future__ import annotations

from dataclasses import dataclass, field

from vcdtpm.domain.matrix import EMULATION_RULE
from vcdtpm.domain.model import Operation, Plan, Provenance, TpmAction, TpmMode

# what each operation's main step produces, keyed as in an operation's `result`
RESULT_KIND = {
    Operation.CREATE_VM: "vm",
    Operation.CREATE_VM_FROM_TEMPLATE: "vm",
    Operation.ADD_VM_TO_VAPP: "vm",
    Operation.ADD_VM_FROM_TEMPLATE: "vm",
    Operation.COPY_VM: "vm",
    Operation.MOVE_VM: "vm",
    Operation.ADD_TPM: "vm",
    Operation.REMOVE_TPM: "vm",
    Operation.COMPOSE_VAPP: "vapp",
    Operation.CREATE_VAPP_FROM_OVF: "vapp",
    Operation.INSTANTIATE_VAPP_TEMPLATE: "vapp",
    Operation.IMPORT_VM_AS_VAPP: "vapp",
    Operation.COPY_VAPP: "vapp",
    Operation.MOVE_VAPP: "vapp",
    Operation.CAPTURE_VAPP: "template",
    Operation.CAPTURE_VM: "template",
    Operation.CREATE_TEMPLATE_FROM_OVF: "template",
    Operation.IMPORT_VM_AS_TEMPLATE: "template",
}


# operations that make a template, and the provenance vcdtpm records on it afterwards
MAKES_TEMPLATE = {
    Operation.CAPTURE_VAPP: Provenance.CAPTURED,
    Operation.CAPTURE_VM: Provenance.CAPTURED,
    Operation.CREATE_TEMPLATE_FROM_OVF: Provenance.OVF,
    Operation.IMPORT_VM_AS_TEMPLATE: Provenance.VCENTER_IMPORT,
}


@dataclass(frozen=True)
class StepSpec:
    """One Cloud Director request of an operation. `params` may refer to an
    earlier step's result as {"$step": index, "key": "vm"|"vapp"}."""

    name: str
    kind: str
    params: dict = field(default_factory=dict)


def steps_for(operation: Operation, params: dict, plan: Plan) -> list[StepSpec]:
    """The steps of an operation: one main request, plus remove/add of the vTPM
    for every VM whose replace is emulated on 7.x (on the copy, never the source)."""
    emulated = [vm for vm in plan.vms if vm.rule == EMULATION_RULE and vm.action is TpmAction.REPLACE]
    main = dict(params)
    if emulated:
        main["tpm"] = TpmMode.COPY.value
    steps = [StepSpec(operation.value, operation.value, main)]
    kind = RESULT_KIND[operation]
    for vm in emulated:
        ref = {"$step": 0, "key": kind}
        target = {"vm": ref} if kind == "vm" else {"vapp": ref, "vm_name": vm.name}
        steps.append(StepSpec(f"remove vTPM of the copy of {vm.name}", "edit_tpm", {**target, "present": False}))
        steps.append(StepSpec(f"add a new vTPM to the copy of {vm.name}", "edit_tpm", {**target, "present": True}))
    if operation in MAKES_TEMPLATE:
        steps.append(_record_provenance(operation, main))
    return steps


def _record_provenance(operation: Operation, main: dict) -> StepSpec:
    """Cloud Director keeps no record of how a template was made: vcdtpm writes its own."""
    provenance = MAKES_TEMPLATE[operation]
    params = {"template": {"$step": 0, "key": "template"}, "provenance": provenance.value}
    if provenance is Provenance.CAPTURED:
        params["tpm"] = main.get("tpm") or TpmMode.COPY.value
    return StepSpec("record the template's provenance", "record_provenance", params)


def resolve_refs(params: dict, results: dict[int, dict]) -> dict:
    """Replace {"$step": i, "key": k} references by the URN step i produced."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict) and "$step" in value:
            out[key] = (results.get(value["$step"]) or {}).get(value["key"])
        else:
            out[key] = value
    return out
