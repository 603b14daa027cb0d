"""The edge: a JSON body is bounded and checked before anything parses it (media type, size, depth, strings)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.problems import problem
from vcdtpm.domain.errors import Invalid

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_DEPTH = 16  # the deepest request the contract has is 4 levels (items[].new_vm.name)
MAX_NUMBER_CHARS = 32  # a number longer than this is no count, version or size the service takes
# XML 1.0 `Char` (https://www.w3.org/TR/xml/#charsets): what a string must be made of to reach an XML document
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def install(app: Flask) -> None:
    """Check every request body at the edge, before the views and their schemas see it."""
    app.before_request(_guard_body)


def _guard_body() -> Response | None:
    if request.method not in BODY_METHODS or not _has_body():
        return None
    if not request.is_json:
        return problem(
            415,
            f"The request body must be JSON: send it with Content-Type: application/json, not {request.mimetype!r}.",
            "unsupported-media-type",
        )
    data = _read_bounded(request.max_content_length)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "The request body is not UTF-8.", "not-utf-8")
    check_json_text(text)
    return None


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _read_bounded(limit: int | None) -> bytes:
    """The body, read at most `limit` bytes far, also when it comes chunked (no Content-Length): 413 beyond."""
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    stream, parts, size = request.stream, [], 0
    while True:
        part = stream.read(65536)  # past `limit`, werkzeug's bounded stream raises RequestEntityTooLarge itself
        if not part:
            break
        parts.append(part)
        size += len(part)
        if limit is not None and size > limit:
            raise RequestEntityTooLarge()
    data = b"".join(parts)
    request._cached_data = data  # what get_data() and so the schemas read from here on
    return data


def check_json_text(text: str) -> None:
    """Raise Invalid when the JSON nests too deep, carries an overlong number, or a string no XML can hold.

    Depth is measured before parsing (a parser recurses); the rest while parsing and after.
    Malformed JSON passes through: the schemas answer it as they always have."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise Invalid("body", f"nests {deepest} levels deep; at most {MAX_DEPTH} are accepted")
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except ValueError:
        return
    _check_strings(value, "")


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_CHARS:
        raise Invalid("body", f"holds a number of {len(digits)} characters; at most {MAX_NUMBER_CHARS} are accepted")
    return int(digits)


def _bounded_float(digits: str) -> float:
    _bounded_int(digits)
    return float(digits)


def _no_constant(name: str) -> Any:
    raise Invalid("body", f"holds {name}, which is not JSON")


def _check_strings(value: Any, path: str) -> None:
    if isinstance(value, str):
        bad = _NOT_XML_CHAR.search(value)
        if bad:
            raise Invalid(
                path or "body", f"holds the character U+{ord(bad.group()):04X}, which no XML document can carry"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, path or "body")
            _check_strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{path}[{index}]" if path else f"[{index}]")
