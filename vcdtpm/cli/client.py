"""A small HTTP client for the vcdtpm REST API: TLS, logging in, problem+json errors."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
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
) -> Client:
    """A client at `url` / $VCDTPM_URL, logged in by `token`, by `user` (user@org), or by $VCDTPM_TOKEN."""
    if verify is False:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    client = Client(url or env.get("VCDTPM_URL") or DEFAULT_URL, verify, timeout)
    if token or (not user and env.get("VCDTPM_TOKEN")):
        client.use_token(token or env["VCDTPM_TOKEN"])
    elif user:
        client.login(user, password_for(user, env))
    else:
        raise ApiError(
            "not logged in: pass --user USER@ORG (password from $VCDTPM_PASSWORD or asked), "
            "or a token with $VCDTPM_TOKEN / --token"
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

    def operations(self, page: int = 1, page_size: int = 25, status: str | None = None) -> dict:
        """GET /api/v1/operations: one page, `{"operations", "page", "pageSize", "total"}`."""
        params: dict = {"page": page, "pageSize": page_size}
        if status:
            params["status"] = status
        return self._json(self.call("GET", "api/v1/operations", params=params))

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
        if answer.status_code >= 400:
            raise _error(answer)
        return answer

    @staticmethod
    def _json(answer: requests.Response) -> dict:
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
