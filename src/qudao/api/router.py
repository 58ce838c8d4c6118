"""Assembles every domain's JSON routes under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from qudao.accounts.api import router as accounts
from qudao.agreements.api import router as agreements
from qudao.audit.api import router as audit
from qudao.commissions.api import router as commissions
from qudao.dashboards.api import router as dashboards
from qudao.deals.api import router as deals
from qudao.documents.api import router as documents
from qudao.engagement.api import router as engagement
from qudao.goals.api import router as goals
from qudao.partners.api import router as partners
from qudao.programs.api import router as programs
from qudao.programs.plans_api import router as plans
from qudao.recommendations.api import router as recommendations
from qudao.referrals.api import router as referrals
from qudao.screening.api import router as screening

router = APIRouter(prefix="/api/v1")
for domain in (accounts, partners, screening, programs, plans, goals, documents, agreements,
               deals, referrals, engagement, commissions, recommendations, audit, dashboards):
    router.include_router(domain)
