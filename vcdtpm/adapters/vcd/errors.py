"""Translate pyvcloud and transport failures into the domain's error families."""

from __future__ import annotations

import re
from contextlib import contextmanager

import requests
from lxml import etree
from pyvcloud.vcd.exceptions import (
    AccessForbiddenException,
    ClientException,
    NotFoundException,
    UnauthorizedException,
    VcdException,
    VcdResponseException,
)

from vcdtpm.domain.errors import BackendError, BackendUnavailable, MissingRights, NotFound, Unauthorized

BACKEND = "Cloud Director"
# gateway and overload answers: worth another try, unlike 500, which Cloud Director also gives for
# requests it refuses on their content
OVERLOADED = frozenset({502, 503, 504})


@contextmanager
def translated(kind: str = "Object", ident: str = "", with_message: bool = False):
    """401 -> Unauthorized, 403 naming rights the role lacks -> MissingRights, other 403 and 404 ->
    NotFound (one message for both), unreachable or 502/503/504 -> BackendUnavailable, anything else Cloud
    Director refuses -> BackendError."""
    try:
        yield
    except UnauthorizedException:
        raise Unauthorized() from None
    except AccessForbiddenException as exc:
        rights = missing_rights(exc)
        if rights:
            raise MissingRights(rights) from None
        raise NotFound(kind=kind, id=without_address(ident)) from None
    except NotFoundException:
        raise NotFound(kind=kind, id=without_address(ident)) from None
    except requests.exceptions.RequestException as exc:
        raise BackendUnavailable(backend=BACKEND, reason=_transport_reason(exc)) from None
    except VcdResponseException as exc:
        if exc.status_code in OVERLOADED:
            raise BackendUnavailable(backend=BACKEND, reason=f"HTTP {exc.status_code}") from None
        if with_message:
            raise BackendError(backend=BACKEND, reason=vcd_message(exc)) from None
        minor = exc.vcd_error.get("minorErrorCode") if exc.vcd_error is not None else None
        raise BackendError(backend=BACKEND, reason=f"HTTP {exc.status_code} {minor or ''}".strip()) from None
    except (VcdException, ClientException, etree.XMLSyntaxError, ValueError) as exc:
        raise BackendError(backend=BACKEND, reason=type(exc).__name__) from None


_RIGHTS = re.compile(r"following rights \[([^\]]*)\]")


def missing_rights(exc: VcdResponseException) -> list[str]:
    """The rights a 403 names ("Either you need some or all of the following rights [...] to perform
    operations [...] for ... or the target entity is invalid."), without [Base], which every role holds
    and vCD names for an object it does not show (missing or foreign: NotFound)."""
    error = exc.vcd_error if exc.vcd_error is not None else {}
    message = error.get("message") or ""
    found = _RIGHTS.search(message)
    if found is None:
        return []
    return [right.strip() for right in found.group(1).split(",") if right.strip() and right.strip() != "Base"]


def _transport_reason(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS verification failed"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def refused(kind: str = "Object", ident: str = ""):
    """`translated` for actions: a refusal other than 401/403/404 becomes a BackendError
    carrying Cloud Director's own message."""
    return translated(kind, ident, with_message=True)


def vcd_message(exc: VcdResponseException) -> str:
    error = exc.vcd_error if exc.vcd_error is not None else {}
    message = without_address(error.get("message") or f"HTTP {exc.status_code}")
    minor = error.get("minorErrorCode")
    return f"{message} ({minor})" if minor else message


_AUTHORITY = re.compile(r"\b(?:https?|wss?)://[^/\s'\"<>)]+")


def without_address(text: str) -> str:
    """`text` with the scheme and host of every URL taken out: how the service reaches Cloud Director (an
    internal name, a port) is the provider's; the path (/api/vApp/vapp-...) is the object's own."""
    return _AUTHORITY.sub("", text)
