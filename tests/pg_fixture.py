"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, served on a free loopback port."""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest

BINARIES = ("initdb", "pg_ctl", "postgres", "psql")
START_ATTEMPTS = 3


def find_pg_bin() -> str | None:
    """The directory holding PostgreSQL's server binaries: $PG_BIN, then PATH, then Debian's."""
    candidates = [os.environ.get("PG_BIN", "")]
    if shutil.which("pg_ctl"):
        candidates.append(os.path.dirname(os.path.realpath(shutil.which("pg_ctl"))))
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(debian, key=lambda path: [int(n) for n in re.findall(r"\d+", path)], reverse=True)
    for directory in filter(None, candidates):
        if all(os.access(os.path.join(directory, name), os.X_OK) for name in BINARIES):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One initdb'd cluster; as root its commands run as the `postgres` user (initdb refuses root)."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.root = tempfile.mkdtemp(prefix="vcdtpm-pg-", dir="/tmp" if self.as_user else None)
        self.data = os.path.join(self.root, "data")
        self.port = 0
        self.major = 0
        if self.as_user:
            shutil.chown(self.root, user="postgres", group="postgres")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = self.as_user + [os.path.join(self.bindir, args[0]), *args[1:]]
        return subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        version = self.run("postgres", "--version").stdout
        self.major = int(re.search(r"(\d+)", version).group(1))
        self.run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            options = f"-F -p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            started = self.run(
                "pg_ctl",
                "-D",
                self.data,
                "-l",
                os.path.join(self.root, "log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
                check=False,
            )
            if started.returncode == 0:
                return
        raise RuntimeError(f"PostgreSQL did not start: {started.stdout}{started.stderr}{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self.root, "log"), encoding="utf-8") as log:
                return log.read()[-2000:]
        except OSError:
            return ""

    def sql(self, statement: str, check: bool = True) -> None:
        self.run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            statement,
            check=check,
        )

    def create_database(self, name: str) -> None:
        """An empty database; copied file by file where supported (15+), which is much faster."""
        strategy = " STRATEGY = FILE_COPY" if self.major >= 15 else ""
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE template0{strategy}')

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.port:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """A running cluster for the session; skips only when PostgreSQL's binaries are absent."""
    bindir = find_pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl, postgres, psql) not found; run tests/pg_setup.sh or set PG_BIN"
        )
    cluster = Cluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty database on the session's cluster, dropped after the test."""
    if not any(importlib.util.find_spec(name) for name in ("psycopg", "psycopg2")):
        pytest.fail("no PostgreSQL driver for SQLAlchemy: pip install 'psycopg[binary]'")
    name = f"t_{uuid.uuid4().hex[:16]}"
    pg_cluster.create_database(name)
    yield pg_cluster.url(name)
    pg_cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', check=False)
