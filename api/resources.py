"""REST resources: one MethodView per resource, each a thin call into the service."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_session, use_cases
from api.schemas import (
    KeyProviderListSchema,
    MatrixSchema,
    OperationRequestSchema,
    PlanDetailArgsSchema,
    PlanSchema,
    ProblemSchema,
    RefreshArgsSchema,
    SessionSchema,
    VCenterListSchema,
    VmTpmSchema,
)
from vcdtpm.domain.compact import compact
from vcdtpm.domain.errors import Unauthorized
from vcdtpm.domain.urns import check_urn

blp = Blueprint("v1", __name__, url_prefix="/api/v1", description="Plans and facts for vTPM VMs")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"vcloudAuthorization": []}]


def problems_for(blueprint: Blueprint):
    """A decorator documenting the problem+json answers a view of `blueprint` may give."""

    def problems(*codes):
        def decorate(view):
            for code in codes:
                view = blueprint.alt_response(
                    code,
                    schema=ProblemSchema,
                    content_type="application/problem+json",
                    description=f"problem+json ({code})",
                )(view)
            return view

        return decorate

    return problems


problems = problems_for(blp)


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.response(201, SessionSchema)
    @blp.doc(security=[{"basicAuth": []}])
    @problems(401, 503)
    def post(self):
        """Log in to Cloud Director with HTTP Basic user@org:password."""
        auth = request.authorization
        if auth is None or auth.type != "basic" or not auth.username or "@" not in auth.username:
            raise Unauthorized("HTTP Basic credentials user@org:password are required.")
        user, _, org = auth.username.rpartition("@")
        if not user or not org:
            raise Unauthorized("HTTP Basic credentials user@org:password are required.")
        return use_cases().planning.login(user, org, auth.password or "")


@blp.route("/plans")
class Plans(MethodView):
    @blp.arguments(PlanDetailArgsSchema, location="query", as_kwargs=True)
    @blp.arguments(OperationRequestSchema)
    @blp.response(200, PlanSchema)
    @blp.doc(security=BEARER)
    @problems(400, 401, 403, 404, 413, 422, 503)
    def post(self, operation_request, detail):
        """Dry run: what would happen to each VM's vTPM, and the checks with their remedies:
        compact (per VM the checks that did not pass, once those passing for all), or ?detail=full."""
        plan = use_cases().planning.plan(current_session(), operation_request)
        return plan if detail == "full" else compact(plan)


@blp.route("/matrix")
class Matrix(MethodView):
    @blp.response(200, MatrixSchema)
    @blp.doc(security=BEARER)
    @problems(401)
    def get(self):
        """The copy/replace matrix per operation and vCenter band."""
        current_session()
        return {"rows": use_cases().planning.matrix()}


@blp.route("/vms/<string:vm_id>/tpm")
class VmTpm(MethodView):
    @blp.response(200, VmTpmSchema)
    @blp.doc(security=BEARER)
    @problems(401, 404, 422)
    def get(self, vm_id):
        """A VM's vTPM: present, its identity, and whether one can be added now."""
        check_urn("id", vm_id, "vm")
        return use_cases().planning.vm_tpm(current_session(), vm_id)


@blp.route("/provider/vcenters")
class VCenters(MethodView):
    @blp.arguments(RefreshArgsSchema, location="query")
    @blp.response(200, VCenterListSchema)
    @blp.doc(security=BEARER)
    @problems(401, 403, 422, 503)
    def get(self, args):
        """Provider only: each vCenter's version, band, key providers, clone default, datastores.

        They are kept a while (`facts_cache_seconds`); `?refresh=true` reads them again now."""
        svc = use_cases().planning
        facts = svc.vcenter_facts(current_session(), refresh=args["refresh"])
        return {"vcenters": [svc.describe_vcenter(vc) for vc in facts]}


@blp.route("/provider/key-providers")
class KeyProviders(MethodView):
    @blp.response(200, KeyProviderListSchema)
    @blp.doc(security=BEARER)
    @problems(401, 403, 503)
    def get(self):
        """Provider only: per key-provider name, which vCenters have it (parity)."""
        return {"key_providers": use_cases().planning.key_provider_parity(current_session())}
