"""Org list, orgs, VDCs, storage profiles, catalogs and catalog items."""

from __future__ import annotations

from vcdtpm.sim.inventory import SYSTEM_ORG, SimOrg
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.ids import SYSTEM_ORG_ID, catalog_item_id, storage_profile_id, urn
from vcdtpm.sim.vcd.rules import access

STORAGE_PROFILE_NAME = "*"


def get_org_list(ctx: RequestContext):
    element = x.root("OrgList", href=ctx.hrefs.api + "/org/", type=x.ORG_LIST)
    if ctx.who.provider:
        x.ref(element, "Org", ctx.hrefs.org(SYSTEM_ORG_ID), x.ORG, SYSTEM_ORG)
    for org in sorted(ctx.inventory.orgs.values(), key=lambda o: o.name.lower()):
        if ctx.who.sees(org.name):
            x.ref(element, "Org", ctx.hrefs.org(org.id), x.ORG, org.name)
    return ctx.xml(element, x.ORG_LIST)


def get_org(ctx: RequestContext, org_id: str):
    org = access.org_by_id(ctx, org_id)
    name = org.name if org is not None else SYSTEM_ORG
    element = x.root("Org", name=name, id=urn("org", org_id), href=ctx.hrefs.org(org_id), type=x.ORG)
    if org is not None:
        _org_links(ctx, element, org)
    x.sub(element, "Description", "")
    x.sub(element, "FullName", name)
    x.sub(element, "IsEnabled", True)
    return ctx.xml(element, x.ORG)


def _org_links(ctx: RequestContext, element, org: SimOrg) -> None:
    for vdc in ctx.inventory.vdcs.values():
        if vdc.org == org.name:
            x.link(element, "down", ctx.hrefs.vdc(vdc.id), x.VDC, vdc.name)
    for catalog in ctx.inventory.catalogs.values():
        if catalog.org == org.name:
            x.link(element, "down", ctx.hrefs.catalog(catalog.id), x.CATALOG, catalog.name)


def get_vdc(ctx: RequestContext, vdc_id: str):
    vdc = access.vdc(ctx, vdc_id)
    element = x.root("Vdc", status=1, name=vdc.name, id=urn("vdc", vdc.id), href=ctx.hrefs.vdc(vdc.id), type=x.VDC)
    org_id = access.org_id_of(ctx, vdc.org)
    x.link(element, "up", ctx.hrefs.org(org_id), x.ORG)
    x.sub(element, "Description", "")
    x.sub(element, "AllocationModel", "Flex")
    _resource_entities(ctx, element, vdc.id)
    x.sub(element, "AvailableNetworks")
    capabilities = x.sub(element, "Capabilities")
    versions = x.sub(capabilities, "SupportedHardwareVersions")
    for number in (14, 15, 17, 18, 19, 20, 21):
        x.sub(versions, "SupportedHardwareVersion", f"vmx-{number}")
    for quota in ("NicQuota", "NetworkQuota", "UsedNetworkCount", "VmQuota"):
        x.sub(element, quota, 0)
    x.sub(element, "IsEnabled", True)
    _storage_profile_ref(ctx, x.sub(element, "VdcStorageProfiles"), vdc.id)
    return ctx.xml(element, x.VDC)


def _storage_profile_ref(ctx: RequestContext, holder, vdc_id: str) -> None:
    """The VdcStorageProfile reference of a VDC's one storage profile, under `holder`."""
    profile_id = storage_profile_id(vdc_id)
    x.ref(
        holder,
        "VdcStorageProfile",
        ctx.hrefs.storage_profile(profile_id),
        x.STORAGE_PROFILE,
        STORAGE_PROFILE_NAME,
        urn("vdcstorageProfile", profile_id),
    )


def _resource_entities(ctx: RequestContext, element, vdc_id: str) -> None:
    entities = x.sub(element, "ResourceEntities")
    for vapp in ctx.inventory.vapps.values():
        if vapp.vdc == vdc_id:
            x.ref(entities, "ResourceEntity", ctx.hrefs.vapp(vapp.id), x.VAPP, vapp.name, urn("vapp", vapp.id))
    for template in ctx.inventory.templates.values():
        if template.vdc == vdc_id:
            x.ref(
                entities,
                "ResourceEntity",
                ctx.hrefs.template(template.id),
                x.VAPP_TEMPLATE,
                template.name,
                urn("vapptemplate", template.id),
            )


def get_storage_profile(ctx: RequestContext, profile_id: str):
    vdc = access.storage_profile_vdc(ctx, profile_id)
    element = x.root(
        "VdcStorageProfile",
        name=STORAGE_PROFILE_NAME,
        id=urn("vdcstorageProfile", profile_id),
        href=ctx.hrefs.storage_profile(profile_id),
        type=x.STORAGE_PROFILE,
    )
    x.link(element, "up", ctx.hrefs.vdc(vdc.id), x.VDC, vdc.name)
    x.sub(element, "Enabled", True)
    x.sub(element, "Units", "MB")
    x.sub(element, "Limit", 0)
    x.sub(element, "Default", True)
    return ctx.xml(element, x.STORAGE_PROFILE)


def get_catalog(ctx: RequestContext, catalog_id: str):
    catalog = access.catalog(ctx, catalog_id)
    element = x.root(
        "Catalog", name=catalog.name, id=urn("catalog", catalog.id), href=ctx.hrefs.catalog(catalog.id), type=x.CATALOG
    )
    x.link(element, "up", ctx.hrefs.org(access.org_id_of(ctx, catalog.org)), x.ORG)
    x.sub(element, "Description", "")
    items = x.sub(element, "CatalogItems")
    for template_id in catalog.templates:
        template = ctx.inventory.templates.get(template_id)
        if template is not None:
            item_id = catalog_item_id(template.id)
            x.ref(
                items,
                "CatalogItem",
                ctx.hrefs.catalog_item(item_id),
                x.CATALOG_ITEM,
                template.name,
                urn("catalogitem", item_id),
            )
    x.sub(element, "IsPublished", False)
    x.sub(element, "VersionNumber", 1)
    if catalog.vdc is not None:
        _storage_profile_ref(ctx, x.sub(element, "CatalogStorageProfiles"), catalog.vdc)
    return ctx.xml(element, x.CATALOG)


def render_catalog_item(ctx: RequestContext, item_id: str, template):
    """A CatalogItem whose Entity is the template.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CatalogItemType.html
    """
    element = x.root(
        "CatalogItem",
        size=0,
        name=template.name,
        id=urn("catalogitem", item_id),
        href=ctx.hrefs.catalog_item(item_id),
        type=x.CATALOG_ITEM,
    )
    x.link(element, "up", ctx.hrefs.catalog(template.catalog), x.CATALOG)
    x.sub(element, "Description", "")
    x.ref(
        element,
        "Entity",
        ctx.hrefs.template(template.id),
        x.VAPP_TEMPLATE,
        template.name,
        urn("vapptemplate", template.id),
    )
    x.sub(element, "VersionNumber", 1)
    return element


def get_catalog_item(ctx: RequestContext, item_id: str):
    template = access.catalog_item(ctx, item_id)
    return ctx.xml(render_catalog_item(ctx, item_id, template), x.CATALOG_ITEM)


ROUTES = [
    Route("GET", "/api/org", get_org_list),
    Route("GET", "/api/org/<uuid:org_id>", get_org),
    Route("GET", "/api/vdc/<uuid:vdc_id>", get_vdc),
    Route("GET", "/api/vdcStorageProfile/<uuid:profile_id>", get_storage_profile),
    Route("GET", "/api/catalog/<uuid:catalog_id>", get_catalog),
    Route("GET", "/api/catalogItem/<uuid:item_id>", get_catalog_item),
]
