"""kill -9 at random points, in both modes: every submitted operation ends exactly once.

With a separate simulated Cloud Director (`vcdtpm sim`) the world outlives the service: each operation
succeeds once, and the world holds exactly one copy per operation, no orphan, no duplicate, one task per step.
With the built-in simulated cloud (`vcdtpm serve` alone) the world and its sessions die with the process: an
operation whose token belonged to a dead world still ends, succeeded before the kill or failed with a problem
naming its step, and nothing the restarted service does touches it again.

VCDTPM_CRASH_KILLS sets the number of kills per mode (default 3, bounded for CI; 20 or more by hand) and
VCDTPM_CRASH_SEED the random kill points.
"""

from __future__ import annotations

import os
import random
import time

import pytest
import requests
import yaml

from tests.demo import urn, uuid
from tests.e2e.processes import start_service, start_sim, write_config
from tests.e2e.test_crash_recovery import EMULATED_REPLACE, login, tasks_started, vm_names_in_vapp, wait_for

KILLS = int(os.environ.get("VCDTPM_CRASH_KILLS", "3"))
SEED = int(os.environ.get("VCDTPM_CRASH_SEED", "9"))
TERMINAL = ("succeeded", "failed")


def _body(i: int) -> dict:
    """Operations of one to three steps, each making a VM of its own name."""
    if i % 2:
        return {**EMULATED_REPLACE, "name": f"kill-r{i}"}
    return {
        "operation": "copy_vm",
        "source": {"vm": urn("vm", "web-1")},
        "target": {"vapp": urn("vapp", "lab")},
        "name": f"kill-c{i}",
    }


@pytest.fixture()
def processes():
    started = []
    yield started
    for process in reversed(started):
        process.stop()


def _states(url: str, headers: dict, ids: list[str]) -> list[dict]:
    return [requests.get(f"{url}/api/v1/operations/{op}", headers=headers, timeout=10).json() for op in ids]


def _all_ended(url, headers, ids):
    states = _states(url, headers, ids)
    return states if all(s.get("status") in TERMINAL for s in states) else None


def _kill_at_random_points(tmp_path, processes, config: str, rng: random.Random) -> tuple[str, list[str]]:
    """Submit an operation, kill -9 the service at a random moment, start it again; KILLS times."""
    service, url = start_service(tmp_path, config, "service-0")
    processes.append(service)
    ids = []
    for kill in range(KILLS):
        answer = requests.post(f"{url}/api/v1/operations", json=_body(kill), headers=login(url), timeout=10)
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])
        time.sleep(rng.uniform(0.0, 1.5))  # anywhere: claiming, issuing, following, finishing
        service.kill()
        service, url = start_service(tmp_path, config, f"service-{kill + 1}")
        processes.append(service)
    return url, ids


def test_with_a_separate_cloud_every_operation_succeeds_once_and_the_world_holds_each_copy_once(tmp_path, processes):
    sim, vcd_url = start_sim(tmp_path, task_delay=0.3)
    processes.append(sim)
    config = write_config(tmp_path, vcd_url, lease_seconds=1.0, poll_seconds=0.05)
    before = {vapp: vm_names_in_vapp(vcd_url, uuid("vapp", vapp)) for vapp in ("lab", "app7")}

    url, ids = _kill_at_random_points(tmp_path, processes, config, random.Random(SEED))
    headers = login(url)
    states = wait_for(lambda: _all_ended(url, headers, ids), "every operation to end", timeout=30 + 10 * KILLS)

    assert [s["status"] for s in states] == ["succeeded"] * KILLS, [s.get("error") for s in states]
    made = {vapp: sorted(set(vm_names_in_vapp(vcd_url, uuid("vapp", vapp))) - set(before[vapp])) for vapp in before}
    for vapp in before:  # exactly one VM per operation: no orphan, no duplicate
        assert len(vm_names_in_vapp(vcd_url, uuid("vapp", vapp))) == len(before[vapp]) + len(made[vapp])
    assert made["lab"] == sorted(f"kill-c{i}" for i in range(0, KILLS, 2))
    assert made["app7"] == sorted(f"kill-r{i}" for i in range(1, KILLS, 2))
    assert tasks_started(vcd_url) == sum(len(s["steps"]) for s in states)  # each step sent once
    assert _states(url, headers, ids) == states  # ended once: nothing moves afterwards
    print(f"separate cloud, {KILLS} kills (seed {SEED}): {KILLS} succeeded, {tasks_started(vcd_url)} tasks")


def test_with_the_built_in_cloud_every_operation_ends_once_even_when_its_session_died(tmp_path, processes):
    config = tmp_path / "builtin.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "data"),
                "lease_seconds": 1.0,
                "poll_seconds": 0.05,
                "sim_task_delay": 0.3,
                "retry_seconds": 2.0,  # a dead world's task address never answers again
            }
        )
    )
    url, ids = _kill_at_random_points(tmp_path, processes, str(config), random.Random(SEED))
    headers = login(url)  # a session of the last world; operations are readable by org
    states = wait_for(lambda: _all_ended(url, headers, ids), "every operation to end", timeout=30 + 10 * KILLS)

    for state in states:
        if state["status"] == "failed":
            error = state["error"]
            assert error["title"] and error["detail"] and error["step"], state
            failed_steps = [s for s in state["steps"] if s["status"] == "failed"]
            assert len(failed_steps) == 1 and failed_steps[0]["name"] == error["step"]
        else:
            assert all(s["status"] == "succeeded" for s in state["steps"]), state
    outcomes = [s["status"] for s in states]
    print(
        f"built-in cloud, {KILLS} kills (seed {SEED}): {outcomes.count('succeeded')} succeeded, "
        f"{outcomes.count('failed')} failed: {sorted({s['error']['detail'][:60] for s in states if s['error']})}"
    )

    service, url = start_service(tmp_path, str(config), "service-last")  # one more life: nothing moves
    processes.append(service)
    time.sleep(1.5)  # past a lease: a still-claimable operation would be claimed now
    assert _states(url, login(url), ids) == states
