"""`vcdtpm plan`, `run` and `status` against the real service over HTTP, and their renderers."""

from __future__ import annotations

import io
import json
import re
import threading

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from tests.demo import urn
from vcdtpm.bootstrap import bootstrap
from vcdtpm.cli import main as cli
from vcdtpm.cli import remote as cli_remote
from vcdtpm.cli import render
from vcdtpm.cli.client import ApiError
from vcdtpm.config import Config

COPY_WEB1_TO_APP7 = ["--source-vm", urn("vm", "web-1"), "--target-vapp", urn("vapp", "app7")]
COPY_WEB1_TO_OLD = ["--source-vm", urn("vm", "web-1"), "--target-vapp", urn("vapp", "old")]


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """The service on its own demo world (operations change it) over HTTP on a free port."""
    wired = bootstrap(Config(data_dir=str(tmp_path_factory.mktemp("cli-data"))))
    server = make_server("127.0.0.1", 0, create_app(use_cases=wired.use_cases), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    wired.close()


@pytest.fixture()
def vcdtpm(url, capsys, monkeypatch):
    """Run `vcdtpm ...` as alice (password from $VCDTPM_PASSWORD): (exit status, stdout, stderr)."""
    for name in ("VCDTPM_URL", "VCDTPM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VCDTPM_PASSWORD", "secret")

    def run(*argv, user="alice@acme"):
        common = ["--url", url] + (["--user", user] if user else [])
        status = cli.main([argv[0], *common, *argv[1:]])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture()
def operations(url):
    """Skip when this build of the service has no POST /api/v1/operations yet."""
    token = requests.post(f"{url}/api/v1/sessions", auth=("alice@acme", "secret"), timeout=10).json()["token"]
    probe = requests.post(f"{url}/api/v1/operations", json={}, timeout=10, headers={"Authorization": f"Bearer {token}"})
    if probe.status_code in (404, 405):
        pytest.skip(f"POST /api/v1/operations answers {probe.status_code}")


def test_plan_allowed_prints_a_table_with_the_vm_and_its_action(vcdtpm):
    status, out, _ = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7)
    assert status == 0
    assert "allowed    yes" in out
    vm_row = next(line for line in out.splitlines() if line.startswith("web-1 "))
    assert vm_row.split()[:4] == ["web-1", "yes", "copy", "matrix.copy_vm.7x"]
    assert "band       source 8.x -> target 7.x" in out


def test_plan_refused_shows_the_failing_checks_and_their_remedies(vcdtpm):
    status, out, _ = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_OLD)
    assert status == 1
    assert "allowed    NO (2 failing checks)" in out
    lines = out.splitlines()
    failing = [i for i, line in enumerate(lines) if "FAIL" in line]
    assert {lines[i].split()[2] for i in failing} == {"key_provider_on_target", "shared_storage"}
    assert all(lines[i + 1].lstrip().startswith("remedy: ") for i in failing)


def test_plan_shows_warnings(vcdtpm):
    status, out, _ = vcdtpm(
        "plan",
        "copy_vm",
        "--source-vm",
        urn("vm", "db-1"),
        "--target-vapp",
        urn("vapp", "app7"),
        "--tpm",
        "replace",
        "--replace-on-7x",
    )
    assert status == 1  # the replace loses db-1's vTPM secrets: allowed only after acknowledgement
    assert "emulation.replace_on_7x" in out
    assert "warnings:" in out


def test_plan_json_prints_the_raw_answer(vcdtpm):
    status, out, _ = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7, "--json")
    assert status == 0
    plan = json.loads(out)
    assert plan["allowed"] is True and plan["vms"][0]["name"] == "web-1"


def test_plan_reads_the_request_from_a_body_file(vcdtpm, tmp_path):
    body = tmp_path / "add-tpm.json"
    body.write_text(json.dumps({"operation": "add_tpm", "source": {"vm": urn("vm", "bios-1")}}))
    status, out, _ = vcdtpm("plan", "--body", str(body))
    assert status == 1
    assert "firmware_efi" in out


def test_plan_flags_override_a_body_from_stdin(vcdtpm, monkeypatch):
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(json.dumps({"operation": "add_tpm", "source": {"vm": urn("vm", "bios-1")}}))
    )
    status, out, _ = vcdtpm("plan", "--body", "-", "--source-vm", urn("vm", "web-2"), "--json")
    assert status == 0
    assert json.loads(out)["vms"][0]["name"] == "web-2"


def test_plan_takes_a_new_vm_as_json(vcdtpm):
    vm = {
        "name": "new-win",
        "guest_os": "windows2019srv_64Guest",
        "firmware": "efi",
        "hardware_version": 19,
        "tpm": True,
    }
    status, out, _ = vcdtpm("plan", "create_vm", "--target-vdc", urn("vdc", "acme-d"), "--vm-json", json.dumps(vm))
    assert status == 1
    assert "new-win" in out and "key_provider_configured" in out


def test_bad_password_exits_2_with_a_readable_message(vcdtpm, monkeypatch):
    monkeypatch.setenv("VCDTPM_PASSWORD", "not-the-password")
    status, out, err = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7)
    assert status == 2 and out == ""
    assert err.startswith("vcdtpm: login as alice@acme refused")
    assert "Traceback" not in err and "not-the-password" not in err


def test_bad_token_exits_2(vcdtpm):
    status, _, err = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7, "--token", "nope", user=None)
    assert status == 2
    assert err.startswith("vcdtpm: Unauthorized: ")


def test_password_is_asked_without_echo_when_not_in_the_environment(vcdtpm, monkeypatch):
    monkeypatch.delenv("VCDTPM_PASSWORD")
    asked = []
    monkeypatch.setattr("vcdtpm.cli.client.getpass.getpass", lambda prompt: asked.append(prompt) or "secret")
    status, out, err = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7)
    assert status == 0 and asked == ["Password for alice@acme: "]
    assert "secret" not in out + err


def test_no_credentials_at_all_is_explained(vcdtpm):
    status, _, err = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7, user=None)
    assert status == 2 and "not logged in" in err


def test_an_invalid_request_prints_title_detail_and_field(vcdtpm):
    status, _, err = vcdtpm("plan", "add_tpm", "--source-vm", "web-1")
    assert status == 2
    assert err.startswith("vcdtpm: Invalid request: ") and err.rstrip().endswith("(source.vm)")


def test_a_broken_body_file_is_named(vcdtpm, tmp_path):
    body = tmp_path / "broken.json"
    body.write_text("{oops")
    status, _, err = vcdtpm("plan", "--body", str(body))
    assert status == 2 and f"{body}: not valid JSON" in err


def test_an_unreachable_service_is_reported(capsys, monkeypatch):
    monkeypatch.setenv("VCDTPM_TOKEN", "t")
    status = cli.main(["plan", "add_tpm", "--source-vm", urn("vm", "web-2"), "--url", "http://127.0.0.1:9"])
    assert status == 2
    assert "cannot reach vcdtpm at http://127.0.0.1:9/" in capsys.readouterr().err


def test_run_refused_prints_the_failing_checks(vcdtpm, operations):
    status, out, _ = vcdtpm("run", "add_tpm", "--source-vm", urn("vm", "bios-1"))
    assert status == 1
    assert out.startswith("refused: Conflict: ")
    assert "firmware_efi" in out and "remedy: " in out


def test_run_follows_the_operation_to_its_result(vcdtpm, operations):
    status, out, err = vcdtpm("run", "add_tpm", "--source-vm", urn("vm", "web-2"), "--poll", "0.05")
    assert status == 0, err
    assert "status     succeeded" in out
    assert f"vm         {urn('vm', 'web-2')}" in out
    assert err.rstrip().endswith("[##########] 100% succeeded")


def test_run_no_wait_then_status_watch(vcdtpm, operations):
    status, out, _ = vcdtpm("run", "add_tpm", "--source-vm", urn("vm", "linux-b1"), "--no-wait")
    assert status == 0
    operation_id = out.strip()
    status, out, _ = vcdtpm("status", operation_id, "--watch", "--poll", "0.05")
    assert status == 0
    assert f"operation  {operation_id} (add_tpm)" in out and "succeeded" in out


def test_run_with_the_same_idempotency_key_gives_the_same_operation(vcdtpm, operations):
    args = ("run", "add_tpm", "--source-vm", urn("vm", "win-old"), "--no-wait", "--idempotency-key", "cli-key-1")
    first, second = vcdtpm(*args), vcdtpm(*args)
    assert first[0] == second[0] == 0 and first[1] == second[1]


def test_status_of_an_unknown_operation_is_not_found(vcdtpm, operations):
    status, _, err = vcdtpm("status", "no-such-operation")
    assert status == 2 and "Not found" in err


@pytest.fixture()
def contract_url():
    """A stand-in answering POST/GET /api/v1/operations exactly as the contract shows them."""
    from werkzeug.wrappers import Request, Response

    states = iter([("running", 40, "running"), ("running", 70, "succeeded"), ("succeeded", 100, "succeeded")])

    @Request.application
    def app(request):
        if request.path == "/api/v1/operations" and request.method == "POST":
            seen["key"] = request.headers.get("Idempotency-Key")
            body = {"id": "op-7", "operation": "add_tpm", "status": "queued", "plan": {}}
            return Response(
                json.dumps(body), 202, {"Location": "/api/v1/operations/op-7"}, content_type="application/json"
            )
        status, progress, step = next(states)
        body = {
            "id": "op-7",
            "operation": "add_tpm",
            "status": status,
            "progress": progress,
            "error": None,
            "steps": [{"index": 0, "name": "add_tpm", "kind": "add_tpm", "status": step, "progress": progress}],
            "result": {"vm": urn("vm", "web-2")} if status == "succeeded" else None,
        }
        return Response(json.dumps(body), 200, content_type="application/json")

    seen = {}
    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_run_follows_the_location_of_a_contract_shaped_answer(contract_url, capsys):
    url, seen = contract_url
    status = cli.main(
        [
            "run",
            "add_tpm",
            "--source-vm",
            urn("vm", "web-2"),
            "--url",
            url,
            "--token",
            "t",
            "--poll",
            "0",
            "--idempotency-key",
            "k-1",
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0 and seen["key"] == "k-1"
    assert "status     succeeded" in out and urn("vm", "web-2") in out
    assert err.splitlines()[2:] == [  # after the idempotency key and the start
        "[####------] 40% step 1/1 add_tpm ...",
        "[#######---] 70% step 1/1 add_tpm ...",
        "[##########] 100% succeeded",
    ]


class ScriptedClient:
    """A client whose operation goes through the given states, then raises what is left."""

    def __init__(self, *states):
        self.states = list(states)

    def start(self, body, key):
        self.key = key
        return {"id": "op-1", "operation": body["operation"], "status": "queued"}, "http://x/api/v1/operations/op-1"

    def operation(self, where):
        state = self.states.pop(0)
        if isinstance(state, BaseException):
            raise state
        return state


def running(progress, index):
    steps = [
        {"index": i, "name": name, "status": "succeeded" if i < index else "running" if i == index else "pending"}
        for i, name in enumerate(["copy_vm", "remove vTPM of the copy", "add a new vTPM to the copy"])
    ]
    return {"id": "op-1", "operation": "copy_vm", "status": "running", "progress": progress, "steps": steps}


def test_progress_line_shows_the_bar_the_percentage_and_the_running_step():
    assert render.progress_line(running(50, 1)) == "[#####-----] 50% step 2/3 remove vTPM of the copy ..."


def test_progress_line_of_a_finished_or_stepless_operation_shows_its_status():
    assert render.progress_line({"status": "succeeded", "progress": 100, "steps": []}) == "[##########] 100% succeeded"
    assert render.progress_line({"status": "queued"}) == "[----------] 0% queued"
    assert render.progress_line({"status": "running", "progress": 250}).startswith("[##########] 100%")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_redraws_one_line_on_a_terminal_and_prints_lines_elsewhere():
    tty, log = Terminal(), io.StringIO()
    for stream in (tty, log):
        bar = render.ProgressBar(stream)
        for state in (running(10, 0), running(10, 0), running(50, 1)):
            bar.show(state)
        bar.end()
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("\n")
    assert log.getvalue().splitlines() == [
        "[#---------] 10% step 1/3 copy_vm ...",
        "[#####-----] 50% step 2/3 remove vTPM of the copy ...",
    ]


def test_run_against_a_scripted_service_prints_the_result_and_the_error(capsys, monkeypatch):
    failed = {
        **running(66, 2),
        "status": "failed",
        "result": {"vm": "urn:vcloud:vm:x"},
        "error": {"title": "Backend error", "detail": "the vTPM could not be added", "status": 502},
    }
    client = ScriptedClient(running(0, 0), running(50, 1), failed)
    monkeypatch.setattr(cli_remote, "connect", lambda args: client)
    status = cli.main(
        ["run", "copy_vm", "--source-vm", "urn:vcloud:vm:a", "--target-vapp", "urn:vcloud:vapp:b", "--poll", "0"]
    )
    out, err = capsys.readouterr()
    assert status == 1
    assert "status     FAILED" in out and "vm         urn:vcloud:vm:x" in out
    assert "error      Backend error: the vTPM could not be added" in out
    assert f"idempotency key {client.key}" in err and "step 2/3" in err


def test_ctrl_c_stops_following_and_says_how_to_follow_again(capsys, monkeypatch):
    monkeypatch.setattr(cli_remote, "connect", lambda args: ScriptedClient(running(10, 0), KeyboardInterrupt()))
    status = cli.main(["run", "add_tpm", "--source-vm", "urn:vcloud:vm:a", "--poll", "0"])
    err = capsys.readouterr().err
    assert status == 130
    assert "operation op-1 goes on in the service" in err and "vcdtpm status op-1 --watch" in err


def test_a_lost_connection_while_following_names_the_operation(capsys, monkeypatch):
    lost = ApiError("cannot reach vcdtpm at http://x/: [Errno 111] Connection refused")
    monkeypatch.setattr(cli_remote, "connect", lambda args: ScriptedClient(running(10, 0), lost))
    status = cli.main(["status", "op-1", "--watch", "--poll", "0"])
    assert status == 2
    assert "operation op-1 may still be running: vcdtpm status op-1 --watch" in capsys.readouterr().err


def test_plan_shows_checks_passing_for_every_vm_once_and_full_shows_each(vcdtpm):
    _, compact, _ = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7)
    assert "(every VM)" in compact
    _, full, _ = vcdtpm("plan", "copy_vm", *COPY_WEB1_TO_APP7, "--full")
    # only the operation's own check (the caller's rights) is not about a VM
    assert [line for line in full.splitlines() if "(every VM)" in line and "Cloud Director right" not in line] == []
    assert len([line for line in full.splitlines() if " firmware_efi " in line]) == 1


def test_operations_lists_a_page_filtered_by_status(vcdtpm, operations):
    status, _, _ = vcdtpm("run", "add_tpm", "--source-vm", urn("vm", "linux-b1"), "--poll", "0.05")
    status, out, _ = vcdtpm("operations", "--status", "succeeded", "--page-size", "1")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "operation", "status", "progress", "user", "created"]
    assert len(lines) == 4 and lines[1].split()[2] == "succeeded"
    assert re.fullmatch(r"1-1 of \d+ \(page 1\)", lines[3])
    status, out, _ = vcdtpm("operations", "--status", "queued", "--json")
    page = json.loads(out)
    assert (page["page"], page["pageSize"], page["total"], page["operations"]) == (1, 25, 0, [])
