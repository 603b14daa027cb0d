"""Benchmark: VM facts for 1, 10 and 100 VMs against vcsim; round trips must not grow."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.vcsim.launcher import GoMissing, Vcsim, build
from vcdtpm.adapters.vcenter import PyVmomiVCenter, VCenterConfig

SIZES = (1, 10, 100)
CONFIG = {
    "key_providers": [{"name": "nkp", "type": "native", "default": True}],
    "datastores": {"LocalDS_0": "ds:///vmfs/volumes/bench/"},
    "vms": [{"name": "bench", "tpm": True, "key_provider": "nkp", "count": max(SIZES)}],
}


def measure(vc: PyVmomiVCenter, morefs: list[str], repeat: int) -> tuple[int, float]:
    """Round trips of one read, and the median seconds over `repeat` reads."""
    before = vc.round_trips
    facts = vc.vm_facts(morefs)
    trips = vc.round_trips - before
    if len(facts) != len(morefs):
        raise SystemExit(f"asked for {len(morefs)} VMs, got facts for {len(facts)}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        vc.vm_facts(morefs)
        times.append(time.perf_counter() - start)
    return trips, statistics.median(times)


def run(repeat: int, api_version: str) -> int:
    try:
        binary = build()
    except GoMissing as missing:
        print(f"cannot build the vcsim launcher: {missing}", file=sys.stderr)
        return 2
    sim = Vcsim(api_version=api_version, instance_uuid="bbbbbbbb-0000-4000-8000-00000000be4c", config=CONFIG).start(
        binary
    )
    try:
        vc = PyVmomiVCenter(
            VCenterConfig(name="bench", url=sim.url, user=sim.user, password=sim.password, ca_bundle=sim.ca_bundle)
        )
        morefs = sorted(row["moref"] for name, row in sim.vms().items() if name.startswith("bench-"))
        vc.about()  # log in before measuring
        print(f"vCenter API {api_version} at {sim.url}")
        print(f"{'VMs':>5} {'round trips':>12} {'median ms':>10}")
        trips = {}
        for size in SIZES:
            trips[size], seconds = measure(vc, morefs[:size], repeat)
            print(f"{size:>5} {trips[size]:>12} {seconds * 1000:>10.2f}")
        vc.close()
    finally:
        sim.stop()
    if len(set(trips.values())) != 1:
        print(f"FAIL: round trips grow with the number of VMs: {trips}", file=sys.stderr)
        return 1
    print(f"OK: {trips[SIZES[0]]} round trip(s) whatever the number of VMs")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed reads per size (default 5)")
    parser.add_argument("--api-version", default="8.0.2.0", help="simulated vSphere API version")
    args = parser.parse_args()
    return run(args.repeat, args.api_version)


if __name__ == "__main__":
    sys.exit(main())
