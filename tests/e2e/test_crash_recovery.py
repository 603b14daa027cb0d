"""Kill the service mid-operation: on restart it re-attaches to its tasks and finishes once."""

from __future__ import annotations

import time

import pytest
import requests

from tests.demo import urn
from tests.e2e.processes import start_service, start_sim, write_config

# web-1 (vTPM, 8.x) copied into app7 on vCenter 7.x with replace: copy, remove vTPM, add vTPM
EMULATED_REPLACE = {
    "operation": "copy_vm",
    "source": {"vm": urn("vm", "web-1")},
    "target": {"vapp": urn("vapp", "app7")},
    "tpm": "replace",
    "replace_on_7x": True,
    "acknowledge_tpm_data_loss": True,
}


def login(url: str) -> dict:
    token = requests.post(f"{url}/api/v1/sessions", auth=("alice@acme", "secret"), timeout=10).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def vm_names_in_vapp(vcd_url: str, vapp_uuid: str) -> list[str]:
    """Read the vApp over the simulated vCD's own REST API, as alice."""
    from vcdtpm.adapters.vcd import VcdAdapter

    adapter = VcdAdapter(vcd_url, "admin", "secret", data_dir="/tmp")
    session = adapter.login("alice", "acme", "secret")
    return sorted(vm.name for vm in adapter.get_vapp(session, f"urn:vcloud:vapp:{vapp_uuid}").vms)


def tasks_started(vcd_url: str) -> int:
    """How many Cloud Director tasks alice's org holds (the task query has no client request id:
    https://developer.broadcom.com/xapis/vmware-cloud-director-api/latest/doc/types/QueryResultTaskRecordType.html)."""
    accept = {"Accept": "application/*+xml;version=38.1"}
    login = requests.post(
        f"{vcd_url}/cloudapi/1.0.0/sessions",
        auth=("alice@acme", "secret"),
        headers={"Accept": "application/json;version=38.1"},
        timeout=10,
    )
    token = login.headers["x-vmware-vcloud-access-token"]
    answer = requests.get(
        f"{vcd_url}/api/query",
        headers={**accept, "Authorization": f"Bearer {token}"},
        params={"type": "task", "format": "records", "filter": "ownerName==alice", "pageSize": 128},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.text.count("<TaskRecord ")


@pytest.fixture()
def processes(tmp_path):
    started = []
    yield started
    for process in reversed(started):
        process.stop()


def test_a_killed_service_finishes_the_operation_once_after_restart(tmp_path, processes):
    sim, vcd_url = start_sim(tmp_path, task_delay=1.5)
    processes.append(sim)
    config = write_config(tmp_path, vcd_url)
    service, url = start_service(tmp_path, config, "first")
    processes.append(service)
    headers = login(url)
    before = vm_names_in_vapp(vcd_url, "6b0a5c3e-0000-4000-8000-000000000043")

    answer = requests.post(f"{url}/api/v1/operations", json=EMULATED_REPLACE, headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    location = url + answer.headers["Location"]

    def second_step_running():
        steps = requests.get(location, headers=headers, timeout=10).json()["steps"]
        return steps[1]["status"] == "running" and steps[1]["task"]

    wait_for(second_step_running, "the remove-vTPM step to be running")
    service.kill()

    service2, url2 = start_service(tmp_path, config, "second")
    processes.append(service2)
    location2 = url2 + answer.headers["Location"]
    done = wait_for(
        lambda: (lambda b: b if b["status"] in ("succeeded", "failed") else None)(
            requests.get(location2, headers=headers, timeout=10).json()
        ),
        "the operation to finish",
    )

    assert done["status"] == "succeeded", done
    assert [s["status"] for s in done["steps"]] == ["succeeded"] * 3
    assert len({s["task"] for s in done["steps"]}) == 3
    assert tasks_started(vcd_url) == 3  # one task per step, none sent twice
    after = vm_names_in_vapp(vcd_url, "6b0a5c3e-0000-4000-8000-000000000043")
    assert len(after) == len(before) + 1, (before, after)
