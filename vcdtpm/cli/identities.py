"""`vcdtpm identities`: which VMs share one vTPM identity (and so its secrets), as tables for people."""

from __future__ import annotations

from urllib.parse import urlencode

from vcdtpm.cli import remote
from vcdtpm.cli.render import dumps, table


def add_parser(sub) -> None:
    """The `identities` subcommand, with the common options of the remote commands."""
    parser = sub.add_parser(
        "identities",
        parents=[remote._common_options()],
        help="VMs grouped by vTPM identity: members, others, lineage",
        epilog="exit status: 0 answered, 2 error",
    )
    parser.add_argument("--shared", action="store_true", help="only identities held by two VMs or more")
    parser.add_argument("--org", help="provider only: groups with a VM in this org")
    parser.add_argument("--vcenter", help="provider only: groups with a VM on this vCenter")
    parser.set_defaults(run=remote._guarded(identities_command))


def identities_command(args) -> int:
    query = {"shared": "true" if args.shared else None, "org": args.org, "vcenter": args.vcenter}
    path = "api/v1/tpm-identities"
    given = {key: value for key, value in query.items() if value}
    client = remote.connect(args)
    answer = client.call("GET", f"{path}?{urlencode(given)}" if given else path).json()
    print(dumps(answer) if args.json else "\n".join(render_identities(answer, shared=args.shared)))
    return 0


def render_identities(answer: dict, shared: bool = False) -> list[str]:
    """Each group: its identity and size, a table of the members the caller sees, the others
    counted, and the operations that made members (lineage)."""
    groups = answer.get("groups") or []
    if not groups:
        return ["No VM shares its vTPM identity with another VM." if shared else "No VM with a vTPM."]
    lines: list[str] = []
    for group in groups:
        lines += [""] if lines else []
        lines += _group(group)
    return lines


def _group(group: dict) -> list[str]:
    vms, others = group.get("vms") or [], int(group.get("others") or 0)
    size = len(vms) + others
    lines = [f"{group.get('identity')}  ({size} VM{'s' if size != 1 else ''})"]
    provider = any("org" in vm or "vcenter" in vm for vm in vms)
    head: tuple = ("VM", "id", "org", "vCenter") if provider else ("VM", "id")
    rows = [(vm.get("name"), vm.get("id"), vm.get("org"), vm.get("vcenter"))[: len(head)] for vm in vms]
    lines += ["  " + line for line in table(head, rows)]
    if others:
        lines.append(f"  + {others} other VM{'s' if others != 1 else ''} you cannot see (other orgs)")
    for step in group.get("lineage") or []:
        where = f" in {step['org']}" if step.get("org") else ""
        lines.append(
            f"  made by {step.get('operation')} ({step.get('operation_id')}) by {step.get('user')}{where} "
            f"at {step.get('time')}: {step.get('result')}"
        )
    return lines
