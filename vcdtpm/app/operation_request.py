"""An operation request as the service understands it, and what each operation needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Firmware, Operation, TpmMode
from vcdtpm.domain.urns import check_urn

# operation -> request fields it needs (docs/API.md, the operations table)
NEEDS: dict[Operation, tuple[str, ...]] = {
    Operation.CREATE_VM: ("target.vdc", "vm"),
    Operation.CREATE_VM_FROM_TEMPLATE: ("source.template", "target.vdc"),
    Operation.COMPOSE_VAPP: ("target.vdc", "items"),
    Operation.CREATE_VAPP_FROM_OVF: ("target.vdc", "ovf"),
    Operation.INSTANTIATE_VAPP_TEMPLATE: ("source.template", "target.vdc"),
    Operation.IMPORT_VM_AS_VAPP: ("source.vcenter_vm", "target.vdc"),
    Operation.ADD_VM_TO_VAPP: ("target.vapp", "vm"),
    Operation.ADD_VM_FROM_TEMPLATE: ("source.template", "source.vm", "target.vapp"),
    Operation.COPY_VM: ("source.vm", "target.vapp"),
    Operation.MOVE_VM: ("source.vm", "target.vapp"),
    Operation.COPY_VAPP: ("source.vapp", "target.vdc"),
    Operation.MOVE_VAPP: ("source.vapp", "target.vdc"),
    Operation.CAPTURE_VAPP: ("source.vapp", "target.catalog"),
    Operation.CAPTURE_VM: ("source.vm", "target.catalog"),
    Operation.CREATE_TEMPLATE_FROM_OVF: ("target.catalog", "ovf"),
    Operation.IMPORT_VM_AS_TEMPLATE: ("source.vcenter_vm", "target.catalog"),
    Operation.ADD_TPM: ("source.vm",),
    Operation.REMOVE_TPM: ("source.vm",),
    Operation.REPLACE_TPM: ("source.vm",),
}

PROVIDER_ONLY = frozenset({Operation.IMPORT_VM_AS_VAPP, Operation.IMPORT_VM_AS_TEMPLATE})

URN_KINDS = {
    "source.vm": "vm",
    "source.vapp": "vapp",
    "source.template": "vapptemplate",
    "target.vdc": "vdc",
    "target.vapp": "vapp",
    "target.catalog": "catalog",
}


@dataclass(frozen=True)
class NewVm:
    name: str
    guest_os: str
    firmware: Firmware = Firmware.EFI
    hardware_version: int = 19
    tpm: bool = False


@dataclass(frozen=True)
class Item:
    """One member of a composed vApp: a template VM or a new VM."""

    template: str | None = None
    vm: str | None = None
    new_vm: NewVm | None = None


@dataclass(frozen=True)
class OperationRequest:
    operation: Operation
    source: dict[str, str] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)
    vm: NewVm | None = None
    items: tuple[Item, ...] = ()
    ovf: str | None = None
    tpm: TpmMode | None = None
    name: str | None = None  # name of what the operation makes (default: vCD's choice)
    replace_on_7x: bool = False
    acknowledge_tpm_data_loss: bool = False
    move: bool = False  # imports only: sourceMove, the vCenter VM itself is taken in

    def field(self, path: str) -> Any:
        """The value at a dotted request path such as `source.vm`, or None."""
        head, _, tail = path.partition(".")
        value = getattr(self, head)
        return value.get(tail) if tail else value

    def validate(self) -> None:
        """Raise `Invalid` naming the first field the operation needs but lacks, or names
        without using (a plan and its execution must act on the same objects)."""
        for part in ("source", "target"):
            for key in getattr(self, part):
                if f"{part}.{key}" not in NEEDS[self.operation]:
                    needed = [p for p in NEEDS[self.operation] if p.startswith(part)] or ["nothing"]
                    raise Invalid(
                        f"{part}.{key}", f"is not used by {self.operation.value}, which takes {', '.join(needed)}"
                    )
        for part in ("vm", "items", "ovf"):
            if self.field(part) not in (None, "", ()) and part not in NEEDS[self.operation]:
                raise Invalid(part, f"is not used by {self.operation.value}")
        for path in NEEDS[self.operation]:
            value = self.field(path)
            if value in (None, "", ()):
                raise Invalid(path, f"is required for {self.operation.value}")
            kind = URN_KINDS.get(path)
            if kind:
                check_urn(path, value, kind)
        if self.move and self.operation not in PROVIDER_ONLY:
            raise Invalid("move", f"applies to imports from vCenter only, not to {self.operation.value}")
        for i, item in enumerate(self.items):
            if item.new_vm is None and not item.template:
                raise Invalid(f"items[{i}]", "needs either template (+ vm) or new_vm")
            if item.template:
                check_urn(f"items[{i}].template", item.template, "vapptemplate")
            if item.vm:
                check_urn(f"items[{i}].vm", item.vm, "vm")
