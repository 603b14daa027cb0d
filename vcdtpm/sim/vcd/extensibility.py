"""What the simulated vCD keeps for HTTP API extensibility: external endpoints, API filters, trusted certificates.

References (B = https://developer.broadcom.com/xapis/):
- ExternalEndpoint: B/provider-infrastructure-apis/latest/data-structures/ExternalEndpoint (name, version, vendor,
  enabled, rootUrl required; "The rootUrl must be a valid URL of https protocol"; "The combination of
  vendor-namespace-version must be unique"), B/vmware-cloud-director-api/v38.1/cloudapi/1.0.0/externalEndpoints/id/put
  ("Vendor, name and version cannot be modified"), B/vmware-cloud-director-api/v37.3/cloudapi/1.0.0/externalEndpoints/
  id/delete ("Only disabled endpoints (enabled = false) can be deleted").
- Its id, urn:vcloud:extensionEndpoint:<vendor>:<name>:<version>: the API extensibility guide of
  github.com/vmware/cloud-director-extension-standard-library (documentation/extensibility-platform/
  api-extensibility.md, "Registering a new external endpoint") and terraform-provider-vcd's external endpoint tests.
- ApiFilter and UrlMatcher: B/provider-infrastructure-apis/latest/data-structures/ApiFilter and .../UrlMatcher
  (externalSystem required; urlScope one of API, EXT_API, EXT_UI_PROVIDER, EXT_UI_TENANT; urlPattern a regular
  expression of at most 1024 characters); the extensibility guide: for an external endpoint "The urlPattern must
  end with `.*`", and `/ext-api/custom/get/123` goes to `<rootUrl>/get/123`.
- TrustedCertificate: B/vmware-cloud-director-api/v38.0/cloudapi/1.0.0/ssl/trustedCertificates/post (alias, a
  case-insensitive name; certificate, PEM, "All extraneous whitespace and other information is removed").
"""

from __future__ import annotations

import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd.errors import VcdError

ENDPOINT_SCOPES = ("EXT_API", "EXT_UI_PROVIDER", "EXT_UI_TENANT")
# "The version should follow semantic versioning rules. Versions with pre-release extension are not allowed."
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass
class ExternalEndpoint:
    vendor: str
    name: str
    version: str
    root_url: str
    enabled: bool
    description: str | None = None

    @property
    def id(self) -> str:
        return f"urn:vcloud:extensionEndpoint:{self.vendor}:{self.name}:{self.version}"

    def json(self) -> dict:
        return {
            "name": self.name,
            "id": self.id,
            "version": self.version,
            "vendor": self.vendor,
            "enabled": self.enabled,
            "description": self.description,
            "rootUrl": self.root_url,
        }


@dataclass
class ApiFilter:
    id: str
    system_id: str
    system_name: str
    url_pattern: str
    url_scope: str

    def json(self) -> dict:
        return {
            "id": self.id,
            "externalSystem": {"name": self.system_name, "id": self.system_id},
            "urlMatcher": {"urlPattern": self.url_pattern, "urlScope": self.url_scope},
            "responseContentType": None,
        }


@dataclass
class TrustedCertificate:
    id: str
    alias: str
    certificate: str

    def json(self) -> dict:
        return {"id": self.id, "alias": self.alias, "certificate": self.certificate}


@dataclass
class Extensibility:
    """The three collections, guarded by one lock (the ext-api proxy reads them outside the inventory lock)."""

    endpoints: dict[str, ExternalEndpoint] = field(default_factory=dict)
    filters: dict[str, ApiFilter] = field(default_factory=dict)
    certificates: dict[str, TrustedCertificate] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- external endpoints ---------------------------------------------------------------------
    def endpoint(self, id_: str) -> ExternalEndpoint:
        found = self.endpoints.get(id_)
        if found is None:
            raise errors.not_found(f"/cloudapi/1.0.0/externalEndpoints/{id_}")
        return found

    def create_endpoint(self, body: dict) -> ExternalEndpoint:
        endpoint = ExternalEndpoint(
            vendor=_text(body, "vendor"),
            name=_text(body, "name"),
            version=_text(body, "version"),
            root_url=_https_url(body),
            enabled=_bool(body, "enabled"),
            description=_optional_text(body, "description"),
        )
        if not _SEMVER.match(endpoint.version):
            raise errors.bad_request(f"version: {endpoint.version} is not a semantic version without pre-release.")
        if endpoint.id in self.endpoints:
            raise _duplicate(f"An external endpoint {endpoint.vendor}:{endpoint.name}:{endpoint.version} exists.")
        self.endpoints[endpoint.id] = endpoint
        return endpoint

    def update_endpoint(self, id_: str, body: dict) -> ExternalEndpoint:
        endpoint = self.endpoint(id_)
        for key, current in (("vendor", endpoint.vendor), ("name", endpoint.name), ("version", endpoint.version)):
            if _text(body, key) != current:
                raise errors.bad_request(f"{key} of an external endpoint cannot be modified.")
        endpoint.root_url = _https_url(body)
        endpoint.enabled = _bool(body, "enabled")
        endpoint.description = _optional_text(body, "description")
        return endpoint

    def delete_endpoint(self, id_: str) -> None:
        endpoint = self.endpoint(id_)
        if endpoint.enabled:
            raise errors.bad_request("Only disabled external endpoints (enabled = false) can be deleted.")
        if any(f.system_id == id_ for f in self.filters.values()):
            raise errors.bad_request(f"External endpoint {id_} is referenced by API filters.")
        del self.endpoints[id_]

    # -- API filters ----------------------------------------------------------------------------
    def api_filter(self, id_: str) -> ApiFilter:
        found = self.filters.get(id_)
        if found is None:
            raise errors.not_found(f"/cloudapi/1.0.0/apiFilters/{id_}")
        return found

    def create_filter(self, body: dict) -> ApiFilter:
        api_filter = self._filter_of(body, f"urn:vcloud:apiFilter:{uuid.uuid4()}")
        self.filters[api_filter.id] = api_filter
        return api_filter

    def update_filter(self, id_: str, body: dict) -> ApiFilter:
        self.api_filter(id_)
        self.filters[id_] = self._filter_of(body, id_)
        return self.filters[id_]

    def _filter_of(self, body: dict, id_: str) -> ApiFilter:
        system = body.get("externalSystem")
        if not isinstance(system, dict) or not isinstance(system.get("id"), str):
            raise errors.bad_request("externalSystem: a reference with an id is required.")
        endpoint = self.endpoints.get(system["id"])
        if endpoint is None:
            raise errors.bad_request(f"externalSystem: {system['id']} is not an external system.")
        if body.get("responseContentType") is not None:
            raise errors.bad_request("responseContentType applies to external services only.")
        matcher = body.get("urlMatcher")
        if not isinstance(matcher, dict):
            raise errors.bad_request("urlMatcher is required for an external endpoint.")
        pattern, scope = _text(matcher, "urlPattern"), _text(matcher, "urlScope")
        if scope not in ENDPOINT_SCOPES:
            raise errors.bad_request(f"urlScope: {scope} is not one of {', '.join(ENDPOINT_SCOPES)}.")
        if len(pattern) > 1024 or not pattern.endswith(".*"):
            raise errors.bad_request("urlPattern must end with .* and have at most 1024 characters.")
        try:
            re.compile(pattern)
        except re.error:
            raise errors.bad_request(f"urlPattern: {pattern} is not a regular expression.") from None
        return ApiFilter(id_, endpoint.id, endpoint.name, pattern, scope)

    def route(self, scope: str, path: str) -> tuple[ExternalEndpoint, str] | None:
        """The enabled endpoint a request path (after /ext-api) goes to, and the path it gets there."""
        with self.lock:
            for api_filter in self.filters.values():
                endpoint = self.endpoints.get(api_filter.system_id)
                if endpoint is None or not endpoint.enabled or api_filter.url_scope != scope:
                    continue
                if re.fullmatch(api_filter.url_pattern, path, flags=re.DOTALL):
                    head = re.match(api_filter.url_pattern[:-2], path)
                    rest = path[head.end() :] if head else ""
                    return endpoint, rest
        return None

    # -- trusted certificates -------------------------------------------------------------------
    def certificate(self, id_: str) -> TrustedCertificate:
        found = self.certificates.get(id_)
        if found is None:
            raise errors.not_found(f"/cloudapi/1.0.0/ssl/trustedCertificates/{id_}")
        return found

    def trust(self, body: dict, id_: str | None = None) -> TrustedCertificate:
        alias, pem = _text(body, "alias"), _pem(body)
        for other in self.certificates.values():
            if other.id != id_ and other.alias.lower() == alias.lower():
                raise _duplicate(f"A trusted certificate with alias {alias} exists.")
        certificate = TrustedCertificate(id_ or f"urn:vcloud:trustedCertificate:{uuid.uuid4()}", alias, pem)
        self.certificates[certificate.id] = certificate
        return certificate

    def ca_bundle(self) -> str:
        with self.lock:
            return "".join(c.certificate for c in self.certificates.values())


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"{key} is required.")
    return value


def _optional_text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise errors.bad_request(f"{key} must be a string.")
    return value


def _bool(body: dict, key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise errors.bad_request(f"{key} is required (true or false).")
    return value


def _https_url(body: dict) -> str:
    url = _text(body, "rootUrl")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise errors.bad_request(f"rootUrl: {url} is not a valid URL of https protocol.")
    return url


def _pem(body: dict) -> str:
    try:
        return ssl.DER_cert_to_PEM_cert(ssl.PEM_cert_to_DER_cert(_text(body, "certificate").strip()))
    except ValueError:
        raise errors.bad_request("certificate: not a PEM encoded certificate.") from None


def _duplicate(message: str) -> VcdError:
    """A second object under a unique key. Invented: no stored reference shows vCD's minorErrorCode for it."""
    return VcdError(400, "DUPLICATE_NAME", message)
