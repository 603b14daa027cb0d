"""API extensibility over HTTP: externalEndpoints, apiFilters, ssl/trustedCertificates, and the /ext-api proxy.

The proxy follows the API extensibility guide of github.com/vmware/cloud-director-extension-standard-library
(documentation/extensibility-platform/api-extensibility.md, "API extensibility via HTTP"): any valid vCD user
may call an `/ext-api` URL, authenticated by the request's `Authorization` header; a filter with urlPattern
`/custom/.*` sends `POST /ext-api/custom/createObject/test123?param1=param1` to
`POST <rootUrl>/createObject/test123?param1=param1`; a disabled endpoint is as if it did not exist; the endpoint's
server certificate must be trusted in the System org. What the guide does not say (which headers reach the
endpoint, the answer when it cannot be reached) is invented here and listed in docs/FIDELITY.md.
"""

from __future__ import annotations

import json
import os
import tempfile

import requests
from werkzeug.wrappers import Response

from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd.context import PROVIDER, SESSION, RequestContext, Route
from vcdtpm.sim.vcd.errors import VcdError

CLOUDAPI = "/cloudapi/1.0.0"
MAX_PAGE_SIZE = 128  # cloudapi's largest page
# Hop-by-hop headers (RFC 9110 7.6.1) and those the proxy recomputes never travel on.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
_NOT_RELAYED = _HOP_BY_HOP | {"content-encoding"}  # requests hands over the body decoded


def _body(ctx: RequestContext) -> dict:
    """A cloudapi JSON body: application/json (any version parameter), an object."""
    media = ctx.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise errors.unsupported_media_type(media, "application/json")
    try:
        body = json.loads(ctx.request.get_data(cache=True) or b"null")
    except ValueError:
        raise errors.bad_request("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object.")
    return body


def _page(ctx: RequestContext, values: list[dict]):
    """One cloudapi page: resultTotal, pageCount, page, pageSize, associations, values."""
    try:
        page = int(ctx.request.args.get("page", "1"))
        size = int(ctx.request.args.get("pageSize", "25"))
    except ValueError:
        raise errors.bad_request("page and pageSize must be integers.") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise errors.bad_request(f"page must be >= 1 and pageSize between 1 and {MAX_PAGE_SIZE}.")
    count = (len(values) + size - 1) // size
    chunk = values[(page - 1) * size : page * size]
    body = {"resultTotal": len(values), "pageCount": count, "page": page, "pageSize": size, "associations": []}
    return ctx.json({**body, "values": chunk})


# -- external endpoints ----------------------------------------------------------------------------
def list_endpoints(ctx: RequestContext):
    ext = ctx.sim.extensibility
    with ext.lock:
        return _page(ctx, [e.json() for e in ext.endpoints.values()])


def post_endpoint(ctx: RequestContext):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        return ctx.json(ext.create_endpoint(body).json())


def get_endpoint(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        return ctx.json(ext.endpoint(id_).json())


def put_endpoint(ctx: RequestContext, id_: str):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        return ctx.json(ext.update_endpoint(id_, body).json())


def delete_endpoint(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        ext.delete_endpoint(id_)
    return ctx.empty(204)


# -- API filters -----------------------------------------------------------------------------------
def list_filters(ctx: RequestContext):
    ext = ctx.sim.extensibility
    with ext.lock:
        return _page(ctx, [f.json() for f in ext.filters.values()])


def post_filter(ctx: RequestContext):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        return ctx.json(ext.create_filter(body).json())


def get_filter(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        return ctx.json(ext.api_filter(id_).json())


def put_filter(ctx: RequestContext, id_: str):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        return ctx.json(ext.update_filter(id_, body).json())


def delete_filter(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        ext.api_filter(id_)
        del ext.filters[id_]
    return ctx.empty(204)


# -- trusted certificates --------------------------------------------------------------------------
def list_certificates(ctx: RequestContext):
    ext = ctx.sim.extensibility
    with ext.lock:
        return _page(ctx, [c.json() for c in ext.certificates.values()])


def post_certificate(ctx: RequestContext):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        return ctx.json(ext.trust(body).json(), status=201)


def get_certificate(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        return ctx.json(ext.certificate(id_).json())


def put_certificate(ctx: RequestContext, id_: str):
    ext, body = ctx.sim.extensibility, _body(ctx)
    with ext.lock:
        ext.certificate(id_)
        return ctx.json(ext.trust(body, id_).json())


def delete_certificate(ctx: RequestContext, id_: str):
    ext = ctx.sim.extensibility
    with ext.lock:
        ext.certificate(id_)
        del ext.certificates[id_]
    return ctx.empty(204)


# -- the /ext-api proxy ----------------------------------------------------------------------------
def proxy_ext_api(ctx: RequestContext, rest: str = ""):
    path = ctx.request.path[len("/ext-api") :]
    target = ctx.sim.extensibility.route("EXT_API", path)
    if target is None:
        raise errors.not_found(ctx.request.path)
    endpoint, remainder = target
    url = endpoint.root_url.rstrip("/") + ("/" + remainder if remainder else "")
    if ctx.request.query_string:
        url += "?" + ctx.request.query_string.decode("latin-1")
    headers = {k: v for k, v in ctx.request.headers.items() if k.lower() not in _HOP_BY_HOP}
    try:
        answer = _send(ctx, url, headers)
    except requests.exceptions.SSLError:
        # Invented: the guide says only that the certificate must be trusted; the status and code are ours.
        raise VcdError(502, "BAD_GATEWAY", f"The certificate of external endpoint {endpoint.id} is not trusted.")
    except requests.RequestException:
        raise VcdError(502, "BAD_GATEWAY", f"External endpoint {endpoint.id} cannot be reached.")
    kept = [(k, v) for k, v in answer.headers.items() if k.lower() not in _NOT_RELAYED]
    return Response(answer.content, status=answer.status_code, headers=kept)


def _send(ctx: RequestContext, url: str, headers: dict) -> requests.Response:
    """The request as received, verified against the System org's trusted certificates only."""
    bundle = ctx.sim.extensibility.ca_bundle()
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(bundle)
        return requests.request(
            ctx.request.method,
            url,
            headers=headers,
            data=ctx.request.get_data(cache=True),
            verify=path if bundle else True,
            allow_redirects=False,
            timeout=60,
        )
    finally:
        os.unlink(path)


_ID = "<string:id_>"
ROUTES = [
    Route("GET", f"{CLOUDAPI}/externalEndpoints", list_endpoints, auth=PROVIDER),
    Route("POST", f"{CLOUDAPI}/externalEndpoints", post_endpoint, auth=PROVIDER),
    Route("GET", f"{CLOUDAPI}/externalEndpoints/{_ID}", get_endpoint, auth=PROVIDER),
    Route("PUT", f"{CLOUDAPI}/externalEndpoints/{_ID}", put_endpoint, auth=PROVIDER),
    Route("DELETE", f"{CLOUDAPI}/externalEndpoints/{_ID}", delete_endpoint, auth=PROVIDER),
    Route("GET", f"{CLOUDAPI}/apiFilters", list_filters, auth=PROVIDER),
    Route("POST", f"{CLOUDAPI}/apiFilters", post_filter, auth=PROVIDER),
    Route("GET", f"{CLOUDAPI}/apiFilters/{_ID}", get_filter, auth=PROVIDER),
    Route("PUT", f"{CLOUDAPI}/apiFilters/{_ID}", put_filter, auth=PROVIDER),
    Route("DELETE", f"{CLOUDAPI}/apiFilters/{_ID}", delete_filter, auth=PROVIDER),
    Route("GET", f"{CLOUDAPI}/ssl/trustedCertificates", list_certificates, auth=PROVIDER),
    Route("POST", f"{CLOUDAPI}/ssl/trustedCertificates", post_certificate, auth=PROVIDER),
    Route("GET", f"{CLOUDAPI}/ssl/trustedCertificates/{_ID}", get_certificate, auth=PROVIDER),
    Route("PUT", f"{CLOUDAPI}/ssl/trustedCertificates/{_ID}", put_certificate, auth=PROVIDER),
    Route("DELETE", f"{CLOUDAPI}/ssl/trustedCertificates/{_ID}", delete_certificate, auth=PROVIDER),
] + [
    # The proxy waits on the endpoint, which may call this vCD back: it runs outside the inventory lock.
    Route(method, "/ext-api/<path:rest>", proxy_ext_api, auth=SESSION, versioned=False, locked=False)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
]
