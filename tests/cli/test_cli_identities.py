"""`vcdtpm identities` against the real service over HTTP, and its renderer."""

from __future__ import annotations

import json

from tests.cli import test_cli_remote
from tests.demo import urn
from vcdtpm.cli.identities import render_identities

# the fixtures of the remote commands' tests: the service on its own demo world, and `vcdtpm ...` as a user
url, vcdtpm = test_cli_remote.url, test_cli_remote.vcdtpm


def test_identities_shared_shows_the_tenants_members_and_counts_the_others(vcdtpm):
    status, out, err = vcdtpm("identities", "--shared")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("sha256:") and lines[0].endswith("(3 VMs)")
    assert lines[1].split() == ["VM", "id"]
    assert lines[2].split() == ["app-1", urn("vm", "app-1")]
    assert lines[3].split() == ["app-1-copy", urn("vm", "app-1-copy")]
    assert lines[4].strip() == "+ 1 other VM you cannot see (other orgs)"
    assert "gx-app-1" not in out and "globex" not in out and "vc-a" not in out


def test_identities_as_the_provider_name_org_and_vcenter(vcdtpm):
    status, out, _ = vcdtpm("identities", "--shared", "--org", "globex", user="admin@System")
    assert status == 0
    rows = [line.split() for line in out.splitlines()[2:5]]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("app-1", "acme", "vc-a"),
        ("app-1-copy", "acme", "vc-b"),
        ("gx-app-1", "globex", "vc-a"),
    ]


def test_identities_json_is_the_raw_answer(vcdtpm):
    status, out, _ = vcdtpm("identities", "--json", user="gina@globex")
    groups = json.loads(out)["groups"]
    assert status == 0 and sorted(vm["name"] for g in groups for vm in g["vms"]) == ["gx-1", "gx-app-1"]


def test_a_tenants_org_filter_is_refused_with_the_field(vcdtpm):
    status, out, err = vcdtpm("identities", "--org", "globex")
    assert status == 2 and out == "" and "org" in err and "provider" in err


def test_render_shows_the_lineage_and_says_when_nothing_is_shared():
    answer = {
        "groups": [
            {
                "identity": "sha256:ab",
                "vms": [{"id": "urn:vcloud:vm:1", "name": "web-1"}, {"id": "urn:vcloud:vm:2", "name": "web-1-copy"}],
                "others": 0,
                "lineage": [
                    {
                        "operation": "copy_vm",
                        "operation_id": "op-1",
                        "time": "2026-12-03T20:00:00+00:00",
                        "user": "alice",
                        "source": {"vm": "urn:vcloud:vm:1"},
                        "result": "urn:vcloud:vm:2",
                    }
                ],
            }
        ]
    }
    lines = render_identities(answer)
    assert lines[0] == "sha256:ab  (2 VMs)" and "other VM" not in "\n".join(lines)
    assert lines[-1] == "  made by copy_vm (op-1) by alice at 2026-12-03T20:00:00+00:00: urn:vcloud:vm:2"
    assert render_identities({"groups": []}, shared=True) == ["No VM shares its vTPM identity with another VM."]
