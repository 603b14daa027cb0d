"""The Cloud Director request (url, body, media type) for each kind of step."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import bodies, parse, urns
from vcdtpm.adapters.vcd.bodies import Sourced, VmSpec
from vcdtpm.adapters.vcd.errors import translated
from vcdtpm.app.ovf import read_ovf
from vcdtpm.domain.errors import Invalid, NotFound


def field(obj, key: str, default=None):
    """A value of a params dict or of a request dataclass, enums as their values."""
    value = obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)
    return getattr(value, "value", value)


def vm_spec(vm) -> VmSpec:
    return VmSpec(
        name=field(vm, "name"),
        guest_os=field(vm, "guest_os"),
        firmware=field(vm, "firmware", "efi") or "efi",
        hardware_version=int(field(vm, "hardware_version", 19) or 19),
        tpm=bool(field(vm, "tpm", False)),
    )


def replace_flag(params: dict) -> bool | None:
    """ReplaceTpm: true for replace, false for copy, left out when unset (vCD copies)."""
    mode = field(params, "tpm")
    return None if mode is None else mode == "replace"


@dataclass
class Call:
    """One step being sent: the caller's client, the API root, the step's params, and what the
    adapter works out itself (a short request id for default names; an import's VDC and vCenter)."""

    client: Client
    api: str
    params: dict
    request_id: str = ""
    vdc: str | None = None
    vcenter: str | None = None

    def src(self, key: str) -> str | None:
        return field(self.params.get("source") or {}, key)

    def dst(self, key: str) -> str | None:
        return field(self.params.get("target") or {}, key)

    def href(self, urn: str | None, kind: str, path_kind: str | None = None) -> str:
        if not urn:
            raise Invalid(kind, "is required for this step")
        return urns.href(self.api, path_kind or kind, urns.uuid_of(urn, kind))

    def read(self, href: str, kind: str = "Object", ident: str = ""):
        with translated(kind, ident):
            return self.client.get_resource(href)

    def name_of(self, href: str, kind: str, suffix: str = "") -> str:
        return field(self.params, "name") or self.read(href, kind).get("name") + suffix


def vapp_vm_href(call: Call, vapp_urn: str, vm_name: str) -> str:
    vapp = call.read(call.href(vapp_urn, "vapp"), "vApp", vapp_urn)
    for vm in parse.children_elements(vapp):
        if vm.get("name") == vm_name:
            return vm.get("href")
    raise NotFound(kind="VM", id=f"{vm_name} in {vapp_urn}")


def ovf_name(call: Call) -> str:
    """The entity's name (the OVF's first VM unless named); an OVF that references files is
    refused: this product uploads a descriptor only, and vCD would wait for every file the
    descriptor references (each PUT to its own upload link) before it ever finishes.
    https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-67949F56-5AF3-4B70-8B8B-07E18849A598.html
    """
    ovf = call.params["ovf"]
    systems = read_ovf(ovf)
    if referenced_files(ovf):
        raise Invalid("ovf", "references files (disks); only a self-contained OVF descriptor can be uploaded")
    return field(call.params, "name") or systems[0].name


def referenced_files(ovf: str) -> list[str]:
    root = etree.fromstring(ovf.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    return [f.get(f"{{{bodies.OVF}}}href") for f in root.iterfind(f"{{{bodies.OVF}}}References/{{{bodies.OVF}}}File")]


def sourced_vm(call: Call, kind: str) -> Sourced:
    return Sourced(
        call.href(call.src("vm"), "vm"),
        delete=kind == "move_vm",
        replace_tpm=None if kind == "move_vm" else replace_flag(call.params),
        name=field(call.params, "name"),
    )


Request = tuple[str, object, str]


def _recompose(call: Call, sourced=(), create=()) -> Request:
    url = call.href(call.dst("vapp"), "vapp") + "/action/recomposeVApp"
    return url, bodies.recompose(None, list(sourced), list(create)), bodies.RECOMPOSE


def copy_or_move_vm(kind: str):
    return lambda call: _recompose(call, sourced=[sourced_vm(call, kind)])


def add_vm_to_vapp(call: Call) -> Request:
    return _recompose(call, create=[vm_spec(call.params["vm"])])


def add_vm_from_template(call: Call) -> Request:
    href = call.href(call.src("vm"), "vm", "template_vm")
    return _recompose(call, sourced=[Sourced(href, name=field(call.params, "name"))])


def _vdc_action(call: Call, action: str) -> str:
    return call.href(call.dst("vdc"), "vdc") + f"/action/{action}"


def copy_vapp(call: Call) -> Request:
    """cloneVApp with one SourcedItem per VM of the source vApp, each carrying ReplaceTpm.
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CloneVApp.html
    """
    source = call.href(call.src("vapp"), "vapp")
    vapp = call.read(source, "vApp", call.src("vapp") or "")
    replace = replace_flag(call.params)
    vms = [Sourced(vm.get("href"), replace_tpm=replace) for vm in parse.children_elements(vapp)]
    name = field(call.params, "name") or vapp.get("name") + "-copy"
    return _vdc_action(call, "cloneVApp"), bodies.clone_vapp(name, source, vms), bodies.CLONE


def move_vapp(call: Call) -> Request:
    source = call.href(call.src("vapp"), "vapp")
    return _vdc_action(call, "moveVApp"), bodies.move_vapp(source), bodies.MOVE


def compose_vapp(call: Call) -> Request:
    sourced, create = [], []
    for item in call.params.get("items") or ():
        new = field(item, "new_vm")
        if new:
            create.append(vm_spec(new))
        else:
            sourced.append(Sourced(_template_vm_href(call, field(item, "template"), field(item, "vm"))))
    name = field(call.params, "name") or f"vapp-{call.request_id or 'composed'}"
    return _vdc_action(call, "composeVApp"), bodies.compose(name, sourced, create), bodies.COMPOSE


def _template_vm_href(call: Call, template_urn: str | None, vm_urn: str | None) -> str:
    """The template VM to use: the one named, else the template's first VM."""
    if vm_urn:
        return call.href(vm_urn, "vm", "template_vm")
    template = call.read(call.href(template_urn, "vapptemplate"), "vApp template", template_urn or "")
    vms = parse.children_elements(template)
    if not vms:
        raise NotFound(kind="VM of vApp template", id=template_urn)
    return vms[0].get("href")


def instantiate_vapp_template(call: Call) -> Request:
    source = call.href(call.src("template"), "vapptemplate")
    body = bodies.instantiate_template(call.name_of(source, "vApp template"), source)
    return _vdc_action(call, "instantiateVAppTemplate"), body, bodies.INSTANTIATE


def create_vm_from_template(call: Call) -> Request:
    href = _template_vm_href(call, call.src("template"), call.src("vm"))
    name = call.name_of(href, "VM")
    return (
        _vdc_action(call, "instantiateVmFromTemplate"),
        bodies.instantiate_vm(name, href, name),
        bodies.INSTANTIATE_VM,
    )


def create_vm(call: Call) -> Request:
    return _vdc_action(call, "createVm"), bodies.create_vm(vm_spec(call.params["vm"])), bodies.CREATE_VM


def capture(source_kind: str):
    def build(call: Call) -> Request:
        url = call.href(call.dst("catalog"), "catalog") + "/action/captureVApp"
        copy = field(call.params, "tpm") != "replace"
        if source_kind == "vm":
            name, vapp, vm = _capture_vm_source(call)
            return url, bodies.capture(name, vapp, copy, vm=vm), bodies.CAPTURE
        source = call.href(call.src("vapp"), "vapp")
        return url, bodies.capture(call.name_of(source, "vApp"), source, copy), bodies.CAPTURE

    return build


def _capture_vm_source(call: Call) -> tuple[str, str, str]:
    """(name, parent vApp href, VM href) for capturing one VM.

    captureVApp takes a vApp as Source and captures every VM in it; CaptureVmParams only
    customizes a VM of that vApp, it does not narrow the capture
    (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-CaptureVApp-catalog.html,
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/CaptureVmParamsType.html).
    A standalone VM is captured through its own (hidden) parent vApp, as the terraform
    provider documents (https://registry.terraform.io/providers/vmware/vcd/latest/docs/resources/catalog_vapp_template).
    A VM that shares its vApp with other VMs would drag them into the template, so this
    product refuses it: capture the vApp instead.
    """
    vm_href = call.href(call.src("vm"), "vm")
    vm = call.read(vm_href, "VM", call.src("vm") or "")
    vapp_href = parse.link(vm, "up")
    if vapp_href is None:  # every vApp VM links up to its vApp
        raise Invalid("source.vm", "is in no vApp Cloud Director can capture")
    vapp = call.read(vapp_href, "vApp", call.src("vm") or "")
    mine = urns.from_href(vm_href)
    others = [v.get("name") for v in parse.children_elements(vapp) if urns.from_href(v.get("href")) != mine]
    if others:
        raise Invalid(
            "source.vm",
            f"shares vApp '{vapp.get('name')}' with {', '.join(others)}; Cloud Director captures "
            "a whole vApp, so capture that vApp instead",
        )
    return field(call.params, "name") or vm.get("name"), vapp_href, vm_href


def create_vapp_from_ovf(call: Call) -> Request:
    body = bodies.instantiate_ovf(ovf_name(call))
    return _vdc_action(call, "instantiateOvf"), body, bodies.INSTANTIATE_OVF


def create_template_from_ovf(call: Call) -> Request:
    url = call.href(call.dst("catalog"), "catalog") + "/action/upload"
    return url, bodies.upload_template(ovf_name(call)), bodies.UPLOAD


def edit_tpm(call: Call) -> Request:
    params = call.params
    if field(params, "vm"):
        href = call.href(field(params, "vm"), "vm")
    elif field(params, "vapp"):
        href = vapp_vm_href(call, field(params, "vapp"), field(params, "vm_name"))
    else:
        href = call.href(call.src("vm"), "vm")
    present = field(params, "present")
    return href + "/action/editTrustedPlatformModule", bodies.tpm_section(bool(present)), bodies.TPM_SECTION


def set_tpm(present: bool):
    return lambda call: edit_tpm(Call(call.client, call.api, {**call.params, "present": present}))


BUILDERS = {
    "copy_vm": copy_or_move_vm("copy_vm"),
    "move_vm": copy_or_move_vm("move_vm"),
    "add_vm_to_vapp": add_vm_to_vapp,
    "add_vm_from_template": add_vm_from_template,
    "copy_vapp": copy_vapp,
    "move_vapp": move_vapp,
    "compose_vapp": compose_vapp,
    "instantiate_vapp_template": instantiate_vapp_template,
    "create_vm_from_template": create_vm_from_template,
    "create_vm": create_vm,
    "capture_vapp": capture("vapp"),
    "capture_vm": capture("vm"),
    "create_vapp_from_ovf": create_vapp_from_ovf,
    "create_template_from_ovf": create_template_from_ovf,
    "edit_tpm": edit_tpm,
    "add_tpm": set_tpm(True),
    "remove_tpm": set_tpm(False),
}
