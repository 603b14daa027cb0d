"""A list of nested objects dumped without marshmallow's per-field machinery: a plan has thousands of them."""

from __future__ import annotations

import enum
from collections.abc import Callable

from marshmallow import Schema, fields


def row_dumper(schema: Schema) -> Callable[[object], dict]:
    """A plain function dumping one object as `schema` would: each declared field read by its
    attribute (or name), enums by value, under its data key. For flat schemas of strings,
    numbers, booleans and enums only; `test_plan_serialization` holds it to marshmallow's dump."""
    plan = [
        (field.data_key or name, field.attribute or name, isinstance(field, fields.Enum))
        for name, field in schema.dump_fields.items()
    ]

    def dump(obj: object) -> dict:
        out = {}
        for key, attribute, by_value in plan:
            value = getattr(obj, attribute, None)
            out[key] = value.value if by_value and isinstance(value, enum.Enum) else value
        return out

    return dump


class Rows(fields.List):
    """`List(Nested(schema))` in the OpenAPI document; dumped by `row_dumper`."""

    def __init__(self, schema: type[Schema], **kwargs):
        super().__init__(fields.Nested(schema), **kwargs)
        self._dump_row = row_dumper(schema())

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else [self._dump_row(item) for item in value]
