"""Request bodies of Cloud Director actions, in vCD's namespaces and schema element order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

VCLOUD = "http://www.vmware.com/vcloud/v1.5"
VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
NSMAP = {None: VCLOUD, "ovf": OVF}
VMEXT_NSMAP = {"vmext": VMEXT, "vcloud": VCLOUD}

_MEDIA = "application/vnd.vmware.vcloud.{}+xml".format
RECOMPOSE = _MEDIA("recomposeVAppParams")
CLONE = _MEDIA("cloneVAppParams")
MOVE = _MEDIA("moveVAppParams")
COMPOSE = _MEDIA("composeVAppParams")
INSTANTIATE = _MEDIA("instantiateVAppTemplateParams")
# https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateVmTemplateParamsType.html
INSTANTIATE_VM = _MEDIA("instantiateVmTemplateParams")
CREATE_VM = _MEDIA("CreateVmParams")
CAPTURE = _MEDIA("captureVAppParams")
TPM_SECTION = _MEDIA("TpmSection")
INSTANTIATE_OVF = _MEDIA("instantiateOvfParams")
UPLOAD = _MEDIA("uploadVAppTemplateParams")
IMPORT_VAPP = "application/vnd.vmware.admin.importVmAsVAppParams+xml"
IMPORT_TEMPLATE = "application/vnd.vmware.admin.importVmAsVAppTemplateParams+xml"


@dataclass(frozen=True)
class VmSpec:
    name: str
    guest_os: str
    firmware: str = "efi"
    hardware_version: int = 19
    tpm: bool = False


@dataclass(frozen=True)
class Sourced:
    """A SourcedItem: a VM or template VM to copy (or, with `delete`, to move)."""

    href: str
    delete: bool = False
    replace_tpm: bool | None = None
    name: str | None = None


def _root(tag: str, ns: str = VCLOUD, nsmap: dict | None = None, **attrs):
    element = etree.Element("{%s}%s" % (ns, tag), nsmap=nsmap or NSMAP)
    for key, value in attrs.items():
        if value is not None:
            element.set(key, _xs(value))
    return element


def _sub(parent, tag: str, text=None, ns: str = VCLOUD, **attrs):
    element = etree.SubElement(parent, "{%s}%s" % (ns, tag))
    for key, value in attrs.items():
        if value is not None:
            element.set(key, _xs(value))
    if text is not None:
        element.text = _xs(text)
    return element


def _xs(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def sourced_item(parent, item: Sourced) -> None:
    """SourcedCompositionItemParam: Source, VmGeneralParams, ..., ReplaceTpm (API 37.2+) last.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/SourcedCompositionItemParamType.html
    """
    element = _sub(parent, "SourcedItem", sourceDelete=item.delete or None)
    _sub(element, "Source", href=item.href)
    if item.name:
        _sub(_sub(element, "VmGeneralParams"), "Name", item.name)
    if item.replace_tpm is not None:
        _sub(element, "ReplaceTpm", item.replace_tpm)


def vm_type(parent, tag: str, spec: VmSpec) -> None:
    """A VmType (CreateItem / CreateVm): Description, VmSpecSection, TrustedPlatformModule."""
    vm = _sub(parent, tag, name=spec.name)
    _sub(vm, "Description", "")
    section = _sub(vm, "VmSpecSection", Modified=True)
    _sub(section, "Info", "Virtual hardware requirements", ns=OVF)
    _sub(section, "OsType", spec.guest_os)
    _sub(section, "Firmware", spec.firmware)
    _sub(section, "NumCpus", 2)
    _sub(section, "NumCoresPerSocket", 1)
    _sub(_sub(section, "MemoryResourceMb"), "Configured", 4096)
    _sub(section, "HardwareVersion", f"vmx-{spec.hardware_version}")
    _sub(_sub(vm, "TrustedPlatformModule"), "TpmPresent", spec.tpm)


def recompose(name: str | None, sourced: Sequence[Sourced] = (), create: Sequence[VmSpec] = ()):
    element = _root("RecomposeVAppParams", name=name)
    _sub(element, "Description", "")
    for item in sourced:
        sourced_item(element, item)
    for spec in create:
        vm_type(element, "CreateItem", spec)
    _sub(element, "AllEULAsAccepted", True)
    return element


def compose(name: str, sourced: Sequence[Sourced] = (), create: Sequence[VmSpec] = ()):
    element = _root("ComposeVAppParams", name=name, deploy=False, powerOn=False)
    _sub(element, "Description", "")
    for item in sourced:
        sourced_item(element, item)
    for spec in create:
        vm_type(element, "CreateItem", spec)
    _sub(element, "AllEULAsAccepted", True)
    return element


def clone_vapp(name: str, source: str, vms: Sequence[Sourced] = ()):
    """CloneVAppParams (InstantiateVAppParamsType): Description, Source, IsSourceDelete, then
    one SourcedItem per source VM; CloneVAppParams has no TPM child, the TPM intent is each
    SourcedItem's ReplaceTpm.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CloneVAppParamsType.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateVAppParamsType.html
    """
    element = _root("CloneVAppParams", name=name, deploy=False, powerOn=False)
    _sub(element, "Description", "")
    _sub(element, "Source", href=source)
    _sub(element, "IsSourceDelete", False)
    for item in vms:
        sourced_item(element, item)
    return element


def move_vapp(source: str):
    element = _root("MoveVAppParams")
    _sub(element, "Source", href=source)
    return element


def instantiate_template(name: str, source: str):
    element = _root("InstantiateVAppTemplateParams", name=name, deploy=False, powerOn=False)
    _sub(element, "Description", "")
    _sub(element, "Source", href=source)
    _sub(element, "AllEULAsAccepted", True)
    return element


def instantiate_vm(name: str, template_vm: str, vm_name: str):
    """InstantiateVmTemplateParams: Description, SourcedVmTemplateItem (Source, VmGeneralParams),
    AllEULAsAccepted.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateVmTemplateParamsType.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/SourcedVmTemplateParamsType.html
    """
    element = _root("InstantiateVmTemplateParams", name=name, powerOn=False)
    _sub(element, "Description", "")
    item = _sub(element, "SourcedVmTemplateItem")
    _sub(item, "Source", href=template_vm)
    _sub(_sub(item, "VmGeneralParams"), "Name", vm_name)
    _sub(element, "AllEULAsAccepted", True)
    return element


def create_vm(spec: VmSpec):
    element = _root("CreateVmParams", name=spec.name, powerOn=False)
    vm_type(element, "CreateVm", spec)
    return element


def capture(name: str, source: str, copy_tpm: bool, vm: str | None = None):
    """CaptureVAppParams: Description, Source (a vApp), CaptureVmParams (Source = one of its
    VMs), CopyTpmOnInstantiate (37.2+).
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CaptureVAppParamsType.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CaptureVmParamsType.html
    """
    element = _root("CaptureVAppParams", name=name)
    _sub(element, "Description", "")
    _sub(element, "Source", href=source)
    if vm is not None:
        _sub(_sub(element, "CaptureVmParams"), "Source", href=vm)
    _sub(element, "CopyTpmOnInstantiate", copy_tpm)
    return element


def tpm_section(present: bool):
    element = _root("TrustedPlatformModule")
    _sub(element, "TpmPresent", present)
    return element


def instantiate_ovf(name: str):
    """InstantiateOvfParams without the OVF: the descriptor goes to the upload link of the
    VApp vCD answers with.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/InstantiateOvfParamsType.html
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-InstantiateOvf.html
    """
    element = _root("InstantiateOvfParams", name=name, deploy=False, powerOn=False)
    _sub(element, "Description", "")
    _sub(element, "AllEULAsAccepted", True)
    return element


def upload_template(name: str):
    """UploadVAppTemplateParams (Description, VdcStorageProfile): no OVF inside; the
    descriptor goes to the upload link of the template the CatalogItem names.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/UploadVAppTemplateParamsType.html
    """
    element = _root("UploadVAppTemplateParams", name=name, manifestRequired=False)
    _sub(element, "Description", "")
    return element


def import_vm(tag: str, name: str, moref: str, vdc: str, catalog: str | None = None):
    """ImportVmAsVAppParams / ImportVmAsVAppTemplateParams (copy: sourceMove false)."""
    element = _root(tag, ns=VMEXT, nsmap=VMEXT_NSMAP, name=name, sourceMove=False)
    _sub(element, "VmMoRef", moref, ns=VMEXT)
    _sub(element, "Vdc", ns=VMEXT, href=vdc)
    if catalog is not None:
        _sub(element, "Catalog", ns=VMEXT, href=catalog)
    return element
