"""A small simulated cloud served over real HTTP, for the Cloud Director adapter and simulator tests."""

from __future__ import annotations

from dataclasses import dataclass

from vcdtpm.domain import provenance_record
from vcdtpm.domain.model import Datastore, Firmware, Host, KeyProvider, KeyProviderType, Power, Provenance, TpmMode
from vcdtpm.sim.inventory import (
    Inventory,
    SimCatalog,
    SimOrg,
    SimTemplate,
    SimUser,
    SimVApp,
    SimVCenter,
    SimVdc,
    SimVm,
    SimVTpm,
)
from vcdtpm.sim.vcd import create_vcd_app
from vcdtpm.sim.vcd.server import serve_in_thread

SHARED_URL = "ds:///vmfs/volumes/5f1e-shared/"
PASSWORD = "secret"


@dataclass(frozen=True)
class Ids:
    acme = "0a000000-0000-4000-8000-00000000a001"
    globex = "0a000000-0000-4000-8000-00000000b001"
    acme_a = "0d000000-0000-4000-8000-00000000a00a"
    acme_b = "0d000000-0000-4000-8000-00000000a00b"
    globex_a = "0d000000-0000-4000-8000-00000000b00a"
    web = "0e000000-0000-4000-8000-00000000a001"
    erp = "0e000000-0000-4000-8000-00000000b001"
    web1 = "6b0a5c3e-0000-4000-8000-000000000001"
    web2 = "6b0a5c3e-0000-4000-8000-000000000002"
    erp1 = "6b0a5c3e-0000-4000-8000-0000000000b1"
    tpl_vm = "6b0a5c3e-0000-4000-8000-0000000000c1"
    gold = "0c000000-0000-4000-8000-00000000a001"
    bare = "0c000000-0000-4000-8000-00000000a002"
    win_tpl = "07000000-0000-4000-8000-00000000a001"
    vc_a = "0f000000-0000-4000-8000-00000000000a"
    vc_b = "0f000000-0000-4000-8000-00000000000b"


def _vcenters() -> dict[str, SimVCenter]:
    vc_a = SimVCenter(
        name="vc-a",
        version="8.0.2",
        id=Ids.vc_a,
        hosts=[Host("esx-a1", tpm=True)],
        key_providers=[KeyProvider("kp-gold", KeyProviderType.NATIVE, default=True)],
        datastores=[Datastore("ds-shared", SHARED_URL), Datastore("ds-a-local", "ds:///vmfs/volumes/aaaa-local/")],
    )
    vc_b = SimVCenter(
        name="vc-b",
        version="7.0.3",
        id=Ids.vc_b,
        hosts=[Host("esx-b1")],
        key_providers=[KeyProvider("kp-gold", KeyProviderType.STANDARD, default=True)],
        datastores=[Datastore("ds-shared-b", SHARED_URL)],
    )
    return {"vc-a": vc_a, "vc-b": vc_b}


def _vms() -> list[SimVm]:
    return [
        SimVm(
            "web-1",
            "windows2019srv_64Guest",
            "vc-a",
            "ds-shared",
            "vm-101",
            id=Ids.web1,
            tpm=SimVTpm.fresh(),
            key_provider="kp-gold",
            key_id="key-1",
            vapp=Ids.web,
        ),
        SimVm(
            "web-2",
            "ubuntu64Guest",
            "vc-a",
            "ds-shared",
            "vm-102",
            id=Ids.web2,
            firmware=Firmware.BIOS,
            hardware_version=14,
            power=Power.ON,
            vapp=Ids.web,
        ),
        SimVm("erp-1", "windows2019srv_64Guest", "vc-a", "ds-a-local", "vm-103", id=Ids.erp1, vapp=Ids.erp),
        SimVm(
            "win",
            "windows2019srv_64Guest",
            "vc-a",
            "ds-shared",
            "vm-104",
            id=Ids.tpl_vm,
            tpm=SimVTpm.fresh(),
            key_provider="kp-gold",
            template=Ids.win_tpl,
        ),
        SimVm("legacy-1", "windows2019srv_64Guest", "vc-b", "ds-shared-b", "vm-201"),
    ]


def build_inventory() -> Inventory:
    inventory = Inventory(provider_users=[SimUser("admin", PASSWORD, "System Administrator")], vcenters=_vcenters())
    inventory.orgs = {
        "acme": SimOrg(
            "acme",
            # alice is a Catalog Author: she uploads OVF templates, which a vApp Author may not
            [SimUser("alice", PASSWORD, "Catalog Author"), SimUser("olga", PASSWORD, "Organization Administrator")],
            id=Ids.acme,
        ),
        "globex": SimOrg("globex", [SimUser("bob", PASSWORD, "vApp Author")], id=Ids.globex),
    }
    for vdc in (
        SimVdc("acme-a", "acme", "vc-a", "ds-shared", id=Ids.acme_a),
        SimVdc("acme-b", "acme", "vc-b", "ds-shared-b", id=Ids.acme_b),
        SimVdc("globex-a", "globex", "vc-a", "ds-a-local", id=Ids.globex_a),
    ):
        inventory.vdcs[vdc.id] = vdc
    for vapp in (
        SimVApp("web", "acme", Ids.acme_a, [Ids.web1, Ids.web2], id=Ids.web),
        SimVApp("erp", "globex", Ids.globex_a, [Ids.erp1], id=Ids.erp),
    ):
        inventory.vapps[vapp.id] = vapp
    for vm in _vms():
        inventory.vms[vm.id] = vm
    inventory.catalogs[Ids.gold] = SimCatalog("gold", "acme", Ids.acme_a, [Ids.win_tpl], id=Ids.gold)
    inventory.catalogs[Ids.bare] = SimCatalog("bare", "acme", None, [], id=Ids.bare)
    inventory.templates[Ids.win_tpl] = SimTemplate(
        "win-tpl", "acme", Ids.gold, Ids.acme_a, Provenance.CAPTURED, TpmMode.REPLACE, [Ids.tpl_vm], id=Ids.win_tpl
    )
    inventory.templates[Ids.win_tpl].metadata = provenance_record.entries(Provenance.CAPTURED, TpmMode.REPLACE)
    return inventory


@dataclass
class Cloud:
    url: str
    inventory: Inventory
    app: object
    ids: type = Ids


def served(inventory: Inventory):
    """The inventory behind a simulated vCD on a loopback port, stopped afterwards."""
    app = create_vcd_app(inventory)
    handle = serve_in_thread(app)
    try:
        yield Cloud(url=handle.url, inventory=inventory, app=app)
    finally:
        handle.stop()


class ActIds:
    dr = "0e000000-0000-4000-8000-00000000a0d0"  # empty vApp on acme-b (vc-b, 7.x)
    lab = "0e000000-0000-4000-8000-00000000a0e0"  # empty vApp on acme-a (vc-a, 8.x)
    web3 = "6b0a5c3e-0000-4000-8000-000000000003"  # EFI, powered off, no vTPM
    ovf_tpl = "07000000-0000-4000-8000-00000000a002"
    ovf_vm = "6b0a5c3e-0000-4000-8000-0000000000c2"
    imp_tpl = "07000000-0000-4000-8000-00000000a003"
    imp_vm = "6b0a5c3e-0000-4000-8000-0000000000c3"


def build_acting_inventory() -> Inventory:
    """The adapter tests' cloud plus empty vApps on both vCenters, a VM without a vTPM,
    templates of every provenance and a vTPM VM on vc-b that vCD does not manage yet."""
    inventory = build_inventory()
    for vapp in (SimVApp("dr", "acme", Ids.acme_b, id=ActIds.dr), SimVApp("lab", "acme", Ids.acme_a, id=ActIds.lab)):
        inventory.vapps[vapp.id] = vapp
    web3 = SimVm("web-3", "windows2019srv_64Guest", "vc-a", "ds-shared", "vm-105", id=ActIds.web3, vapp=Ids.web)
    inventory.vms[web3.id] = web3
    inventory.vapps[Ids.web].vms.append(web3.id)
    for tpl_id, vm_id, name, provenance in (
        (ActIds.ovf_tpl, ActIds.ovf_vm, "ovf-tpl", Provenance.OVF),
        (ActIds.imp_tpl, ActIds.imp_vm, "imported-tpl", Provenance.VCENTER_IMPORT),
    ):
        inventory.vms[vm_id] = SimVm(
            name + "-vm",
            "windows2019srv_64Guest",
            "vc-a",
            "ds-shared",
            f"vm-1{vm_id[-2:]}",
            id=vm_id,
            tpm=SimVTpm.fresh(),
            key_provider="kp-gold",
            template=tpl_id,
        )
        inventory.templates[tpl_id] = SimTemplate(
            name, "acme", Ids.gold, Ids.acme_a, provenance, None, [vm_id], id=tpl_id
        )
        inventory.templates[tpl_id].metadata = provenance_record.entries(provenance)
        inventory.catalogs[Ids.gold].templates.append(tpl_id)
    legacy = next(vm for vm in inventory.vms.values() if vm.name == "legacy-1")
    legacy.tpm, legacy.key_provider = SimVTpm.fresh(), "kp-gold"
    return inventory
