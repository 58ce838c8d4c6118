"""The demo's cadence: a review meeting with Northwind and its action items, this week's
follow-up tasks for every signed partner, and the checks behind the alerts page (a partner
quiet since signing, a deal whose protection has run out)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.demo.deals import NORTHWIND
from qudao.demo.people import Cast
from qudao.demo.timeline import Timeline
from qudao.engagement import followups, inactivity, meetings
from qudao.engagement.models import Meeting
from qudao.engagement.periodic import protection_expiry
from qudao.engagement.schemas import ActionItemIn, MeetingCreate

MEETING_NOTES = (
    "季度业务回顾：本季度已赢单Camden Grocers和Bristol Bike Shop；Oxford Tea Rooms的保护期"
    "已过，需要确认客户是否仍有采购计划；Brighton Books计划下月试用标准版。")
MEETING_ATTENDEES = "Lin（Northwind Distribution）、Eva Chen、Demo Admin"
MEETING_DAYS_AGO = 2


def _ensure_meeting(session: Session, people: Cast, when: Timeline) -> None:
    demo = people.partners.get(NORTHWIND)
    if demo is None or session.scalar(select(Meeting.id).where(
            Meeting.partner_id == demo.partner.id, Meeting.notes == MEETING_NOTES)
            .limit(1)) is not None:
        return
    today = when.today
    meetings.add_meeting(session, people.manager, MeetingCreate(
        partner_id=demo.partner.id, held_on=when.day(MEETING_DAYS_AGO),
        attendees=MEETING_ATTENDEES, notes=MEETING_NOTES, action_items=[
            ActionItemIn(title="发送更新后的专业版价格表", owner_id=people.manager_id,
                         due_on=today + timedelta(days=3)),
            ActionItemIn(title="与Oxford Tea Rooms重新确认采购计划",
                         due_on=today + timedelta(days=7)),
            ActionItemIn(title="安排Northwind销售团队的专业版培训",
                         owner_id=people.admin.user_id, due_on=today + timedelta(days=14)),
        ]))


def ensure_cadence(session: Session, people: Cast, when: Timeline) -> None:
    _ensure_meeting(session, people, when)
    followups.generate_weekly(session)
    # The periodic jobs' own work, done now rather than at the worker's first round.
    protection_expiry(session, {})
    inactivity.check(session)
