"""The Vm element (vApp children, template children, GET /api/vApp/vm-{id}) and its TPM section."""

from __future__ import annotations

from vcdtpm.domain.model import Power
from vcdtpm.sim.inventory import SimVm
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.ids import datastore_moref, urn

VMW = "http://www.vmware.com/schema/ovf"
POWERED_ON, POWERED_OFF = 4, 8

# vSphere guest ids -> the display names Cloud Director shows (query records use these).
GUEST_OS_NAMES = {
    "windows7_64Guest": "Microsoft Windows 7 (64-bit)",
    "windows9_64Guest": "Microsoft Windows 10 (64-bit)",
    "windows11_64Guest": "Microsoft Windows 11 (64-bit)",
    "windows8Server64Guest": "Microsoft Windows Server 2012 (64-bit)",
    "windows9Server64Guest": "Microsoft Windows Server 2016 (64-bit)",
    "windows2019srv_64Guest": "Microsoft Windows Server 2019 (64-bit)",
    "windows2019srvNext_64Guest": "Microsoft Windows Server 2022 (64-bit)",
    "rhel8_64Guest": "Red Hat Enterprise Linux 8 (64-bit)",
    "rhel9_64Guest": "Red Hat Enterprise Linux 9 (64-bit)",
    "ubuntu64Guest": "Ubuntu Linux (64-bit)",
    "centos8_64Guest": "CentOS 8 (64-bit)",
    "other3xLinux64Guest": "Other 3.x Linux (64-bit)",
}


def guest_os_name(guest_id: str) -> str:
    return GUEST_OS_NAMES.get(guest_id, guest_id)


def vm_status(vm: SimVm) -> int:
    return POWERED_ON if vm.power == Power.ON else POWERED_OFF


def vm_href(ctx: RequestContext, vm: SimVm) -> str:
    return ctx.hrefs.template_vm(vm.id) if vm.template else ctx.hrefs.vm(vm.id)


def tpm_href(ctx: RequestContext, vm: SimVm) -> str:
    return vm_href(ctx, vm) + "/trustedPlatformModule"


def render_vm(ctx: RequestContext, vm: SimVm):
    element = x.root(
        "Vm",
        nsmap={**x.NSMAP, "vmw": VMW},
        needsCustomization=False,
        nestedHypervisorEnabled=False,
        deployed=vm.power == Power.ON,
        status=vm_status(vm),
        name=vm.name,
        id=urn("vm", vm.id),
        href=vm_href(ctx, vm),
        type=x.VM,
    )
    if ctx.who.provider:
        _vim_info(ctx, element, vm)
    _links(ctx, element, vm)
    x.sub(element, "Description", "")
    _os_section(element, vm)
    x.sub(element, "VAppScopedLocalId", vm.name)
    _spec_section(element, vm)
    boot = x.sub(element, "BootOptions")
    x.sub(boot, "BootDelay", 0)
    x.sub(boot, "EnterBIOSSetup", False)
    element.append(render_tpm(ctx, vm, standalone=False))
    return element


def render_tpm(ctx: RequestContext, vm: SimVm, standalone: bool = True):
    """TrustedPlatformModule (TpmType, API 37.2+): inside a Vm or as its own section."""
    element = x.root("TrustedPlatformModule", href=tpm_href(ctx, vm), type=x.TPM_SECTION)
    if standalone:
        x.link(element, "up", vm_href(ctx, vm), x.VM, vm.name)
    x.sub(element, "TpmPresent", vm.tpm is not None)
    return element


def _links(ctx: RequestContext, element, vm: SimVm) -> None:
    if vm.template:
        x.link(element, "up", ctx.hrefs.template(vm.template), x.VAPP_TEMPLATE)
    else:
        assert vm.vapp is not None  # vCD renders only VMs a vApp or a template holds (see access.vm)
        x.link(element, "up", ctx.hrefs.vapp(vm.vapp), x.VAPP)
    x.link(element, "down", tpm_href(ctx, vm), x.TPM_SECTION)


def _os_section(element, vm: SimVm) -> None:
    section = x.sub(element, "OperatingSystemSection", ns=x.OVF)
    section.set(x.qn(x.OVF, "id"), "1")
    section.set(x.qn(VMW, "osType"), vm.guest_os)
    x.sub(section, "Info", "Specifies the operating system installed", ns=x.OVF)
    x.sub(section, "Description", guest_os_name(vm.guest_os), ns=x.OVF)


def _spec_section(element, vm: SimVm) -> None:
    spec = x.sub(element, "VmSpecSection", Modified=False)
    x.sub(spec, "Info", "The configuration parameters for logical VM", ns=x.OVF)
    x.sub(spec, "OsType", vm.guest_os)
    x.sub(spec, "Firmware", vm.firmware.value)
    x.sub(spec, "NumCpus", 2)
    x.sub(spec, "NumCoresPerSocket", 1)
    memory = x.sub(spec, "MemoryResourceMb")
    x.sub(memory, "Configured", 4096)
    x.sub(spec, "HardwareVersion", f"vmx-{vm.hardware_version}")
    x.sub(spec, "VirtualCpuType", "VM64")
    x.sub(spec, "TimeSyncWithHost", False)


def _vim_info(ctx: RequestContext, element, vm: SimVm) -> None:
    """VCloudExtension/VmVimInfo: the vSphere identity of a VM, shown to the System org only."""
    vcenter = ctx.inventory.vcenters.get(vm.vcenter)
    if vcenter is None:
        return
    extension = x.sub(element, "VCloudExtension", required=False)
    info = x.sub(extension, "VmVimInfo", ns=x.VMEXT)
    _vim_ref(ctx, info, "VmVimObjectRef", vcenter, vm.moref, "VIRTUAL_MACHINE")
    _vim_ref(ctx, info, "DatastoreVimObjectRef", vcenter, datastore_moref(vcenter, vm.datastore), "DATASTORE")
    x.sub(info, "VirtualDisksMaxChainLength", 1, ns=x.VMEXT)


def _vim_ref(ctx: RequestContext, parent, tag: str, vcenter, moref: str, kind: str) -> None:
    ref = x.sub(parent, tag, ns=x.VMEXT)
    x.ref(ref, "VimServerRef", ctx.hrefs.vim_server(vcenter.id), x.VIM_SERVER, vcenter.name, ns=x.VMEXT)
    x.sub(ref, "MoRef", moref, ns=x.VMEXT)
    x.sub(ref, "VimObjectType", kind, ns=x.VMEXT)
