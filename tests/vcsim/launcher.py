"""Build and run the vcsim-vcdtpm launcher: one simulated vCenter per process."""

from __future__ import annotations

import json
import select
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BINARY = HERE / "bin" / "vcsim-vcdtpm"
GO_MISSING = (3,)  # build.sh: no Go, or one older than go.mod needs
USER = "administrator@vsphere.local"


class GoMissing(RuntimeError):
    """No Go new enough for the launcher's go.mod is installed, so it cannot be built."""


def build() -> Path:
    """Build the launcher; `GoMissing` when the toolchain is absent, RuntimeError on failure."""
    done = subprocess.run([str(HERE / "build.sh")], capture_output=True, text=True, timeout=600)
    if done.returncode in GO_MISSING:
        raise GoMissing(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(f"build.sh failed ({done.returncode}):\n{done.stderr}")
    return BINARY


@dataclass
class Vcsim:
    """A running simulated vCenter: its URL, CA file and the launcher's records."""

    api_version: str
    instance_uuid: str
    config: dict
    password: str = "vcsim-secret-1"
    user: str = USER
    url: str = ""
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="vcsim-")))
    process: subprocess.Popen | None = None

    @property
    def ca_bundle(self) -> str:
        return str(self.workdir / "ca.pem")

    def start(self, binary: Path = BINARY, timeout: float = 60.0) -> Vcsim:
        config = self.workdir / "config.json"
        config.write_text(json.dumps(self.config))
        args = [
            str(binary),
            "--port",
            "0",
            "--api-version",
            self.api_version,
            "--instance-uuid",
            self.instance_uuid,
            "--config",
            str(config),
            "--user",
            self.user,
            "--password",
            self.password,
            "--ca-out",
            self.ca_bundle,
        ]
        with open(self.workdir / "vcsim.log", "wb") as log:
            self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log)
        self.url = self._first_line(timeout)
        return self

    def _first_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline().decode().strip()
                if line:
                    return line
            if self.process.poll() is not None:
                break
        log = (self.workdir / "vcsim.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"vcsim did not start: {log}")

    def stop(self) -> None:
        """Stop the simulator and remove its files."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _get(self, what: str):
        context = ssl.create_default_context(cafile=self.ca_bundle)
        with urllib.request.urlopen(self.url.replace("/sdk", f"/vcdtpm/{what}"), context=context) as r:
            return json.load(r)

    def clones(self) -> list[dict]:
        """Every CloneVM_Task request received: source, name, policy, device changes."""
        return self._get("clones")

    def calls(self) -> dict[str, int]:
        """SOAP requests received, by method; file-service transfers as folder:GET / folder:PUT."""
        return self._get("calls")

    def creates(self) -> list[dict]:
        """Every CreateVM_Task request received: name, crypto key, extraConfig, device changes."""
        return self._get("creates")

    def file(
        self,
        method: str,
        path: str,
        cookie: str | None = None,
        data: bytes | None = None,
        datastore: str = "LocalDS_0",
        datacenter: str = "DC0",
    ) -> tuple[int, bytes]:
        """One file-service transfer of a datastore file: (HTTP status, body)."""
        query = urllib.parse.urlencode({"dcPath": datacenter, "dsName": datastore})
        url = self.url.replace("/sdk", f"/folder/{urllib.parse.quote(path)}?{query}")
        request = urllib.request.Request(url, data=data, method=method)
        if cookie:
            request.add_header("Cookie", cookie)
        context = ssl.create_default_context(cafile=self.ca_bundle)
        try:
            with urllib.request.urlopen(request, context=context) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()

    def vms(self) -> dict[str, dict]:
        """Every VM by name: its moref and its vTPM identity as the simulator knows it."""
        return self._get("vms")
