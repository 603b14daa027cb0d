"""Acting on Cloud Director with the caller's token: one request per step, then its Task."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import parse, urns
from vcdtpm.adapters.vcd.errors import refused, translated
from vcdtpm.adapters.vcd.imports import IMPORT_BUILDERS
from vcdtpm.adapters.vcd.metadata import METADATA_BUILDERS
from vcdtpm.adapters.vcd.requests_for import BUILDERS as REQUEST_BUILDERS
from vcdtpm.adapters.vcd.requests_for import Call
from vcdtpm.domain.errors import Invalid
from vcdtpm.ports import Session, TaskState

CLIENT_REQUEST_ID = "X-VMWARE-VCLOUD-CLIENT-REQUEST-ID"
RESULT_KEYS = {"vm": "vm", "vapp": "vapp", "vapptemplate": "template"}
BUILDERS = {**REQUEST_BUILDERS, **IMPORT_BUILDERS, **METADATA_BUILDERS}


class Actions:
    """start / task / find_task of the CloudDirector port, with the caller's own token.

    Each step is one POST (bodies in bodies.py, urls in requests_for.py / imports.py) sent
    with X-VMWARE-VCLOUD-CLIENT-REQUEST-ID; Cloud Director answers 202 with a Task:

    - copy_vm / move_vm / add_vm_to_vapp / add_vm_from_template: vApp .../action/recomposeVApp
      (SourcedItem with sourceDelete for a move, ReplaceTpm when a mode is asked; CreateItem)
    - copy_vapp / move_vapp / compose_vapp / instantiate_vapp_template / create_vm /
      create_vm_from_template / create_vapp_from_ovf: VDC .../action/cloneVApp, moveVApp,
      composeVApp, instantiateVAppTemplate, createVm, instantiateVmFromTemplate, instantiateOvf
    - capture_vapp / capture_vm / create_template_from_ovf: catalog .../action/captureVApp
      (CopyTpmOnInstantiate), .../action/upload
    - import_vm_as_vapp / import_vm_as_template: /api/admin/extension/vimServer/{id}/
      importVmAsVApp, importVmAsVAppTemplate (the VM's moref from .../vmsList)
    - edit_tpm / add_tpm / remove_tpm: VM .../action/editTrustedPlatformModule (TpmSection)

    What a task made is read from its Result/ResultContent (a URN), else from its Owner.
    `find_task` queries `type=task` filtered on `clientRequestId`.
    """

    def __init__(
        self,
        client_for: Callable[[str], Client],
        vcenter_of_vdc: Callable[[str], str],
        catalog_vdc: Callable[[Session, str], str | None],
    ):
        self._client_for = client_for
        self._vcenter_of_vdc = vcenter_of_vdc
        self._catalog_vdc = catalog_vdc

    def start(self, session: Session, kind: str, params: dict, request_id: str) -> str:
        builder = BUILDERS.get(kind)
        if builder is None:
            raise Invalid("kind", f"'{kind}' is not a Cloud Director action")
        client = self._client_for(session.token)
        call = Call(client, client.get_api_uri(), {**params, "_request_id": request_id[:8]})
        if kind in IMPORT_BUILDERS:
            self._place_import(session, call)
        url, body, media_type = builder(call)
        with refused("Object", url):
            task = client.post_resource(url, body, media_type, extra_headers={CLIENT_REQUEST_ID: request_id})
        return task.get("href")

    def _place_import(self, session: Session, call: Call) -> None:
        """An import lands on the VDC named (or the catalog's), on the vCenter backing it."""
        vdc = call.dst("vdc") or self._catalog_vdc(session, call.dst("catalog"))
        if not vdc:
            raise Invalid("target.catalog", "has no VDC to import into")
        call.params.update(_vdc=vdc, _vcenter=self._vcenter_of_vdc(vdc))

    def task(self, session: Session, href: str) -> TaskState:
        with translated("Task", href):
            task = self._client_for(session.token).get_resource(href)
        status = task.get("status")
        error = task.find(parse.q("Error"))
        return TaskState(
            href=href,
            status=status,
            progress=int(parse.text(task, "Progress") or 0),
            error=error.get("message") if error is not None else None,
            result=_result(task) if status == "success" else None,
        )

    def find_task(self, session: Session, request_id: str) -> str | None:
        client = self._client_for(session.token)
        value = quote("".join("\\" + c if c in ";,()=" else c for c in request_id), safe="")
        url = f"{client.get_api_uri()}/query?type=task&format=records&filter=clientRequestId=={value}"
        with translated("Task", request_id):
            records = client.get_resource(url)
        found = parse.records(records, "TaskRecord")
        return found[-1].get("href") if found else None


def _result(task) -> dict | None:
    """What the task made: Result/ResultContent (a URN), else its Owner."""
    content = parse.text(task, "Result", "ResultContent")
    owner = task.find(parse.q("Owner"))
    urn = content or (owner.get("id") if owner is not None else None)
    parts = (urn or "").split(":")
    key = RESULT_KEYS.get(parts[2]) if len(parts) == 4 else None
    return {key: urns.make(parts[2], parts[3])} if key else None
