"""Meeting notes with their action items, and the channel manager of a partner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import snapshot
from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.engagement import followups, inactivity
from qudao.engagement.models import Meeting
from qudao.engagement.schemas import MeetingCreate, TaskCreate
from qudao.partners import repository as partners
from qudao.partners import service as partner_service
from qudao.partners.models import Partner
from qudao.partners.schemas import PartnerUpdate


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def add_meeting(session: Session, subject: AuthSubject, data: MeetingCreate) -> Meeting:
    """Record a meeting that took place, with its action items as tasks. A meeting is
    activity: an open "signed, then nothing" alert of the partner is resolved at once."""
    require_staff_writer(subject)
    partner = partners.get(session, subject, data.partner_id)
    if data.held_on > clock.now().date():
        raise Unprocessable(N_("Meeting notes are for meetings that took place: the date "
                               "cannot be in the future."), field="held_on")
    meeting = Meeting(partner_id=partner.id, held_on=data.held_on,
                      attendees=_text(data.attendees), notes=_text(data.notes),
                      created_by_user_id=subject.user_id)
    session.add(meeting)
    session.flush()
    audit.record(session, action="meeting.create", target_type="meeting", target_id=meeting.id,
                 partner_id=partner.id, after=snapshot(meeting))
    for item in data.action_items:
        followups.add_task(session, subject, TaskCreate(partner_id=partner.id, **item.model_dump()),
                           meeting_id=meeting.id)
    inactivity.check(session, partner_id=partner.id)
    return meeting


def set_channel_manager(
    session: Session, subject: AuthSubject, partner_id: int, owner_id: int | None
) -> Partner:
    """The partner's channel manager is its owner: the same field the partner pages edit,
    changed through the partners' own rules and audit."""
    followups.check_owner(session, owner_id)
    return partner_service.update_partner(session, subject, partner_id,
                                          PartnerUpdate(owner_id=owner_id))
