"""Fixtures of the Cloud Director adapter tests: an adapter on a fresh small cloud, logged in as alice."""

from __future__ import annotations

import pytest

from tests.adapters.vcd.acting import adapter_for
from tests.smallcloud import PASSWORD


@pytest.fixture
def adapter(fresh_cloud, tmp_path):
    return adapter_for(fresh_cloud, tmp_path / "vcd.log")


@pytest.fixture
def alice_session(adapter):
    """alice@acme's Cloud Director session through the adapter."""
    return adapter.login("alice", "acme", PASSWORD)
