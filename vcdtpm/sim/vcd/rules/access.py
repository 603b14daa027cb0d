"""Find an object for a caller the way vCD does: missing and foreign objects are both forbidden."""

from __future__ import annotations

from typing import TypeVar

from vcdtpm.sim.inventory import SimCatalog, SimOrg, SimTemplate, SimVApp, SimVdc, SimVm
from vcdtpm.sim.vcd import errors, roles
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.ids import SYSTEM_ORG_ID, catalog_item_id, storage_profile_id, urn

# the inventory records that belong to one org
Visible = TypeVar("Visible", SimVdc, SimVApp, SimTemplate, SimCatalog)


def _visible(ctx: RequestContext, found: Visible | None, right: str, ident: str) -> Visible:
    """`found` when the caller's org sees it; missing and foreign objects alike are forbidden."""
    if found is None or not ctx.who.sees(found.org):
        raise errors.forbidden(right, ident)
    return found


def require(ctx: RequestContext, rights: tuple[str, ...] | list[str], operation: str, target: str) -> None:
    """Refuse (403, naming the rights) a caller whose role lacks any of `rights`."""
    missing = [right for right in rights if not roles.holds(ctx.who.role, right)]
    if missing:
        raise errors.missing_rights(missing, operation, target)


def org_by_id(ctx: RequestContext, org_id: str) -> SimOrg | None:
    """A tenant org by id; None for the System org (which only the provider sees)."""
    if org_id == SYSTEM_ORG_ID and ctx.who.provider:
        return None
    org = next((o for o in ctx.inventory.orgs.values() if o.id == org_id), None)
    if org is None or not ctx.who.sees(org.name):
        raise errors.forbidden("ORG_VIEW", urn("org", org_id))
    return org


def vdc(ctx: RequestContext, vdc_id: str) -> SimVdc:
    return _visible(ctx, ctx.inventory.vdcs.get(vdc_id), "VDC_VIEW", urn("vdc", vdc_id))


def vapp(ctx: RequestContext, vapp_id: str) -> SimVApp:
    return _visible(ctx, ctx.inventory.vapps.get(vapp_id), "VAPP_VIEW", urn("vapp", vapp_id))


def vm(ctx: RequestContext, vm_id: str, in_template: bool = False) -> SimVm:
    """A VM of a vApp (or, with `in_template`, of a vApp template) the caller sees; a VM only
    vCenter holds (no vApp, no template) is unknown to vCD, forbidden like a missing one."""
    found = ctx.inventory.vms.get(vm_id)
    org = ctx.inventory.vm_org(found) if found is not None else None
    if found is None or org is None or (found.template is not None) != in_template or not ctx.who.sees(org):
        raise errors.forbidden("VAPP_VM_VIEW", urn("vm", vm_id))
    return found


def template(ctx: RequestContext, template_id: str) -> SimTemplate:
    return _visible(
        ctx, ctx.inventory.templates.get(template_id), "VAPP_TEMPLATE_VIEW", urn("vapptemplate", template_id)
    )


def catalog(ctx: RequestContext, catalog_id: str) -> SimCatalog:
    return _visible(ctx, ctx.inventory.catalogs.get(catalog_id), "CATALOG_VIEW", urn("catalog", catalog_id))


def catalog_item(ctx: RequestContext, item_id: str) -> SimTemplate:
    """The template a catalog item stands for."""
    found = next((t for t in ctx.inventory.templates.values() if catalog_item_id(t.id) == item_id), None)
    if found is None or not ctx.who.sees(found.org):
        raise errors.forbidden("CATALOG_ITEM_VIEW", urn("catalogitem", item_id))
    return found


def storage_profile_vdc(ctx: RequestContext, profile_id: str) -> SimVdc:
    """The VDC owning a storage profile (one profile per VDC in the simulator)."""
    found = next((v for v in ctx.inventory.vdcs.values() if storage_profile_id(v.id) == profile_id), None)
    if found is None or not ctx.who.sees(found.org):
        raise errors.forbidden("VDC_STORAGE_PROFILE_VIEW", urn("vdcstorageProfile", profile_id))
    return found


def org_id_of(ctx: RequestContext, org_name: str) -> str:
    org = ctx.inventory.orgs.get(org_name)
    if org is None:
        org = next((o for o in ctx.inventory.orgs.values() if o.name.lower() == org_name.lower()), None)
    return org.id if org is not None else SYSTEM_ORG_ID
