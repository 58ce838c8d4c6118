"""The contract of an agreement, generated from its data by the documents engine (the
"agreement" template of the partner kit), in the program's language unless asked for
another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from babel import dates
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.agreements.measures import PERIODS, is_money, target_value
from qudao.agreements.models import Agreement
from qudao.agreements.schemas import ContractOut
from qudao.core.errors import NotFound
from qudao.core.i18n import N_, LocaleCode, Translator, coerce_locale, translate
from qudao.documents import repository as document_repository
from qudao.documents import service as documents
from qudao.documents.models import Document
from qudao.goals.metrics import CATALOGUE, MetricKey
from qudao.partners.types import PARTNER_TYPES
from qudao.programs.models import Program

EXCLUSIVE = N_("Exclusive in the territory")
NOT_EXCLUSIVE = N_("Not exclusive")


def contract_locale(program: Program, locale: str | None) -> LocaleCode:
    return coerce_locale(locale) or coerce_locale(program.default_locale) or "zh-CN"


def _day(value: date, translator: Translator) -> str:
    return dates.format_date(value, "long", locale=translator.babel_locale)


def _amount(metric: str, stored: int, currency: str, translator: Translator) -> str:
    value = target_value(metric, stored, currency)
    return translator.money(value, currency) if is_money(metric) else translator.number(value)


def agreement_context(session: Session, agreement: Agreement,
                      locale: LocaleCode) -> dict[str, Any]:
    """The agreement's terms as plain, already formatted values for the template."""
    program = session.get(Program, agreement.program_id)
    assert program is not None
    t = Translator(locale)
    partner_type = agreement.partner_type
    return {
        "territory": agreement.territory,
        "starts_on": _day(agreement.starts_on, t),
        "ends_on": _day(agreement.ends_on, t),
        "exclusive": agreement.exclusive,
        "exclusivity": translate(locale, EXCLUSIVE if agreement.exclusive else NOT_EXCLUSIVE),
        "partner_type": (translate(locale, PARTNER_TYPES[partner_type])
                         if partner_type in PARTNER_TYPES else partner_type or ""),
        "kpis": [{"metric": translate(locale, CATALOGUE[_key(k.metric)].label),
                  "target": _amount(k.metric, k.target, program.currency, t),
                  "period": translate(locale, PERIODS[k.period])}  # type: ignore[index]
                 for k in agreement.kpis],
        "milestones": [{"title": m.title, "due_on": _day(m.due_on, t),
                        "target": (_amount(m.metric, m.target, program.currency, t)
                                   if m.metric is not None and m.target is not None else ""),
                        "metric": (translate(locale, CATALOGUE[_key(m.metric)].label)
                                   if m.metric is not None else "")}
                       for m in agreement.milestones],
        "ip_clause": agreement.ip_clause or "",
        "termination_terms": agreement.termination_terms or "",
    }


def documents_format(fmt: str) -> Literal["pdf", "docx"]:
    return "docx" if fmt == "docx" else "pdf"


def _key(metric: str) -> MetricKey:
    return metric  # type: ignore[return-value]


def generate(session: Session, subject: AuthSubject, agreement: Agreement, *,
             fmt: str = "pdf", locale: str | None = None) -> Document:
    program = session.get(Program, agreement.program_id)
    assert program is not None
    language = contract_locale(program, locale)
    return documents.generate(
        session, subject, kind="agreement", locale=language,
        fmt=documents_format(fmt),
        program_id=agreement.program_id, partner_id=agreement.partner_id,
        plan_id=agreement.plan_id, agreement_id=agreement.id,
        extra=agreement_context(session, agreement, language))


def generate_on_request(session: Session, subject: AuthSubject, agreement: Agreement, *,
                        fmt: str = "docx", locale: str | None = None) -> Document:
    """A copy of the contract from the current terms (a draft's, to review, or another
    format or language of a signed one); the one kept on the agreement does not change."""
    require_staff_writer(subject)
    return generate(session, subject, agreement, fmt=fmt, locale=locale)


@dataclass(frozen=True)
class ContractFile:
    filename: str
    media_type: str
    content: bytes

    @property
    def disposition(self) -> str:
        return f'attachment; filename="{self.filename}"'


def stored(session: Session, subject: AuthSubject, agreement: Agreement,
           document_id: int | None = None) -> ContractFile:
    """The contract kept on the agreement, or another document generated for it."""
    wanted = document_id if document_id is not None else agreement.document_id
    if wanted is None:
        raise NotFound(N_("Agreement %(id)s has no contract yet: it is generated at "
                          "signing."), id=agreement.id)
    document = document_repository.get(session, subject, wanted, with_content=True)
    if document.agreement_id != agreement.id:
        raise NotFound(N_("Document %(id)s was not found."), id=wanted)
    return file_of(document)


def file_of(document: Document) -> ContractFile:
    return ContractFile(document.filename, document.media_type, document.content)


def contract_out(agreement: Agreement, document: Document) -> ContractOut:
    return ContractOut(agreement_id=agreement.id, document_id=document.id,
                       format=document.format, locale=document.locale,
                       download_url=f"/api/v1/agreements/{agreement.id}/contract"
                                    f"?document_id={document.id}")
