"""Acting on Cloud Director with the caller's token: one request per step, then its task."""

from __future__ import annotations

from collections.abc import Callable

from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import answers, recovery
from vcdtpm.adapters.vcd.errors import refused, translated
from vcdtpm.adapters.vcd.imports import IMPORT_BUILDERS
from vcdtpm.adapters.vcd.metadata import METADATA_BUILDERS
from vcdtpm.adapters.vcd.requests_for import BUILDERS as REQUEST_BUILDERS
from vcdtpm.adapters.vcd.requests_for import Call
from vcdtpm.domain.errors import Invalid, Unauthorized
from vcdtpm.ports import Session, StepIntent, TaskState

CLIENT_REQUEST_ID = "X-VMWARE-VCLOUD-CLIENT-REQUEST-ID"
BUILDERS = {**REQUEST_BUILDERS, **IMPORT_BUILDERS, **METADATA_BUILDERS}
OVF_UPLOADS = ("create_vapp_from_ovf", "create_template_from_ovf")


class Actions:
    """start / task / find_task of the CloudDirector port, with the caller's own token.

    Each step is one POST (bodies in bodies.py, urls in requests_for.py / imports.py); what
    comes back decides what is journaled and followed (answers.py):

    - 202 + Task (recomposeVApp for copy_vm / move_vm / add_vm_*, moveVApp, createVm,
      instantiateVmFromTemplate, captureVApp, editTrustedPlatformModule): the task's href.
    - 201 + VApp / VAppTemplate embedding its Task (cloneVApp, composeVApp,
      instantiateVAppTemplate, instantiateOvf, importVmAsVApp, importVmAsVAppTemplate):
      the entity's href; `task` follows the Task listed under its Tasks.
    - 201 + CatalogItem (catalog/action/upload): its Entity, the new template, as above.
    - instantiateOvf and catalog upload then PUT the OVF descriptor to the entity's
      File upload:default link (answers.upload_descriptor).

    X-VMWARE-VCLOUD-CLIENT-REQUEST-ID is sent for log correlation; `find_task` finds a
    task by what a TaskRecord carries (recovery.py).
    """

    def __init__(
        self,
        client_for: Callable[[str], Client],
        vcenter_of_vdc: Callable[[str], str],
        catalog_vdc: Callable[[Session, str], str | None],
        provider_run: Callable[[Callable[[Client], TaskState]], TaskState] | None = None,
    ):
        self._client_for = client_for
        self._provider_run = provider_run
        self._vcenter_of_vdc = vcenter_of_vdc
        self._catalog_vdc = catalog_vdc

    def start(self, session: Session, kind: str, params: dict, request_id: str) -> str:
        client = self._client_for(session.token)
        url, body, media_type = self._request(session, client, kind, params, request_id)
        with refused("Object", url):
            answer = client.post_resource(url, body, media_type, extra_headers={CLIENT_REQUEST_ID: request_id})
        handle, entity = answers.handle_of(client, answer)
        if kind in OVF_UPLOADS:
            answers.upload_descriptor(client, entity, params["ovf"])
        return handle

    def _request(self, session: Session, client: Client, kind: str, params: dict, request_id: str):
        builder = BUILDERS.get(kind)
        if builder is None:
            raise Invalid("kind", f"'{kind}' is not a Cloud Director action")
        call = Call(client, client.get_api_uri(), dict(params), request_id=request_id[:8])
        if kind in IMPORT_BUILDERS:
            self._place_import(session, call)
        return builder(call)

    def _place_import(self, session: Session, call: Call) -> None:
        """An import lands on the VDC named (or the catalog's), on the vCenter backing it."""
        catalog = call.dst("catalog")
        vdc = call.dst("vdc") or (self._catalog_vdc(session, catalog) if catalog else None)
        if not vdc:
            raise Invalid("target.catalog", "has no VDC to import into")
        call.vdc, call.vcenter = vdc, self._vcenter_of_vdc(vdc)

    def task(self, session: Session, href: str) -> TaskState:
        """The task's state, read with the tenant's session; once that session has ended (a token
        expires while a long copy runs), read with the provider's, which may read any org's task
        (GET /api/task/{id}: https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/GET-Task.html)."""
        try:
            return self._task_with(self._client_for(session.token), href)
        except Unauthorized:
            if self._provider_run is None:
                raise
        return self._provider_run(lambda client: self._task_with(client, href))

    def _task_with(self, client: Client, href: str) -> TaskState:
        if answers.is_task_href(href):
            with translated("Task", href):
                return answers.task_state(href, client.get_resource(href))
        return self._entity_task(client, href)

    def _entity_task(self, client: Client, href: str) -> TaskState:
        """A new entity's task: the one under its Tasks while it runs; once it has left
        them, the entity's latest TaskRecord (object == its href); else the entity itself."""
        entity = answers.read_entity(client, href)
        running = answers.embedded_task(entity)
        if running is not None:
            return answers.task_state(href, running)
        last = recovery.latest_task(client, [f"object=={recovery.escaped(href)}"])
        if last is not None:
            with translated("Task", last):
                state = answers.task_state(href, client.get_resource(last))
            if state.done:
                return state
        return answers.settled_state(href, entity)

    def find_task(self, session: Session, request_id: str, intent: StepIntent | None = None) -> str | None:
        """The task of a step sent before a crash, by its TaskRecord (recovery.py); without
        an intent there is nothing Cloud Director records to look it up by."""
        if intent is None:
            return None
        client = self._client_for(session.token)
        url, body, _media_type = self._request(session, client, intent.kind, intent.params, request_id)
        return recovery.latest_task(client, recovery.conditions(url, body, session.user, intent.since))
