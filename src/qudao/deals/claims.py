"""Customer protection: which deal holds each customer key, until when.

The unique key of ``customer_claims`` decides who wins, never a check before an insert:
32 registrations of one customer at the same moment give one winner on SQLite (whose write
transactions queue, ``BEGIN IMMEDIATE``) and on PostgreSQL (where the second insert of a key
waits for the first transaction and then fails on the unique index). An expired claim is
taken over by a conditional UPDATE whose row count decides, for the same reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.core.errors import Conflict
from qudao.core.i18n import N_, LocaleCode, Translator, translate
from qudao.deals import repository
from qudao.deals.models import CustomerClaim, Deal

PROTECTED = N_("This customer is already registered and protected until %(until)s. "
               "You can register it after that date.")
PROTECTED_OWN = N_("You already registered this customer (deal %(deal_id)s); it is protected "
                   "until %(until)s.")
_FIELDS = {"domain": "customer_website", "email": "customer_email", "tax": "customer_tax_id"}


class CustomerProtected(Conflict):
    """A live claim of another deal holds the customer. The reader learns until when, never
    who holds it, unless the holder is the reader's own partner."""

    code = "customer_protected"

    def __init__(self, claim: CustomerClaim, claimant_partner_id: int) -> None:
        own = claim.partner_id == claimant_partner_id
        self.key = claim.key
        self.until = claim.protected_until
        self.holder_deal_id = claim.deal_id
        self.own = own
        kind = claim.key.partition(":")[0]
        params: dict[str, Any] = {"until": self.until.date().isoformat()}
        if own:
            params["deal_id"] = claim.deal_id
        super().__init__(PROTECTED_OWN if own else PROTECTED, field=_FIELDS.get(kind),
                         **params)
        # As the API writes every time: UTC with a "Z".
        self.extra["protected_until"] = self.until.isoformat().replace("+00:00", "Z")
        if own:
            self.extra["deal_id"] = claim.deal_id

    def render(self, locale: LocaleCode) -> str:
        until = Translator(locale).date(self.until, "long")
        return translate(locale, self.message, **{**self.params, "until": until})


def take(session: Session, deal: Deal, keys: tuple[str, ...], until: datetime,
         now: datetime) -> None:
    """Claims every key for the deal, or raises ``CustomerProtected`` for the first key that
    a live claim of another deal holds. The caller runs this inside a savepoint, so that a
    refusal leaves nothing of the deal behind."""
    for key in keys:
        _take_one(session, deal, key, until, now)


def _take_one(session: Session, deal: Deal, key: str, until: datetime, now: datetime) -> None:
    existing = repository.claim(session, key)
    if existing is None:
        try:
            # Its own savepoint: after a lost race the transaction must still be usable,
            # to read the winner's claim (PostgreSQL aborts a transaction on an error).
            with session.begin_nested():
                session.add(CustomerClaim(key=key, deal_id=deal.id, partner_id=deal.partner_id,
                                          protected_until=until))
                session.flush()
        except IntegrityError:
            existing = repository.claim(session, key)
            if existing is None:  # the winner rolled back in between: try once more
                return _take_one(session, deal, key, until, now)
            raise CustomerProtected(existing, deal.partner_id) from None
        return None
    if existing.deal_id == deal.id:
        existing.protected_until = until
        session.flush()
        return None
    if existing.protected_until > now:
        raise CustomerProtected(existing, deal.partner_id)
    taken = session.execute(
        update(CustomerClaim)
        .where(CustomerClaim.key == key, CustomerClaim.protected_until <= now)
        .values(deal_id=deal.id, partner_id=deal.partner_id, protected_until=until)
        .execution_options(synchronize_session=False))
    if getattr(taken, "rowcount", 0) != 1:
        current = repository.claim(session, key)
        if current is None:
            return _take_one(session, deal, key, until, now)
        raise CustomerProtected(current, deal.partner_id)
    session.expire(existing)
    return None


def release(session: Session, deal_id: int) -> list[str]:
    """Frees the customer of a rejected or lost deal; the keys it held."""
    held = repository.claims_of(session, deal_id)
    for claim in held:
        session.delete(claim)
    session.flush()
    return [claim.key for claim in held]
