"""What the cadence pages share: the local "back to" address of their forms and the
people and partner names they show."""

from __future__ import annotations

from qudao.core.i18n import N_
from qudao.http.templates import notice

TASK_DONE = notice("cadence.task_done", N_("The task is done."))
TASK_REOPENED = notice("cadence.task_reopened", N_("The task is open again."))


def local_path(value: str | None, default: str) -> str:
    """A form's "back to" address, kept on this site: a path, never another host."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 33 for c in value) or len(value) > 500:
        return default
    return value
