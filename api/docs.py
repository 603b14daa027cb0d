"""GET /docs: Swagger UI over the generated spec (/openapi.json), its assets served from the installed
`swagger-ui-bundle` package: the page loads nothing from any other host."""

from __future__ import annotations

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

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


def install(app: Flask) -> None:
    app.add_url_rule(ASSETS + "<path:name>", "docs_asset", _asset)
