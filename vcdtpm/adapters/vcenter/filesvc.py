"""The HTTP file service (`/folder`): datastore files read and written with the session cookie."""

from __future__ import annotations

import http.client
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote, urlencode

from vcdtpm.adapters.vcenter.config import VCenterConfig
from vcdtpm.adapters.vcenter.session import RoundTrips
from vcdtpm.domain.errors import BackendError, NotFound, Unauthorized

COOKIE_NAME = "vmware_soap_session"
_DATASTORE_PATH = re.compile(r"^\[([^\]]+)\]\s*(.*)$")
_DONE = (200, 201, 204)


@dataclass(frozen=True)
class DatastoreFile:
    """A file of a datastore, addressed as the file service wants it."""

    datacenter: str  # the datacenter's inventory path (dcPath)
    datastore: str  # the datastore's name (dsName)
    path: str  # relative to the datastore's root

    def __str__(self) -> str:
        return f"[{self.datastore}] {self.path}"

    def url(self) -> str:
        query = urlencode({"dcPath": self.datacenter, "dsName": self.datastore})
        return f"/folder/{quote(self.path)}?{query}"


def datastore_name(ds_path: str) -> str | None:
    """The datastore of a `[datastore] path`, None for anything else."""
    match = _DATASTORE_PATH.match(ds_path or "")
    return match.group(1) if match else None


def beside(vm_path_name: str, file_name: str, datacenter: str) -> DatastoreFile:
    """The file `file_name` in the directory of a VM's `[datastore] dir/vm.vmx`; a name that
    is itself a `[datastore] path` stands for itself."""
    own = _DATASTORE_PATH.match(file_name)
    match = own or _DATASTORE_PATH.match(vm_path_name or "")
    if match is None:
        raise NotFound(kind="File", id=f"{file_name} (the VM has no datastore path)")
    store, path = match.group(1), match.group(2).strip()
    if own is None:
        directory = posixpath.dirname(path) if path.endswith(".vmx") else path
        path = posixpath.join(directory, file_name)
    return DatastoreFile(datacenter=datacenter, datastore=store, path=path)


def session_cookie(cookie_header: str) -> str:
    """The `vmware_soap_session` cookie, ready for a Cookie header, from the stub's Set-Cookie."""
    try:
        morsel = SimpleCookie(cookie_header or "").get(COOKIE_NAME)
    except CookieError:
        morsel = None
    return f'{COOKIE_NAME}="{morsel.value}"' if morsel else ""


class FileService:
    """Downloads and uploads over HTTPS with the SOAP session's cookie and TLS trust.

    `cookie` answers the current session cookie; `relogin` makes the SOAP stub
    log in again, and is called once when the file service refuses the cookie.
    """

    def __init__(
        self, config: VCenterConfig, round_trips: RoundTrips, cookie: Callable[[], str], relogin: Callable[[], None]
    ) -> None:
        self._config = config
        self._round_trips = round_trips
        self._cookie = cookie
        self._relogin = relogin

    def download(self, file: DatastoreFile) -> bytes:
        return self._transfer("GET", file, None)

    def upload(self, file: DatastoreFile, data: bytes) -> None:
        self._transfer("PUT", file, data)

    def _transfer(self, method: str, file: DatastoreFile, data: bytes | None) -> bytes:
        status, body = self._send(method, file, data)
        if status == 401:
            self._relogin()
            status, body = self._send(method, file, data)
        if status in _DONE:
            return body
        backend = f"vCenter {self._config.name}"
        if status == 404:
            raise NotFound(kind="File", id=str(file))
        if status in (401, 403):
            raise Unauthorized(f"{backend} refused the file service to the provider account ({status})")
        raise BackendError(backend=backend, reason=f"the file service answered {status} to {method} {file}")

    def _send(self, method: str, file: DatastoreFile, data: bytes | None) -> tuple[int, bytes]:
        host, port, _ = self._config.endpoint()
        headers = {"Cookie": self._cookie()}
        if data is not None:
            headers.update({"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
        connection = http.client.HTTPSConnection(
            host, port, context=self._config.ssl_context(), timeout=self._config.timeout
        )
        try:
            self._round_trips.observe(method)
            connection.request(method, file.url(), body=data, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()
