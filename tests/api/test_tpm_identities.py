"""GET /api/v1/tpm-identities and replace_tpm over REST, on a demo world of this module's own (operations change it)."""

from __future__ import annotations

import pytest

from api import create_app
from tests.demo import basic, urn
from tests.e2e.conftest import finished, submit
from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config

IDENTITIES = "/api/v1/tpm-identities"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("identities")), poll_seconds=0.02))
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
            token = http.post("/api/v1/sessions", headers=basic(user_at_org)).get_json()["token"]
            cache[user_at_org] = {"Authorization": f"Bearer {token}"}
        return cache[user_at_org]

    return get


def groups(http, headers, query: str = "shared=true") -> list[dict]:
    answer = http.get(f"{IDENTITIES}?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["groups"]


def names(group: dict) -> list[str]:
    return [vm["name"] for vm in group["vms"]]


def group_of(found: list[dict], name: str) -> dict | None:
    return next((g for g in found if name in names(g)), None)


def succeeded(http, headers, body) -> dict:
    answer = submit(http, headers, body)
    assert answer.status_code == 202, answer.get_json()
    done = finished(http, headers, answer.headers["Location"])
    assert done["status"] == "succeeded", done
    return done


def test_the_provider_sees_every_member_with_its_org_and_vcenter(http, login):
    (group,) = groups(http, login("admin@System"))
    assert group["vms"] == [
        {"id": urn("vm", "app-1"), "name": "app-1", "org": "acme", "vcenter": "vc-a"},
        {"id": urn("vm", "app-1-copy"), "name": "app-1-copy", "org": "acme", "vcenter": "vc-b"},
        {"id": urn("vm", "gx-app-1"), "name": "gx-app-1", "org": "globex", "vcenter": "vc-a"},
    ]
    assert group["others"] == 0 and group["lineage"] == [] and group["identity"].startswith("sha256:")


def test_the_identity_is_the_one_the_vm_tpm_resource_shows(http, login):
    alice = login("alice@acme")
    (group,) = groups(http, alice)
    tpm = http.get(f"/api/v1/vms/{urn('vm', 'app-1')}/tpm", headers=alice).get_json()
    assert tpm["identity"] == group["identity"]


def test_a_tenant_sees_its_own_members_and_counts_the_others_without_names(http, login):
    (acme,) = groups(http, login("alice@acme"))
    assert acme["vms"] == [
        {"id": urn("vm", "app-1"), "name": "app-1"},
        {"id": urn("vm", "app-1-copy"), "name": "app-1-copy"},
    ]
    assert acme["others"] == 1
    (globex,) = groups(http, login("gina@globex"))
    assert globex["vms"] == [{"id": urn("vm", "gx-app-1"), "name": "gx-app-1"}] and globex["others"] == 2
    text = str(globex)
    assert "app-1-copy" not in text and "acme" not in text and "vc-" not in text


def test_without_shared_every_vtpm_vm_is_a_group_of_its_own_or_more(http, login):
    found = groups(http, login("gina@globex"), "")
    assert sorted(tuple(names(g)) for g in found) == [("gx-1",), ("gx-app-1",)]
    assert [g["others"] for g in found] == [2, 0]  # largest group first


@pytest.mark.parametrize("query", ["org=acme", "vcenter=vc-a"])
def test_the_org_and_vcenter_filters_are_refused_to_a_tenant_naming_the_field(http, login, query):
    answer = http.get(f"{IDENTITIES}?{query}", headers=login("alice@acme"))
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["field"] == query.split("=")[0]


def test_the_provider_filters_by_org_and_vcenter(http, login):
    admin = login("admin@System")
    assert len(groups(http, admin, "shared=true&org=globex")) == 1
    assert groups(http, admin, "shared=true&vcenter=vc-c") == []
    assert {vm["org"] for g in groups(http, admin, "org=globex") for vm in g["vms"]} == {"acme", "globex"}


@pytest.mark.parametrize("query", ["shared=yes", "shared=1", "org="])
def test_bad_filters_are_named(http, login, query):
    answer = http.get(f"{IDENTITIES}?{query}", headers=login("admin@System"))
    assert answer.status_code == 422 and answer.get_json()["field"] == "query." + query.split("=")[0]


def test_the_audit_needs_a_session(http):
    assert http.get(IDENTITIES).status_code == 401


def test_a_copy_joins_its_originals_group_with_its_lineage(http, login):
    alice = login("alice@acme")
    body = {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "lab")}}
    done = succeeded(http, alice, body)
    pair = group_of(groups(http, alice), "web-1")
    assert pair is not None
    assert sorted(vm["id"] for vm in pair["vms"]) == sorted([urn("vm", "web-1"), done["result"]["vm"]])
    (step,) = pair["lineage"]
    assert (step["operation"], step["operation_id"], step["user"], step["result"]) == (
        "copy_vm",
        done["id"],
        "alice",
        done["result"]["vm"],
    )
    assert step["source"] == {"vm": urn("vm", "web-1")} and "org" not in step
    provider_step = group_of(groups(http, login("admin@System")), "web-1")["lineage"][0]
    assert provider_step["org"] == "acme"


def test_a_copy_with_replace_shares_nothing(http, login):
    alice = login("alice@acme")
    body = {
        "operation": "copy_vm",
        "source": {"vm": urn("vm", "db-solo")},
        "target": {"vapp": urn("vapp", "web")},
        "tpm": "replace",
        "replace_on_7x": True,
        "acknowledge_tpm_data_loss": True,
    }
    succeeded(http, alice, body)
    assert group_of(groups(http, alice), "db-solo") is None


def test_replace_tpm_plan_says_which_group_the_vm_leaves_and_needs_the_acknowledgement(http, login):
    alice = login("alice@acme")
    body = {"operation": "replace_tpm", "source": {"vm": urn("vm", "app-1-copy")}}
    plan = http.post("/api/v1/plans", headers=alice, json=body).get_json()
    group = group_of(groups(http, alice), "app-1-copy")
    assert plan["allowed"] is True and plan["vms"][0]["action"] == "replace"
    assert (
        f"app-1-copy leaves the group of 3 VMs sharing vTPM identity {group['identity']}; 2 other VMs keep it."
        in (plan["warnings"])
    )
    refused = submit(http, alice, body)
    assert refused.status_code == 409
    assert any(c["id"] == "data_loss_acknowledged" and c["status"] == "fail" for c in refused.get_json()["checks"])


def test_replace_tpm_gives_a_new_identity_and_leaves_the_group(http, login, cloud):
    alice = login("alice@acme")
    before = http.get(f"/api/v1/vms/{urn('vm', 'app-1-copy')}/tpm", headers=alice).get_json()["identity"]
    body = {"operation": "replace_tpm", "source": {"vm": urn("vm", "app-1-copy")}, "acknowledge_tpm_data_loss": True}
    done = succeeded(http, alice, body)
    assert [s["kind"] for s in done["steps"]] == ["edit_tpm", "edit_tpm"]
    after = http.get(f"/api/v1/vms/{urn('vm', 'app-1-copy')}/tpm", headers=alice).get_json()
    assert after["present"] is True and after["identity"] not in (None, before)
    (group,) = [g for g in groups(http, alice) if g["identity"] == before]
    assert names(group) == ["app-1"] and group["others"] == 1
    assert group_of(groups(http, alice), "app-1-copy") is None


def test_replace_tpm_of_a_powered_on_vm_is_refused(http, login):
    body = {"operation": "replace_tpm", "source": {"vm": urn("vm", "running-1")}, "acknowledge_tpm_data_loss": True}
    plan = http.post("/api/v1/plans", headers=login("alice@acme"), json=body).get_json()
    failing = {c["id"] for c in plan["checks"] if c["status"] == "fail"}
    assert plan["allowed"] is False and {"powered_off", "tpm_present"} <= failing
