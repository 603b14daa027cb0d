"""What a warm plan costs in round trips, for a vApp (or template) of 1 and of 500 VMs: counted, not timed."""

from __future__ import annotations

import pytest

from api import create_app
from tests.demo import basic
from tests.scale_world import scale_world, urn
from vcdtpm import bootstrap
from vcdtpm.config import Config, Endpoint
from vcdtpm.sim.vcd import create_vcd_app
from vcdtpm.sim.vcd.server import serve_in_thread
from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import load_world_data

SIZES = (1, 500)
PAGE = 128  # VMs per placement query page (the query service's largest page)
TO_B = {"target": {"vdc": urn("vdc", "scale-b")}}
BODIES = {
    "copy_vapp": lambda n: {"source": {"vapp": urn("vapp", f"app{n}")}, **TO_B},
    "move_vapp": lambda n: {"source": {"vapp": urn("vapp", f"app{n}")}, **TO_B},
    "capture_vapp": lambda n: {
        "source": {"vapp": urn("vapp", f"app{n}")},
        "target": {"catalog": urn("catalog", "gold")},
    },
    "instantiate_vapp_template": lambda n: {"source": {"template": urn("vapptemplate", f"tpl{n}")}, **TO_B},
}


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    """The service on a generated world (vApps and templates of 1 and 500 vTPM VMs on vc-a, a
    target VDC on vc-b), its Cloud Director over HTTP, its simulated vCenters counting calls."""
    inventory = load_world_data(scale_world(SIZES))
    vcd = create_vcd_app(inventory)
    handle = serve_in_thread(vcd)
    vcenters = simulated_vcenters(inventory)
    config = Config(
        data_dir=str(tmp_path_factory.mktemp("round-trips")),
        cloud_director=Endpoint(handle.url, "admin", "secret"),
        run_executor=False,
    )
    wiring = bootstrap.service(config, vcenters)
    http = create_app(use_cases=wiring.use_cases).test_client()
    token = http.post("/api/v1/sessions", headers=basic("alice@acme", "secret")).get_json()["token"]
    yield vcd, vcenters, http, {"Authorization": f"Bearer {token}"}
    wiring.close()
    handle.stop()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("operation", sorted(BODIES))
def test_a_warm_plan_reads_cloud_director_twice_and_each_vcenter_holding_its_vms_once(scaled, operation, size):
    vcd, vcenters, http, alice = scaled
    body = {"operation": operation, **BODIES[operation](size)}
    assert http.post("/api/v1/plans", json=body, headers=alice).status_code == 200  # fills the caches
    requests_before = len(vcd.requests.entries)
    calls_before = {name: vc.round_trips for name, vc in vcenters.items()}

    answer = http.post("/api/v1/plans", json=body, headers=alice)

    assert answer.status_code == 200 and len(answer.get_json()["vms"]) == size
    extra_pages = -(-size // PAGE) - 1  # placement beyond one query page: the only growth allowed
    sent = vcd.requests.entries[requests_before:]
    assert len(sent) <= 2 + extra_pages, [f"{e.method} {e.path}?{e.query[:60]}" for e in sent]
    calls = {name: vc.round_trips - calls_before[name] for name, vc in vcenters.items()}
    assert calls == {"vc-a": 1, "vc-b": 0}  # one bulk read where the VMs are; the target's facts are kept
