"""`vcdtpm serve --task-delay S`: the simulated cloud's tasks take time by default, so progress shows real steps."""

from __future__ import annotations

import argparse
import threading

import pytest
from werkzeug.serving import make_server

from api import create_app
from tests.demo import urn
from vcdtpm.bootstrap import bootstrap
from vcdtpm.cli import main as cli


def serve_args(tmp_path, *argv: str) -> argparse.Namespace:
    return cli.parser().parse_args(["serve", "--data-dir", str(tmp_path), *argv])


@pytest.fixture(autouse=True)
def no_config(monkeypatch):
    monkeypatch.delenv("VCDTPM_CONFIG", raising=False)


def test_the_demo_tasks_take_a_second_by_default(tmp_path):
    assert cli.serve_config(serve_args(tmp_path)).sim_task_delay == cli.DEMO_TASK_DELAY == 1.0


def test_task_delay_sets_it_and_zero_finishes_at_once(tmp_path):
    assert cli.serve_config(serve_args(tmp_path, "--task-delay", "2.5")).sim_task_delay == 2.5
    assert cli.serve_config(serve_args(tmp_path, "--task-delay", "0")).sim_task_delay == 0.0


def test_a_config_file_that_states_the_delay_is_followed(tmp_path):
    config = tmp_path / "vcdtpm.yaml"
    config.write_text("sim_task_delay: 0\n")
    assert cli.serve_config(serve_args(tmp_path, "--config", str(config))).sim_task_delay == 0.0
    assert cli.serve_config(serve_args(tmp_path, "--config", str(config), "--task-delay", "3")).sim_task_delay == 3.0


def test_a_real_cloud_gets_no_demo_delay(tmp_path):
    config = tmp_path / "vcdtpm.yaml"
    config.write_text("cloud_director: {url: 'https://vcd.example.com', user: admin, password: x}\n")
    assert cli.serve_config(serve_args(tmp_path, "--config", str(config))).sim_task_delay == 0.0


def test_with_the_default_delay_a_followed_run_shows_its_steps(tmp_path, monkeypatch, capsys):
    config = cli.serve_config(serve_args(tmp_path))
    wired = bootstrap(config)
    server = make_server("127.0.0.1", 0, create_app(use_cases=wired.use_cases), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("VCDTPM_PASSWORD", "secret")
        url = f"http://127.0.0.1:{server.server_port}"
        argv = ["run", "add_tpm", "--source-vm", urn("vm", "web-2"), "--url", url, "--user", "alice@acme"]
        status = cli.main([*argv, "--poll", "0.05"])
        err = capsys.readouterr().err
    finally:
        server.shutdown()
        wired.close()
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert status == 0
    assert any("step 1/1" in line for line in progress), progress  # seen running, not only 0 % then 100 %
    assert progress[-1] == "[##########] 100% succeeded"
