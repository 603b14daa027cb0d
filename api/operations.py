"""REST resources for executing operations: submit, follow, list."""

from __future__ import annotations

from dataclasses import replace

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import current_session, use_cases
from api.resources import BEARER, problems_for
from api.schemas import OperationRequestSchema, PlanDetailArgsSchema, PlanSchema, Strict
from vcdtpm.app.operations import compact_document
from vcdtpm.ports import OperationStatus

blp = Blueprint("operations", __name__, url_prefix="/api/v1", description="Execute operations durably")
problems = problems_for(blp)


class FailureSchema(Schema):
    """Why a step or an operation failed, as a problem: title, detail and the step it failed in."""

    title = fields.String(attribute="summary")
    detail = fields.String(attribute="reason")
    step = fields.String(allow_none=True, metadata={"description": "the name of the step that failed"})
    status = fields.Integer(
        allow_none=True, metadata={"description": "403 when Cloud Director refused for rights the caller's role lacks"}
    )
    rights = fields.List(fields.String(), metadata={"description": "the Cloud Director rights the role lacks"})


class StepSchema(Schema):
    index = fields.Integer()
    name = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"description": "pending | issuing | running | succeeded | failed"})
    progress = fields.Integer()
    task = fields.String(
        allow_none=True,
        metadata={"description": "the Cloud Director task: its href for the provider, its URN for a tenant"},
    )
    result = fields.Dict(allow_none=True)
    error = fields.Nested(FailureSchema, allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class OperationSchema(Schema):
    id = fields.String()
    operation = fields.String()
    status = fields.String(metadata={"description": "queued | running | succeeded | failed"})
    progress = fields.Integer()
    steps = fields.List(fields.Nested(StepSchema))
    result = fields.Dict(allow_none=True)
    error = fields.Nested(FailureSchema, allow_none=True)
    user = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SubmittedOperationSchema(OperationSchema):
    plan = fields.Dict(
        metadata={
            "description": "the plan the operation was accepted on, compact as POST /api/v1/plans answers it "
            "(GET /api/v1/operations/{id}/plan gives it again)"
        }
    )


# Paged as Cloud Director pages its query results: `page` (the first is 1), `pageSize`, `total`
# (https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultRecordsType.html);
# pageSize defaults to 25 and is at most 128, the bounds of Cloud Director's query service.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 25, 128


class OperationPageArgsSchema(Strict):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1))
    pageSize = fields.Integer(
        strict=False, load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )
    status = fields.Enum(OperationStatus, by_value=True, load_default=None)


class OperationListSchema(Schema):
    operations = fields.List(fields.Nested(OperationSchema), metadata={"description": "without their plans"})
    page = fields.Integer()
    pageSize = fields.Integer()
    total = fields.Integer(metadata={"description": "operations in all (of that status, when filtered)"})


def _operations():
    return use_cases().operations


@blp.route("/operations")
class Operations(MethodView):
    @blp.arguments(OperationRequestSchema)
    @blp.response(202, SubmittedOperationSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.doc(
        security=BEARER,
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
            }
        ],
    )
    @problems(400, 401, 403, 404, 409, 413, 422, 503)
    def post(self, operation_request):
        """Plan, then carry the operation out through Cloud Director with the caller's token."""
        view, created = _operations().submit(
            current_session(), operation_request, request.headers.get("Idempotency-Key")
        )
        headers = {"Location": f"/api/v1/operations/{view.id}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return replace(view, plan=compact_document(view.plan)), headers

    @blp.arguments(OperationPageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, OperationListSchema)
    @blp.doc(security=BEARER)
    @problems(401, 422)
    def get(self, page, pageSize, status):
        """One page of the caller's org's operations, newest first, without their plans; `status` filters."""
        views, total = _operations().page(current_session(), page, pageSize, status)
        return {"operations": views, "page": page, "pageSize": pageSize, "total": total}


@blp.route("/operations/<string:op_id>")
class Operation(MethodView):
    @blp.response(200, OperationSchema)
    @blp.doc(security=BEARER)
    @problems(401, 404)
    def get(self, op_id):
        """Status, progress from the Cloud Director tasks, steps and the result URNs (no plan: see /plan)."""
        return _operations().get(current_session(), op_id)


@blp.route("/operations/<string:op_id>/plan")
class OperationPlan(MethodView):
    @blp.arguments(PlanDetailArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PlanSchema)
    @blp.doc(security=BEARER)
    @problems(401, 404, 422)
    def get(self, op_id, detail):
        """The plan the operation was accepted on, compact unless ?detail=full."""
        return jsonify(_operations().plan(current_session(), op_id, full=detail == "full"))
