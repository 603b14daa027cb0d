"""Every vApp VM at once from the simulated vCD over HTTP: the provider's census and a caller's view, paged."""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import parse_qs

import pytest

from tests.adapters.vcd.test_vcd_adapter import make_adapter
from tests.smallcloud import PASSWORD, Ids, build_inventory, served
from vcdtpm.sim.inventory import new_id

VM = "urn:vcloud:vm:{}".format
BULK = 300  # more than two pages of 128


@pytest.fixture(scope="module")
def crowded():
    """The small cloud with BULK more VMs in acme's vApp web."""
    inventory = build_inventory()
    web1, vapp = inventory.vms[Ids.web1], inventory.vapps[Ids.web]
    for i in range(BULK):
        vm = replace(web1, name=f"bulk-{i:03d}", id=new_id(), moref=f"vm-{1000 + i}", tpm=None)
        inventory.vms[vm.id] = vm
        vapp.vms.append(vm.id)
    yield from served(inventory)


@pytest.fixture(scope="module")
def adapter(crowded, tmp_path_factory):
    return make_adapter(crowded.url, tmp_path_factory.mktemp("census") / "vcd_pysdk.log", crowded.inventory)


def queries(crowded) -> list[dict]:
    """The typed queries the simulator was asked, in order, with their parameters."""
    return [
        {k: v[0] for k, v in parse_qs(e.query).items()} for e in crowded.app.requests.entries if e.path == "/api/query"
    ]


@pytest.fixture(autouse=True)
def fresh_log(crowded):
    crowded.app.requests.clear()


def vapp_vms(inventory) -> dict:
    return {VM(vm.id): vm for vm in inventory.vms.values() if vm.vapp is not None}


def test_the_census_lists_every_vapp_vm_with_org_vcenter_and_moref(adapter, crowded):
    placed = {vm.id: vm for vm in adapter.provider_vms()}
    expected = vapp_vms(crowded.inventory)
    assert set(placed) == set(expected) and len(placed) == BULK + 3
    for urn, vm in expected.items():
        org = crowded.inventory.vm_org(vm)
        assert (placed[urn].name, placed[urn].org, placed[urn].vcenter, placed[urn].moref) == (
            vm.name,
            org,
            vm.vcenter,
            vm.moref,
        )
        assert placed[urn].vapp == f"urn:vcloud:vapp:{vm.vapp}"


def test_the_census_leaves_template_vms_and_vcenter_only_vms_out(adapter, crowded):
    placed = {vm.id for vm in adapter.provider_vms()}
    assert VM(Ids.tpl_vm) not in placed
    assert not any(vm.vapp is None and VM(vm.id) in placed for vm in crowded.inventory.vms.values())


def test_the_census_reads_page_by_page_never_per_vm(adapter, crowded):
    adapter.provider_vms()
    pages = math.ceil((BULK + 3) / 128)
    asked = queries(crowded)
    assert [q["type"] for q in asked] == ["adminOrgVdc"] + ["adminVM"] * pages and pages == 3
    assert [q["page"] for q in asked[1:]] == ["1", "2", "3"] and {q["pageSize"] for q in asked} == {"128"}
    assert all(q["filter"] == "isVAppTemplate==false" for q in asked[1:])


def test_a_caller_sees_its_own_orgs_vapp_vms_with_its_own_token(adapter, crowded):
    alice = adapter.login("alice", "acme", PASSWORD)
    crowded.app.requests.clear()
    seen = adapter.visible_vms(alice)
    acme = {urn for urn, vm in vapp_vms(crowded.inventory).items() if crowded.inventory.vm_org(vm) == "acme"}
    assert seen == acme and VM(Ids.erp1) not in seen
    assert [q["type"] for q in queries(crowded)] == ["vm"] * math.ceil(len(acme) / 128)


def test_a_caller_of_another_org_sees_only_its_own(adapter, crowded):
    bob = adapter.login("bob", "globex", PASSWORD)
    assert adapter.visible_vms(bob) == {VM(Ids.erp1)}
