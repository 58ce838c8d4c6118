"""The audit log page: newest first, filters, paging, and the hash-chain check."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners
from tests.web.conftest import Browser


def test_the_audit_log_filters_and_verifies_its_chains(
    world: TwoPartners, db: Database, backend: str, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/audit")
    assert page.status_code == 200
    rows = page.text.split("<tbody>")[1]
    assert rows.index("Signed in") < rows.index("API key issued") < rows.index("Partner added")
    only = admin.get("/audit?action=partner.create").text
    assert only.count("<code class=\"sub\">partner.create</code>") == 2
    assert "api_key.create</code>" not in only
    for_b = admin.get(f"/audit?partner_id={world.partner_b}").text
    assert "Alpha Distribution" not in for_b.split("<tbody>")[1]
    assert "No entries match." in admin.get("/audit?action=nothing.like.this").text

    intact = admin.get("/audit/verify")
    assert "The audit log is intact." in intact.text

    # Tampering needs the append-only triggers out of the way first.
    with db.engine.begin() as connection:
        if backend == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            for name in connection.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'audit_log'")).scalars():
                connection.execute(text(f'DROP TRIGGER "{name}"'))
        connection.execute(text("UPDATE audit_log SET actor_label = 'someone else' "
                                "WHERE action = 'partner.create'"))
    broken = admin.get("/audit/verify")
    assert broken.status_code == 200
    assert "The audit log was tampered with." in broken.text
    assert "was edited after it was written." in broken.text


def test_every_audited_action_has_a_readable_name() -> None:
    """The log shows a label, not a code, for every action the code records: an action
    added without one fails here."""
    import re
    from pathlib import Path

    from qudao.web.audit_views import ACTION_LABELS

    source = Path(__file__).resolve().parents[2] / "src" / "qudao"
    recorded = {match for path in source.rglob("*.py")
                for match in re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text())}
    assert len(recorded) > 40
    assert recorded <= set(ACTION_LABELS), sorted(recorded - set(ACTION_LABELS))
