"""End-to-end fixtures: a fresh simulated cloud per module, with the executor running."""

from __future__ import annotations

import time

import pytest

from api import create_app
from tests.demo import basic
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    """A service on its own demo world (operations change it), executor polling fast."""
    config = Config(data_dir=str(tmp_path_factory.mktemp("e2e")), poll_seconds=0.02, sim_task_delay=0.05)
    wired = bootstrap(config)
    yield wired
    wired.close()


@pytest.fixture(scope="module")
def http(cloud):
    return create_app(use_cases=cloud.use_cases).test_client()


@pytest.fixture(scope="module")
def login(http):
    cache: dict[str, dict] = {}

    def get(user_at_org: str) -> dict:
        if user_at_org not in cache:
            answer = http.post("/api/v1/sessions", headers=basic(user_at_org))
            assert answer.status_code == 201
            cache[user_at_org] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
        return cache[user_at_org]

    return get


def submit(http, headers: dict, body: dict, key: str | None = None):
    extra = {"Idempotency-Key": key} if key else {}
    return http.post("/api/v1/operations", headers={**headers, **extra}, json=body)


def finished(http, headers: dict, location: str, timeout: float = 30.0) -> dict:
    """Follow an operation until it succeeds or fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = http.get(location, headers=headers).get_json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"operation {location} did not finish: {body}")


def run(http, headers: dict, body: dict) -> dict:
    answer = submit(http, headers, body)
    assert answer.status_code == 202, answer.get_json()
    return finished(http, headers, answer.headers["Location"])
