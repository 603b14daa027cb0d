"""Two service processes share one PostgreSQL journal: each operation is carried out once."""

from __future__ import annotations

import time

import pytest
import requests

from tests.demo import urn
from tests.e2e.processes import start_service, start_sim, write_config
from tests.e2e.test_crash_recovery import tasks_started
from vcdtpm.adapters.journal import Journal

pytest_plugins = ["tests.pg_fixture"]

OPERATIONS = [
    {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}},
    {"operation": "add_tpm", "source": {"vm": urn("vm", "linux-b1")}},
    {"operation": "add_tpm", "source": {"vm": urn("vm", "win-old")}},
    {"operation": "copy_vm", "source": {"vm": urn("vm", "web-1")}, "target": {"vapp": urn("vapp", "app7")}},
    {"operation": "copy_vm", "source": {"vm": urn("vm", "db-1")}, "target": {"vapp": urn("vapp", "lab")}},
    {"operation": "copy_vapp", "source": {"vapp": urn("vapp", "old")}, "target": {"vdc": urn("vdc", "acme-c")}},
]


@pytest.fixture()
def processes():
    started = []
    yield started
    for process in reversed(started):
        process.stop()


def test_two_replicas_claim_every_operation_exactly_once(tmp_path, processes, pg_url):
    sim, vcd_url = start_sim(tmp_path, task_delay=0.4)
    processes.append(sim)
    config = write_config(tmp_path, vcd_url, journal_url=pg_url)
    urls = []
    for name in ("replica-1", "replica-2"):
        service, url = start_service(tmp_path, config, name)
        processes.append(service)
        urls.append(url)
    token = requests.post(f"{urls[0]}/api/v1/sessions", auth=("alice@acme", "secret"), timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    ids = []
    for i, body in enumerate(OPERATIONS):
        answer = requests.post(f"{urls[i % 2]}/api/v1/operations", json=body, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [requests.get(f"{urls[0]}/api/v1/operations/{op}", headers=headers, timeout=10).json() for op in ids]
        if all(s["status"] in ("succeeded", "failed") for s in states):
            break
        time.sleep(0.2)
    assert [s["status"] for s in states] == ["succeeded"] * len(OPERATIONS), states
    assert tasks_started(vcd_url) == sum(len(state["steps"]) for state in states)  # each step sent once

    journal = Journal(pg_url)
    try:
        owners = {journal.get(op, "acme").owner for op in ids}
    finally:
        journal.close()
    # each replica runs 2 gunicorn workers, each with an executor: several of the 4 claimed work
    assert len(owners - {None}) >= 2, f"several executors should have claimed work, owners: {owners}"
