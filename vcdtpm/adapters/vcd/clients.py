"""pyvcloud Clients: how they are made, the per-token cache and the lazy provider session."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.exceptions import UnauthorizedException

from vcdtpm.adapters.vcd.errors import BACKEND, translated
from vcdtpm.domain.errors import BackendUnavailable, Unauthorized
from vcdtpm.logs import request_id
from vcdtpm.metrics import BACKEND_LATENCY, BACKEND_REQUESTS

T = TypeVar("T")
CLIENT_REQUEST_ID = "X-VMWARE-VCLOUD-CLIENT-REQUEST-ID"
METRICS_BACKEND = "cloud_director"


class TracedClient(Client):
    """pyvcloud's Client, each request counted (vcdtpm_backend_requests_total{backend="cloud_director"}) and
    tagged with the current request id as X-VMWARE-VCLOUD-CLIENT-REQUEST-ID, which Cloud Director writes to
    its logs. An id set by the caller (an operation step's, acting.py) is kept. pyvcloud sends every request,
    the login included, through `Client._do_request_prim` (pyvcloud/vcd/client.py)."""

    def _do_request_prim(self, method, uri, session, *args, extra_headers=None, **kwargs):
        headers = dict(extra_headers or {})
        current = request_id.get()
        if current and CLIENT_REQUEST_ID not in headers:
            headers[CLIENT_REQUEST_ID] = current
        start, outcome = time.perf_counter(), "error"
        try:
            response = super()._do_request_prim(method, uri, session, *args, extra_headers=headers or None, **kwargs)
            outcome = "error" if response.status_code >= 500 else "ok"
            return response
        finally:
            BACKEND_LATENCY.labels(METRICS_BACKEND).observe(time.perf_counter() - start)
            BACKEND_REQUESTS.labels(METRICS_BACKEND, outcome).inc()


@dataclass(frozen=True)
class ClientSettings:
    """How to reach Cloud Director. `verify` is True, False or a CA bundle path."""

    base_url: str
    api_version: str
    verify: bool | str
    log_file: Path

    def new_client(self) -> Client:
        # Requests are logged by URI and status only: no headers, no bodies, so neither
        # tokens nor passwords reach the log file.
        client = TracedClient(
            self.base_url,
            api_version=self.api_version,
            verify_ssl_certs=self.verify,
            log_file=str(self.log_file),
            log_requests=True,
            log_headers=False,
            log_bodies=False,
        )
        logging.getLogger(str(self.log_file)).propagate = False  # its own file, not the console
        return client


class TokenCache:
    """Recently resolved tokens -> (Client, session), for a few seconds, keyed by a hash."""

    def __init__(self, ttl_seconds: float = 60.0, capacity: int = 256):
        self._ttl, self._capacity = ttl_seconds, capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, Client, object]] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> tuple[Client, object] | None:
        key = self._key(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                self._entries.pop(key, None)
                return None
            return entry[1], entry[2]

    def put(self, token: str, client: Client, session: object) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[self._key(token)] = (time.monotonic() + self._ttl, client, session)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


class ProviderClient:
    """The service's own System-org session, opened on first use and reopened once on 401."""

    def __init__(self, settings: ClientSettings, user: str, password: str):
        self._settings, self._user, self._password = settings, user, password
        self._lock = threading.Lock()
        self._client: Client | None = None

    def run(self, call: Callable[[Client], T]) -> T:
        """Run `call` with the provider Client; a 401 means the session expired: log in again
        once, and if Cloud Director still refuses, it is unavailable to the service."""
        client = self._ensure()
        try:
            return call(client)
        except UnauthorizedException:
            with self._lock:
                if self._client is client:
                    self._client = None
        try:
            return call(self._ensure())
        except UnauthorizedException:
            raise BackendUnavailable(backend=BACKEND, reason="the provider session was refused") from None

    def _ensure(self) -> Client:
        with self._lock:
            if self._client is None:
                self._client = self._login()
            return self._client

    def _login(self) -> Client:
        client = self._settings.new_client()
        try:
            with translated("Session"):
                client.set_credentials(BasicLoginCredentials(self._user, "System", self._password))
        except Unauthorized:
            raise BackendUnavailable(backend=BACKEND, reason="the provider account was refused") from None
        return client
