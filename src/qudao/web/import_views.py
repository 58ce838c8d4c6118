"""The import page: a CSV or XLSX file of candidates, checked row by row and imported all
or nothing. A refused file answers 422, so the request's unit of work rolls back whatever a
check may have touched; the report lists every bad row in the reader's language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.core.tabular import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportRejected,
    read_table,
)
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.partners import importer
from qudao.partners.columns import COLUMNS
from qudao.partners.schemas import ImportReportOut
from qudao.screening import rubrics
from qudao.web.forms import FormInvalid, FormState, checkbox, failure

router = APIRouter(include_in_schema=False)
FIELDS = ("file", "check_only")
CHOOSE_FILE = N_("Choose a .csv or .xlsx file to import.")


def _import_page(
    request: Request, session: Session, *, form: FormState | None = None,
    report: ImportReportOut | None = None, filename: str | None = None, status: int = 200,
) -> Response:
    rubric = rubrics.current(session)
    state = form or FormState()
    return render(request, "partners/import.html", {
        "form": state, "report": report, "filename": filename,
        "columns": [(english, chinese) for english, chinese, _aliases in COLUMNS.values()],
        "criteria": [(c.label_en, c.label_zh) for c in rubric.criteria],
        "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024), "max_rows": MAX_ROWS,
        "rejected_rows": len({p.row for p in report.errors}) if report else 0,
    }, status=state.status if form else status)


@router.get("/partners/import")
def import_page(request: Request, subject: PageStaff, session: DbSession) -> Response:
    return _import_page(request, session)


async def _table_of(upload: object) -> tuple[str, bytes]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormInvalid("file", CHOOSE_FILE)
    # One byte past the limit is enough for the reader to refuse the file as too large.
    return upload.filename, await upload.read(MAX_UPLOAD_BYTES + 1)


@router.post("/partners/import")
async def import_file(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    locale = request_locale(request)
    dry_run = checkbox(form, "check_only")
    filename: str | None = None
    try:
        filename, data = await _table_of(form.get("file"))
        table = read_table(filename, data)
        if dry_run:
            _planned, report = importer.plan(session, subject, table)
        else:
            report = importer.import_table(session, subject, table)
    except ImportRejected as rejected:
        return _import_page(request, session, filename=filename, status=rejected.status,
                            report=importer.report_out(rejected.report, locale, dry_run))
    except (QudaoError, FormInvalid) as error:
        state = failure(error, locale, form, FIELDS)
        return _import_page(request, session, form=state, filename=filename)
    finally:
        await form.close()
    # A check that finds bad rows is refused like the import would be.
    response = _import_page(request, session, filename=filename,
                            status=200 if report.ok else 422,
                            report=importer.report_out(report, locale, dry_run))
    if dry_run:
        # A check writes nothing at all, not even the default rubric that its first use of
        # the rubric creates; the page is already drawn.
        session.rollback()
    return response
