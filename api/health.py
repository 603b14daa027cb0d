"""Liveness (/livez, and /healthz as before), readiness (/readyz) and the Prometheus metrics (/metrics)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api import metrics
from api.auth import bearer_token, current_session, use_cases
from api.problems import problem
from api.schemas import HealthSchema, ProblemSchema
from vcdtpm.domain.errors import VcdTpmError

health = Blueprint("health", __name__, description="Liveness, readiness and metrics")
CLOUD_DIRECTOR = "cloud_director"


class Livez(MethodView):
    @health.response(200, HealthSchema)
    def get(self):
        """The process is up: nothing else is asked."""
        return {"status": "ok"}


health.route("/livez")(Livez)
health.route("/healthz", endpoint="Healthz")(Livez)  # the first name of /livez, kept


def _provider_asks() -> bool:
    """Whether the caller is an authenticated provider; anyone else (or a bad token) is anonymous here."""
    if not bearer_token():
        return False
    try:
        return current_session().provider
    except VcdTpmError:
        return False


@health.route("/readyz")
class Readyz(MethodView):
    @health.response(200, HealthSchema)
    @health.alt_response(503, schema=ProblemSchema, content_type="application/problem+json", description="down")
    def get(self):
        """Ready: 200 "ok" when Cloud Director and every vCenter answer, 200 "degraded" when a vCenter does not,
        503 when Cloud Director does not. Backend names only for a provider's token; others get counts."""
        backends = use_cases().planning.ready()
        down = sorted(name for name, state in backends.items() if state != "ok")
        status = "down" if CLOUD_DIRECTOR in down else ("degraded" if down else "ok")
        body: dict = {"status": status, "backends_checked": len(backends), "backends_unavailable": len(down)}
        if _provider_asks():
            body["backends"] = backends
        if status == "down":  # problem+json, whose `status` is the HTTP status
            del body["status"]
            return problem(503, "Cloud Director is unavailable.", "not-ready", **body)
        return body


@health.route("/metrics")
class Metrics(MethodView):
    @health.doc(
        security=[{"bearerAuth": []}],
        responses={
            "200": {
                "description": "Prometheus text exposition (version 0.0.4)",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    @health.alt_response(401, schema=ProblemSchema, content_type="application/problem+json", description="no token")
    @health.alt_response(403, schema=ProblemSchema, content_type="application/problem+json", description="a tenant")
    def get(self):
        """Prometheus metrics, for a provider's token or the configured metrics token (metrics_token_file)."""
        return metrics.exposition()
