"""Load test on loopback: N concurrent clients for S seconds of mixed plan requests against `vcdtpm serve` with its
defaults, beside the former server (Flask's development server, one process, the simulated cloud in-process).

    .venv/bin/python bench/bench_load.py                         # 200 clients, 30 s, both servers
    .venv/bin/python bench/bench_load.py --clients 5 --seconds 2 --no-baseline   # a smoke run

Prints requests, throughput, p50, p99 and errors (any answer but 200, or no answer within --timeout) per server;
exits 1 when `vcdtpm serve` had an error. Clients run in several processes (threads in each), each with its
own keep-alive connection and a token of one of the demo world's users.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.demo import urn  # noqa: E402 - after the path is set

USERS = ("alice@acme", "olivia@acme", "victor@acme", "gina@globex")
ACME_PLANS = [
    {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}},
    {
        "operation": "copy_vm",
        "tpm": "replace",
        "source": {"vm": urn("vm", "web-1")},
        "target": {"vapp": urn("vapp", "app7")},
    },
    {"operation": "copy_vm", "source": {"vm": urn("vm", "db-1")}, "target": {"vapp": urn("vapp", "lab")}},
    {"operation": "add_tpm", "source": {"vm": urn("vm", "bios-1")}},
]
GLOBEX_PLANS = [{"operation": "remove_tpm", "source": {"vm": urn("vm", "gx-1")}, "acknowledge_tpm_data_loss": True}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout}s")


def start(kind: str, data: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    if kind == "serve":
        command = [sys.executable, "-m", "vcdtpm.cli.main", "serve", "--port", str(port), "--data-dir", data]
    else:
        command = [sys.executable, __file__, "--dev-server", str(port), "--data-dir", data]
    log = open(os.path.join(data, f"{kind}.log"), "ab")  # noqa: SIM115 - the child's, closed with it
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, proc)
    return proc, url


def dev_server(port: int, data: str) -> None:
    """The former `vcdtpm serve`: werkzeug's threaded development server, the simulated cloud in-process."""
    from werkzeug.serving import make_server

    from api import create_app
    from vcdtpm.bootstrap import bootstrap
    from vcdtpm.config import Config

    wiring = bootstrap(Config(data_dir=data))
    make_server("127.0.0.1", port, create_app(use_cases=wiring.use_cases), threaded=True).serve_forever()


def tokens(url: str) -> dict[str, str]:
    found = {}
    for user in USERS:
        answer = requests.post(f"{url}/api/v1/sessions", auth=(user, "secret"), timeout=30)
        answer.raise_for_status()
        found[user] = answer.json()["token"]
    return found


def clients(url, tokens_by_user: dict[str, str], count: int, first: int, start_at: float, stop_at: float, timeout):
    """`count` client threads in this process from `start_at` until `stop_at` (time.time()); their latencies
    and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        user = USERS[n % len(USERS)]
        plans = GLOBEX_PLANS if user.endswith("@globex") else ACME_PLANS
        http = requests.Session()
        headers = {"Authorization": f"Bearer {tokens_by_user[user]}", "X-Request-Id": f"bench-{n}"}
        i = n
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            body = plans[i % len(plans)]
            i += 1
            began = time.perf_counter()
            try:
                answer = http.post(f"{url}/api/v1/plans", json=body, headers=headers, timeout=timeout)
                problem = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
            except requests.RequestException as exc:
                problem = type(exc).__name__
            elapsed = time.perf_counter() - began
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(first + n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def load(url: str, n_clients: int, seconds: float, processes: int, timeout: float) -> dict:
    tokens_by_user = tokens(url)
    start_at = time.time() + 3.0  # every client process is up by then
    stop_at = start_at + seconds
    share = [n_clients // processes + (1 if i < n_clients % processes else 0) for i in range(processes)]
    firsts = [sum(share[:i]) for i in range(processes)]
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(clients, url, tokens_by_user, count, first, start_at, stop_at, timeout)
            for count, first in zip(share, firsts)
            if count
        ]
        results = [f.result() for f in futures]
    elapsed = time.time() - start_at  # the last answers may come after stop_at
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, errs in results for e in errs]
    return {
        "requests": len(latencies) + len(errors),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "errors": len(errors),
        "kinds": sorted(set(errors)),
    }


def run(kind: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as data:
        proc, url = start(kind, data)
        try:
            return load(url, args.clients, args.seconds, args.processes, args.timeout)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=4, help="client processes (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a client waits for an answer")
    parser.add_argument("--no-baseline", action="store_true", help="skip the development server")
    parser.add_argument("--dev-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dev_server:
        dev_server(args.dev_server, args.data_dir)
        return 0
    rows = [("vcdtpm serve (gunicorn 2x4 gthread)", run("serve", args))]
    if not args.no_baseline:
        rows.append(("Flask development server (before)", run("dev", args)))
    print(f"{args.clients} clients, {args.seconds:g} s, mixed POST /api/v1/plans on loopback")
    print(f"{'server':38} {'requests':>8} {'req/s':>8} {'p50 s':>7} {'p99 s':>7} {'errors':>6}")
    for name, r in rows:
        print(
            f"{name:38} {r['requests']:8d} {r['throughput']:8.1f} {r['p50']:7.3f} {r['p99']:7.3f} {r['errors']:6d}"
            + (f"  {', '.join(r['kinds'])}" if r["kinds"] else "")
        )
    return 1 if rows[0][1]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
