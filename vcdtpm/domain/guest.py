"""Classify vSphere guest OS ids into a family and whether a vTPM supports them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from vcdtpm.domain.versions import LINUX_MINIMUM, WINDOWS_MINIMUM, VCenterVersion


class GuestFamily(str, enum.Enum):
    """The guest OS families the vTPM rules tell apart."""

    WINDOWS = "windows"
    LINUX = "linux"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class GuestOs:
    """A guest id as the vTPM rules see it."""

    guest_id: str
    family: GuestFamily
    label: str
    vtpm_supported: bool

    @property
    def minimum_vcenter(self) -> VCenterVersion | None:
        """The oldest vCenter that can host this guest with a vTPM, if any can."""
        if not self.vtpm_supported:
            return None
        return WINDOWS_MINIMUM if self.family is GuestFamily.WINDOWS else LINUX_MINIMUM


# Windows 7 and later, Windows Server 2008 and later: the ids vSphere names them by.
_WINDOWS_SUPPORTED = {
    "winlonghornguest": "Windows Server 2008",
    "winlonghorn64guest": "Windows Server 2008 (64-bit)",
    "windows7guest": "Windows 7",
    "windows7_64guest": "Windows 7 (64-bit)",
    "windows7server64guest": "Windows Server 2008 R2",
    "windows8guest": "Windows 8",
    "windows8_64guest": "Windows 8 (64-bit)",
    "windows8server64guest": "Windows Server 2012",
    "windows9guest": "Windows 10",
    "windows9_64guest": "Windows 10 (64-bit)",
    "windows9server64guest": "Windows Server 2016",
    "windows11_64guest": "Windows 11",
    "windows12_64guest": "Windows 12",
    "windows2019srv_64guest": "Windows Server 2019",
    "windows2019srvnext_64guest": "Windows Server 2022",
    "windows2022srvnext_64guest": "Windows Server 2025",
    "windowshypervguest": "Hyper-V Server",
}

# Ids of Linux distributions that do not contain the word "linux".
_LINUX_PREFIXES = (
    "ubuntu",
    "rhel",
    "redhat",
    "centos",
    "debian",
    "sles",
    "suse",
    "opensuse",
    "fedora",
    "mandrake",
    "mandriva",
    "asianux",
    "coreos",
    "flatcar",
    "photon",
    "vmwarephoton",
    "nld",
    "oes",
    "sjds",
    "fusionos",
    "pardus",
)


def classify(guest_id: str | None) -> GuestOs:
    """Classify a vSphere guest id (e.g. `windows2019srv_64Guest`), case-insensitively."""
    text = (guest_id or "").strip()
    key = text.lower()
    if key in _WINDOWS_SUPPORTED:
        return GuestOs(text, GuestFamily.WINDOWS, _WINDOWS_SUPPORTED[key], True)
    if key.startswith("windows"):
        return GuestOs(text, GuestFamily.WINDOWS, "Windows", True)
    if key.startswith("win"):
        return GuestOs(text, GuestFamily.WINDOWS, "Windows before Windows 7 / Server 2008", False)
    if _is_linux(key):
        return GuestOs(text, GuestFamily.LINUX, "Linux", True)
    return GuestOs(text, GuestFamily.UNSUPPORTED, text or "an unknown guest OS", False)


def _is_linux(key: str) -> bool:
    if "linux" in key:
        return True
    return any(key.startswith(prefix) for prefix in _LINUX_PREFIXES)
