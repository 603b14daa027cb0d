"""The simulated query service looks VMs up by id instead of testing every row of a 2,000-VM world."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.scale_world import scale_world, urn, vm_name
from tests.sim.test_sim_vcd_http import NS, bearer
from vcdtpm.sim.vcd import create_vcd_app
from vcdtpm.sim.vcd.query import records
from vcdtpm.sim.vcd.query.filters import equalities
from vcdtpm.sim.vcd.server import serve_in_thread
from vcdtpm.sim.world.loader import load_world_data


@pytest.fixture(scope="module")
def big_cloud():
    inventory = load_world_data(scale_world((100,), total_vms=2000))
    handle = serve_in_thread(create_vcd_app(inventory))
    yield handle.url
    handle.stop()


def _query(url: str, headers: dict, query_type: str, query_filter: str) -> set[str]:
    params = {"type": query_type, "format": "records", "pageSize": 128, "filter": query_filter}
    answer = requests.get(f"{url}/api/query", params=params, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return {r.get("id") for r in etree.fromstring(answer.content).iterfind("v:*[@id]", NS)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id==a", ("id", {"a"})),
        ("(id==A,id==b)", ("id", {"a", "b"})),
        ("((id==a))", ("id", {"a"})),
        ("id==a;name==b", None),
        ("id==a,name==b", None),
        ("id==a*", None),
        ("id!=a", None),
        ("(id==a),(id==b)", None),
    ],
)
def test_only_an_or_of_equalities_on_one_attribute_is_looked_up(text, expected):
    found = equalities(text)
    assert (found[0], set(found[1])) == expected if expected else found is None


@pytest.mark.parametrize("query_type", ["adminVM", "vm"])
def test_a_query_by_ids_builds_only_the_rows_it_finds_and_answers_as_a_scan_would(big_cloud, monkeypatch, query_type):
    headers = bearer(big_cloud, "admin", "System") if query_type == "adminVM" else bearer(big_cloud)
    ids = [urn("vm", vm_name("app", 100, i)) for i in range(0, 100, 2)] + [urn("vm", "filler-0007")]
    built = []
    real = records.admin_vm_values if query_type == "adminVM" else records.vm_values
    name = "admin_vm_values" if query_type == "adminVM" else "vm_values"
    monkeypatch.setattr(records, name, lambda *args: built.append(1) or real(*args))
    expected = set(ids) if query_type == "adminVM" else set(ids) - {urn("vm", "filler-0007")}  # globex's, to alice
    looked_up = _query(big_cloud, headers, query_type, "(" + ",".join(f"id=={i.upper()}" for i in ids) + ")")
    assert len(built) == len(expected)
    scanned = _query(big_cloud, headers, query_type, ",".join(f"id=={i}" for i in ids) + ";name==*")
    assert len(built) - len(expected) >= 200  # the scan built a row per VM the caller sees
    assert looked_up == scanned == expected
