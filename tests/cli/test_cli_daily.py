"""The CLI for a whole day: login / logout, operations, tpm, backups; through a pipe and under a pseudo-terminal;
every command the CLI's hints and help epilogs print runs as printed."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import stat
import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

from api import create_app
from tests.demo import urn
from vcdtpm.bootstrap import bootstrap
from vcdtpm.cli import main as cli
from vcdtpm.cli import render
from vcdtpm.cli.client import Client
from vcdtpm.cli.logins import TokenStore
from vcdtpm.config import Config

WEB1 = urn("vm", "web-1")
APP7 = urn("vapp", "app7")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """The service on its own demo world, tasks finishing at once, over HTTP on a free port."""
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("daily-data")), sim_task_delay=0))
    server = make_server("127.0.0.1", 0, create_app(use_cases=wired.use_cases), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    wired.close()


@pytest.fixture()
def home(tmp_path, monkeypatch, url):
    """A user with no saved login yet: their own config dir, the service in $VCDTPM_URL, a password at hand."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("VCDTPM_URL", url)
    monkeypatch.setenv("VCDTPM_PASSWORD", "secret")
    monkeypatch.delenv("VCDTPM_TOKEN", raising=False)
    return tmp_path


@pytest.fixture()
def vcdtpm(home, capsys):
    def run(*argv):
        status = cli.main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def subprocess_env(home) -> dict:
    return {**os.environ, "PYTHONUNBUFFERED": "0"}


def test_login_saves_the_session_0600_and_later_commands_use_it(vcdtpm, home, url):
    status, out, _ = vcdtpm("login", "--user", "alice@acme")
    assert status == 0 and f"logged in to {url} as alice@acme" in out
    path = home / "config" / "vcdtpm" / "logins.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert list(saved) == [url] and saved[url]["user"] == "alice@acme" and "secret" not in path.read_text()
    os.environ.pop("VCDTPM_PASSWORD")  # no password from here on: the saved session is enough
    status, out, _ = vcdtpm("plan", "copy_vm", "--source-vm", WEB1, "--target-vapp", APP7)
    assert status == 0 and "allowed    yes" in out


def test_logout_forgets_the_session_and_says_how_to_log_in(vcdtpm, url):
    vcdtpm("login", "--user", "alice@acme")
    status, out, _ = vcdtpm("logout")
    assert status == 0 and out.strip() == f"logged out of {url}"
    status, _, err = vcdtpm("plan", "copy_vm", "--source-vm", WEB1, "--target-vapp", APP7)
    assert status == 2 and "vcdtpm login --user USER@ORG" in err


def test_a_saved_session_the_service_no_longer_knows_says_how_to_log_in_again(vcdtpm, url):
    TokenStore().save(url, "not-a-session", "alice@acme")
    status, _, err = vcdtpm("tpm", WEB1)
    assert status == 2 and "log in again with: vcdtpm login --user alice@acme" in err


def test_tpm_shows_presence_identity_and_readiness(vcdtpm):
    vcdtpm("login", "--user", "alice@acme")
    status, out, _ = vcdtpm("tpm", WEB1)
    assert status == 0
    assert "vTPM       present" in out and "can add    no" in out
    assert "single_tpm" in out and "web-1 already has a vTPM" in out
    status, out, _ = vcdtpm("tpm", WEB1, "--json")
    assert json.loads(out)["present"] is True


def test_operations_lists_the_orgs_operations_and_filters_by_status(vcdtpm):
    vcdtpm("login", "--user", "alice@acme")
    status, out, err = vcdtpm("run", "add_tpm", "--source-vm", urn("vm", "linux-b1"), "--poll", "0.02")
    assert status == 0, err
    status, out, _ = vcdtpm("operations", "--status", "succeeded", "--json")
    page = json.loads(out)
    assert status == 0 and page["total"] >= 1
    assert {op["status"] for op in page["operations"]} == {"succeeded"}
    status, out, _ = vcdtpm("operations", "--status", "failed", "--json")
    assert json.loads(out)["operations"] == []
    status, out, _ = vcdtpm("operations")
    assert "add_tpm" in out and re.search(r"^1-\d+ of \d+ \(page 1\)$", out, re.M)


def test_operations_reads_the_paged_answer_of_the_contract(monkeypatch):
    paged = {"operations": [{"id": "op-1", "status": "failed"}], "page": 2, "pageSize": 1, "total": 3}
    seen = {}

    def call(self, method, path, **kwargs):
        seen.update(kwargs.get("params") or {})
        return type("Answer", (), {"json": lambda _self: paged, "status_code": 200})()

    monkeypatch.setattr(Client, "call", call)
    assert Client("http://x").operations("failed", 2, 1) == paged
    assert seen == {"status": "failed", "page": 2, "pageSize": 1}
    assert render.render_operations(paged)[-1] == "2-2 of 3 (page 2)"


def test_backup_backups_and_restore_as_the_provider(vcdtpm):
    vcdtpm("login", "--user", "admin@System")
    status, out, err = vcdtpm("backup", WEB1, "--json")
    assert status == 0, err
    backup = json.loads(out)
    status, out, _ = vcdtpm("backups")
    assert status == 0 and backup["id"] in out and "web-1" in out
    status, out, err = vcdtpm("restore", backup["id"], "--vcenter", "vc-a", "--name", "web-1-back")
    assert status == 0, err
    assert "restored     web-1-back" in out and "the same as the backup" in out


def test_a_tenant_asking_for_backups_gets_a_readable_refusal(vcdtpm):
    vcdtpm("login", "--user", "alice@acme")
    status, _, err = vcdtpm("backups")
    assert status == 2 and err.startswith("vcdtpm: Forbidden: ")


def test_a_refused_run_names_vms_prints_the_key_and_speaks_in_flags(vcdtpm):
    vcdtpm("login", "--user", "alice@acme")
    status, out, err = vcdtpm("run", "remove_tpm", "--source-vm", WEB1)
    assert status == 1
    assert re.search(r"idempotency key [0-9a-f-]{36}", err)
    assert "--acknowledge-tpm-data-loss" in out and "acknowledge_tpm_data_loss" not in out
    row = next(line for line in out.splitlines() if "data_loss_acknowledged" in line)
    assert "web-1" in row and WEB1 not in row


def test_matrix_has_a_legend_and_json(vcdtpm):
    status, out, _ = vcdtpm("matrix")
    assert status == 0 and "legend:" in out and "  template  decided by the template's provenance" in out
    status, out, _ = vcdtpm("matrix", "--json")
    assert {row["operation"] for row in json.loads(out)["rows"]} >= {"copy_vm", "remove_tpm"}


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_prints_a_script_naming_every_command(vcdtpm, shell):
    status, out, _ = vcdtpm("completion", shell)
    assert status == 0
    for command in ("plan", "run", "status", "login", "logout", "operations", "tpm", "backup", "backups", "restore"):
        assert command in out


# -- through a pipe and under a pseudo-terminal ----------------------------------------------------------------


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "vcdtpm.cli.main", *argv]


def test_output_cut_short_by_head_ends_quietly(home):
    subprocess.run(_cli("login", "--user", "alice@acme"), check=True, capture_output=True)
    for _ in range(3):
        plan = " ".join(_cli("plan", "copy_vm", "--source-vm", WEB1, "--target-vapp", APP7))
        pipe = subprocess.Popen(
            f"{' '.join(_cli('matrix'))} | head -1; {plan} | head -1",
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = pipe.communicate(timeout=60)
        assert out.splitlines() == [
            "operation                  vCenter 7.x                    vCenter 8.x",
            "operation  copy_vm",
        ]
        assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err


def test_json_output_through_a_pipe_is_json_only(home):
    subprocess.run(_cli("login", "--user", "alice@acme"), check=True, capture_output=True)
    done = subprocess.run(
        _cli("plan", "remove_tpm", "--source-vm", WEB1, "--json"), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and json.loads(done.stdout)["requires_acknowledgement"] is True


def _under_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run under a pseudo-terminal: stdout and stderr are the terminal."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def test_under_a_terminal_the_progress_bar_redraws_one_line_and_marks_are_unicode(home):
    subprocess.run(_cli("login", "--user", "alice@acme"), check=True, capture_output=True)
    status, text = _under_a_terminal(_cli("run", "add_tpm", "--source-vm", urn("vm", "win-old"), "--poll", "0.02"))
    assert status == 0, text
    assert "\r[##########] 100% succeeded" in text and "status     succeeded" in text
    status, text = _under_a_terminal(_cli("plan", "add_tpm", "--source-vm", urn("vm", "bios-1")))
    assert status == 1 and "✗ FAIL" in text


# -- every command the CLI prints as a hint or an example runs as printed ------------------------------------------

PLACEHOLDERS = {"USER@ORG": "alice@acme"}


def _printed_commands(text: str) -> list[str]:
    """Commands as the CLI prints them: example lines (indented), after "with: ", in `backticks` or $(...)."""
    pattern = r"(?:^  |with: |`|\$\()(vcdtpm [^`\n)]+?)(?:`|\)|$)"
    return [m.group(1).strip() for m in re.finditer(pattern, text, re.M)]


def _commands_in_help() -> list[str]:
    top = cli.parser()
    found = []
    for sub in top._subparsers._group_actions[0].choices.values():  # argparse keeps the subcommands here
        found += _printed_commands(sub.format_help())
    return found


def test_every_example_in_the_help_runs_as_printed(home, vcdtpm):
    commands = _commands_in_help()
    assert len(commands) >= 12, commands
    backup_id = None
    for command in commands:
        argv = command.split()[1:]
        if argv[0] == "restore":
            argv[1] = backup_id or pytest.fail("restore's example comes before a backup exists")
        status, out, err = vcdtpm(*argv, *(["--json"] if argv[0] == "backup" else []))
        assert status in (0, 1), f"{command}: {err}"  # 1: a plan that is refused or awaits acknowledgement
        if argv[0] == "backup":
            backup_id = json.loads(out)["id"]


def test_every_hint_the_cli_prints_runs_as_printed(vcdtpm, monkeypatch):
    """The hints of a stopped follow, a lost connection and a missing login, run as printed."""
    from tests.cli.test_cli_remote import ScriptedClient, running
    from vcdtpm.cli import remote as cli_remote

    hints = []
    status, _, err = vcdtpm("plan", "copy_vm", "--source-vm", WEB1, "--target-vapp", APP7)
    hints += _printed_commands(err)
    vcdtpm("login", "--user", "alice@acme")
    status, out, err = vcdtpm(
        "run", "remove_tpm", "--source-vm", urn("vm", "db-1"), "--acknowledge-tpm-data-loss", "--no-wait"
    )
    assert status == 0, err
    operation_id = out.strip()
    real_connect = cli_remote.connect
    monkeypatch.setattr(cli_remote, "connect", lambda args: ScriptedClient(running(10, 0), KeyboardInterrupt()))
    _, _, err = vcdtpm("status", operation_id, "--watch", "--poll", "0")
    hints += _printed_commands(err)
    monkeypatch.setattr(cli_remote, "connect", real_connect)
    assert len(hints) == 2, hints
    for hint in hints:
        for placeholder, value in PLACEHOLDERS.items():
            hint = hint.replace(placeholder, value)
        status, _, err = vcdtpm(*hint.split()[1:], "--poll", "0.02") if "--watch" in hint else vcdtpm(*hint.split()[1:])
        assert status == 0, f"{hint}: {err}"
