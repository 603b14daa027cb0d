"""Fixtures: the launcher built once, and one simulated vCenter per API version."""
from __future__ import annotations

import base64
import socket

import pytest

from tests.vcsim.launcher import GoMissing, Vcsim, build
from vcdtpm.adapters.vcenter import PyVmomiVCenter, VCenterConfig

VC7_UUID = "7a7a7a7a-0000-4000-8000-000000000703"
VC8_UUID = "8b8b8b8b-0000-4000-8000-000000000802"
WIN11_EK = b"EK certificate of win11 " + bytes(range(40))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def vc7_config() -> dict:
    return {
        "key_providers": [
            {"name": "kms-std", "type": "standard", "default": True},
            {"name": "nkp-7", "type": "native"},
        ],
        "clone_tpm_policy": "replace",
        "hosts": {"DC0_C0_H0": {"tpm": True, "tpm_version": "2.0"}},
        "datastores": {"LocalDS_0": "ds:///vmfs/volumes/vc7-ds0/"},
        "vms": [
            {"name": "win11", "tpm": True, "ek_cert": _b64(WIN11_EK), "key_provider": "kms-std",
             "key_id": "key-win11"},
            {"name": "rhel9", "guest_id": "rhel9_64Guest", "tpm": True, "power": "on",
             "key_provider": "nkp-7", "key_id": "key-rhel9"},
            {"name": "legacy-bios", "firmware": "bios", "hardware_version": 13,
             "guest_id": "windows9Server64Guest"},
            {"name": "gold-template", "tpm": True, "template": True, "key_provider": "kms-std"},
        ],
    }


def vc8_config() -> dict:
    return {
        "key_providers": [
            {"name": "nkp-8", "type": "native", "default": True, "tpm_hosts_only": True},
            {"name": "hytrust", "type": "standard"},
            {"name": "vta", "type": "trusted"},
        ],
        "clone_tpm_policy": "replace",
        "hosts": {"DC0_C0_H1": {"tpm": True, "tpm_version": "2.0"},
                  "DC0_C0_H2": {"tpm": True, "tpm_version": "1.2"}},
        "datastores": {"LocalDS_0": "ds:///vmfs/volumes/vc8-ds0/"},
        "vms": [
            {"name": "win11", "tpm": True, "key_provider": "nkp-8", "key_id": "key-win11"},
            {"name": "ws2022", "guest_id": "windows2019srvNext_64Guest", "tpm": True,
             "hardware_version": 20, "key_provider": "nkp-8", "key_id": "key-ws2022"},
            {"name": "fleet", "tpm": True, "key_provider": "nkp-8", "count": 4},
        ],
    }


@pytest.fixture(scope="session")
def vcsim_binary():
    """The launcher, built once; the tests skip (visibly) only when Go is not installed."""
    try:
        return build()
    except GoMissing as missing:
        pytest.skip(f"vcsim launcher cannot be built: {missing}")


def _running(binary, api_version: str, uuid: str, config: dict):
    sim = Vcsim(api_version=api_version, instance_uuid=uuid, config=config).start(binary)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="session")
def vcsim7(vcsim_binary):
    """A simulated vCenter 7.0 U3 (API 7.0.3.0)."""
    yield from _running(vcsim_binary, "7.0.3.0", VC7_UUID, vc7_config())


@pytest.fixture(scope="session")
def vcsim8(vcsim_binary):
    """A simulated vCenter 8.0 U2 (API 8.0.2.0)."""
    yield from _running(vcsim_binary, "8.0.2.0", VC8_UUID, vc8_config())


def adapter_for(sim: Vcsim, name: str, **overrides) -> PyVmomiVCenter:
    """A PyVmomiVCenter on a simulated vCenter, verifying TLS against its CA."""
    settings = dict(name=name, url=sim.url, user=sim.user, password=sim.password,
                    ca_bundle=sim.ca_bundle, timeout=30)
    settings.update(overrides)
    return PyVmomiVCenter(VCenterConfig(**settings))


@pytest.fixture(scope="session")
def vc7(vcsim7):
    adapter = adapter_for(vcsim7, "vc-7")
    yield adapter
    adapter.close()


@pytest.fixture(scope="session")
def vc8(vcsim8):
    adapter = adapter_for(vcsim8, "vc-8")
    yield adapter
    adapter.close()


@pytest.fixture(scope="module")
def bare8(vcsim_binary):
    """An 8.x vCenter with no key provider, no TPM host and no clone policy set."""
    sim = Vcsim(api_version="8.0.1.0", instance_uuid="00000000-0000-4000-8000-000000000801",
                config={}).start(vcsim_binary)
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def legacy67(vcsim_binary):
    """A 6.7 U3 vCenter whose crypto manager predates ListKmsClusters."""
    config = {"legacy_kms_api": True,
              "key_providers": [{"name": "old-kms", "type": "standard", "default": True}]}
    sim = Vcsim(api_version="6.7.3", instance_uuid="00000000-0000-4000-8000-000000000673",
                config=config).start(vcsim_binary)
    yield sim
    sim.stop()


def moref(sim: Vcsim, name: str) -> str:
    return sim.vms()[name]["moref"]


def moref(sim: Vcsim, name: str) -> str:
    """The moref of a VM of the simulator, by name."""
    return sim.vms()[name]["moref"]


def last_clone(sim: Vcsim, name: str) -> dict:
    """The last CloneVM_Task request the simulator received for a clone named `name`."""
    return [c for c in sim.clones() if c["name"] == name][-1]


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
