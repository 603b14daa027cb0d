"""The values of VMRecord and AdminVMRecord: the VMs a vApp or a template holds that the caller sees."""

from __future__ import annotations

from collections.abc import Iterator

from vcdtpm.domain.model import Power
from vcdtpm.sim.inventory import SimCatalog, SimTemplate, SimVApp, SimVm
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.ids import urn
from vcdtpm.sim.vcd.render_vm import guest_os_name, vm_href

VM_FIELDS = (
    "containerName",
    "container",
    "vdc",
    "vdcName",
    "isVAppTemplate",
    "isDeleted",
    "guestOs",
    "hardwareVersion",
    "status",
    "isDeployed",
    "catalogName",
    "numberOfCpus",
    "memoryMB",
)
ADMIN_VM_FIELDS = (
    "org",
    "vc",
    "moref",
    "datastoreName",
    "hostName",
    "vmNameInVc",
    "encrypted",
    "firmware",
    "tpmPresent",
)


def visible_vms(ctx: RequestContext) -> Iterator[tuple[SimVm, str]]:
    """(VM, org) of each VM a vApp or a template holds, in an org the caller sees."""
    for vm in ctx.inventory.vms.values():
        org = ctx.inventory.vm_org(vm)
        if org is not None and ctx.who.sees(org):
            yield vm, org


def visible_vms_by_id(ctx: RequestContext, ids: frozenset[str]) -> Iterator[tuple[SimVm, str]]:
    """`visible_vms` among the VMs whose URNs are `ids` (lowercased), looked up, not searched for."""
    prefix = "urn:vcloud:vm:"
    for wanted in sorted(ids):
        vm = ctx.inventory.vms.get(wanted[len(prefix) :]) if wanted.startswith(prefix) else None
        org = ctx.inventory.vm_org(vm) if vm is not None else None
        if vm is not None and org is not None and ctx.who.sees(org):
            yield vm, org


def _holder(ctx: RequestContext, vm: SimVm) -> tuple[SimTemplate | SimVApp, str, SimCatalog | None]:
    """The template or vApp holding a listed VM, its href and (for a template) its catalog."""
    inv = ctx.inventory
    if vm.template:
        template = inv.templates[vm.template]
        return template, ctx.hrefs.template(template.id), inv.catalogs.get(template.catalog)
    assert vm.vapp is not None  # visible_vms lists only VMs a vApp or a template holds
    vapp = inv.vapps[vm.vapp]
    return vapp, ctx.hrefs.vapp(vapp.id), None


def vm_values(ctx: RequestContext, vm: SimVm) -> dict:
    holder, container, catalog = _holder(ctx, vm)
    vdc = ctx.inventory.vdcs.get(holder.vdc)
    return dict(
        href=vm_href(ctx, vm),
        id=urn("vm", vm.id),
        name=vm.name,
        containerName=holder.name,
        container=container,
        vdc=ctx.hrefs.vdc(holder.vdc),
        vdcName=vdc.name if vdc else None,
        isVAppTemplate=vm.template is not None,
        isDeleted=False,
        guestOs=guest_os_name(vm.guest_os),
        hardwareVersion=vm.hardware_version,
        status="POWERED_ON" if vm.power == Power.ON else "POWERED_OFF",
        isDeployed=vm.power == Power.ON,
        catalogName=catalog.name if catalog else None,
        numberOfCpus=2,
        memoryMB=4096,
    )


def admin_vm_values(ctx: RequestContext, vm: SimVm, org: str) -> dict:
    """vm_values plus where the VM lives on its vCenter, for the provider."""
    vcenter = ctx.inventory.vcenters.get(vm.vcenter)
    host = vcenter.hosts[0].name if vcenter and vcenter.hosts else None
    return dict(
        **vm_values(ctx, vm),
        org=ctx.hrefs.org(ctx.inventory.orgs[org].id),
        vc=ctx.hrefs.vim_server(vcenter.id) if vcenter else None,
        moref=vm.moref,
        datastoreName=vm.datastore,
        hostName=host,
        vmNameInVc=f"{vm.name} ({vm.id})",
        encrypted=vm.key_id is not None,
        firmware=vm.firmware.value,
        tpmPresent=vm.tpm is not None,
    )
