"""The onboarding checklist, applied from a template when an agreement is signed.

Three steps are ticked by hand (training, materials, the first joint call). Three follow
the data and tick themselves: portal access (the partner has an active portal user), an API
key (the partner was issued one) and a channel manager (the partner has an owner). A read
shows them from the data as it is; every write of this domain (signing, an accepted
invitation, a change to the checklist) records when they were first seen done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.models import ApiKey, User
from qudao.accounts.roles import PARTNER_ROLES
from qudao.accounts.subject import AuthSubject
from qudao.agreements.models import Agreement, OnboardingItem
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_
from qudao.partners.models import Partner

SYSTEM_LABEL = "system"
# How pages name the system as the one who ticked a step.
SYSTEM_NAME = N_("Automatically, from the data")


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    # Days after signing that the step is due.
    due_days: int
    # Ticked from the data rather than by hand.
    computed: bool
    # What makes a computed step done, or what a person does for a manual one.
    hint: str


TEMPLATE: tuple[Step, ...] = (
    Step("training", N_("Training done"), 14, False,
         N_("The partner's team took the product and sales training.")),
    Step("portal_access", N_("Portal access granted"), 7, True,
         N_("Ticks itself when a person of the partner has an active portal account "
            "(for example after accepting an invitation).")),
    Step("api_key", N_("API key issued"), 14, True,
         N_("Ticks itself when the partner is issued an API key.")),
    Step("materials", N_("Materials shared"), 7, False,
         N_("Sales deck, price list and product sheets sent to the partner.")),
    Step("channel_manager", N_("Channel manager assigned"), 7, True,
         N_("Ticks itself when the partner has an owner: the owner is its channel "
            "manager.")),
    Step("first_joint_call", N_("First joint call"), 30, False,
         N_("The first call with a customer, held together with the partner.")),
)
STEPS: dict[str, Step] = {step.key: step for step in TEMPLATE}


def apply_template(session: Session, agreement: Agreement, partner: Partner,
                   signed_on: date) -> list[OnboardingItem]:
    """The checklist of a newly signed agreement: owned by the channel manager (the partner's
    owner), due 7, 14 or 30 days after signing."""
    items = [OnboardingItem(agreement_id=agreement.id, partner_id=partner.id, key=step.key,
                            position=position, owner_user_id=partner.owner_id,
                            due_on=signed_on + timedelta(days=step.due_days))
             for position, step in enumerate(TEMPLATE)]
    session.add_all(items)
    session.flush()
    return items


def items_of(session: Session, agreement_id: int) -> list[OnboardingItem]:
    return list(session.scalars(select(OnboardingItem)
                                .where(OnboardingItem.agreement_id == agreement_id)
                                .order_by(OnboardingItem.position, OnboardingItem.id)))


@dataclass(frozen=True)
class Facts:
    """What the data says about a partner's computed steps: since when the partner has a
    portal user and a key (``None``: not yet), and whether it has an owner (the data keeps
    no date for that)."""

    portal_access: datetime | None
    api_key: datetime | None
    channel_manager: bool


def facts(session: Session, partner_id: int) -> Facts:
    return facts_of(session, [partner_id])[partner_id]


def facts_of(session: Session, partner_ids: Iterable[int]) -> dict[int, Facts]:
    """The facts of many partners in three queries, whatever their number."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    first_users = {partner_id: at for partner_id, at in session.execute(
        select(User.partner_id, func.min(User.created_at)).where(
            User.partner_id.in_(ids), User.is_active.is_(True),
            User.role.in_(list(PARTNER_ROLES))).group_by(User.partner_id))}
    first_keys = {partner_id: at for partner_id, at in session.execute(
        select(ApiKey.partner_id, func.min(ApiKey.created_at))
        .where(ApiKey.partner_id.in_(ids)).group_by(ApiKey.partner_id))}
    owners = {partner_id: owner for partner_id, owner in session.execute(
        select(Partner.id, Partner.owner_id).where(Partner.id.in_(ids)))}
    found: dict[int, Facts] = {}
    for partner_id in ids:
        first_user, first_key = first_users.get(partner_id), first_keys.get(partner_id)
        found[partner_id] = Facts(
            portal_access=clock.as_utc(first_user) if first_user else None,
            api_key=clock.as_utc(first_key) if first_key else None,
            channel_manager=owners.get(partner_id) is not None)
    return found


def _seen(step: str, known: Facts) -> tuple[bool, datetime | None]:
    """Whether the data shows a computed step done, and since when if the data knows."""
    if step == "portal_access":
        return known.portal_access is not None, known.portal_access
    if step == "api_key":
        return known.api_key is not None, known.api_key
    return known.channel_manager, None


@dataclass(frozen=True)
class ItemView:
    item: OnboardingItem
    step: Step
    done: bool
    done_at: datetime | None
    done_by: str | None
    overdue: bool


@dataclass(frozen=True)
class Checklist:
    items: list[ItemView]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for view in self.items if view.done)

    @property
    def percent(self) -> Decimal:
        if not self.items:
            return Decimal(0)
        return (Decimal(self.done) * 100 / self.total).quantize(Decimal(1), ROUND_HALF_UP)


def checklist(session: Session, agreement: Agreement, today: date | None = None) -> Checklist:
    """The checklist as it stands: recorded ticks, and computed steps read from the data.
    Reading writes nothing."""
    today = today or clock.now().date()
    items = items_of(session, agreement.id)
    if not items:
        return Checklist([])
    return _viewed(items, facts(session, agreement.partner_id), today)


def checklists(session: Session, agreements: list[Agreement],
               today: date) -> dict[int, Checklist]:
    """The checklists of a list of agreements in a few queries, whatever its length;
    agreements without a checklist are left out."""
    ids = [agreement.id for agreement in agreements]
    if not ids:
        return {}
    items: dict[int, list[OnboardingItem]] = {}
    for item in session.scalars(select(OnboardingItem)
                                .where(OnboardingItem.agreement_id.in_(ids))
                                .order_by(OnboardingItem.position, OnboardingItem.id)):
        items.setdefault(item.agreement_id, []).append(item)
    known = facts_of(session, (a.partner_id for a in agreements if a.id in items))
    return {a.id: _viewed(items[a.id], known[a.partner_id], today)
            for a in agreements if a.id in items}


def _viewed(items: list[OnboardingItem], known: Facts, today: date) -> Checklist:
    views = []
    for item in items:
        step = STEPS[item.key]
        done, done_at, done_by = item.done_at is not None, item.done_at, item.done_by_label
        if not done and step.computed:
            done, done_at = _seen(step.key, known)
            done_by = SYSTEM_LABEL if done else None
        views.append(ItemView(item=item, step=step, done=done, done_at=done_at,
                              done_by=done_by, overdue=not done and item.due_on < today))
    return Checklist(views)


def sync(session: Session, agreement: Agreement) -> list[OnboardingItem]:
    """Record the computed steps that the data now shows done; returns those ticked."""
    items = [i for i in items_of(session, agreement.id)
             if i.done_at is None and STEPS[i.key].computed]
    if not items:
        return []
    known = facts(session, agreement.partner_id)
    now = clock.now()
    ticked = []
    for item in items:
        done, since = _seen(item.key, known)
        if not done:
            continue
        item.done_at, item.done_by_id, item.done_by_label = since or now, None, SYSTEM_LABEL
        ticked.append(item)
    session.flush()
    for item in ticked:
        audit.record(session, action="onboarding.tick", target_type="onboarding_item",
                     target_id=item.id, partner_id=item.partner_id,
                     after={"key": item.key, "done_at": item.done_at,
                            "done_by_label": SYSTEM_LABEL})
    return ticked


def sync_partner(session: Session, partner_id: int) -> list[OnboardingItem]:
    """Record computed steps on every agreement of the partner that has a checklist."""
    agreements = session.scalars(select(Agreement).where(
        Agreement.partner_id == partner_id, Agreement.state != "draft"))
    ticked: list[OnboardingItem] = []
    for agreement in agreements:
        ticked += sync(session, agreement)
    return ticked


def sync_all(session: Session) -> int:
    """For a periodic job: record computed steps wherever the data shows them done.
    Returns how many steps were ticked."""
    open_partners = session.scalars(select(OnboardingItem.partner_id).distinct().where(
        OnboardingItem.done_at.is_(None),
        OnboardingItem.key.in_([s.key for s in TEMPLATE if s.computed])))
    return sum(len(sync_partner(session, partner_id)) for partner_id in list(open_partners))


def _owner_allowed(session: Session, partner_id: int, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is None or not user.is_active or (
            user.partner_id is not None and user.partner_id != partner_id):
        raise Unprocessable(N_("The owner must be an active staff user or a person of this "
                               "partner."), field="owner_user_id")


def update_item(
    session: Session, subject: AuthSubject, agreement: Agreement, key: str, *,
    done: bool | None = None, owner_user_id: int | None = None, clear_owner: bool = False,
    due_on: date | None = None,
) -> OnboardingItem:
    """Tick or untick a manual step, or change a step's owner or due date."""
    item = session.scalar(select(OnboardingItem).where(OnboardingItem.agreement_id
                                                       == agreement.id,
                                                       OnboardingItem.key == key))
    if item is None:
        if agreement.state == "draft":
            raise NotFound(N_("The onboarding checklist starts when the agreement is signed."))
        raise NotFound(N_("Onboarding step %(key)s was not found."), key=key)
    step = STEPS[item.key]
    before = snapshot(item)
    if done is not None and done != (item.done_at is not None):
        if step.computed:
            raise Unprocessable(N_("This step ticks itself from the data: %(hint)s"),
                                field="done", hint=step.hint)
        if done:
            item.done_at, item.done_by_id = clock.now(), subject.user_id
            item.done_by_label = subject.label
        else:
            item.done_at, item.done_by_id, item.done_by_label = None, None, None
    if clear_owner:
        item.owner_user_id = None
    elif owner_user_id is not None:
        _owner_allowed(session, agreement.partner_id, owner_user_id)
        item.owner_user_id = owner_user_id
    if due_on is not None:
        item.due_on = due_on
    session.flush()
    old, new = changes(before, snapshot(item))
    if new:
        audit.record(session, action="onboarding.update", target_type="onboarding_item",
                     target_id=item.id, partner_id=item.partner_id, before=old, after=new)
    sync(session, agreement)
    return item
