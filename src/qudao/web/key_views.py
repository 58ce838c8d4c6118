"""Staff pages for API keys: every partner's keys, issued, rotated and revoked here."""

from __future__ import annotations

from qudao.http.auth import PageStaff
from qudao.web.key_pages import STAFF_KEYS
from qudao.web.key_routes import key_router

router = key_router(STAFF_KEYS, PageStaff)
