"""`vcdtpm operations`, `tpm`, `backup`, `backups` and `restore`: the service's reads and the provider's
vTPM backups from a terminal."""

from __future__ import annotations

from vcdtpm.cli.render import (
    dumps,
    render_backup,
    render_backups,
    render_operations,
    render_restore,
    render_vm_tpm,
    terminal_marks,
)

STATUSES = ("queued", "running", "succeeded", "failed")
WEB1 = "urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000001"  # the demo world's web-1
RESTORE_EPILOG = """example (BACKUP: an id from `vcdtpm backups --user admin@System`):
  vcdtpm restore BACKUP --vcenter vc-a --user admin@System"""


def add_parsers(sub, common, guarded, connect) -> None:
    """The subcommands, sharing the common options of plan / run / status."""
    ops = sub.add_parser(
        "operations",
        parents=[common],
        help="list your org's operations",
        epilog="example:\n  vcdtpm operations --status failed",
        formatter_class=_raw(),
    )
    ops.add_argument("--status", choices=STATUSES, help="only operations in this status")
    ops.add_argument("--page", type=int, default=1, help="page number (default 1)")
    ops.add_argument("--page-size", type=int, default=25, metavar="N", help="operations per page (default 25)")
    ops.set_defaults(run=guarded(lambda args: operations_command(args, connect(args))))

    tpm = sub.add_parser(
        "tpm",
        parents=[common],
        help="a VM's vTPM: present, identity, and whether one could be added now",
        epilog=f"example:\n  vcdtpm tpm {WEB1}",
        formatter_class=_raw(),
    )
    tpm.add_argument("vm", metavar="VM", help="the VM's URN (urn:vcloud:vm:<uuid>)")
    tpm.set_defaults(run=guarded(lambda args: tpm_command(args, connect(args))))

    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="provider: back up a VM's vTPM",
        epilog=f"example:\n  vcdtpm backup {WEB1} --user admin@System",
        formatter_class=_raw(),
    )
    backup.add_argument("vm", metavar="VM", help="the VM's URN")
    backup.set_defaults(run=guarded(lambda args: backup_command(args, connect(args))))

    listing = sub.add_parser(
        "backups",
        parents=[common],
        help="provider: list the vTPM backups",
        epilog="example:\n  vcdtpm backups --user admin@System",
        formatter_class=_raw(),
    )
    listing.set_defaults(run=guarded(lambda args: backups_command(args, connect(args))))

    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="provider: restore a vTPM backup onto a vCenter",
        epilog=RESTORE_EPILOG,
        formatter_class=_raw(),
    )
    restore.add_argument("backup", metavar="BACKUP", help="a backup id (from the backups command, as below)")
    where = restore.add_mutually_exclusive_group(required=True)
    where.add_argument("--target-vdc", metavar="URN", help="onto the vCenter and datastore behind this VDC")
    where.add_argument("--vcenter", metavar="NAME", help="onto this vCenter")
    restore.add_argument("--datastore", metavar="NAME", help="with --vcenter: this datastore")
    restore.add_argument("--name", help="the restored VM's name (default <vm>-restored)")
    restore.set_defaults(run=guarded(lambda args: restore_command(args, connect(args))))


def _raw():
    import argparse

    return argparse.RawDescriptionHelpFormatter


def operations_command(args, client) -> int:
    page = client.operations(args.status, args.page, args.page_size)
    print(dumps(page) if args.json else "\n".join(render_operations(page)))
    return 0


def tpm_command(args, client) -> int:
    answer = client.vm_tpm(args.vm)
    print(dumps(answer) if args.json else "\n".join(render_vm_tpm(args.vm, answer, terminal_marks())))
    return 0


def backup_command(args, client) -> int:
    backup = client.backup(args.vm)
    print(dumps(backup) if args.json else "\n".join(render_backup(backup)))
    return 0


def backups_command(args, client) -> int:
    answer = client.backups()
    print(dumps(answer) if args.json else "\n".join(render_backups(answer)))
    return 0


def restore_command(args, client) -> int:
    body = {"backup": args.backup, "target_vdc": args.target_vdc, "vcenter": args.vcenter}
    body.update(datastore=args.datastore, name=args.name)
    restored = client.restore({key: value for key, value in body.items() if value})
    print(dumps(restored) if args.json else "\n".join(render_restore(restored)))
    return 0
