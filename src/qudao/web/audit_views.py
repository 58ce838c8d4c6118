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
    "program.create": N_("Program created"),
    "program.update": N_("Program changed"),
    "value_proposition.save": N_("Value proposition saved"),
    "product.create": N_("Product added"),
    "product.update": N_("Product changed"),
    "product.import": N_("Products imported"),
    "retail.import": N_("Retail transactions imported"),
    "plan.create": N_("Commission plan created"),
    "plan.update": N_("Commission plan changed"),
    "commission.run": N_("Commissions run"),
    "statement.approve": N_("Statement approved"),
    "payout.create": N_("Payout recorded"),
    "payout.reverse": N_("Payout reversed"),
    "rate.add": N_("Exchange rate added"),
    "sales.refund": N_("Refund recorded"),
    "sales.import": N_("Sales imported"),
    "sales.correct": N_("Sale corrected"),
    "goal.create": N_("Goal set"),
    "goal.update": N_("Goal changed"),
    "goal.archive": N_("Goal archived"),
    "document_template.create": N_("Document template created"),
    "document_template.save": N_("Document template edited"),
    "document.generate": N_("Document generated"),
    "agreement.create": N_("Agreement drafted"),
    "agreement.update": N_("Agreement changed"),
    "agreement.sign": N_("Agreement signed"),
    "agreement.activate": N_("Agreement in force"),
    "agreement.renew": N_("Agreement renewed"),
    "agreement.terminate": N_("Agreement terminated"),
    "agreement.kpi_add": N_("KPI added"),
    "agreement.milestone_add": N_("Milestone added"),
    "agreement.milestone_tick": N_("Milestone ticked"),
    "onboarding.tick": N_("Onboarding step done"),
    "onboarding.update": N_("Onboarding step changed"),
    "invitation.create": N_("Invitation created"),
    "invitation.accept": N_("Invitation accepted"),
    "invitation.revoke": N_("Invitation withdrawn"),
    "deal.register": N_("Deal registered"),
    "deal.update": N_("Deal changed"),
    "deal.approve": N_("Deal approved"),
    "deal.reject": N_("Deal rejected"),
    "deal.win": N_("Deal won"),
    "deal.lose": N_("Deal lost"),
    "deal.assign": N_("Sales rep assigned"),
    "deal.conflict": N_("Registration refused: customer protected"),
    "deal.extension_request": N_("Protection extension requested"),
    "deal.extension_decision": N_("Protection extension decided"),
    "deal.protection_expired": N_("Deal protection ended"),
    "referral_link.create": N_("Referral link created"),
    "referral_link.update": N_("Referral link changed"),
    "referral_event.create": N_("Referral event reported"),
    "task.create": N_("Task added"),
    "task.update": N_("Task changed"),
    "meeting.create": N_("Meeting recorded"),
    "alert.raise": N_("Alert raised"),
    "alert.resolve": N_("Alert resolved"),
    "job.retry": N_("Job retried"),
    "purchases.import": N_("Purchases imported"),
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
    "program": N_("Program"),
    "product": N_("Product"),
    "commission_plan": N_("Commission plan"),
    "commission_run": N_("Commission run"),
    "commission_statement": N_("Commission statement"),
    "commission_payout": N_("Payout"),
    "currency_rate": N_("Exchange rate"),
    "sales_transaction": N_("Sale or refund"),
    "goal": N_("Goal"),
    "document_template": N_("Document template"),
    "generated_document": N_("Document"),
    "agreement": N_("Agreement"),
    "agreement_kpi": N_("KPI"),
    "agreement_milestone": N_("Milestone"),
    "onboarding_item": N_("Onboarding step"),
    "invitation": N_("Invitation"),
    "deal": N_("Deal"),
    "referral_link": N_("Referral link"),
    "referral_event": N_("Referral event"),
    "follow_up_task": N_("Task"),
    "meeting": N_("Meeting"),
    "alert": N_("Alert"),
    "job": N_("Job"),
    "purchases": N_("Purchases"),
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
