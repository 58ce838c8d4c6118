"""Goals as every surface shows them: the API's shapes with progress, in the reader's
language, and the chart's numbers as rows (the table twin and the CSV read the same rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from qudao.core.i18n import N_, LocaleCode, translate
from qudao.core.tabular import Cell, write_csv
from qudao.goals import progress as progress_module
from qudao.goals.metrics import CATALOGUE, Metric
from qudao.goals.models import Goal
from qudao.goals.progress import (
    STATUS_LABELS,
    Point,
    Progress,
    displayed,
    metric_of,
    target_value,
)
from qudao.goals.schemas import GoalDetail, GoalOut, MetricOut, PointOut, ProgressOut

SERIES_HEADERS = (N_("As of (UTC)"), N_("Actual"), N_("Pace"))


def metric_out(metric: Metric, locale: LocaleCode) -> MetricOut:
    return MetricOut(key=metric.key, label=translate(locale, metric.label),
                     help=translate(locale, metric.help) if metric.help else "",
                     unit=metric.unit, kind=metric.kind, needs_partner=metric.needs_partner,
                     partner_filter=metric.partner_filter)


def catalogue(locale: LocaleCode) -> list[MetricOut]:
    return [metric_out(m, locale) for m in CATALOGUE.values()]


def progress_out(goal: Goal, found: Progress, locale: LocaleCode) -> ProgressOut:
    return ProgressOut(actual=found.actual, target=found.target,
                       pace=displayed(found.pace, metric_of(goal), goal.currency),
                       percent=found.percent, status=found.status,
                       status_label=translate(locale, STATUS_LABELS[found.status]),
                       as_of=found.as_of, days_total=found.days_total,
                       days_left=found.days_left)


def goal_out(
    session: Session, goal: Goal, locale: LocaleCode, now: datetime | None = None
) -> GoalOut:
    metric = metric_of(goal)
    return GoalOut(
        id=goal.id, program_id=goal.program_id, title=goal.title, metric=goal.metric,
        metric_label=translate(locale, metric.label), unit=metric.unit,
        currency=goal.currency, target=target_value(goal), partner_id=goal.partner_id,
        start=goal.start, deadline=goal.deadline, owner_user_id=goal.owner_user_id,
        created_by_user_id=goal.created_by_user_id, archived=goal.archived,
        created_at=goal.created_at, updated_at=goal.updated_at,
        progress=progress_out(goal, progress_module.progress(session, goal, now), locale))


def goal_detail(
    session: Session, goal: Goal, locale: LocaleCode, now: datetime | None = None
) -> GoalDetail:
    base = goal_out(session, goal, locale, now)
    points = progress_module.series(session, goal, now)
    return GoalDetail(**base.model_dump(), series=[
        PointOut(at=p.at, actual=p.actual, pace=p.pace) for p in points])


def series_csv(points: list[Point], locale: LocaleCode) -> bytes:
    """The chart's numbers: the instant read (UTC), the actual value, the pace."""
    headers = [translate(locale, h) for h in SERIES_HEADERS]
    rows: list[list[Cell]] = []
    for point in points:
        rows.append([point.at.strftime("%Y-%m-%d %H:%M"),
                     "" if point.actual is None else format(point.actual, "f"),
                     format(point.pace, "f")])
    return write_csv(headers, rows)
