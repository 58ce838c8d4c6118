"""The page tests' fixtures (quick password hashes, two partners, signed-in clients) for the
document tests too."""

from __future__ import annotations

from tests.web.conftest import sign_in, world

__all__ = ["sign_in", "world"]
