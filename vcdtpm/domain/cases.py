"""What every prerequisite check sees of one VM, and the helpers the checks share."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.domain.model import Check, CheckStatus, Host, Operation, Placement, Subject, TpmAction

PASS, FAIL, WARN, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.SKIP
# UNKNOWN: a template of unknown provenance gives a copy or a new vTPM; either way one
_WITH_TPM = (TpmAction.COPY, TpmAction.REPLACE, TpmAction.NEW, TpmAction.UNKNOWN)
OTHER_VCENTER = "or choose a target on the same vCenter as the source."


@dataclass(frozen=True)
class ModeVerdict:
    """Whether the requested `tpm` mode can apply to one VM (decided by the planner)."""

    status: CheckStatus
    message: str
    remedy: str = ""


@dataclass(frozen=True)
class VmCase:
    """One subject as the checks see it: its facts and what the plan does to its vTPM.

    `carried`: the existing vTPM travels with the VM (copy, move, emulated replace), or may
    (a template of unknown provenance); `by_request`: a replace chosen by the caller rather
    than by a template.
    """

    operation: Operation
    subject: Subject
    target: Placement
    action: TpmAction
    mode: ModeVerdict
    carried: bool = False
    by_request: bool = False
    fast_cross_vcenter_instantiation: bool = False
    acknowledge_tpm_data_loss: bool = False

    @property
    def name(self) -> str:
        return self.subject.vm.name

    @property
    def will_have_tpm(self) -> bool:
        """Whether the VM has a vTPM once the operation is done: a copied, replaced or new one, or the one it
        keeps (adding a vTPM to a VM that has one changes nothing)."""
        return self.action in _WITH_TPM or (self.action is TpmAction.NONE and self.subject.vm.tpm_present)

    @property
    def in_place(self) -> bool:
        """Adding or removing a vTPM: the VM stays where it is, its own vCenter is the target."""
        return self.operation in (Operation.ADD_TPM, Operation.REMOVE_TPM)

    @property
    def where(self) -> str:
        """The vCenter that hosts the VM's vTPM, as messages name it."""
        return f"The vCenter of {self.name}" if self.in_place else "The target vCenter"

    @property
    def hosts_named(self) -> str:
        return f"the hosts {self.name} runs on" if self.in_place else "the target's hosts"

    @property
    def cross_vcenter(self) -> bool:
        source = self.subject.source
        return source is not None and source.name != self.target.vcenter.name

    @property
    def target_hosts(self) -> tuple[Host, ...]:
        """The hosts the VM will run on: the target's cluster, else (not known) every host of its vCenter."""
        hosts = self.target.hosts
        return hosts if hosts is not None else self.target.vcenter.hosts


def check(case: VmCase, check_id: str, status: CheckStatus, message: str, remedy: str = "") -> Check:
    return Check(check_id, status, message, remedy, case.subject.vm.id or case.subject.vm.name)


def no_tpm(case: VmCase, check_id: str) -> Check:
    return check(case, check_id, SKIP, f"{case.name} will not have a vTPM.")


def not_across(case: VmCase, check_id: str) -> Check | None:
    """A skip when no existing vTPM crosses to another vCenter, else None."""
    if case.in_place:
        return check(case, check_id, SKIP, f"{case.name} stays on its vCenter: nothing crosses to another one.")
    if not case.carried:
        return check(case, check_id, SKIP, f"No existing vTPM of {case.name} is carried over.")
    if not case.cross_vcenter:
        return check(case, check_id, SKIP, f"{case.name} stays on the same vCenter.")
    return None
