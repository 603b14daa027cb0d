"""How the CLI shows plans, checks, refusals and operations to people: tables, marks and a progress bar."""

from __future__ import annotations

import json
import re
import shutil
import sys

from vcdtpm.cli.client import TERMINAL, problem_text

MARKS = {"pass": "✓", "fail": "✗", "warn": "!", "skip": "-"}
ASCII_MARKS = {"pass": "+", "fail": "x", "warn": "!", "skip": "-"}


class ProgressBar:
    """One line redrawn with \\r on a terminal; elsewhere one line per change."""

    def __init__(self, stream):
        self.stream, self.tty, self.last = stream, stream.isatty(), ""

    def show(self, operation: dict) -> None:
        line = progress_line(operation)
        if self.tty:
            line = line[: max(20, shutil.get_terminal_size().columns - 1)]
        if line == self.last:
            return
        pad = " " * max(0, len(self.last) - len(line))
        self.stream.write(f"\r{line}{pad}" if self.tty else f"{line}\n")
        self.stream.flush()
        self.last = line

    def end(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()
        self.last = ""


def progress_line(operation: dict, width: int = 10) -> str:
    """`[#####-----] 50% step 2/3 remove vTPM of the copy ...` for an operation."""
    percent = max(0, min(100, int(operation.get("progress") or 0)))
    filled = percent * width // 100
    head = f"[{'#' * filled}{'-' * (width - filled)}] {percent}%"
    steps, status = operation.get("steps") or [], operation.get("status") or "queued"
    if status in TERMINAL or not steps:
        return f"{head} {status}"
    current = next((s for s in steps if s.get("status") == "running"), None)
    current = current or next((s for s in steps if s.get("status") not in TERMINAL), steps[-1])
    return f"{head} step {steps.index(current) + 1}/{len(steps)} {current.get('name', '')} ..."


def table(head: tuple, rows: list[tuple]) -> list[str]:
    """Left-aligned columns, two spaces apart; the last column is not padded."""
    cells = [tuple("-" if c is None else str(c) for c in row) for row in [head, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]


def render_plan(plan: dict, marks: dict = MARKS) -> list[str]:
    """A plan as a header, a table of VMs, a table of checks with remedies, and warnings."""
    failing = sum(1 for check in plan.get("checks", []) if check.get("status") == "fail")
    if not plan.get("allowed"):
        allowed = f"NO ({failing} failing check{'s' * (failing != 1)})"
    elif plan.get("requires_acknowledgement"):
        allowed = f"allowed after acknowledgement ({ACKNOWLEDGE_FLAG})"
    else:
        allowed = "yes"
    lines = [
        f"operation  {plan.get('operation')}",
        f"allowed    {allowed}",
        f"tpm        {plan.get('tpm') or '-'}",
        f"band       source {plan.get('source_band') or '-'} -> target {plan.get('target_band') or '-'}",
        "",
    ]
    vms = plan.get("vms", [])
    lines += table(
        ("VM", "vTPM", "action", "rule"),
        [(vm.get("name"), "yes" if vm.get("tpm_present") else "no", vm.get("action"), vm.get("rule")) for vm in vms],
    )
    names = {vm.get("id"): vm.get("name") for vm in vms if vm.get("id")}
    lines += ["", *render_checks(plan.get("checks", []), names, marks)]
    warnings = plan.get("warnings") or []
    lines += ["", "warnings:", *(f"  {marks['warn']} {as_flags(text)}" for text in warnings)] if warnings else []
    return lines


def plan_allows(plan: dict) -> bool:
    """Whether executing the plan's request would go ahead: no failing check and nothing left to acknowledge."""
    return bool(plan.get("allowed")) and not plan.get("requires_acknowledgement")


ACKNOWLEDGE_FLAG = "--acknowledge-tpm-data-loss"
# The service's remedies name request fields; on the command line the same thing is a flag.
_AS_FLAGS = (
    (re.compile(r"[Ss]et acknowledge_tpm_data_loss(?::| to) true"), f"pass {ACKNOWLEDGE_FLAG}"),
    (re.compile(r"[Ss]et replace_on_7x(?::| to) true"), "pass --replace-on-7x"),
    (re.compile(r"\(replace_on_7x\)"), "(--replace-on-7x)"),
    (re.compile(r"Omit `tpm` \(or set it to copy\)"), "Leave out --tpm (or pass --tpm copy)"),
    (re.compile(r"Omit `tpm`"), "Leave out --tpm"),
    (re.compile(r"set `?tpm`? to '?(copy|replace)'?"), r"pass --tpm \1"),
)


def as_flags(text: str) -> str:
    """A remedy or message with request fields named as the CLI's flags."""
    for pattern, flag in _AS_FLAGS:
        text = pattern.sub(flag, text)
    return text


def render_checks(checks: list[dict], names: dict, marks: dict = MARKS) -> list[str]:
    """The checks table; each failing check's remedy right below its row."""
    if not checks:
        return ["no checks"]
    rows = [
        (
            f"{marks.get(c.get('status'), '?')} {'FAIL' if c.get('status') == 'fail' else c.get('status')}",
            c.get("id"),
            names.get(c.get("vm"), c.get("vm")) if c.get("vm") is not None else "(every VM)",
            as_flags(c.get("message") or ""),
        )
        for c in checks
    ]
    lines = table(("status", "check", "VM", "message"), rows)
    out = lines[:1]
    for check, line in zip(checks, lines[1:]):
        out.append(line)
        if check.get("status") in ("fail", "warn") and check.get("remedy"):
            out.append(f"    remedy: {as_flags(check['remedy'])}")
    return out


def render_refusal(problem: dict, marks: dict = MARKS) -> list[str]:
    """A 409 from POST /operations: why, and the failing (and warning) checks."""
    checks = [c for c in problem.get("checks", []) if c.get("status") in ("fail", "warn")]
    names = {vm.get("id"): vm.get("name") for vm in problem.get("vms") or [] if vm.get("id")}
    return [f"refused: {as_flags(problem_text(problem))}", "", *render_checks(checks, names, marks)]


def render_operation(operation: dict) -> list[str]:
    """An operation's status, steps, result URNs and error."""
    status = operation.get("status")
    lines = [
        f"operation  {operation.get('id')} ({operation.get('operation')})",
        f"status     {'FAILED' if status == 'failed' else status}",
    ]
    if status not in TERMINAL:
        lines.append(f"progress   {progress_line(operation)}")
    steps = operation.get("steps") or []
    lines += [
        f"  step {n}/{len(steps)}  {s.get('status', '-'):<9}  {s.get('name', '')}" for n, s in enumerate(steps, 1)
    ]
    lines += [f"{kind:<10} {urn}" for kind, urn in (operation.get("result") or {}).items()]
    if operation.get("error"):
        error = operation["error"]
        lines.append(f"error      {problem_text(error) if isinstance(error, dict) else error}")
    return lines


def terminal_marks() -> dict:
    try:
        "".join(MARKS.values()).encode(sys.stdout.encoding or "ascii")
        return MARKS
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS


def dumps(value) -> str:
    return json.dumps(value, indent=2)


def render_operations(page: dict) -> list[str]:
    """A page of operations as a table, with where it sits in the whole list."""
    ops = page.get("operations") or []
    rows = [
        (op.get("id"), op.get("operation"), op.get("status"), f"{op.get('progress') or 0}%", op.get("user"), _when(op))
        for op in ops
    ]
    total, number, size = page.get("total", len(ops)), page.get("page", 1), page.get("pageSize", len(ops))
    lines = table(("ID", "operation", "status", "progress", "user", "created"), rows) if ops else ["no operations"]
    first = (number - 1) * size + 1 if ops else 0
    return [*lines, "", f"{first}-{first + len(ops) - 1 if ops else 0} of {total} (page {number})"]


def _when(operation: dict) -> str:
    created = operation.get("created_at") or ""
    return created.replace("T", " ")[:19] if created else "-"


def render_vm_tpm(vm: str, answer: dict, marks: dict = MARKS) -> list[str]:
    """A VM's vTPM: present, identity, band, and whether one could be added now, check by check."""
    readiness = answer.get("readiness") or {}
    lines = [
        f"VM         {vm}",
        f"vTPM       {'present' if answer.get('present') else 'none'}",
        f"identity   {answer.get('identity') or '-'}",
        f"band       {answer.get('band') or '-'}",
        f"can add    {'yes' if readiness.get('can_add') else 'no'}",
        "",
    ]
    return lines + render_checks(readiness.get("checks") or [], {}, marks)


def render_backups(answer: dict) -> list[str]:
    backups = answer.get("backups") or []
    if not backups:
        return ["no backups"]
    rows = [
        (b.get("id"), b.get("vm_name"), b.get("vcenter"), b.get("key_provider"), _intact(b), b.get("created_at"))
        for b in backups
    ]
    return table(("backup", "VM", "vCenter", "key provider", "intact", "created"), rows)


def _intact(backup: dict) -> str:
    return "yes" if backup.get("intact") else "NO"


def render_backup(backup: dict) -> list[str]:
    keys = ("id", "vm", "vm_name", "vcenter", "key_provider", "firmware", "identity", "checksum", "size", "created_at")
    return [f"{key:<13}{backup.get(key)}" for key in keys if key in backup]


def render_restore(restore: dict) -> list[str]:
    matches = "the same as the backup" if restore.get("identity_matches") else "DIFFERENT from the backup"
    return [
        f"restored     {restore.get('vm_name')} ({restore.get('moref')}) on {restore.get('vcenter')}",
        f"from backup  {restore.get('backup')}",
        f"identity     {restore.get('identity')} ({matches})",
    ]


MATRIX_LEGEND = [
    "",
    "legend:",
    "  copy      the vTPM is copied: same secrets, same identity (EK certificate)",
    "  replace   a new, blank vTPM: BitLocker keys and other secrets are gone",
    "  new       a new, blank vTPM on a new VM, or added to a VM that has none",
    "  remove    the vTPM is removed with its keys",
    "  template  decided by the template's provenance (captured with copy or replace, OVF: replace,",
    "            imported from vCenter: copy; unknown when vcdtpm did not make it)",
    '  a | b (default a)  either, chosen with --tpm / "tpm"; a when not chosen (Cloud Director\'s default)',
]
