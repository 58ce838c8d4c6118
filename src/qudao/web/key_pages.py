"""API key pages, shared by the staff app (/api-keys, every partner) and the partner portal
(/portal/api-keys, the reader's own partner): list, issue, rotate, revoke.

A secret is shown once, on the page that answers the POST that created it (201, and like
every page ``Cache-Control: no-store``); lists only ever show the prefix and the last four.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts import api_keys
from qudao.accounts import repository as accounts
from qudao.accounts.models import ApiKey
from qudao.accounts.policy import require_people_manager, require_writer
from qudao.accounts.schemas import ApiKeyCreate, ApiKeyRotate
from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import Forbidden, QudaoError
from qudao.core.i18n import N_
from qudao.http.auth import settings_of
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.choices import as_options, partner_choices
from qudao.web.forms import (
    FormInvalid,
    FormState,
    checkbox,
    failure,
    optional,
    optional_day_start,
    optional_int,
)
from qudao.web.paging import pager, with_total

ISSUE_FIELDS = ("name", "partner_id", "read_only", "expires_on")
ROTATE_FIELDS = ("overlap_hours",)
REVOKED = notice("api_key.revoked", N_("The key was revoked. Requests that use it are refused."))
CHOOSE_PARTNER = N_("Choose the partner the key acts for.")
OVERLAP_CHOICES = (0, 1, 24, 72, 168)

StatusCode = Literal["active", "expiring", "expired", "revoked"]
STATUS_LABELS: dict[StatusCode, str] = {
    "active": N_("Active"),
    "expiring": N_("Expiring"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
}


@dataclass(frozen=True)
class KeyStatus:
    code: StatusCode
    label: str
    until: datetime | None


def key_status(key: ApiKey, at: datetime) -> KeyStatus:
    if key.revoked_at is not None and key.revoked_at <= at:
        return KeyStatus("revoked", STATUS_LABELS["revoked"], key.revoked_at)
    if key.expires_at is not None:
        code: StatusCode = "expired" if key.expires_at <= at else "expiring"
        return KeyStatus(code, STATUS_LABELS[code], key.expires_at)
    return KeyStatus("active", STATUS_LABELS["active"], None)


def may_manage(subject: AuthSubject, partner_id: int | None) -> bool:
    """Whether to offer the buttons; the services decide again when they are pressed."""
    try:
        require_people_manager(subject, partner_id)
        require_writer(subject)
    except Forbidden:
        return False
    return True


@dataclass(frozen=True)
class KeyPages:
    """The key pages under ``base_url``. ``staff`` pages pick and filter by partner; the
    portal's keys are always the signed-in partner's (the repository scopes them)."""

    base_url: str
    staff: bool

    def _issuer_partner(self, subject: AuthSubject) -> int | None:
        return None if self.staff else subject.partner_id

    def list_page(
        self, request: Request, session: Session, subject: AuthSubject, *,
        partner_id: int | None, page: int, form: FormState | None = None,
    ) -> Response:
        draft = pager(self.base_url, page, partner_id=partner_id if self.staff else None)
        rows, total = accounts.list_keys(session, subject,
                                         partner_id=partner_id if self.staff else None,
                                         limit=draft.per_page, offset=draft.offset)
        now = clock.now()
        partners = partner_choices(session, subject) if self.staff else []
        state = form or FormState(values={"partner_id": str(partner_id or "")})
        context: dict[str, Any] = {
            "keys": rows, "pager": with_total(draft, total), "base_url": self.base_url,
            "staff_view": self.staff, "partner_id": partner_id,
            "status": {key.id: key_status(key, now) for key in rows},
            "manageable": {key.id: may_manage(subject, key.partner_id) for key in rows},
            "can_issue": may_manage(subject, self._issuer_partner(subject)),
            "partners": partners, "partner_options": as_options(partners),
            "form": state,
        }
        return render(request, "keys/list.html", context, status=state.status)

    async def issue(self, request: Request, session: Session, subject: AuthSubject) -> Response:
        form = await checked_form(request)
        try:
            partner_id = optional_int(form, "partner_id") if self.staff else subject.partner_id
            if partner_id is None:
                raise FormInvalid("partner_id", CHOOSE_PARTNER)
            data = ApiKeyCreate(name=optional(form, "name", 1000) or "", partner_id=partner_id,
                                read_only=checkbox(form, "read_only"),
                                expires_at=optional_day_start(form, "expires_on"))
            issued = api_keys.issue_key(session, settings_of(request), subject, data)
        except (QudaoError, ValidationError, FormInvalid) as error:
            state = failure(error, request_locale(request), form, ISSUE_FIELDS,
                            fields={"expires_at": "expires_on"})
            return self.list_page(request, session, subject, partner_id=None, page=1,
                                  form=state)
        return self._issued(request, issued, replaced=None)

    def _issued(
        self, request: Request, issued: api_keys.IssuedKey, replaced: ApiKey | None
    ) -> Response:
        return render(request, "keys/issued.html", {
            "key": issued.key, "plaintext": issued.plaintext, "replaced": replaced,
            "replaced_works": replaced is not None and replaced.is_usable(clock.now()),
            "base_url": self.base_url,
        }, status=201)

    def confirm_page(
        self, request: Request, session: Session, subject: AuthSubject, key_id: int,
        action: Literal["rotate", "revoke"], form: FormState | None = None,
    ) -> Response:
        key = accounts.get_key(session, subject, key_id)
        require_people_manager(subject, key.partner_id)
        require_writer(subject)
        default_overlap = settings_of(request).key_rotation_overlap_hours
        state = form or FormState(values={"overlap_hours": str(default_overlap)})
        overlaps = sorted({*OVERLAP_CHOICES, default_overlap})
        return render(request, "keys/confirm.html", {
            "key": key, "action": action, "base_url": self.base_url, "form": state,
            "status": key_status(key, clock.now()), "overlaps": overlaps,
        }, status=state.status)

    async def rotate(
        self, request: Request, session: Session, subject: AuthSubject, key_id: int
    ) -> Response:
        form = await checked_form(request)
        # Another partner's key answers 404 here, before any form handling.
        old = accounts.get_key(session, subject, key_id)
        try:
            hours = ApiKeyRotate(overlap_hours=optional_int(form, "overlap_hours")).overlap_hours
            overlap = None if hours is None else timedelta(hours=hours)
            issued = api_keys.rotate_key(session, settings_of(request), subject, old.id,
                                         overlap)
        except (QudaoError, ValidationError, FormInvalid) as error:
            state = failure(error, request_locale(request), form, ROTATE_FIELDS)
            session.rollback()
            return self.confirm_page(request, session, subject, key_id, "rotate", form=state)
        return self._issued(request, issued, replaced=old)

    async def revoke(
        self, request: Request, session: Session, subject: AuthSubject, key_id: int
    ) -> Response:
        await checked_form(request)
        key = accounts.get_key(session, subject, key_id)
        api_keys.revoke_key(session, subject, key.id)
        return see_other(request, self.base_url, flash=REVOKED)


STAFF_KEYS = KeyPages(base_url="/api-keys", staff=True)
PORTAL_KEYS = KeyPages(base_url="/portal/api-keys", staff=False)
