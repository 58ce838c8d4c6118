"""The hash chain: each row's hash covers the previous row's hash and its own content."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from qudao.audit.models import AuditEntry

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain", "seq", "occurred_at", "actor_type", "actor_id", "actor_label", "partner_id",
    "action", "target_type", "target_id", "before", "after", "request_id", "ip",
    "user_agent", "result", "reason", "prev_hash",
)


def canonical(entry: AuditEntry) -> str:
    values: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if name == "occurred_at" else value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(entry: AuditEntry) -> str:
    return hashlib.sha256((entry.prev_hash + canonical(entry)).encode()).hexdigest()
