"""The value proposition pages: the newest version (or any) as a page with downloads in
Chinese and English, the form that saves a new version, the versions and a comparison of
two of them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound, QudaoError
from qudao.core.i18n import LANGUAGE_NAMES, LOCALES, N_, LocaleCode
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.programs import value_proposition, vp_diff, vp_document
from qudao.programs.models import Program
from qudao.programs.schemas import ValuePropositionContent
from qudao.programs.value_proposition import LABELS, SWOT_PARTS
from qudao.web.forms import FormInvalid, FormState, failure, optional, optional_decimal
from qudao.web.program_page_views import (
    ProgramChoice,
    posted_rows,
    program_context,
    selected_program,
)

router = APIRouter(include_in_schema=False)
SAVED = notice("vp.saved", N_("The value proposition was saved as a new version."))
NEEDS_PROGRAM = N_("Set up the program first: the value proposition belongs to it.")
TOO_MANY_LINES = N_("At most %(n)s lines: one item per line.")
# Textareas of one item per line, and how many items each may hold.
LIST_INPUTS: dict[str, int] = {"pains": 20, "features": 30, "segments": 20,
                               **{f"swot_{part}": 20 for part in SWOT_PARTS}}
MAX_ROWS = 20
SPARE_ROWS = 2
# Row inputs (benefit_claim_0, competitor_name_0, …) → the schema's fields.
BENEFIT_INPUTS = {"claim": "claim", "value": "value", "unit": "unit", "evidence": "evidence"}
COMPETITOR_INPUTS = {"name": "name", "strengths": "their_strengths",
                     "weaknesses": "their_weaknesses", "advantage": "our_advantage"}
DOWNLOADS = ("pdf", "docx", "md")
Version = Annotated[int | None, Query(ge=1, le=1_000_000)]


def _lines(form: FormData, name: str) -> list[str]:
    text = optional(form, name, 50_000) or ""
    items = [line.strip() for line in text.splitlines() if line.strip()]
    if len(items) > LIST_INPUTS[name]:
        raise FormInvalid(name, TOO_MANY_LINES, n=LIST_INPUTS[name])
    return items


def row_counts(
    form: FormData | None, content: ValuePropositionContent | None
) -> tuple[int, int]:
    """How many benefit and competitor rows the form shows: the stored or posted ones and
    two empty rows to add one."""
    benefits = len(content.benefits) if content else 0
    competitors = len(content.competitors) if content else 0
    return (min(MAX_ROWS, max(benefits, posted_rows(form, "benefit_")) + SPARE_ROWS),
            min(MAX_ROWS, max(competitors, posted_rows(form, "competitor_")) + SPARE_ROWS))


def input_names(benefit_rows: int, competitor_rows: int) -> list[str]:
    return ["product", "usp", "note", *LIST_INPUTS,
            *(f"benefit_{f}_{i}" for i in range(benefit_rows) for f in BENEFIT_INPUTS),
            *(f"competitor_{f}_{i}" for i in range(competitor_rows) for f in COMPETITOR_INPUTS)]


def form_values(content: ValuePropositionContent | None) -> FormState:
    if content is None:
        return FormState()
    values = {"product": content.product, "usp": content.usp,
              "pains": "\n".join(content.pains), "features": "\n".join(content.features),
              "segments": "\n".join(content.segments)}
    for part in SWOT_PARTS:
        values[f"swot_{part}"] = "\n".join(getattr(content.swot, part))
    for i, benefit in enumerate(content.benefits):
        values |= {f"benefit_claim_{i}": benefit.claim,
                   f"benefit_value_{i}": vp_diff.figure_text(benefit.value),
                   f"benefit_unit_{i}": benefit.unit, f"benefit_evidence_{i}": benefit.evidence}
    for i, competitor in enumerate(content.competitors):
        values |= {f"competitor_{name}_{i}": getattr(competitor, field)
                   for name, field in COMPETITOR_INPUTS.items()}
    return FormState(values=values)


def _rows(
    form: FormData, count: int, prefix: str, inputs: dict[str, str]
) -> tuple[list[dict[str, object]], list[int]]:
    """The rows typed in, and the row number each came from; an empty row is skipped."""
    found: list[dict[str, object]] = []
    used: list[int] = []
    for row in range(count):
        texts = {name: optional(form, f"{prefix}_{name}_{row}", 5000) for name in inputs}
        if not any(texts.values()):
            continue
        record: dict[str, object] = {inputs[name]: text for name, text in texts.items()
                                     if text is not None}
        if prefix == "benefit":
            value: Decimal | None = optional_decimal(form, f"benefit_value_{row}")
            if value is None:
                record.pop("value", None)
            else:
                record["value"] = value
        found.append(record)
        used.append(row)
    return found, used


def parse_content(
    form: FormData, benefit_rows: int, competitor_rows: int
) -> tuple[dict[str, object], Callable[[tuple[int | str, ...]], str]]:
    """The form as the schema's input, and where each of the schema's errors is shown."""
    benefits, benefit_used = _rows(form, benefit_rows, "benefit", BENEFIT_INPUTS)
    competitors, competitor_used = _rows(form, competitor_rows, "competitor",
                                         COMPETITOR_INPUTS)
    payload: dict[str, object] = {
        "product": optional(form, "product", 1000) or "",
        "usp": optional(form, "usp", 5000) or "",
        "pains": _lines(form, "pains"), "features": _lines(form, "features"),
        "segments": _lines(form, "segments"), "benefits": benefits,
        "competitors": competitors,
        "swot": {part: _lines(form, f"swot_{part}") for part in SWOT_PARTS},
    }
    benefit_names = {v: k for k, v in BENEFIT_INPUTS.items()}
    competitor_names = {v: k for k, v in COMPETITOR_INPUTS.items()}

    def locate(location: tuple[int | str, ...]) -> str:
        head = str(location[0]) if location else ""
        row = location[1] if len(location) > 1 else None
        if head == "swot" and len(location) > 1:
            return f"swot_{location[1]}"
        if head in ("benefits", "competitors") and isinstance(row, int):
            field = str(location[2]) if len(location) > 2 else ""
            if head == "benefits":
                return f"benefit_{benefit_names.get(field, 'claim')}_{benefit_used[row]}"
            return f"competitor_{competitor_names.get(field, 'name')}_{competitor_used[row]}"
        return head

    return payload, locate


def _document(
    session: Session, subject: AuthSubject, program: Program, version: int | None
) -> tuple[Any, list[Any]]:
    """The version shown (None before the first save) and the list of versions."""
    rows = value_proposition.versions(session, subject, program.id)
    if not rows:
        if version is not None:
            raise NotFound(N_("Version %(version)s of the value proposition was not found."),
                           version=version)
        return None, []
    chosen = value_proposition.get_version(session, subject, program.id, version)
    return chosen, rows


@router.get("/program/value-proposition")
def show(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
    version: Version = None,
) -> Response:
    chosen = selected_program(session, subject, program)
    context: dict[str, Any] = {**program_context(session, subject, chosen),
                               "labels": LABELS, "swot_parts": SWOT_PARTS,
                               "locales": LOCALES, "language_names": LANGUAGE_NAMES,
                               "downloads": DOWNLOADS}
    if chosen is None:
        return render(request, "program/value_proposition.html",
                      {**context, "row": None, "versions": [], "message": NEEDS_PROGRAM})
    row, rows = _document(session, subject, chosen, version)
    context.update({
        "row": row, "versions": rows,
        "content": value_proposition.content_of(row) if row is not None else None,
        "latest": rows[0].version if rows else None,
        "figure": lambda b: vp_document.figure(vp_diff.figure_text(b.value), b.unit),
    })
    return render(request, "program/value_proposition.html", context)


def _edit_page(
    request: Request, session: Session, subject: AuthSubject, program: Program,
    form: FormState, posted: FormData | None,
) -> Response:
    latest = value_proposition.latest(session, subject, program.id)
    content = value_proposition.content_of(latest) if latest is not None else None
    benefit_rows, competitor_rows = row_counts(posted, content)
    return render(request, "program/vp_edit.html", {
        **program_context(session, subject, program), "form": form, "latest": latest,
        "benefit_rows": benefit_rows, "competitor_rows": competitor_rows,
        "labels": LABELS, "swot_parts": SWOT_PARTS,
    }, status=form.status)


@router.get("/program/value-proposition/edit")
def edit(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    chosen = selected_program(session, subject, program)
    if chosen is None:
        return see_other(request, "/program/new")
    latest = value_proposition.latest(session, subject, chosen.id)
    state = form_values(value_proposition.content_of(latest) if latest else None)
    return _edit_page(request, session, subject, chosen, state, None)


@router.post("/program/value-proposition/edit")
async def save(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    form = await checked_form(request)
    chosen = selected_program(session, subject, program)
    if chosen is None:
        return see_other(request, "/program/new")
    latest = value_proposition.latest(session, subject, chosen.id)
    benefit_rows, competitor_rows = row_counts(
        form, value_proposition.content_of(latest) if latest else None)
    locate: Callable[[tuple[int | str, ...]], str] | None = None
    try:
        payload, locate = parse_content(form, benefit_rows, competitor_rows)
        content = ValuePropositionContent.model_validate(payload)
        value_proposition.save_version(session, subject, chosen.id, content,
                                       optional(form, "note", 1000))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form,
                        input_names(benefit_rows, competitor_rows), locate=locate)
        session.rollback()
        chosen = selected_program(session, subject, program)
        assert chosen is not None
        return _edit_page(request, session, subject, chosen, state, form)
    query = program_context(session, subject, chosen)["program_query"]
    return see_other(request, f"/program/value-proposition{query}", flash=SAVED)


@router.get("/program/value-proposition/compare")
def compare(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
) -> Response:
    chosen = selected_program(session, subject, program)
    if chosen is None:
        return see_other(request, "/program/new")
    rows = value_proposition.versions(session, subject, chosen.id)
    newest = rows[0].version if rows else None
    new = to_version or newest
    old = from_version or (new - 1 if new and new > 1 else new)
    diff = None
    if old is not None and new is not None:
        diff = vp_diff.compare_versions(session, subject, chosen.id, old, new,
                                        request_locale(request))
    return render(request, "program/vp_compare.html", {
        **program_context(session, subject, chosen), "versions": rows, "diff": diff,
        "from_version": old, "to_version": new,
    })


@router.get("/program/value-proposition/download")
def download(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
    version: Version = None, format: vp_document.DocumentFormat = "pdf",
    lang: Annotated[LocaleCode | None, Query()] = None,
) -> Response:
    """The document in the language asked for, whatever the page's: it often goes to a
    partner who reads the other one."""
    chosen = selected_program(session, subject, program)
    if chosen is None:
        raise NotFound(NEEDS_PROGRAM)
    document = vp_document.render_value_proposition(
        session, subject, program_id=chosen.id, locale=lang or request_locale(request),
        fmt=format, version=version)
    disposition = "inline" if format == "html" else "attachment"
    return Response(document.body, media_type=document.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{document.filename}"'})
