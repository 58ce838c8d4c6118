"""Sections that other areas add to the staff partner page (agreement, deals, funnel,
cadence), so that the page does not have to know every area.

An area registers a function at import; the page calls each one and includes the template
it names with the context it returns, in registration order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode
from qudao.partners.models import Partner


@dataclass(frozen=True, slots=True)
class Section:
    template: str
    # The template sees the Section as ``section`` and reads this as ``section.context``.
    context: dict[str, Any] = field(default_factory=dict)
    column: Literal["main", "side"] = "main"


SectionMaker = Callable[[Session, AuthSubject, Partner, LocaleCode], Section | None]
_MAKERS: list[SectionMaker] = []


def register(maker: SectionMaker) -> SectionMaker:
    if maker not in _MAKERS:
        _MAKERS.append(maker)
    return maker


def sections(session: Session, subject: AuthSubject, partner: Partner,
             locale: LocaleCode) -> list[Section]:
    made = (maker(session, subject, partner, locale) for maker in _MAKERS)
    return [section for section in made if section is not None]
