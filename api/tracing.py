"""Per request: its id (from `X-Request-Id`, else a new one; echoed back), its log event and its counts."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from vcdtpm.logs import new_request_id, request_id
from vcdtpm.metrics import HTTP_LATENCY, HTTP_REQUESTS

REQUEST_ID_HEADER = "X-Request-Id"
log = logging.getLogger("vcdtpm.http")


def _begin() -> None:
    g.request_started = time.perf_counter()
    g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_id_token = request_id.set(g.request_id)


def _end(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    status = str(response.status_code)
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    HTTP_REQUESTS.labels(route, request.method, status).inc()
    HTTP_LATENCY.labels(route, request.method, status).observe(elapsed)
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or new_request_id()
    # the route, never the raw path or the query: no identifiers of the caller's objects, no secrets
    log.info(
        "%s %s %s",
        request.method,
        route,
        status,
        extra={
            "event": "http.request",
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
        },
    )
    return response


def _forget(_exc=None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)


def install(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_end)
    app.teardown_request(_forget)
