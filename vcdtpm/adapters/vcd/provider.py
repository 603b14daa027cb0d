"""Provider-only facts read with the service's System-org session (see adapter.py for where)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import census, parse, urns
from vcdtpm.adapters.vcd.clients import ProviderClient
from vcdtpm.adapters.vcd.errors import translated
from vcdtpm.adapters.vcd.kept import Kept
from vcdtpm.domain.errors import NotFound
from vcdtpm.domain.model import VmFacts
from vcdtpm.ports import PlacedVm, VdcLocation

VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
MAX_PAGE = 128

DatastoreUrlOf = Callable[[str, str], "str | None"]


class ProviderFacts:
    """Placement of VMs and VDCs, the vCenter list, and the fast cross-vCenter switch as configured.

    A VDC's placement (its vCenter, datastore and resource pool) changes only when the provider
    changes the VDC: it is kept for `ttl` seconds (`refresh()` forgets it). VM placement is read
    every time, its pages at once. Reads that do not wait for each other go out concurrently."""

    def __init__(
        self,
        client: ProviderClient,
        datastore_url_of: DatastoreUrlOf | None,
        fast_cross_vc: bool = False,
        ttl: float = 300.0,
    ):
        self._client = client
        self._datastore_url_of = datastore_url_of
        self._fast_cross_vc = fast_cross_vc
        self._lock = threading.Lock()
        self._vcenters_by_uuid: dict[str, str] = {}
        self._vdcs = Kept(ttl)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vcd-provider-read")

    def refresh(self) -> None:
        """Forget the kept VDC placements and read the vCenter list again."""
        self._vdcs.clear()
        self._refresh_vcenters()

    def vcenter_names(self) -> list[str]:
        return list(self._refresh_vcenters().values())

    def locate_vms(self, vm_urns: Sequence[str]) -> dict[str, VmFacts]:
        ids = sorted({u.lower() for u in vm_urns if urns.try_uuid(u, "vm")})
        chunks = [ids[start : start + MAX_PAGE] for start in range(0, len(ids), MAX_PAGE)]
        found: dict[str, VmFacts] = {}
        for chunk, result in zip(chunks, self._pool.map(self._vm_page, chunks), strict=True):
            for record in parse.records(result, "AdminVMRecord"):
                facts = self._vm_facts(record)
                if facts.id in chunk:
                    found[facts.id] = facts
        return {u: found[u.lower()] for u in vm_urns if u.lower() in found}

    def _vm_page(self, chunk: list[str]):
        return self._query("adminVM", _any_of("id", chunk), len(chunk))

    def provider_vms(self) -> list[PlacedVm]:
        """Every vApp VM with its org, vCenter and moref: adminOrgVdc (org names) and adminVM, paged."""
        with translated("Query", "adminOrgVdc"):
            org_of = {
                urns.from_href(r.get("href")): r.get("orgName") or ""
                for r in census.records(self._client.run, "adminOrgVdc", "AdminVdcRecord")
            }
        with translated("Query", "adminVM"):
            found = list(census.records(self._client.run, "adminVM", "AdminVMRecord", census.VAPP_VMS))
        return [
            PlacedVm(
                id=vm_urn,
                name=r.get("name") or "",
                org=org_of.get(urns.from_href(r.get("vdc"))) or "",
                vapp=urns.from_href(r.get("container")),
                vcenter=self._vcenter_name(r.get("vc")),
                moref=r.get("moref"),
            )
            for r in found
            if (vm_urn := urns.from_href(r.get("href")))
        ]

    def locate_vdc(self, urn: str) -> VdcLocation:
        urns.uuid_of(urn, "vdc")
        return self._vdcs.get(urn.lower(), lambda: self._read_vdc(urn))

    def _read_vdc(self, urn: str) -> VdcLocation:
        result = self._query("adminOrgVdc", _any_of("id", [urn.lower()]), 1)
        records = parse.records(result, "AdminVdcRecord")
        if not records:
            raise NotFound(kind="VDC", id=urn)
        vcenter, pvdc = records[0].get("vcName"), records[0].get("providerVdc")
        pool = self._pool.submit(self._resource_pool, records[0])
        relations = self._query("datastoreProviderVdcRelation", _any_of("providerVdc", [pvdc]), MAX_PAGE)
        names = sorted(r.get("name") for r in parse.records(relations, "DatastoreProviderVdcRelationRecord"))
        url = self._datastore_url(vcenter, names[0]) if names else None
        return VdcLocation(vcenter=vcenter, datastore_url=url, resource_pool=pool.result())

    def _resource_pool(self, vdc_record) -> str | None:
        """The resource pool backing a VDC (orgVdcResourcePoolRelation), None when not shown."""
        relations = self._query("orgVdcResourcePoolRelation", _any_of("vdc", [vdc_record.get("href")]), MAX_PAGE)
        pools = sorted(r.get("resourcePoolMoref") for r in parse.records(relations, "OrgVdcResourcePoolRelationRecord"))
        return pools[0] if pools else None

    def fast_cross_vcenter_instantiation(self) -> bool:
        """As the provider configured it: no Cloud Director API exposes the switch."""
        return self._fast_cross_vc

    def _query(self, query_type: str, query_filter: str, page_size: int):
        params = {
            "type": query_type,
            "format": "records",
            "page": 1,
            "pageSize": max(1, min(page_size, MAX_PAGE)),
            "filter": query_filter,
        }

        def read(client: Client):
            return client.get_resource(client.get_api_uri() + "/query", params=params)

        with translated("Query", query_type):
            return self._client.run(read)

    def _vm_facts(self, record) -> VmFacts:
        vcenter = self._vcenter_name(record.get("vc"))
        datastore = record.get("datastoreName")
        url = self._datastore_url(vcenter, datastore) if vcenter and datastore else None
        return parse.admin_vm_facts(record, vcenter, url)

    def _datastore_url(self, vcenter: str | None, datastore: str) -> str | None:
        if self._datastore_url_of is None or vcenter is None:
            return None
        return self._datastore_url_of(vcenter, datastore)

    def _vcenter_name(self, vc_href: str | None) -> str | None:
        uuid = urns.uuid_from_href(vc_href)
        if uuid is None:
            return None
        with self._lock:
            known = self._vcenters_by_uuid.get(uuid)
        return known if known is not None else self._refresh_vcenters().get(uuid)

    def _refresh_vcenters(self) -> dict[str, str]:
        def read(client: Client):
            return client.get_resource(client.get_api_uri() + "/admin/extension/vimServerReferences")

        with translated("vCenter list"):
            references = self._client.run(read)
        names = {
            uuid: r.get("name") or ""
            for r in references.findall("{%s}VimServerReference" % VMEXT)
            if (uuid := urns.uuid_from_href(r.get("href")))
        }
        with self._lock:
            self._vcenters_by_uuid = names
        return dict(names)


def _any_of(attribute: str, values: Sequence[str]) -> str:
    """A query filter matching any of the values (`,` is OR; specials escaped)."""
    escaped = [_escape(v) for v in values]
    return "(" + ",".join(f"{attribute}=={v}" for v in escaped) + ")"


def _escape(value: str) -> str:
    for char in "\\(),;":
        value = value.replace(char, "\\" + char)
    return value
