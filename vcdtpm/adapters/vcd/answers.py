"""What an action's answer is (a Task, a new entity, a CatalogItem) and how its task is followed.

Reference: 202 Accepted carries a Task; 201 Created carries the new object, at Location
(https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-D2B2E6D4-7A92-4D1B-80C0-F32AE0CA3D11.html).
A new VApp / VAppTemplate lists its running task under Tasks (TasksInProgressType,
https://developer.broadcom.com/xapis/vmware-cloud-director-api/37.0/doc/types/TasksInProgressType.html);
catalog/action/upload answers a CatalogItem whose Entity is the new template
(https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-UploadVAppTemplate.html).
"""

from __future__ import annotations

from lxml import etree
from pyvcloud.vcd.client import Client

from vcdtpm.adapters.vcd import parse, urns
from vcdtpm.adapters.vcd.errors import translated
from vcdtpm.domain.errors import BackendError, NotFound
from vcdtpm.ports import TaskState

ENTITIES = ("VApp", "VAppTemplate", "Vm")
RESULT_KEYS = {"vm": "vm", "vapp": "vapp", "vapptemplate": "template"}
UPLOAD_REL = "upload:default"


def is_task_href(href: str) -> bool:
    return "/task/" in href


def handle_of(client: Client, answer) -> tuple[str, object | None]:
    """(what to journal and follow, the new entity if the answer made one)."""
    tag = etree.QName(answer).localname
    if tag == "Task":
        return answer.get("href"), None
    if tag in ENTITIES:
        return answer.get("href"), answer
    if tag == "CatalogItem":
        entity = answer.find(parse.q("Entity"))
        with translated("vApp template", entity.get("href")):
            return entity.get("href"), client.get_resource(entity.get("href"))
    raise BackendError(backend="Cloud Director", reason=f"unexpected answer {tag}")


def upload_descriptor(client: Client, entity, ovf: str) -> None:
    """PUT the OVF descriptor (text/xml) to the entity's File upload:default link (200 OK).
    The File's name is vCD's choice, so the first File with an upload link is taken.
    https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-601FCAFE-B604-4617-AE26-5274893B3700.html
    """
    link = next((href for _name, href in upload_links(entity)), None)
    if link is None:
        raise BackendError(backend="Cloud Director", reason="the new entity offers no OVF upload link")
    descriptor = etree.fromstring(ovf.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    with translated("OVF upload", link, with_message=True):
        client.put_resource(link, descriptor, "text/xml")


def upload_links(entity) -> list[tuple[str, str]]:
    """(file name, upload href) of every File still waiting for its upload."""
    files = entity.find(parse.q("Files"))
    found = []
    for item in files.findall(parse.q("File")) if files is not None else ():
        href = parse.link(item, UPLOAD_REL)
        if href:
            found.append((item.get("name"), href))
    return found


def task_state(href: str, task) -> TaskState:
    status = task.get("status")
    error = task.find(parse.q("Error"))
    return TaskState(
        href=href,
        status=status,
        progress=int(parse.text(task, "Progress") or 0),
        error=error.get("message") if error is not None else None,
        result=result_of(task) if status == "success" else None,
    )


def result_of(task) -> dict | None:
    """What the task made: Result/ResultContent (a URN), else its Owner."""
    content = parse.text(task, "Result", "ResultContent")
    owner = task.find(parse.q("Owner"))
    return result_of_urn(content or (owner.get("id") if owner is not None else None))


def read_entity(client: Client, href: str):
    """The entity, or None when it is gone (a failed creation removes it)."""
    try:
        with translated("Object", href):
            return client.get_resource(href)
    except NotFound:
        return None


def embedded_task(entity):
    tasks = entity.find(parse.q("Tasks")) if entity is not None else None
    return tasks.find(parse.q("Task")) if tasks is not None else None


def settled_state(href: str, entity) -> TaskState:
    """An entity with no task left and no task record found: judged by the entity itself
    (status -1 is FAILED_CREATION, https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/VAppType.html)."""
    if entity is None:
        return TaskState(href, "error", 100, "the new object is gone: Cloud Director removed it after a failure")
    if entity.get("status") == "-1":
        return TaskState(href, "error", 100, "Cloud Director could not create the object")
    if entity.get("status") == "0":
        return TaskState(href, "running", 0)
    urn = entity.get("id") or urns.from_href(href)
    return TaskState(href, "success", 100, None, result_of_urn(urn))


def result_of_urn(urn: str | None) -> dict | None:
    parts = (urn or "").split(":")
    key = RESULT_KEYS.get(parts[2]) if len(parts) == 4 else None
    return {key: urns.make(parts[2], parts[3])} if key else None
