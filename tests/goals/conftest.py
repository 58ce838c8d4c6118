"""The page tests' fixtures (signed-in clients, the two-partner world, quick password
hashes) for the goal and plan pages."""

from __future__ import annotations

from tests.web.conftest import _quick_password_hashes, sign_in, world

__all__ = ["_quick_password_hashes", "sign_in", "world"]
