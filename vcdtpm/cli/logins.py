"""Saved logins: one Cloud Director session token per service URL, in the user's config directory (0600),
and the `vcdtpm login` / `logout` commands."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

import platformdirs

from vcdtpm.cli.client import DEFAULT_URL, ApiError


def default_path() -> Path:
    """`$XDG_CONFIG_HOME/vcdtpm/logins.json` on Linux (platformdirs' user config dir elsewhere)."""
    return Path(platformdirs.user_config_dir("vcdtpm")) / "logins.json"


def service_key(url: str | None, env=os.environ) -> str:
    """The service URL a login is saved under: as given, else $VCDTPM_URL, else the default; no trailing /."""
    return (url or env.get("VCDTPM_URL") or DEFAULT_URL).rstrip("/")


class TokenStore:
    """{service URL: {"token", "user"}} in one JSON file only its owner may read or write.

    The token is the Cloud Director session token the service handed out at login (it ends with the
    session); no password is ever stored."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ApiError(f"cannot read the saved logins in {self.path}: {exc}") from None
        return data if isinstance(data, dict) else {}

    def get(self, url: str) -> dict | None:
        found = self._read().get(url.rstrip("/"))
        return found if isinstance(found, dict) and found.get("token") else None

    def save(self, url: str, token: str, user: str) -> None:
        data = self._read()
        data[url.rstrip("/")] = {"token": token, "user": user}
        self._write(data)

    def forget(self, url: str) -> bool:
        data = self._read()
        if data.pop(url.rstrip("/"), None) is None:
            return False
        self._write(data)
        return True

    def _write(self, data: dict) -> None:
        """Atomically, created 0600 in a 0700 directory: never readable by others, not even for a moment."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".logins-", suffix=".json")
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def login_command(args) -> int:
    """Log in with --user (password from $VCDTPM_PASSWORD or asked) and save the session for the service."""
    from vcdtpm.cli import client as restclient

    if not args.user:
        raise ApiError("name the account: vcdtpm login --user USER@ORG")
    client = restclient.Client(
        service_key(args.url),
        restclient.tls_verify(args.insecure, args.ca_bundle),
        args.timeout,
    )
    session = client.login(args.user, restclient.password_for(args.user, dict(os.environ)))
    store = TokenStore()
    store.save(service_key(args.url), session["token"], args.user)
    if args.json:
        print(json.dumps({k: v for k, v in session.items() if k != "token"}, indent=2))
    else:
        role = "provider" if session.get("provider") else f"org {session.get('org')}"
        print(f"logged in to {service_key(args.url)} as {args.user} ({role}); saved in {store.path}")
    return 0


def logout_command(args) -> int:
    """Forget the saved session for the service."""
    forgotten = TokenStore().forget(service_key(args.url))
    if args.json:
        print(json.dumps({"url": service_key(args.url), "forgotten": forgotten}))
    elif forgotten:
        print(f"logged out of {service_key(args.url)}")
    else:
        print(f"vcdtpm: no saved login for {service_key(args.url)}", file=sys.stderr)
    return 0
