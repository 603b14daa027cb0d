"""`vcdtpm serve`: the REST service under gunicorn (gthread workers), with the simulated cloud in a process of its
own when no Cloud Director is configured, JSON logs, and prometheus-client's multiprocess metrics.

gunicorn's master binds the socket, starts the simulated cloud (if any), then forks the workers; each worker
builds its own wiring (bootstrap) and runs an executor, and the journal's leases let exactly one of them carry
out each operation. SIGTERM stops gracefully: the workers finish the requests in flight (up to
--graceful-timeout), then the simulated cloud stops.
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

DEFAULT_WORKERS = 2  # two cores
DEFAULT_THREADS = 4


DEMO_TASK_DELAY = 1.0  # seconds per simulated Cloud Director task: progress bars show real steps


def serve_config(args):
    """The configuration `serve` runs with: --task-delay, else the file's sim_task_delay, else, for the
    simulated cloud, DEMO_TASK_DELAY."""
    from dataclasses import replace

    from vcdtpm.config import load_config, states

    config = load_config(args.config, world=args.world, data_dir=args.data_dir, sim_task_delay=args.task_delay)
    if args.task_delay is None and config.simulated and not states("sim_task_delay", args.config):
        config = replace(config, sim_task_delay=DEMO_TASK_DELAY)
    return config


def add_arguments(serve: argparse.ArgumentParser) -> None:
    """serve's options; one line here and one entry in `gunicorn_settings` for another."""
    serve.add_argument("--world", help="a world file for the simulated cloud (default: the demo world)")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--config", help="a configuration file (default: $VCDTPM_CONFIG)")
    serve.add_argument("--data-dir", help="where vcdtpm keeps its state")
    serve.add_argument(
        "--task-delay",
        type=float,
        metavar="SECONDS",
        help=f"simulated cloud: seconds each Cloud Director task takes (default: the config's sim_task_delay, "
        f"else {DEMO_TASK_DELAY:g}; 0: at once)",
    )
    serve.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="worker processes (default: %(default)s)")
    serve.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per worker (default: %(default)s)")
    serve.add_argument(
        "--timeout", type=int, default=60, help="seconds a request may take before its worker is restarted"
    )
    serve.add_argument(
        "--graceful-timeout", type=int, default=30, help="seconds to finish requests in flight on SIGTERM"
    )
    serve.add_argument("--certfile", help="TLS certificate (PEM); with --keyfile the service speaks HTTPS")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")


@dataclass
class _Worker:
    """What a worker process built, to close when it exits."""

    closers: list = field(default_factory=list)


_worker = _Worker()


def gunicorn_settings(args, on_ready) -> dict[str, Any]:
    from vcdtpm.cli.gunicorn_logs import JsonGunicornLogger

    return {
        "bind": [f"{args.host}:{args.port}"],
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread",
        "timeout": args.timeout,
        "graceful_timeout": args.graceful_timeout,
        "keepalive": 5,
        "certfile": args.certfile,
        "keyfile": args.keyfile,
        "accesslog": None,  # the service logs one JSON event per request itself (api/tracing.py)
        "errorlog": "-",
        "logger_class": JsonGunicornLogger,
        "proc_name": "vcdtpm",
        "control_socket_disable": True,  # no control socket in the home directory
        "when_ready": on_ready,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
    }


def _check_tls(args) -> None:
    from vcdtpm.domain.errors import Invalid

    if bool(args.certfile) != bool(args.keyfile):
        raise Invalid("--certfile" if not args.certfile else "--keyfile", "TLS needs both --certfile and --keyfile")
    for name, path in (("--certfile", args.certfile), ("--keyfile", args.keyfile)):
        if path and not os.path.isfile(path):
            raise Invalid(name, f"{path} is not a readable file")
    if args.workers < 1 or args.threads < 1:
        raise Invalid("--workers" if args.workers < 1 else "--threads", "must be at least 1")


def metrics_dir(data_dir: str) -> str:
    """PROMETHEUS_MULTIPROC_DIR as the operator set it, else <data_dir>/metrics emptied for this run.
    Set before prometheus_client is imported: it chooses multiprocess mode at import."""
    chosen = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not chosen:
        chosen = os.path.join(data_dir, "metrics")
        shutil.rmtree(chosen, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = chosen
    os.makedirs(chosen, exist_ok=True)
    return chosen


def run(args) -> int:
    _check_tls(args)
    config = serve_config(args)
    os.makedirs(config.data_dir, exist_ok=True)
    metrics_dir(config.data_dir)

    from gunicorn.app.base import BaseApplication

    from vcdtpm.sim.shared import SharedSim

    sim = None
    if config.simulated:
        sim = SharedSim(config.world, config.sim_task_delay, os.path.join(config.data_dir, "sim.log"))
    endpoint = sim.endpoint if sim else None

    def load():
        """In each worker: its own wiring on the shared simulated cloud (or the configured one)."""
        from api import create_app
        from api.metrics import METRICS_TOKEN
        from vcdtpm.bootstrap import bootstrap

        wiring = bootstrap(config, shared_sim=endpoint)
        _worker.closers.append(wiring.close)
        return create_app({METRICS_TOKEN: config.metrics_token}, use_cases=wiring.use_cases)

    def on_ready(server) -> None:
        host, port = server.LISTENERS[0].sock.getsockname()[:2]
        scheme = "https" if args.certfile else "http"
        vcd = config.cloud_director
        mode = f"simulated cloud ({config.world or 'demo world'})" if vcd is None else vcd.url
        if vcd is None:
            mode += f", each task {config.sim_task_delay:g}s"
        print(f"vcdtpm listening on {scheme}://{host}:{port} - Cloud Director: {mode}", flush=True)

    class Service(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_settings(args, on_ready).items():
                if key in self.cfg.settings:  # control_socket_disable: gunicorn 24+ only
                    self.cfg.set(key, value)

        def load(self):
            return load()

    master = os.getpid()
    try:
        Service().run()  # gunicorn ends the master (and each worker, which forked from here) with SystemExit
    finally:
        if sim is not None and os.getpid() == master:
            sim.stop()
    return 0


def _worker_exit(server, worker) -> None:
    while _worker.closers:
        _worker.closers.pop()()


def _child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
