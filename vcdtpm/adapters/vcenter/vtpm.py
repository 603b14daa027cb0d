"""The vSphere vTPM backup recipe: what is read from a VM, and the spec that re-creates it."""

from __future__ import annotations

import base64
import binascii
import posixpath

from pyVmomi import VmomiSupport, vim

from vcdtpm.adapters.vcenter import facts
from vcdtpm.domain.errors import BackendError, Invalid
from vcdtpm.domain.model import Firmware
from vcdtpm.ports import TpmBackup

BACKUP_PATHS = (
    "name",
    "config.guestId",
    "config.version",
    "config.firmware",
    "config.keyId",
    "config.extraConfig",
    "config.hardware.device",
    "config.files.vmPathName",
    "datastore",
)
NVRAM_PATHS = ("name", "config.files.vmPathName", "config.extraConfig", "datastore")
BUNDLE_KEY = "encryption.bundle"
NVRAM_KEY = "nvram"


def extra_config(values: dict) -> dict[str, str]:
    """The VM's extraConfig as key -> text."""
    return {o.key: str(o.value) for o in values.get("config.extraConfig") or ()}


def nvram_name(values: dict) -> str:
    """The NVRAM file's name as the VM's vmx says: its `nvram` setting (extraConfig), else the
    vmx file's own base name with `.nvram`. Never the display name: a renamed VM keeps its
    files' names."""
    configured = extra_config(values).get(NVRAM_KEY)
    if configured:
        return configured
    vmx = posixpath.basename((values.get("config.files.vmPathName") or "").split("]", 1)[-1].strip())
    if not vmx.endswith(".vmx"):
        raise Invalid("vm", f"{values.get('name', '')} has no vmx path to find its NVRAM file by")
    return vmx[: -len(".vmx")] + ".nvram"


def require_vtpm(values: dict) -> tuple[vim.vm.device.VirtualTPM, vim.encryption.CryptoKeyId]:
    """The VM's vTPM device and keyId; `Invalid` when it has no vTPM or is not encrypted."""
    name = values.get("name", "")
    device = facts.vtpm_of(values.get("config.hardware.device"))
    if device is None:
        raise Invalid("vm", f"{name} has no vTPM to back up")
    key_id = values.get("config.keyId")
    if key_id is None or getattr(key_id, "providerId", None) is None:
        raise Invalid("vm", f"{name} has a vTPM but no keyId: it is not encrypted")
    return device, key_id


def _b64(items) -> list[str]:
    return [base64.b64encode(bytes(item)).decode("ascii") for item in items or ()]


def device_dict(device: vim.vm.device.VirtualTPM) -> dict:
    """The VirtualTPM device as a backup keeps it: JSON-safe, certificates in base64."""
    return {
        "key": device.key,
        "endorsement_key_certificate": _b64(device.endorsementKeyCertificate),
        "endorsement_key_certificate_signing_request": _b64(device.endorsementKeyCertificateSigningRequest),
    }


def backup_of(values: dict, nvram: bytes) -> TpmBackup:
    """The backup of a vTPM VM from its configInfo and its NVRAM file's bytes."""
    device, key_id = require_vtpm(values)
    return TpmBackup(
        vm_name=values.get("name", ""),
        guest_os=values.get("config.guestId") or "",
        hardware_version=facts.hardware_version(values.get("config.version")),
        firmware=values.get("config.firmware") or Firmware.BIOS.value,
        key_provider=key_id.providerId.id if key_id.providerId else "",
        key_id=key_id.keyId or "",
        encryption_bundle=extra_config(values).get(BUNDLE_KEY, ""),
        tpm_device=device_dict(device),
        nvram=bytes(nvram),
        identity=facts.tpm_identity(device) or "",
    )


def _binaries(texts, what: str, backend: str) -> list:
    try:
        return [VmomiSupport.binary(base64.b64decode(t, validate=True)) for t in texts or ()]
    except (TypeError, ValueError, binascii.Error):
        raise BackendError(backend=backend, reason=f"the backup's {what} is not base64") from None


def device_from(tpm_device: dict, backend: str) -> vim.vm.device.VirtualTPM:
    """A new VirtualTPM carrying the backup's endorsement key certificates."""
    certs = _binaries(tpm_device.get("endorsement_key_certificate"), "certificate", backend)
    if not certs:
        raise BackendError(backend=backend, reason="the VirtualTPM device carries no endorsement key certificate")
    requests = _binaries(tpm_device.get("endorsement_key_certificate_signing_request"), "signing request", backend)
    return vim.vm.device.VirtualTPM(
        key=-1, endorsementKeyCertificate=certs, endorsementKeyCertificateSigningRequest=requests
    )


def create_spec(backup: TpmBackup, name: str, datastore: str, backend: str, policy: str) -> vim.vm.ConfigSpec:
    """CreateVM's spec: the backup's keyId and bundle, firmware, guest, version and vTPM device,
    and the encryption storage policy `policy` (a profile id) assigned to the VM."""
    if backup.firmware != Firmware.EFI.value:
        raise BackendError(backend=backend, reason="a VirtualTPM device needs EFI firmware")
    key = vim.encryption.CryptoKeyId(
        keyId=backup.key_id, providerId=vim.encryption.KeyProviderId(id=backup.key_provider)
    )
    extra = [vim.option.OptionValue(key=BUNDLE_KEY, value=backup.encryption_bundle)]
    add = vim.vm.device.VirtualDeviceSpec(operation="add", device=device_from(backup.tpm_device, backend))
    return vim.vm.ConfigSpec(
        name=name,
        guestId=backup.guest_os,
        firmware=backup.firmware,
        version=f"vmx-{backup.hardware_version:02d}",
        files=vim.vm.FileInfo(vmPathName=f"[{datastore}]"),
        crypto=vim.encryption.CryptoSpecEncrypt(cryptoKeyId=key),
        extraConfig=extra if backup.encryption_bundle else [],
        deviceChange=[add],
        vmProfile=[vim.vm.DefinedProfileSpec(profileId=policy)],
    )
