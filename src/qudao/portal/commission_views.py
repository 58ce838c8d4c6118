"""Portal pages of commissions: the partner's own balance per currency, its statements and
the payouts it received, a statement with all its lines and its downloads. Every query is
scoped to the signed-in user's partner; another partner's statement answers 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from qudao.commissions import exports, payouts, statements
from qudao.commissions.models import Payout
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.core.money import from_minor
from qudao.http.auth import DbSession, PagePartner
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.programs.models import CommissionPlan
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter()
ExportFormat = Literal["csv", "xlsx", "pdf"]
PAYOUTS_SHOWN = 50


def _partner_id(partner_id: int | None) -> int:
    if partner_id is None:
        # A partner page always has a partner; this only keeps the type honest.
        raise NotFound(N_("Partner %(id)s was not found."), id=0)
    return partner_id


@router.get("/commissions")
def my_commissions(
    request: Request, subject: PagePartner, session: DbSession, page: PageNumber = 1,
) -> Response:
    partner_id = _partner_id(subject.partner_id)
    draft = pager("/portal/commissions", page)
    rows, total = statements.list_statements(session, subject, limit=draft.per_page,
                                             offset=draft.offset, partner_id=partner_id)
    received, received_total = payouts.list_payouts(session, subject, limit=PAYOUTS_SHOWN,
                                                    offset=0, partner_id=partner_id)
    return render(request, "portal/commissions.html", {
        "balances": statements.balances(session, subject, partner_id),
        "statements": rows, "pager": with_total(draft, total), "payouts": received,
        "payouts_total": received_total, "amount": from_minor,
        "state_labels": statements.STATE_LABELS, "method_labels": payouts.METHOD_LABELS,
    })


@router.get("/commissions/{statement_id}")
def statement_page(
    request: Request, subject: PagePartner, session: DbSession, statement_id: int,
) -> Response:
    statement = statements.get_statement(session, subject, statement_id)
    lines = statements.statement_lines(session, subject, statement_id)
    plan = session.get(CommissionPlan, statement.plan_id) if statement.plan_id else None
    payout = None
    if statement.payout_id is not None:
        payout = session.scalar(select(Payout).where(Payout.id == statement.payout_id,
                                                     Payout.partner_id == statement.partner_id))
    return render(request, "portal/commissions_statement.html", {
        "statement": statement, "lines": lines, "plan": plan, "payout": payout,
        # The stored end is the first day after the period.
        "last_day": statement.period_end - timedelta(days=1),
        "amount": from_minor, "state_labels": statements.STATE_LABELS,
        "kind_labels": statements.KIND_LABELS, "note_labels": statements.NOTE_LABELS,
        "method_labels": payouts.METHOD_LABELS,
    })


@router.get("/commissions/{statement_id}/export")
def export_statement(
    request: Request, subject: PagePartner, session: DbSession, statement_id: int,
    format: ExportFormat = "csv",
) -> Response:
    statement = statements.get_statement(session, subject, statement_id)
    found = exports.export_statements(session, subject, [statement], format,
                                      request_locale(request))
    # A header is Latin-1: a name in other letters falls back to a plain one.
    name = found.filename if found.filename.isascii() and '"' not in found.filename \
        else f"qudao-statement-{statement.id}.{format}"
    return Response(found.content, media_type=found.media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
