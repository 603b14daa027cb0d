"""The Flask face of vcdtpm: create_app, problem+json, the OpenAPI document."""

from __future__ import annotations

from flask import Flask, Response
from flask_smorest import Api

from api import backups, docs, edge, identities, operations, problems, tracing
from api.health import health
from api.metrics import METRICS_TOKEN
from api.resources import blp
from api.schemas import ItemSchema, ProblemSchema
from vcdtpm.bootstrap import UseCases


class VcdTpmApi(Api):
    """flask-smorest's Api, documenting errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


API_SETTINGS = {
    "API_TITLE": "vcdtpm",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "API_SPEC_OPTIONS": {
        "info": {"description": "Plan and provision VMware Cloud Director VMs that carry a virtual TPM."},
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "vcloudAuthorization": {"type": "apiKey", "in": "header", "name": "x-vcloud-authorization"},
                "basicAuth": {"type": "http", "scheme": "basic"},
            }
        },
    },
}


def create_app(test_config: dict | None = None, use_cases: UseCases | None = None) -> Flask:
    """The WSGI app. Without `use_cases`, bootstrap wires them from the configuration."""
    app = Flask("vcdtpm")
    app.config.update(API_SETTINGS)
    app.config.update(docs.SETTINGS)
    if test_config:
        app.config.update(test_config)
    if use_cases is None:
        from vcdtpm.bootstrap import bootstrap
        from vcdtpm.config import load_config

        config = load_config(app.config.get("VCDTPM_CONFIG"))
        app.config.setdefault(METRICS_TOKEN, config.metrics_token)
        use_cases = bootstrap(config).use_cases
    app.extensions["vcdtpm"] = use_cases
    api = VcdTpmApi(app)
    api.register_blueprint(blp)
    api.register_blueprint(backups.blp)
    api.register_blueprint(operations.blp)
    api.register_blueprint(identities.blp)
    api.register_blueprint(health)
    problems.install(app)
    tracing.install(app)
    docs.install(app)
    edge.install(app)
    _document_choices(api)

    @app.get("/openapi.yaml")
    def openapi_yaml():
        return Response(api.spec.to_yaml(), mimetype="application/yaml")

    docs.describe(api.spec)
    app.extensions["vcdtpm.api"] = api
    return app


def _document_choices(api: Api) -> None:
    """What a schema checks across its fields, said in the spec too: a compose item is a template or a new VM."""
    api.spec.components.schemas["Item"]["oneOf"] = ItemSchema.ONE_OF


def openapi_document(app: Flask) -> str:
    """The OpenAPI document as YAML, exactly as the service serves it."""
    return app.extensions["vcdtpm.api"].spec.to_yaml()
