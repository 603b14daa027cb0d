"""Hrefs, URNs and the ids the simulator derives for objects the inventory does not name."""

from __future__ import annotations

import uuid

from vcdtpm.sim.inventory import SimVCenter

_NAMESPACE = uuid.UUID("8f7d2c1e-5b0a-4c9e-9a51-6d3f0e2b7c44")


def derived(kind: str, *parts: str) -> str:
    """A stable UUID for a simulated object that has no id of its own in the inventory."""
    return str(uuid.uuid5(_NAMESPACE, ":".join((kind,) + parts)))


def urn(kind: str, id_: str) -> str:
    return f"urn:vcloud:{kind}:{id_}"


SYSTEM_ORG_ID = derived("org", "system")


def user_id(org: str, name: str) -> str:
    return derived("user", org.lower(), name.lower())


def catalog_item_id(template_id: str) -> str:
    return derived("catalogItem", template_id)


def provider_vdc_id(vdc_id: str) -> str:
    return derived("providerVdc", vdc_id)


def resource_pool_moref(vdc_id: str) -> str:
    """The moref of the resource pool (of its cluster) behind a VDC."""
    return "resgroup-" + vdc_id.replace("-", "")[:8]


def storage_profile_id(vdc_id: str) -> str:
    return derived("vdcStorageProfile", vdc_id)


def datastore_id(vcenter: SimVCenter, datastore: str) -> str:
    return derived("datastore", vcenter.id, datastore)


def datastore_moref(vcenter: SimVCenter, datastore: str) -> str:
    names = [d.name for d in vcenter.datastores]
    index = names.index(datastore) if datastore in names else len(names)
    return f"datastore-{11 + index}"


class Hrefs:
    """Absolute hrefs of every object, rooted at the host the request came to."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.api = self.base + "/api"

    def org(self, id_: str) -> str:
        return f"{self.api}/org/{id_}"

    def vdc(self, id_: str) -> str:
        return f"{self.api}/vdc/{id_}"

    def vapp(self, id_: str) -> str:
        return f"{self.api}/vApp/vapp-{id_}"

    def vm(self, id_: str) -> str:
        return f"{self.api}/vApp/vm-{id_}"

    def template(self, id_: str) -> str:
        return f"{self.api}/vAppTemplate/vappTemplate-{id_}"

    def template_vm(self, id_: str) -> str:
        return f"{self.api}/vAppTemplate/vm-{id_}"

    def catalog(self, id_: str) -> str:
        return f"{self.api}/catalog/{id_}"

    def catalog_item(self, id_: str) -> str:
        return f"{self.api}/catalogItem/{id_}"

    def storage_profile(self, id_: str) -> str:
        return f"{self.api}/vdcStorageProfile/{id_}"

    def task(self, id_: str) -> str:
        return f"{self.api}/task/{id_}"

    def user(self, id_: str) -> str:
        return f"{self.api}/admin/user/{id_}"

    def admin_vdc(self, id_: str) -> str:
        return f"{self.api}/admin/vdc/{id_}"

    def vim_server(self, id_: str) -> str:
        return f"{self.api}/admin/extension/vimServer/{id_}"

    def provider_vdc(self, id_: str) -> str:
        return f"{self.api}/admin/extension/providervdc/{id_}"

    def datastore(self, id_: str) -> str:
        return f"{self.api}/admin/extension/datastore/{id_}"
