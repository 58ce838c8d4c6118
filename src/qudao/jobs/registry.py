"""Job functions by name. A domain declares its jobs with ``@job("name")`` in a module that
``qudao.jobs.catalog`` imports; the queue stores only the name and a JSON payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

Every = Literal["hour", "day", "week"]
JobFunction = Callable[[Session, Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    function: JobFunction
    max_attempts: int
    # How long a worker may hold a job before another may take it over.
    lease: timedelta
    # Periodic jobs are enqueued by the scheduler once per period.
    every: Every | None


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str, *, max_attempts: int = 5, lease_seconds: int = 600, every: Every | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function. It must be idempotent: running it twice for the same payload
    changes nothing more than running it once."""
    if max_attempts < 1 or lease_seconds < 1:
        raise ValueError("a job needs at least one attempt and a positive lease")

    def register(function: JobFunction) -> JobFunction:
        known = _REGISTRY.get(name)
        if known is not None and known.function is not function:
            raise ValueError(f"two job functions are named {name!r}")
        _REGISTRY[name] = JobSpec(name, function, max_attempts,
                                  timedelta(seconds=lease_seconds), every)
        return function

    return register


def find(name: str) -> JobSpec | None:
    from qudao.jobs import catalog

    catalog.load()
    return _REGISTRY.get(name)


def spec(name: str) -> JobSpec:
    found = find(name)
    if found is None:
        raise ValueError(f"no job is named {name!r}")
    return found


def periodic() -> list[JobSpec]:
    from qudao.jobs import catalog

    catalog.load()
    return sorted((s for s in _REGISTRY.values() if s.every is not None), key=lambda s: s.name)


def forget(name: str) -> None:
    """Remove a job (tests register throw-away jobs)."""
    _REGISTRY.pop(name, None)
