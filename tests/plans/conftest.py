"""The page tests' fixtures (signed-in clients, the two-partner world, quick password
hashes) for the goal and plan pages."""

from __future__ import annotations

from tests.web.conftest import sign_in, world

__all__ = ["sign_in", "world"]
