"""JSON routes for the audit log (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qudao.audit import repository
from qudao.audit.schemas import AuditEntryOut, BreakOut, VerificationOut
from qudao.audit.verify import verify
from qudao.core.i18n import translate
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.pagination import page as paged
from qudao.http.auth import Admin, DbSession

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="Audit log, newest first")
def list_audit(
    subject: Admin, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    action: Annotated[str | None, Query(max_length=80)] = None,
    partner_id: Annotated[int | None, Query()] = None,
) -> Page[AuditEntryOut]:
    rows, total = repository.recent(session, subject, action=action, partner_id=partner_id,
                                    limit=page.limit, offset=page.offset)
    return paged(AuditEntryOut, rows, total, page)


@router.get("/verify", summary="Check the hash chains; names the first broken row")
def verify_audit(subject: Admin, session: DbSession) -> VerificationOut:
    result = verify(session)
    return VerificationOut(ok=result.ok, checked=result.checked, breaks=[
        BreakOut(chain=b.chain, entry_id=b.entry_id, message=translate("en", b.message, **b.params))
        for b in result.breaks
    ])
