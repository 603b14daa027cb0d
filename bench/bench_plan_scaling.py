"""Benchmark: what one plan costs as the vApp grows, against a naive per-VM pyvcloud reader in the same run.

Run by hand (never timed in CI):  .venv/bin/python bench/bench_plan_scaling.py [--sizes 1,10,100,500]

Cloud Director is `vcdtpm sim` in its own process, over HTTP, on a generated 2,000-VM world
(tests/scale_world.py); every HTTP request the service sends is counted at the client (and delayed
by --delay-ms in the second pass). The vCenters are, first, the simulated ones behind a counting
proxy (each port call is one vCenter round trip), then the real pyvmomi adapter against vcsim
(SOAP calls counted by the adapter). Per operation and size it prints, for warm plans (the second
and later of the same request): vCD requests, vCenter calls, SOAP calls, median latency with 0 ms
and with --delay-ms per backend request, the service's CPU per plan, the answer's bytes, and the
baseline's requests, calls and latencies with the ratio baseline/vcdtpm.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
import requests.adapters
import yaml

from api import create_app
from tests.scale_world import SHARED_URL, scale_world, urn
from vcdtpm import bootstrap
from vcdtpm.config import Config, Endpoint
from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import load_world

OPERATIONS = {
    "copy_vapp": lambda n: {"source": {"vapp": urn("vapp", f"app{n}")}, "target": {"vdc": urn("vdc", "scale-b")}},
    "move_vapp": lambda n: {"source": {"vapp": urn("vapp", f"app{n}")}, "target": {"vdc": urn("vdc", "scale-b")}},
    "capture_vapp": lambda n: {
        "source": {"vapp": urn("vapp", f"app{n}")},
        "target": {"catalog": urn("catalog", "gold")},
    },
    "instantiate_vapp_template": lambda n: {
        "source": {"template": urn("vapptemplate", f"tpl{n}")},
        "target": {"vdc": urn("vdc", "scale-b")},
    },
}


# -- counting and delaying ---------------------------------------------------------------------


class Wire:
    """Counts every HTTP request this process sends through `requests` (pyvcloud's transport)
    and delays each by `delay` seconds, as a slower network would."""

    def __init__(self) -> None:
        self.count, self.delay = 0, 0.0
        self._lock = threading.Lock()
        self._send = requests.adapters.HTTPAdapter.send
        wire = self

        def send(adapter, request, **kwargs):
            with wire._lock:
                wire.count += 1
            if wire.delay:
                time.sleep(wire.delay)
            return wire._send(adapter, request, **kwargs)

        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


class CountingVCenter:
    """A proxy in front of a VCenter port: each call is one vCenter round trip, delayed by `delay`."""

    def __init__(self, port, delay: Callable[[], float]) -> None:
        self._port, self._delay, self.calls = port, delay, 0
        self.name = port.name

    def __getattr__(self, attr):
        value = getattr(self._port, attr)
        if not callable(value) or attr.startswith("_"):
            return value

        def call(*args, **kwargs):
            self.calls += 1
            if self._delay():
                time.sleep(self._delay())
            return value(*args, **kwargs)

        return call


class VcsimVCenter:
    """The pyvmomi adapter on vcsim, reached with the world's morefs: vcsim names its VMs as the
    world does (`app10-003`) but numbers them its own way, so morefs are translated by name."""

    def __init__(self, port, to_vcsim: dict[str, str], pool: str | None) -> None:
        self._port, self._to, self._pool = port, to_vcsim, pool
        self._back = {v: k for k, v in to_vcsim.items()}
        self.name = port.name

    def __getattr__(self, attr):
        return getattr(self._port, attr)

    def vm_facts(self, morefs):
        found = self._port.vm_facts([self._to[m] for m in morefs if m in self._to])
        return {self._back[m]: f for m, f in found.items()}

    def hosts_of(self, resource_pool):
        return self._port.hosts_of(self._pool) if self._pool else None


# -- the service and the baseline ----------------------------------------------------------------


@contextmanager
def simulated_vcd(world_file: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "vcdtpm.cli.main", "sim", "--world", str(world_file), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if "http://" not in line:
            raise SystemExit(f"vcdtpm sim did not start: {line!r}")
        yield line.strip().split()[-1]
    finally:
        proc.terminate()
        proc.wait(10)


class Service:
    """vcdtpm wired as in production, on the simulated Cloud Director and the given vCenters."""

    def __init__(self, url: str, vcenters: dict, data_dir: str) -> None:
        config = Config(
            data_dir=data_dir,
            cloud_director=Endpoint(url=url, user="admin", password="secret"),
            run_executor=False,
        )
        self.wiring = bootstrap.service(config, vcenters)
        self.http = create_app(use_cases=self.wiring.use_cases).test_client()
        answer = self.http.post("/api/v1/sessions", auth=("alice@acme", "secret"))
        self.headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}

    def plan(self, body: dict) -> int:
        answer = self.http.post("/api/v1/plans", json=body, headers=self.headers)
        if answer.status_code != 200:
            raise SystemExit(f"plan {body} answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        return len(answer.get_data())

    def close(self) -> None:
        self.wiring.close()


class Baseline:
    """What a naive script does with pyvcloud: read the vApp (or template), then each VM, its
    placement (one adminVM query per VM) and its vCenter facts (one call per VM), then the target."""

    def __init__(self, url: str, vcenters: dict) -> None:
        from pyvcloud.vcd.client import BasicLoginCredentials, Client

        self.tenant = Client(url, api_version="38.1", verify_ssl_certs=False, log_file=None)
        self.tenant.set_credentials(BasicLoginCredentials("alice", "acme", "secret"))
        self.provider = Client(url, api_version="38.1", verify_ssl_certs=False, log_file=None)
        self.provider.set_credentials(BasicLoginCredentials("admin", "System", "secret"))
        self.vcenters = vcenters
        self.api = self.tenant.get_api_uri()

    def plan(self, operation: str, body: dict) -> int:
        source = body["source"]
        if "vapp" in source:
            container = self.tenant.get_resource(f"{self.api}/vApp/vapp-{source['vapp'].split(':')[-1]}")
        else:
            container = self.tenant.get_resource(f"{self.api}/vAppTemplate/vappTemplate-{source['template'][-36:]}")
        vms = container.Children.Vm if hasattr(container, "Children") else []
        for vm in vms:
            self.tenant.get_resource(vm.get("href"))
            record = self.provider.get_resource(
                f"{self.api}/query",
                params={"type": "adminVM", "format": "records", "filter": f"id=={vm.get('id')}"},
            )
            admin = record.AdminVMRecord
            vcenter = next(iter(self.vcenters.values()))
            vcenter.vm_facts([admin.get("moref")])
        target = body["target"]
        kind, urn_ = next(iter(target.items()))
        path = {"vdc": "vdc", "catalog": "catalog"}[kind]
        self.tenant.get_resource(f"{self.api}/{path}/{urn_.split(':')[-1]}")
        for query in ("adminOrgVdc", "datastoreProviderVdcRelation"):
            self.provider.get_resource(f"{self.api}/query", params={"type": query, "format": "records"})
        for vcenter in self.vcenters.values():
            vcenter.facts()
        return len(vms)


# -- throughput with the production server ------------------------------------------------------


def throughput(world_file: Path, tmp: Path, url: str, seconds: float, clients: int, code: Path) -> float:
    """Plans per second of a 10-VM copy_vapp from `clients` threads against gunicorn (2 workers,
    4 threads each) running the service of `code` (a checkout) on the same simulated cloud."""
    import socket

    config = tmp / f"throughput-{code.name}.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "cloud_director": {"url": url, "user": "admin", "password": "secret"},
                "world": str(world_file),
                "data_dir": str(tmp / f"tp-{code.name}"),
            }
        )
    )
    with socket.socket() as probe:  # a free port, chosen by the OS
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "api:create_app()"],
        cwd=code,
        env={**__import__("os").environ, "VCDTPM_CONFIG": str(config), "PYTHONPATH": str(code)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        token = _wait_for_login(base)
        body = {"operation": "copy_vapp", **OPERATIONS["copy_vapp"](10)}
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(4):  # every worker warm
            requests.post(f"{base}/api/v1/plans", json=body, headers=headers, timeout=30).raise_for_status()
        done, stop = [0], time.monotonic() + seconds

        def client() -> None:
            with requests.Session() as http:
                while time.monotonic() < stop:
                    if http.post(f"{base}/api/v1/plans", json=body, headers=headers, timeout=30).status_code == 200:
                        done[0] += 1

        threads = [threading.Thread(target=client) for _ in range(clients)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return done[0] / (time.monotonic() - start)
    finally:
        server.terminate()
        server.wait(10)


def _wait_for_login(base: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            answer = requests.post(f"{base}/api/v1/sessions", auth=("alice@acme", "secret"), timeout=10)
            if answer.status_code == 201:
                return answer.json()["token"]
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


# -- measuring -------------------------------------------------------------------------------------


class Meter:
    def __init__(self, wire: Wire, vcenters: dict) -> None:
        self.wire, self.vcenters = wire, vcenters

    def calls(self) -> int:
        return sum(getattr(v, "calls", 0) for v in self.vcenters.values())

    def soap(self) -> int:
        return sum(getattr(getattr(v, "_port", None), "round_trips", 0) or 0 for v in self.vcenters.values())

    def measure(self, run: Callable[[], int], repeat: int) -> dict:
        run()  # warm up: caches filled, sessions open
        vcd, calls, soap = self.wire.count, self.calls(), self.soap()
        size = run()
        counts = {"vcd": self.wire.count - vcd, "vc": self.calls() - calls, "soap": self.soap() - soap}
        times, cpu = [], time.process_time()
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return {
            **counts,
            "ms": statistics.median(times) * 1000,
            "cpu_ms": (time.process_time() - cpu) / repeat * 1000,
            "bytes": size,
        }


def vcsim_vcenters(sizes, world_file: Path, binary) -> tuple[dict, list]:
    from tests.vcsim.launcher import Vcsim
    from vcdtpm.adapters.vcenter import PyVmomiVCenter, VCenterConfig

    inventory = load_world(world_file)
    vms = [
        {"name": f"{kind}{n}", "tpm": True, "key_provider": "kp-gold", "count": n}
        for kind in ("app", "tpl")
        for n in sizes
    ]
    base = {
        "key_providers": [{"name": "kp-gold", "type": "native", "default": True}],
        "hosts": {"DC0_C0_H0": {"tpm": True, "tpm_version": "2.0"}},
        "datastores": {"LocalDS_0": SHARED_URL},
    }
    sims, ports = [], {}
    for name, uuid, config in (
        ("vc-a", "aaaaaaaa-0000-4000-8000-00000000000a", {**base, "vms": vms}),
        ("vc-b", "bbbbbbbb-0000-4000-8000-00000000000b", base),
    ):
        sim = Vcsim(api_version="8.0.2.0", instance_uuid=uuid, config=config).start(binary)
        sims.append(sim)
        port = PyVmomiVCenter(
            VCenterConfig(name=name, url=sim.url, user=sim.user, password=sim.password, ca_bundle=sim.ca_bundle)
        )
        by_name = {row_name: row["moref"] for row_name, row in sim.vms().items()}
        to_vcsim = {
            vm.moref: by_name[vm.name] for vm in inventory.vms.values() if vm.vcenter == name and vm.name in by_name
        }
        ports[name] = VcsimVCenter(port, to_vcsim, _cluster_pool(port))
    return ports, sims


def _cluster_pool(port) -> str | None:
    from pyVmomi import vim

    content = port._session.content()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
    try:
        return view.view[0].resourcePool._moId if view.view else None
    finally:
        view.DestroyView()


def run(sizes: list[int], operations: list[str], repeat: int, delay_ms: float, with_vcsim: bool, args) -> None:
    wire = Wire()
    tmp = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    world_file = tmp / "world.yaml"
    world_file.write_text(yaml.safe_dump(scale_world(sorted({*sizes, 10}), total_vms=2000)))
    rows: list[dict] = []
    with simulated_vcd(world_file) as url:
        if args.throughput:
            for code in args.throughput:
                rate = throughput(world_file, tmp, url, args.seconds, args.clients, Path(code).resolve())
                print(f"{rate:.1f} plans/s: 10-VM copy_vapp, gunicorn 2x4 of {code}, {args.clients} clients")
            return
        delay = {"s": 0.0}
        sim_ports = {
            n: CountingVCenter(p, lambda: delay["s"]) for n, p in simulated_vcenters(load_world(world_file)).items()
        }
        service = Service(url, sim_ports, str(tmp / "svc"))
        baseline = Baseline(url, sim_ports)
        meter = Meter(wire, sim_ports)
        for op in operations:
            for n in sizes:
                body = {"operation": op, **OPERATIONS[op](n)}
                row = {"op": op, "vms": n}
                wire.delay = delay["s"] = 0.0
                row["svc"] = meter.measure(lambda b=body: service.plan(b), repeat)
                row["base"] = meter.measure(lambda o=op, b=body: baseline.plan(o, b), max(1, repeat // 2))
                wire.delay = delay["s"] = delay_ms / 1000
                row["svc20"] = meter.measure(lambda b=body: service.plan(b), repeat)
                row["base20"] = meter.measure(lambda o=op, b=body: baseline.plan(o, b), 1)
                wire.delay = delay["s"] = 0.0
                rows.append(row)
                print(f"  measured {op} {n}", file=sys.stderr, flush=True)
        service.close()
        if with_vcsim:
            _with_vcsim(sizes, operations, repeat, world_file, url, tmp, wire, rows)
    print_table(rows, delay_ms)


def _with_vcsim(sizes, operations, repeat, world_file, url, tmp, wire, rows) -> None:
    from tests.vcsim.launcher import GoMissing, build

    try:
        binary = build()
    except GoMissing as missing:
        print(f"vcsim skipped: {missing}", file=sys.stderr)
        return
    ports, sims = vcsim_vcenters(sizes, world_file, binary)
    try:
        service = Service(url, ports, str(tmp / "svc-vcsim"))
        meter = Meter(wire, ports)
        for row in rows:
            body = {"operation": row["op"], **OPERATIONS[row["op"]](row["vms"])}
            row["vcsim"] = meter.measure(lambda b=body: service.plan(b), repeat)
            print(f"  measured {row['op']} {row['vms']} on vcsim", file=sys.stderr, flush=True)
        service.close()
    finally:
        for sim in sims:
            sim.stop()


def print_table(rows: list[dict], delay_ms: float) -> None:
    d = int(delay_ms)
    head = (
        f"| operation | VMs | vCD req | vCenter calls | SOAP (vcsim) | ms | ms @{d}ms | ms vcsim | CPU ms | bytes "
        f"| base vCD req | base vC calls | base ms | base ms @{d}ms | ratio | ratio @{d}ms |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        s, b, s20, b20, v = r["svc"], r["base"], r["svc20"], r["base20"], r.get("vcsim")
        soap, vcsim_ms = (str(v["soap"]), f"{v['ms']:.1f}") if v else ("-", "-")
        print(
            f"| {r['op']} | {r['vms']} | {s['vcd']} | {s['vc']} | {soap} | {s['ms']:.1f} | {s20['ms']:.1f} "
            f"| {vcsim_ms} | {s['cpu_ms']:.1f} | {s['bytes']} | {b['vcd']} | {b['vc']} | {b['ms']:.1f} "
            f"| {b20['ms']:.1f} | {b['ms'] / s['ms']:.1f}x | {b20['ms'] / s20['ms']:.1f}x |"
        )
    print(json.dumps(rows), file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100,500", help="VMs per vApp (default 1,10,100,500)")
    parser.add_argument("--operations", default=",".join(OPERATIONS), help="comma-separated operations")
    parser.add_argument("--repeat", type=int, default=5, help="timed plans per cell (median)")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="injected per backend request")
    parser.add_argument("--no-vcsim", action="store_true", help="skip the pyvmomi adapter on vcsim")
    parser.add_argument(
        "--throughput",
        nargs="*",
        metavar="CHECKOUT",
        help="only measure plans/s with gunicorn, of each checkout given (default: this one)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput: how long to load")
    parser.add_argument("--clients", type=int, default=8, help="throughput: client threads")
    args = parser.parse_args()
    if args.throughput is not None and not args.throughput:
        args.throughput = [str(Path(__file__).resolve().parents[1])]
    sizes = [int(s) for s in args.sizes.split(",")]
    run(sizes, args.operations.split(","), args.repeat, args.delay_ms, not args.no_vcsim, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
