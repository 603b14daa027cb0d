"""problem+json (RFC 9457) for every error, and the one table from error family to status."""

from __future__ import annotations

import logging

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from vcdtpm.domain import errors

log = logging.getLogger("vcdtpm.api")

PROBLEM_TYPE = "urn:vcdtpm:problem:"
# use-case fields that reach the API as request headers
HEADER_FIELDS = {"idempotency_key": "Idempotency-Key"}

STATUS = {
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Invalid: 422,
    errors.PreflightFailed: 409,
    errors.Conflict: 409,
    errors.BackendError: 502,
    errors.BackendUnavailable: 503,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
    502: "Backend error",
    503: "Service unavailable",
}


def problem(status: int, detail: str, slug: str | None = None, **extra) -> Response:
    body = {
        "type": PROBLEM_TYPE + (slug or f"http-{status}"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vcdtpm"'
    return response


def _domain_error(exc: errors.VcdTpmError) -> Response:
    status = next((code for family, code in STATUS.items() if isinstance(exc, family)), 500)
    extra: dict[str, object] = {}
    if isinstance(exc, errors.Invalid):
        field = HEADER_FIELDS.get(exc.field, exc.field)
        extra["field"] = field
        extra["errors"] = [{"field": field, "message": exc.kwargs["reason"]}]
    if isinstance(exc, errors.Forbidden) and exc.kwargs.get("field"):
        extra["field"] = exc.kwargs["field"]
    if isinstance(exc, errors.PreflightFailed):
        from api.schemas import CheckSchema, VmPlanSchema
        from vcdtpm.domain.compact import compact_checks

        extra["checks"] = CheckSchema(many=True).dump(compact_checks(exc.plan.checks))
        if hasattr(exc.plan, "vms"):  # an operation's plan; a restore's plan has no VMs of its own
            extra["vms"] = VmPlanSchema(many=True).dump(exc.plan.vms)
    if status == 500:
        log.error("unmapped domain error: %s", exc.slug)
        return problem(500, "The service failed to handle the request.")
    return problem(status, exc.message, exc.slug, **extra)


def _flatten(messages, prefix: str = "") -> list[dict]:
    """webargs/marshmallow messages -> [{"field": "items[0].vm.name", "message": ...}]."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema" or (key == "json" and not prefix):
                out += _flatten(value, prefix)
                continue
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            out += _flatten(value, path)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out += [{"field": prefix or "body", "message": m} for m in messages]
    elif isinstance(messages, list):
        for value in messages:
            out += _flatten(value, prefix)
    else:
        out.append({"field": prefix or "body", "message": str(messages)})
    return out


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if messages:
        found = _flatten(messages)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in found)
        return problem(status, detail, "invalid", errors=found, field=found[0]["field"])
    if status == 413:
        return problem(413, "The request body is larger than this service accepts.", "too-large")
    answer = problem(status, exc.description or TITLES.get(status, "Error"))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        answer.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110 15.5.6: a 405 names them
    return answer


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "The service failed to handle the request.")


def install(app: Flask) -> None:
    """Every error the app can raise becomes problem+json."""
    app.register_error_handler(errors.VcdTpmError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
