"""The identity audit use case over the simulated vCenters, Cloud Director's census answered from the inventory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.demo import urn, uuid
from vcdtpm.app.identities import TpmIdentities
from vcdtpm.domain.errors import Forbidden
from vcdtpm.domain.model import Operation, Placement, PlanInput, Subject, VCenterFacts, VmFacts
from vcdtpm.ports import OperationStatus, OperationView, PlacedVm, Session
from vcdtpm.sim.inventory import SimVm, SimVTpm
from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import demo_world

ADMIN = Session("t-admin", "System", "admin", provider=True)
ALICE = Session("t-alice", "acme", "alice", provider=False)
GINA = Session("t-gina", "globex", "gina", provider=False)
VM = "urn:vcloud:vm:{}".format


class CensusCloud:
    """Cloud Director's census calls answered from the simulated inventory, each call counted."""

    def __init__(self, inventory):
        self.inventory = inventory
        self.calls = {"provider_vms": 0, "visible_vms": 0}

    def provider_vms(self):
        self.calls["provider_vms"] += 1
        inv = self.inventory
        return [
            PlacedVm(VM(vm.id), vm.name, inv.vm_org(vm) or "", f"urn:vcloud:vapp:{vm.vapp}", vm.vcenter, vm.moref)
            for vm in inv.vms.values()
            if vm.vapp is not None
        ]

    def visible_vms(self, session):
        self.calls["visible_vms"] += 1
        inv = self.inventory
        return {VM(vm.id) for vm in inv.vms.values() if vm.vapp is not None and inv.vm_org(vm) == session.org}


class Journal:
    """The journal's list, per org."""

    def __init__(self, operations=()):
        self.operations = list(operations)

    def list(self, org, limit=100):
        return [op for op in self.operations if op.org == org][:limit]


def operation(op_id, org, user, kind, source, result, status=OperationStatus.SUCCEEDED, minute=0) -> OperationView:
    when = datetime(2026, 1, 1, 12, minute, tzinfo=UTC)
    return OperationView(
        op_id, org, user, kind, status, 100, (), result, None, {}, {"source": source}, when, when, None, None
    )


@pytest.fixture
def inventory():
    return demo_world()


@pytest.fixture
def vcenters(inventory):
    return simulated_vcenters(inventory)


@pytest.fixture
def cloud(inventory):
    return CensusCloud(inventory)


@pytest.fixture
def audit(cloud, vcenters):
    return TpmIdentities(cloud, vcenters, Journal())


def copy_vm(inventory, original: str, vapp: str, name: str, tpm: str = "copy") -> SimVm:
    """What Cloud Director's copy does to the inventory: a new VM in `vapp`, its vTPM copied or new."""
    source, holder = inventory.vms[uuid("vm", original)], inventory.vapps[uuid("vapp", vapp)]
    vc = inventory.vcenters[inventory.vdcs[holder.vdc].vcenter]
    assert source.tpm is not None
    tpm = source.tpm.copy() if tpm == "copy" else SimVTpm.fresh()
    vm = SimVm(name, source.guest_os, vc.name, inventory.vdcs[holder.vdc].datastore, vc.next_moref(), tpm=tpm)
    vm.vapp = holder.id
    inventory.vms[vm.id] = vm
    holder.vms.append(vm.id)
    return vm


def shared(groups):
    return {tuple(sorted(m.name for m in g.vms)): g for g in groups if g.size >= 2}


def test_the_demo_world_shows_one_shared_identity_across_vapps_orgs_and_vcenters(audit):
    (group,) = audit.groups(ADMIN, shared=True)
    assert [(m.name, m.org, m.vcenter) for m in group.vms] == [
        ("app-1", "acme", "vc-a"),
        ("app-1-copy", "acme", "vc-b"),
        ("gx-app-1", "globex", "vc-a"),
    ]
    assert group.others == 0 and group.identity.startswith("sha256:")


def test_the_census_reads_cloud_director_once_and_each_vcenter_once(audit, cloud, vcenters, inventory):
    before = {name: vc.round_trips for name, vc in vcenters.items()}
    audit.groups(ADMIN)
    spanned = {vm.vcenter for vm in inventory.vms.values() if vm.vapp is not None}
    assert cloud.calls == {"provider_vms": 1, "visible_vms": 0}
    assert {n: vc.round_trips - before[n] for n, vc in vcenters.items()} == {n: int(n in spanned) for n in vcenters}


def test_every_vtpm_vm_of_a_vapp_is_in_exactly_one_group(audit, inventory):
    groups = audit.groups(ADMIN)
    members = [m.id for g in groups for m in g.vms]
    with_tpm = [VM(vm.id) for vm in inventory.vms.values() if vm.vapp is not None and vm.tpm is not None]
    assert sorted(members) == sorted(with_tpm) and len(groups) == len(with_tpm) - 2


def test_a_copy_joins_the_group_of_its_original(audit, inventory):
    copy_vm(inventory, "web-1", "app7", "web-1-copy")
    assert "web-1-copy" in {m.name for g in audit.groups(ADMIN, shared=True) for m in g.vms}
    assert ("web-1", "web-1-copy") in shared(audit.groups(ADMIN))


def test_a_copy_with_replace_shares_nothing(audit, inventory):
    copy_vm(inventory, "web-1", "app7", "web-1-new", tpm="replace")
    assert not any("web-1" in names or "web-1-new" in names for names in shared(audit.groups(ADMIN, shared=True)))


def test_a_rekeyed_copy_leaves_its_group(audit, inventory):
    inventory.vms[uuid("vm", "app-1-copy")].tpm = SimVTpm.fresh()  # what replace_tpm's remove + add leave
    assert list(shared(audit.groups(ADMIN, shared=True))) == [("app-1", "gx-app-1")]


def test_a_tenant_sees_its_own_members_and_only_a_count_of_the_others(audit, cloud):
    (group,) = audit.groups(ALICE, shared=True)
    assert [(m.name, m.org, m.vcenter) for m in group.vms] == [("app-1", None, None), ("app-1-copy", None, None)]
    assert group.others == 1 and cloud.calls["visible_vms"] == 1
    (seen_by_gina,) = audit.groups(GINA, shared=True)
    assert [m.name for m in seen_by_gina.vms] == ["gx-app-1"] and seen_by_gina.others == 2
    assert seen_by_gina.identity == group.identity


def test_a_tenant_sees_no_group_without_a_vm_of_its_own(audit, inventory):
    groups = audit.groups(GINA)
    assert {m.name for g in groups for m in g.vms} == {"gx-1", "gx-app-1"}


@pytest.mark.parametrize("field", ["org", "vcenter"])
def test_the_org_and_vcenter_filters_are_for_the_provider(audit, field):
    with pytest.raises(Forbidden) as refused:
        audit.groups(ALICE, **{field: "acme"})
    assert refused.value.kwargs["field"] == field


def test_the_provider_filters_by_org_and_vcenter_keeping_whole_groups(audit):
    (globex,) = audit.groups(ADMIN, shared=True, org="globex")
    assert len(globex.vms) == 3
    assert audit.groups(ADMIN, shared=True, vcenter="vc-b")[0].identity == globex.identity
    assert audit.groups(ADMIN, shared=True, vcenter="vc-c") == []
    assert {m.org for g in audit.groups(ADMIN, org="globex") for m in g.vms} >= {"globex"}


def test_shared_identities_per_org_for_a_gauge(audit, inventory):
    assert audit.shared_per_org() == {"acme": 1, "globex": 1}
    copy_vm(inventory, "web-1", "app7", "web-1-copy")
    assert audit.shared_per_org(max_age=0) == {"acme": 2, "globex": 1}


def test_the_gauges_census_is_reused_for_max_age_seconds(audit, cloud, inventory):
    audit.shared_per_org()
    copy_vm(inventory, "web-1", "app7", "web-1-copy")
    assert audit.shared_per_org(max_age=3600) == {"acme": 1, "globex": 1}
    assert cloud.calls["provider_vms"] == 1
    assert audit.shared_per_org(max_age=0) == {"acme": 2, "globex": 1} and cloud.calls["provider_vms"] == 2


def test_lineage_names_the_operations_that_made_members(cloud, vcenters, inventory):
    copy = copy_vm(inventory, "web-1", "app7", "web-1-copy")
    journal = Journal(
        [
            operation("op-1", "acme", "alice", "copy_vm", {"vm": urn("vm", "web-1")}, {"vm": VM(copy.id)}, minute=5),
            operation(
                "op-2",
                "acme",
                "alice",
                "copy_vm",
                {"vm": urn("vm", "web-1")},
                {"vm": VM(copy.id)},
                status=OperationStatus.FAILED,
            ),  # fmt: skip
            operation("op-3", "acme", "alice", "add_tpm", {"vm": urn("vm", "web-2")}, {"vm": urn("vm", "web-2")}),
            operation("op-4", "globex", "gina", "copy_vapp", {"vapp": "x"}, {"vapp": urn("vapp", "gx-shared")}),
        ]
    )
    audit = TpmIdentities(cloud, vcenters, journal)
    pair = shared(audit.groups(ALICE))[("web-1", "web-1-copy")]
    (step,) = pair.lineage
    assert (step.operation, step.operation_id, step.user, step.org, step.result) == (
        "copy_vm",
        "op-1",
        "alice",
        None,
        VM(copy.id),
    )
    assert step.time == "2026-01-01T12:05:00+00:00" and step.source == {"vm": urn("vm", "web-1")}
    tenant_view = shared(audit.groups(ALICE))[("app-1", "app-1-copy")]
    assert tenant_view.lineage == ()  # globex's operation is not acme's to see
    provider_view = shared(audit.groups(ADMIN))[("app-1", "app-1-copy", "gx-app-1")]
    assert [(s.operation_id, s.org) for s in provider_view.lineage] == [("op-4", "globex")]


def test_a_plan_input_learns_how_many_other_vms_share_each_subjects_identity(audit, inventory):
    app1 = inventory.vms[uuid("vm", "app-1")]
    vm = VmFacts("app-1", app1.guest_os, tpm_present=True, id=VM(app1.id), tpm_identity=app1.tpm.identity)
    target = Placement(VCenterFacts("vc-a", "8.0.2"))
    inp = audit.with_peers(PlanInput(Operation.REPLACE_TPM, (Subject(vm),), target))
    assert inp.subjects[0].identity_peers == 2
    untouched = PlanInput(Operation.REPLACE_TPM, (Subject(replace(vm, tpm_identity=None)),), target)
    assert audit.with_peers(untouched) is untouched
