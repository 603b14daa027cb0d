"""One logged-in session to a vCenter: version negotiation, re-login and a round-trip counter."""

from __future__ import annotations

import logging
import threading

from pyVim.connect import SmartStubAdapter, VimSessionOrientedStub
from pyVmomi import vim

from vcdtpm.adapters.vcenter.config import VCenterConfig
from vcdtpm.domain.errors import BackendUnavailable

log = logging.getLogger(__name__)


class RoundTrips:
    """Counts SOAP requests sent to one vCenter (login included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def observe(self, request: bytes | str) -> bytes | str:
        """A pyvmomi request modifier: counts the request and leaves it unchanged."""
        with self._lock:
            self._count += 1
        return request


class Session:
    """Connects on first use; the stub logs in again when the session expires."""

    def __init__(self, config: VCenterConfig, round_trips: RoundTrips) -> None:
        self._config = config
        self._round_trips = round_trips
        self._lock = threading.Lock()
        self._content: vim.ServiceContent | None = None

    def content(self) -> vim.ServiceContent:
        """The service content, read with RetrieveServiceContent (not the property
        cache, which some endpoints return without `cryptoManager`)."""
        with self._lock:
            if self._content is None:
                self._content = self._connect()
            return self._content

    def _connect(self) -> vim.ServiceContent:
        config = self._config
        host, port, path = config.endpoint()
        password = config.secret()
        soap = self._negotiate(host, port, path)
        soap.requestModifierList.append(self._round_trips.observe)

        def login(raw_stub) -> None:
            content = vim.ServiceInstance("ServiceInstance", raw_stub).RetrieveContent()
            manager = content.sessionManager
            assert manager is not None  # every vCenter has one
            manager.Login(config.user, password, None)
            log.info("logged in to vCenter %s as %s", config.name, config.user)

        stub = VimSessionOrientedStub(soap, login, retryDelay=0.1, retryCount=2)
        return vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()

    def _negotiate(self, host: str, port: int, path: str):
        """A SOAP stub speaking the newest API version both sides know."""
        config = self._config
        try:
            return SmartStubAdapter(
                host=host, port=port, path=path, sslContext=config.ssl_context(), httpConnectionTimeout=config.timeout
            )
        except Exception as exc:
            if type(exc) is not Exception:  # pyVim raises a bare Exception for "not a VIM server"
                raise
            raise BackendUnavailable(backend=f"vCenter {config.name}", reason=str(exc)) from None

    def close(self) -> None:
        """Log out (best effort) and forget the session."""
        with self._lock:
            content, self._content = self._content, None
        if content is None:
            return
        try:
            content.sessionManager.Logout()
        except Exception as exc:  # logging out of a session that is gone is not an error
            log.debug("logout from vCenter %s failed: %s", self._config.name, type(exc).__name__)
        content.sessionManager._stub.DropConnections()
