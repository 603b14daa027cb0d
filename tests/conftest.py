"""Shared fixtures: the service wired on the simulated cloud (demo world) over real HTTP."""
from __future__ import annotations

import base64

import pytest

from api import create_app
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config

DEMO = "6b0a5c3e-0000-4000-8000-0000000000"


def urn(kind: str, nn: str) -> str:
    """The URN of a demo-world object by its two-digit number."""
    return f"urn:vcloud:{kind}:{DEMO}{nn}"


@pytest.fixture(scope="session")
def wiring(tmp_path_factory):
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("data"))))
    yield wired
    wired.close()


@pytest.fixture(scope="session")
def app(wiring):
    return create_app(service=wiring.service)


@pytest.fixture()
def client(app):
    return app.test_client()


def basic(user_at_org: str, password: str = "secret") -> dict:
    raw = base64.b64encode(f"{user_at_org}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture(scope="session")
def tokens(app):
    """Bearer headers per user, logged in once through POST /api/v1/sessions."""
    cache: dict[str, dict] = {}

    def get(user_at_org: str) -> dict:
        if user_at_org not in cache:
            answer = app.test_client().post("/api/v1/sessions", headers=basic(user_at_org))
            assert answer.status_code == 201, answer.get_json()
            cache[user_at_org] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
        return cache[user_at_org]
    return get


@pytest.fixture()
def alice(tokens):
    return tokens("alice@acme")


@pytest.fixture()
def gina(tokens):
    return tokens("gina@globex")


@pytest.fixture()
def admin(tokens):
    return tokens("admin@System")
