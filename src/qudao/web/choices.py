"""Options for the pickers of staff forms and filters, and the labels pages show for codes
(stages, types, sources, check categories). Labels are ``N_`` messages: templates translate
them with ``_()``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.partners import pipeline, repository
from qudao.partners.repository import SortKey
from qudao.partners.types import PARTNER_TYPES, SOURCES
from qudao.screening.diligence import CATEGORIES, STATUSES

K = TypeVar("K", bound=str)
# A picker past this size stops being usable; the partner list has search for that.
MAX_CHOICES = 500

# The repository's "stage" order is alphabetical by code, which means nothing to a reader;
# it is left out until it follows the pipeline.
SORT_LABELS: dict[SortKey, str] = {
    "name": N_("Name (A–Z)"),
    "-name": N_("Name (Z–A)"),
    "-created": N_("Newest first"),
    "created": N_("Oldest first"),
    "-employees": N_("Most employees"),
    "employees": N_("Fewest employees"),
}

# The code → label tables every pipeline and screening page reads (see macros.html).
LABELS: dict[str, dict[str, str]] = {
    "stage_labels": pipeline.STAGE_LABELS,
    "type_labels": PARTNER_TYPES,
    "source_labels": SOURCES,
    "category_labels": CATEGORIES,
    "check_status_labels": STATUSES,
}


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class Person:
    """A staff user as pickers show them: an owner, an evaluator."""

    id: int
    label: str
    email: str


def partner_choices(session: Session, subject: AuthSubject) -> list[Choice]:
    rows, _total = repository.search(session, subject, q=None, limit=MAX_CHOICES, offset=0)
    return [Choice(p.id, p.name) for p in rows]


def as_options(choices: list[Choice]) -> list[tuple[str, str]]:
    """(value, label) pairs for the select macro."""
    return [(str(c.id), c.name) for c in choices]


def staff_people(session: Session, subject: AuthSubject) -> list[Person]:
    """Active staff users: the people who may own a candidate or evaluate one."""
    return [Person(u.id, u.name or u.email, u.email)
            for u in accounts.staff_users(session, subject, MAX_CHOICES)]


def people_by_id(people: list[Person]) -> dict[int, str]:
    return {p.id: p.label for p in people}


def owner_options(people: list[Person]) -> list[tuple[str, str]]:
    return [(str(p.id), p.label) for p in people]


def evaluator_options(people: list[Person]) -> list[tuple[str, str]]:
    """Evaluators are named by e-mail, as the service (and the CLI) takes them."""
    return [(p.email, p.label if p.label == p.email else f"{p.label} <{p.email}>")
            for p in people]


def translated(labels: Mapping[K, str], locale: LocaleCode) -> list[tuple[str, str]]:
    """(code, label in the reader's language) pairs for the select macro."""
    return [(code, translate(locale, label)) for code, label in labels.items()]


def with_current(options: list[tuple[str, str]], current: str | None) -> list[tuple[str, str]]:
    """The known options, plus a custom value already stored (a custom partner type)."""
    if current and current not in {value for value, _label in options}:
        return [*options, (current, current)]
    return options
