"""REST resources for executing operations: submit, follow, list."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.auth import current_session, use_cases
from api.resources import BEARER, problems_for
from api.schemas import OperationRequestSchema

blp = Blueprint("operations", __name__, url_prefix="/api/v1", description="Execute operations durably")
problems = problems_for(blp)


class FailureSchema(Schema):
    """Why a step or an operation failed, as a problem: title and detail."""

    title = fields.String(attribute="summary")
    detail = fields.String(attribute="reason")
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
    task = fields.String(allow_none=True, metadata={"description": "the Cloud Director task href"})
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
    plan = fields.Dict(
        metadata={"description": "the plan the operation was accepted on, as POST /api/v1/plans answers it"}
    )
    user = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class OperationListSchema(Schema):
    operations = fields.List(fields.Nested(OperationSchema))


def _operations():
    return use_cases().operations


@blp.route("/operations")
class Operations(MethodView):
    @blp.arguments(OperationRequestSchema)
    @blp.response(202, OperationSchema, headers={"Location": {"schema": {"type": "string"}}})
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
        return view, headers

    @blp.response(200, OperationListSchema)
    @blp.doc(security=BEARER)
    @problems(401)
    def get(self):
        """The caller's org's operations, newest first."""
        return {"operations": _operations().list(current_session())}


@blp.route("/operations/<string:op_id>")
class Operation(MethodView):
    @blp.response(200, OperationSchema)
    @blp.doc(security=BEARER)
    @problems(401, 404)
    def get(self, op_id):
        """Status, progress from the Cloud Director tasks, steps and the result URNs."""
        return _operations().get(current_session(), op_id)
