"""vSphere objects read into domain facts: VMs, key providers, hosts and datastores."""

from __future__ import annotations

import hashlib
import re

from pyVmomi import vim

from vcdtpm.domain.model import (
    Datastore,
    Firmware,
    Host,
    KeyProvider,
    KeyProviderType,
    Power,
    VmFacts,
)

VM_PATHS = (
    "name",
    "config.firmware",
    "config.version",
    "config.guestId",
    "runtime.powerState",
    "config.keyId",
    "config.hardware.device",
    "config.files.vmPathName",
)
DATASTORE_PATHS = ("name", "summary.url")
HOST_PATHS = ("name", "capability.tpmSupported", "capability.tpmVersion")

_MANAGEMENT_TYPES = {
    "nativeProvider": KeyProviderType.NATIVE,
    "trustAuthority": KeyProviderType.TRUSTED,
    "vCenter": KeyProviderType.STANDARD,
}
_HARDWARE_VERSION = re.compile(r"^vmx-(\d+)$")
_DATASTORE_PATH = re.compile(r"^\[([^\]]+)\]")


def key_provider(info: vim.encryption.KmipClusterInfo) -> KeyProvider:
    """A key provider from a KMS cluster; providers older than 7.0 are standard KMS."""
    kind = _MANAGEMENT_TYPES.get(getattr(info, "managementType", None) or "vCenter", KeyProviderType.STANDARD)
    return KeyProvider(
        name=info.clusterId.id,
        type=kind,
        default=bool(info.useAsDefault),
        tpm_hosts_only=bool(getattr(info, "tpmRequired", False)),
    )


def host(values: dict) -> Host:
    """A host; it has a TPM when it reports a TPM 2.0 (or a TPM of unknown version)."""
    supported = bool(values.get("capability.tpmSupported"))
    version = values.get("capability.tpmVersion") or ""
    return Host(name=values.get("name", ""), tpm=supported and (not version or version.startswith("2")))


def datastore(values: dict) -> Datastore:
    return Datastore(name=values.get("name", ""), url=values.get("summary.url") or "")


def vtpm_of(devices) -> vim.vm.device.VirtualTPM | None:
    """The VM's virtual TPM device, if any."""
    return next((d for d in devices or () if isinstance(d, vim.vm.device.VirtualTPM)), None)


def tpm_identity(device: vim.vm.device.VirtualTPM | None) -> str | None:
    """`sha256:<hex>` of the endorsement-key certificate: the vTPM's identity."""
    certs = getattr(device, "endorsementKeyCertificate", None) or ()
    if not certs:
        return None
    cert = certs[0]
    return "sha256:" + hashlib.sha256(cert if isinstance(cert, bytes) else bytes(cert)).hexdigest()


def hardware_version(text: str | None) -> int:
    match = _HARDWARE_VERSION.match(text or "")
    return int(match.group(1)) if match else 0


def _home_datastore_url(values: dict, datastore_urls: dict[str, str]) -> str | None:
    match = _DATASTORE_PATH.match(values.get("config.files.vmPathName") or "")
    return datastore_urls.get(match.group(1)) if match else None


def vm(moref: str, values: dict, vcenter: str, datastore_urls: dict[str, str]) -> VmFacts:
    """A VM's facts; `datastore_urls` maps datastore names to URLs."""
    device = vtpm_of(values.get("config.hardware.device"))
    key_id = values.get("config.keyId")
    provider = getattr(getattr(key_id, "providerId", None), "id", None)
    return VmFacts(
        name=values.get("name", ""),
        guest_os=values.get("config.guestId") or "",
        firmware=Firmware.EFI if values.get("config.firmware") == "efi" else Firmware.BIOS,
        hardware_version=hardware_version(values.get("config.version")),
        power=Power.ON if values.get("runtime.powerState") == "poweredOn" else Power.OFF,
        tpm_present=device is not None,
        vcenter=vcenter,
        moref=moref,
        datastore_url=_home_datastore_url(values, datastore_urls),
        key_provider=provider or None,
        tpm_identity=tpm_identity(device),
    )
