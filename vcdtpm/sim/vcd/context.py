"""What a route handler gets: the request, the caller, the inventory and reply helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from vcdtpm.sim.inventory import Inventory
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.ids import Hrefs
from vcdtpm.sim.vcd.sessions import Caller

if TYPE_CHECKING:
    from vcdtpm.sim.vcd.app import VcdSimulator

PUBLIC, SESSION, PROVIDER = "public", "session", "provider"


@dataclass(frozen=True)
class Route:
    """One row of the router table: method, werkzeug rule, handler and who may call it.

    `versioned` routes require an Accept header naming a supported API version; `locked` handlers run
    under the inventory lock (all but the /ext-api proxy, which waits on a service that may call back);
    `rights` are the Cloud Director rights the caller's role must hold (sim/vcd/roles.py), checked before
    the handler.
    """

    method: str
    rule: str
    handler: Callable
    auth: str = SESSION
    versioned: bool = True
    locked: bool = True
    rights: tuple[str, ...] = ()


@dataclass
class RequestContext:
    request: Request
    sim: VcdSimulator
    hrefs: Hrefs
    version: str
    caller: Caller | None = None
    headers: dict = field(default_factory=dict)

    @property
    def inventory(self) -> Inventory:
        return self.sim.inventory

    @property
    def who(self) -> Caller:
        assert self.caller is not None, "route requires a session"
        return self.caller

    def xml(self, element, media_type: str, status: int = 200) -> Response:
        return Response(
            x.serialize(element),
            status=status,
            headers=self.headers,
            content_type=f"{media_type};version={self.version}",
        )

    def json(self, body, status: int = 200) -> Response:
        return Response(
            json.dumps(body),
            status=status,
            headers=self.headers,
            content_type=f"application/json;version={self.version}",
        )

    def empty(self, status: int = 204) -> Response:
        return Response(status=status, headers=self.headers)
