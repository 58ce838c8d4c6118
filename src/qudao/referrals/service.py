"""Referral links and events: creating links (staff), following one (anyone, through
``/r/{code}``), and recording the events the company's site reports, each credited to the
partner of the visitor's last click within the attribution window."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer, require_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import check_currency, parse_amount, to_minor
from qudao.partners import repository as partners
from qudao.programs.models import Program
from qudao.referrals import links, repository
from qudao.referrals.models import ReferralEvent, ReferralLink
from qudao.referrals.schemas import EventCreate, LinkCreate, LinkUpdate

DEFAULT_ATTRIBUTION_DAYS = 90
# Clocks of the reporting site and of this server differ a little.
FUTURE_TOLERANCE = timedelta(minutes=5)
CODE_ATTEMPTS = 5
UNKNOWN_CODE = N_("There is no active referral link with this code.")
NOT_YOUR_VISITOR = N_("This visitor or customer did not come through your referral links "
                      "within the attribution window.")


def attribution_days(session: Session) -> int:
    """The default program's window (the program with the lowest id), else 90 days."""
    days = session.scalar(select(Program.attribution_days).order_by(Program.id).limit(1))
    return int(days) if days else DEFAULT_ATTRIBUTION_DAYS


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def create_link(session: Session, subject: AuthSubject, data: LinkCreate) -> ReferralLink:
    require_staff_writer(subject)
    partner = partners.get(session, subject, data.partner_id)
    if partner.merged_into_id is not None:
        raise Unprocessable(N_("This partner was merged into another; create the link there."),
                            field="partner_id")
    landing = links.check_landing_url(data.landing_url)
    for _attempt in range(CODE_ATTEMPTS):
        link = ReferralLink(partner_id=partner.id, code=links.new_code(), landing_url=landing,
                            label=_text(data.label), active=True,
                            created_by_user_id=subject.user_id)
        try:
            with session.begin_nested():
                session.add(link)
                session.flush()
        except IntegrityError:
            # A code already taken: with 62^12 codes only a broken random source gets here.
            continue
        audit.record(session, action="referral_link.create", target_type="referral_link",
                     target_id=link.id, partner_id=partner.id, after=snapshot(link))
        return link
    raise RuntimeError("could not draw an unused referral code")


def update_link(
    session: Session, subject: AuthSubject, link_id: int, data: LinkUpdate
) -> ReferralLink:
    link = repository.get_link(session, subject, link_id)
    require_staff_writer(subject)
    before = snapshot(link)
    values = data.model_dump(exclude_unset=True)
    if values.get("landing_url") is not None:
        link.landing_url = links.check_landing_url(str(values["landing_url"]))
    if "label" in values:
        link.label = _text(data.label)
    if values.get("active") is not None:
        link.active = bool(values["active"])
    session.flush()
    old, new = changes(before, snapshot(link))
    if new:
        audit.record(session, action="referral_link.update", target_type="referral_link",
                     target_id=link.id, partner_id=link.partner_id, before=old, after=new)
    return link


def active_link(session: Session, code: str) -> ReferralLink:
    link = repository.by_code(session, code) if links.is_code(code) else None
    if link is None or not link.active:
        raise NotFound(UNKNOWN_CODE)
    return link


def follow(session: Session, code: str, visitor_id: str) -> tuple[ReferralLink, ReferralEvent]:
    """A click on a referral link: the visit is recorded and credited to the link's
    partner. Anyone may follow a link, so nothing here trusts the caller."""
    link = active_link(session, code)
    visit = ReferralEvent(kind="visit", partner_id=link.partner_id, link_id=link.id,
                          visitor_id=visitor_id, occurred_at=clock.now(), source="link",
                          synthetic=False)
    session.add(visit)
    session.flush()
    return link, visit


def credited_visit(
    session: Session, *, visitor_id: str | None, customer_id: str | None, at: datetime,
) -> ReferralEvent | None:
    """The visit that earns the credit: the last one within the window before ``at`` by
    this visitor, or by any visitor an earlier event tied to this customer."""
    visitors = {visitor_id} if visitor_id else set()
    if customer_id:
        visitors |= repository.visitors_of_customer(session, customer_id, at)
    window = timedelta(days=attribution_days(session))
    return repository.last_click(session, visitors, since=at - window, until=at)


def _amount(data: EventCreate) -> tuple[int | None, str | None]:
    if data.amount is None and data.currency is None:
        return None, None
    if data.kind != "paid":
        raise Unprocessable(N_("Only a paid event carries an amount."), field="amount")
    if data.amount is None or data.currency is None:
        raise Unprocessable(N_("Give both the amount and its currency."),
                            field="amount" if data.amount is None else "currency")
    currency = check_currency(data.currency)
    return to_minor(parse_amount(data.amount, currency), currency), currency


def record_event(session: Session, subject: AuthSubject, data: EventCreate) -> ReferralEvent:
    """An event from the company's site. Staff (a key of the site's backend) may report
    any; a partner only about visitors that came through its own links."""
    require_writer(subject)
    now = clock.now()
    at = clock.as_utc(data.occurred_at) if data.occurred_at else now
    if at > now + FUTURE_TOLERANCE:
        raise Unprocessable(N_("The event's time is in the future."), field="occurred_at")
    amount_minor, currency = _amount(data)
    if data.ref is not None:
        if data.kind != "visit":
            raise Unprocessable(N_("Only a visit names the referral code it came with."),
                                field="ref")
        link = active_link_or_422(session, data.ref)
        partner_id: int | None = link.partner_id
        link_id: int | None = link.id
    else:
        visit = credited_visit(session, visitor_id=data.visitor_id,
                               customer_id=data.customer_id, at=at)
        partner_id = visit.partner_id if visit else None
        link_id = visit.link_id if visit else None
    if not subject.is_staff and (partner_id is None or partner_id != subject.partner_id):
        raise Unprocessable(UNKNOWN_CODE if data.ref is not None else NOT_YOUR_VISITOR,
                            field="ref" if data.ref is not None else "visitor_id")
    event = ReferralEvent(kind=data.kind, partner_id=partner_id,
                          link_id=link_id,
                          visitor_id=data.visitor_id, customer_id=data.customer_id,
                          occurred_at=at, amount_minor=amount_minor, currency=currency,
                          source="api", synthetic=False)
    session.add(event)
    session.flush()
    audit.record(session, action="referral_event.create", target_type="referral_event",
                 target_id=event.id, partner_id=partner_id,
                 after={"kind": event.kind, "partner_id": partner_id,
                        "visitor_id": event.visitor_id, "customer_id": event.customer_id})
    return event


def active_link_or_422(session: Session, code: str) -> ReferralLink:
    try:
        return active_link(session, code.strip())
    except NotFound:
        raise Unprocessable(UNKNOWN_CODE, field="ref") from None
