"""World files: the demo world's variety, defaults, ids, and path-naming errors."""

from __future__ import annotations

import copy
import hashlib

import pytest

from tests.demo import uuid
from vcdtpm.domain.model import Band, Firmware, KeyProviderType, Power, Provenance, TpmMode
from vcdtpm.domain.versions import parse_version
from vcdtpm.sim.world.errors import WorldError
from vcdtpm.sim.world.loader import DEMO_WORLD_PATH, demo_world, load_world, load_world_data

ID = "6b0a5c3e-0000-4000-8000-0000000000{:02d}".format


@pytest.fixture(scope="module")
def demo():
    return demo_world()


def vm_named(inv, name):
    return next(vm for vm in inv.vms.values() if vm.name == name)


def base_world() -> dict:
    """A small valid world that the broken cases below each spoil in one place."""
    return {
        "provider": {"users": [{"name": "admin", "password": "secret"}]},
        "vcenters": [
            {
                "name": "vc-a",
                "version": "8.0.2",
                "hosts": [{"name": "esx-a1", "tpm": True}],
                "key_providers": [{"name": "kp-gold", "type": "native", "default": True}],
                "datastores": [{"name": "ds-a", "url": "ds:///vmfs/volumes/a/"}],
            },
            {
                "name": "vc-b",
                "version": "7.0.3",
                "key_providers": [{"name": "kp-gold", "type": "standard", "default": True}],
                "datastores": [{"name": "ds-b", "url": "ds:///vmfs/volumes/b/"}],
            },
        ],
        "orgs": [
            {
                "name": "acme",
                "users": [{"name": "alice", "password": "secret", "role": "vApp Author"}],
                "vdcs": [
                    {"name": "acme-a", "vcenter": "vc-a", "datastore": "ds-a"},
                    {"name": "acme-b", "vcenter": "vc-b"},
                ],
                "catalogs": [
                    {
                        "name": "gold",
                        "templates": [
                            {
                                "name": "tpl",
                                "provenance": "captured",
                                "tpm_provisioning": "replace",
                                "vdc": "acme-a",
                                "vms": [{"name": "t-1", "guest_os": "windows2019srv_64Guest", "tpm": True}],
                            }
                        ],
                    }
                ],
                "vapps": [
                    {
                        "name": "web",
                        "vdc": "acme-a",
                        "vms": [{"name": "web-1", "id": ID(1), "guest_os": "windows2019srv_64Guest", "tpm": True}],
                    }
                ],
            }
        ],
        "vcenter_vms": [{"name": "legacy-1", "vcenter": "vc-a", "guest_os": "windows2019srv_64Guest"}],
    }


# -- the demo world ---------------------------------------------------------------


def test_the_demo_world_file_ships_inside_the_package():
    assert DEMO_WORLD_PATH.is_file()
    assert DEMO_WORLD_PATH.parent.name == "worlds"


def test_the_demo_world_uses_the_fixed_ids_of_its_objects(demo):
    assert demo.orgs["acme"].id == ID(81) and demo.orgs["globex"].id == ID(82)
    assert demo.vms[ID(1)].name == "web-1"
    assert demo.vapps[ID(41)].name == "web"
    assert demo.templates[ID(51)].name == "win-captured-copy"
    assert demo.catalogs[ID(61)].name == "gold"
    assert demo.vdcs[ID(71)].name == "acme-a"
    assert demo.vcenters["vc-a"].id == ID(91)


def test_every_org_vdc_vapp_vm_catalog_and_template_of_the_demo_world_has_a_fixed_id(demo):
    for table in (demo.vdcs, demo.vapps, demo.vms, demo.catalogs, demo.templates):
        assert all(key.startswith("6b0a5c3e-0000-4000-8000-") for key in table)
    assert all(org.id.startswith("6b0a5c3e-0000-4000-8000-") for org in demo.orgs.values())


def test_the_demo_world_spans_both_bands_and_a_vcenter_too_old_for_linux(demo):
    bands = {name: parse_version(vc.version).band for name, vc in demo.vcenters.items()}
    assert bands["vc-a"] is Band.V8 and bands["vc-b"] is Band.V7
    assert parse_version(demo.vcenters["vc-c"].version) < parse_version("7.0.2")


def test_the_demo_world_has_a_vcenter_that_lacks_the_kp_gold_key_provider(demo):
    assert {kp.name for kp in demo.vcenters["vc-c"].key_providers} == {"kp-silver"}
    assert all(any(kp.name == "kp-gold" for kp in demo.vcenters[n].key_providers) for n in ("vc-a", "vc-b"))


def test_the_demo_world_has_a_native_key_provider_unusable_for_want_of_host_tpms(demo):
    vc = demo.vcenters["vc-d"]
    acme_d = next(v for v in demo.vdcs.values() if v.name == "acme-d")
    assert [h.name for h in vc.hosts if h.tpm] == ["esx-d3"] and acme_d.hosts == ["esx-d1", "esx-d2"]
    assert all(kp.type is KeyProviderType.NATIVE and kp.tpm_hosts_only for kp in vc.key_providers)
    assert vc.clone_tpm_policy == "replace"


def test_the_demo_world_shares_storage_between_vc_a_and_vc_b_only(demo):
    urls = {name: {ds.url for ds in vc.datastores} for name, vc in demo.vcenters.items()}
    assert urls["vc-a"] & urls["vc-b"]
    assert not urls["vc-c"] & (urls["vc-a"] | urls["vc-b"] | urls["vc-d"])


def test_the_demo_world_has_templates_of_every_provenance(demo):
    kinds = {(t.provenance, t.tpm_provisioning) for t in demo.templates.values()}
    assert kinds == {
        (Provenance.CAPTURED, TpmMode.COPY),
        (Provenance.CAPTURED, TpmMode.REPLACE),
        (Provenance.OVF, None),
        (Provenance.VCENTER_IMPORT, None),
    }


def test_the_demo_world_has_a_vm_failing_each_prerequisite(demo):
    assert vm_named(demo, "bios-1").firmware is Firmware.BIOS
    assert vm_named(demo, "hw13-1").hardware_version == 13
    assert vm_named(demo, "xp-1").guest_os == "winXPProGuest"
    assert vm_named(demo, "running-1").power is Power.ON
    linux_old = vm_named(demo, "linux-old")
    assert linux_old.guest_os.startswith("rhel") and linux_old.vcenter == "vc-c"
    assert vm_named(demo, "win-d1").vcenter == "vc-d"


def test_the_demo_world_has_vms_with_and_without_a_vtpm_on_both_bands(demo):
    assert vm_named(demo, "web-1").tpm and vm_named(demo, "web-1").vcenter == "vc-a"
    assert vm_named(demo, "db-1").tpm and vm_named(demo, "db-1").vcenter == "vc-b"
    assert vm_named(demo, "web-2").tpm is None and vm_named(demo, "linux-b1").tpm is None


def test_the_demo_world_has_a_vcenter_only_vm_with_a_vtpm_to_import(demo):
    legacy = vm_named(demo, "legacy-tpm")
    assert legacy.tpm is not None and legacy.vapp is None and legacy.template is None
    assert demo.vm_org(legacy) is None


def test_the_demo_world_has_two_orgs_with_users_and_a_provider_admin(demo):
    assert [(u.name, u.password) for u in demo.provider_users] == [("admin", "secret")]
    assert {u.role for u in demo.orgs["acme"].users} == {
        "vApp Author",
        "Organization Administrator",
        "vApp User",
        "Catalog Author",
    }
    assert all(u.password == "secret" for org in demo.orgs.values() for u in org.users)
    assert demo.vm_org(demo.vms[uuid("vm", "gx-1")]) == "globex"


def test_each_demo_world_is_a_fresh_inventory():
    first, second = demo_world(), demo_world()
    first.vms[uuid("vm", "web-1")].power = Power.ON
    assert second.vms[uuid("vm", "web-1")].power is Power.OFF
    assert first.vms[uuid("vm", "web-1")].tpm.identity != second.vms[uuid("vm", "web-1")].tpm.identity


# -- defaults, placement and ids --------------------------------------------------


def test_keys_left_out_take_the_documented_defaults():
    inv = load_world_data(
        {
            "vcenters": [
                {
                    "name": "vc",
                    "version": "8.0.2",
                    "hosts": [{"name": "h"}],
                    "key_providers": [{"name": "kp", "type": "native"}],
                    "datastores": [{"name": "ds", "url": "ds:///x/"}],
                }
            ],
            "orgs": [
                {
                    "name": "o",
                    "vdcs": [{"name": "v", "vcenter": "vc"}],
                    "vapps": [{"name": "a", "vdc": "v", "vms": [{"name": "m", "guest_os": "rhel8_64Guest"}]}],
                }
            ],
        }
    )
    vc, vm = inv.vcenters["vc"], next(iter(inv.vms.values()))
    assert vc.clone_tpm_policy == "copy" and vc.hosts[0].tpm is False
    assert (vc.key_providers[0].default, vc.key_providers[0].tpm_hosts_only) == (False, False)
    assert (vm.power, vm.firmware, vm.hardware_version, vm.tpm, vm.key_provider) == (
        Power.OFF,
        Firmware.EFI,
        19,
        None,
        None,
    )
    assert inv.fast_cross_vcenter_instantiation is False
    assert inv.orgs["o"].users == [] and next(iter(inv.vdcs.values())).datastore == "ds"


def test_a_vm_with_a_vtpm_gets_a_fresh_vtpm_its_vcenters_default_key_provider_and_a_key_id():
    inv = load_world_data(base_world())
    vm = inv.vms[uuid("vm", "web-1")]
    assert vm.tpm is not None and vm.tpm.identity == "sha256:" + hashlib.sha256(vm.tpm.ek_cert).hexdigest()
    assert vm.key_provider == "kp-gold" and vm.key_id and vm.key_id in vm.encryption_bundle


def test_a_vm_may_name_a_key_provider_of_its_vcenter_other_than_the_default():
    world = base_world()
    world["vcenters"][0]["key_providers"].append({"name": "kp-2", "type": "standard"})
    world["orgs"][0]["vapps"][0]["vms"][0]["key_provider"] = "kp-2"
    assert load_world_data(world).vms[ID(1)].key_provider == "kp-2"


def test_vms_take_their_vcenter_and_datastore_from_their_vdc_or_template_or_own_keys():
    world = base_world()
    world["orgs"][0]["vapps"].append({"name": "b", "vdc": "acme-b", "vms": [{"name": "b-1", "guest_os": "x"}]})
    world["vcenter_vms"].append({"name": "legacy-2", "vcenter": "vc-b", "guest_os": "x", "datastore": "ds-b"})
    inv = load_world_data(world)
    where = {vm.name: (vm.vcenter, vm.datastore) for vm in inv.vms.values()}
    assert where == {
        "web-1": ("vc-a", "ds-a"),
        "b-1": ("vc-b", "ds-b"),
        "t-1": ("vc-a", "ds-a"),
        "legacy-1": ("vc-a", "ds-a"),
        "legacy-2": ("vc-b", "ds-b"),
    }


def test_vms_get_consecutive_morefs_from_their_own_vcenter():
    inv = load_world_data(base_world())
    morefs = {vm.name: (vm.vcenter, vm.moref) for vm in inv.vms.values()}
    assert morefs == {"web-1": ("vc-a", "vm-101"), "t-1": ("vc-a", "vm-102"), "legacy-1": ("vc-a", "vm-103")}


def test_objects_link_to_each_other_by_id():
    inv = load_world_data(base_world())
    vapp = next(iter(inv.vapps.values()))
    tpl = next(iter(inv.templates.values()))
    cat = next(iter(inv.catalogs.values()))
    assert vapp.vms == [ID(1)] and inv.vms[uuid("vm", "web-1")].vapp == vapp.id and vapp.vdc in inv.vdcs
    assert cat.templates == [tpl.id] and tpl.catalog == cat.id and inv.vms[tpl.vms[0]].template == tpl.id
    assert inv.vm_org(inv.vms[tpl.vms[0]]) == "acme"


def test_a_catalog_lives_in_its_first_templates_vdc_or_else_the_orgs_first_vdc():
    world = base_world()
    world["orgs"][0]["catalogs"][0]["templates"][0]["vdc"] = "acme-b"
    world["orgs"][0]["catalogs"].append({"name": "empty"})
    inv = load_world_data(world)
    by_name = {vdc.name: vdc.id for vdc in inv.vdcs.values()}
    assert {c.name: c.vdc for c in inv.catalogs.values()} == {"gold": by_name["acme-b"], "empty": by_name["acme-a"]}


def test_a_captured_template_without_tpm_provisioning_copies():
    world = base_world()
    del world["orgs"][0]["catalogs"][0]["templates"][0]["tpm_provisioning"]
    assert next(iter(load_world_data(world).templates.values())).tpm_provisioning is TpmMode.COPY


def test_given_ids_are_used_lower_cased_and_missing_ones_are_generated():
    world = base_world()
    world["orgs"][0]["id"] = ID(81).upper()
    inv = load_world_data(world)
    assert inv.orgs["acme"].id == ID(81) and ID(1) in inv.vms
    generated = [vdc.id for vdc in inv.vdcs.values()]
    assert len(set(generated)) == 2 and all(len(i) == 36 for i in generated)


def test_provider_users_go_to_the_system_orgs_list_not_to_an_org():
    inv = load_world_data(base_world())
    assert [u.name for u in inv.provider_users] == ["admin"] and "System" not in inv.orgs


def test_versions_are_stored_in_dotted_form():
    world = base_world()
    world["vcenters"][1]["version"] = "7.0 Update 2"
    assert load_world_data(world).vcenters["vc-b"].version == "7.0.2"


def test_bare_yaml_on_and_off_are_read_as_power_states(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        "vcenters: [{name: vc, version: '8.0.2', datastores: [{name: ds, url: 'ds:///x/'}]}]\n"
        "vcenter_vms:\n"
        "  - {name: a, vcenter: vc, guest_os: rhel8_64Guest, power: on}\n"
        "  - {name: b, vcenter: vc, guest_os: rhel8_64Guest, power: off}\n"
    )
    assert {vm.name: vm.power for vm in load_world(path).vms.values()} == {"a": Power.ON, "b": Power.OFF}


# -- broken worlds ----------------------------------------------------------------


def _set(path, value):
    def spoil(world):
        *parents, last = path
        node = world
        for key in parents:
            node = node[key]
        node[last] = value

    return spoil


def _append(path, value):
    def spoil(world):
        node = world
        for key in path:
            node = node[key]
        node.append(copy.deepcopy(value))

    return spoil


def _both(*spoils):
    def spoil(world):
        for each in spoils:
            each(world)

    return spoil


def _copy_of(original: str) -> dict:
    return {"name": f"copy-{original[-2:]}", "vcenter": "vc-b", "guest_os": "x", "tpm": True, "tpm_copy_of": original}


def _drop(path):
    def spoil(world):
        *parents, last = path
        node = world
        for key in parents:
            node = node[key]
        del node[last]

    return spoil


VM0 = ("orgs", 0, "vapps", 0, "vms", 0)
TPL0 = ("orgs", 0, "catalogs", 0, "templates", 0)
BROKEN = [
    ("unknown top-level key", _set(("colour",), "blue"), "colour", "unknown key"),
    ("unknown VM key", _set(VM0 + ("cpu",), 2), "orgs[0].vapps[0].vms[0].cpu", "unknown key"),
    ("missing vCenter version", _drop(("vcenters", 1, "version")), "vcenters[1].version", "required key is missing"),
    ("missing VM guest", _drop(VM0 + ("guest_os",)), "orgs[0].vapps[0].vms[0].guest_os", "required"),
    (
        "hardware version as a string",
        _set(VM0 + ("hardware_version",), "19"),
        "orgs[0].vapps[0].vms[0].hardware_version",
        "expected an integer",
    ),
    (
        "hardware version zero",
        _set(VM0 + ("hardware_version",), 0),
        "orgs[0].vapps[0].vms[0].hardware_version",
        "at least 1",
    ),
    ("tpm as a string", _set(VM0 + ("tpm",), "yes"), "orgs[0].vapps[0].vms[0].tpm", "expected true or false"),
    ("empty VM name", _set(VM0 + ("name",), " "), "orgs[0].vapps[0].vms[0].name", "must not be empty"),
    ("vcenters not a list", _set(("vcenters",), {"name": "vc-a"}), "vcenters", "expected a list"),
    ("org not a mapping", _set(("orgs", 0), "acme"), "orgs[0]", "expected a mapping"),
    ("bad firmware", _set(VM0 + ("firmware",), "uefi"), "orgs[0].vapps[0].vms[0].firmware", "not one of: efi, bios"),
    ("bad power", _set(VM0 + ("power",), "suspended"), "orgs[0].vapps[0].vms[0].power", "not one of"),
    (
        "bad key provider type",
        _set(("vcenters", 0, "key_providers", 0, "type"), "hsm"),
        "vcenters[0].key_providers[0].type",
        "not one of: native, standard, trusted",
    ),
    (
        "bad provenance",
        _set(TPL0 + ("provenance",), "cloned"),
        "orgs[0].catalogs[0].templates[0].provenance",
        "not one of",
    ),
    ("bad role", _set(("orgs", 0, "users", 0, "role"), "Root"), "orgs[0].users[0].role", "not one of"),
    (
        "bad clone policy",
        _set(("vcenters", 0, "clone_tpm_policy"), "new"),
        "vcenters[0].clone_tpm_policy",
        "not one of",
    ),
    (
        "clone policy replace on 7.x",
        _set(("vcenters", 1, "clone_tpm_policy"), "replace"),
        "vcenters[1].clone_tpm_policy",
        "8.0 and later",
    ),
    ("duplicate vCenter name", _set(("vcenters", 1, "name"), "vc-a"), "vcenters[1].name", "duplicate vCenter name"),
    (
        "duplicate VM name in a vApp",
        _append(("orgs", 0, "vapps", 0, "vms"), {"name": "web-1", "guest_os": "x"}),
        "orgs[0].vapps[0].vms[1].name",
        "duplicate VM name 'web-1'",
    ),
    ("duplicate VDC name", _set(("orgs", 0, "vdcs", 1, "name"), "acme-a"), "orgs[0].vdcs[1].name", "duplicate VDC"),
    (
        "duplicate user",
        _append(("orgs", 0, "users"), {"name": "alice", "password": "x"}),
        "orgs[0].users[1].name",
        "duplicate user name",
    ),
    (
        "duplicate key provider",
        _append(("vcenters", 0, "key_providers"), {"name": "kp-gold", "type": "native"}),
        "vcenters[0].key_providers[1].name",
        "duplicate key provider name",
    ),
    (
        "two default key providers",
        _append(("vcenters", 0, "key_providers"), {"name": "kp-2", "type": "native", "default": True}),
        "vcenters[0].key_providers[1].default",
        "already the default",
    ),
    (
        "duplicate datastore url",
        _append(("vcenters", 0, "datastores"), {"name": "ds-2", "url": "ds:///vmfs/volumes/a/"}),
        "vcenters[0].datastores[1].url",
        "duplicate datastore url",
    ),
    ("duplicate id", _set(("orgs", 0, "id"), ID(1)), "orgs[0].vapps[0].vms[0].id", "duplicate id"),
    ("malformed id", _set(VM0 + ("id",), "vm-1"), "orgs[0].vapps[0].vms[0].id", "not a UUID"),
    ("id as a URN", _set(VM0 + ("id",), "urn:vcloud:vm:" + ID(1)), "orgs[0].vapps[0].vms[0].id", "not a UUID"),
    ("unparseable version", _set(("vcenters", 0, "version"), "eight"), "vcenters[0].version", "not a vCenter version"),
    ("unquoted version number", _set(("vcenters", 0, "version"), 6.7), "vcenters[0].version", "quoted version"),
    (
        "VDC on an unknown vCenter",
        _set(("orgs", 0, "vdcs", 1, "vcenter"), "vc-z"),
        "orgs[0].vdcs[1].vcenter",
        "no vCenter named 'vc-z'",
    ),
    (
        "VDC on a datastore of another vCenter",
        _set(("orgs", 0, "vdcs", 1, "datastore"), "ds-a"),
        "orgs[0].vdcs[1].datastore",
        "vCenter 'vc-b' has no datastore named 'ds-a'",
    ),
    (
        "vApp in an unknown VDC",
        _set(("orgs", 0, "vapps", 0, "vdc"), "acme-z"),
        "orgs[0].vapps[0].vdc",
        "no VDC named 'acme-z'",
    ),
    (
        "template in an unknown VDC",
        _set(TPL0 + ("vdc",), "acme-z"),
        "orgs[0].catalogs[0].templates[0].vdc",
        "no VDC named 'acme-z'",
    ),
    (
        "key provider missing from the VM's vCenter",
        _set(VM0 + ("key_provider",), "kp-silver"),
        "orgs[0].vapps[0].vms[0].key_provider",
        "vCenter 'vc-a' has no key provider named 'kp-silver'",
    ),
    (
        "vTPM on a vCenter without a default key provider",
        _set(("vcenters", 0, "key_providers", 0, "default"), False),
        "orgs[0].vapps[0].vms[0].tpm",
        "no default one",
    ),
    (
        "tpm_provisioning on an OVF template",
        _set(TPL0 + ("provenance",), "ovf"),
        "orgs[0].catalogs[0].templates[0].tpm_provisioning",
        "only a captured template",
    ),
    (
        "vCenter VM on an unknown vCenter",
        _set(("vcenter_vms", 0, "vcenter"), "vc-z"),
        "vcenter_vms[0].vcenter",
        "no vCenter named 'vc-z'",
    ),
    (
        "vCenter VM on an unknown datastore",
        _set(("vcenter_vms", 0, "datastore"), "ds-b"),
        "vcenter_vms[0].datastore",
        "vCenter 'vc-a' has no datastore named 'ds-b'",
    ),
    ("an org named System", _set(("orgs", 0, "name"), "System"), "orgs[0].name", "provider"),
    (
        "a role for a provider user",
        _set(("provider", "users", 0, "role"), "vApp Author"),
        "provider.users[0].role",
        "unknown key",
    ),
    ("an id on a host", _set(("vcenters", 0, "hosts", 0, "id"), ID(99)), "vcenters[0].hosts[0].id", "unknown key"),
    (
        "a vTPM copy on a VM without a vTPM",
        _set(("vcenter_vms", 0, "tpm_copy_of"), ID(98)),
        "vcenter_vms[0].tpm_copy_of",
        "only a VM with a vTPM",
    ),
    (
        "a vTPM copy of a VM not in the world",
        _append(("vcenter_vms",), _copy_of(ID(98))),
        "vcenter_vms[1].tpm_copy_of",
        f"no VM with id {ID(98)}",
    ),
    (
        "a vTPM copy of a VM without one",
        _both(_set(("vcenter_vms", 0, "id"), ID(2)), _append(("vcenter_vms",), _copy_of(ID(2)))),
        "vcenter_vms[1].tpm_copy_of",
        "VM 'legacy-1' has no vTPM to copy",
    ),
    (
        "a vTPM copy of a copy",
        _both(_append(("vcenter_vms",), {**_copy_of(ID(1)), "id": ID(3)}), _append(("vcenter_vms",), _copy_of(ID(3)))),
        "vcenter_vms[2].tpm_copy_of",
        "is itself a copy: name the original VM",
    ),
    (
        "a vTPM copy of itself",
        _append(("vcenter_vms",), {**_copy_of(ID(3)), "id": ID(3)}),
        "vcenter_vms[1].tpm_copy_of",
        "a VM cannot hold a copy of its own vTPM",
    ),
    (
        "a vTPM copy named by a name, not an id",
        _set(("vcenter_vms", 0, "tpm_copy_of"), "web-1"),
        "vcenter_vms[0].tpm_copy_of",
        "is not a UUID",
    ),
]


@pytest.mark.parametrize("spoil, path, reason", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_world_is_rejected_with_a_message_naming_the_path(spoil, path, reason):
    world = base_world()
    spoil(world)
    with pytest.raises(WorldError) as caught:
        load_world_data(world)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ") and reason in str(caught.value)


def test_a_vm_may_hold_a_copy_of_another_vms_vtpm_keeping_its_identity_and_secrets():
    world = base_world()
    world["vcenter_vms"].append(
        {"name": "twin", "vcenter": "vc-b", "guest_os": "windows2019srv_64Guest", "tpm": True, "tpm_copy_of": ID(1)}
    )
    inv = load_world_data(world)
    original, twin = vm_named(inv, "web-1"), vm_named(inv, "twin")
    assert twin.tpm is not original.tpm and twin.tpm.identity == original.tpm.identity
    assert twin.tpm.nvram == original.tpm.nvram and twin.key_provider == "kp-gold" and twin.vcenter == "vc-b"


def test_the_demo_world_has_copies_of_one_vm_across_vapps_and_orgs(demo):
    holders = [vm for vm in demo.vms.values() if vm.tpm and vm.tpm.identity == vm_named(demo, "app-1").tpm.identity]
    assert sorted(vm.name for vm in holders) == ["app-1", "app-1-copy", "gx-app-1"]
    assert len({vm.vapp for vm in holders}) == 3 and {demo.vm_org(vm) for vm in holders} == {"acme", "globex"}
    identities = [vm.tpm.identity for vm in demo.vms.values() if vm.tpm]
    assert len(identities) - len(set(identities)) == 2  # no other VM of the demo shares its vTPM


def test_the_base_world_of_the_broken_cases_is_itself_valid():
    assert len(load_world_data(base_world()).vms) == 3


def test_the_reference_message_reads_exactly_as_documented():
    world = base_world()
    world["orgs"][0]["vdcs"][1]["vcenter"] = "vc-z"
    with pytest.raises(WorldError, match=r"^orgs\[0\]\.vdcs\[1\]\.vcenter: no vCenter named 'vc-z'$"):
        load_world_data(world)


@pytest.mark.parametrize("data, reason", [(None, "empty"), ([1, 2], "expected a mapping"), ("text", "mapping")])
def test_a_world_that_is_not_a_mapping_is_rejected_naming_its_source(data, reason):
    with pytest.raises(WorldError) as caught:
        load_world_data(data, source="mine.yaml")
    assert caught.value.path == "mine.yaml" and reason in str(caught.value)


FILES = [
    ("syntax error", "vcenters: [\n  {name: vc-a\n", "not valid YAML at line"),
    ("duplicate key", "vcenters: []\nvcenters: []\n", "duplicate key 'vcenters'"),
    ("empty file", "", "empty"),
    ("a list at the top", "- a\n- b\n", "expected a mapping"),
]


@pytest.mark.parametrize("content, reason", [case[1:] for case in FILES], ids=[case[0] for case in FILES])
def test_a_bad_world_file_is_a_world_error_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "world.yaml"
    path.write_text(content)
    with pytest.raises(WorldError) as caught:
        load_world(path)
    assert caught.value.path == str(path) and reason in str(caught.value)


def test_a_missing_world_file_is_a_world_error(tmp_path):
    with pytest.raises(WorldError, match="no such world file"):
        load_world(tmp_path / "nowhere.yaml")


def test_a_world_file_that_is_not_utf8_text_is_a_world_error(tmp_path):
    path = tmp_path / "world.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(WorldError, match="not UTF-8"):
        load_world(path)


def test_a_directory_given_as_world_file_is_a_world_error(tmp_path):
    with pytest.raises(WorldError, match="cannot be read"):
        load_world(tmp_path)


def test_yaml_anchors_and_merge_keys_still_load(tmp_path):
    path = tmp_path / "world.yaml"
    path.write_text(
        "vcenters:\n"
        "  - &vc {name: vc-a, version: '8.0.2', datastores: [{name: ds, url: 'ds:///x/'}]}\n"
        "  - {<<: *vc, name: vc-b}\n"
    )
    assert list(load_world(path).vcenters) == ["vc-a", "vc-b"]


def test_the_example_in_docs_world_md_loads(tmp_path):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "WORLD.md").read_text()
    example = tmp_path / "example.yaml"
    example.write_text(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    world = load_world(str(example))
    assert {vdc.name for vdc in world.vdcs.values()} >= {"acme-a", "acme-b"}
    assert any(t.name == "win-tpl" for t in world.templates.values())
