"""`vcdtpm serve` as an operator starts it: gunicorn workers over one shared simulated cloud."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.demo import urn
from tests.e2e.processes import Process, free_port


@pytest.fixture()
def served(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    log = tmp_path / "serve.log"
    service = Process(["serve", "--port", str(port), "--data-dir", str(data)], f"{url}/livez", str(log))
    yield service, url, data, log
    service.stop()


def login(url: str, who: str) -> dict:
    answer = requests.post(f"{url}/api/v1/sessions", auth=(who, "secret"), timeout=10)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def json_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def sim_processes(data) -> list[int]:
    """The simulated cloud's process(es) writing to this service's data directory."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "vcdtpm.sim.shared" in cmdline and str(data) in cmdline:
            found.append(int(pid))
    return found


def test_every_worker_sees_the_same_sessions_and_each_operation_runs_once(served):
    service, url, data, log = served
    alice = login(url, "alice@acme")

    def matrix(i: int) -> int:
        headers = {**alice, "X-Request-Id": f"spread-{i}"}
        return requests.get(f"{url}/api/v1/matrix", headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(matrix, range(96)))
    assert statuses == [200] * 96  # a session made on one worker is known to every other
    served_by = {r["process"] for r in json_lines(log) if str(r.get("request_id", "")).startswith("spread-")}
    assert len(served_by) == 2, "both workers should have answered"

    body = {"operation": "add_tpm", "source": {"vm": urn("vm", "web-2")}}
    submitted = requests.post(f"{url}/api/v1/operations", json=body, headers=alice, timeout=30)
    assert submitted.status_code == 202, submitted.text
    location = f"{url}{submitted.headers['Location']}"
    for _ in range(300):
        state = requests.get(location, headers=alice, timeout=10).json()
        if state["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert state["status"] == "succeeded", state
    edits = [r for r in json_lines(data / "sim.log") if "editTrustedPlatformModule" in r["message"]]
    assert len(edits) == 1, "the step's request reached Cloud Director once"

    admin = login(url, "admin@System")
    metrics = requests.get(f"{url}/metrics", headers=admin, timeout=10).text
    assert 'vcdtpm_operation_status_changes_total{status="running"} 1.0' in metrics
    assert 'vcdtpm_operation_status_changes_total{status="succeeded"} 1.0' in metrics
    assert 'vcdtpm_operations{status="succeeded"} 1.0' in metrics


def test_sigterm_stops_the_workers_and_the_simulated_cloud(served):
    service, url, data, log = served
    assert requests.get(f"{url}/readyz", timeout=10).json()["status"] == "ok"
    assert len(sim_processes(data)) == 1
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(30) == 0
    assert sim_processes(data) == []
    records = json_lines(log)
    assert any(r["logger"] == "gunicorn.error" and "Shutting down" in r["message"] for r in records)
    assert all("\x1b[" not in r["message"] for r in records)


def test_with_a_certificate_and_key_the_service_speaks_https(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data"), "--certfile", str(cert)]
    with open(tmp_path / "tls.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "vcdtpm.cli.main", *args, "--keyfile", str(key)], stderr=log)
    answer = None
    try:
        for _ in range(300):
            try:
                answer = requests.get(f"{url}/livez", verify=str(cert), timeout=2)
                break
            except requests.RequestException:
                assert proc.poll() is None, (tmp_path / "tls.log").read_text()
                time.sleep(0.1)
        assert answer is not None and answer.json() == {"status": "ok"}
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{url}/livez", timeout=10)  # verified against the system's CAs: refused
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
