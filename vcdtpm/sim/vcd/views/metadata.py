"""vApp template metadata: read it, and merge entries into it (POST .../metadata, answered with a Task).

Cloud Director records nothing on a template about how it was made; the simulated one serves
only what a client wrote through this API (vcdtpm writes `vcdtpm.provenance` and
`vcdtpm.tpm-provisioning` after making a template), plus what a world file says vcdtpm wrote.
Entries are GENERAL-domain (no Domain element): any client that may edit the template may
change them. References: VMware Cloud Director API, POST-UpdateVAppTemplateMetadata and
GET-VAppTemplateMetadata; MetadataType, MetadataEntryType, MetadataStringValue.
"""

from __future__ import annotations

from vcdtpm.sim.vcd import act, errors
from vcdtpm.sim.vcd import roles as R
from vcdtpm.sim.vcd import xmlns as x
from vcdtpm.sim.vcd.context import RequestContext, Route
from vcdtpm.sim.vcd.rules import access

_TYPED = {"MetadataStringValue", "MetadataNumberValue", "MetadataBooleanValue", "MetadataDateTimeValue"}


def get_template_metadata(ctx: RequestContext, template_id: str):
    template = access.template(ctx, template_id)
    href = ctx.hrefs.template(template.id) + "/metadata"
    element = x.root("Metadata", href=href, type=x.METADATA)
    x.link(element, "up", ctx.hrefs.template(template.id), x.VAPP_TEMPLATE)
    x.link(element, "add", href, x.METADATA)
    for key, value in sorted(template.metadata.items()):
        entry = x.sub(element, "MetadataEntry", href=f"{href}/{key}", type=x.METADATA_VALUE)
        x.sub(entry, "Key", key)
        typed = x.sub(entry, "TypedValue")
        typed.set(x.qn(x.XSI, "type"), "MetadataStringValue")
        x.sub(typed, "Value", value)
    return ctx.xml(element, x.METADATA)


def _entries(params) -> dict[str, str]:
    """Key -> value of every MetadataEntry; 400 for an entry without Key or TypedValue/Value."""
    entries = {}
    for entry in params.findall(x.qn(x.VCLOUD, "MetadataEntry")):
        key = act.text(entry, "Key")
        typed = act.find(entry, "TypedValue")
        kind = (typed.get(x.qn(x.XSI, "type")) or "").rpartition(":")[2] if typed is not None else ""
        value = act.text(typed, "Value") if typed is not None else None
        if not key or kind not in _TYPED or value is None:
            raise errors.bad_request("MetadataEntry: Key and a TypedValue with an xsi:type and a Value are required.")
        entries[key] = value
    return entries


def merge_template_metadata(ctx: RequestContext, template_id: str):
    """Merge the request's entries into the template's metadata; 202 with the Task."""
    template = access.template(ctx, template_id)
    entries = _entries(act.body(ctx, "Metadata"))

    def effect():
        template.metadata.update(entries)  # the task makes nothing: its Owner is the template

    owner = ("vapptemplate", template.id, template.name)
    return act.accepted(ctx, "metadataUpdate", f"Updating metadata of {template.name}", template.org, owner, effect)


ROUTES = [
    Route("GET", "/api/vAppTemplate/vappTemplate-<uuid:template_id>/metadata", get_template_metadata),
    Route(
        "POST",
        "/api/vAppTemplate/vappTemplate-<uuid:template_id>/metadata",
        merge_template_metadata,
        rights=(R.EDIT_TEMPLATE,),
    ),
]
