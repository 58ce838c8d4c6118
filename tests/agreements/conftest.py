"""Fixtures of the agreement tests: quick password hashes and signed-in clients, as the page
tests have them."""

from __future__ import annotations

from tests.web.conftest import sign_in, world

__all__ = ["sign_in", "world"]
