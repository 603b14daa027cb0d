"""Every operation over REST on a fresh simulated cloud: where things end up, and whose vTPM they carry."""

from __future__ import annotations

import pytest

from tests.api.test_plans import OVF_TPM, WIN
from tests.demo import urn
from tests.e2e.conftest import run, submit


def uuid_of(value: str) -> str:
    return value.rsplit(":", 1)[-1]


@pytest.fixture(scope="module")
def world(cloud):
    return cloud.inventory


def identity(world, vm_urn_or_uuid: str) -> str | None:
    vm = world.vms[uuid_of(vm_urn_or_uuid)]
    return vm.tpm.identity if vm.tpm else None


def vms_of(world, vapp_urn: str):
    return [world.vms[v] for v in world.vapps[uuid_of(vapp_urn)].vms]


@pytest.fixture()
def alice(login):
    return login("alice@acme")


@pytest.fixture()
def admin(login):
    return login("admin@System")


def succeeded(http, headers, body) -> dict:
    done = run(http, headers, body)
    assert done["status"] == "succeeded", done
    assert done["progress"] == 100
    return done["result"]


def test_create_vm_makes_a_new_vtpm(http, alice, world):
    result = succeeded(http, alice, {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-a")}, "vm": WIN})
    vm = world.vms[uuid_of(result["vm"])]
    assert vm.tpm is not None and vm.vcenter == "vc-a" and vm.name == "new-win"


def test_create_vm_from_a_template_captured_with_replace_gets_a_new_identity(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "create_vm_from_template",
            "source": {"template": urn("vapptemplate", "win-captured-replace")},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
    )
    assert identity(world, result["vm"]) not in (None, identity(world, urn("vm", "win-cr")))
    assert world.vms[uuid_of(result["vm"])].vcenter == "vc-b"


def test_compose_copies_the_template_vtpm_and_creates_the_new_vm(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "compose_vapp",
            "target": {"vdc": urn("vdc", "acme-a")},
            "items": [
                {"template": urn("vapptemplate", "win-captured-copy"), "vm": urn("vm", "win-cc")},
                {"new_vm": {"name": "plain", "guest_os": "ubuntu64Guest"}},
            ],
        },
    )
    vms = {vm.name: vm for vm in vms_of(world, result["vapp"])}
    assert len(vms) == 2
    assert [vm.tpm.identity for vm in vms.values() if vm.tpm] == [identity(world, urn("vm", "win-cc"))]


def test_a_vapp_from_ovf_gets_a_new_vtpm_where_the_ovf_asks_for_one(http, alice, world):
    result = succeeded(
        http, alice, {"operation": "create_vapp_from_ovf", "target": {"vdc": urn("vdc", "acme-a")}, "ovf": OVF_TPM}
    )
    vms = {vm.name: vm for vm in vms_of(world, result["vapp"])}
    assert vms["ovf-win"].tpm is not None and vms["ovf-plain"].tpm is None


def test_instantiating_an_imported_template_copies_its_vtpm(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-imported")},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
    )
    (vm,) = vms_of(world, result["vapp"])
    assert vm.tpm.identity == identity(world, urn("vm", "win-imp")) and vm.vcenter == "vc-b"


def test_importing_a_vcenter_vm_as_a_vapp_keeps_its_vtpm(http, admin, world):
    before = identity(world, "6b0a5c3e-0000-4000-8000-000000000035")
    result = succeeded(
        http,
        admin,
        {
            "operation": "import_vm_as_vapp",
            "source": {"vcenter_vm": "legacy-tpm"},
            "target": {"vdc": urn("vdc", "acme-b")},
        },
    )
    (vm,) = vms_of(world, result["vapp"])
    assert vm.tpm.identity == before


def test_add_vm_to_a_vapp_creates_its_vtpm(http, alice, world):
    result = succeeded(
        http,
        alice,
        {"operation": "add_vm_to_vapp", "target": {"vapp": urn("vapp", "lab")}, "vm": {**WIN, "name": "added"}},
    )
    vm = world.vms[uuid_of(result["vm"])]
    assert vm.tpm is not None and vm.vapp == uuid_of(urn("vapp", "lab"))


def test_add_vm_from_an_imported_template_copies_its_vtpm(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "add_vm_from_template",
            "source": {"template": urn("vapptemplate", "win-imported"), "vm": urn("vm", "win-imp")},
            "target": {"vapp": urn("vapp", "app7")},
        },
    )
    assert identity(world, result["vm"]) == identity(world, urn("vm", "win-imp"))


def test_copy_vm_keeps_the_identity(http, alice, world):
    result = succeeded(
        http,
        alice,
        {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "app7")}},
    )
    assert identity(world, result["vm"]) == identity(world, urn("vm", "web-1"))
    assert world.vms[uuid_of(result["vm"])].vcenter == "vc-b" and uuid_of(urn("vm", "web-1")) in world.vms


def test_copy_vm_with_replace_on_8x_gives_a_new_identity(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "lab")},
            "tpm": "replace",
            "acknowledge_tpm_data_loss": True,
        },
    )
    assert identity(world, result["vm"]) not in (None, identity(world, urn("vm", "web-1")))


def test_replace_on_7x_towards_a_vcenter_without_the_key_provider_is_refused_before_acting(http, alice, world):
    count = len(world.vms)
    answer = submit(
        http,
        alice,
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "old")},
            "tpm": "replace",
            "replace_on_7x": True,
            "acknowledge_tpm_data_loss": True,
        },
    )
    assert answer.status_code == 409
    assert {c["id"] for c in answer.get_json()["checks"] if c["status"] == "fail"} == {
        "key_provider_on_target",
        "shared_storage",
    }
    assert len(world.vms) == count


def test_replace_on_7x_emulated_across_shared_storage(http, alice, world):
    source_identity = identity(world, urn("vm", "web-1"))
    done = run(
        http,
        alice,
        {
            "operation": "copy_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"vapp": urn("vapp", "app7")},
            "tpm": "replace",
            "replace_on_7x": True,
            "acknowledge_tpm_data_loss": True,
            "name": "web-1-fresh",
        },
    )
    assert done["status"] == "succeeded", done
    assert world.vms[uuid_of(done["result"]["vm"])].name == "web-1-fresh"
    assert [s["kind"] for s in done["steps"]] == ["copy_vm", "edit_tpm", "edit_tpm"]
    assert identity(world, done["result"]["vm"]) not in (None, source_identity)
    assert identity(world, urn("vm", "web-1")) == source_identity


def test_move_vm_keeps_the_identity_and_leaves_the_source_vapp(http, alice, world):
    before = identity(world, urn("vm", "db-1"))
    result = succeeded(
        http,
        alice,
        {"operation": "move_vm", "source": {"vm": urn("vm", "db-1")}, "target": {"vapp": urn("vapp", "lab")}},
    )
    moved = world.vms[uuid_of(result["vm"])]
    assert moved.tpm.identity == before and moved.vapp == uuid_of(urn("vapp", "lab"))
    assert uuid_of(result["vm"]) not in world.vapps[uuid_of(urn("vapp", "app7"))].vms


def test_copy_vapp_copies_every_vtpm(http, alice, world):
    result = succeeded(
        http,
        alice,
        {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "web")}, "target": {"vdc": urn("vdc", "acme-b")}},
    )
    copies = {vm.name: vm for vm in vms_of(world, result["vapp"])}
    assert copies["web-1"].tpm.identity == identity(world, urn("vm", "web-1"))


def test_capture_vapp_records_the_tpm_provisioning_on_the_template(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "capture_vapp",
            "source": {"vapp": urn("vapp", "web")},
            "target": {"catalog": urn("catalog", "gold")},
            "tpm": "replace",
        },
    )
    template = world.templates[uuid_of(result["template"])]
    assert (template.provenance.value, template.tpm_provisioning.value) == ("captured", "replace")


def test_capture_vm_makes_a_template_of_a_standalone_vm(http, alice, world):
    made = succeeded(http, alice, {"operation": "create_vm", "target": {"vdc": urn("vdc", "acme-a")}, "vm": WIN})
    result = succeeded(
        http,
        alice,
        {"operation": "capture_vm", "source": {"vm": made["vm"]}, "target": {"catalog": urn("catalog", "gold")}},
    )
    template = world.templates[uuid_of(result["template"])]
    assert len(template.vms) == 1 and template.provenance.value == "captured"


def test_capture_vm_of_a_vm_sharing_its_vapp_is_refused_by_its_plan(http, alice, world):
    """Refused before any step runs (the adapter's own refusal when the step runs is a second guard,
    tests/adapters/vcd/test_vcd_actions.py)."""
    templates = len(world.templates)
    answer = submit(
        http,
        alice,
        {
            "operation": "capture_vm",
            "source": {"vm": urn("vm", "web-1")},
            "target": {"catalog": urn("catalog", "gold")},
        },
    )
    assert answer.status_code == 409, answer.get_json()
    failed = [c for c in answer.get_json()["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failed] == ["capture_vm_alone_in_vapp"] and "web-2" in failed[0]["message"]
    assert len(world.templates) == templates


def test_capture_vm_of_a_vm_alone_in_its_vapp_makes_a_template(http, alice, world):
    result = succeeded(
        http,
        alice,
        {
            "operation": "capture_vm",
            "source": {"vm": urn("vm", "db-solo")},
            "target": {"catalog": urn("catalog", "gold")},
        },
    )
    template = world.templates[uuid_of(result["template"])]
    assert [world.vms[vm].name for vm in template.vms] == ["db-solo"] and template.provenance.value == "captured"


def test_a_template_from_ovf_is_of_ovf_provenance(http, login, world):
    result = succeeded(
        http,
        login("carol@acme"),  # a Catalog Author: a vApp Author lacks "vApp Template / Media: Create / Upload"
        {"operation": "create_template_from_ovf", "target": {"catalog": urn("catalog", "gold")}, "ovf": OVF_TPM},
    )
    assert world.templates[uuid_of(result["template"])].provenance.value == "ovf"


def test_importing_a_vcenter_vm_as_a_template_is_of_import_provenance(http, admin, world):
    result = succeeded(
        http,
        admin,
        {
            "operation": "import_vm_as_template",
            "source": {"vcenter_vm": "legacy-plain"},
            "target": {"catalog": urn("catalog", "gold")},
        },
    )
    assert world.templates[uuid_of(result["template"])].provenance.value == "vcenter_import"


def test_remove_tpm_with_acknowledgement_removes_it(http, alice, world):
    succeeded(
        http,
        alice,
        {"operation": "remove_tpm", "source": {"vm": urn("vm", "web-1")}, "acknowledge_tpm_data_loss": True},
    )
    assert world.vms[uuid_of(urn("vm", "web-1"))].tpm is None


def test_move_vapp_keeps_every_identity(http, alice, world):
    before = identity(world, urn("vm", "win-imp"))
    result = succeeded(
        http,
        alice,
        {
            "operation": "instantiate_vapp_template",
            "source": {"template": urn("vapptemplate", "win-imported")},
            "target": {"vdc": urn("vdc", "acme-a")},
        },
    )
    moved = succeeded(
        http,
        alice,
        {"operation": "move_vapp", "source": {"vapp": result["vapp"]}, "target": {"vdc": urn("vdc", "acme-b")}},
    )
    (vm,) = vms_of(world, moved["vapp"])
    assert vm.tpm.identity == before and world.vapps[uuid_of(moved["vapp"])].vdc == uuid_of(urn("vdc", "acme-b"))
