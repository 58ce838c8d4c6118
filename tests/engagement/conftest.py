"""Signed partners and channel managers for the cadence tests."""

from __future__ import annotations

import pytest

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.partners import service as partners
from qudao.partners.schemas import PartnerUpdate
from tests.fixtures.accounts import TwoPartners, make_user, two_partners


def sign(db: Database, partner_id: int, owner_id: int | None = None) -> None:
    """Sign a partner (the due-diligence gate overridden, as an administrator may)."""
    with db.unit_of_work() as session:
        if owner_id is not None:
            partners.update_partner(session, SYSTEM, partner_id, PartnerUpdate(owner_id=owner_id))
        partners.move_stage(session, SYSTEM, partner_id, "signed", "Signed in the test",
                            override_diligence=True)


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


@pytest.fixture
def manager(db: Database, world: TwoPartners) -> int:
    return make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
