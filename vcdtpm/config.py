"""Configuration: a YAML file (or none, for the simulated cloud) plus environment overrides."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vcdtpm.domain.errors import Invalid

DEFAULT_API_VERSION = "38.1"

# Every key a configuration file may hold (docs/CONFIGURATION.md documents each one; a test keeps the two equal).
# Add a key here and there; anything else is refused with its path.
TOP_LEVEL_KEYS = frozenset(
    {
        "cloud_director",
        "vcenters",
        "world",
        "data_dir",
        "api_version",
        "sim_task_delay",
        "journal_url",
        "lease_seconds",
        "poll_seconds",
        "backup_dir",
        "fast_cross_vcenter_instantiation",
        "metrics_token_file",
        "journal_key",
        "retry_seconds",
        "facts_cache_seconds",
        "journal_key_file",
    }
)
ENDPOINT_KEYS = frozenset({"url", "user", "password", "password_file", "verify_tls", "ca_bundle", "name"})
# Every environment variable vcdtpm reads (documented in docs/CONFIGURATION.md, kept equal by a test).
ENVIRONMENT = (
    "VCDTPM_CONFIG",
    "VCDTPM_WORLD",
    "VCDTPM_DATA_DIR",
    "VCDTPM_BACKUP_DIR",
    "VCDTPM_JOURNAL_URL",
    "VCDTPM_JOURNAL_KEY",
    "VCDTPM_JOURNAL_KEY_FILE",
    "XDG_STATE_HOME",
    "XDG_CONFIG_HOME",
)


@dataclass(frozen=True)
class Endpoint:
    """A Cloud Director or vCenter endpoint and the provider account used on it."""

    url: str
    user: str
    password: str = field(repr=False, default="")
    verify_tls: bool = True
    ca_bundle: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Config:
    cloud_director: Endpoint | None = None  # None: the built-in simulated cloud
    vcenters: tuple[Endpoint, ...] = ()
    world: str | None = None  # simulated cloud: a world file, else the demo
    data_dir: str = field(default_factory=lambda: default_data_dir())
    api_version: str = DEFAULT_API_VERSION
    sim_task_delay: float = 0.0
    journal_url: str | None = None  # None: SQLite under data_dir; postgresql://... for replicas
    # the Fernet key sealing tokens in the journal; else read from journal_key_file; else made into data_dir
    journal_key: str | None = field(default=None, repr=False)
    journal_key_file: str | None = None
    run_executor: bool = True  # carry out operations in this process
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5  # the longest wait between two reads of a running task (the first is 0.05 s)
    facts_cache_seconds: float = 300.0  # how long slow-changing vCenter and provider facts are kept
    retry_seconds: float = 900.0  # how long a step is retried while Cloud Director is unreachable
    backup_dir: str | None = None  # vTPM backup bundles; None: <data_dir>/tpm-backups
    # Cloud Director's fast cross-vCenter vApp instantiation, as the provider states it: no Cloud
    # Director API exposes the switch. None: not stated (off; a simulated cloud's world says).
    fast_cross_vcenter_instantiation: bool | None = None
    metrics_token: str | None = field(repr=False, default=None)  # a bearer token that may read /metrics

    @property
    def simulated(self) -> bool:
        return self.cloud_director is None

    @property
    def tpm_backup_dir(self) -> str:
        return self.backup_dir or os.path.join(self.data_dir, "tpm-backups")


def default_data_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "vcdtpm")


def check_keys(data: dict, known: frozenset[str], where: str = "") -> None:
    """Refuse a key this configuration does not know, by its path, suggesting the nearest known one."""
    for key in data:
        if key not in known:
            path = f"{where}.{key}" if where else str(key)
            near = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(sorted(known))}"
            raise Invalid(path, f"unknown key{hint}")


def _secret(entry: dict, where: str) -> str:
    if "password_file" in entry:
        try:
            return Path(entry["password_file"]).read_text().strip()
        except OSError as exc:
            raise Invalid(f"{where}.password_file", f"cannot be read ({exc.strerror})") from None
    return str(entry.get("password", ""))


def _endpoint(entry, where: str) -> Endpoint:
    if not isinstance(entry, dict):
        raise Invalid(where, "expected a mapping")
    check_keys(entry, ENDPOINT_KEYS, where)
    for key in ("url", "user"):
        if not entry.get(key):
            raise Invalid(f"{where}.{key}", "is required")
    return Endpoint(
        url=str(entry["url"]),
        user=str(entry["user"]),
        password=_secret(entry, where),
        verify_tls=bool(entry.get("verify_tls", True)),
        ca_bundle=entry.get("ca_bundle"),
        name=str(entry.get("name", "")),
    )


def _number(data: dict, key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Invalid(key, f"expected a number of seconds >= 0, got {value!r}")
    return float(value)


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise Invalid(key, "expected a string")
    return value


def _flag(data: dict, key: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise Invalid(key, f"expected true or false, got {value!r}")
    return value


def _token_file(data: dict, key: str) -> str | None:
    if data.get(key) is None:
        return None
    try:
        token = Path(str(data[key])).read_text().strip()
    except OSError as exc:
        raise Invalid(key, f"cannot be read ({exc.strerror})") from None
    if not token:
        raise Invalid(key, "is empty")
    return token


def states(key: str, path: str | None = None) -> bool:
    """Whether the configuration file (`path` or $VCDTPM_CONFIG) sets `key` itself."""
    path = path or os.environ.get("VCDTPM_CONFIG")
    if not path:
        return False
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError):
        return False  # load_config reports it
    return isinstance(data, dict) and key in data


def load_config(path: str | None = None, **overrides) -> Config:
    """Read `path` (or $VCDTPM_CONFIG); with neither, the simulated cloud on the demo world."""
    path = path or os.environ.get("VCDTPM_CONFIG")
    data: dict = {}
    if path:
        try:
            data = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise Invalid("config", f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise Invalid("config", f"{path} must hold a mapping of keys")
    check_keys(data, TOP_LEVEL_KEYS)
    if data.get("backup_dir") is not None and not isinstance(data["backup_dir"], str):
        raise Invalid("backup_dir", "expected a directory path")
    vcd = _endpoint(data["cloud_director"], "cloud_director") if data.get("cloud_director") else None
    vcenters = tuple(_endpoint(v, f"vcenters[{i}]") for i, v in enumerate(data.get("vcenters") or []))
    for i, vc in enumerate(vcenters):
        if not vc.name:
            raise Invalid(f"vcenters[{i}].name", "is required")
    values = dict(
        cloud_director=vcd,
        vcenters=vcenters,
        world=os.environ.get("VCDTPM_WORLD") or data.get("world"),
        data_dir=os.environ.get("VCDTPM_DATA_DIR") or data.get("data_dir") or default_data_dir(),
        api_version=str(data.get("api_version", DEFAULT_API_VERSION)),
        sim_task_delay=_number(data, "sim_task_delay", 0.0),
        backup_dir=os.environ.get("VCDTPM_BACKUP_DIR") or data.get("backup_dir"),
        journal_url=os.environ.get("VCDTPM_JOURNAL_URL") or data.get("journal_url"),
        journal_key=os.environ.get("VCDTPM_JOURNAL_KEY") or _text(data, "journal_key"),
        journal_key_file=os.environ.get("VCDTPM_JOURNAL_KEY_FILE") or _text(data, "journal_key_file"),
        lease_seconds=_number(data, "lease_seconds", 30.0),
        poll_seconds=_number(data, "poll_seconds", 0.5),
        facts_cache_seconds=_number(data, "facts_cache_seconds", 300.0),
        retry_seconds=_number(data, "retry_seconds", 900.0),
        fast_cross_vcenter_instantiation=_flag(data, "fast_cross_vcenter_instantiation"),
        metrics_token=_token_file(data, "metrics_token_file"),
    )
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(**values)  # type: ignore[arg-type]  # each value was checked above
