"""How to reach one vCenter: endpoint, provider account and TLS trust."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from vcdtpm.domain.errors import Invalid


@dataclass(frozen=True)
class VCenterConfig:
    """One vCenter as configured by the provider.

    `url` is `https://host[:port][/sdk]` (a bare host name means https and
    /sdk). The password comes from `password` or from the first line of
    `password_file`; it never appears in `repr()` or in any message.
    TLS certificates are verified unless `verify_tls` is False; `ca_bundle`
    names a PEM file of trusted CAs (the system store when unset).
    """

    name: str
    url: str
    user: str
    password: str | None = field(default=None, repr=False)
    password_file: str | None = None
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout: float = 60.0

    @classmethod
    def coerce(cls, config) -> VCenterConfig:
        """A VCenterConfig from itself or from any endpoint record with the same
        attribute names (name, url, user, password, verify_tls, ca_bundle ...)."""
        if isinstance(config, cls):
            return config
        fields = ("password_file", "verify_tls", "ca_bundle", "timeout")
        extra = {f: getattr(config, f) for f in fields if getattr(config, f, None) is not None}
        return cls(
            name=config.name,
            url=config.url,
            user=config.user,
            password=getattr(config, "password", None) or None,
            **extra,
        )

    def _field(self, name: str) -> str:
        return f"vcenters.{self.name}.{name}"

    def secret(self) -> str:
        """The provider account's password."""
        if self.password:
            return self.password
        if not self.password_file:
            raise Invalid(self._field("password"), "set password or password_file")
        try:
            lines = Path(self.password_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise Invalid(self._field("password_file"), f"cannot be read ({exc.strerror})") from None
        if not lines or not lines[0]:
            raise Invalid(self._field("password_file"), "is empty")
        return lines[0]

    def endpoint(self) -> tuple[str, int, str]:
        """(host, port, path) of the SOAP endpoint."""
        raw = self.url if "://" in self.url else f"https://{self.url}"
        parts = urlsplit(raw)
        if parts.scheme != "https" or not parts.hostname:
            raise Invalid(self._field("url"), f"'{self.url}' is not an https:// vCenter address")
        try:
            port = parts.port or 443
        except ValueError:
            raise Invalid(self._field("url"), f"'{self.url}' has an invalid port") from None
        return parts.hostname, port, parts.path.rstrip("/") or "/sdk"

    def ssl_context(self) -> ssl.SSLContext:
        """A context that verifies the server unless verification is turned off."""
        if not self.verify_tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        try:
            return ssl.create_default_context(cafile=self.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise Invalid(self._field("ca_bundle"), f"cannot be loaded ({exc})") from None
