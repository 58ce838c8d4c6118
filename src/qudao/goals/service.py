"""Rules for goals: set one (only if it is SMART), change it, archive it. Services flush and
audit; the boundary commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.money import from_minor
from qudao.goals import repository, smart
from qudao.goals.models import Goal
from qudao.goals.progress import metric_of
from qudao.goals.schemas import GoalCreate, GoalUpdate


def _apply(goal: Goal, draft: smart.Draft) -> None:
    assert draft.program is not None
    assert draft.metric is not None
    assert draft.owner is not None
    assert draft.start is not None
    assert draft.deadline is not None
    assert draft.target is not None
    goal.program_id = draft.program.id
    goal.title = draft.title
    goal.metric = draft.metric.key
    goal.target = draft.target
    goal.currency = draft.currency if draft.metric.unit == "money" else None
    goal.partner_id = draft.partner_id
    goal.start = draft.start
    goal.deadline = draft.deadline
    goal.owner_user_id = draft.owner.id


def create_goal(session: Session, subject: AuthSubject, data: GoalCreate) -> Goal:
    require_staff_writer(subject)
    values = data.model_dump()
    draft = smart.review(session, values, creating=True, changed=set(values))
    goal = Goal(created_by_user_id=subject.user_id)
    _apply(goal, draft)
    session.add(goal)
    session.flush()
    audit.record(session, action="goal.create", target_type="goal", target_id=goal.id,
                 after=snapshot(goal))
    return goal


def _stored(goal: Goal) -> dict[str, Any]:
    """The goal's fields as the review reads them, a money target as an amount."""
    target: object = goal.target
    if goal.currency and metric_of(goal).unit == "money":
        target = format(from_minor(goal.target, goal.currency), "f")
    return {"program_id": goal.program_id, "title": goal.title, "metric": goal.metric,
            "target": target, "currency": goal.currency, "partner_id": goal.partner_id,
            "start": goal.start, "deadline": goal.deadline,
            "owner_user_id": goal.owner_user_id, "owner_email": None}


def update_goal(
    session: Session, subject: AuthSubject, goal_id: int, data: GoalUpdate
) -> Goal:
    """Changes the fields sent; the goal must still be SMART afterwards."""
    goal = repository.get(session, subject, goal_id)
    require_staff_writer(subject)
    sent = data.model_dump(exclude_unset=True)
    values = _stored(goal)
    if "owner_email" in sent and "owner_user_id" not in sent:
        values["owner_user_id"] = None
    values.update(sent)
    draft = smart.review(session, values, creating=False, changed=set(sent))
    before = snapshot(goal)
    _apply(goal, draft)
    session.flush()
    old, new = changes(before, snapshot(goal))
    if new:
        audit.record(session, action="goal.update", target_type="goal", target_id=goal.id,
                     before=old, after=new)
    return goal


def archive_goal(session: Session, subject: AuthSubject, goal_id: int) -> Goal:
    """Archived goals leave the list; their history stays."""
    goal = repository.get(session, subject, goal_id)
    require_staff_writer(subject)
    if goal.archived_at is None:
        goal.archived_at = clock.now()
        session.flush()
        audit.record(session, action="goal.archive", target_type="goal", target_id=goal.id,
                     before={"archived_at": None},
                     after={"archived_at": goal.archived_at.isoformat()})
    return goal
