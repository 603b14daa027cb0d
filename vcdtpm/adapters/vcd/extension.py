"""Register vcdtpm in Cloud Director as an external endpoint with an API filter (HTTP API extensibility).

With the provider account, through cloudapi (API 38.1, vCD 10.5.1+), B = https://developer.broadcom.com/xapis/:
- login: POST /cloudapi/1.0.0/sessions/provider (Basic user@System), the JWT in X-VMWARE-VCLOUD-ACCESS-TOKEN;
- trust the service's certificate in the System org: POST/PUT /cloudapi/1.0.0/ssl/trustedCertificates
  (B/vmware-cloud-director-api/v38.0/cloudapi/1.0.0/ssl/trustedCertificates/post: {alias, certificate});
  "In order for VMware Cloud Director to be able to connect to the external endpoint its server certificate has to
  be trusted in VMware Cloud Director's system organization" (cloud-director-extension-standard-library,
  documentation/extensibility-platform/api-extensibility.md);
- the endpoint: /cloudapi/1.0.0/externalEndpoints (B/provider-infrastructure-apis/latest/data-structures/
  ExternalEndpoint: vendor, name, version, enabled, rootUrl; id urn:vcloud:extensionEndpoint:<vendor>:<name>:
  <version>; only a disabled endpoint can be deleted: B/vmware-cloud-director-api/v37.3/cloudapi/1.0.0/
  externalEndpoints/id/delete);
- the filter: /cloudapi/1.0.0/apiFilters (B/provider-infrastructure-apis/latest/data-structures/ApiFilter):
  urlMatcher {urlPattern "/vcdtpm/.*", urlScope EXT_API}, so that /ext-api/vcdtpm/<path> reaches <rootUrl>/<path>.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import requests

from vcdtpm.domain.errors import BackendError, BackendUnavailable, Invalid, Unauthorized

CLOUDAPI = "/cloudapi/1.0.0"
BACKEND = "Cloud Director"


@dataclass(frozen=True)
class ExtensionIdentity:
    """Who the endpoint is in vCD: vendor, name and version are its key (they cannot change after creation)."""

    vendor: str = "vcdtpm"
    name: str = "vcdtpm"
    version: str = "1.0.0"
    url_prefix: str = "vcdtpm"  # /ext-api/<url_prefix>/...
    certificate_alias: str = "vcdtpm-endpoint"

    @property
    def endpoint_id(self) -> str:
        return f"urn:vcloud:extensionEndpoint:{self.vendor}:{self.name}:{self.version}"

    @property
    def url_pattern(self) -> str:
        return f"/{self.url_prefix}/.*"


@dataclass
class CloudApi:
    """A provider session on cloudapi: JSON in and out, vCD's errors as vcdtpm's."""

    base_url: str
    verify: bool | str = True
    api_version: str = "38.1"
    timeout: float = 30.0
    http: requests.Session = field(default_factory=requests.Session)

    def login(self, user: str, password: str) -> None:
        self.http.headers["Accept"] = f"application/json;version={self.api_version}"
        answer = self._send("POST", f"{CLOUDAPI}/sessions/provider", auth=(f"{user}@System", password))
        token = answer.headers.get("X-VMWARE-VCLOUD-ACCESS-TOKEN")
        if not token:
            raise BackendError(backend=BACKEND, reason="the provider login answered no access token")
        self.http.headers["Authorization"] = f"Bearer {token}"

    def logout(self) -> None:
        try:
            self.http.delete(f"{self.base_url}/api/session", verify=self.verify, timeout=self.timeout)
        except requests.RequestException:
            pass  # the session expires by itself

    def get(self, path: str) -> dict | None:
        """The object, or None when vCD answers 404."""
        answer = self._send("GET", path, missing_ok=True)
        return None if answer.status_code == 404 else answer.json()

    def pages(self, path: str) -> Iterator[dict]:
        """Every value of a paged cloudapi list."""
        page, count = 1, 1
        while page <= count:
            body = self._send("GET", f"{path}?page={page}&pageSize=128").json()
            yield from body.get("values", [])
            count, page = body.get("pageCount", 0), page + 1

    def send(self, method: str, path: str, body: dict | None = None) -> dict | None:
        answer = self._send(method, path, json=body)
        return answer.json() if answer.content else None

    def _send(self, method: str, path: str, missing_ok: bool = False, **kwargs) -> requests.Response:
        url = self.base_url.rstrip("/") + path
        try:
            answer = self.http.request(method, url, verify=self.verify, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise BackendUnavailable(backend=BACKEND, reason=type(exc).__name__) from None
        if answer.status_code == 401:
            raise Unauthorized("Cloud Director refused the provider account.")
        if answer.status_code == 404 and missing_ok:
            return answer
        if answer.status_code >= 400:
            raise BackendError(backend=BACKEND, reason=f"{method} {path}: {answer.status_code} {_message(answer)}")
        return answer


def _message(answer: requests.Response) -> str:
    try:
        body = answer.json()
        return f"{body.get('minorErrorCode', '')} {body.get('message', '')}".strip()
    except ValueError:
        return answer.text[:200]


def fetch_certificate(endpoint_url: str, timeout: float = 10.0) -> str:
    """The PEM certificate the endpoint presents (not verified: the operator checks the printed fingerprint)."""
    parts = urlsplit(endpoint_url)
    if parts.hostname is None:
        raise Invalid("endpoint_url", f"{endpoint_url} names no host")
    try:
        return ssl.get_server_certificate((parts.hostname, parts.port or 443), timeout=timeout)
    except (OSError, ssl.SSLError) as exc:
        raise Invalid("endpoint_url", f"no TLS certificate could be read from {endpoint_url} ({exc})") from None


def fingerprint(pem: str) -> str:
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class Registrar:
    """Idempotent registration: each step reads what vCD has, changes only what differs, and says what it did."""

    def __init__(self, api: CloudApi, identity: ExtensionIdentity, say: Callable[[str], None] = print):
        self.api, self.identity, self.say = api, identity, say

    def register(self, endpoint_url: str, certificate_pem: str) -> None:
        validate_endpoint_url(endpoint_url)
        self.trust(certificate_pem)
        self.ensure_endpoint(endpoint_url)
        self.ensure_filter()

    def trust(self, pem: str) -> None:
        pem = ssl.DER_cert_to_PEM_cert(ssl.PEM_cert_to_DER_cert(pem.strip()))
        alias, print_ = self.identity.certificate_alias, fingerprint(pem)
        path = f"{CLOUDAPI}/ssl/trustedCertificates"
        for trusted in self.api.pages(path):
            if _same_certificate(trusted.get("certificate", ""), pem):
                self.say(f"certificate {print_} already trusted (alias {trusted.get('alias')})")
                return
            if str(trusted.get("alias", "")).lower() == alias.lower():
                self.api.send("PUT", f"{path}/{_segment(trusted['id'])}", {"alias": alias, "certificate": pem})
                self.say(f"certificate {print_} trusted, replacing the one under alias {alias}")
                return
        self.api.send("POST", path, {"alias": alias, "certificate": pem})
        self.say(f"certificate {print_} trusted (alias {alias})")

    def ensure_endpoint(self, root_url: str) -> None:
        ident = self.identity
        path = f"{CLOUDAPI}/externalEndpoints/{_segment(ident.endpoint_id)}"
        wanted = {
            "vendor": ident.vendor,
            "name": ident.name,
            "version": ident.version,
            "enabled": True,
            "rootUrl": root_url,
            "description": "vcdtpm: vTPM-aware planning and provisioning",
        }
        current = self.api.get(path)
        if current is None:
            self.api.send("POST", f"{CLOUDAPI}/externalEndpoints", wanted)
            self.say(f"external endpoint {ident.endpoint_id} created: {root_url}")
        elif current.get("rootUrl") != root_url or current.get("enabled") is not True:
            self.api.send("PUT", path, {**wanted, "id": ident.endpoint_id})
            self.say(f"external endpoint {ident.endpoint_id} updated: {current.get('rootUrl')} -> {root_url}")
        else:
            self.say(f"external endpoint {ident.endpoint_id} unchanged: {root_url}")

    def ensure_filter(self) -> None:
        ident = self.identity
        mine = self._filters()
        matcher = {"urlPattern": ident.url_pattern, "urlScope": "EXT_API"}
        if any(f.get("urlMatcher") == matcher for f in mine):
            self.say(f"API filter /ext-api{ident.url_pattern} unchanged")
            return
        body = {"externalSystem": {"id": ident.endpoint_id, "name": ident.name}, "urlMatcher": matcher}
        self.api.send("POST", f"{CLOUDAPI}/apiFilters", body)
        self.say(f"API filter /ext-api{ident.url_pattern} created")

    def unregister(self) -> None:
        ident = self.identity
        for api_filter in self._filters():
            self.api.send("DELETE", f"{CLOUDAPI}/apiFilters/{_segment(api_filter['id'])}")
            self.say(f"API filter {api_filter['id']} removed")
        path = f"{CLOUDAPI}/externalEndpoints/{_segment(ident.endpoint_id)}"
        current = self.api.get(path)
        if current is None:
            self.say(f"external endpoint {ident.endpoint_id} not registered")
            return
        if current.get("enabled"):
            self.api.send("PUT", path, {**current, "enabled": False})  # only a disabled endpoint can be deleted
            self.say(f"external endpoint {ident.endpoint_id} disabled")
        self.api.send("DELETE", path)
        self.say(f"external endpoint {ident.endpoint_id} removed")

    def _filters(self) -> list[dict]:
        return [
            f
            for f in self.api.pages(f"{CLOUDAPI}/apiFilters")
            if (f.get("externalSystem") or {}).get("id") == self.identity.endpoint_id
        ]


def validate_endpoint_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Invalid("endpoint_url", f"{url}: Cloud Director proxies only to an https:// URL")


def _same_certificate(a: str, b: str) -> bool:
    try:
        return ssl.PEM_cert_to_DER_cert(a.strip()) == ssl.PEM_cert_to_DER_cert(b.strip())
    except ValueError:
        return False


def _segment(urn: str) -> str:
    """A URN as one path segment (its colons kept, as vCD writes them)."""
    return quote(urn, safe=":")
