"""Every SELECT of goals. Goals are the company's own plans: staff read them, nobody else."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.goals.models import Goal

Ts = TypeVarTuple("Ts")


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    """Restricts any query over goals to the rows the caller may read."""
    return query if subject.is_staff else query.where(false())


def readable(subject: AuthSubject) -> Select[Goal]:
    return scoped(subject, select(Goal))


def get(session: Session, subject: AuthSubject, goal_id: int) -> Goal:
    goal = session.scalar(readable(subject).where(Goal.id == goal_id))
    if goal is None:
        raise NotFound(N_("Goal %(id)s was not found."), id=goal_id)
    return goal


def search(
    session: Session, subject: AuthSubject, *, limit: int, offset: int,
    program_id: int | None = None, archived: bool = False, owner_user_id: int | None = None,
    partner_id: int | None = None,
) -> tuple[list[Goal], int]:
    """Goals by deadline, the nearest first."""
    query = readable(subject).where(Goal.archived_at.is_not(None) if archived
                                    else Goal.archived_at.is_(None))
    if program_id is not None:
        query = query.where(Goal.program_id == program_id)
    if owner_user_id is not None:
        query = query.where(Goal.owner_user_id == owner_user_id)
    if partner_id is not None:
        query = query.where(Goal.partner_id == partner_id)
    return page_of(session, query, Goal.deadline, Goal.id, limit=limit, offset=offset)
