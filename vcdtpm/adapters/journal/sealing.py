"""Tokens at rest: sealed with Fernet (cryptography) in the journal; the key, and private files for the data dir."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from vcdtpm.domain.errors import Invalid

KEY_FILE = "journal.key"
SEALED_PREFIX = "gAAAAA"  # every Fernet token starts with version byte 0x80, base64url-encoded


class TokenSeal:
    """Seals tokens for the journal and opens them again (AES-128-CBC + HMAC-SHA256, cryptography's Fernet).

    Without a key, one is made for this object alone: what it seals no other process can open."""

    def __init__(self, key: str | bytes | None = None, field: str = "journal_key"):
        try:
            self._fernet = Fernet(key if key else Fernet.generate_key())
        except (ValueError, TypeError):
            raise Invalid(field, "must be a Fernet key: 32 bytes in url-safe base64, 44 characters") from None

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        """The token, or None when there is none or it was sealed with another key."""
        if not sealed:
            return None
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            return None

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(SEALED_PREFIX)


def private_dir(path: str | Path, *, ours: bool = True) -> Path:
    """`path`, created if need be with mode 0700; an existing one is made 0700 too when it is `ours`
    (the data directory), never when it merely holds a file the service was pointed at."""
    directory = Path(path).expanduser()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if ours:
        os.chmod(directory, 0o700)
    return directory


def private_file(path: str | Path) -> Path:
    """`path`, created empty if need be, readable by this user alone (0600)."""
    file = Path(path)
    os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(file, 0o600)
    return file


def journal_key(configured: str | None, key_file: str | None, data_dir: str | Path) -> bytes:
    """The journal's key: configured (`journal_key` / VCDTPM_JOURNAL_KEY), read from `journal_key_file`
    (a mounted Secret), or made once into `<data_dir>/journal.key` (0600) and read from there after."""
    if configured:
        return configured.strip().encode("ascii")
    if key_file:
        try:
            return Path(key_file).read_text().strip().encode("ascii")
        except (OSError, UnicodeError) as exc:
            raise Invalid("journal_key_file", f"cannot be read ({exc})") from None
    path = private_dir(data_dir) / KEY_FILE
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode("ascii")
    with os.fdopen(fd, "w") as out:
        out.write(Fernet.generate_key().decode("ascii") + "\n")
    return path.read_text().strip().encode("ascii")
