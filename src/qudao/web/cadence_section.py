"""The cadence section of the staff partner page: the channel manager, the last activity,
open tasks and recent meetings, with a link to add a meeting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import LocaleCode
from qudao.engagement import activity, alerts, followups, inactivity, repository
from qudao.partners.models import Partner
from qudao.web import partner_sections
from qudao.web.choices import owner_options, people_by_id, staff_people

SECTION_ROWS = 5


@partner_sections.register
def cadence_section(
    session: Session, subject: AuthSubject, partner: Partner, locale: LocaleCode
) -> partner_sections.Section | None:
    today = clock.now().date()
    tasks, task_total = repository.search_tasks(session, subject, today=today,
                                                partner_id=partner.id, limit=SECTION_ROWS,
                                                offset=0)
    meetings, meeting_total = repository.search_meetings(session, subject,
                                                         partner_id=partner.id,
                                                         limit=SECTION_ROWS, offset=0)
    open_alerts, _total = alerts.search(session, subject, partner_id=partner.id, limit=10,
                                        offset=0)
    people = staff_people(session, subject)
    signed = partner.stage == "signed"
    return partner_sections.Section("cadence/_section.html", {
        "last": activity.last_activity(session, [partner.id]).get(partner.id),
        "quiet_days": ((clock.now() - inactivity.quiet_since(session, [partner])[partner.id])
                       .days if signed else None),
        "inactivity_days": inactivity.inactivity_days(session),
        "tasks": tasks, "task_total": task_total, "meetings": meetings,
        "meeting_total": meeting_total, "today": today, "title": followups.title,
        "overdue": followups.is_overdue, "people": people_by_id(people),
        "owner_options": owner_options(people), "activity_labels": activity.ACTIVITY_LABELS,
        "alerts": [(a, alerts.message(a, locale)) for a in open_alerts],
    }, column="side")
