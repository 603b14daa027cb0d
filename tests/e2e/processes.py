"""Real service processes for crash and replica tests: `vcdtpm sim` and `vcdtpm serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests
import yaml

from vcdtpm.sim.world.loader import DEMO_WORLD_PATH


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A `vcdtpm` subcommand in its own process, waited on until it answers."""

    def __init__(self, args: list[str], probe: str, log_path: str):
        self.probe = probe
        self.log = open(log_path, "ab")  # noqa: SIM115 - held open for the child process, closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vcdtpm.cli.main", *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.proc.args} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                requests.get(self.probe, timeout=1)
                return
            except (requests.ConnectionError, requests.Timeout):  # gunicorn accepts before its workers answer
                time.sleep(0.1)
        raise RuntimeError(f"{self.proc.args} did not answer within {timeout}s")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def start_sim(tmp_path, task_delay: float) -> tuple[Process, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sim = Process(
        ["sim", "--port", str(port), "--task-delay", str(task_delay)], f"{url}/api/versions", str(tmp_path / "sim.log")
    )
    return sim, url


def write_config(tmp_path, vcd_url: str, name: str = "service", **extra) -> str:
    config = {
        "cloud_director": {"url": vcd_url, "user": "admin", "password": "secret"},
        "world": str(DEMO_WORLD_PATH),
        "data_dir": str(tmp_path / "data"),
        "lease_seconds": 2.0,
        "poll_seconds": 0.1,
        **extra,
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def start_service(tmp_path, config: str, name: str = "service") -> tuple[Process, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = Process(
        ["serve", "--config", config, "--port", str(port)], f"{url}/healthz", str(tmp_path / f"{name}.log")
    )
    return service, url
