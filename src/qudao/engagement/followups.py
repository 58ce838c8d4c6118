"""Follow-up tasks: one weekly task per active partner and ISO week, for its channel
manager, and action items (of a meeting, or on their own)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.accounts.models import User
from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.engagement import repository
from qudao.engagement.inactivity import signed_partners
from qudao.engagement.models import FollowUpTask
from qudao.engagement.schemas import TaskCreate, TaskUpdate
from qudao.partners import repository as partners

WEEKLY_TITLE = N_("Weekly follow-up with %(partner)s")
# Friday: the end of the working week the task belongs to.
WEEKLY_DUE_WEEKDAY = 5


def week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_due(day: date) -> date:
    year, week, _weekday = day.isocalendar()
    return date.fromisocalendar(year, week, WEEKLY_DUE_WEEKDAY)


def title(task: FollowUpTask, partner_name: str, locale: LocaleCode) -> str:
    if task.kind == "weekly" or not task.title:
        return translate(locale, WEEKLY_TITLE, partner=partner_name)
    return task.title


def is_overdue(task: FollowUpTask, today: date) -> bool:
    return task.done_at is None and task.due_on is not None and task.due_on < today


def check_owner(session: Session, owner_id: int | None, field: str = "owner_id") -> int | None:
    if owner_id is None:
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.role.is_staff or not owner.is_active:
        raise Unprocessable(N_("The owner must be an active staff user."), field=field)
    return owner.id


def generate_weekly(session: Session, now: datetime | None = None) -> list[FollowUpTask]:
    """This ISO week's task for every active partner that has none yet. The unique
    (partner, kind, week) key makes a second run, or two at once, add nothing."""
    today = clock.as_utc(now or clock.now()).date()
    key, due = week_key(today), week_due(today)
    dialect = session.get_bind().dialect.name
    made: list[FollowUpTask] = []
    for partner in signed_partners(session):
        statement = pg_insert(FollowUpTask) if dialect == "postgresql" else \
            sqlite_insert(FollowUpTask)
        moment = clock.now()
        task_id = session.scalar(statement.values(
            partner_id=partner.id, kind="weekly", title=None, owner_user_id=partner.owner_id,
            due_on=due, period_key=key, created_at=moment, updated_at=moment,
        ).on_conflict_do_nothing().returning(FollowUpTask.id))
        if task_id is None:
            continue
        task = session.get(FollowUpTask, task_id)
        assert task is not None
        audit.record(session, action="task.create", target_type="follow_up_task",
                     target_id=task.id, partner_id=partner.id, after=snapshot(task))
        made.append(task)
    return made


def add_task(
    session: Session, subject: AuthSubject, data: TaskCreate, *, meeting_id: int | None = None
) -> FollowUpTask:
    """An action item; without an owner it goes to the partner's channel manager."""
    require_staff_writer(subject)
    partner = partners.get(session, subject, data.partner_id)
    text = data.title.strip()
    if not text:
        raise Unprocessable(N_("A task needs a title."), field="title")
    owner = check_owner(session, data.owner_id)
    task = FollowUpTask(partner_id=partner.id, kind="action_item", title=text,
                        owner_user_id=owner if owner is not None else partner.owner_id,
                        due_on=data.due_on, meeting_id=meeting_id)
    session.add(task)
    session.flush()
    audit.record(session, action="task.create", target_type="follow_up_task",
                 target_id=task.id, partner_id=partner.id, after=snapshot(task))
    return task


def update_task(
    session: Session, subject: AuthSubject, task_id: int, data: TaskUpdate
) -> FollowUpTask:
    task = repository.get_task(session, subject, task_id)
    require_staff_writer(subject)
    before = snapshot(task)
    values = data.model_dump(exclude_unset=True)
    if "done" in values and values["done"] is not None:
        if values["done"] and task.done_at is None:
            task.done_at, task.done_by_user_id = clock.now(), subject.user_id
        elif not values["done"]:
            task.done_at = task.done_by_user_id = None
    if "owner_id" in values:
        task.owner_user_id = check_owner(session, data.owner_id)
    if "due_on" in values:
        task.due_on = data.due_on
    session.flush()
    old, new = changes(before, snapshot(task))
    if new:
        audit.record(session, action="task.update", target_type="follow_up_task",
                     target_id=task.id, partner_id=task.partner_id, before=old, after=new)
    return task


def open_counts(session: Session, partner_ids: list[int]) -> dict[int, int]:
    """Each partner's open tasks, in one query (partners without any are left out)."""
    if not partner_ids:
        return {}
    query = (select(FollowUpTask.partner_id, func.count())
             .where(FollowUpTask.partner_id.in_(partner_ids), FollowUpTask.done_at.is_(None))
             .group_by(FollowUpTask.partner_id))
    return {int(partner_id): int(count) for partner_id, count in session.execute(query)}
