"""The simulated Cloud Director as a WSGI app: router table, version check, auth, error replies."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd.context import PROVIDER, PUBLIC, RequestContext, Route
from vcdtpm.sim.vcd.errors import VcdError
from vcdtpm.sim.vcd.extensibility import Extensibility
from vcdtpm.sim.vcd.ids import Hrefs
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.sessions import Caller, SessionStore
from vcdtpm.sim.vcd.tasks import TaskStore

log = logging.getLogger(__name__)

SUPPORTED_VERSIONS = ("35.0", "36.0", "36.1", "36.2", "36.3", "37.0", "37.1", "37.2", "37.3", "38.0", "38.1")
DEPRECATED_VERSIONS = ("35.0",)
_VERSION = re.compile(r"version\s*=\s*([0-9A-Za-z.\-]+)")


class UuidConverter(BaseConverter):
    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> str:
        return value.lower()


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    body: bytes = b""
    content_type: str = ""
    client_request_id: str = ""  # X-VMWARE-VCLOUD-CLIENT-REQUEST-ID, which vCD writes to its logs


class RequestLog:
    """Every request the simulator received, in order (for tests and diagnostics)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def record(self, request: Request) -> None:
        body = request.get_data(cache=True) if request.method in ("POST", "PUT") else b""
        query = request.query_string.decode("latin-1")
        entry = LoggedRequest(
            request.method,
            request.path,
            query,
            body,
            request.headers.get("Content-Type", ""),
            request.headers.get("X-VMWARE-VCLOUD-CLIENT-REQUEST-ID", ""),
        )
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def count(self, path_prefix: str = "", method: str | None = None) -> int:
        return sum(1 for e in self.entries if e.path.startswith(path_prefix) and (method is None or e.method == method))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class VcdSimulator:
    """WSGI callable speaking the Cloud Director API over one shared `Inventory`."""

    def __init__(self, inventory: Inventory, routes: Iterable[Route], task_delay: float = 0.0):
        self.inventory = inventory
        self.sessions = SessionStore()
        self.tasks = TaskStore(task_delay)
        self.requests = RequestLog()
        self.extensibility = Extensibility()  # external endpoints, API filters, trusted certificates
        self.uploads: dict = {}  # template or vApp id -> its pending OVF upload (sim/vcd/uploads.py)
        self._routes = list(routes)
        rules = [Rule(r.rule, endpoint=i, methods=[r.method]) for i, r in enumerate(self._routes)]
        self._map = Map(rules, converters={"uuid": UuidConverter}, strict_slashes=False)

    def __call__(self, environ, start_response):
        response = self.respond(Request(environ))
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        self.requests.record(request)
        version = SUPPORTED_VERSIONS[-1]
        try:
            route, params = self._match(request)
            version = _negotiate(request, route)
            ctx = RequestContext(request, self, Hrefs(request.host_url), version)
            ctx.caller = self._authorize(request, route)
            if route.rights:
                access.require(ctx, route.rights, route.handler.__name__, _target(params, request.path))
            if not route.locked:
                return route.handler(ctx, **params)
            with self.inventory.lock:
                self.tasks.tick()
                return route.handler(ctx, **params)
        except VcdError as error:
            return _error_response(request, error, version)
        except Exception:
            log.exception("simulated Cloud Director failed on %s %s", request.method, request.path)
            return _error_response(request, errors.internal(), version)

    def _match(self, request: Request) -> tuple[Route, Mapping[str, object]]:
        path = request.path.rstrip("/") or "/"
        try:
            index, params = self._map.bind("vcd").match(path, method=request.method)
        except MethodNotAllowed as exc:
            raise errors.method_not_allowed(request.method, list(exc.valid_methods or [])) from None
        except NotFound:
            raise errors.not_found(request.path) from None
        return self._routes[index], params

    def _authorize(self, request: Request, route: Route) -> Caller | None:
        if route.auth == PUBLIC:
            return None
        caller = self._caller(request)
        if route.auth == PROVIDER and not caller.provider:
            raise errors.provider_only(request.path)
        return caller

    def _caller(self, request: Request) -> Caller:
        authorization = request.headers.get("Authorization", "")
        if authorization[:7].lower() == "bearer ":
            caller = self.sessions.by_bearer(authorization[7:].strip())
        elif request.headers.get("x-vcloud-authorization"):
            caller = self.sessions.by_auth_token(request.headers["x-vcloud-authorization"].strip())
        else:
            raise errors.unauthorized("This operation is denied: no session token.")
        if caller is None:
            raise errors.unauthorized("This operation is denied: the session is not valid.")
        return caller


def _target(params: Mapping[str, object], path: str) -> str:
    """What a refusal names: the entity id in the path (vCD names the entity's uuid), else the path."""
    return str(next(iter(params.values()), path))


def _negotiate(request: Request, route: Route) -> str:
    """The API version named in the Accept header; 406 when missing or unsupported."""
    if not route.versioned:
        return SUPPORTED_VERSIONS[-1]
    match = _VERSION.search(request.headers.get("Accept", ""))
    if match is None:
        raise errors.not_acceptable("the API version is missing.")
    version = match.group(1)
    if version not in SUPPORTED_VERSIONS:
        raise errors.not_acceptable(
            f"Invalid API version requested: {version}. Supported: {', '.join(SUPPORTED_VERSIONS)}."
        )
    return version


def _error_response(request: Request, error: VcdError, version: str) -> Response:
    headers = dict(error.headers)
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", 'Basic realm="VMware Cloud Director"')
    if request.path.startswith("/cloudapi/"):
        return Response(
            error.json_body(), status=error.status, headers=headers, content_type=f"application/json;version={version}"
        )
    return Response(
        error.xml_body(),
        status=error.status,
        headers=headers,
        content_type=f"application/vnd.vmware.vcloud.error+xml;version={version}",
    )
