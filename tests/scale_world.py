"""A generated world for scaling measurements: vApps and templates of 1..N vTPM VMs, padded to a VM total."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

VCENTERS = ("vc-a", "vc-b")
SHARED_URL = "ds:///vmfs/volumes/scale-shared/"
_NAMESPACE = uuid.UUID("5ca1e000-0000-4000-8000-000000000000")


def uid(kind: str, name: str) -> str:
    """The fixed id of the world's object of this kind and name."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{name}"))


def urn(kind: str, name: str) -> str:
    return f"urn:vcloud:{kind}:{uid(kind, name)}"


def _vm(name: str) -> dict:
    return {
        "name": name,
        "id": uid("vm", name),
        "guest_os": "windows2019srv_64Guest",
        "tpm": True,
        "key_provider": "kp-gold",
    }


def vm_name(kind: str, size: int, index: int) -> str:
    """`app10-003`: the names vcsim gives `count` copies of a VM named `app10`."""
    return f"{kind}{size}-{index:03d}"


def scale_world(sizes: Sequence[int], total_vms: int = 0) -> dict:
    """A world with, per size N, a vApp `appN` and a captured template `tplN` of N vTPM VMs on vc-a
    (VDC scale-a), a VDC scale-b on vc-b sharing its datastore, a catalog `gold`, and another
    org's vApp of the VMs it takes to reach `total_vms` (so that lookups search a full inventory)."""
    used = 2 * sum(sizes)
    padding = max(0, total_vms - used)
    return {
        "fast_cross_vcenter_instantiation": False,
        "provider": {"users": [{"name": "admin", "password": "secret"}]},
        "vcenters": [_vcenter(name) for name in VCENTERS],
        "orgs": [
            {
                "name": "acme",
                "users": [{"name": "alice", "password": "secret", "role": "vApp Author"}],
                "vdcs": [
                    {"name": "scale-a", "id": uid("vdc", "scale-a"), "vcenter": "vc-a", "datastore": "LocalDS_0"},
                    {"name": "scale-b", "id": uid("vdc", "scale-b"), "vcenter": "vc-b", "datastore": "LocalDS_0"},
                ],
                "catalogs": [
                    {
                        "name": "gold",
                        "id": uid("catalog", "gold"),
                        "templates": [
                            {
                                "name": f"tpl{n}",
                                "id": uid("vapptemplate", f"tpl{n}"),
                                "provenance": "captured",
                                "tpm_provisioning": "copy",
                                "vdc": "scale-a",
                                "vms": [_vm(vm_name("tpl", n, i)) for i in range(n)],
                            }
                            for n in sizes
                        ],
                    }
                ],
                "vapps": [
                    {
                        "name": f"app{n}",
                        "id": uid("vapp", f"app{n}"),
                        "vdc": "scale-a",
                        "vms": [_vm(vm_name("app", n, i)) for i in range(n)],
                    }
                    for n in sizes
                ],
            },
            {
                "name": "globex",
                "users": [{"name": "gina", "password": "secret", "role": "vApp Author"}],
                "vdcs": [{"name": "globex-a", "vcenter": "vc-a", "datastore": "LocalDS_0"}],
                "vapps": [
                    {"name": "filler", "vdc": "globex-a", "vms": [_vm(f"filler-{i:04d}") for i in range(padding)]}
                ]
                if padding
                else [],
            },
        ],
    }


def _vcenter(name: str) -> dict:
    return {
        "name": name,
        "version": "8.0.2",
        "clone_tpm_policy": "copy",
        "hosts": [{"name": f"{name}-esx1", "tpm": True}],
        "key_providers": [{"name": "kp-gold", "type": "native", "default": True}],
        "datastores": [{"name": "LocalDS_0", "url": SHARED_URL}],
    }
