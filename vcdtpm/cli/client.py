"""A small HTTP client for the vcdtpm REST API: TLS, logging in, problem+json errors."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urljoin

import requests
import urllib3

DEFAULT_URL = "http://127.0.0.1:8080"
TERMINAL = ("succeeded", "failed")


class ApiError(Exception):
    """A failed call: transport trouble, or an error answer (`status`, problem+json `problem`)."""

    def __init__(self, message: str, status: int | None = None, problem: dict | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problem = problem or {}


def problem_text(problem: dict) -> str:
    """`title: detail (field)` for a problem+json body."""
    title = problem.get("title") or f"HTTP {problem.get('status', '?')}"
    text = f"{title}: {problem['detail']}" if problem.get("detail") else title
    return f"{text} ({problem['field']})" if problem.get("field") else text


def tls_verify(insecure: bool, ca_bundle: str | None) -> bool | str:
    """What requests' `verify` should be: on by default, a CA bundle, or off."""
    if insecure:
        return False
    return ca_bundle or True


def password_for(user_at_org: str, env: dict, prompt: Callable[[str], str] | None = None) -> str:
    """The password from $VCDTPM_PASSWORD, else asked on the terminal without echo."""
    if env.get("VCDTPM_PASSWORD"):
        return env["VCDTPM_PASSWORD"]
    try:
        return (prompt or getpass.getpass)(f"Password for {user_at_org}: ")
    except (EOFError, KeyboardInterrupt):
        raise ApiError("no password: set $VCDTPM_PASSWORD or type it at the prompt") from None


def connect(
    url: str | None,
    token: str | None = None,
    user: str | None = None,
    verify: bool | str = True,
    timeout: float = 30.0,
    env=os.environ,
    saved: Callable[[str], dict | None] | None = None,
) -> Client:
    """A client at `url` / $VCDTPM_URL, logged in by `token`, by `user` (user@org), by $VCDTPM_TOKEN,
    or by the login `vcdtpm login` saved for that service (`saved(url)`)."""
    if verify is False:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    base = (url or env.get("VCDTPM_URL") or DEFAULT_URL).rstrip("/")
    client = Client(base, verify, timeout)
    login = saved(base) if saved is not None and not (token or user or env.get("VCDTPM_TOKEN")) else None
    if token or (not user and env.get("VCDTPM_TOKEN")):
        client.use_token(token or env["VCDTPM_TOKEN"])
    elif user:
        client.login(user, password_for(user, env))
    elif login is not None:
        client.use_token(login["token"])
        client.expired_hint = (
            f"the saved login to {base} ({login.get('user')}) is no longer valid; log in again with: "
            f"vcdtpm login --user {login.get('user')}" + (f" --url {url}" if url else "")
        )
    else:
        raise ApiError(
            "not logged in: run `vcdtpm login --user USER@ORG` once (password from $VCDTPM_PASSWORD or asked), "
            "or pass --user USER@ORG, or a token with $VCDTPM_TOKEN / --token"
        )
    return client


class Client:
    """The REST API at `url`, as one caller (a bearer token once logged in)."""

    def __init__(self, url: str, verify: bool | str = True, timeout: float = 30.0):
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.verify = verify
        self.http.headers["Accept"] = "application/json, application/problem+json"
        self.expired_hint: str | None = None  # what to say when a saved token is refused

    def use_token(self, token: str) -> None:
        self.http.auth = _Bearer(token)  # a session-wide auth also keeps ~/.netrc from replacing it

    def login(self, user_at_org: str, password: str) -> dict:
        """POST /api/v1/sessions with HTTP Basic; keeps the token for the next calls."""
        if "@" not in user_at_org.strip("@"):
            raise ApiError(f"--user must be user@org, not {user_at_org!r}")
        try:
            session = self._json(self.call("POST", "api/v1/sessions", auth=(user_at_org, password)))
        except ApiError as exc:
            if exc.status != 401:
                raise
            reason = exc.problem.get("detail") or "the user, org or password is wrong"
            raise ApiError(f"login as {user_at_org} refused: {reason}", exc.status, exc.problem) from None
        self.use_token(session["token"])
        return session

    def plan(self, body: dict, full: bool = False) -> dict:
        """POST /api/v1/plans: compact (per VM what did not pass), or with every check (`full`)."""
        return self._json(self.call("POST", "api/v1/plans", json=body, params={"detail": "full"} if full else None))

    def operations(self, status: str | None = None, page: int = 1, page_size: int = 25) -> dict:
        """GET /api/v1/operations as `{"operations", "page", "pageSize", "total"}`; a service answering a
        plain list (before paging) is filtered and paged here."""
        params: dict[str, str | int] = {"page": page, "pageSize": page_size}
        if status:
            params["status"] = status
        answer = self._json(self.call("GET", "api/v1/operations", params=params))
        if isinstance(answer, dict) and isinstance(answer.get("operations"), list) and "total" in answer:
            return answer
        items = answer.get("operations") if isinstance(answer, dict) else answer
        items = [op for op in items or [] if not status or op.get("status") == status]
        start = (page - 1) * page_size
        return {
            "operations": items[start : start + page_size],
            "page": page,
            "pageSize": page_size,
            "total": len(items),
        }

    def vm_tpm(self, vm: str) -> dict:
        return self._json(self.call("GET", f"api/v1/vms/{quote(vm, safe=':')}/tpm"))

    def backup(self, vm: str) -> dict:
        return self._json(self.call("POST", "api/v1/provider/tpm-backups", json={"vm": vm}))

    def backups(self) -> dict:
        return self._json(self.call("GET", "api/v1/provider/tpm-backups"))

    def restore(self, body: dict) -> dict:
        return self._json(self.call("POST", "api/v1/provider/tpm-restores", json=body))

    def start(self, body: dict, idempotency_key: str) -> tuple[dict, str]:
        """POST /api/v1/operations: the operation and the URL to follow it at."""
        answer = self.call("POST", "api/v1/operations", json=body, headers={"Idempotency-Key": idempotency_key})
        operation = self._json(answer)
        location = answer.headers.get("Location") or f"api/v1/operations/{quote(str(operation['id']))}"
        return operation, urljoin(self.url, location)

    def operation(self, id_or_url: str) -> dict:
        """GET /api/v1/operations/{id} (or the `Location` an operation was started at)."""
        path = id_or_url if "://" in id_or_url else f"api/v1/operations/{quote(id_or_url, safe='')}"
        return self._json(self.call("GET", path))

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        """One request; an error answer or a transport failure raises ApiError."""
        try:
            answer = self.http.request(method, urljoin(self.url, path), timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError:
            raise ApiError(
                f"TLS verification failed for {self.url} (pass --ca-bundle FILE, "
                "or --insecure to turn verification off)"
            ) from None
        except requests.exceptions.Timeout:
            raise ApiError(f"no answer from {self.url} within {self.timeout:g}s") from None
        except requests.exceptions.RequestException as exc:
            raise ApiError(f"cannot reach vcdtpm at {self.url}: {_reason(exc)}") from None
        if answer.status_code == 401 and self.expired_hint:
            raise ApiError(self.expired_hint, 401)
        if answer.status_code >= 400:
            raise _error(answer)
        return answer

    @staticmethod
    def _json(answer: requests.Response) -> Any:
        try:
            return answer.json()
        except ValueError:
            raise ApiError(f"HTTP {answer.status_code}: the answer is not JSON", answer.status_code) from None


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str):
        self._token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_Bearer(***)"


def _error(answer: requests.Response) -> ApiError:
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and (body.get("title") or body.get("detail")):
        return ApiError(problem_text(body), answer.status_code, body)
    return ApiError(f"HTTP {answer.status_code} {answer.reason or ''}".rstrip(), answer.status_code)


def _reason(exc: Exception) -> str:
    """The root cause of a requests failure, without pool and object noise."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\][^'\")]*", text)
    if found:
        return found.group(0).strip()
    return "connection refused or reset" if isinstance(exc, requests.ConnectionError) else type(exc).__name__
