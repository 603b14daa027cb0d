"""The simulated cloud in one process of its own, shared by every worker of `vcdtpm serve`.

The simulated Cloud Director answers over HTTP, as it does for `vcdtpm sim`; the simulated vCenters (the
same inventory, so a VM that Cloud Director clones is one the vCenter then knows) are reached through a
`multiprocessing` manager on the loopback interface, with a random key. Every worker thus sees one world
and one set of sessions. The process writes its logs to its own file (`sim.log` under the data directory).
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import select
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.managers import BaseManager

from vcdtpm.domain import errors
from vcdtpm.domain.errors import BackendUnavailable, VcdTpmError
from vcdtpm.domain.model import Host, VCenterFacts, VmFacts
from vcdtpm.ports import TpmBackup, VCenter

log = logging.getLogger("vcdtpm.sim.shared")
START_SECONDS = 60.0
_METHODS = frozenset({"facts", "vm_facts", "find_vm", "hosts_of", "backup_vtpm", "restore_vtpm", "tpm_identities"})


@dataclass(frozen=True)
class SharedSimEndpoint:
    """Where a worker finds the shared simulated cloud (picklable: it crosses the fork)."""

    vcd_url: str
    vcenters_address: tuple[str, int]
    authkey: bytes = field(repr=False)


class _Manager(BaseManager):
    pass


class VCenterDesk:
    """Answers the workers' vCenter calls in the simulator's process; errors travel as data."""

    def __init__(self, inventory):
        from vcdtpm.sim.vcenter import simulated_vcenters

        self.inventory = inventory
        self.vcenters = simulated_vcenters(inventory)

    def settings(self) -> dict:
        admin = self.inventory.provider_users[0]
        return {
            "vcenters": sorted(self.vcenters),
            "admin_user": admin.name,
            "admin_password": admin.password,
            "fast_cross_vcenter_instantiation": bool(self.inventory.fast_cross_vcenter_instantiation),
        }

    def call(self, vcenter: str, method: str, args: tuple) -> tuple:
        if method not in _METHODS or vcenter not in self.vcenters:
            return ("error", "NotFound", f"vCenter {vcenter} has no {method}", {})
        try:
            return ("ok", getattr(self.vcenters[vcenter], method)(*args))
        except VcdTpmError as exc:
            return ("error", type(exc).__name__, exc.message, exc.kwargs)


def _serve(world: str | None, task_delay: float, log_file: str, authkey: bytes) -> None:
    """The simulator's process: the vCD over HTTP and the vCenters' manager, each in a thread; it says where
    they listen on standard output and ends when its standard input closes (every process of the service,
    which hold its other end, has gone) or on SIGTERM."""
    from vcdtpm.logs import configure_logging
    from vcdtpm.sim.vcd import create_vcd_app
    from vcdtpm.sim.vcd.server import make_sim_server
    from vcdtpm.sim.world.loader import demo_world, load_world

    configure_logging(stream=open(log_file, "a", encoding="utf-8"))  # noqa: SIM115 - the process's log
    inventory = load_world(world) if world else demo_world()
    server = make_sim_server(create_vcd_app(inventory, task_delay=task_delay))
    threading.Thread(target=server.serve_forever, name="sim-vcd", daemon=True).start()
    desk = VCenterDesk(inventory)
    _Manager.register("desk", callable=lambda: desk)
    listener = _Manager(address=("127.0.0.1", 0), authkey=authkey).get_server()
    threading.Thread(target=listener.serve_forever, name="sim-vcenters", daemon=True).start()
    where = {"vcd_url": f"http://127.0.0.1:{server.port}", "vcenters_address": list(listener.address)}  # type: ignore[arg-type]  # TCP: (host, port)
    sys.stdout.write(json.dumps(where) + "\n")
    sys.stdout.flush()
    log.info("simulated cloud serving", extra={"vcd_port": server.port, "world": world or "demo"})
    sys.stdin.buffer.read()  # until the service has gone
    log.info("simulated cloud stopping")


class SharedSim:
    """The simulator's process, started and stopped by the serving process (gunicorn's master) with
    `python -m vcdtpm.sim.shared`; the key reaches it on standard input, never on its command line."""

    def __init__(self, world: str | None, task_delay: float, log_file: str):
        self._authkey = secrets.token_bytes(32)
        command = [sys.executable, "-m", "vcdtpm.sim.shared", "--task-delay", str(task_delay), "--log-file", log_file]
        if world:
            command += ["--world", world]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(self._authkey.hex().encode() + b"\n")
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], START_SECONDS)
        line = self._process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError(f"the simulated cloud did not start; see {log_file}")
        where = json.loads(line)
        self.endpoint = SharedSimEndpoint(where["vcd_url"], tuple(where["vcenters_address"]), self._authkey)

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)


class SharedSimClient:
    """A worker's connection to the shared simulator: its settings and one VCenter port per vCenter."""

    def __init__(self, endpoint: SharedSimEndpoint):
        _Manager.register("desk")
        manager = _Manager(address=endpoint.vcenters_address, authkey=endpoint.authkey)
        manager.connect()
        self._desk = manager.desk()  # type: ignore[attr-defined]  # registered above
        self.settings: dict = self._desk.settings()

    def vcenters(self) -> dict[str, VCenter]:
        return {name: RemoteVCenter(self._desk, name) for name in self.settings["vcenters"]}


class RemoteVCenter(VCenter):
    """A simulated vCenter living in the simulator's process; its errors re-raised as the domain's."""

    def __init__(self, desk, name: str):
        self._desk, self.name = desk, name

    def _call(self, method: str, *args):
        try:
            answer = self._desk.call(self.name, method, args)
        except (OSError, EOFError) as exc:
            raise BackendUnavailable(backend=f"vCenter {self.name}", reason=f"the simulator: {exc}") from None
        if answer[0] == "ok":
            return answer[1]
        _, kind, message, kwargs = answer
        raise _rebuilt(kind, message, kwargs)

    def facts(self) -> VCenterFacts:
        return self._call("facts")

    def vm_facts(self, morefs: Sequence[str]) -> dict[str, VmFacts]:
        return self._call("vm_facts", list(morefs))

    def find_vm(self, name: str) -> VmFacts | None:
        return self._call("find_vm", name)

    def tpm_identities(self) -> dict[str, str]:
        return self._call("tpm_identities")

    def hosts_of(self, resource_pool: str) -> tuple[Host, ...] | None:
        return self._call("hosts_of", resource_pool)

    def backup_vtpm(self, moref: str) -> TpmBackup:
        return self._call("backup_vtpm", moref)

    def restore_vtpm(self, backup: TpmBackup, name: str, datastore: str | None = None) -> VmFacts:
        return self._call("restore_vtpm", backup, name, datastore)


def _rebuilt(kind: str, message: str, kwargs: dict) -> VcdTpmError:
    """The domain error the simulator raised, with its message and fields."""
    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, VcdTpmError)):
        cls = VcdTpmError
    exc = cls.__new__(cls)
    VcdTpmError.__init__(exc, message, **kwargs)
    if "field" in kwargs:
        exc.field = kwargs["field"]  # type: ignore[attr-defined]  # Invalid's
    return exc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m vcdtpm.sim.shared")
    parser.add_argument("--world")
    parser.add_argument("--task-delay", type=float, default=0.0)
    parser.add_argument("--log-file", required=True)
    args = parser.parse_args(argv)
    authkey = bytes.fromhex(sys.stdin.buffer.readline().decode().strip())
    _serve(args.world, args.task_delay, args.log_file, authkey)


if __name__ == "__main__":
    main()
