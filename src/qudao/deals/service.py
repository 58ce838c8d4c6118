"""Rules of deal registration: protection of the customer, approval, won and lost, joint
selling, extensions. Services flush and audit; the boundary commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from qudao.accounts.models import User
from qudao.accounts.policy import require_staff_writer, require_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.context import get_context
from qudao.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.core.money import check_currency, parse_amount, to_minor
from qudao.deals import claims, repository
from qudao.deals.claims import CustomerProtected
from qudao.deals.customers import identify
from qudao.deals.models import Deal, DealConflict, DealLine
from qudao.deals.schemas import DealCreate, DealUpdate, ProductLineIn, WonLineIn
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.programs.models import Product, Program
from qudao.recommendations.models import Purchase

Source = Literal["portal", "api", "staff", "cli", "import"]
DEFAULT_PROTECTION_DAYS = 90
MAX_MINOR = 10**15
OPEN_STAGES = repository.OPEN_STAGES
STAGE_LABELS: dict[str, str] = {
    "registered": N_("Registered"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "won": N_("Won"),
    "lost": N_("Lost"),
}
EXTENSION_LABELS: dict[str, str] = {
    "requested": N_("Extension requested"),
    "granted": N_("Extension granted"),
    "refused": N_("Extension refused"),
}
SOURCE_LABELS: dict[str, str] = {
    "portal": N_("Portal"), "api": N_("API"), "staff": N_("Staff"), "cli": N_("Command line"),
    "import": N_("Import"),
}
# Where each stage may go next.
NEXT_STAGES: dict[str, frozenset[str]] = {
    "registered": frozenset({"approved", "rejected"}),
    "approved": frozenset({"won", "lost"}),
}


class StageRefused(Conflict):
    """A move the deal's stage does not allow; the stages are named in the reader's
    language."""

    code = "stage_refused"

    def __init__(self, stage: str, target: str) -> None:
        super().__init__(N_("A deal that is %(stage)s cannot become %(target)s."),
                         field="stage", stage=stage, target=target)

    def render(self, locale: LocaleCode) -> str:
        return translate(locale, self.message,
                         stage=translate(locale, STAGE_LABELS[self.params["stage"]]).lower(),
                         target=translate(locale, STAGE_LABELS[self.params["target"]]).lower())


def protection_days(program: Program | None) -> int:
    return program.protection_days if program is not None else DEFAULT_PROTECTION_DAYS


def protection_active(deal: Deal, now: datetime | None = None) -> bool:
    moment = now or clock.now()
    return (deal.stage not in ("rejected", "lost") and deal.protected_until is not None
            and deal.protected_until > moment)


def _partner_for(session: Session, subject: AuthSubject, requested: int | None) -> Partner:
    """Staff name the partner; a partner's users and keys register for their own company,
    and naming another one is answered like an unknown partner."""
    if subject.is_staff:
        if requested is None:
            raise Unprocessable(N_("Choose the partner whose deal it is."), field="partner_id")
        partner = partners.get(session, subject, requested)
    elif subject.partner_id is None:
        raise Forbidden(N_("Your account is not allowed to do this."))
    elif requested is not None and requested != subject.partner_id:
        raise NotFound(N_("Partner %(id)s was not found."), id=requested)
    else:
        partner = partners.get(session, subject, subject.partner_id)
    if partner.merged_into_id is not None:
        raise Unprocessable(N_("This partner was merged into another one; register the deal "
                               "for that one."), field="partner_id")
    return partner


def _program(session: Session, program_id: int | None) -> Program | None:
    if program_id is not None:
        return repository.program(session, program_id)
    return repository.default_program(session)


def _products(session: Session, skus: list[str], field: str) -> dict[str, Product | None]:
    """The catalogue's product of each SKU. While the catalogue is empty any SKU is taken
    as written; once it has products, an unknown SKU is refused."""
    wanted = {sku.strip() for sku in skus}
    found = repository.products_by_sku(session, wanted)
    unknown = sorted(wanted - set(found))
    if unknown and repository.has_catalogue(session):
        raise Unprocessable(N_("%(sku)s is not a product of the catalogue."), field=field,
                            sku=", ".join(unknown))
    return {sku: found.get(sku) for sku in wanted}


def _registered_lines(session: Session, lines: list[ProductLineIn],
                      currency: str) -> list[DealLine]:
    products = _products(session, [line.sku for line in lines], "products")
    made: list[DealLine] = []
    for line in lines:
        product = products[line.sku.strip()]
        made.append(DealLine(kind="registered", sku=line.sku.strip(),
                             product_id=product.id if product else None,
                             description=product.name[:300] if product else None,
                             quantity=line.quantity, currency=currency))
    return made


def _amount(value: str | int, currency: str, field: str = "amount") -> int:
    amount = parse_amount(value, currency, field)
    if amount < 0:
        raise Unprocessable(N_("An amount cannot be negative."), field=field)
    return _bounded(to_minor(amount, currency, field), field)


def _bounded(minor: int, field: str) -> int:
    # Far below what a 64-bit column holds, so that sums of lines stay exact too.
    if minor > MAX_MINOR:
        raise Unprocessable(N_("This amount is too large."), field=field)
    return minor


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def register(session: Session, subject: AuthSubject, data: DealCreate, *,
             source: Source) -> Deal:
    """Registers a deal and protects its customer for the program's protection days.

    A customer that a live claim of another deal holds is refused with
    ``CustomerProtected`` (409), which says until when and never who; the refusal is
    recorded for staff in this transaction (the registration itself is undone), so the
    surface should keep the transaction (see ``DealConflict``)."""
    require_writer(subject)
    partner = _partner_for(session, subject, data.partner_id)
    program = _program(session, data.program_id)
    customer = identify(data.customer_website, data.customer_email, data.customer_tax_id)
    currency = check_currency(data.currency)
    name = data.customer_name.strip()
    if not name:
        raise Unprocessable(N_("A deal needs the customer's name."), field="customer_name")
    amount_minor = _amount(data.amount, currency)
    lines = _registered_lines(session, data.products, currency)
    now = clock.now()
    until = now + timedelta(days=protection_days(program))
    deal = Deal(partner_id=partner.id, program_id=program.id if program else None,
                customer_name=name, customer_domain=customer.domain,
                customer_email=customer.email, customer_tax_id=customer.tax_id,
                customer_ref=_text(data.customer_ref), amount_minor=amount_minor,
                currency=currency, expected_close=data.expected_close, stage="registered",
                protected_until=until, registered_by_user_id=subject.user_id,
                registered_by_key_id=subject.api_key_id, source=source, lines=lines)
    try:
        with session.begin_nested():
            session.add(deal)
            session.flush()
            claims.take(session, deal, customer.keys, until, now)
    except CustomerProtected as refused:
        refused.field = customer.field_of(refused.key) or refused.field
        if not refused.own:
            record_conflict(session, partner.id, refused, name, source)
        raise
    audit.record(session, action="deal.register", target_type="deal", target_id=deal.id,
                 partner_id=partner.id, after={**snapshot(deal), "keys": list(customer.keys)})
    return deal


def record_conflict(session: Session, claimant_partner_id: int, refused: CustomerProtected,
                    customer_name: str, source: Source) -> DealConflict:
    """Keeps a refused registration for staff, who see both partners on the holding deal."""
    conflict = DealConflict(holder_deal_id=refused.holder_deal_id,
                            claimant_partner_id=claimant_partner_id, key=refused.key,
                            customer_name=customer_name[:200], source=source,
                            actor_label=(get_context(session).actor_label or None),
                            attempted_at=clock.now())
    session.add(conflict)
    session.flush()
    audit.record(session, action="deal.conflict", target_type="deal",
                 target_id=refused.holder_deal_id, partner_id=claimant_partner_id,
                 after={"key": refused.key, "customer_name": customer_name, "source": source,
                        "protected_until": refused.until.isoformat()},
                 result="denied", reason="customer protected by another deal")
    return conflict


def _move(session: Session, deal: Deal, target: str, reason: str | None,
          action: str) -> Deal:
    if target not in NEXT_STAGES.get(deal.stage, frozenset()):
        raise StageRefused(deal.stage, target)
    before = snapshot(deal)
    now = clock.now()
    deal.stage, deal.stage_reason = target, reason
    if target == "approved":
        deal.approved_at = now
    if target in ("won", "lost"):
        deal.closed_at = now
    if target in ("rejected", "lost"):
        # The customer is free again for any partner.
        claims.release(session, deal.id)
        if deal.extension_state == "requested":
            deal.extension_state = "refused"
    session.flush()
    old, new = changes(before, snapshot(deal))
    audit.record(session, action=action, target_type="deal", target_id=deal.id,
                 partner_id=deal.partner_id, before=old, after=new, reason=reason)
    return deal


def _reason(value: str | None, message: str) -> str:
    text = _text(value)
    if text is None:
        raise Unprocessable(message, field="reason")
    return text


def approve(session: Session, subject: AuthSubject, deal_id: int) -> Deal:
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    return _move(session, deal, "approved", None, "deal.approve")


def reject(session: Session, subject: AuthSubject, deal_id: int, reason: str | None) -> Deal:
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    why = _reason(reason, N_("Say why the deal is rejected; the partner sees the reason."))
    return _move(session, deal, "rejected", why, "deal.reject")


def lose(session: Session, subject: AuthSubject, deal_id: int, reason: str | None) -> Deal:
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    why = _reason(reason, N_("Say why the deal was lost."))
    return _move(session, deal, "lost", why, "deal.lose")


@dataclass(frozen=True, slots=True)
class PricedLine:
    sku: str
    product: Product | None
    quantity: int
    unit_price_minor: int
    amount_minor: int
    description: str | None


def price_lines(session: Session, lines: list[WonLineIn], currency: str) -> list[PricedLine]:
    """Each line's amount is quantity × unit price, exact in minor units: a unit price
    finer than the currency's minor unit is refused, so nothing needs rounding."""
    if not lines:
        raise Unprocessable(N_("A won deal needs its lines: what was sold, how many, at "
                               "what price."), field="lines")
    products = _products(session, [line.sku for line in lines], "lines")
    priced: list[PricedLine] = []
    for index, line in enumerate(lines):
        unit = _amount(line.unit_price, currency, f"lines.{index}.unit_price")
        sku = line.sku.strip()
        product = products[sku]
        description = _text(line.description) or (product.name[:300] if product else None)
        amount = _bounded(unit * line.quantity, f"lines.{index}.quantity")
        priced.append(PricedLine(sku, product, line.quantity, unit, amount, description))
    return priced


def win(session: Session, subject: AuthSubject, deal_id: int, lines: list[WonLineIn]) -> Deal:
    """Wins an approved deal with the lines sold. The amount becomes their sum; the lines
    become purchases of the customer, which the recommender and the conversion counts
    learn from."""
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    if "won" not in NEXT_STAGES.get(deal.stage, frozenset()):
        raise StageRefused(deal.stage, "won")
    priced = price_lines(session, lines, deal.currency)
    for line in priced:
        deal.lines.append(DealLine(kind="won", sku=line.sku,
                                   product_id=line.product.id if line.product else None,
                                   description=line.description, quantity=line.quantity,
                                   unit_price_minor=line.unit_price_minor,
                                   amount_minor=line.amount_minor, currency=deal.currency))
    deal.amount_minor = _bounded(sum(line.amount_minor for line in priced), "lines")
    _move(session, deal, "won", None, "deal.win")
    _purchases(session, deal, priced)
    return deal


def customer_ref_of(deal: Deal) -> str:
    """How the purchases of a won deal name its customer: the partner's own reference,
    else the customer's key."""
    ref = deal.customer_ref or deal.customer_tax_id or deal.customer_domain \
        or deal.customer_email or f"deal-{deal.id}"
    return ref[:128]


def _purchases(session: Session, deal: Deal, priced: list[PricedLine]) -> None:
    occurred = deal.closed_at or clock.now()
    for line in priced:
        session.add(Purchase(invoice=f"deal-{deal.id}", customer_ref=customer_ref_of(deal),
                             item_id=line.sku, description=line.description,
                             quantity=line.quantity, unit_price_minor=line.unit_price_minor,
                             currency=deal.currency, occurred_at=occurred, source="deal"))
    session.flush()


def update(session: Session, subject: AuthSubject, deal_id: int, data: DealUpdate) -> Deal:
    """Changes an open deal's name, amount or expected close; the partner may change its
    own. The customer's keys stay as registered."""
    require_writer(subject)
    deal = repository.get(session, subject, deal_id)
    if deal.stage not in OPEN_STAGES:
        raise Conflict(N_("Only an open deal (registered or approved) can be changed."),
                       field="stage")
    before = snapshot(deal)
    values = data.model_dump(exclude_unset=True)
    if "customer_name" in values:
        name = _text(values["customer_name"])
        if name is None:
            raise Unprocessable(N_("A deal needs the customer's name."), field="customer_name")
        deal.customer_name = name
    if values.get("amount") is not None:
        deal.amount_minor = _amount(values["amount"], deal.currency)
    if "expected_close" in values:
        deal.expected_close = values["expected_close"]
    session.flush()
    old, new = changes(before, snapshot(deal))
    if new:
        audit.record(session, action="deal.update", target_type="deal", target_id=deal.id,
                     partner_id=deal.partner_id, before=old, after=new)
    return deal


def assign(session: Session, subject: AuthSubject, deal_id: int,
           sales_rep_id: int | None) -> Deal:
    """Joint selling: a staff sales rep works the deal with the partner."""
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    if sales_rep_id is not None:
        rep = session.get(User, sales_rep_id)
        if rep is None or not rep.role.is_staff or not rep.is_active:
            raise Unprocessable(N_("The sales rep must be an active staff user."),
                                field="sales_rep_id")
    before = snapshot(deal)
    deal.sales_rep_id = sales_rep_id
    session.flush()
    old, new = changes(before, snapshot(deal))
    if new:
        audit.record(session, action="deal.assign", target_type="deal", target_id=deal.id,
                     partner_id=deal.partner_id, before=old, after=new)
    return deal


def request_extension(session: Session, subject: AuthSubject, deal_id: int,
                      reason: str | None) -> Deal:
    """The holding partner (or staff) asks for a longer protection; staff decide."""
    require_writer(subject)
    deal = repository.get(session, subject, deal_id)
    if deal.stage not in OPEN_STAGES:
        raise Conflict(N_("Only an open deal (registered or approved) can have its "
                          "protection extended."), field="stage")
    if deal.extension_state == "requested":
        raise Conflict(N_("An extension was already requested; staff will decide on it."),
                       field="reason")
    why = _reason(reason, N_("Say why the protection should be extended."))
    before = snapshot(deal)
    deal.extension_state, deal.extension_reason = "requested", why
    session.flush()
    old, new = changes(before, snapshot(deal))
    audit.record(session, action="deal.extension_request", target_type="deal",
                 target_id=deal.id, partner_id=deal.partner_id, before=old, after=new,
                 reason=why)
    return deal


def decide_extension(session: Session, subject: AuthSubject, deal_id: int, *, grant: bool,
                     reason: str | None = None) -> Deal:
    """Grants (the protection runs the program's protection days longer, from its end or
    from now if it has ended) or refuses a requested extension. A customer that another
    deal registered after this one's protection ended stays with that deal."""
    require_staff_writer(subject)
    deal = repository.get(session, subject, deal_id)
    if deal.extension_state != "requested":
        raise Conflict(N_("There is no extension request to decide on this deal."),
                       field="grant")
    before = snapshot(deal)
    why = _text(reason)
    if grant:
        now = clock.now()
        program = session.get(Program, deal.program_id) if deal.program_id else None
        base = max(deal.protected_until or now, now)
        until = base + timedelta(days=protection_days(program))
        keys = identify(deal.customer_domain, deal.customer_email, deal.customer_tax_id).keys
        try:
            with session.begin_nested():
                claims.take(session, deal, keys, until, now)
        except CustomerProtected:
            raise Conflict(N_("This deal's protection has ended and another deal now "
                              "protects the customer: the extension cannot be granted."),
                           field="grant") from None
        deal.protected_until = until
    deal.extension_state = "granted" if grant else "refused"
    if why:
        deal.extension_reason = why
    session.flush()
    old, new = changes(before, snapshot(deal))
    audit.record(session, action="deal.extension_decision", target_type="deal",
                 target_id=deal.id, partner_id=deal.partner_id, before=old, after=new,
                 reason=why)
    return deal


def expire_protections(session: Session, now: datetime) -> list[Deal]:
    """Releases every claim whose protection has ended and returns the open deals whose
    protection just ended, for their partners and channel managers to be told. A second
    run at the same moment finds nothing more to do."""
    expired = repository.expired_claims(session, now)
    if not expired:
        return []
    deal_ids = {claim.deal_id for claim in expired}
    for claim in expired:
        session.delete(claim)
    session.flush()
    ended = [deal for deal in repository.deals_by_id(session, deal_ids)
             if deal.stage in OPEN_STAGES]
    for deal in ended:
        audit.record(session, action="deal.protection_expired", target_type="deal",
                     target_id=deal.id, partner_id=deal.partner_id,
                     after={"protected_until": deal.protected_until.isoformat()
                            if deal.protected_until else None})
    return ended

