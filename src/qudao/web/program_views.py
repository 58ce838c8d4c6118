"""Staff pages of the program: the set-up path a new company follows (value proposition →
goals → catalogue → commission plans → documents), the program's settings, and, from their
own modules, the value proposition and the catalogue. Every page also works on its own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import LANGUAGE_NAMES, LOCALES, N_, LocaleCode, translate
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners.types import PARTNER_TYPES, suggest_types
from qudao.programs import repository, service, setup_path
from qudao.programs.models import Program
from qudao.programs.schemas import ProgramCreate, ProgramUpdate
from qudao.web import program_catalogue_views, program_vp_views
from qudao.web.forms import REQUIRED, FormInvalid, FormState, failure, optional, optional_int
from qudao.web.program_page_views import (
    ProgramChoice,
    program_context,
    program_query,
    selected_program,
)

router = APIRouter(include_in_schema=False)
router.include_router(program_vp_views.router)
router.include_router(program_catalogue_views.router)

FIELDS = ("name", "company_name", "company_profile", "industry", "currency", "default_locale",
          "protection_days", "attribution_days", "inactivity_days", "concentration_alert_pct",
          "support_training", "support_marketing", "mdf_budget", "exit_terms")
DAY_FIELDS = ("protection_days", "attribution_days", "inactivity_days")
CREATED = notice("program.created", N_("The program was created. Next: its value "
                                       "proposition."))
SAVED = notice("program.saved", N_("The program's settings were saved."))


def _suggestion(program: Program, locale: LocaleCode) -> dict[str, Any] | None:
    """The partner types the program's industry calls for (guide §2.1)."""
    if not program.industry:
        return None
    types, reason = suggest_types(program.industry)
    return {"types": [translate(locale, PARTNER_TYPES[t]) for t in types],
            "reason": translate(locale, reason), "industry": program.industry}


@router.get("/program")
def setup(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    chosen = selected_program(session, subject, program)
    locale = request_locale(request)
    return render(request, "program/index.html", {
        **program_context(session, subject, chosen),
        "out": service.program_out(chosen) if chosen else None,
        "steps": setup_path.steps(session, chosen),
        "suggestion": _suggestion(chosen, locale) if chosen else None,
        "language_names": LANGUAGE_NAMES,
    })


def _values(program: Program) -> FormState:
    out = service.program_out(program)
    return FormState(values={
        "name": out.name, "company_name": out.company_name,
        "company_profile": out.company_profile or "", "industry": out.industry or "",
        "currency": out.currency, "default_locale": out.default_locale,
        "protection_days": str(out.protection_days),
        "attribution_days": str(out.attribution_days),
        "inactivity_days": str(out.inactivity_days),
        "concentration_alert_pct": str(out.concentration_alert_pct),
        "support_training": out.support_training or "",
        "support_marketing": out.support_marketing or "",
        "mdf_budget": "" if out.mdf_budget is None else f"{out.mdf_budget:f}",
        "exit_terms": out.exit_terms or "",
    })


def _blank(locale: LocaleCode) -> FormState:
    return FormState(values={"currency": "CNY", "default_locale": locale,
                             **{k: str(v) for k, v in service.DEFAULT_DAYS.items()},
                             "concentration_alert_pct": str(service.DEFAULT_ALERT_PCT)})


def _settings_page(
    request: Request, session: Session, subject: AuthSubject, program: Program | None,
    form: FormState,
) -> Response:
    return render(request, "program/settings.html", {
        **program_context(session, subject, program),
        "form": form, "editing": program,
        "locale_options": [(code, LANGUAGE_NAMES[code]) for code in LOCALES],
    }, status=form.status)


def _fields(form: FormData) -> dict[str, object]:
    """Every input as the service takes it: an emptied text clears the stored one."""
    values: dict[str, object] = {
        name: optional(form, name) for name in
        ("name", "company_name", "company_profile", "industry", "support_training",
         "support_marketing", "exit_terms", "default_locale")}
    currency = optional(form, "currency", 10)
    values["currency"] = currency.upper() if currency else None
    values["mdf_budget"] = optional(form, "mdf_budget", 40)
    alert_pct = optional_int(form, "concentration_alert_pct")
    if alert_pct is not None:  # blank: the default for a new program, unchanged otherwise
        values["concentration_alert_pct"] = alert_pct
    for name in DAY_FIELDS:
        days = optional_int(form, name)
        if days is None:
            raise FormInvalid(name, REQUIRED)
        values[name] = days
    for name in ("name", "company_name", "currency", "default_locale"):
        if values[name] is None:
            raise FormInvalid(name, REQUIRED)
    return values


@router.get("/program/new")
def new_program(request: Request, subject: PageStaff, session: DbSession) -> Response:
    return _settings_page(request, session, subject, None, _blank(request_locale(request)))


@router.post("/program/new")
async def create_program(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    try:
        program = service.create_program(session, subject,
                                         ProgramCreate.model_validate(_fields(form)))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, FIELDS)
        session.rollback()
        return _settings_page(request, session, subject, None, state)
    default = repository.default_program(session)
    query = "" if default is not None and default.id == program.id else f"?program={program.id}"
    return see_other(request, f"/program{query}", flash=CREATED)


@router.get("/program/settings")
def settings(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    chosen = selected_program(session, subject, program)
    if chosen is None:
        return see_other(request, "/program/new")
    return _settings_page(request, session, subject, chosen, _values(chosen))


@router.post("/program/settings")
async def save_settings(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    form = await checked_form(request)
    chosen = selected_program(session, subject, program)
    if chosen is None:
        return see_other(request, "/program/new")
    try:
        service.update_program(session, subject, chosen.id,
                               ProgramUpdate.model_validate(_fields(form)))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, FIELDS)
        session.rollback()
        chosen = selected_program(session, subject, program)
        return _settings_page(request, session, subject, chosen, state)
    return see_other(request, f"/program{program_query(chosen, session)}", flash=SAVED)
