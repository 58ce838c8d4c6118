"""Document templates and their versions.

The built-in templates are package files (``defaults/<kind>.<locale>.md``). Nothing is
written while a template is only read: until a template is first used to generate a
document or first edited, the built-in text is shown as version 1. The first use writes that
text as version 1, so that every generated document names a version whose body is in the
database, even after an upgrade brings better built-in texts. An edit adds the next version;
the highest version is the one in use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_admin
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.errors import Conflict, NotFound, Unprocessable
from qudao.core.i18n import LOCALES, N_, LocaleCode
from qudao.documents.kinds import TEMPLATE_KINDS, TemplateKind
from qudao.documents.models import DocumentTemplate
from qudao.documents.placeholders import sample_contexts
from qudao.documents.sandbox import (
    MAX_TEMPLATE_CHARS,
    Reason,
    TemplateRefused,
    render_template,
)

SAMPLE_NAMES = {"full": N_("with a partner, a plan and an agreement"),
                "minimal": N_("with the program only")}


@dataclass(frozen=True)
class TemplateView:
    kind: TemplateKind
    locale: LocaleCode
    version: int
    body: str
    # True while only the package's text exists (nothing saved yet).
    builtin: bool
    created_at: datetime | None = None
    created_by_id: int | None = None
    note: str | None = None


@cache
def builtin_body(kind: TemplateKind, locale: LocaleCode) -> str:
    return (resources.files("qudao.documents") / "defaults" / f"{kind}.{locale}.md") \
        .read_text(encoding="utf-8")


def _view(row: DocumentTemplate, kind: TemplateKind, locale: LocaleCode) -> TemplateView:
    return TemplateView(kind=kind, locale=locale, version=row.version, body=row.body,
                        builtin=False, created_at=row.created_at,
                        created_by_id=row.created_by_id, note=row.note)


def _builtin(kind: TemplateKind, locale: LocaleCode) -> TemplateView:
    return TemplateView(kind=kind, locale=locale, version=1, body=builtin_body(kind, locale),
                        builtin=True)


def _latest(session: Session, kind: str, locale: str) -> DocumentTemplate | None:
    return session.scalar(select(DocumentTemplate)
                          .where(DocumentTemplate.kind == kind,
                                 DocumentTemplate.locale == locale)
                          .order_by(DocumentTemplate.version.desc()).limit(1))


def active(session: Session, kind: TemplateKind, locale: LocaleCode) -> TemplateView:
    row = _latest(session, kind, locale)
    return _builtin(kind, locale) if row is None else _view(row, kind, locale)


def versions(session: Session, kind: TemplateKind, locale: LocaleCode) -> list[TemplateView]:
    """Newest first; the built-in text alone while nothing is saved."""
    rows = session.scalars(select(DocumentTemplate)
                           .where(DocumentTemplate.kind == kind,
                                  DocumentTemplate.locale == locale)
                           .order_by(DocumentTemplate.version.desc()))
    found = [_view(row, kind, locale) for row in rows]
    return found or [_builtin(kind, locale)]


def version(session: Session, kind: TemplateKind, locale: LocaleCode,
            number: int) -> TemplateView:
    for found in versions(session, kind, locale):
        if found.version == number:
            return found
    raise NotFound(N_("Version %(version)s of this template was not found."), version=number)


def overview(session: Session) -> list[TemplateView]:
    """The template in use of every kind and language."""
    newest = (select(DocumentTemplate.kind, DocumentTemplate.locale,
                     func.max(DocumentTemplate.version).label("top"))
              .group_by(DocumentTemplate.kind, DocumentTemplate.locale).subquery())
    rows = session.scalars(select(DocumentTemplate).join(newest, and_(
        DocumentTemplate.kind == newest.c.kind, DocumentTemplate.locale == newest.c.locale,
        DocumentTemplate.version == newest.c.top)))
    latest = {(row.kind, row.locale): row for row in rows}
    return [_view(latest[(kind, locale)], kind, locale) if (kind, locale) in latest
            else _builtin(kind, locale) for kind in TEMPLATE_KINDS for locale in LOCALES]


def validate(body: str, locale: LocaleCode) -> None:
    """Renders the template in the sandbox with the sample data, with and without a partner,
    a plan and an agreement; refuses it with the reason if either fails."""
    if not body.strip():
        raise Unprocessable(N_("A template cannot be empty."), field="body")
    if len(body) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(N_("A template may have at most %(n)s characters."),
                              field="body", n=MAX_TEMPLATE_CHARS)
    for name, context in sample_contexts(locale).items():
        try:
            render_template(body, context)
        except TemplateRefused as error:
            if name == "full":
                raise
            raise TemplateRefused(
                N_("The template fails when a document is made %(case)s: %(reason)s"),
                field="body", case=Reason(SAMPLE_NAMES[name], {}),
                reason=Reason(error.message, error.params)) from None


def _insert(session: Session, row: DocumentTemplate) -> bool:
    """Adds a version; False when another transaction added the same version first."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def ensure_saved(session: Session, kind: TemplateKind, locale: LocaleCode) -> DocumentTemplate:
    """The template in use as a row: the built-in text becomes version 1 on first use."""
    row = _latest(session, kind, locale)
    if row is not None:
        return row
    row = DocumentTemplate(kind=kind, locale=locale, version=1, body=builtin_body(kind, locale),
                           note="built-in", created_at=clock.now())
    if not _insert(session, row):
        # Two first uses at once: both meant the built-in text; keep the one that won.
        winner = _latest(session, kind, locale)
        if winner is None:
            raise Conflict(N_("Someone saved this template at the same moment. Reload it and "
                              "try again."), field="body")
        return winner
    audit.record(session, action="document_template.create", target_type="document_template",
                 target_id=row.id, after={"kind": kind, "locale": locale, "version": 1,
                                          "builtin": True})
    return row


def save(session: Session, subject: AuthSubject, kind: TemplateKind, locale: LocaleCode, *,
         body: str, note: str | None = None) -> DocumentTemplate:
    """An administrator's edit: checked in the sandbox, then kept as the next version."""
    require_admin(subject)
    body = body.replace("\r\n", "\n")
    validate(body, locale)
    current = ensure_saved(session, kind, locale)
    if current.body == body:
        raise Unprocessable(N_("The template is unchanged: nothing was saved."), field="body")
    row = DocumentTemplate(kind=kind, locale=locale, version=current.version + 1, body=body,
                           note=(note or "").strip()[:300] or None,
                           created_by_id=subject.user_id, created_at=clock.now())
    if not _insert(session, row):
        raise Conflict(N_("Someone saved this template at the same moment. Reload it and "
                          "try again."), field="body")
    audit.record(session, action="document_template.save", target_type="document_template",
                 target_id=row.id, before={"version": current.version},
                 after={"kind": kind, "locale": locale, "version": row.version,
                        "chars": len(body)})
    return row
