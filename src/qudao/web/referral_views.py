"""Staff pages of referral links and funnels: every partner's links, a new link, switching
one off, a partner's funnel; and the section of the staff partner page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode, Translator
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.referrals import funnel, repository, service
from qudao.referrals.present import share_url
from qudao.referrals.schemas import LinkCreate, LinkUpdate
from qudao.web import partner_sections
from qudao.web.choices import as_options, partner_choices
from qudao.web.forms import REQUIRED, FormInvalid, FormState, failure, optional
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
FIELDS = ("partner_id", "landing_url", "label")
CREATED = notice("referral.created", N_("The referral link was created. Share its address "
                                        "with the partner."))
SWITCHED_OFF = notice("referral.off", N_("The link was switched off: it no longer "
                                         "redirects or counts visits."))
SWITCHED_ON = notice("referral.on", N_("The link was switched on again."))
PERIODS = (30, 90, 365)
PEOPLE = N_("People")
SECTION_LINKS = 10
# The funnel's period in days, as a query string sends it.
Period = Literal["30", "90", "365"]


def funnel_chart(found: funnel.Funnel, locale: LocaleCode) -> dict[str, Any]:
    """The funnel as a bar chart of charts.html, each step labelled with its conversion
    from the step before, and the same numbers as the chart's table."""
    t = Translator(locale)
    rates = ["—" if s.rate is None else f"{t.number(s.rate)}%" for s in found.steps]
    labels = [t.gettext(s.label) for s in found.steps]
    return {
        "spec": {"type": "bar", "x": "category",
                 "categories": [label if rate == "—" else f"{label} · {rate}"
                                for label, rate in zip(labels, rates, strict=True)],
                 "series": [{"name": t.gettext(PEOPLE), "data": [s.count for s in found.steps]}],
                 "format": {"style": "decimal", "digits": 0}, "height": 260},
        "table": {"headers": [t.gettext(N_("Step")), t.gettext(N_("Count")),
                              t.gettext(N_("From the step before"))],
                  "rows": [[label, t.number(s.count), rate]
                           for label, s, rate in zip(labels, found.steps, rates, strict=True)]},
    }


def funnel_context(
    session: Session, subject: AuthSubject, partner_id: int, days: int, *,
    locale: LocaleCode | None = None,
) -> dict[str, Any]:
    """What the funnel partial (referrals/_funnel.html) shows; with a ``locale``, as a
    chart (the page then loads the chart scripts)."""
    today = clock.now().date()
    found = funnel.funnel(session, subject, partner_id,
                          since=funnel.period(None, today, days)[0], until=today)
    return {"funnel": found, "days": days, "periods": PERIODS,
            "funnel_chart": funnel_chart(found, locale) if locale else None}


def _partner_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _links_page(
    request: Request, session: Session, subject: AuthSubject, *, partner_id: int | None,
    page: int, days: int, form: FormState | None = None,
) -> Response:
    partner = partners.get(session, subject, partner_id) if partner_id is not None else None
    draft = pager("/referrals", page, partner_id=partner_id,
                  days=days if days != funnel.DEFAULT_DAYS else None)
    rows, total = repository.search_links(session, subject, partner_id=partner_id,
                                          limit=draft.per_page, offset=draft.offset)
    choices = partner_choices(session, subject)
    state = form or FormState(values={"partner_id": str(partner_id or "")})
    context: dict[str, Any] = {
        "links": rows, "pager": with_total(draft, total), "partner": partner,
        "names": {c.id: c.name for c in choices}, "partner_options": as_options(choices),
        "base_url": str(request.base_url), "share_url": share_url, "form": state,
        "days": days, "periods": PERIODS,
    }
    if partner is not None:
        context.update(funnel_context(session, subject, partner.id, days,
                                      locale=request_locale(request)))
    return render(request, "referrals/list.html", context, status=state.status)


@router.get("/referrals")
def links_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    partner_id: Annotated[str | None, Query(max_length=20)] = None,
    days: Period = "90",
) -> Response:
    return _links_page(request, session, subject, partner_id=_partner_id(partner_id),
                       page=page, days=int(days))


@router.post("/referrals")
async def create_link(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    partner_id = _partner_id(optional(form, "partner_id", 20))
    try:
        if partner_id is None:
            raise FormInvalid("partner_id", REQUIRED)
        link = service.create_link(session, subject, LinkCreate(
            partner_id=partner_id, landing_url=optional(form, "landing_url", 2100) or "",
            label=optional(form, "label", 300)))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, FIELDS)
        session.rollback()
        return _links_page(request, session, subject, partner_id=partner_id, page=1,
                           days=funnel.DEFAULT_DAYS, form=state)
    return see_other(request, f"/referrals?partner_id={link.partner_id}", flash=CREATED)


@router.post("/referrals/{link_id}/active")
async def switch_link(
    request: Request, subject: PageStaff, session: DbSession, link_id: int
) -> Response:
    form = await checked_form(request)
    active = optional(form, "active", 5) == "on"
    link = service.update_link(session, subject, link_id, LinkUpdate(active=active))
    return see_other(request, f"/referrals?partner_id={link.partner_id}",
                     flash=SWITCHED_ON if active else SWITCHED_OFF)


@partner_sections.register
def referral_section(
    session: Session, subject: AuthSubject, partner: Partner, locale: LocaleCode
) -> partner_sections.Section | None:
    """The partner's funnel (last 90 days) and links, on the staff partner page."""
    rows, total = repository.search_links(session, subject, partner_id=partner.id,
                                          limit=SECTION_LINKS, offset=0)
    if not total and partner.stage != "signed":
        # A candidate without links has no traffic to show yet.
        return None
    context = funnel_context(session, subject, partner.id, funnel.DEFAULT_DAYS)
    context.update({"links": rows, "link_total": total, "share_url": share_url})
    return partner_sections.Section("referrals/_section.html", context)
