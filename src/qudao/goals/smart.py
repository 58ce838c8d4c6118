"""Whether a goal is SMART, and if not, which parts are missing: every missing part is
reported at once, each with the field it belongs to.

- Specific: the metric is one of the catalogue.
- Measurable: the target is a number above 0 (a whole number for counts; an amount of the
  program's currency, to its minor unit, for money).
- Achievable: (a) the target is not already reached when the goal is set; (b) for metrics
  that add up over time, the target is at most ACHIEVABLE_FACTOR times what the channel
  reached in the same length of time just before the start. A channel without history
  (built from zero, as in the guide) may set any target: there is nothing to compare with.
- Relevant: a pilot-customers goal names its partner; a count of partners is not set for
  one partner; a named partner exists.
- Time-bound: a deadline after the start, at most MAX_DAYS later, and not yet passed.
- Owner: an active staff user is responsible.

A goal also belongs to a program (the only one by default)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.models import User
from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.errors import QudaoError, Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.core.money import from_minor, parse_amount, to_minor
from qudao.goals import metrics
from qudao.goals.metrics import CATALOGUE, Metric, day_start
from qudao.partners.models import Partner
from qudao.programs import repository as programs
from qudao.programs.models import Program

ACHIEVABLE_FACTOR = 10
MAX_DAYS = 1827  # five years
MAX_TARGET = 10**15
# Changing one of these asks again whether the goal can still be achieved.
ACHIEVABILITY_FIELDS = frozenset({"metric", "target", "start", "deadline", "partner_id"})

NOT_SPECIFIC = N_("Not specific: choose a metric from the catalogue.")
NOT_MEASURABLE = N_("Not measurable: the target must be a number above 0.")
NOT_WHOLE = N_("Not measurable: a count target is a whole number, such as 100.")
TOO_LARGE = N_("Not measurable: the target is too large.")
NOT_MONEY = N_("Not measurable: %(amount)s is not an amount of %(currency)s.")
ALREADY_REACHED = N_("Not achievable: the target is already reached (%(actual)s), so there is "
                     "nothing left to achieve. Set a higher target.")
TOO_FAR = N_("Not achievable: %(target)s is more than %(factor)s times what the channel "
             "reached in the same length of time before the start (%(recent)s). Lower the "
             "target or allow more time.")
NO_PARTNER = N_("Not relevant: a pilot-customers goal names the partner whose pilot "
                "customers it counts.")
PARTNER_COUNT = N_("Not relevant: this metric counts partners, so for one partner it could "
                   "only be 0 or 1. Leave the partner empty.")
UNKNOWN_PARTNER = N_("Partner %(id)s was not found.")
NO_DEADLINE = N_("Not time-bound: set a deadline after the start.")
TOO_LONG = N_("Not time-bound: a goal runs for at most 5 years; set an earlier deadline.")
PASSED = N_("Not time-bound: the deadline has already passed; set one in the future.")
NO_OWNER = N_("No owner: name the person responsible.")
BAD_OWNER = N_("No owner: %(who)s is not an active staff user.")
NO_PROGRAM = N_("Set up the program first: a goal belongs to a program.")
WHICH_PROGRAM = N_("Choose the program this goal belongs to.")
UNKNOWN_PROGRAM = N_("Program %(id)s was not found.")


@dataclass(frozen=True)
class Problem:
    part: str
    field: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def render(self, locale: LocaleCode) -> str:
        return translate(locale, self.message, **self.params)


class GoalRefused(Unprocessable):
    """A goal that is not SMART: every missing part, each at its field."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems

    def render(self, locale: LocaleCode) -> str:
        return "\n".join(p.render(locale) for p in self.problems)

    def body(self, locale: LocaleCode) -> dict[str, Any]:
        body = super().body(locale)
        # The shape of a request validation error's "fields", with the SMART part named.
        body["fields"] = [{"field": p.field, "message": p.render(locale), "part": p.part}
                          for p in self.problems]
        return body


@dataclass
class Draft:
    """A goal's values, resolved: what the service writes once no part is missing."""

    program: Program | None = None
    metric: Metric | None = None
    target: int | None = None
    currency: str | None = None
    partner_id: int | None = None
    start: date | None = None
    deadline: date | None = None
    owner: User | None = None
    title: str | None = None


@dataclass
class Review:
    draft: Draft
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def refuse(self, part: str, field_name: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(part, field_name, message, params))

    def has(self, *fields: str) -> bool:
        return any(p.field in fields for p in self.problems)


def _program(session: Session, review: Review, program_id: int | None) -> None:
    if program_id is not None:
        try:
            review.draft.program = programs.get_program(session, SYSTEM, program_id)
        except QudaoError:
            review.refuse("program", "program_id", UNKNOWN_PROGRAM, id=program_id)
        return
    found = programs.list_programs(session, SYSTEM)
    if len(found) == 1:
        review.draft.program = found[0]
    else:
        review.refuse("program", "program_id", WHICH_PROGRAM if found else NO_PROGRAM)


def _metric(review: Review, key: str | None) -> None:
    metric = CATALOGUE.get(key) if key else None  # type: ignore[call-overload]
    if metric is None:
        review.refuse("specific", "metric", NOT_SPECIFIC)
    review.draft.metric = metric


def _target(review: Review, raw: object) -> None:
    """A count or an amount: what it means depends on the metric and the currency."""
    draft = review.draft
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        review.refuse("measurable", "target", NOT_MEASURABLE)
        return
    text = str(raw).strip().replace("_", "")
    if draft.metric is not None and draft.metric.unit == "money":
        if draft.currency is None:
            return  # the program is missing; that is reported already
        try:
            amount = parse_amount(raw if isinstance(raw, int) else text, draft.currency,
                                  "target")
        except Unprocessable:
            review.refuse("measurable", "target", NOT_MONEY, amount=text,
                          currency=draft.currency)
            return
        if amount <= 0:
            review.refuse("measurable", "target", NOT_MEASURABLE)
            return
        minor = to_minor(amount, draft.currency, "target")
    else:
        try:
            number = Decimal(text)
        except InvalidOperation:
            review.refuse("measurable", "target", NOT_MEASURABLE)
            return
        if not number.is_finite() or number <= 0:
            review.refuse("measurable", "target", NOT_MEASURABLE)
            return
        if number != number.to_integral_value():
            review.refuse("measurable", "target", NOT_WHOLE)
            return
        minor = int(number)
    if minor >= MAX_TARGET:
        review.refuse("measurable", "target", TOO_LARGE)
        return
    draft.target = minor


def _partner(session: Session, review: Review, partner_id: int | None) -> None:
    metric = review.draft.metric
    if partner_id is not None and session.get(Partner, partner_id) is None:
        review.refuse("relevant", "partner_id", UNKNOWN_PARTNER, id=partner_id)
        return
    if metric is not None and metric.needs_partner and partner_id is None:
        review.refuse("relevant", "partner_id", NO_PARTNER)
    elif metric is not None and not metric.partner_filter and partner_id is not None:
        review.refuse("relevant", "partner_id", PARTNER_COUNT)
    review.draft.partner_id = partner_id


def _dates(review: Review, start: date | None, deadline: date | None,
           deadline_changed: bool, today: date) -> None:
    draft = review.draft
    draft.start, draft.deadline = start or today, deadline
    if deadline is None or deadline <= draft.start:
        review.refuse("time_bound", "deadline", NO_DEADLINE)
    elif (deadline - draft.start).days > MAX_DAYS:
        review.refuse("time_bound", "deadline", TOO_LONG)
    elif deadline_changed and deadline <= today:
        review.refuse("time_bound", "deadline", PASSED)


def _owner(session: Session, review: Review, user_id: int | None, email: str | None) -> None:
    user: User | None = None
    who = ""
    if user_id is not None:
        user, who = session.get(User, user_id), f"#{user_id}"
    elif email and email.strip():
        user, who = accounts.user_by_email(session, email), email.strip()
    else:
        review.refuse("owner", "owner", NO_OWNER)
        return
    if user is None or not user.is_active or not user.role.is_staff:
        review.refuse("owner", "owner", BAD_OWNER, who=who)
        return
    review.draft.owner = user


def _achievable(session: Session, review: Review, now: datetime) -> None:
    """Only asked of a goal whose other parts are sound: it measures the data."""
    draft = review.draft
    assert draft.metric is not None
    assert draft.program is not None
    assert draft.start is not None
    assert draft.deadline is not None
    assert draft.target is not None
    metric = draft.metric
    start, end = day_start(draft.start), day_start(draft.deadline)
    target = _amount(draft.target, metric, draft.currency)
    reading = min(now, end) if metric.kind == "level" else min(max(now, start), end)
    options: dict[str, Any] = {"partner_id": draft.partner_id, "currency": draft.currency,
                               "program_id": draft.program.id}
    actual = metrics.measure(session, metric.key, start=start, end=reading, **options)
    if actual >= target:
        review.refuse("achievable", "target", ALREADY_REACHED, actual=_shown(actual))
        return
    if metric.kind != "flow":
        return
    recent = metrics.measure(session, metric.key, start=start - (end - start), end=start,
                             **options)
    if recent > 0 and target > recent * ACHIEVABLE_FACTOR:
        review.refuse("achievable", "target", TOO_FAR, target=_shown(target),
                      factor=ACHIEVABLE_FACTOR, recent=_shown(recent))


def _amount(target: int, metric: Metric, currency: str | None) -> Decimal:
    if metric.unit == "money" and currency:
        return from_minor(target, currency)
    return Decimal(target)


def _shown(value: Decimal) -> str:
    return format(value, "f")


def review(
    session: Session, values: dict[str, Any], *, creating: bool, changed: set[str],
    now: datetime | None = None,
) -> Draft:
    """The goal's values resolved, or ``GoalRefused`` naming every missing part.

    ``values`` holds the goal's complete fields (for an update: the stored ones with the
    changes applied); ``changed`` the names sent."""
    now = now or clock.now()
    today = now.date()
    result = Review(Draft(title=(values.get("title") or "").strip() or None))
    _program(session, result, values.get("program_id"))
    _metric(result, values.get("metric"))
    draft = result.draft
    if draft.metric is not None and draft.metric.unit == "money" and draft.program:
        # A money target keeps the currency it was set in; a new one takes the program's.
        kept = values.get("currency") if not creating and "metric" not in changed else None
        draft.currency = kept or draft.program.currency
    _target(result, values.get("target"))
    _partner(session, result, values.get("partner_id"))
    _dates(result, values.get("start"), values.get("deadline"),
           creating or "deadline" in changed, today)
    _owner(session, result, values.get("owner_user_id"), values.get("owner_email"))
    asks_achievable = creating or bool(changed & ACHIEVABILITY_FIELDS)
    if asks_achievable and not result.problems:
        _achievable(session, result, now)
    if result.problems:
        raise GoalRefused(result.problems)
    return draft
