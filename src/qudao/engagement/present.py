"""Cadence rows as API shapes, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.i18n import LocaleCode
from qudao.engagement import alerts, followups, repository
from qudao.engagement.models import Alert, FollowUpTask, Meeting
from qudao.engagement.schemas import AlertOut, MeetingOut, TaskOut
from qudao.partners.models import Partner


def partner_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows.all()}


def tasks_out(session: Session, tasks: list[FollowUpTask], locale: LocaleCode,
              names: dict[int, str] | None = None) -> list[TaskOut]:
    if names is None:
        names = partner_names(session, (t.partner_id for t in tasks))
    today = clock.now().date()
    return [TaskOut(
        id=t.id, partner_id=t.partner_id, partner=names.get(t.partner_id, ""), kind=t.kind,
        title=followups.title(t, names.get(t.partner_id, ""), locale),
        owner_id=t.owner_user_id, due_on=t.due_on, overdue=followups.is_overdue(t, today),
        done=t.done_at is not None, done_at=t.done_at, done_by_user_id=t.done_by_user_id,
        meeting_id=t.meeting_id, period_key=t.period_key) for t in tasks]


def meetings_out(
    session: Session, meetings: list[Meeting], locale: LocaleCode
) -> list[MeetingOut]:
    items = repository.meeting_tasks(session, [m.id for m in meetings])
    names = partner_names(session, [*(m.partner_id for m in meetings),
                                    *(t.partner_id for ts in items.values() for t in ts)])
    return [MeetingOut(
        id=m.id, partner_id=m.partner_id, partner=names.get(m.partner_id, ""),
        held_on=m.held_on, attendees=m.attendees, notes=m.notes,
        created_by_user_id=m.created_by_user_id, created_at=m.created_at,
        action_items=tasks_out(session, items[m.id], locale, names)) for m in meetings]


def alert_out(alert: Alert, locale: LocaleCode) -> AlertOut:
    return AlertOut(id=alert.id, kind=alert.kind, label=alerts.label(alert.kind, locale),
                    message=alerts.message(alert, locale), partner_id=alert.partner_id,
                    params=alert.message_params, raised_at=alert.raised_at,
                    resolved_at=alert.resolved_at, resolution=alert.resolution,
                    resolved_by_user_id=alert.resolved_by_user_id)
