"""JSON snapshots of rows for the audit log, with secrets redacted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect

JSONValue = str | int | bool | None | list[Any] | dict[str, Any]

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset(
    {"password", "password_hash", "digest", "token", "secret", "csrf_token", "api_key"}
)


def to_json_value(value: Any) -> JSONValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return to_json_value(value.value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    return str(value)


def snapshot(row: object, *, exclude: frozenset[str] = frozenset()) -> dict[str, JSONValue]:
    """The column values of an ORM row."""
    mapper = inspect(row).mapper
    values: dict[str, JSONValue] = {}
    for column in mapper.column_attrs:
        key = column.key
        if key in exclude:
            continue
        values[key] = REDACTED if key in SECRET_FIELDS else to_json_value(getattr(row, key))
    return values


def changes(
    before: dict[str, JSONValue], after: dict[str, JSONValue]
) -> tuple[dict[str, JSONValue], dict[str, JSONValue]]:
    """Only the fields that differ, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    keys += [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def dumps(value: Mapping[str, object] | None) -> str | None:
    if value is None:
        return None
    redacted = {k: (REDACTED if k in SECRET_FIELDS else to_json_value(v))
                for k, v in value.items()}
    return json.dumps(redacted, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
