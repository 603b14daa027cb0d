"""Reads the VMs of an OVF descriptor: guest, firmware, hardware version, vTPM placeholder."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Firmware, VmFacts

OVF_NS = "http://schemas.dmtf.org/ovf/envelope/1"
VMW_NS = "http://www.vmware.com/schema/ovf"
RASD_NS = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
VSSD_NS = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
TPM_SUBTYPE = "vmware.vtpm"


def read_ovf(text: str, field: str = "ovf") -> tuple[VmFacts, ...]:
    """Every VirtualSystem of the descriptor as a new VM; `Invalid` naming `field` if unreadable."""
    try:
        root = ElementTree.fromstring(text, forbid_dtd=True)  # no DOCTYPE at all: no DTD fetched, no entities
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise Invalid(field, f"is not a readable OVF descriptor ({exc.__class__.__name__})") from None
    if root.tag != f"{{{OVF_NS}}}Envelope":
        raise Invalid(field, "is not an OVF Envelope (http://schemas.dmtf.org/ovf/envelope/1)")
    systems = list(root.iter(f"{{{OVF_NS}}}VirtualSystem"))
    if not systems:
        raise Invalid(field, "holds no VirtualSystem")
    return tuple(_system(s, i) for i, s in enumerate(systems))


def _system(system: Element, index: int) -> VmFacts:
    name = _text(system, f"{{{OVF_NS}}}Name") or system.get(f"{{{OVF_NS}}}id") or f"vm-{index + 1}"
    os_section = system.find(f"{{{OVF_NS}}}OperatingSystemSection")
    guest = os_section.get(f"{{{VMW_NS}}}osType") if os_section is not None else None
    hardware = system.find(f"{{{OVF_NS}}}VirtualHardwareSection")
    return VmFacts(
        name=name,
        guest_os=guest or "otherGuest",
        firmware=_firmware(hardware),
        hardware_version=_hardware_version(hardware),
        tpm_present=_has_tpm(hardware),
    )


def _text(node: Element, tag: str) -> str | None:
    child = node.find(tag)
    return child.text.strip() if child is not None and child.text else None


def _firmware(hardware: Element | None) -> Firmware:
    if hardware is not None:
        for config in hardware.iter(f"{{{VMW_NS}}}Config"):
            if config.get(f"{{{VMW_NS}}}key") == "firmware":
                return Firmware.EFI if config.get(f"{{{VMW_NS}}}value") == "efi" else Firmware.BIOS
    return Firmware.BIOS


def _hardware_version(hardware: Element | None) -> int:
    text = _text(hardware, f".//{{{VSSD_NS}}}VirtualSystemType") if hardware is not None else None
    found = re.findall(r"vmx-(\d+)", text or "")
    return max((int(v) for v in found), default=0)


def _has_tpm(hardware: Element | None) -> bool:
    if hardware is None:
        return False
    for item in hardware:
        subtype = _text(item, f"{{{RASD_NS}}}ResourceSubType")
        if subtype and subtype.lower() == TPM_SUBTYPE:
            return True
    return False
