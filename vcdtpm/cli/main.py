"""The `vcdtpm` command: serve, sim, matrix, openapi, completion, register, and the commands against the REST API."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, cast

from vcdtpm.cli import extension as cli_extension
from vcdtpm.cli import identities as cli_identities
from vcdtpm.cli import remote as cli_remote
from vcdtpm.cli import serve as serve_options
from vcdtpm.cli.render import MATRIX_LEGEND
from vcdtpm.cli.serve import DEMO_TASK_DELAY, serve_config  # noqa: F401 - `vcdtpm serve`'s configuration
from vcdtpm.domain.errors import VcdTpmError
from vcdtpm.logs import configure_logging

if TYPE_CHECKING:
    from vcdtpm.bootstrap import UseCases


def _serve(args) -> int:
    from vcdtpm.cli import serve

    return serve.run(args)


def _interrupt(*_) -> None:
    """SIGTERM stops serving as Ctrl-C does (shutdown() from the serving thread would hang)."""
    raise KeyboardInterrupt


def _serve_until_stopped(server, *closers) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the server and what it used."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        for close in closers:
            close()


def _sim(args) -> int:
    """Only the simulated Cloud Director, over HTTP, for a service configured to use it."""
    from vcdtpm.sim.vcd import create_vcd_app
    from vcdtpm.sim.vcd.server import make_sim_server
    from vcdtpm.sim.world.loader import demo_world, load_world

    inventory = load_world(args.world) if args.world else demo_world()
    server = make_sim_server(create_vcd_app(inventory, task_delay=args.task_delay), args.host, args.port)
    print(f"simulated Cloud Director on http://{args.host}:{server.server_port}", flush=True)
    _serve_until_stopped(server)
    return 0


def _matrix(args) -> int:
    from vcdtpm.domain.matrix import matrix_rows

    rows = matrix_rows()
    if args.json:
        print(json.dumps({"rows": rows}, indent=2))
        return 0
    head = ("operation", "vCenter 7.x", "vCenter 8.x")
    cells = [(r["operation"], _modes(r["7.x"]), _modes(r["8.x"])) for r in rows]
    widths = [max(len(str(c[i])) for c in cells + [head]) for i in range(3)]
    for line in [head, tuple("-" * w for w in widths)] + cells:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
    print("\n".join(MATRIX_LEGEND))
    return 0


def _modes(band: dict) -> str:
    modes = band["modes"]
    text = " | ".join(modes)
    return f"{text} (default {band['default']})" if len(modes) > 1 else text


def _openapi(args) -> int:
    from api import create_app, openapi_document

    text = openapi_document(create_app(use_cases=cast("UseCases", object())))  # the spec needs no backend
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="vcdtpm", description="Plan and provision vCD VMs with a vTPM.")
    sub = top.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the REST service (the simulated cloud unless configured)")
    serve_options.add_arguments(serve)
    serve.set_defaults(run=_serve)
    sim = sub.add_parser("sim", help="run only the simulated Cloud Director (for a configured service)")
    sim.add_argument("--world", help="a world file (default: the demo world)")
    sim.add_argument("--port", type=int, default=8443)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--task-delay", type=float, default=0.0, help="seconds each Cloud Director task takes")
    sim.set_defaults(run=_sim)
    matrix = sub.add_parser("matrix", help="print the copy/replace matrix")
    matrix.add_argument("--json", action="store_true", help="print the matrix as JSON")
    matrix.set_defaults(run=_matrix)
    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", "-o", default="-")
    openapi.set_defaults(run=_openapi)
    cli_remote.add_parsers(sub)
    cli_extension.add_parsers(sub)
    cli_identities.add_parser(sub)
    completion = sub.add_parser(
        "completion",
        help="print a shell completion script",
        epilog='example: eval "$(vcdtpm completion bash)"   (or save it under /etc/bash_completion.d/)',
    )
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))
    completion.set_defaults(run=_completion)
    return top


def _completion(args) -> int:
    import shtab

    print(shtab.complete(parser(), shell=args.shell))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("serve", "sim"):
        configure_logging()  # one JSON object per line on standard error
    else:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        status = args.run(args)
        sys.stdout.flush()
        return status
    except VcdTpmError as exc:
        print(f"vcdtpm: {exc.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return _reader_left()
    except KeyboardInterrupt:
        return 130


def _reader_left() -> int:
    """The reader of our output went away (`vcdtpm ... | head`): stop quietly, as `head`'s other writers do.
    stdout goes to /dev/null so the interpreter's last flush cannot fail again
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
