"""The identity audit end to end: copy a VM, the audit shows the pair; re-key the copy, it no longer does."""

from __future__ import annotations

from tests.demo import urn
from tests.e2e.conftest import run


def shared_groups(http, headers) -> list[dict]:
    answer = http.get("/api/v1/tpm-identities?shared=true", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["groups"]


def holding(groups: list[dict], vm: str) -> dict | None:
    return next((g for g in groups if any(m["id"] == vm for m in g["vms"])), None)


def test_copy_then_rekey_the_copy(http, login, cloud):
    alice, admin = login("alice@acme"), login("admin@System")
    web1 = urn("vm", "web-1")
    assert holding(shared_groups(http, alice), web1) is None

    copied = run(
        http, alice, {"operation": "copy_vm", "source": {"vm": web1}, "target": {"vapp": urn("vapp", "shared")}}
    )
    assert copied["status"] == "succeeded", copied
    copy = copied["result"]["vm"]
    pair = holding(shared_groups(http, alice), web1)
    assert pair is not None and sorted(m["id"] for m in pair["vms"]) == sorted([web1, copy])
    assert pair["others"] == 0 and [s["operation_id"] for s in pair["lineage"]] == [copied["id"]]
    seen_by_provider = holding(shared_groups(http, admin), copy)
    assert seen_by_provider is not None and {m["org"] for m in seen_by_provider["vms"]} == {"acme"}

    rekeyed = run(http, alice, {"operation": "replace_tpm", "source": {"vm": copy}, "acknowledge_tpm_data_loss": True})
    assert rekeyed["status"] == "succeeded", rekeyed
    assert [s["name"] for s in rekeyed["steps"]] == [
        f"remove the vTPM of {pair_name(pair, copy)}",
        f"add a new vTPM to {pair_name(pair, copy)}",
    ]
    assert holding(shared_groups(http, alice), web1) is None
    assert holding(shared_groups(http, admin), copy) is None
    vm = cloud.inventory.vms[copy.rsplit(":", 1)[-1]]
    assert vm.tpm is not None and vm.tpm.identity != pair["identity"]


def pair_name(group: dict, vm: str) -> str:
    return next(m["name"] for m in group["vms"] if m["id"] == vm)
