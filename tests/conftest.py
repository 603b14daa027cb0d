"""Shared fixtures: the service wired on the simulated cloud (demo world) over real HTTP."""

from __future__ import annotations

import pytest

from api import create_app
from tests.demo import basic
from tests.leaks import TenantAnswers
from tests.smallcloud import build_acting_inventory, build_inventory, served
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config


@pytest.fixture(scope="session")
def tenant_answers_scanned() -> list[int]:
    return [0]


@pytest.fixture(autouse=True)
def no_provider_names_for_tenants(tenant_answers_scanned):
    """Every answer given to a tenant in this test carries no provider name and no backend address."""
    with TenantAnswers() as answers:
        yield answers
    tenant_answers_scanned[0] += answers.scanned
    assert not answers.leaks, "a tenant was shown provider details:\n" + "\n".join(answers.leaks[:10])


@pytest.fixture(scope="session")
def wiring(tmp_path_factory):
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("data"))))
    yield wired
    wired.close()


@pytest.fixture(scope="session")
def app(wiring):
    return create_app(use_cases=wiring.use_cases)


@pytest.fixture()
def client(app):
    return app.test_client()


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


@pytest.fixture(scope="module")
def small_cloud():
    """The small cloud behind a simulated vCD over HTTP, shared by a module's read-only tests."""
    yield from served(build_inventory())


@pytest.fixture
def vcd_url(small_cloud) -> str:
    return small_cloud.url


@pytest.fixture
def fresh_cloud():
    """A fresh small cloud per test (actions change it), tasks completing on the next request."""
    yield from served(build_acting_inventory())
