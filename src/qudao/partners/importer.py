"""Import candidates from CSV or XLSX, all or nothing.

Every row is checked first (fields, duplicates against the database and within the file,
owners, stages, ratings); a file with any bad row writes nothing and returns the report of
every bad row. The guide's tracking table (候选伙伴 | 市场覆盖 | … | 备注) imports too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError, Unprocessable
from qudao.core.i18n import N_, LocaleCode
from qudao.core.tabular import ImportRejected, ImportReport, RowProblem, Table
from qudao.partners import dedupe, pipeline, repository, service
from qudao.partners.columns import fold, lookup
from qudao.partners.schemas import ImportProblemOut, ImportReportOut, PartnerCreate
from qudao.screening import rubrics
from qudao.screening import service as screening
from qudao.screening.models import Rubric

TAG_SPLIT = re.compile(r"[,;、，；]")


@dataclass
class PlannedRow:
    number: int
    data: PartnerCreate
    stage: str
    owner_id: int | None
    evaluator_email: str | None
    ratings: dict[str, str] = field(default_factory=dict)


def _columns(table: Table, rubric: Rubric) -> tuple[dict[int, str], dict[int, str], list[str]]:
    """Header index → field key, header index → criterion key, and unknown headers."""
    known = lookup()
    criteria: dict[str, str] = {}
    for criterion in rubric.criteria:
        for spelling in (criterion.key, criterion.label_en, criterion.label_zh):
            criteria[fold(spelling)] = criterion.key
    fields: dict[int, str] = {}
    rated: dict[int, str] = {}
    unknown: list[str] = []
    for index, text in enumerate(table.headers):
        folded = fold(text)
        if not folded:
            continue
        if folded in criteria:
            rated[index] = criteria[folded]
        elif folded in known:
            fields[index] = known[folded]
        else:
            unknown.append(text)
    return fields, rated, unknown


def plan(
    session: Session, subject: AuthSubject, table: Table, evaluator_email: str | None = None
) -> tuple[list[PlannedRow], ImportReport]:
    """Check every row; write nothing."""
    require_staff_writer(subject)
    rubric = rubrics.current(session)
    report = ImportReport(rows=len(table.rows))
    fields, rated, unknown = _columns(table, rubric)
    if "name" not in fields.values():
        raise Unprocessable(N_("The file needs a Name column (名称 or 候选伙伴)."), field="file")
    for text in unknown:
        report.warnings.append(RowProblem(1, text, N_("Column %(column)s is not known and was "
                                                      "ignored."), {"column": text}))
    header_of = {index: table.headers[index] for index in (*fields, *rated)}
    known = repository.known_names(session)
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    planned: list[PlannedRow] = []
    for number, cells in table.rows:
        values = {key: cells[index] for index, key in fields.items()}
        problems_before = len(report.errors)
        row = _plan_row(session, number, values, report, header_of, fields)
        ratings = {key: cells[index] for index, key in rated.items() if cells[index]}
        for index, key in rated.items():
            if cells[index]:
                try:
                    screening.parse_rating(cells[index], rubric.scale_max, key)
                except QudaoError as error:
                    report.errors.append(RowProblem.of(number, header_of[index], error))
        if ratings and len(ratings) != len(rubric.criteria):
            report.errors.append(RowProblem(number, None, N_(
                "Rate every criterion or none: this row rates %(n)s of %(total)s."),
                {"n": len(ratings), "total": len(rubric.criteria)}))
        if row is None:
            continue
        row.evaluator_email = row.evaluator_email or evaluator_email
        if ratings and row.evaluator_email is None and subject.user_id is None:
            report.errors.append(RowProblem(number, None, N_(
                "Ratings need an evaluator: add an Evaluator column or name one.")))
        normalized = dedupe.normalize_name(row.data.name)
        domain = dedupe.normalize_domain(row.data.website)
        existing = repository.by_normalized_name(session, normalized)
        if existing is not None:
            report.errors.append(RowProblem(number, _header(header_of, fields, "name"), N_(
                "Duplicate of the existing partner %(name)s (id %(id)s)."),
                {"name": existing.name, "id": existing.id}))
        elif normalized in seen_names:
            report.errors.append(RowProblem(number, _header(header_of, fields, "name"), N_(
                "The same company as row %(row)s."), {"row": seen_names[normalized]}))
        if domain:
            by_domain = repository.by_domain(session, domain)
            if by_domain is not None and by_domain.normalized_name != normalized:
                report.errors.append(RowProblem(number, _header(header_of, fields, "website"),
                                                N_("%(name)s (id %(id)s) already has this web "
                                                   "domain."),
                                                {"name": by_domain.name, "id": by_domain.id}))
            elif domain in seen_domains and seen_names.get(normalized) != seen_domains[domain]:
                report.errors.append(RowProblem(number, _header(header_of, fields, "website"),
                                                N_("The same web domain as row %(row)s."),
                                                {"row": seen_domains[domain]}))
            seen_domains.setdefault(domain, number)
        seen_names.setdefault(normalized, number)
        if len(report.errors) == problems_before:
            for similar in dedupe.close_matches(normalized, known, limit=1):
                report.warnings.append(RowProblem(number, _header(header_of, fields, "name"), N_(
                    "Possible duplicate of %(name)s (id %(id)s)."),
                    {"name": similar.name, "id": similar.id}))
        row.ratings = ratings
        planned.append(row)
    return planned, report


def _header(header_of: dict[int, str], fields: dict[int, str], key: str) -> str | None:
    for index, found in fields.items():
        if found == key:
            return header_of[index]
    return None


def _plan_row(
    session: Session, number: int, values: dict[str, str], report: ImportReport,
    header_of: dict[int, str], fields: dict[int, str],
) -> PlannedRow | None:
    def column(key: str) -> str | None:
        return _header(header_of, fields, key)

    before = len(report.errors)
    if not values.get("name"):
        report.errors.append(RowProblem(number, column("name"), N_("A partner needs a name.")))
        return None
    payload: dict[str, object] = {"name": values["name"], "allow_similar": True}
    for key in ("partner_type", "region", "country", "industry", "website", "source",
                "referrer", "notes", "revenue_currency", "annual_revenue"):
        if values.get(key):
            payload[key] = values[key]
    if values.get("revenue_currency"):
        payload["revenue_currency"] = values["revenue_currency"].upper()
    if values.get("employees"):
        text = values["employees"].replace(",", "").replace(" ", "")
        if not text.isdigit():
            report.errors.append(RowProblem(number, column("employees"), N_(
                "%(value)s is not a whole number of employees."), {"value": values["employees"]}))
        else:
            payload["employees"] = int(text)
    if values.get("tags"):
        payload["tags"] = [t.strip() for t in TAG_SPLIT.split(values["tags"]) if t.strip()]
    if values.get("contact_name") or values.get("contact_email"):
        payload["contacts"] = [{
            "name": values.get("contact_name") or values.get("contact_email"),
            "role": values.get("contact_role") or None,
            "email": values.get("contact_email") or None,
            "phone": values.get("contact_phone") or None,
            "wechat": values.get("contact_wechat") or None,
        }]
    data: PartnerCreate | None = None
    try:
        data = PartnerCreate.model_validate(payload)
        service.validate_fields(data)
    except ValidationError as error:
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            where: str | None = None
            if loc:
                where = f"contact_{loc[-1]}" if loc[0] == "contacts" else loc[0]
            report.errors.append(RowProblem(number, column(where) if where else None,
                                            N_("%(message)s"), {"message": problem["msg"]}))
    except QudaoError as error:
        report.errors.append(RowProblem.of(number, column(error.field or "") or error.field,
                                           error))
    stage = "sourced"
    if values.get("stage"):
        stage = _stage(values["stage"])
        if stage not in pipeline.STAGES:
            report.errors.append(RowProblem(number, column("stage"), N_(
                "%(value)s is not a pipeline stage."), {"value": values["stage"]}))
        elif stage == "signed":
            report.errors.append(RowProblem(number, column("stage"), N_(
                "Candidates are signed in the pipeline, after due diligence, not by import.")))
    owner_id = None
    if values.get("owner_email"):
        owner = accounts.user_by_email(session, values["owner_email"])
        if owner is None or not owner.role.is_staff:
            report.errors.append(RowProblem(number, column("owner_email"), N_(
                "The owner %(email)s is not a staff user."), {"email": values["owner_email"]}))
        else:
            owner_id = owner.id
    evaluator = values.get("evaluator") or None
    if evaluator:
        found = accounts.user_by_email(session, evaluator)
        if found is None or not found.role.is_staff:
            report.errors.append(RowProblem(number, column("evaluator"), N_(
                "The evaluator must be a staff user: %(email)s is not."), {"email": evaluator}))
    if len(report.errors) > before or data is None:
        return None
    return PlannedRow(number, data, stage, owner_id, evaluator)


def _stage(value: str) -> str:
    folded = fold(value).replace(" ", "_")
    for key, label in pipeline.STAGE_LABELS.items():
        if folded in (key, fold(label).replace(" ", "_")):
            return key
    chinese = {"已寻源": "sourced", "已联系": "contacted", "评估中": "evaluating",
               "尽职调查": "due_diligence", "谈判中": "negotiating", "已签约": "signed",
               "搁置": "on_hold", "已拒绝": "rejected"}
    return chinese.get(value.strip(), folded)


def report_out(report: ImportReport, locale: LocaleCode, dry_run: bool) -> ImportReportOut:
    """The report as the API and the import page show it: reasons in the reader's language."""
    def out(problems: list[RowProblem]) -> list[ImportProblemOut]:
        return [ImportProblemOut(row=p.row, column=p.column, reason=p.render(locale))
                for p in problems]

    return ImportReportOut(ok=report.ok, rows=report.rows, created=report.created,
                           dry_run=dry_run, errors=out(report.errors),
                           warnings=out(report.warnings))


def import_table(
    session: Session, subject: AuthSubject, table: Table, evaluator_email: str | None = None
) -> ImportReport:
    """All or nothing: raises ``ImportRejected`` (writing nothing) when any row is bad."""
    planned, report = plan(session, subject, table, evaluator_email)
    if not report.ok:
        raise ImportRejected(report)
    for row in planned:
        partner = service.insert_partner(session, subject, row.data, stage=row.stage,
                                         reason="imported" if row.stage != "sourced" else None)
        if row.owner_id is not None:
            partner.owner_id = row.owner_id
        if row.ratings:
            screening.rate(session, subject, partner.id, evaluator_email=row.evaluator_email,
                           ratings=dict(row.ratings))
        report.created += 1
    session.flush()
    return report

