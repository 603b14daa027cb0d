"""Simulated vCenters for the pyvmomi adapter tests: their configurations and helpers."""

from __future__ import annotations

import base64
import socket

from tests.vcsim.launcher import Vcsim
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
            {"name": "win11", "tpm": True, "ek_cert": _b64(WIN11_EK), "key_provider": "kms-std", "key_id": "key-win11"},
            {
                "name": "rhel9",
                "guest_id": "rhel9_64Guest",
                "tpm": True,
                "power": "on",
                "key_provider": "nkp-7",
                "key_id": "key-rhel9",
            },
            {"name": "legacy-bios", "firmware": "bios", "hardware_version": 13, "guest_id": "windows9Server64Guest"},
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
        "hosts": {"DC0_C0_H1": {"tpm": True, "tpm_version": "2.0"}, "DC0_C0_H2": {"tpm": True, "tpm_version": "1.2"}},
        "datastores": {"LocalDS_0": "ds:///vmfs/volumes/vc8-ds0/"},
        "vms": [
            {"name": "win11", "tpm": True, "key_provider": "nkp-8", "key_id": "key-win11"},
            {
                "name": "ws2022",
                "guest_id": "windows2019srvNext_64Guest",
                "tpm": True,
                "hardware_version": 20,
                "key_provider": "nkp-8",
                "key_id": "key-ws2022",
            },
            {"name": "fleet", "tpm": True, "key_provider": "nkp-8", "count": 4},
        ],
    }


def adapter_for(sim: Vcsim, name: str, **overrides) -> PyVmomiVCenter:
    """A PyVmomiVCenter on a simulated vCenter, verifying TLS against its CA."""
    settings = dict(name=name, url=sim.url, user=sim.user, password=sim.password, ca_bundle=sim.ca_bundle, timeout=30)
    settings.update(overrides)
    return PyVmomiVCenter(VCenterConfig(**settings))


def running(binary, api_version: str, uuid: str, config: dict):
    """A simulated vCenter for the length of a fixture: started, yielded, stopped."""
    sim = Vcsim(api_version=api_version, instance_uuid=uuid, config=config).start(binary)
    try:
        yield sim
    finally:
        sim.stop()


def connected(sim: Vcsim, name: str):
    """A PyVmomiVCenter on `sim` for the length of a fixture, closed afterwards."""
    adapter = adapter_for(sim, name)
    try:
        yield adapter
    finally:
        adapter.close()


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
