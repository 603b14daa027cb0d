"""Bearer / x-vcloud-authorization tokens to Cloud Director sessions."""

from __future__ import annotations

from flask import current_app, g, request

from vcdtpm.bootstrap import UseCases
from vcdtpm.ports import Session


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-vcloud-authorization") or None


def current_session() -> Session:
    """The caller's session; raises Unauthorized when the token is missing or bad."""
    if "session" not in g:
        g.session = use_cases().planning.authenticate(bearer_token())
    return g.session


def use_cases() -> UseCases:
    """The use cases this app was created with."""
    return current_app.extensions["vcdtpm"]
