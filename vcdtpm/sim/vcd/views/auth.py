"""Versions, logins (cloudapi sessions) and the /api/session resource."""

from __future__ import annotations

from vcdtpm.sim.vcd import errors, roles, sessions
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import PUBLIC, SESSION, RequestContext, Route
from vcdtpm.sim.vcd.ids import SYSTEM_ORG_ID, urn, user_id
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.sessions import Caller

ADMIN_ROLES = ("Organization Administrator", sessions.PROVIDER_ROLE)


def get_versions(ctx: RequestContext):
    from vcdtpm.sim.vcd.app import DEPRECATED_VERSIONS, SUPPORTED_VERSIONS

    element = x.root("SupportedVersions", ns=x.VERSIONS, nsmap={None: x.VERSIONS, "xsi": x.XSI})
    for version in SUPPORTED_VERSIONS:
        info = x.sub(element, "VersionInfo", ns=x.VERSIONS, deprecated=version in DEPRECATED_VERSIONS)
        x.sub(info, "Version", version, ns=x.VERSIONS)
        x.sub(info, "LoginUrl", ctx.hrefs.api + "/sessions", ns=x.VERSIONS)
    return ctx.xml(element, "application/vnd.vmware.vcloud.versions+xml")


def post_tenant_session(ctx: RequestContext):
    return _login(ctx, provider_endpoint=False)


def post_provider_session(ctx: RequestContext):
    return _login(ctx, provider_endpoint=True)


def _login(ctx: RequestContext, provider_endpoint: bool):
    user, org, password = sessions.parse_basic(ctx.request.headers.get("Authorization"))
    org_name, account = sessions.authenticate(ctx.inventory, user, org, password, provider_endpoint)
    role = sessions.PROVIDER_ROLE if provider_endpoint else account.role
    caller = ctx.sim.sessions.open(org_name, account.name, role, provider_endpoint)
    ctx.headers.update(
        {
            "x-vmware-vcloud-access-token": caller.access_token,
            "x-vcloud-authorization": caller.auth_token,
            "x-vmware-vcloud-token-type": "Bearer",
        }
    )
    return ctx.json(_session_json(ctx, caller))


def _session_json(ctx: RequestContext, caller: Caller) -> dict:
    org = {"name": caller.org, "id": urn("org", access.org_id_of(ctx, caller.org))}
    return {
        "id": urn("session", caller.session_id),
        "site": {"name": "vcd-sim", "id": urn("site", SYSTEM_ORG_ID)},
        "user": {"name": caller.user, "id": urn("user", user_id(caller.org, caller.user))},
        "org": org,
        "operatingOrg": org,
        "location": f"{SYSTEM_ORG_ID}@vcd-sim",
        "roles": [caller.role],
        "roleRefs": [{"name": caller.role, "id": roles.role_id(caller.role)}],
        "sessionIdleTimeoutMinutes": 30,
    }


def get_current_session(ctx: RequestContext):
    """The caller's session, as the login answered it.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/v37.0/cloudapi/1.0.0/sessions/current/get/"""
    return ctx.json(_session_json(ctx, ctx.who))


def get_role_rights(ctx: RequestContext, role_id: str):
    """The rights of a role, as EntityReferences, paged (pageSize at most 128).
    https://developer.broadcom.com/xapis/all-apps-org-access-control/9.0/cloudapi/1.0.0/roles/id/rights/get
    A tenant reads only the roles of its own org's users (the predefined roles here); the ids are the
    simulator's own (sim/vcd/roles.py)."""
    role = roles.role_by_id(f"urn:vcloud:role:{role_id}")
    if role is None or (role == roles.SYSTEM_ADMINISTRATOR and not ctx.who.provider):
        raise errors.forbidden("ROLE_VIEW", f"urn:vcloud:role:{role_id}")
    page, page_size = _paging(ctx)
    names = sorted(roles.rights_of(role))
    chunk = names[(page - 1) * page_size : page * page_size]
    return ctx.json(
        {
            "resultTotal": len(names),
            "pageCount": max(1, -(-len(names) // page_size)),
            "page": page,
            "pageSize": page_size,
            "associations": None,
            "values": [{"name": name, "id": roles.right_id(name)} for name in chunk],
        }
    )


def _paging(ctx: RequestContext) -> tuple[int, int]:
    try:
        page = int(ctx.request.args.get("page", "1"))
        page_size = int(ctx.request.args.get("pageSize", "25"))
    except ValueError:
        raise errors.bad_request("page and pageSize must be integers.") from None
    if page < 1 or not 0 < page_size <= 128:
        raise errors.bad_request("page must be at least 1 and pageSize between 1 and 128.")
    return page, page_size


def get_session(ctx: RequestContext):
    caller, hrefs = ctx.who, ctx.hrefs
    org_id = access.org_id_of(ctx, caller.org)
    element = x.root(
        "Session",
        href=hrefs.api + "/session/",
        type=x.SESSION,
        org=caller.org,
        orgId=urn("org", org_id),
        user=caller.user,
        userId=urn("user", user_id(caller.org, caller.user)),
        roles=caller.role,
        locationId=f"{SYSTEM_ORG_ID}@vcd-sim",
    )
    x.link(element, "down", hrefs.api + "/org/", x.ORG_LIST)
    x.link(element, "remove", hrefs.api + "/session/")
    if caller.role in ADMIN_ROLES:
        x.link(element, "down", hrefs.api + "/admin/", x.ADMIN)
    x.link(element, "down", hrefs.org(org_id), x.ORG, caller.org)
    x.link(element, "down", hrefs.api + "/query", x.QUERY_LIST)
    if caller.provider:
        x.link(element, "down", hrefs.api + "/admin/extension", x.EXTENSION)
    x.link(element, "openapi", hrefs.base + "/cloudapi/", "application/json")
    ctx.headers["x-vcloud-authorization"] = caller.auth_token
    return ctx.xml(element, x.SESSION)


def delete_session(ctx: RequestContext):
    ctx.sim.sessions.close(ctx.who)
    return ctx.empty(204)


ROUTES = [
    Route("GET", "/api/versions", get_versions, auth=PUBLIC, versioned=False),
    Route("POST", "/cloudapi/1.0.0/sessions", post_tenant_session, auth=PUBLIC),
    Route("POST", "/cloudapi/1.0.0/sessions/provider", post_provider_session, auth=PUBLIC),
    Route("GET", "/api/session", get_session, auth=SESSION),
    Route("GET", "/cloudapi/1.0.0/sessions/current", get_current_session, auth=SESSION),
    Route("GET", "/cloudapi/1.0.0/roles/urn:vcloud:role:<uuid:role_id>/rights", get_role_rights, auth=SESSION),
    Route("DELETE", "/api/session", delete_session, auth=SESSION),
]
