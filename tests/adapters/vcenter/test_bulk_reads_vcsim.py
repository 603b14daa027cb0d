"""One bulk read per vCenter per plan, and its slow-changing facts kept: SOAP calls counted on vcsim."""

from __future__ import annotations

import pytest
from pyVmomi import vim

from tests.adapters.vcenter.vcsim import connected, running
from vcdtpm.adapters.vcenter import bulk
from vcdtpm.app.vcenter_cache import CachedVCenter
from vcdtpm.domain.model import Host

FLEET = 500
CONFIG = {
    "key_providers": [{"name": "nkp", "type": "native", "default": True}],
    "hosts": {"DC0_C0_H0": {"tpm": True, "tpm_version": "2.0"}},
    "datastores": {"LocalDS_0": "ds:///vmfs/volumes/fleet/"},
    "vms": [{"name": "fleet", "tpm": True, "key_provider": "nkp", "count": FLEET}],
}


@pytest.fixture(scope="module")
def fleet_sim(vcsim_binary):
    yield from running(vcsim_binary, "8.0.2.0", "f1ee7000-0000-4000-8000-000000000500", CONFIG)


@pytest.fixture(scope="module")
def fleet(fleet_sim):
    yield from connected(fleet_sim, "vc-fleet")


@pytest.fixture(scope="module")
def morefs(fleet_sim):
    return sorted(row["moref"] for name, row in fleet_sim.vms().items() if name.startswith("fleet-"))


def _soap(sim, vc, read):
    """(what `read()` answered, SOAP calls the adapter sent, calls vcsim received by method)."""
    vc.about()  # logged in before counting
    client, server = vc.round_trips, sim.calls()
    answer = read()
    after = sim.calls()
    return answer, vc.round_trips - client, {m: n - server.get(m, 0) for m, n in after.items() if n != server.get(m, 0)}


@pytest.mark.parametrize("count", [1, FLEET])
def test_facts_of_1_or_500_vms_and_their_datastores_are_one_retrieval(fleet, fleet_sim, morefs, count):
    facts, sent, received = _soap(fleet_sim, fleet, lambda: fleet.vm_facts(morefs[:count]))
    assert len(facts) == count and all(f.datastore_url == "ds:///vmfs/volumes/fleet/" for f in facts.values())
    assert sent == 1 and received == {"RetrievePropertiesEx": 1}


def test_the_hosts_of_a_resource_pool_are_one_retrieval(fleet, fleet_sim):
    content = fleet._session.content()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
    cluster = view.view[0]
    pool, names = cluster.resourcePool._moId, sorted(h.name for h in cluster.host)
    view.DestroyView()
    hosts, sent, received = _soap(fleet_sim, fleet, lambda: fleet.hosts_of(pool))
    assert [h.name for h in hosts] == names and Host("DC0_C0_H0", tpm=True) in hosts
    assert sent == 1 and received == {"RetrievePropertiesEx": 1}
    assert fleet.hosts_of("resgroup-404040") is None


def test_a_bulk_read_follows_references_and_leaves_missing_objects_out(fleet, morefs):
    content = fleet._session.content()
    found = bulk.properties(
        content,
        {vim.VirtualMachine: [morefs[0], "vm-404040", morefs[1]]},
        {vim.VirtualMachine: ("name",), vim.Datastore: ("summary.url",)},
        follow=[(vim.VirtualMachine, "datastore")],
    )
    vms = {m: f.values["name"] for m, f in found.items() if f.kind is vim.VirtualMachine}
    assert sorted(vms) == sorted(morefs[:2]) and all(name.startswith("fleet-") for name in vms.values())
    stores = [f.values for f in found.values() if f.kind is vim.Datastore]
    assert stores == [{"summary.url": "ds:///vmfs/volumes/fleet/"}]
    everything = bulk.every(content, {vim.VirtualMachine: ("name",)})
    assert set(morefs) <= set(everything)


def test_kept_facts_cost_nothing_until_refreshed(fleet, fleet_sim):
    kept = CachedVCenter(fleet, ttl=300)
    first, cold, _ = _soap(fleet_sim, fleet, kept.facts)
    again, warm, _ = _soap(fleet_sim, fleet, kept.facts)
    fresh, refreshed, _ = _soap(fleet_sim, fleet, kept.refresh)
    assert first == again == fresh and first.default_key_provider.name == "nkp"
    assert cold > 0 and warm == 0 and refreshed == cold
