"""Cloud Director error replies: the Error XML of /api and the JSON error of /cloudapi."""

from __future__ import annotations

import json

from vcdtpm.sim.vcd import xmlns as x


class VcdError(Exception):
    """An error reply with vCD's majorErrorCode (the HTTP status) and minorErrorCode."""

    def __init__(self, status: int, minor: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.minor = minor
        self.message = message
        self.headers = headers or {}

    def xml_body(self) -> bytes:
        error = x.root("Error", minorErrorCode=self.minor, majorErrorCode=self.status, message=self.message)
        return x.serialize(error)

    def json_body(self) -> bytes:
        body = {"minorErrorCode": self.minor, "message": self.message, "stackTrace": None}
        return json.dumps(body).encode()


def unauthorized(message: str = "This operation is denied.") -> VcdError:
    return VcdError(401, "UNAUTHORIZED", message)


def forbidden(operation: str, target: str) -> VcdError:
    """What vCD answers for an object that is missing or belongs to another org."""
    message = (
        f"Either you need some or all of the following rights [Base] to perform "
        f"operations [{operation}] for {target} or the target entity is invalid."
    )
    return VcdError(403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", message)


def missing_rights(rights: list[str], operation: str, target: str) -> VcdError:
    """A caller whose role lacks a right the request needs: vCD's refusal names the rights wanted
    ("Either you need some or all of the following rights [...] to perform operations [...] for
    <entity> or the target entity is invalid.", 403 ACCESS_TO_RESOURCE_IS_FORBIDDEN, as seen in
    https://github.com/vmware-archive/container-service-extension/issues/1406). The operation keys are
    the simulator's own (invented: vCD's internal keys are not published), see docs/FIDELITY.md."""
    message = (
        f"Either you need some or all of the following rights [{', '.join(rights)}] to perform "
        f"operations [{operation.upper()}] for {target} or the target entity is invalid."
    )
    return VcdError(403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", message)


def provider_only(target: str) -> VcdError:
    return VcdError(403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", f"Access to resource {target} is forbidden.")


def not_found(path: str) -> VcdError:
    return VcdError(404, "RESOURCE_NOT_FOUND", f"The requested resource {path} could not be found.")


def method_not_allowed(method: str, allowed: list[str]) -> VcdError:
    error = VcdError(405, "METHOD_NOT_ALLOWED", f"HTTP method {method} is not allowed here.")
    error.headers["Allow"] = ", ".join(sorted(allowed))
    return error


def bad_request(message: str) -> VcdError:
    return VcdError(400, "BAD_REQUEST", message)


def unsupported_media_type(sent: str, accepted: str) -> VcdError:
    """415 for a body whose Content-Type is missing or not the operation's media type.

    HTTP 415 is in vCD's status table; the minorErrorCode and the wording are not confirmed by a
    captured vCD reply (see docs/FIDELITY-strict.md)."""
    message = f"Unsupported media type '{sent or 'none'}'; this operation consumes {accepted}."
    return VcdError(415, "UNSUPPORTED_MEDIA_TYPE", message)


def not_acceptable(message: str) -> VcdError:
    return VcdError(406, "NOT_ACCEPTABLE", f"The request has invalid accept header: {message}")


def internal() -> VcdError:
    return VcdError(500, "INTERNAL_SERVER_ERROR", "An internal error occurred.")
