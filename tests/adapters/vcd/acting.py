"""Helpers for the adapter's acting tests: an adapter on a fresh cloud and a task follower."""

from __future__ import annotations

import time
import uuid

from tests.smallcloud import PASSWORD
from vcdtpm.adapters.vcd import VcdAdapter
from vcdtpm.ports import TaskState

URN = "urn:vcloud:{}:{}".format


def adapter_for(cloud, log_file) -> VcdAdapter:
    def datastore_url_of(vcenter: str, datastore: str):
        found = cloud.inventory.vcenters[vcenter].datastore(datastore)
        return found.url if found else None

    return VcdAdapter(cloud.url, "admin", PASSWORD, log_file=log_file, datastore_url_of=datastore_url_of)


def run(
    adapter: VcdAdapter, session, kind: str, params: dict, request_id: str | None = None, timeout: float = 5.0
) -> TaskState:
    """Start a step and follow its task to the end."""
    href = adapter.start(session, kind, params, request_id or str(uuid.uuid4()))
    deadline = time.monotonic() + timeout
    state = adapter.task(session, href)
    while not state.done and time.monotonic() < deadline:
        time.sleep(0.01)
        state = adapter.task(session, href)
    return state


def uuid_of(urn: str) -> str:
    return urn.rsplit(":", 1)[1]
