"""vSphere faults and transport errors translated into the domain's error families."""

from __future__ import annotations

import functools
import http.client
import ssl
from xml.parsers.expat import ExpatError

from pyVmomi import vim, vmodl

from vcdtpm.domain.errors import (
    BackendError,
    BackendUnavailable,
    NotFound,
    Unauthorized,
    VcdTpmError,
)

_UNAVAILABLE_FAULTS = (vim.fault.HostConnectFault, vmodl.fault.HostCommunication, vmodl.fault.RequestCanceled)
_TRANSPORT_ERRORS = (OSError, http.client.HTTPException, ExpatError)


def _fault_text(fault: vmodl.MethodFault) -> str:
    message = getattr(fault, "msg", None) or ""
    name = type(fault).__name__
    return f"{name}: {message}" if message else name


def translate(exc: BaseException, backend: str) -> VcdTpmError:
    """The domain error for a fault or transport error raised while talking to `backend`."""
    if isinstance(exc, VcdTpmError):
        return exc
    if isinstance(exc, (vim.fault.InvalidLogin, vim.fault.NotAuthenticated)):
        return Unauthorized(f"{backend} refused the provider account: {_fault_text(exc)}")
    if isinstance(exc, vmodl.fault.ManagedObjectNotFound):
        obj = exc.obj
        kind = getattr(obj, "_wsdlName", "Object")
        return NotFound(kind=kind, id=getattr(obj, "_moId", str(obj)))
    if isinstance(exc, _UNAVAILABLE_FAULTS):
        return BackendUnavailable(backend=backend, reason=_fault_text(exc))
    if isinstance(exc, vmodl.MethodFault):
        return BackendError(backend=backend, reason=_fault_text(exc))
    if isinstance(exc, ssl.SSLError):
        return BackendUnavailable(backend=backend, reason=f"TLS failure: {exc}")
    if isinstance(exc, _TRANSPORT_ERRORS):
        return BackendUnavailable(backend=backend, reason=f"{type(exc).__name__}: {exc}")
    return BackendError(backend=backend, reason=f"{type(exc).__name__}: {exc}")


def translated(method):
    """Decorate an adapter method so nothing but domain errors leaves it."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except VcdTpmError:
            raise
        except Exception as exc:  # the boundary: every SDK or transport error becomes a domain error
            raise translate(exc, f"vCenter {self.name}") from exc

    return wrapper
