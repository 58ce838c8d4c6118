"""Jobs as the API shows them to administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    data: dict[str, Any]
    dedupe_key: str | None
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    last_error: str | None
    locked_until: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
