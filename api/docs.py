"""GET /docs: Swagger UI over the generated spec (/openapi.json), its assets served from the installed
`swagger-ui-bundle` package: the page loads nothing from any other host."""

from __future__ import annotations

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.routing import Rule

ASSETS = "/docs/assets/"
SETTINGS = {
    # flask-smorest serves the spec at /openapi.json and the Swagger UI page at /docs
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # relative to /docs, so the page also works below a path prefix
    "OPENAPI_SWAGGER_UI_URL": "docs/assets/",
    # no badge from the public validator service
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
}


def _asset(name: str):
    return send_from_directory(str(swagger_ui_path), name, max_age=86400)


def _page(description: str, media_type: str) -> dict:
    schema = {"type": "string"} if media_type == "text/html" else {"type": "object"}  # JSON, YAML: the document
    return {
        "get": {
            "tags": ["docs"],
            "summary": description,
            "responses": {"200": {"description": description, "content": {media_type: {"schema": schema}}}},
        }
    }


def describe(spec) -> None:
    """The documentation's own routes in the spec (flask-smorest serves them but does not list them)."""
    spec.tag({"name": "docs", "description": "The API documentation"})
    for path, what, media_type in (
        ("/docs", "The API documentation page (Swagger UI)", "text/html"),
        ("/openapi.json", "This OpenAPI document as JSON", "application/json"),
        ("/openapi.yaml", "This OpenAPI document as YAML", "application/yaml"),
    ):
        spec.path(rule=Rule(path), operations=_page(what, media_type))  # flask-smorest's plugin reads the rule


def install(app: Flask) -> None:
    app.add_url_rule(ASSETS + "<path:name>", "docs_asset", _asset)
