"""Read Cloud Director XML (as pyvcloud returns it) into domain values."""

from __future__ import annotations

import re

from vcdtpm.adapters.vcd import urns
from vcdtpm.domain import provenance_record
from vcdtpm.domain.model import Firmware, Power, Provenance, TemplateFacts, TpmMode, VmFacts

VCLOUD = "http://www.vmware.com/vcloud/v1.5"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_RUNNING_STATUSES = {"3", "4"}  # SUSPENDED, POWERED_ON
_RUNNING_RECORDS = {"POWERED_ON", "SUSPENDED"}


def q(tag: str, ns: str = VCLOUD) -> str:
    return "{%s}%s" % (ns, tag)


def text(element, *path: str) -> str | None:
    """The text at a path of v1.5 child tags, or None."""
    node = element
    for tag in path:
        node = node.find(q(tag)) if node is not None else None
    return None if node is None or node.text is None else str(node.text).strip()


def link(element, rel: str, media_type: str | None = None) -> str | None:
    for candidate in element.findall(q("Link")):
        if candidate.get("rel") == rel and (media_type is None or candidate.get("type") == media_type):
            return candidate.get("href")
    return None


def firmware(value: str | None) -> Firmware:
    return Firmware.EFI if (value or "").lower() == "efi" else Firmware.BIOS


def hardware_version(value: str | None) -> int:
    match = re.search(r"(\d+)$", value or "")
    if match is None:
        raise ValueError(f"hardware version {value!r}")
    return int(match.group(1))


def vm_facts(vm) -> VmFacts:
    """A Vm element (standalone or a vApp / template child), tenant facts only."""
    tpm = text(vm, "TrustedPlatformModule", "TpmPresent")
    return VmFacts(
        name=vm.get("name"),
        guest_os=text(vm, "VmSpecSection", "OsType") or "",
        firmware=firmware(text(vm, "VmSpecSection", "Firmware")),
        hardware_version=hardware_version(text(vm, "VmSpecSection", "HardwareVersion")),
        power=Power.ON if vm.get("status") in _RUNNING_STATUSES else Power.OFF,
        tpm_present=(tpm or "").lower() == "true",
        id=vm.get("id") or urns.from_href(vm.get("href")),
    )


def children(entity) -> tuple[VmFacts, ...]:
    holder = entity.find(q("Children"))
    if holder is None:
        return ()
    return tuple(vm_facts(vm) for vm in holder.findall(q("Vm")))


def metadata(element) -> dict[str, str]:
    values = {}
    for entry in element.findall(q("MetadataEntry")):
        key = text(entry, "Key")
        value = text(entry, "TypedValue", "Value")
        if key is not None and value is not None:
            values[key] = value
    return values


def copy_tpm_on_instantiate(records) -> bool | None:
    """copyTpmOnInstantiate of the first VAppTemplateRecord, or None when vCD does not show it."""
    found = records.findall(q("VAppTemplateRecord"))
    value = found[0].get("copyTpmOnInstantiate") if found else None
    return None if value is None else value.strip().lower() == "true"


def template_facts(template, meta: dict[str, str], copy_tpm: bool | None = None) -> TemplateFacts:
    """Provenance as vcdtpm recorded it in the template's metadata (UNKNOWN without it).

    `copy_tpm` is the copyTpmOnInstantiate Cloud Director shows on the template's query record:
    its own word on a captured template, or on one of unknown provenance; an OVF or imported
    template follows its provenance rule."""
    provenance, tpm_mode = provenance_record.read(meta)
    if copy_tpm is not None and provenance in (Provenance.CAPTURED, Provenance.UNKNOWN):
        tpm_mode = TpmMode.COPY if copy_tpm else TpmMode.REPLACE
    return TemplateFacts(
        id=template.get("id") or urns.from_href(template.get("href")),
        name=template.get("name"),
        provenance=provenance,
        tpm_provisioning=tpm_mode,
        vms=children(template),
    )


def admin_vm_facts(record, vcenter: str | None, datastore_url: str | None) -> VmFacts:
    """An AdminVMRecord: placement facts plus what the record says of the VM.

    `guest_os` here is Cloud Director's display name of the guest OS (records do not carry
    the vSphere guest id); get_vm / get_vapp give the guest id.
    """
    return VmFacts(
        name=record.get("name"),
        guest_os=record.get("guestOs") or "",
        firmware=firmware(record.get("firmware")),
        hardware_version=int(record.get("hardwareVersion") or 0),
        power=Power.ON if record.get("status") in _RUNNING_RECORDS else Power.OFF,
        tpm_present=(record.get("tpmPresent") or "").lower() == "true",
        id=urns.from_href(record.get("href")),
        vcenter=vcenter,
        moref=record.get("moref"),
        datastore_url=datastore_url,
    )


def records(result, tag: str) -> list:
    return list(result.findall(q(tag)))


def children_elements(entity) -> list:
    """The Vm elements under an entity's Children."""
    holder = entity.find(q("Children"))
    return list(holder.findall(q("Vm"))) if holder is not None else []
