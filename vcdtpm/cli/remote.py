"""`vcdtpm plan`, `run`, `status`, `login` and `logout`: the REST API from a terminal, rendered for people."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

from vcdtpm.cli import client as restclient
from vcdtpm.cli import reads
from vcdtpm.cli.client import DEFAULT_URL, TERMINAL, ApiError, Client
from vcdtpm.cli.logins import TokenStore, login_command, logout_command
from vcdtpm.cli.render import (
    ProgressBar,
    dumps,
    plan_allows,
    render_operation,
    render_plan,
    render_refusal,
    terminal_marks,
)
from vcdtpm.domain.model import Operation

SOURCES = ("vm", "vapp", "template", "vcenter_vm")
TARGETS = ("vdc", "vapp", "catalog")


class InputError(Exception):
    """A request that cannot be built from the command line (bad file, bad JSON)."""


WEB1 = "urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000001"  # the demo world's web-1, web-2, app7
WEB2 = "urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000002"
APP7 = "urn:vcloud:vapp:6b0a5c3e-0000-4000-8000-000000000043"
PLAN_EPILOG = f"""examples (the demo world; log in first with: vcdtpm login --user alice@acme):
  vcdtpm plan copy_vm --source-vm {WEB1} --target-vapp {APP7}
  vcdtpm plan remove_tpm --source-vm {WEB1}

exit status: 0 allowed, 1 refused or allowed only after acknowledgement, 2 error"""
RUN_EPILOG = f"""example:
  vcdtpm run add_tpm --source-vm {WEB2} --no-wait

exit status: 0 succeeded, 1 refused or failed, 2 error, 130 stopped following"""
LOGIN_EPILOG = """example (password from $VCDTPM_PASSWORD, else asked):
  vcdtpm login --user alice@acme"""


def add_parsers(sub) -> None:
    """The `plan`, `run`, `status`, `login`, `logout` subcommands, and the reads of reads.py."""
    common, request = _common_options(), _request_options()
    raw = argparse.RawDescriptionHelpFormatter
    plan = sub.add_parser(
        "plan",
        parents=[common, request],
        help="dry run: what happens to each VM's vTPM",
        epilog=PLAN_EPILOG,
        formatter_class=raw,
    )
    plan.add_argument("--full", action="store_true", help="every check for every VM (default: what did not pass)")
    plan.set_defaults(run=_guarded(plan_command))
    run = sub.add_parser(
        "run",
        parents=[common, request, _poll_option()],
        help="execute an operation, follow it",
        epilog=RUN_EPILOG,
        formatter_class=raw,
    )
    run.add_argument("--idempotency-key", metavar="KEY", help="the key of an earlier attempt (default: a new one)")
    run.add_argument("--no-wait", action="store_true", help="print the operation id and exit")
    run.set_defaults(run=_guarded(run_command))
    status = sub.add_parser("status", parents=[common, _poll_option()], help="show an operation (--watch: follow)")
    status.add_argument("id", help="the operation id")
    status.add_argument("--watch", action="store_true", help="follow the operation until it ends")
    status.set_defaults(run=_guarded(status_command))
    login = sub.add_parser(
        "login",
        parents=[common],
        help="log in and save the session for this service",
        epilog=LOGIN_EPILOG,
        formatter_class=raw,
    )
    login.set_defaults(run=_guarded(login_command))
    logout = sub.add_parser("logout", parents=[common], help="forget the saved session for this service")
    logout.set_defaults(run=_guarded(logout_command))
    reads.add_parsers(sub, common, _guarded, connect)


def _poll_option() -> argparse.ArgumentParser:
    poll = argparse.ArgumentParser(add_help=False)
    poll.add_argument("--poll", type=float, default=0.5, metavar="SECONDS", help="time between polls (default 0.5)")
    return poll


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help=f"the vcdtpm service (default: $VCDTPM_URL or {DEFAULT_URL})")
    who = common.add_mutually_exclusive_group()
    who.add_argument("--token", help="a bearer token (default: $VCDTPM_TOKEN, which keeps it out of `ps`)")
    who.add_argument("--user", metavar="USER@ORG", help="log in; password from $VCDTPM_PASSWORD or asked")
    common.add_argument("--insecure", action="store_true", help="do not verify the service's TLS certificate")
    common.add_argument("--ca-bundle", metavar="FILE", help="CA certificates to verify the service with")
    common.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="wait for each answer (30)")
    common.add_argument("--json", action="store_true", help="print the raw JSON answer")
    return common


def _request_options() -> argparse.ArgumentParser:
    request = argparse.ArgumentParser(add_help=False)
    request.add_argument(
        "operation",
        nargs="?",
        metavar="OPERATION",
        choices=[op.value for op in Operation],
        help="one of: " + ", ".join(op.value for op in Operation),
    )
    request.add_argument("--body", metavar="FILE", help="the request as a JSON file ('-': stdin); flags override")
    for name in SOURCES:
        request.add_argument(f"--source-{name.replace('_', '-')}", metavar="URN" if name != "vcenter_vm" else "NAME")
    for name in TARGETS:
        request.add_argument(f"--target-{name}", metavar="URN")
    request.add_argument("--tpm", choices=("copy", "replace"), help="what to do with an existing vTPM")
    request.add_argument("--replace-on-7x", action="store_true", help="emulate replace on vCenter 7.x")
    request.add_argument(
        "--acknowledge-tpm-data-loss",
        action="store_true",
        help="allow replacing or removing a vTPM (its BitLocker/Windows Hello secrets are lost)",
    )
    request.add_argument("--vm-json", metavar="JSON", help='a new VM: \'{"name": ..., "guest_os": ...}\'')
    request.add_argument("--items-json", metavar="JSON", help="compose_vapp items as a JSON list")
    request.add_argument("--ovf", metavar="FILE", help="an OVF descriptor file")
    return request


def _guarded(command):
    """Run `command`; errors become a readable line on stderr and exit status 2."""

    def run(args) -> int:
        try:
            return command(args)
        except (ApiError, InputError) as exc:
            print(f"vcdtpm: {exc}", file=sys.stderr)
            return 2

    return run


def connect(args) -> Client:
    """A client logged in as the common options say."""
    if args.insecure:
        print("vcdtpm: warning: TLS certificate verification is off (--insecure)", file=sys.stderr)
    return restclient.connect(
        args.url,
        token=args.token,
        user=args.user,
        timeout=args.timeout,
        verify=restclient.tls_verify(args.insecure, args.ca_bundle),
        saved=TokenStore().get,
    )


def request_body(args, stdin=None) -> dict:
    """The request: --body's JSON, then every flag given on top of it."""
    where = "stdin" if args.body == "-" else args.body
    body = _parse_json(where, _read_text(args.body, stdin)) if args.body else {}
    if not isinstance(body, dict):
        raise InputError(f"{where}: the request must be a JSON object")
    for part, names in (("source", SOURCES), ("target", TARGETS)):
        given = {name: getattr(args, f"{part}_{name}") for name in names if getattr(args, f"{part}_{name}")}
        if given:
            body[part] = {**(body.get(part) or {}), **given}
    flags = {
        "operation": args.operation,
        "tpm": args.tpm,
        "replace_on_7x": args.replace_on_7x or None,
        "acknowledge_tpm_data_loss": args.acknowledge_tpm_data_loss or None,
        "vm": args.vm_json and _parse_json("--vm-json", args.vm_json),
        "items": args.items_json and _parse_json("--items-json", args.items_json),
        "ovf": args.ovf and _read_text(args.ovf),
    }
    body.update({key: value for key, value in flags.items() if value is not None})
    if not body.get("operation"):
        raise InputError("name the operation (e.g. `vcdtpm plan copy_vm ...`) or pass --body FILE")
    return body


def _read_text(path: str, stdin=None) -> str:
    try:
        if path == "-":
            return (stdin or sys.stdin).read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def _parse_json(where: str, text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"{where}: not valid JSON: {exc}") from None


def plan_command(args) -> int:
    body = request_body(args)  # before logging in: a bad request asks no password
    plan = connect(args).plan(body, full=args.full)
    print(dumps(plan) if args.json else "\n".join(render_plan(plan, terminal_marks())))
    return 0 if plan_allows(plan) else 1


def run_command(args) -> int:
    body = request_body(args)
    client = connect(args)
    key = args.idempotency_key or str(uuid.uuid4())
    print(f"vcdtpm: idempotency key {key}", file=sys.stderr)
    try:
        operation, location = client.start(body, key)
    except ApiError as exc:
        if exc.status == 409 and "checks" in exc.problem:
            print(dumps(exc.problem) if args.json else "\n".join(render_refusal(exc.problem, terminal_marks())))
            return 1
        if exc.status is None:
            raise ApiError(
                f"{exc}\n  if it started anyway, retry with --idempotency-key {key} to start it at most once"
            ) from None
        raise
    if args.no_wait:
        print(dumps(operation) if args.json else operation["id"])
        return 0
    print(f"vcdtpm: operation {operation['id']} ({operation.get('operation')}) started", file=sys.stderr)
    return follow(client, location, operation["id"], args)


def status_command(args) -> int:
    client = connect(args)
    if args.watch:
        return follow(client, args.id, args.id, args)
    operation = client.operation(args.id)
    print(dumps(operation) if args.json else "\n".join(render_operation(operation)))
    return 1 if operation.get("status") == "failed" else 0


def follow(client: Client, where: str, operation_id: str, args) -> int:
    """Poll until the operation ends, with a progress bar on stderr; Ctrl-C stops following only."""
    bar = ProgressBar(sys.stderr)
    try:
        operation = client.operation(where)
        while operation.get("status") not in TERMINAL:
            bar.show(operation)
            time.sleep(args.poll)
            operation = client.operation(where)
    except KeyboardInterrupt:
        bar.end()
        print(
            f"vcdtpm: stopped following; operation {operation_id} goes on in the service. "
            f"Follow it again with: {_status_command(args, operation_id)}",
            file=sys.stderr,
        )
        return 130
    except ApiError as exc:
        bar.end()
        raise ApiError(
            f"{exc}\n  operation {operation_id} may still be running: {_status_command(args, operation_id)}",
            exc.status,
            exc.problem,
        ) from None
    bar.show(operation)
    bar.end()
    print(dumps(operation) if args.json else "\n".join(render_operation(operation)))
    return 0 if operation["status"] == "succeeded" else 1


def _status_command(args, operation_id: str) -> str:
    """The command that follows the operation again, with the service and the account as given."""
    return (
        f"vcdtpm status {operation_id} --watch"
        + (f" --url {args.url}" if args.url else "")
        + (f" --user {args.user}" if args.user else "")
    )
