"""The typed queries the simulator answers and the records each one yields for a caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from vcdtpm.domain.model import Provenance, TpmMode
from vcdtpm.sim.inventory import SimVdc
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.ids import (
    catalog_item_id,
    datastore_id,
    datastore_moref,
    provider_vdc_id,
    resource_pool_moref,
    urn,
)
from vcdtpm.sim.vcd.query.task_records import TASK_FIELDS, task_rows
from vcdtpm.sim.vcd.query.vm_records import (
    ADMIN_VM_FIELDS,
    VM_FIELDS,
    admin_vm_values,
    visible_vms,
    visible_vms_by_id,
    vm_values,
)

Row = dict[str, str]
Lookup = Callable[[RequestContext, frozenset[str]], Iterator[Row]]


@dataclass(frozen=True)
class QueryType:
    name: str
    record: str
    entity_type: str
    provider_only: bool
    fields: frozenset[str]
    rows: Callable[[RequestContext], Iterator[Row]]
    # attribute -> the rows whose attribute is one of the (lowercased) values: an index, so that
    # `id==a,id==b` costs what it finds, not what the cloud holds (the filter still decides)
    lookups: Mapping[str, Lookup] = field(default_factory=dict)


def _row(**values) -> Row:
    return {k: x.xs(v) for k, v in values.items() if v is not None}


def _vm_rows(ctx: RequestContext) -> Iterator[Row]:
    for vm, _org in visible_vms(ctx):
        yield _row(**vm_values(ctx, vm))


def _admin_vm_rows(ctx: RequestContext) -> Iterator[Row]:
    for vm, org in visible_vms(ctx):
        yield _row(**admin_vm_values(ctx, vm, org))


def _vm_rows_by_id(ctx: RequestContext, ids: frozenset[str]) -> Iterator[Row]:
    for vm, _org in visible_vms_by_id(ctx, ids):
        yield _row(**vm_values(ctx, vm))


def _admin_vm_rows_by_id(ctx: RequestContext, ids: frozenset[str]) -> Iterator[Row]:
    for vm, org in visible_vms_by_id(ctx, ids):
        yield _row(**admin_vm_values(ctx, vm, org))


def _vdc_common(ctx: RequestContext, vdc: SimVdc) -> dict:
    return dict(
        href=ctx.hrefs.vdc(vdc.id),
        id=urn("vdc", vdc.id),
        name=vdc.name,
        orgName=vdc.org,
        isEnabled=True,
        isBusy=False,
        status="READY",
    )


def _org_vdc_rows(ctx: RequestContext) -> Iterator[Row]:
    for vdc in ctx.inventory.vdcs.values():
        if ctx.who.sees(vdc.org):
            yield _row(**_vdc_common(ctx, vdc))


def _admin_vdc_rows(ctx: RequestContext) -> Iterator[Row]:
    for vdc in ctx.inventory.vdcs.values():
        org = ctx.inventory.orgs.get(vdc.org)
        pvdc = provider_vdc_id(vdc.id)
        yield _row(
            **_vdc_common(ctx, vdc),
            org=ctx.hrefs.org(org.id) if org else None,
            vcName=vdc.vcenter,
            providerVdc=ctx.hrefs.provider_vdc(pvdc),
            providerVdcName=f"pvdc-{vdc.name}",
        )


def _vapp_rows(ctx: RequestContext) -> Iterator[Row]:
    for vapp in ctx.inventory.vapps.values():
        if ctx.who.sees(vapp.org):
            vdc = ctx.inventory.vdcs.get(vapp.vdc)
            yield _row(
                href=ctx.hrefs.vapp(vapp.id),
                id=urn("vapp", vapp.id),
                name=vapp.name,
                vdc=ctx.hrefs.vdc(vapp.vdc),
                vdcName=vdc.name if vdc else None,
                numberOfVMs=len(vapp.vms),
            )


def _template_rows(ctx: RequestContext) -> Iterator[Row]:
    for template in ctx.inventory.templates.values():
        if ctx.who.sees(template.org):
            vdc = ctx.inventory.vdcs.get(template.vdc)
            catalog = ctx.inventory.catalogs.get(template.catalog)
            yield _row(
                href=ctx.hrefs.template(template.id),
                id=urn("vapptemplate", template.id),
                name=template.name,
                vdc=ctx.hrefs.vdc(template.vdc),
                vdcName=vdc.name if vdc else None,
                catalogName=catalog.name if catalog else None,
                status="RESOLVED",
                isGoldMaster=False,
                copyTpmOnInstantiate=_copy_tpm_on_instantiate(template),
            )


def _copy_tpm_on_instantiate(template) -> bool | None:
    """The record's copyTpmOnInstantiate (API 38.0+): the CopyTpmOnInstantiate of a capture;
    left out for a template that was not captured (what vCD shows then is not documented)."""
    if template.provenance is not Provenance.CAPTURED or template.tpm_provisioning is None:
        return None
    return template.tpm_provisioning is TpmMode.COPY


def _catalog_item_rows(ctx: RequestContext) -> Iterator[Row]:
    for template in ctx.inventory.templates.values():
        if ctx.who.sees(template.org):
            item = catalog_item_id(template.id)
            catalog = ctx.inventory.catalogs.get(template.catalog)
            vdc = ctx.inventory.vdcs.get(template.vdc)
            yield _row(
                href=ctx.hrefs.catalog_item(item),
                id=urn("catalogitem", item),
                name=template.name,
                entity=ctx.hrefs.template(template.id),
                entityName=template.name,
                entityType="vapptemplate",
                catalog=ctx.hrefs.catalog(template.catalog),
                catalogName=catalog.name if catalog else None,
                vdc=ctx.hrefs.vdc(template.vdc),
                vdcName=vdc.name if vdc else None,
                status="RESOLVED",
                isPublished=False,
            )


def _datastore_row(ctx: RequestContext, vcenter, name: str) -> dict:
    ds_id = datastore_id(vcenter, name)
    return dict(
        href=ctx.hrefs.datastore(ds_id),
        id=urn("datastore", ds_id),
        name=name,
        moref=datastore_moref(vcenter, name),
        vc=ctx.hrefs.vim_server(vcenter.id),
        vcName=vcenter.name,
        datastoreType="VMFS6",
        isEnabled=True,
        isDeleted=False,
    )


def _vdc_pool_rows(ctx: RequestContext) -> Iterator[Row]:
    """orgVdcResourcePoolRelation: each VDC and the resource pool (its cluster's) backing it."""
    for vdc in ctx.inventory.vdcs.values():
        vcenter = ctx.inventory.vcenters[vdc.vcenter]
        yield _row(
            vdc=ctx.hrefs.vdc(vdc.id),
            vc=ctx.hrefs.vim_server(vcenter.id),
            vcName=vcenter.name,
            resourcePoolMoref=resource_pool_moref(vdc.id),
        )


def _datastore_rows(ctx: RequestContext) -> Iterator[Row]:
    for vcenter in ctx.inventory.vcenters.values():
        for datastore in vcenter.datastores:
            yield _row(**_datastore_row(ctx, vcenter, datastore.name))


def _datastore_pvdc_rows(ctx: RequestContext) -> Iterator[Row]:
    for vdc in ctx.inventory.vdcs.values():
        vcenter = ctx.inventory.vcenters.get(vdc.vcenter)
        if vcenter is not None:
            common = _datastore_row(ctx, vcenter, vdc.datastore)
            yield _row(**common, datastore=common["href"], providerVdc=ctx.hrefs.provider_vdc(provider_vdc_id(vdc.id)))


def _vcenter_rows(ctx: RequestContext) -> Iterator[Row]:
    for vcenter in ctx.inventory.vcenters.values():
        yield _row(
            href=ctx.hrefs.vim_server(vcenter.id),
            id=urn("vimserver", vcenter.id),
            name=vcenter.name,
            vcVersion=vcenter.version,
            uuid=vcenter.id,
            url=f"https://{vcenter.name}:443",
            isEnabled=True,
            isBusy=False,
            isSupported=True,
            listenerState="CONNECTED",
        )


def _fields(*names: str) -> frozenset[str]:
    return frozenset(("href", "id", "name") + names)


_VDC_FIELDS = ("orgName", "isEnabled", "isBusy", "status")
_DS_FIELDS = ("moref", "vc", "vcName", "datastoreType", "isEnabled", "isDeleted")

QUERY_TYPES = {
    q.name: q
    for q in (
        QueryType("task", "TaskRecord", x.TASK, False, TASK_FIELDS, task_rows),
        QueryType("vm", "VMRecord", x.VM, False, _fields(*VM_FIELDS), _vm_rows, {"id": _vm_rows_by_id}),
        QueryType(
            "adminVM",
            "AdminVMRecord",
            x.VM,
            True,
            _fields(*VM_FIELDS, *ADMIN_VM_FIELDS),
            _admin_vm_rows,
            {"id": _admin_vm_rows_by_id},
        ),
        QueryType("orgVdc", "OrgVdcRecord", x.VDC, False, _fields(*_VDC_FIELDS), _org_vdc_rows),
        QueryType(
            "adminOrgVdc",
            "AdminVdcRecord",
            x.ADMIN_VDC,
            True,
            _fields(*_VDC_FIELDS, "org", "vcName", "providerVdc", "providerVdcName"),
            _admin_vdc_rows,
        ),
        QueryType("vApp", "VAppRecord", x.VAPP, False, _fields("vdc", "vdcName", "numberOfVMs"), _vapp_rows),
        QueryType(
            "vAppTemplate",
            "VAppTemplateRecord",
            x.VAPP_TEMPLATE,
            False,
            _fields("vdc", "vdcName", "catalogName", "status", "isGoldMaster", "copyTpmOnInstantiate"),
            _template_rows,
        ),
        QueryType(
            "catalogItem",
            "CatalogItemRecord",
            x.CATALOG_ITEM,
            False,
            _fields(
                "entity",
                "entityName",
                "entityType",
                "catalog",
                "catalogName",
                "vdc",
                "vdcName",
                "status",
                "isPublished",
            ),
            _catalog_item_rows,
        ),
        QueryType("datastore", "DatastoreRecord", x.DATASTORE, True, _fields(*_DS_FIELDS), _datastore_rows),
        QueryType(
            "datastoreProviderVdcRelation",
            "DatastoreProviderVdcRelationRecord",
            x.DATASTORE,
            True,
            _fields(*_DS_FIELDS, "providerVdc", "datastore"),
            _datastore_pvdc_rows,
        ),
        QueryType(
            "orgVdcResourcePoolRelation",
            "OrgVdcResourcePoolRelationRecord",
            x.ADMIN_VDC,
            True,
            frozenset(("vdc", "vc", "vcName", "resourcePoolMoref")),
            _vdc_pool_rows,
        ),
        QueryType(
            "virtualCenter",
            "VirtualCenterRecord",
            x.VIM_SERVER,
            True,
            _fields("vcVersion", "uuid", "url", "isEnabled", "isBusy", "isSupported", "listenerState"),
            _vcenter_rows,
        ),
    )
}
