"""The demo's people: an administrator, two partner companies, one user and one key each.

Idempotent: a second run finds what the first one made. Demo API keys are derived from
the server secret, so that a second run can print the same keys again without storing them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts import service as users
from qudao.accounts import tokens
from qudao.accounts.models import ApiKey
from qudao.accounts.roles import Role
from qudao.accounts.schemas import UserCreate
from qudao.accounts.subject import SYSTEM
from qudao.audit import service as audit
from qudao.audit.snapshot import snapshot
from qudao.core import clock
from qudao.core.config import Settings
from qudao.partners import repository as partners
from qudao.partners import service as partner_service
from qudao.partners.models import Partner
from qudao.partners.schemas import PartnerCreate

ADMIN_EMAIL = "admin@qudao.example"
DEMO_PASSWORD = "qudao-demo-2026"  # noqa: S105 (published on purpose: demo only)
DEMO_PARTNERS = (
    ("Northwind Distribution", "https://northwind.example", "United Kingdom",
     "lin@northwind.example"),
    ("Blue Harbour Agency", "https://blueharbour.example", "France", "marie@blueharbour.example"),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    partner: str | None
    api_key: str | None


def demo_key(settings: Settings, label: str) -> str:
    seed = hmac.new(settings.secret_key.encode(), f"demo-key:{label}".encode(),
                    hashlib.sha256).digest()
    number = int.from_bytes(seed, "big")
    body = []
    for _ in range(tokens.BODY_LENGTH):
        number, digit = divmod(number, 62)
        body.append(tokens.ALPHABET[digit])
    payload = "qudao_pk_" + "".join(body)
    return payload + tokens.checksum(payload)


def ensure_partner_login(session: Session, settings: Settings, partner: Partner,
                         email: str) -> DemoLogin:
    """A partner administrator and an API key for ``partner``, made when missing."""
    if accounts.user_by_email(session, email) is None:
        users.create_user(session, SYSTEM, UserCreate(
            email=email, name=email.split("@")[0].replace(".", " ").title(),
            role=Role.PARTNER_ADMIN, partner_id=partner.id, password=DEMO_PASSWORD))
    plaintext = demo_key(settings, partner.name)
    digest = tokens.digest(settings.secret_key, plaintext)
    if session.scalar(select(ApiKey.id).where(ApiKey.digest == digest)) is None:
        key = ApiKey(name="Demo key", partner_id=partner.id, digest=digest,
                     display_prefix=tokens.display_prefix(plaintext), last4=plaintext[-4:],
                     read_only=False, created_at=clock.now())
        session.add(key)
        session.flush()
        audit.record(session, action="api_key.create", target_type="api_key",
                     target_id=key.id, partner_id=partner.id, after=snapshot(key))
    return DemoLogin(email, DEMO_PASSWORD, Role.PARTNER_ADMIN.value, partner.name, plaintext)


def ensure_accounts(session: Session, settings: Settings) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    if accounts.user_by_email(session, ADMIN_EMAIL) is None:
        users.create_user(session, SYSTEM, UserCreate(
            email=ADMIN_EMAIL, name="Demo Admin", role=Role.ADMIN, password=DEMO_PASSWORD))
    logins.append(DemoLogin(ADMIN_EMAIL, DEMO_PASSWORD, Role.ADMIN.value, None, None))
    for name, website, country, email in DEMO_PARTNERS:
        partner = partners.by_normalized_name(session, partner_service.normalize_name(name))
        if partner is None:
            partner = partner_service.create_partner(session, SYSTEM, PartnerCreate(
                name=name, website=website, country=country))
        logins.append(ensure_partner_login(session, settings, partner, email))
    return logins
