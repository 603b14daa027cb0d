"""REST resource for the vTPM identity audit (`GET /api/v1/tpm-identities`), and its schemas."""

from __future__ import annotations

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.auth import current_session, use_cases
from api.resources import problems_for
from api.schemas import NAME, Bool

blp = Blueprint(
    "tpm_identities",
    __name__,
    url_prefix="/api/v1",
    description="Which VMs share one vTPM identity (and so its secrets), and how the copies came about",
)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"vcloudAuthorization": []}]
problems = problems_for(blp)


class TrueFalse(Bool):
    """A query-string boolean: `true` or `false`, nothing else."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value not in ("true", "false"):
            raise self.make_error("invalid", input=value)
        return value == "true"


class IdentityQuerySchema(Schema):
    shared = TrueFalse(load_default=False, metadata={"description": "only identities held by two VMs or more"})
    org = fields.String(validate=NAME, metadata={"description": "provider only: groups with a VM in this org"})
    vcenter = fields.String(validate=NAME, metadata={"description": "provider only: groups with a VM on this vCenter"})


class MemberSchema(Schema):
    id = fields.String(metadata={"description": "URN of the VM"})
    name = fields.String()
    org = fields.String(metadata={"description": "provider only"})
    vcenter = fields.String(metadata={"description": "provider only"})


class LineageSchema(Schema):
    operation = fields.String()
    operation_id = fields.String()
    time = fields.String(metadata={"description": "when the operation ended (ISO 8601, UTC)"})
    user = fields.String()
    org = fields.String(metadata={"description": "provider only: the org the operation ran in"})
    source = fields.Dict(keys=fields.String(), values=fields.String())
    result = fields.String(metadata={"description": "URN of the member (or of the vApp holding it) it made"})


class IdentityGroupSchema(Schema):
    identity = fields.String(metadata={"description": "sha256 of the vTPM's endorsement-key certificate"})
    vms = fields.List(fields.Nested(MemberSchema), metadata={"description": "the members the caller may see"})
    others = fields.Integer(metadata={"description": "members of other orgs (or not visible to the caller)"})
    lineage = fields.List(fields.Nested(LineageSchema))


class IdentityGroupListSchema(Schema):
    groups = fields.List(fields.Nested(IdentityGroupSchema))


def _dump(group) -> dict:
    """A group with the fields a tenant does not get (None) left out."""
    return {
        "identity": group.identity,
        "vms": [{k: v for k, v in asdict(m).items() if v is not None} for m in group.vms],
        "others": group.others,
        "lineage": [{k: v for k, v in asdict(step).items() if v is not None} for step in group.lineage],
    }


@blp.route("/tpm-identities")
class TpmIdentities(MethodView):
    @blp.arguments(IdentityQuerySchema, location="query")
    @blp.response(200, IdentityGroupListSchema)
    @blp.doc(security=BEARER)
    @problems(400, 401, 403, 503)
    def get(self, query):
        """VMs grouped by vTPM identity: a tenant's own VMs (others counted), or every VM for the provider."""
        groups = use_cases().identities.groups(current_session(), **query)
        return {"groups": [_dump(g) for g in groups]}
