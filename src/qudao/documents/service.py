"""Generating documents: the data is gathered, the template rendered in the sandbox, the
Markdown written to the format asked for, and the result kept with its template version and
the SHA-256 of its inputs. The same inputs give the same hash, and the stored document is
returned instead of a copy. Services flush and audit; the boundary commits."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, translate
from qudao.documents import markdown_render, repository, templates
from qudao.documents.context import build_context
from qudao.documents.kinds import (
    KIND_LABELS,
    VALUE_PROPOSITION,
    check_format,
    check_kind,
    check_locale,
    check_template_kind,
)
from qudao.documents.models import GeneratedDocument
from qudao.documents.render import render_markdown
from qudao.documents.sandbox import render_template
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.programs import repository as programs
from qudao.programs.models import CommissionPlan, Program

FILE_STEMS = {"nda": "nda", "loi": "letter-of-intent", "agreement": "partner-agreement",
              VALUE_PROPOSITION: "value-proposition"}


@dataclass(frozen=True)
class Generated:
    document: GeneratedDocument
    # True when a document with the same inputs existed and is returned instead of a copy.
    reused: bool


def generate(
    session: Session, subject: AuthSubject, *, kind: str, locale: str,
    fmt: Literal["md", "html", "docx", "pdf"], program_id: int | None = None,
    partner_id: int | None = None, plan_id: int | None = None,
    agreement_id: int | None = None, extra: Mapping[str, object] | None = None,
) -> GeneratedDocument:
    """A document of ``kind`` (nda, loi, agreement, value_proposition) in ``locale`` and
    ``fmt``, stored. ``extra`` holds the agreement's terms for the template (territory,
    starts_on, ends_on, exclusive, exclusivity, partner_type, kpis, milestones, ip_clause,
    termination_terms), shown under ``agreement``."""
    return generate_document(session, subject, kind=kind, locale=locale, fmt=fmt,
                             program_id=program_id, partner_id=partner_id, plan_id=plan_id,
                             agreement_id=agreement_id, extra=extra).document


def generate_document(
    session: Session, subject: AuthSubject, *, kind: str, locale: str, fmt: str,
    program_id: int | None = None, partner_id: int | None = None, plan_id: int | None = None,
    agreement_id: int | None = None, extra: Mapping[str, object] | None = None,
) -> Generated:
    require_staff_writer(subject)
    kind = check_kind(kind)
    language = check_locale(locale)
    fmt = check_format(fmt)
    program = _program(session, subject, program_id)
    partner = partners.get(session, subject, partner_id) if partner_id is not None else None
    plan = _plan(session, program, plan_id)
    inputs: dict[str, Any] = {
        "kind": kind, "locale": language, "format": fmt, "program_id": program.id,
        "partner_id": partner_id, "plan_id": plan_id, "agreement_id": agreement_id,
    }
    template_version: int | None = None
    if kind == VALUE_PROPOSITION:
        from qudao.programs.vp_document import value_proposition_markdown

        title, markdown = value_proposition_markdown(session, subject, program_id=program.id,
                                                     locale=language)
        inputs.update(title=title, markdown=markdown)
    else:
        template = templates.ensure_saved(session, check_template_kind(kind), language)
        template_version = template.version
        context = build_context(locale=language, program=program, partner=partner, plan=plan,
                                extra=extra)
        markdown = render_template(template.body, context)
        title = markdown_render.first_heading(markdown_render.parse(markdown)) \
            or translate(language, KIND_LABELS[kind])
        inputs.update(template_version=template.version, template_body=template.body,
                      context=context)
    digest = inputs_sha256(inputs)
    existing = repository.by_inputs(session, digest)
    if existing is not None:
        return Generated(existing, reused=True)
    content = render_markdown(markdown, fmt=fmt, title=title, locale=language)
    document = GeneratedDocument(
        kind=kind, locale=language, format=fmt, title=title[:300],
        template_version=template_version, program_id=program.id, partner_id=partner_id,
        plan_id=plan_id, agreement_id=agreement_id, inputs_sha256=digest,
        filename=filename(kind, language, fmt, program, partner),
        content=content, size=len(content), created_by_id=subject.user_id,
        created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(document)
            session.flush()
    except IntegrityError:
        # The same document was generated at the same moment: keep the one that won.
        winner = repository.by_inputs(session, digest)
        if winner is None:
            raise
        return Generated(winner, reused=True)
    audit.record(session, action="document.generate", target_type="generated_document",
                 target_id=document.id, partner_id=partner_id,
                 after={"kind": kind, "locale": language, "format": fmt,
                        "template_version": template_version, "inputs_sha256": digest,
                        "size": document.size, "agreement_id": agreement_id})
    return Generated(document, reused=False)


def inputs_sha256(inputs: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a document's inputs (sorted keys, no spaces)."""
    canonical = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _program(session: Session, subject: AuthSubject, program_id: int | None) -> Program:
    if program_id is not None:
        return programs.get_program(session, subject, program_id)
    found = programs.list_programs(session, subject)
    if not found:
        raise Unprocessable(N_("Set up the partner program first: documents are filled from "
                               "its data."), field="program_id")
    if len(found) > 1:
        raise Unprocessable(N_("There are several programs: choose one."), field="program_id")
    return found[0]


def _plan(session: Session, program: Program, plan_id: int | None) -> CommissionPlan | None:
    if plan_id is None:
        return None
    plan = session.get(CommissionPlan, plan_id)
    if plan is None or plan.program_id != program.id:
        raise Unprocessable(N_("Commission plan %(id)s is not a plan of this program."),
                            field="plan_id", id=plan_id)
    return plan


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-").lower()[:40].strip("-")


def filename(kind: str, locale: str, fmt: str, program: Program,
             partner: Partner | None) -> str:
    """An ASCII file name: kind, whom it is for, language and day."""
    if partner is not None:
        whom = _slug(partner.name) or f"partner-{partner.id}"
    else:
        whom = _slug(program.company_name) or f"program-{program.id}"
    return f"{FILE_STEMS[kind]}-{whom}-{locale}-{clock.now().date().isoformat()}.{fmt}"
