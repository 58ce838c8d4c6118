"""Every SELECT of follow-up tasks and meetings. The cadence is the company's own working
list: staff read it all, partners none of it (``readable``)."""

from __future__ import annotations

from datetime import date
from typing import TypeVarTuple

from sqlalchemy import Select, case, false, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.engagement.models import FollowUpTask, Meeting

Ts = TypeVarTuple("Ts")


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    return query if subject.is_staff else query.where(false())


def get_task(session: Session, subject: AuthSubject, task_id: int) -> FollowUpTask:
    task = session.scalar(scoped(subject, select(FollowUpTask))
                          .where(FollowUpTask.id == task_id))
    if task is None:
        raise NotFound(N_("Task %(id)s was not found."), id=task_id)
    return task


def get_meeting(session: Session, subject: AuthSubject, meeting_id: int) -> Meeting:
    meeting = session.scalar(scoped(subject, select(Meeting)).where(Meeting.id == meeting_id))
    if meeting is None:
        raise NotFound(N_("Meeting %(id)s was not found."), id=meeting_id)
    return meeting


def search_tasks(
    session: Session, subject: AuthSubject, *, today: date, owner_id: int | None = None,
    partner_id: int | None = None, open_only: bool = True, meeting_id: int | None = None,
    unowned: bool = False, limit: int, offset: int,
) -> tuple[list[FollowUpTask], int]:
    """Open tasks first, overdue before the rest, soonest due first."""
    query = scoped(subject, select(FollowUpTask))
    if owner_id is not None:
        query = query.where(FollowUpTask.owner_user_id == owner_id)
    if unowned:
        query = query.where(FollowUpTask.owner_user_id.is_(None))
    if partner_id is not None:
        query = query.where(FollowUpTask.partner_id == partner_id)
    if meeting_id is not None:
        query = query.where(FollowUpTask.meeting_id == meeting_id)
    if open_only:
        query = query.where(FollowUpTask.done_at.is_(None))
    is_open = case((FollowUpTask.done_at.is_(None), 0), else_=1)
    overdue = case((FollowUpTask.due_on < today, 0), else_=1)
    return page_of(session, query, is_open, overdue, FollowUpTask.due_on.asc().nulls_last(),
                   FollowUpTask.id, limit=limit, offset=offset)


def meeting_tasks(session: Session, meeting_ids: list[int]) -> dict[int, list[FollowUpTask]]:
    found: dict[int, list[FollowUpTask]] = {i: [] for i in meeting_ids}
    if meeting_ids:
        for task in session.scalars(select(FollowUpTask)
                                    .where(FollowUpTask.meeting_id.in_(meeting_ids))
                                    .order_by(FollowUpTask.id)):
            assert task.meeting_id is not None
            found[task.meeting_id].append(task)
    return found


def search_meetings(
    session: Session, subject: AuthSubject, *, partner_id: int | None = None, limit: int,
    offset: int,
) -> tuple[list[Meeting], int]:
    query = scoped(subject, select(Meeting))
    if partner_id is not None:
        query = query.where(Meeting.partner_id == partner_id)
    return page_of(session, query, Meeting.held_on.desc(), Meeting.id.desc(), limit=limit,
                   offset=offset)
