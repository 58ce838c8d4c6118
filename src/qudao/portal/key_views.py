"""The partner's own API keys: administrators issue, rotate and revoke; members read."""

from __future__ import annotations

from qudao.http.auth import PagePartner
from qudao.web.key_pages import PORTAL_KEYS
from qudao.web.key_routes import key_router

router = key_router(PORTAL_KEYS, PagePartner)
