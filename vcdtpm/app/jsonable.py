"""Domain objects to plain JSON-safe data (enums by value, dataclasses as dicts)."""

from __future__ import annotations

import dataclasses
import enum


def jsonable(value):
    """A JSON-safe copy of dataclasses, enums, tuples and dicts nested in `value`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
