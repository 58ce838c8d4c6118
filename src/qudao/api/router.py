"""Assembles every domain's JSON routes under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from qudao.accounts.api import router as accounts
from qudao.audit.api import router as audit
from qudao.partners.api import router as partners
from qudao.recommendations.api import router as recommendations
from qudao.screening.api import router as screening

router = APIRouter(prefix="/api/v1")
for domain in (accounts, partners, screening, recommendations, audit):
    router.include_router(domain)
