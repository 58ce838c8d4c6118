"""The audit log for administrators: newest first, filtered, and its hash chains checked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.audit import repository
from qudao.audit.verify import verify
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageAdmin
from qudao.http.templates import render
from qudao.web.choices import partner_choices
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
PER_PAGE = 50

# Readable names of the actions; an action without one is shown by its code alone.
ACTION_LABELS: dict[str, str] = {
    "user.create": N_("User added"),
    "user.preferences": N_("Language changed"),
    "user.password_change": N_("Password changed"),
    "user.password_set": N_("Password set by an administrator"),
    "user.login": N_("Signed in"),
    "user.login_failed": N_("Sign-in failed"),
    "user.logout": N_("Signed out"),
    "api_key.create": N_("API key issued"),
    "api_key.rotate": N_("API key rotated"),
    "api_key.revoke": N_("API key revoked"),
    "partner.create": N_("Partner added"),
    "partner.update": N_("Partner changed"),
    "partner.stage": N_("Candidate moved"),
    "partner.merge": N_("Duplicate merged"),
    "partner.contact_add": N_("Contact added"),
    "partner.contact_remove": N_("Contact removed"),
    "partner.diligence_override": N_("Due-diligence checks overridden"),
    "diligence.add": N_("Check added"),
    "diligence.update": N_("Check recorded"),
    "screening.rate": N_("Candidate rated"),
    "rubric.create": N_("Rubric created"),
    "rubric.version": N_("Rubric edited"),
    "authz.denied": N_("Access denied"),
}
# Who acted when no person did, and what was acted on.
ACTOR_LABELS: dict[str, str] = {
    "system": N_("System"),
    "anonymous": N_("Not signed in"),
}
TARGET_LABELS: dict[str, str] = {
    "user": N_("User"),
    "partner": N_("Partner"),
    "api_key": N_("API key"),
    "partner_contact": N_("Contact"),
    "evaluation": N_("Evaluation"),
    "diligence_item": N_("Due-diligence check"),
    "rubric": N_("Rubric"),
    "route": N_("Address"),
}
RESULT_LABELS: dict[str, str] = {
    "success": N_("Succeeded"),
    "denied": N_("Denied"),
    "failed": N_("Failed"),
}


LABELS = {"action_labels": ACTION_LABELS, "result_labels": RESULT_LABELS,
          "actor_labels": ACTOR_LABELS, "target_labels": TARGET_LABELS}


@router.get("/audit")
def audit_log(
    request: Request, subject: PageAdmin, session: DbSession,
    action: Annotated[str | None, Query(max_length=80)] = None,
    partner_id: Annotated[int | None, Query()] = None, page: PageNumber = 1,
) -> Response:
    action = (action or "").strip() or None
    draft = pager("/audit", page, PER_PAGE, action=action, partner_id=partner_id)
    rows, total = repository.recent(session, subject, action=action, partner_id=partner_id,
                                    limit=draft.per_page, offset=draft.offset)
    partners = partner_choices(session, subject)
    return render(request, "audit/list.html", {
        "entries": rows, "pager": with_total(draft, total), "action": action or "",
        "partner_id": partner_id, "partners": partners,
        "partner_names": {p.id: p.name for p in partners},
        **LABELS,
    })


@router.get("/audit/verify")
def verify_log(request: Request, subject: PageAdmin, session: DbSession) -> Response:
    # Reading only: checking the chains changes nothing, so a GET is right.
    return render(request, "audit/verify.html", {"result": verify(session)})
