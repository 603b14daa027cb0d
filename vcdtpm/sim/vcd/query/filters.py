"""The vCD query filter language: `a==v`, `!=`, `=lt=`..., `;` AND, `,` OR, parentheses, `\\` escapes."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from datetime import datetime

Predicate = Callable[[dict], bool]

_CONDITION = re.compile(r"^([A-Za-z][\w.@:]*)(==|!=|=lt=|=le=|=gt=|=ge=)(.*)$", re.S)
_SPECIAL = {"(": "LP", ")": "RP", ",": "OR", ";": "AND"}
MAX_DEPTH, MAX_LENGTH = 16, 16384


class FilterError(ValueError):
    """A filter that cannot be parsed or names an unknown attribute."""


def parse(text: str, fields: frozenset[str]) -> Predicate:
    if len(text) > MAX_LENGTH:
        raise FilterError("The filter is too long.")
    tokens = _tokens(text)
    if not tokens:
        raise FilterError("The filter is empty.")
    _check_depth(tokens)
    predicate, rest = _expression(tokens, fields)
    if rest:
        raise FilterError("Unbalanced parentheses in the filter.")
    return predicate


def equalities(text: str) -> tuple[str, frozenset[str]] | None:
    """(attribute, values) when the filter is only `a==v1,a==v2,...` (one attribute, no wildcard,
    optionally in parentheses), so a query can look its rows up instead of testing every one;
    None for any other filter. Values are lowercased: `==` compares without case."""
    tokens = _tokens(text)
    while len(tokens) > 2 and tokens[0][0] == "LP" and tokens[-1][0] == "RP":
        tokens = tokens[1:-1]
    conditions = [t for i, t in enumerate(tokens) if i % 2 == 0]
    if any(k != "OR" for k, _ in tokens[1::2]) or any(k != "TEXT" for k, _ in conditions):
        return None
    attributes, values = set(), set()
    for _, condition in conditions:
        match = _CONDITION.match(condition.strip())
        if match is None or match.group(2) != "==" or "*" in match.group(3):
            return None
        attributes.add(match.group(1))
        values.add(match.group(3).lower())
    return (attributes.pop(), frozenset(values)) if len(attributes) == 1 else None


def _check_depth(tokens: list[tuple[str, str]]) -> None:
    depth = 0
    for kind, _text in tokens:
        depth += 1 if kind == "LP" else -1 if kind == "RP" else 0
        if depth > MAX_DEPTH:
            raise FilterError("The filter nests parentheses too deeply.")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    buffer: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            buffer.append(next(chars, ""))
        elif char in _SPECIAL:
            if buffer:
                tokens.append(("TEXT", "".join(buffer)))
                buffer = []
            tokens.append((_SPECIAL[char], char))
        else:
            buffer.append(char)
    if buffer:
        tokens.append(("TEXT", "".join(buffer)))
    return tokens


def _expression(tokens, fields) -> tuple[Predicate, list]:
    terms = []
    term, tokens = _term(tokens, fields)
    terms.append(term)
    while tokens and tokens[0][0] == "OR":
        term, tokens = _term(tokens[1:], fields)
        terms.append(term)
    return (lambda record: any(t(record) for t in terms)), tokens


def _term(tokens, fields) -> tuple[Predicate, list]:
    factors = []
    factor, tokens = _factor(tokens, fields)
    factors.append(factor)
    while tokens and tokens[0][0] == "AND":
        factor, tokens = _factor(tokens[1:], fields)
        factors.append(factor)
    return (lambda record: all(f(record) for f in factors)), tokens


def _factor(tokens, fields) -> tuple[Predicate, list]:
    if not tokens:
        raise FilterError("The filter ends too early.")
    kind, text = tokens[0]
    if kind == "LP":
        inner, rest = _expression(tokens[1:], fields)
        if not rest or rest[0][0] != "RP":
            raise FilterError("Unbalanced parentheses in the filter.")
        return inner, rest[1:]
    if kind != "TEXT":
        raise FilterError(f"Unexpected '{text}' in the filter.")
    return _condition(text.strip(), fields), tokens[1:]


def _condition(text: str, fields) -> Predicate:
    match = _CONDITION.match(text)
    if match is None:
        raise FilterError(f"'{text}' is not a filter condition.")
    attribute, operator, value = match.groups()
    if attribute not in fields:
        raise FilterError(f"The filter attribute '{attribute}' is not valid for this query.")
    return lambda record: _compare(record.get(attribute), operator, value)


def _compare(actual, operator: str, expected: str) -> bool:
    actual_text = "" if actual is None else str(actual)
    if operator in ("==", "!="):
        equal = (
            fnmatch.fnmatchcase(actual_text.lower(), expected.lower())
            if "*" in expected
            else actual_text.lower() == expected.lower()
        )
        return equal if operator == "==" else not equal
    left, right = _ordered(actual_text, expected)
    return {"=lt=": left < right, "=le=": left <= right, "=gt=": left > right, "=ge=": left >= right}[operator]


def _ordered(left: str, right: str):
    try:
        return float(left), float(right)
    except ValueError:
        pass
    try:  # xs:dateTime values (startDate, endDate) compare as instants
        when = datetime.fromisoformat(left), datetime.fromisoformat(right)
    except ValueError:
        return left.lower(), right.lower()
    if (when[0].tzinfo is None) != (when[1].tzinfo is None):
        return left.lower(), right.lower()
    return when
