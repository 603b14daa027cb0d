"""Provider views: admin and extension roots, vCenters, admin VDCs, provider VDCs, settings."""

from __future__ import annotations

from vcdtpm.sim.inventory import SimVCenter, SimVdc
from vcdtpm.sim.vcd import errors, sessions
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import PROVIDER, RequestContext, Route
from vcdtpm.sim.vcd.ids import datastore_moref, provider_vdc_id, urn
from vcdtpm.sim.vcd.rules import access

ORG_ADMIN = "Organization Administrator"


def _vmext(tag: str, **attrs):
    return x.root(tag, ns=x.VMEXT, nsmap=x.VMEXT_NSMAP, **attrs)


def get_admin(ctx: RequestContext):
    if ctx.who.role not in (ORG_ADMIN, sessions.PROVIDER_ROLE):
        raise errors.forbidden("ADMIN_VIEW", ctx.hrefs.api + "/admin")
    element = x.root("VCloud", name="vCloud", href=ctx.hrefs.api + "/admin/", type=x.ADMIN)
    references = x.sub(element, "OrganizationReferences")
    for org in sorted(ctx.inventory.orgs.values(), key=lambda o: o.name.lower()):
        if ctx.who.sees(org.name):
            x.ref(
                references,
                "OrganizationReference",
                f"{ctx.hrefs.api}/admin/org/{org.id}",
                "application/vnd.vmware.admin.organization+xml",
                org.name,
            )
    return ctx.xml(element, x.ADMIN)


def get_extension(ctx: RequestContext):
    element = _vmext("VMWExtension", href=ctx.hrefs.api + "/admin/extension", type=x.EXTENSION)
    x.link(element, "down", ctx.hrefs.api + "/admin/extension/vimServerReferences", x.VIM_SERVER_REFS)
    x.link(element, "down", ctx.hrefs.api + "/admin/extension/settings/general", x.GENERAL_SETTINGS)
    return ctx.xml(element, x.EXTENSION)


def get_vim_server_refs(ctx: RequestContext):
    element = _vmext(
        "VMWVimServerReferences", href=ctx.hrefs.api + "/admin/extension/vimServerReferences", type=x.VIM_SERVER_REFS
    )
    x.link(element, "up", ctx.hrefs.api + "/admin/extension", x.EXTENSION)
    for vcenter in ctx.inventory.vcenters.values():
        x.ref(element, "VimServerReference", ctx.hrefs.vim_server(vcenter.id), x.VIM_SERVER, vcenter.name, ns=x.VMEXT)
    return ctx.xml(element, x.VIM_SERVER_REFS)


def get_vim_server(ctx: RequestContext, vc_id: str):
    vcenter = next((v for v in ctx.inventory.vcenters.values() if v.id == vc_id), None)
    if vcenter is None:
        raise errors.forbidden("VIM_SERVER_VIEW", urn("vimserver", vc_id))
    element = _vmext(
        "VimServer",
        name=vcenter.name,
        id=urn("vimserver", vcenter.id),
        href=ctx.hrefs.vim_server(vcenter.id),
        type=x.VIM_SERVER,
    )
    x.link(element, "up", ctx.hrefs.api + "/admin/extension/vimServerReferences", x.VIM_SERVER_REFS)
    x.sub(element, "Username", "administrator@vsphere.local", ns=x.VMEXT)
    x.sub(element, "Url", f"https://{vcenter.name}:443", ns=x.VMEXT)
    x.sub(element, "IsEnabled", True, ns=x.VMEXT)
    x.sub(element, "IsConnected", True, ns=x.VMEXT)
    return ctx.xml(element, x.VIM_SERVER)


def get_admin_vdc(ctx: RequestContext, vdc_id: str):
    vdc = access.vdc(ctx, vdc_id)
    element = x.root(
        "AdminVdc", status=1, name=vdc.name, id=urn("vdc", vdc.id), href=ctx.hrefs.admin_vdc(vdc.id), type=x.ADMIN_VDC
    )
    x.link(element, "alternate", ctx.hrefs.vdc(vdc.id), x.VDC)
    x.sub(element, "Description", "")
    x.sub(element, "AllocationModel", "Flex")
    x.sub(element, "IsEnabled", True)
    pvdc = provider_vdc_id(vdc.id)
    x.ref(
        element,
        "ProviderVdcReference",
        ctx.hrefs.provider_vdc(pvdc),
        x.PROVIDER_VDC,
        f"pvdc-{vdc.name}",
        urn("providervdc", pvdc),
    )
    return ctx.xml(element, x.ADMIN_VDC)


def get_provider_vdc(ctx: RequestContext, pvdc_id: str):
    vdc = next((v for v in ctx.inventory.vdcs.values() if provider_vdc_id(v.id) == pvdc_id), None)
    vcenter = ctx.inventory.vcenters.get(vdc.vcenter) if vdc is not None else None
    if vdc is None or vcenter is None:
        raise errors.forbidden("PROVIDER_VDC_VIEW", urn("providervdc", pvdc_id))
    element = _vmext(
        "VMWProviderVdc",
        status=1,
        name=f"pvdc-{vdc.name}",
        id=urn("providervdc", pvdc_id),
        href=ctx.hrefs.provider_vdc(pvdc_id),
        type=x.PROVIDER_VDC,
    )
    x.sub(element, "IsEnabled", True)
    _datastore_refs(ctx, element, vdc, vcenter)
    x.ref(element, "VimServer", ctx.hrefs.vim_server(vcenter.id), x.VIM_SERVER, vcenter.name, ns=x.VMEXT)
    return ctx.xml(element, x.PROVIDER_VDC)


def _datastore_refs(ctx: RequestContext, element, vdc: SimVdc, vcenter: SimVCenter) -> None:
    refs = x.sub(element, "DataStoreRefs", ns=x.VMEXT)
    ref = x.sub(refs, "VimObjectRef", ns=x.VMEXT)
    x.ref(ref, "VimServerRef", ctx.hrefs.vim_server(vcenter.id), x.VIM_SERVER, vcenter.name, ns=x.VMEXT)
    x.sub(ref, "MoRef", datastore_moref(vcenter, vdc.datastore), ns=x.VMEXT)
    x.sub(ref, "VimObjectType", "DATASTORE", ns=x.VMEXT)


def get_general_settings(ctx: RequestContext):
    """General settings (no element tells fast cross-vCenter instantiation: vCD has none)."""
    href = ctx.hrefs.api + "/admin/extension/settings/general"
    element = _vmext("GeneralSettings", href=href, type=x.GENERAL_SETTINGS)
    x.link(element, "edit", href, x.GENERAL_SETTINGS)
    for tag, value in (
        ("AbsoluteSessionTimeoutMinutes", 1440),
        ("ActivityLogDisplayDays", 30),
        ("ActivityLogKeepDays", 90),
        ("AllowOverlappingExtNets", False),
        ("HostCheckDelayInSeconds", 300),
        ("HostCheckTimeoutSeconds", 30),
        ("InstallationId", 1),
        ("IpReservationTimeoutSeconds", 7200),
    ):
        x.sub(element, tag, value, ns=x.VMEXT)
    return ctx.xml(element, x.GENERAL_SETTINGS)


ROUTES = [
    Route("GET", "/api/admin", get_admin),
    Route("GET", "/api/admin/extension", get_extension, auth=PROVIDER),
    Route("GET", "/api/admin/extension/vimServerReferences", get_vim_server_refs, auth=PROVIDER),
    Route("GET", "/api/admin/extension/vimServer/<uuid:vc_id>", get_vim_server, auth=PROVIDER),
    Route("GET", "/api/admin/vdc/<uuid:vdc_id>", get_admin_vdc, auth=PROVIDER),
    Route("GET", "/api/admin/extension/providervdc/<uuid:pvdc_id>", get_provider_vdc, auth=PROVIDER),
    Route("GET", "/api/admin/extension/settings/general", get_general_settings, auth=PROVIDER),
]
