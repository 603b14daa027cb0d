"""Turns an operation request into the facts the planner needs, reading both clouds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import TypeVar

from vcdtpm.app.operation_request import PROVIDER_ONLY, NewVm, OperationRequest
from vcdtpm.app.ovf import read_ovf
from vcdtpm.domain.errors import Forbidden, Invalid, NotFound
from vcdtpm.domain.model import (
    Operation,
    Placement,
    PlanInput,
    SourceVApp,
    Subject,
    TemplateFacts,
    VCenterFacts,
    VmFacts,
)
from vcdtpm.ports import CloudDirector, Session, VCenter, VmRecord

O = Operation
T = TypeVar("T")


class Resolver:
    """Reads, for one request of one caller, every fact a plan depends on."""

    def __init__(
        self, cloud: CloudDirector, vcenters: Mapping[str, VCenter], session: Session, pool: Executor | None = None
    ):
        self.cloud = cloud
        self.vcenters = vcenters
        self.session = session
        self.pool = pool
        self._facts: dict[str, VCenterFacts] = {}

    def soon(self, read: Callable[..., T], *args) -> Future[T]:
        """`read(*args)` started now, alongside what follows (at once, without a pool)."""
        if self.pool is not None:
            return self.pool.submit(read, *args)
        done: Future[T] = Future()
        try:
            done.set_result(read(*args))
        except Exception as exc:
            done.set_exception(exc)
        return done

    # -- vCenters -------------------------------------------------------------
    def vcenter(self, name: str) -> VCenterFacts:
        if name not in self._facts:
            port = self.vcenters.get(name)
            if port is None:
                raise NotFound(f"vCenter {name} is not configured in vcdtpm.")
            self._facts[name] = port.facts()
        return self._facts[name]

    def located(self, vms: tuple[VmFacts, ...]) -> tuple[VmFacts, ...]:
        """VMs enriched with provider facts: one vCD query, one vCenter read per vCenter."""
        ids = [vm.id for vm in vms if vm.id]
        places = self.cloud.locate_vms(ids) if ids else {}
        by_vcenter: dict[str, list[str]] = {}
        for place in places.values():
            if place.vcenter and place.moref:
                by_vcenter.setdefault(place.vcenter, []).append(place.moref)
        reads = {
            name: self.soon(port.vm_facts, morefs)
            for name, morefs in by_vcenter.items()
            if (port := self.vcenters.get(name)) is not None
        }
        deep = {(name, m): f for name, read in reads.items() for m, f in read.result().items()}
        return tuple(_merge(vm, places.get(vm.id) if vm.id else None, deep) for vm in vms)

    def placement_of_vdc(self, urn: str) -> Placement:
        """The VDC's vCenter, datastore and the hosts its VMs run on (its cluster's)."""
        where = self.cloud.locate_vdc(urn)
        facts = self.vcenter(where.vcenter)
        port = self.vcenters.get(where.vcenter)
        hosts = port.hosts_of(where.resource_pool) if port is not None and where.resource_pool else None
        return Placement(facts, where.datastore_url, hosts)

    def source_of(self, vm: VmFacts) -> VCenterFacts | None:
        return self.vcenter(vm.vcenter) if vm.vcenter else None

    # -- targets --------------------------------------------------------------
    def target(self, request: OperationRequest) -> Placement:
        target = request.target
        if target.get("vdc"):
            vdc = self.cloud.get_vdc(self.session, target["vdc"])
            return self.placement_of_vdc(vdc.id)
        if target.get("vapp"):
            vapp = self.cloud.get_vapp(self.session, target["vapp"])
            return self.placement_of_vdc(vapp.vdc)
        if target.get("catalog"):
            catalog = self.cloud.get_catalog(self.session, target["catalog"])
            if catalog.vdc is None:
                raise Invalid("target.catalog", "has no storage in any VDC to hold templates")
            return self.placement_of_vdc(catalog.vdc)
        raise Invalid("target", "names no vdc, vapp or catalog")

    # -- sources --------------------------------------------------------------
    def vm(self, urn: str) -> VmFacts:
        return self.vm_and_vdc(urn)[0]

    def vm_and_vdc(self, urn: str) -> tuple[VmFacts, str | None]:
        record = self.cloud.get_vm(self.session, urn)
        return self.located((record.facts,))[0], record.vdc

    def captured_vm(self, urn: str) -> Subject:
        """The VM capture_vm captures, with its vApp and the other VMs in it (one more vCD read)."""
        record = self.cloud.get_vm(self.session, urn)
        vm = self.located((record.facts,))[0]
        return Subject(vm, self.source_of(vm), vapp=self.vapp_of(record))

    def vapp_of(self, record: VmRecord) -> SourceVApp | None:
        """The vApp holding a VM, naming its other VMs (a standalone VM has a vApp of its own)."""
        if record.vapp is None:
            return None
        vapp = self.cloud.get_vapp(self.session, record.vapp)
        others = tuple(vm.name for vm in vapp.vms if vm.id != record.facts.id)
        return SourceVApp(vapp.id, vapp.name, others)

    def vapp_vms(self, urn: str) -> tuple[VmFacts, ...]:
        return self.located(self.cloud.get_vapp(self.session, urn).vms)

    def template(self, urn: str) -> TemplateFacts:
        facts = self.cloud.get_template(self.session, urn).facts
        return replace(facts, vms=self.located(facts.vms))

    def template_subjects(self, urn: str, vm: str | None, field: str) -> tuple[Subject, ...]:
        template = self.template(urn)
        vms = template.vms
        if vm:
            vms = tuple(v for v in vms if v.id == vm or v.name == vm)
            if not vms:
                raise Invalid(field, f"the template has no VM '{vm}'")
        return tuple(Subject(v, self.source_of(v), template) for v in vms)

    def vcenter_vm(self, name: str) -> VmFacts:
        if not self.session.provider:
            raise Forbidden("Importing from vCenter is for the provider (System org) only.")
        for port in self.vcenters.values():
            found = port.find_vm(name)
            if found is not None:
                return found
        raise NotFound(f"No vCenter holds a VM named '{name}'.")


def _merge(vm: VmFacts, place: VmFacts | None, deep: dict) -> VmFacts:
    if place is None:
        return vm
    vm = replace(vm, vcenter=place.vcenter, moref=place.moref, datastore_url=place.datastore_url or vm.datastore_url)
    more = deep.get((vm.vcenter, vm.moref))
    if more is None:
        return vm
    return replace(
        vm,
        key_provider=more.key_provider,
        tpm_identity=more.tpm_identity,
        datastore_url=vm.datastore_url or more.datastore_url,
    )


def new_vm_facts(spec: NewVm) -> VmFacts:
    return VmFacts(
        name=spec.name,
        guest_os=spec.guest_os,
        firmware=spec.firmware,
        hardware_version=spec.hardware_version,
        tpm_present=spec.tpm,
    )


def subjects_for(request: OperationRequest, r: Resolver) -> tuple[Subject, ...]:
    """The VMs an operation creates or changes, each with where it comes from."""
    op, src = request.operation, request.source
    if op in PROVIDER_ONLY:
        vm = r.vcenter_vm(src["vcenter_vm"])
        return (Subject(vm, r.source_of(vm)),)
    if op in (O.CREATE_VM, O.ADD_VM_TO_VAPP):
        assert request.vm is not None  # validated: the operation needs vm
        return (Subject(new_vm_facts(request.vm)),)
    if op in (O.CREATE_VAPP_FROM_OVF, O.CREATE_TEMPLATE_FROM_OVF):
        return tuple(Subject(vm, from_ovf=True) for vm in read_ovf(request.ovf or ""))
    if op in (O.CREATE_VM_FROM_TEMPLATE, O.ADD_VM_FROM_TEMPLATE):
        return r.template_subjects(src["template"], src.get("vm"), "source.vm")
    if op is O.INSTANTIATE_VAPP_TEMPLATE:
        return r.template_subjects(src["template"], None, "source.template")
    if op is O.COMPOSE_VAPP:
        return _compose_subjects(request, r)
    if op in (O.COPY_VAPP, O.MOVE_VAPP, O.CAPTURE_VAPP):
        return tuple(Subject(vm, r.source_of(vm)) for vm in r.vapp_vms(src["vapp"]))
    if op is O.CAPTURE_VM:
        return (r.captured_vm(src["vm"]),)
    vm = r.vm(src["vm"])
    return (Subject(vm, r.source_of(vm)),)


def _compose_subjects(request: OperationRequest, r: Resolver) -> tuple[Subject, ...]:
    subjects: list[Subject] = []
    for i, item in enumerate(request.items):
        if item.new_vm is not None:
            subjects.append(Subject(new_vm_facts(item.new_vm)))
        else:
            subjects.extend(r.template_subjects(item.template or "", item.vm, f"items[{i}].vm"))
    return tuple(subjects)


def _in_place(request: OperationRequest, r: Resolver, vm: VmFacts) -> Placement:
    """Where a VM whose vTPM is added or removed stays: its VDC's cluster, on its vCenter."""
    if not vm.vcenter:
        return r.target(request)
    _, vdc = r.vm_and_vdc(request.source["vm"])
    placed = r.placement_of_vdc(vdc) if vdc else None
    if placed is not None and placed.vcenter.name == vm.vcenter:
        return Placement(placed.vcenter, vm.datastore_url, placed.hosts)
    return Placement(r.vcenter(vm.vcenter), vm.datastore_url)


def plan_input(request: OperationRequest, r: Resolver) -> PlanInput:
    """Everything `planner.plan` needs for this request (validated by the caller)."""
    in_place = request.operation in (O.ADD_TPM, O.REMOVE_TPM, O.REPLACE_TPM)
    where = None if in_place else r.soon(r.target, request)  # the target does not wait for the subjects
    subjects = subjects_for(request, r)
    target = _in_place(request, r, subjects[0].vm) if where is None else where.result()
    return PlanInput(
        operation=request.operation,
        subjects=subjects,
        target=target,
        requested=request.tpm,
        replace_on_7x=request.replace_on_7x,
        acknowledge_tpm_data_loss=request.acknowledge_tpm_data_loss,
        move=request.move,
        fast_cross_vcenter_instantiation=r.cloud.fast_cross_vcenter_instantiation(),
    )
