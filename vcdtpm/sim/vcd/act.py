"""What every action shares: reading its params, resolving hrefs, answering a Task or a new entity."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from vcdtpm.sim.inventory import SimTemplate, SimVApp, SimVm
from vcdtpm.sim.vcd import errors, schema
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext
from vcdtpm.sim.vcd.errors import VcdError
from vcdtpm.sim.vcd.rules import access
from vcdtpm.sim.vcd.tasks import Effect, SimTask
from vcdtpm.sim.vcd.views.tasks import task_element

_UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
_SOURCES = (
    ("vm", re.compile(rf"/vApp/vm-{_UUID}$")),
    ("template_vm", re.compile(rf"/vAppTemplate/vm-{_UUID}$")),
    ("vapp", re.compile(rf"/vApp/vapp-{_UUID}$")),
    ("template", re.compile(rf"/vAppTemplate/vappTemplate-{_UUID}$")),
    ("vdc", re.compile(rf"/vdc/{_UUID}$")),
    ("catalog", re.compile(rf"/catalog/{_UUID}$")),
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def body(ctx: RequestContext, tag: str, ns: str = x.VCLOUD):
    """The request's params document, root `tag` in `ns`, checked before any effect: 415 unless the
    Content-Type is the media type of that root, 400 unless the body is valid at the negotiated version."""
    table = schema.load()
    typedef = table.for_root(x.qn(ns, tag))
    assert typedef is not None and typedef.media_type, f"no request schema for {tag}"
    if ctx.request.mimetype != typedef.media_type.lower():
        raise errors.unsupported_media_type(ctx.request.mimetype, typedef.media_type)
    try:
        element = etree.fromstring(ctx.request.get_data(), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.bad_request(f"The request body could not be parsed: {exc}.") from None
    try:
        schema.validate(element, typedef.media_type, ctx.version, table)
    except schema.SchemaViolation as exc:
        raise errors.bad_request(exc.message) from None
    return element


def find(element, tag: str, ns: str = x.VCLOUD):
    return element.find(x.qn(ns, tag))


def required(element, tag: str, ns: str = x.VCLOUD):
    found = find(element, tag, ns)
    if found is None:
        raise errors.bad_request(f"{etree.QName(element).localname}: the element {tag} is required.")
    return found


def text(element, tag: str, ns: str = x.VCLOUD) -> str | None:
    found = find(element, tag, ns)
    return found.text.strip() if found is not None and found.text else None


def refuse_child(element, tag: str, ns: str = x.VCLOUD) -> None:
    """400 as vCD's schema validation answers an element its type does not declare."""
    if find(element, tag, ns) is not None:
        raise errors.bad_request(f"cvc-complex-type.2.4.a: Invalid content was found starting with element '{tag}'.")


def flag(element, tag: str, default: bool | None = None) -> bool | None:
    value = text(element, tag)
    if value is None:
        return default
    if value.lower() not in ("true", "false", "1", "0"):
        raise errors.bad_request(f"{tag} must be an xs:boolean, got '{value}'.")
    return value.lower() in ("true", "1")


def name_of(element) -> str:
    name = (element.get("name") or "").strip()
    if not name:
        raise errors.bad_request(f"{etree.QName(element).localname}: the name attribute is required.")
    return name


def source_href(element) -> tuple[str, str]:
    """(kind, id) of a reference's href: vm, template_vm, vapp, template, vdc or catalog."""
    href = (element.get("href") or "").rstrip("/")
    for kind, pattern in _SOURCES:
        match = pattern.search(href)
        if match:
            return kind, match.group(1).lower()
    raise errors.bad_request(f"The reference '{href}' does not name a supported entity.")


def source_entity(ctx: RequestContext, element) -> tuple[str, SimVm | SimVApp | SimTemplate]:
    """The entity a Source element names, checked for the caller's org (403 otherwise)."""
    kind, id_ = source_href(element)
    lookups: dict[str, Callable[[], SimVm | SimVApp | SimTemplate]] = {
        "vm": lambda: access.vm(ctx, id_),
        "vapp": lambda: access.vapp(ctx, id_),
        "template_vm": lambda: access.vm(ctx, id_, in_template=True),
        "template": lambda: access.template(ctx, id_),
    }
    if kind not in lookups:
        raise errors.bad_request(f"A {kind} cannot be the source here.")
    return kind, lookups[kind]()


def source_vm(
    ctx: RequestContext, element, refusal: str, kinds: tuple[str, ...] = ("vm", "template_vm")
) -> tuple[str, SimVm]:
    """(kind, VM) of a Source that must name a VM of one of `kinds`; 400 `refusal` for another
    entity, once the caller's access to the one named is checked as for any Source."""
    kind, entity = source_entity(ctx, element)
    if kind not in kinds or not isinstance(entity, SimVm):
        raise errors.bad_request(refusal)
    return kind, entity


def source_vapp(ctx: RequestContext, element, refusal: str) -> SimVApp:
    """The vApp a Source must name; 400 `refusal` for another entity (after its access check)."""
    _, entity = source_entity(ctx, element)
    if not isinstance(entity, SimVApp):
        raise errors.bad_request(refusal)
    return entity


def source_template(ctx: RequestContext, element, refusal: str) -> SimTemplate:
    """The vApp template a Source must name; 400 `refusal` for another entity (after its access check)."""
    _, entity = source_entity(ctx, element)
    if not isinstance(entity, SimTemplate):
        raise errors.bad_request(refusal)
    return entity


def start_task(
    ctx: RequestContext,
    operation_name: str,
    operation: str,
    org: str,
    owner: tuple[str, str, str],
    effect: Effect | None,
) -> SimTask:
    """A task that applies `effect` when it completes (None: it waits until given one)."""
    return ctx.sim.tasks.create(
        operation_name=operation_name,
        operation=operation,
        org=org,
        user=ctx.who.user,
        owner=owner,
        effect=effect,
    )


def accepted(
    ctx: RequestContext, operation_name: str, operation: str, org: str, owner: tuple[str, str, str], effect: Effect
) -> object:
    """202 Accepted with the Task and Location: the task, as vCD answers task operations
    (e.g. https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/operations/POST-PowerOffVApp.html).
    """
    task = start_task(ctx, operation_name, operation, org, owner, effect)
    ctx.headers["Location"] = ctx.hrefs.task(task.id)
    return ctx.xml(task_element(ctx, task), x.TASK, status=202)


def created(ctx: RequestContext, href: str, element, media_type: str) -> object:
    """201 Created with the new entity (its running Task under Tasks) and Location: the entity.
    https://docs.vmware.com/en/VMware-Cloud-Director/10.6/VMware-Cloud-Director-API-Programming-Guide/GUID-D2B2E6D4-7A92-4D1B-80C0-F32AE0CA3D11.html
    """
    ctx.headers["Location"] = href
    return ctx.xml(element, media_type, status=201)


def undone_on_failure(effect: Effect, undo: Callable[[], None]) -> Effect:
    """`effect`, removing the entity made up front when the task fails."""

    def run():
        try:
            return effect()
        except VcdError:
            undo()
            raise

    return run
