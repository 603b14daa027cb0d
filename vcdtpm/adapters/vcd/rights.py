"""The rights of the caller's roles, read from Cloud Director's cloudapi with the caller's own token.

- GET /cloudapi/1.0.0/sessions/current: the session's `roleRefs` ({name, id})
  https://developer.broadcom.com/xapis/vmware-cloud-director-api/v37.0/cloudapi/1.0.0/sessions/current/get/
- GET /cloudapi/1.0.0/roles/{id}/rights?page=N&pageSize=128: EntityReferences (`values`: {name, id}),
  `pageCount` pages
  https://developer.broadcom.com/xapis/all-apps-org-access-control/9.0/cloudapi/1.0.0/roles/id/rights/get
"""

from __future__ import annotations

from urllib.parse import quote

import requests

from vcdtpm.adapters.vcd.clients import ClientSettings, TokenCache
from vcdtpm.adapters.vcd.errors import BACKEND
from vcdtpm.domain.errors import BackendError, BackendUnavailable, Unauthorized
from vcdtpm.ports import Session

PAGE_SIZE = 128
MAX_PAGES = 20


class RightsReader:
    """A session's rights (the union of its roles' rights), cached per token for a while."""

    def __init__(self, settings: ClientSettings, cache_seconds: float = 60.0, timeout: float = 30.0):
        self._settings, self._timeout = settings, timeout
        self._cache = TokenCache(cache_seconds)

    def rights(self, session: Session) -> frozenset[str]:
        cached = self._cache.get(session.token)
        if cached is not None:
            return cached[1]  # type: ignore[return-value]
        current = self._get(session, "sessions/current")
        names: set[str] = set()
        for ref in current.get("roleRefs") or ():
            if ref.get("id"):
                names |= self._role_rights(session, str(ref["id"]))
        found = frozenset(names)
        self._cache.put(session.token, None, found)
        return found

    def _role_rights(self, session: Session, role_id: str) -> set[str]:
        names: set[str] = set()
        page, pages = 1, 1
        while page <= min(pages, MAX_PAGES):
            body = self._get(session, f"roles/{quote(role_id, safe=':')}/rights?page={page}&pageSize={PAGE_SIZE}")
            names |= {str(v["name"]) for v in body.get("values") or () if v.get("name")}
            pages, page = int(body.get("pageCount") or 1), page + 1
        return names

    def _get(self, session: Session, path: str) -> dict:
        url = f"{self._settings.base_url.rstrip('/')}/cloudapi/1.0.0/{path}"
        headers = {"Accept": f"application/json;version={self._settings.api_version}"}
        if session.token.count(".") == 2:  # a bearer JWT; else an x-vcloud-authorization token
            headers["Authorization"] = f"Bearer {session.token}"
        else:
            headers["x-vcloud-authorization"] = session.token
        try:
            answer = requests.get(url, headers=headers, verify=self._settings.verify, timeout=self._timeout)
        except requests.RequestException as exc:
            raise BackendUnavailable(backend=BACKEND, reason=type(exc).__name__) from None
        if answer.status_code == 401:
            raise Unauthorized()
        if answer.status_code >= 400:
            raise BackendError(backend=BACKEND, reason=f"HTTP {answer.status_code} reading {path.split('?')[0]}")
        try:
            return answer.json()
        except ValueError:
            raise BackendError(backend=BACKEND, reason=f"{path.split('?')[0]} answered no JSON") from None
