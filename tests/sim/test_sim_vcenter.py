"""The simulated vCenter port: facts, batched VM facts, identities, find_vm."""

from __future__ import annotations

import hashlib
import threading

import pytest

from tests.demo import uuid
from vcdtpm.domain.errors import NotFound
from vcdtpm.domain.model import Datastore, Firmware, Host, KeyProvider, KeyProviderType, Power
from vcdtpm.ports import VCenter
from vcdtpm.sim.vcd.ids import resource_pool_moref
from vcdtpm.sim.vcenter import SimulatedVCenter, simulated_vcenters
from vcdtpm.sim.world.loader import demo_world, load_world_data

ID = "6b0a5c3e-0000-4000-8000-0000000000{:02d}".format
SHARED = "ds:///vmfs/volumes/5f1e-shared/"


@pytest.fixture
def inventory():
    return demo_world()


@pytest.fixture
def vcenters(inventory):
    return simulated_vcenters(inventory)


def test_there_is_one_simulated_vcenter_per_vcenter_of_the_world(vcenters):
    assert sorted(vcenters) == ["vc-a", "vc-b", "vc-c", "vc-d"]
    assert all(isinstance(port, VCenter) and port.name == name for name, port in vcenters.items())


def test_an_unknown_vcenter_name_is_not_found(inventory):
    with pytest.raises(NotFound):
        SimulatedVCenter(inventory, "vc-z")


def test_facts_report_version_key_providers_hosts_datastores_and_clone_policy(vcenters):
    facts = vcenters["vc-a"].facts()
    assert (facts.name, facts.version, facts.clone_tpm_policy) == ("vc-a", "8.0.2", "copy")
    assert facts.default_key_provider == KeyProvider("kp-gold", KeyProviderType.NATIVE, default=True)
    assert facts.key_provider("kp-hw").tpm_hosts_only is True
    assert facts.hosts == (Host("esx-a1", tpm=True), Host("esx-a2", tpm=False)) and facts.has_tpm_host
    assert Datastore("ds-shared", SHARED) in facts.datastores


def test_facts_show_shared_storage_and_a_key_provider_mismatch(vcenters):
    a, b, c = (vcenters[n].facts() for n in ("vc-a", "vc-b", "vc-c"))
    assert SHARED in a.datastore_urls & b.datastore_urls
    assert not a.datastore_urls & c.datastore_urls
    assert b.key_provider("kp-gold") is not None and c.key_provider("kp-gold") is None


def test_facts_of_vc_d_show_an_nkp_restricted_to_tpm_hosts_and_acme_d_on_hosts_without_tpm(vcenters):
    facts = vcenters["vc-d"].facts()
    assert facts.clone_tpm_policy == "replace" and facts.has_tpm_host  # esx-d3, outside acme-d's cluster
    pool = resource_pool_moref(uuid("vdc", "acme-d"))
    assert [(h.name, h.tpm) for h in vcenters["vc-d"].hosts_of(pool)] == [("esx-d1", False), ("esx-d2", False)]
    assert vcenters["vc-d"].hosts_of("resgroup-none") is None
    assert [(kp.type, kp.tpm_hosts_only) for kp in facts.key_providers] == [(KeyProviderType.NATIVE, True)]


def test_vm_facts_answer_a_batch_keyed_by_moref(inventory, vcenters):
    web1, bios1 = inventory.vms[ID(1)], inventory.vms[ID(3)]
    facts = vcenters["vc-a"].vm_facts([web1.moref, bios1.moref])
    assert set(facts) == {web1.moref, bios1.moref}
    one = facts[web1.moref]
    assert (one.name, one.vcenter, one.moref, one.datastore_url) == ("web-1", "vc-a", web1.moref, SHARED)
    assert (one.guest_os, one.firmware, one.hardware_version, one.power) == (
        "windows2019srv_64Guest",
        Firmware.EFI,
        19,
        Power.OFF,
    )
    assert one.tpm_present and one.key_provider == "kp-gold"
    other = facts[bios1.moref]
    assert other.firmware is Firmware.BIOS and not other.tpm_present
    assert other.key_provider is None and other.tpm_identity is None


def test_vm_facts_carry_no_cloud_director_urn(inventory, vcenters):
    web1 = inventory.vms[ID(1)]
    assert vcenters["vc-a"].vm_facts([web1.moref])[web1.moref].id is None


def test_vm_facts_leave_out_unknown_morefs_and_vms_of_other_vcenters(inventory, vcenters):
    db1 = inventory.vms[ID(7)]
    assert db1.vcenter == "vc-b"
    answer = vcenters["vc-a"].vm_facts(["vm-999", "vm-nope"])
    assert answer == {}
    assert vcenters["vc-b"].vm_facts([db1.moref])[db1.moref].name == "db-1"


def test_the_vtpm_identity_is_the_fingerprint_of_the_endorsement_key_certificate(inventory, vcenters):
    web1 = inventory.vms[ID(1)]
    identity = vcenters["vc-a"].vm_facts([web1.moref])[web1.moref].tpm_identity
    assert identity == "sha256:" + hashlib.sha256(web1.tpm.ek_cert).hexdigest()


def test_every_vtpm_has_its_own_identity_and_a_copied_one_keeps_it(inventory, vcenters):
    copies = {ID(14), ID(32)}  # app-1-copy and gx-app-1 hold copies of app-1's vTPM (tpm_copy_of)
    tpm_vms = [vm for vm in inventory.vms.values() if vm.tpm is not None and vm.id not in copies]
    assert len({vm.tpm.identity for vm in tpm_vms}) == len(tpm_vms)
    assert {inventory.vms[c].tpm.identity for c in copies} == {inventory.vms[ID(13)].tpm.identity}
    web1, web2 = inventory.vms[ID(1)], inventory.vms[ID(2)]
    web2.tpm = web1.tpm.copy()
    facts = vcenters["vc-a"].vm_facts([web1.moref, web2.moref])
    assert facts[web1.moref].tpm_identity == facts[web2.moref].tpm_identity


def test_vm_facts_follow_changes_to_the_inventory(inventory, vcenters):
    web2 = inventory.vms[ID(2)]
    with inventory.lock:
        web2.power = Power.ON
    assert vcenters["vc-a"].vm_facts([web2.moref])[web2.moref].power is Power.ON


def _world_with(count: int):
    return load_world_data(
        {
            "vcenters": [
                {
                    "name": "vc",
                    "version": "8.0.2",
                    "key_providers": [{"name": "kp", "type": "native", "default": True}],
                    "datastores": [{"name": "ds", "url": "ds:///x/"}],
                }
            ],
            "orgs": [
                {
                    "name": "o",
                    "vdcs": [{"name": "v", "vcenter": "vc"}],
                    "vapps": [
                        {
                            "name": "a",
                            "vdc": "v",
                            "vms": [
                                {"name": f"m-{i}", "guest_os": "rhel8_64Guest", "tpm": i % 2 == 0} for i in range(count)
                            ],
                        }
                    ],
                }
            ],
        }
    )


@pytest.mark.parametrize("count", [1, 50])
def test_vm_facts_cost_one_round_trip_whatever_the_number_of_vms(count):
    inventory = _world_with(count)
    port = SimulatedVCenter(inventory, "vc")
    answer = port.vm_facts([vm.moref for vm in inventory.vms.values()])
    assert len(answer) == count
    assert port.round_trips == 1


def test_every_call_counts_as_a_round_trip(vcenters):
    port = vcenters["vc-a"]
    port.facts()
    port.vm_facts([])
    port.find_vm("legacy-tpm")
    assert port.round_trips == 3


def test_find_vm_finds_a_vm_cloud_director_does_not_manage_yet(inventory, vcenters):
    found = vcenters["vc-a"].find_vm("legacy-tpm")
    legacy = inventory.vms[ID(35)]
    assert found is not None and found.moref == legacy.moref and found.vcenter == "vc-a"
    assert found.tpm_present and found.tpm_identity == legacy.tpm.identity and found.key_provider == "kp-gold"


def test_find_vm_reads_the_datastore_a_vcenter_vm_was_given(vcenters):
    found = vcenters["vc-b"].find_vm("legacy-plain")
    assert found.datastore_url == "ds:///vmfs/volumes/5f1e-b-local/" and not found.tpm_present


def test_find_vm_answers_none_for_unknown_names_vms_elsewhere_and_managed_vms(vcenters):
    assert vcenters["vc-a"].find_vm("nobody") is None
    assert vcenters["vc-b"].find_vm("legacy-tpm") is None
    assert vcenters["vc-a"].find_vm("web-1") is None


def test_reads_wait_for_the_inventory_lock(inventory, vcenters):
    answered = threading.Event()
    web1 = inventory.vms[ID(1)]

    def read():
        vcenters["vc-a"].vm_facts([web1.moref])
        answered.set()

    with inventory.lock:
        reader = threading.Thread(target=read)
        reader.start()
        assert not answered.wait(0.2)
    assert answered.wait(5)
    reader.join(5)
