"""The load test, tiny: 5 clients for 2 s against `vcdtpm serve`, every answer a 200."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_load_test_runs_without_an_error():
    command = [sys.executable, "bench/bench_load.py", "--clients", "5", "--seconds", "2", "--processes", "1"]
    done = subprocess.run([*command, "--no-baseline"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("vcdtpm serve"))
    requests, _rate, _p50, _p99, errors = row.split()[-5:]
    assert int(requests) > 0 and int(errors) == 0
