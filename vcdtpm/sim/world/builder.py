"""Building an Inventory from a parsed world file, checking every value and naming the path at fault."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from vcdtpm.domain import provenance_record
from vcdtpm.domain.model import Band, Firmware, Provenance, TpmMode
from vcdtpm.sim.inventory import (
    SYSTEM_ORG,
    Inventory,
    SimCatalog,
    SimOrg,
    SimTemplate,
    SimVApp,
    SimVCenter,
    SimVdc,
    SimVm,
    SimVTpm,
    new_id,
)
from vcdtpm.sim.world import copies
from vcdtpm.sim.world.checks import (
    Registry,
    at,
    choice,
    datastores,
    fields,
    flag,
    hosts,
    item,
    key_providers,
    object_id,
    power,
    sequence,
    text,
    users,
    version,
    whole,
)
from vcdtpm.sim.world.errors import WorldError


class MadeBy(str, enum.Enum):
    """Who made a world's template: vcdtpm (its provenance is recorded as metadata) or another
    client (Cloud Director shows nothing of how it was made)."""

    VCDTPM = "vcdtpm"
    OTHER = "other"


_TOP = ("fast_cross_vcenter_instantiation", "provider", "vcenters", "orgs", "vcenter_vms")
_VM = ("id", "firmware", "hardware_version", "power", "tpm", "key_provider", copies.FIELD)


def _lookup(table: dict, key: str, path: str, missing: str):
    if key not in table:
        raise WorldError(path, missing)
    return table[key]


class Builder:
    """Walks a parsed world once, checking as it goes and filling one Inventory."""

    def __init__(self):
        self.inv = Inventory()
        self.ids = Registry("id")
        self.copies: list[copies.PendingCopy] = []

    def build(self, data: dict) -> Inventory:
        top = fields(data, "", optional=_TOP)
        self.inv.fast_cross_vcenter_instantiation = flag(
            top.get("fast_cross_vcenter_instantiation", False), "fast_cross_vcenter_instantiation"
        )
        self._provider(top.get("provider"), "provider")
        names = Registry("vCenter name")
        for i, raw in enumerate(sequence(top.get("vcenters"), "vcenters")):
            self._vcenter(raw, item("vcenters", i), names)
        names = Registry("org name")
        for i, raw in enumerate(sequence(top.get("orgs"), "orgs")):
            self._org(raw, item("orgs", i), names)
        self._vcenter_vms(sequence(top.get("vcenter_vms"), "vcenter_vms"))
        copies.resolve(self.inv, self.copies)
        return self.inv

    def _id(self, raw: dict, path: str) -> str:
        if "id" not in raw:
            return new_id()
        oid = object_id(raw["id"], at(path, "id"))
        self.ids.claim(oid, at(path, "id"))
        return oid

    # -- provider and vCenters -------------------------------------------------

    def _provider(self, raw: Any, path: str) -> None:
        if raw is None:
            return
        raw = fields(raw, path, optional=("users",))
        self.inv.provider_users = users(raw.get("users"), at(path, "users"), tenant=False)

    def _vcenter(self, raw: Any, path: str, names: Registry) -> None:
        raw = fields(raw, path, ("name", "version"), ("id", "clone_tpm_policy", "hosts", "key_providers", "datastores"))
        name = text(raw["name"], at(path, "name"))
        names.claim(name, at(path, "name"))
        release = version(raw["version"], at(path, "version"))
        policy = choice(raw.get("clone_tpm_policy", "copy"), at(path, "clone_tpm_policy"), TpmMode)
        if policy is TpmMode.REPLACE and release.band is Band.V7:
            raise WorldError(
                at(path, "clone_tpm_policy"), "vpxd.clone.tpmProvisionPolicy exists only on vCenter 8.0 and later"
            )
        vc = SimVCenter(name=name, version=str(release), clone_tpm_policy=policy.value, id=self._id(raw, path))
        vc.hosts = hosts(raw.get("hosts"), at(path, "hosts"))
        vc.key_providers = key_providers(raw.get("key_providers"), at(path, "key_providers"))
        vc.datastores = datastores(raw.get("datastores"), at(path, "datastores"))
        self.inv.vcenters[name] = vc

    # -- orgs ------------------------------------------------------------------

    def _org(self, raw: Any, path: str, names: Registry) -> None:
        raw = fields(raw, path, ("name",), ("id", "users", "vdcs", "catalogs", "vapps"))
        name = text(raw["name"], at(path, "name"))
        if name.lower() == SYSTEM_ORG.lower():
            raise WorldError(at(path, "name"), "the System org is the provider's; list its users under provider.users")
        names.claim(name, at(path, "name"))
        org = SimOrg(name=name, id=self._id(raw, path))
        org.users = users(raw.get("users"), at(path, "users"), tenant=True)
        self.inv.orgs[name] = org
        vdcs: dict[str, SimVdc] = {}
        for i, vdc in enumerate(sequence(raw.get("vdcs"), at(path, "vdcs"))):
            self._vdc(vdc, item(at(path, "vdcs"), i), org, vdcs)
        vapps: dict[str, Registry] = {}
        for i, vapp in enumerate(sequence(raw.get("vapps"), at(path, "vapps"))):
            self._vapp(vapp, item(at(path, "vapps"), i), org, vdcs, vapps)
        catalogs = Registry("catalog name")
        for i, cat in enumerate(sequence(raw.get("catalogs"), at(path, "catalogs"))):
            self._catalog(cat, item(at(path, "catalogs"), i), org, vdcs, catalogs)

    def _vdc(self, raw: Any, path: str, org: SimOrg, vdcs: dict[str, SimVdc]) -> None:
        raw = fields(raw, path, ("name", "vcenter"), ("id", "datastore", "hosts"))
        name = text(raw["name"], at(path, "name"))
        if name in vdcs:
            raise WorldError(at(path, "name"), f"duplicate VDC name '{name}' in org '{org.name}'")
        vc = self._vcenter_ref(raw["vcenter"], at(path, "vcenter"))
        store = self._datastore_ref(raw.get("datastore"), path, vc)
        vdcs[name] = SimVdc(name=name, org=org.name, vcenter=vc.name, datastore=store, id=self._id(raw, path))
        vdcs[name].hosts = self._cluster(raw.get("hosts"), at(path, "hosts"), vc)
        self.inv.vdcs[vdcs[name].id] = vdcs[name]

    def _cluster(self, raws: Any, path: str, vc: SimVCenter) -> list[str] | None:
        """The VDC's cluster: names of its vCenter's hosts (None: all of them)."""
        if raws is None:
            return None
        known = {h.name for h in vc.hosts}
        names = [text(raw, item(path, i)) for i, raw in enumerate(sequence(raws, path))]
        for i, name in enumerate(names):
            if name not in known:
                raise WorldError(item(path, i), f"no host named '{name}' on vCenter '{vc.name}'")
        return names

    def _vcenter_ref(self, value: Any, path: str) -> SimVCenter:
        name = text(value, path)
        return _lookup(self.inv.vcenters, name, path, f"no vCenter named '{name}'")

    def _datastore_ref(self, value: Any, path: str, vc: SimVCenter) -> str:
        """A datastore of `vc` by name, or its first one when `value` is None."""
        if value is None:
            if not vc.datastores:
                raise WorldError(at(path, "datastore"), f"vCenter '{vc.name}' has no datastore to use")
            return vc.datastores[0].name
        name = text(value, at(path, "datastore"))
        if vc.datastore(name) is None:
            raise WorldError(at(path, "datastore"), f"vCenter '{vc.name}' has no datastore named '{name}'")
        return name

    def _vdc_ref(self, value: Any, path: str, vdcs: dict[str, SimVdc]) -> SimVdc:
        """A VDC of the org by name, or its first one when `value` is None."""
        if value is None:
            if not vdcs:
                raise WorldError(path, "the org has no VDC to hold the VMs")
            return next(iter(vdcs.values()))
        name = text(value, path)
        return _lookup(vdcs, name, path, f"no VDC named '{name}' in this org")

    def _catalog(self, raw: Any, path: str, org: SimOrg, vdcs: dict[str, SimVdc], names: Registry) -> None:
        raw = fields(raw, path, ("name",), ("id", "templates"))
        names.claim(text(raw["name"], at(path, "name")), at(path, "name"))
        cat = SimCatalog(name=raw["name"], org=org.name, id=self._id(raw, path))
        self.inv.catalogs[cat.id] = cat
        templates = Registry("template name")
        for i, tpl in enumerate(sequence(raw.get("templates"), at(path, "templates"))):
            cat.templates.append(self._template(tpl, item(at(path, "templates"), i), cat, vdcs, templates))
        if cat.templates:
            cat.vdc = self.inv.templates[cat.templates[0]].vdc
        elif vdcs:
            cat.vdc = next(iter(vdcs.values())).id

    def _template(self, raw: Any, path: str, cat: SimCatalog, vdcs: dict[str, SimVdc], names: Registry) -> str:
        raw = fields(raw, path, ("name", "provenance"), ("id", "tpm_provisioning", "vdc", "vms", "made_by"))
        names.claim(text(raw["name"], at(path, "name")), at(path, "name"))
        provenance = choice(raw["provenance"], at(path, "provenance"), Provenance)
        if provenance is Provenance.UNKNOWN:
            raise WorldError(at(path, "provenance"), "say how it was made; made_by: other hides it from vcdtpm")
        mode = None
        if "tpm_provisioning" in raw:
            if provenance is not Provenance.CAPTURED:
                raise WorldError(at(path, "tpm_provisioning"), "only a captured template has tpm_provisioning")
            mode = choice(raw["tpm_provisioning"], at(path, "tpm_provisioning"), TpmMode)
        elif provenance is Provenance.CAPTURED:
            mode = TpmMode.COPY
        vdc = self._vdc_ref(raw.get("vdc"), at(path, "vdc"), vdcs)
        tpl = SimTemplate(
            name=raw["name"],
            org=cat.org,
            catalog=cat.id,
            vdc=vdc.id,
            provenance=provenance,
            tpm_provisioning=mode,
            id=self._id(raw, path),
        )
        made_by = choice(raw.get("made_by", "vcdtpm"), at(path, "made_by"), MadeBy)
        if made_by is MadeBy.VCDTPM:  # vcdtpm recorded its provenance when it made it
            tpl.metadata = provenance_record.entries(provenance, mode)
        self.inv.templates[tpl.id] = tpl
        tpl.vms = self._vms(raw.get("vms"), at(path, "vms"), vdc, template=tpl.id)
        return tpl.id

    def _vapp(self, raw: Any, path: str, org: SimOrg, vdcs: dict[str, SimVdc], names: dict[str, Registry]) -> None:
        raw = fields(raw, path, ("name", "vdc"), ("id", "vms"))
        name = text(raw["name"], at(path, "name"))
        vdc = self._vdc_ref(raw["vdc"], at(path, "vdc"), vdcs)
        names.setdefault(vdc.id, Registry(f"vApp name in VDC '{vdc.name}'")).claim(name, at(path, "name"))
        vapp = SimVApp(name=name, org=org.name, vdc=vdc.id, id=self._id(raw, path))
        self.inv.vapps[vapp.id] = vapp
        vapp.vms = self._vms(raw.get("vms"), at(path, "vms"), vdc, vapp=vapp.id)

    # -- VMs -------------------------------------------------------------------

    def _vms(
        self, raws: Any, path: str, vdc: SimVdc, vapp: str | None = None, template: str | None = None
    ) -> list[str]:
        names, ids = Registry("VM name"), []
        vc = self.inv.vcenters[vdc.vcenter]
        for i, raw in enumerate(sequence(raws, path)):
            p = item(path, i)
            raw = fields(raw, p, ("name", "guest_os"), _VM)
            vm = self._vm(raw, p, vc, vdc.datastore)
            names.claim(vm.name, at(p, "name"))
            vm.vapp, vm.template = vapp, template
            self.inv.vms[vm.id] = vm
            ids.append(vm.id)
        return ids

    def _vcenter_vms(self, raws: list) -> None:
        names: dict[str, Registry] = {}
        for i, raw in enumerate(raws):
            p = item("vcenter_vms", i)
            raw = fields(raw, p, ("name", "vcenter", "guest_os"), _VM + ("datastore",))
            vc = self._vcenter_ref(raw["vcenter"], at(p, "vcenter"))
            vm = self._vm(raw, p, vc, self._datastore_ref(raw.get("datastore"), p, vc))
            names.setdefault(vc.name, Registry(f"VM name on vCenter '{vc.name}'")).claim(vm.name, at(p, "name"))
            self.inv.vms[vm.id] = vm

    def _vm(self, raw: dict, path: str, vc: SimVCenter, datastore: str) -> SimVm:
        vm = SimVm(
            name=text(raw["name"], at(path, "name")),
            guest_os=text(raw["guest_os"], at(path, "guest_os")),
            vcenter=vc.name,
            datastore=datastore,
            moref="",
            firmware=choice(raw.get("firmware", "efi"), at(path, "firmware"), Firmware),
            hardware_version=whole(raw.get("hardware_version", 19), at(path, "hardware_version")),
            power=power(raw.get("power", "off"), at(path, "power")),
            id=self._id(raw, path),
        )
        self._encrypt(vm, raw, path, vc)
        vm.moref = vc.next_moref()
        if (copy := copies.pending(vm, raw, path)) is not None:
            self.copies.append(copy)
        return vm

    def _encrypt(self, vm: SimVm, raw: dict, path: str, vc: SimVCenter) -> None:
        """A vTPM and/or a key provider: the VM's home files are encrypted with a key of its own."""
        tpm = flag(raw.get("tpm", False), at(path, "tpm"))
        name = raw.get("key_provider")
        if name is None and not tpm:
            return
        if name is None:
            default = next((kp for kp in vc.key_providers if kp.default), None)
            if default is None:
                raise WorldError(
                    at(path, "tpm"),
                    f"a vTPM needs a key provider and vCenter '{vc.name}' "
                    "has no default one; name one with key_provider",
                )
            name = default.name
        name = text(name, at(path, "key_provider"))
        if not any(kp.name == name for kp in vc.key_providers):
            raise WorldError(at(path, "key_provider"), f"vCenter '{vc.name}' has no key provider named '{name}'")
        vm.key_provider, vm.key_id = name, str(uuid.uuid4())
        vm.tpm = SimVTpm.fresh() if tpm else None
