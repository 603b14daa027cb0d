"""OVF uploads: the descriptor and the files it references, PUT to the entity's transfer links.

Flow and statuses as the vCD Programming Guide describes them: the new template (or vApp)
lists `Files/File name="descriptor.ovf"` with a `Link rel="upload:default"`; the client PUTs
the OVF descriptor there (200 OK); then every file the descriptor references appears with its
own upload link and is PUT the same way; the entity's task runs once all are transferred.
https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-4D12BB69-68C8-490A-AFD1-36CC24D1D121.html
https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-601FCAFE-B604-4617-AE26-5274893B3700.html
https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-67949F56-5AF3-4B70-8B8B-07E18849A598.html
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from vcdtpm.app.ovf import read_ovf
from vcdtpm.domain.errors import Invalid
from vcdtpm.sim.vcd import errors
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.rules.placement import VmSpec
from vcdtpm.sim.vcd.tasks import Effect, SimTask

DESCRIPTOR = "descriptor.ovf"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass
class PendingUpload:
    """An entity waiting for its OVF: `effect_for` turns the descriptor's VMs into the task's effect."""

    id: str
    task: SimTask
    effect_for: Callable[[list[VmSpec]], Effect]
    descriptor_done: bool = False
    specs: list[VmSpec] = field(default_factory=list)
    files: dict[str, bool] = field(default_factory=dict)  # referenced file -> transferred

    def href(self, ctx: RequestContext, name: str) -> str:
        return f"{ctx.hrefs.base}/transfer/{self.id}/{name}"

    def render_files(self, ctx: RequestContext, element) -> None:
        """Files (FileType: name, bytesTransferred, Link rel="upload:default") of the entity."""
        holder = x.sub(element, "Files")
        names = [(DESCRIPTOR, self.descriptor_done)] + list(self.files.items())
        for name, done in names:
            item = x.sub(holder, "File", name=name, bytesTransferred=1 if done else 0)
            if not done:
                x.link(item, "upload:default", self.href(ctx, name))

    def receive(self, name: str, data: bytes) -> None:
        if name == DESCRIPTOR and not self.descriptor_done:
            self.specs, self.files = _read_descriptor(data)
            self.descriptor_done = True
        elif self.descriptor_done and name in self.files and not self.files[name]:
            self.files[name] = True
        else:
            raise errors.bad_request(f"Nothing is expected at '{name}' for this upload.")
        if all(self.files.values()):
            self.task.effect, self.task.created = self.effect_for(self.specs), time.monotonic()


def _read_descriptor(data: bytes) -> tuple[list[VmSpec], dict[str, bool]]:
    try:
        envelope = etree.fromstring(data, _PARSER)
        systems = read_ovf(data.decode())
    except (etree.XMLSyntaxError, UnicodeDecodeError, Invalid) as exc:
        raise errors.bad_request(f"The OVF descriptor is not valid: {exc}.") from None
    files = {
        f.get(x.qn(x.OVF, "href")): False
        for f in envelope.iterfind(f"{{{x.OVF}}}References/{{{x.OVF}}}File")
        if f.get(x.qn(x.OVF, "href"))
    }
    specs = [VmSpec(s.name, s.guest_os, s.firmware, s.hardware_version, s.tpm_present) for s in systems]
    return specs, files


def put_file(ctx: RequestContext, upload_id: str, name: str):
    """PUT a descriptor or a referenced file: 200 OK with no body."""
    upload = ctx.sim.uploads.get(upload_id)
    if upload is None or not ctx.who.sees(upload.task.org):
        raise errors.not_found(ctx.request.path)
    upload.receive(name, ctx.request.get_data())
    return ctx.empty(200)


ROUTES = [Route("PUT", "/transfer/<uuid:upload_id>/<name>", put_file, versioned=False)]
