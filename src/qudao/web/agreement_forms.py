"""The agreement forms of the staff pages: posted text to the service's shapes, and an
agreement's values back into a form. KPI and milestone rows are numbered inputs
(``kpi_metric_0``, ``ms_title_2``); empty rows are skipped."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from qudao.agreements.measures import is_money, target_value
from qudao.agreements.models import Agreement
from qudao.agreements.schemas import AgreementCreate, AgreementUpdate, KpiIn, MilestoneIn
from qudao.core.i18n import N_
from qudao.web.forms import (
    REQUIRED,
    FormInvalid,
    FormState,
    checkbox,
    optional,
    optional_date,
    optional_int,
)

TERM_FIELDS = ("partner_id", "program_id", "plan_id", "partner_type", "territory",
               "starts_on", "ends_on", "exclusive", "ip_clause", "termination_terms")
KPI_COLUMNS = ("kpi_metric", "kpi_target", "kpi_period")
MILESTONE_COLUMNS = ("ms_title", "ms_due", "ms_metric", "ms_target")
# Empty rows a form offers below the filled ones.
SPARE_ROWS = 2
MAX_ROWS = 20
CHOOSE_PARTNER = N_("Choose the partner.")
CHOOSE_PROGRAM = N_("Choose the program.")


def row_count(form: FormData | None, filled: int) -> int:
    """How many rows to draw: every posted row, or the stored ones plus spare rows."""
    if form is not None:
        posted = [int(name.rsplit("_", 1)[1]) for name in form
                  if name.startswith(("kpi_metric_", "ms_title_"))
                  and name.rsplit("_", 1)[1].isdigit()]
        return min(MAX_ROWS, max(posted, default=-1) + 1 + 1)
    return min(MAX_ROWS, filled + SPARE_ROWS)


def input_names(rows: int) -> list[str]:
    names = list(TERM_FIELDS)
    for index in range(rows):
        names += [f"{column}_{index}" for column in KPI_COLUMNS + MILESTONE_COLUMNS]
    return names


def _required_date(form: FormData, name: str) -> date:
    value = optional_date(form, name)
    if value is None:
        raise FormInvalid(name, REQUIRED)
    return value


def kpi_rows(form: FormData) -> list[KpiIn]:
    rows = []
    for index in range(MAX_ROWS):
        metric = optional(form, f"kpi_metric_{index}", 40)
        target = optional(form, f"kpi_target_{index}", 40)
        if metric is None and target is None:
            continue
        if metric is None:
            raise FormInvalid(f"kpi_metric_{index}", REQUIRED)
        if target is None:
            raise FormInvalid(f"kpi_target_{index}", REQUIRED)
        period = optional(form, f"kpi_period_{index}", 10) or "quarter"
        rows.append(KpiIn(metric=metric, target=target.replace(",", ""),
                          period=period))
    return rows


def milestone_rows(form: FormData) -> list[MilestoneIn]:
    rows = []
    for index in range(MAX_ROWS):
        title = optional(form, f"ms_title_{index}", 300)
        due = optional_date(form, f"ms_due_{index}")
        metric = optional(form, f"ms_metric_{index}", 40)
        target = optional(form, f"ms_target_{index}", 40)
        if title is None and due is None and metric is None and target is None:
            continue
        if title is None:
            raise FormInvalid(f"ms_title_{index}", REQUIRED)
        if due is None:
            raise FormInvalid(f"ms_due_{index}", REQUIRED)
        rows.append(MilestoneIn(title=title, due_on=due, metric=metric,
                                target=target.replace(",", "") if target else None))
    return rows


def agreement_create(form: FormData) -> AgreementCreate:
    partner_id = optional_int(form, "partner_id")
    if partner_id is None:
        raise FormInvalid("partner_id", CHOOSE_PARTNER)
    program_id = optional_int(form, "program_id")
    if program_id is None:
        raise FormInvalid("program_id", CHOOSE_PROGRAM)
    return AgreementCreate(
        partner_id=partner_id, program_id=program_id, plan_id=optional_int(form, "plan_id"),
        partner_type=optional(form, "partner_type", 60),
        territory=optional(form, "territory", 300) or "",
        starts_on=_required_date(form, "starts_on"), ends_on=_required_date(form, "ends_on"),
        exclusive=checkbox(form, "exclusive"), ip_clause=optional(form, "ip_clause", 20_000),
        termination_terms=optional(form, "termination_terms", 20_000),
        kpis=kpi_rows(form), milestones=milestone_rows(form))


def agreement_update(form: FormData) -> AgreementUpdate:
    return AgreementUpdate(
        plan_id=optional_int(form, "plan_id"), partner_type=optional(form, "partner_type", 60),
        territory=optional(form, "territory", 300) or "",
        starts_on=_required_date(form, "starts_on"), ends_on=_required_date(form, "ends_on"),
        exclusive=checkbox(form, "exclusive"), ip_clause=optional(form, "ip_clause", 20_000),
        termination_terms=optional(form, "termination_terms", 20_000),
        kpis=kpi_rows(form), milestones=milestone_rows(form))


def agreement_values(agreement: Agreement, currency: str) -> FormState:
    values = {
        "partner_id": str(agreement.partner_id), "program_id": str(agreement.program_id),
        "plan_id": str(agreement.plan_id or ""), "partner_type": agreement.partner_type or "",
        "territory": agreement.territory, "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "exclusive": "on" if agreement.exclusive else "",
        "ip_clause": agreement.ip_clause or "",
        "termination_terms": agreement.termination_terms or "",
    }
    for index, kpi in enumerate(agreement.kpis):
        values[f"kpi_metric_{index}"] = kpi.metric
        values[f"kpi_target_{index}"] = _target_text(kpi.metric, kpi.target, currency)
        values[f"kpi_period_{index}"] = kpi.period
    for index, milestone in enumerate(agreement.milestones):
        values[f"ms_title_{index}"] = milestone.title
        values[f"ms_due_{index}"] = milestone.due_on.isoformat()
        if milestone.metric is not None and milestone.target is not None:
            values[f"ms_metric_{index}"] = milestone.metric
            values[f"ms_target_{index}"] = _target_text(milestone.metric, milestone.target,
                                                        currency)
    return FormState(values=values)


def _target_text(metric: str, stored: int, currency: str) -> str:
    value = target_value(metric, stored, currency)
    return f"{value:f}" if is_money(metric) else str(int(value))


def locate(location: tuple[int | str, ...]) -> str:
    """The input of a validation error inside a KPI or milestone row."""
    if len(location) >= 3 and location[0] in ("kpis", "milestones"):
        prefix = "kpi" if location[0] == "kpis" else "ms"
        column = {"metric": "metric", "target": "target", "period": "period",
                  "title": "title", "due_on": "due"}.get(str(location[2]), str(location[2]))
        return f"{prefix}_{column}_{location[1]}"
    return str(location[-1]) if location else ""
