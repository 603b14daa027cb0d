"""From a plan to the steps that carry it out; replace on 7.x becomes copy, remove, add."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    Operation.REPLACE_TPM: "vm",
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


# operations with no Cloud Director request of their own: their steps are edits of an existing VM
EDITS_ONLY = frozenset({Operation.REPLACE_TPM})

# operations that make a template, and the provenance vcdtpm records on it afterwards
MAKES_TEMPLATE = {
    Operation.CAPTURE_VAPP: Provenance.CAPTURED,
    Operation.CAPTURE_VM: Provenance.CAPTURED,
    Operation.CREATE_TEMPLATE_FROM_OVF: Provenance.OVF,
    Operation.IMPORT_VM_AS_TEMPLATE: Provenance.VCENTER_IMPORT,
}


@dataclass(frozen=True)
class StepRef:
    """The URN an earlier step of the same operation produced (`key`: vm, vapp or template),
    filled in when this step runs."""

    step: int
    key: str

    def to_json(self) -> dict[str, Any]:
        return {"$step": self.step, "key": self.key}


Urn = str | StepRef


@dataclass(frozen=True)
class MainParams:
    """The operation's own Cloud Director request: the request's JSON-safe fields
    (source, target, vm, items, ovf, tpm, name, move)."""

    operation: Operation
    request: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return self.operation.value

    def to_json(self) -> dict[str, Any]:
        return dict(self.request)


@dataclass(frozen=True)
class EditTpmParams:
    """Add or remove a VM's vTPM: the VM itself, or a VM of a vApp by name."""

    present: bool
    vm: Urn | None = None
    vapp: Urn | None = None
    vm_name: str | None = None
    kind = "edit_tpm"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"present": self.present}
        for key in ("vm", "vapp"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.to_json() if isinstance(value, StepRef) else value
        if self.vm_name is not None:
            out["vm_name"] = self.vm_name
        return out


@dataclass(frozen=True)
class RecordProvenanceParams:
    """Write on a template how it was made (vCD keeps no such record)."""

    template: Urn
    provenance: Provenance
    tpm: TpmMode | None = None
    kind = "record_provenance"

    def to_json(self) -> dict[str, Any]:
        template = self.template.to_json() if isinstance(self.template, StepRef) else self.template
        out: dict[str, Any] = {"template": template, "provenance": self.provenance.value}
        if self.tpm is not None:
            out["tpm"] = self.tpm.value
        return out


StepParams = MainParams | EditTpmParams | RecordProvenanceParams


@dataclass(frozen=True)
class StepSpec:
    """One Cloud Director request of an operation: a name for people and its typed parameters."""

    name: str
    params: StepParams

    @property
    def kind(self) -> str:
        return self.params.kind


def params_from_json(kind: str, data: Mapping[str, Any]) -> StepParams:
    """The typed parameters of a journaled step of `kind`."""
    if kind == EditTpmParams.kind:
        return EditTpmParams(bool(data["present"]), _urn(data.get("vm")), _urn(data.get("vapp")), data.get("vm_name"))
    if kind == RecordProvenanceParams.kind:
        tpm = data.get("tpm")
        template = _urn(data.get("template"))
        assert template is not None  # written by steps_for, always with a template
        return RecordProvenanceParams(template, Provenance(data["provenance"]), TpmMode(tpm) if tpm else None)
    return MainParams(Operation(kind), dict(data))


def _urn(value: Any) -> Urn | None:
    if isinstance(value, dict) and "$step" in value:
        return StepRef(int(value["$step"]), str(value["key"]))
    return value


def steps_for(operation: Operation, params: Mapping[str, Any], plan: Plan) -> list[StepSpec]:
    """The steps of an operation: one main request, plus remove/add of the vTPM
    for every VM whose replace is emulated on 7.x (on the copy, never the source).
    replace_tpm has no request of its own: it is the remove and the add, on the VM itself."""
    if operation is Operation.REPLACE_TPM:
        return _replace_tpm(params, plan)
    emulated = [vm for vm in plan.vms if vm.rule == EMULATION_RULE and vm.action is TpmAction.REPLACE]
    main = dict(params)
    if emulated:
        main["tpm"] = TpmMode.COPY.value
    steps = [StepSpec(operation.value, MainParams(operation, main))]
    kind = RESULT_KIND[operation]
    for vm in emulated:
        ref = StepRef(0, kind)
        target = {"vm": ref} if kind == "vm" else {"vapp": ref, "vm_name": vm.name}
        steps.append(StepSpec(f"remove vTPM of the copy of {vm.name}", EditTpmParams(False, **target)))
        steps.append(StepSpec(f"add a new vTPM to the copy of {vm.name}", EditTpmParams(True, **target)))
    if operation in MAKES_TEMPLATE:
        steps.append(_record_provenance(operation, main))
    return steps


def _replace_tpm(params: Mapping[str, Any], plan: Plan) -> list[StepSpec]:
    """Remove the VM's vTPM, then add a new one: two Cloud Director requests on the same VM."""
    vm = str(params["source"]["vm"])
    name = next((p.name for p in plan.vms if p.id == vm), vm)
    return [
        StepSpec(f"remove the vTPM of {name}", EditTpmParams(False, vm=vm)),
        StepSpec(f"add a new vTPM to {name}", EditTpmParams(True, vm=vm)),
    ]


def _record_provenance(operation: Operation, main: Mapping[str, Any]) -> StepSpec:
    """Cloud Director keeps no record of how a template was made: vcdtpm writes its own."""
    provenance = MAKES_TEMPLATE[operation]
    tpm = TpmMode(main.get("tpm") or TpmMode.COPY.value) if provenance is Provenance.CAPTURED else None
    params = RecordProvenanceParams(StepRef(0, "template"), provenance, tpm)
    return StepSpec("record the template's provenance", params)


def resolve_refs(params: StepParams, results: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """The step's request parameters as the CloudDirector port takes them, every StepRef
    replaced by the URN its step produced."""
    out: dict[str, Any] = {}
    for key, value in params.to_json().items():
        if isinstance(value, dict) and "$step" in value:
            out[key] = (results.get(value["$step"]) or {}).get(value["key"])
        else:
            out[key] = value
    return out
