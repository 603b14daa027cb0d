"""Structured logs: one JSON object per line (python-json-logger), each carrying the request id it belongs to.

The request id of the request being served lives in a context variable: the API sets it from `X-Request-Id`
(or makes one), every log record carries it, and the Cloud Director adapter forwards it as
`X-VMWARE-VCLOUD-CLIENT-REQUEST-ID`. Secrets never reach a record: no code logs a header or a body, and
the `Redact` filter masks anything shaped like a credential that a library might still log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid
from typing import IO

from pythonjsonlogger.json import JsonFormatter

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("vcdtpm_request_id", default=None)
MAX_REQUEST_ID = 128
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,%d}$" % MAX_REQUEST_ID)
_SECRET = re.compile(r"(?i)(authorization|x-vcloud-authorization|password|token)(['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)")


def new_request_id(offered: str | None = None) -> str:
    """The caller's request id when it is a plain short token (it is echoed and forwarded), else a new one."""
    if offered and _SAFE_ID.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or none) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class Redact(logging.Filter):
    """Masks `password=...`, `token: ...` and authorization values in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg, record.args = _SECRET.sub(r"\1\2***", message), None
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(Redact())
    return handler


def configure_logging(stream: IO[str] | None = None, level: int = logging.INFO) -> None:
    """Every record of the process as one JSON line on `stream` (standard error by default)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(json_handler(stream))
    root.setLevel(level)
