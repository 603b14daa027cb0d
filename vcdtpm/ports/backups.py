"""The BackupStore port: where vTPM backups are kept."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Protocol

from vcdtpm.ports.vcenter import TpmBackup


@dataclass(frozen=True)
class StoredBackup:
    """One bundle: what the vCenter saved, where it came from, and whether it still verifies."""

    id: str
    vm: str  # URN of the backed-up VM
    vcenter: str
    created_at: str  # ISO 8601, UTC
    backup: TpmBackup
    checksum: str  # "sha256:<hex>" over the canonical payload
    size: int  # bytes of the bundle file
    intact: bool = True  # the checksum verifies and the bundle is where its id says


class BackupStore(Protocol):
    """Where vTPM backups are kept: each bundle written whole or not at all, and verified when read back."""

    def save(self, vm: str, vcenter: str, backup: TpmBackup) -> StoredBackup:
        """Store a new bundle under a fresh id."""

    def load(self, backup_id: str) -> StoredBackup:
        """The bundle with this id (`NotFound` if none); `intact` says whether it still verifies."""

    def list(self) -> builtins.list[StoredBackup]:
        """Every bundle, newest first."""
