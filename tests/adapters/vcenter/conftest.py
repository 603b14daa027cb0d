"""Fixtures: the vcsim launcher built once, and one simulated vCenter per API version."""

from __future__ import annotations

import pytest

from tests.adapters.vcenter.vcsim import VC7_UUID, VC8_UUID, connected, running, vc7_config, vc8_config
from tests.vcsim.launcher import GoMissing, build


@pytest.fixture(scope="session")
def vcsim_binary():
    """The launcher, built once; the tests skip (visibly) only when Go is not installed."""
    try:
        return build()
    except GoMissing as missing:
        pytest.skip(f"vcsim launcher cannot be built: {missing}")


@pytest.fixture(scope="session")
def vcsim7(vcsim_binary):
    """A simulated vCenter 7.0 U3 (API 7.0.3.0)."""
    yield from running(vcsim_binary, "7.0.3.0", VC7_UUID, vc7_config())


@pytest.fixture(scope="session")
def vcsim8(vcsim_binary):
    """A simulated vCenter 8.0 U2 (API 8.0.2.0)."""
    yield from running(vcsim_binary, "8.0.2.0", VC8_UUID, vc8_config())


@pytest.fixture(scope="session")
def vc7(vcsim7):
    yield from connected(vcsim7, "vc-7")


@pytest.fixture(scope="session")
def vc8(vcsim8):
    yield from connected(vcsim8, "vc-8")


@pytest.fixture(scope="module")
def bare8(vcsim_binary):
    """An 8.x vCenter with no key provider, no TPM host and no clone policy set."""
    yield from running(vcsim_binary, "8.0.1.0", "00000000-0000-4000-8000-000000000801", {})


@pytest.fixture(scope="module")
def legacy67(vcsim_binary):
    """A 6.7 U3 vCenter whose crypto manager predates ListKmsClusters."""
    config = {"legacy_kms_api": True, "key_providers": [{"name": "old-kms", "type": "standard", "default": True}]}
    yield from running(vcsim_binary, "6.7.3", "00000000-0000-4000-8000-000000000673", config)
