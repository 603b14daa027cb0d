"""vCenter version parsing, bands, and "7.0 U2" arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Band

_DOTTED = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+)[a-z]?)?(?:\.\d+)*\s*$", re.IGNORECASE)
_UPDATE = re.compile(r"^\s*(\d+)\.(\d+)(?:\.0)?\s*(?:U|Update\s*)(\d+)[a-z]?\s*$", re.IGNORECASE)
_BAND_ORDER = {Band.V7: 7, Band.V8: 8}


@dataclass(frozen=True, order=True)
class VCenterVersion:
    """A vCenter release: major.minor and its update number (7.0.2 = 7.0 Update 2)."""

    major: int
    minor: int
    update: int = 0

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.update}"

    @property
    def label(self) -> str:
        base = f"{self.major}.{self.minor}"
        return f"{base} U{self.update}" if self.update else base

    @property
    def band(self) -> Band:
        return Band.V8 if (self.major, self.minor) >= (8, 0) else Band.V7


def parse_version(text: str, field: str = "version") -> VCenterVersion:
    """Parse `6.7.0`, `7.0.2`, `7.0.3c`, `7.0 U2`, `7.0 Update 3c`, `8.0.2.00100`."""
    if not isinstance(text, str):
        raise Invalid(field, f"expected a version string such as '8.0.2', got {text!r}")
    match = _DOTTED.match(text) or _UPDATE.match(text)
    if match is None:
        raise Invalid(field, f"'{text}' is not a vCenter version such as '7.0.3' or '7.0 U2'")
    major, minor, update = match.groups()
    return VCenterVersion(int(major), int(minor), int(update or 0))


def band_of(version: str | VCenterVersion) -> Band:
    """The band of a version: 7.x for anything before 8.0, else 8.x."""
    if not isinstance(version, VCenterVersion):
        version = parse_version(version)
    return version.band


def at_least(version: str | VCenterVersion, minimum: VCenterVersion) -> bool:
    """Whether `version` is `minimum` or a later release."""
    if not isinstance(version, VCenterVersion):
        version = parse_version(version)
    return version >= minimum


def lower_band(*bands: Band | None) -> Band | None:
    """The lowest of the given bands, ignoring None; None when none is given."""
    known = [Band(band) for band in bands if band is not None]
    return min(known, key=_BAND_ORDER.__getitem__) if known else None


WINDOWS_MINIMUM = VCenterVersion(6, 7, 0)
LINUX_MINIMUM = VCenterVersion(7, 0, 2)
