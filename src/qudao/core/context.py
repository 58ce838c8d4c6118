"""Who is acting and on behalf of which request: carried by each unit of work so that the
audit log and the error pages can read it without passing it through every call."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from qudao.core.i18n import DEFAULT_LOCALE, LocaleCode

CONTEXT_KEY = "qudao_context"


def new_request_id() -> str:
    return secrets.token_hex(12)


@dataclass
class RequestContext:
    request_id: str = field(default_factory=new_request_id)
    actor_type: str = "system"
    actor_id: str | None = None
    actor_label: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    locale: LocaleCode = DEFAULT_LOCALE


def set_context(session: Session, context: RequestContext) -> None:
    session.info[CONTEXT_KEY] = context


def get_context(session: Session) -> RequestContext:
    context = session.info.get(CONTEXT_KEY)
    if context is None:
        context = RequestContext()
        session.info[CONTEXT_KEY] = context
    assert isinstance(context, RequestContext)
    return context
