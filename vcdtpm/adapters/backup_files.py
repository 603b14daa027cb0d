"""vTPM backup bundles on disk: one checksummed JSON file per backup, written atomically."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import tempfile
import uuid
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

from vcdtpm.domain.errors import Conflict, Invalid, NotFound
from vcdtpm.domain.urns import is_backup_id
from vcdtpm.ports import StoredBackup, TpmBackup

__all__ = ["BackupDamaged", "BackupFiles", "is_backup_id"]

log = logging.getLogger("vcdtpm.adapters.backup_files")

FORMAT = "vcdtpm.tpm-backup/1"
_FIELDS = tuple(f.name for f in fields(TpmBackup))


class BackupDamaged(Conflict):
    """A bundle that cannot be read back at all (not JSON, or fields missing or of the wrong type)."""

    slug = "backup-damaged"


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def checksum_of(payload: dict) -> str:
    return "sha256:" + hashlib.sha256(canonical(payload)).hexdigest()


def _payload(backup_id: str, vm: str, vcenter: str, created_at: str, backup: TpmBackup) -> dict:
    saved = {name: getattr(backup, name) for name in _FIELDS}
    saved["nvram"] = base64.b64encode(backup.nvram).decode("ascii")
    return {"id": backup_id, "vm": vm, "vcenter": vcenter, "created_at": created_at, "backup": saved}


def _backup_of(saved: dict) -> TpmBackup:
    values = {name: saved[name] for name in _FIELDS}
    values["nvram"] = base64.b64decode(values["nvram"], validate=True)
    for name in _FIELDS:
        expected = {"hardware_version": int, "tpm_device": dict, "nvram": bytes}.get(name, str)
        if not isinstance(values[name], expected) or isinstance(values[name], bool):
            raise TypeError(f"{name} is not {expected.__name__}")
    return TpmBackup(**values)


class BackupFiles:
    """Bundles in one directory, named `<id>.json`; ids are UUIDs and never paths."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def save(self, vm: str, vcenter: str, backup: TpmBackup) -> StoredBackup:
        """Write a new bundle (tmp file + rename, so a reader never sees half of one)."""
        backup_id = str(uuid.uuid4())
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = _payload(backup_id, vm, vcenter, created_at, backup)
        checksum = checksum_of(payload)
        data = json.dumps(
            {"format": FORMAT, "checksum": checksum, "payload": payload}, sort_keys=True, indent=1
        ).encode()
        self._write(self._path(backup_id), data)
        return StoredBackup(backup_id, vm, vcenter, created_at, backup, checksum, len(data))

    def load(self, backup_id: str) -> StoredBackup:
        """A bundle by id, whether or not it verifies (see `intact`). `Invalid` for a malformed id,
        `NotFound` for an unknown one, `BackupDamaged` for one that cannot be read back."""
        path = self._path(backup_id)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(kind="Backup", id=backup_id) from None
        return self._parse(backup_id, data)

    def list(self) -> list[StoredBackup]:
        """Every readable bundle, oldest first; unreadable ones are logged and left out."""
        found = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else ():
            if not is_backup_id(path.stem):
                continue
            try:
                found.append(self._parse(path.stem, path.read_bytes()))
            except (BackupDamaged, OSError) as exc:
                log.warning("backup bundle %s left out: %s", path.name, exc)
        return sorted(found, key=lambda b: (b.created_at, b.id))

    def _path(self, backup_id: str) -> Path:
        if not is_backup_id(backup_id):
            raise Invalid("id", "is not a backup id (a lower-case UUID)")
        return self.directory / f"{backup_id}.json"

    def _parse(self, backup_id: str, data: bytes) -> StoredBackup:
        try:
            bundle = json.loads(data)
            payload = bundle["payload"]
            stored = StoredBackup(
                id=backup_id,
                vm=str(payload["vm"]),
                vcenter=str(payload["vcenter"]),
                created_at=str(payload["created_at"]),
                backup=_backup_of(payload["backup"]),
                checksum=str(bundle["checksum"]),
                size=len(data),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise BackupDamaged(f"Backup {backup_id} is damaged and cannot be read back.") from None
        intact = (
            bundle.get("format") == FORMAT
            and payload.get("id") == backup_id
            and checksum_of(payload) == stored.checksum
        )
        return stored if intact else replace(stored, intact=False)

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
