"""Error families of the domain: stable slugs and message templates, no HTTP."""

from __future__ import annotations


class VcdTpmError(Exception):
    """Base of every error vcdtpm raises on purpose."""

    slug = "error"
    template = "An error occurred."

    def __init__(self, message: str | None = None, **kwargs):
        self.kwargs = kwargs
        text = message or self.template.format(**kwargs)
        super().__init__(text)
        self.message = text


class NotFound(VcdTpmError):
    slug = "not-found"
    template = "{kind} {id} was not found."


class Unauthorized(VcdTpmError):
    slug = "unauthorized"
    template = "Authentication is required or the token is not valid."


class Forbidden(VcdTpmError):
    slug = "forbidden"
    template = "This is for the provider (System org) only."


class MissingRights(Forbidden):
    """Cloud Director refused a request because the caller's role lacks rights; names them."""

    slug = "missing-rights"
    template = "Cloud Director refused the request: the caller's role lacks the right {named}."

    def __init__(self, rights: tuple[str, ...] | list[str]):
        super().__init__(named=" and ".join(f"'{right}'" for right in rights))
        self.rights = tuple(rights)


class Invalid(VcdTpmError):
    """A request that is well-formed JSON but makes no sense; names the field."""

    slug = "invalid"
    template = "{field}: {reason}"

    def __init__(self, field: str, reason: str):
        super().__init__(field=field, reason=reason)
        self.field = field


class PreflightFailed(VcdTpmError):
    slug = "preflight-failed"
    template = "The plan has failed checks."

    def __init__(self, plan, message: str | None = None):
        super().__init__(message)
        self.plan = plan


class Conflict(VcdTpmError):
    slug = "conflict"
    template = "{reason}"


class BackendUnavailable(VcdTpmError):
    slug = "backend-unavailable"
    template = "{backend} is unavailable: {reason}"


class BackendError(VcdTpmError):
    """A backend refused or failed an action it was asked to do."""

    slug = "backend-error"
    template = "{backend} failed: {reason}"
