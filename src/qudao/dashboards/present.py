"""The staff dashboard as its surfaces show it: each chart's spec, its table twin and its
CSV (the same rows: the table formats them for the reader, the CSV keeps plain numbers),
in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from babel import dates, numbers

from qudao.core.i18n import N_, Translator
from qudao.core.money import from_minor, money_context
from qudao.core.tabular import Cell, write_csv
from qudao.dashboards.concentration import LEVEL_LABELS
from qudao.dashboards.schemas import (
    CommissionOut,
    ConcentrationOut,
    GoalProgressOut,
    MonthOut,
    PartnerRevenueOut,
    StaffDashboardOut,
    StageOut,
)
from qudao.dashboards.staff import StaffDashboard
from qudao.deals.service import STAGE_LABELS
from qudao.goals.progress import STATUS_LABELS, metric_of

ChartKey = Literal["revenue", "partners", "share", "stages", "goals"]
CHART_KEYS: tuple[ChartKey, ...] = ("revenue", "partners", "share", "stages", "goals")
OTHERS = N_("Others")
PERCENT_PLACES = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # an N_() message id
    kind: Literal["label", "month", "money", "count", "percent", "text"]


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: what to draw, and its rows as plain values (the CSV) that the table
    formats for the reader."""

    key: ChartKey
    title: str
    spec: dict[str, Any]
    columns: list[Column]
    rows: list[list[Cell]]
    note: str | None = None
    # The table's cells when a column mixes units (goals in money and in counts).
    shown: list[list[str]] | None = None

    def headers(self, t: Translator) -> list[str]:
        return [t.gettext(c.header) for c in self.columns]

    def table(self, t: Translator, currency: str) -> dict[str, Any]:
        if self.shown is not None:
            return {"headers": self.headers(t), "rows": self.shown}
        shown = [[_cell(value, column.kind, t, currency)
                  for value, column in zip(row, self.columns, strict=True)]
                 for row in self.rows]
        return {"headers": self.headers(t), "rows": shown}

    def csv(self, t: Translator) -> bytes:
        return write_csv(self.headers(t), self.rows)


def _cell(value: Cell, kind: str, t: Translator, currency: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "money":
        return t.money(Decimal(str(value)), currency)
    if kind == "count":
        return t.number(int(str(value)))
    if kind == "month":  # YYYY-MM in the CSV, the month's name in the table
        text = str(value)
        return month_label(t, date(int(text[:4]), int(text[5:7]), 1))
    if kind == "percent":
        with money_context():
            return t.percent(Decimal(str(value)) / 100)
    return str(value)


def month_label(t: Translator, month: date) -> str:
    """"Sep 2011" / "2011年9月"."""
    return str(dates.format_skeleton("yMMM", month, locale=t.babel_locale))


def percent(value: Decimal) -> Decimal:
    with money_context():
        return value.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def whole(t: Translator, minor: int, currency: str) -> str:
    """An amount in whole units of its currency (rounded half up), for a tile."""
    with money_context():
        units = from_minor(minor, currency).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(numbers.format_currency(units, currency, format="¤#,##0", currency_digits=False,
                                       locale=t.babel_locale))


def _amount(minor: int, currency: str) -> Decimal:
    return from_minor(minor, currency)


def _money_format(currency: str) -> dict[str, Any]:
    return {"style": "currency", "currency": currency, "digits": 0}


def revenue_chart(d: StaffDashboard, t: Translator) -> Chart:
    cur = d.currency
    direct = dict(d.direct)
    rows: list[list[Cell]] = [
        [m.month.strftime("%Y-%m"), _amount(m.sales_minor, cur), _amount(m.refunds_minor, cur),
         _amount(m.net_minor, cur), _amount(direct.get(m.month, 0), cur)] for m in d.revenue]
    spec = {
        "type": "bar", "x": "category", "format": _money_format(cur),
        "categories": [month_label(t, m.month) for m in d.revenue],
        "series": [
            {"name": t.gettext(N_("Channel revenue")),
             "data": [format(r[3], "f") for r in rows]},
            {"name": t.gettext(N_("Sales credited to no partner")),
             "data": [format(r[4], "f") for r in rows]},
        ],
    }
    columns = [Column(N_("Month"), "month"), Column(N_("Won deals"), "money"),
               Column(N_("Refunds"), "money"), Column(N_("Channel revenue"), "money"),
               Column(N_("Sales credited to no partner"), "money")]
    return Chart("revenue", t.gettext(N_("Channel revenue by month")), spec, columns, rows,
                 note=t.gettext(N_("Channel revenue is the won deals closed in the month less "
                                   "the refunds that occurred in it. Sales credited to no "
                                   "partner are shown beside it, never added to it.")))


def _shown_rows(d: StaffDashboard, t: Translator) -> list[tuple[str, int]]:
    rows = [(p.name, p.net_minor) for p in d.top_partners]
    if d.others_count:
        rows.append((t.gettext(OTHERS) + f" ({t.number(d.others_count)})", d.others_minor))
    return rows


def partners_chart(d: StaffDashboard, t: Translator) -> Chart:
    cur = d.currency
    named = _shown_rows(d, t)
    rows: list[list[Cell]] = [[name, _amount(minor, cur)] for name, minor in named]
    spec = {"type": "bar", "x": "category", "format": _money_format(cur), "rotate": 30,
            "categories": [name for name, _ in named],
            "series": [{"name": t.gettext(N_("Channel revenue")),
                        "data": [format(r[1], "f") for r in rows]}]}
    return Chart("partners", t.gettext(N_("Channel revenue by partner")), spec,
                 [Column(N_("Partner"), "label"), Column(N_("Channel revenue"), "money")],
                 rows, note=t.gettext(N_("The %(n)s largest partners of the window; the rest "
                                         "together as others."), n=len(d.top_partners)))


def share_chart(d: StaffDashboard, t: Translator) -> Chart:
    c = d.concentration
    top = c.shares[:len(d.top_partners)] if d.top_partners else c.shares[:8]
    rest = c.shares[len(top):]
    named: list[tuple[str, Decimal, int]] = [(s.name, s.percent, s.net_minor) for s in top]
    if rest:
        with money_context():
            named.append((t.gettext(OTHERS) + f" ({t.number(len(rest))})",
                          sum((s.percent for s in rest), Decimal(0)),
                          sum(s.net_minor for s in rest)))
    rows: list[list[Cell]] = [[name, percent(share), _amount(minor, d.currency)]
                              for name, share, minor in named]
    with money_context():
        data = [format(percent(share) / 100, "f") for _, share, _ in named]
        limit = format(Decimal(c.threshold_pct) / 100, "f")
    spec = {"type": "bar", "x": "category", "format": {"style": "percent", "digits": 1},
            "rotate": 30, "categories": [name for name, _, _ in named],
            "series": [{"name": t.gettext(N_("Share of channel revenue")), "data": data},
                       {"name": t.gettext(N_("Alert threshold")), "type": "line",
                        "dashed": True, "data": [limit] * len(named)}]}
    title = t.gettext(N_("Share of channel revenue (HHI %(hhi)s)"),
                      hhi=t.number(c.hhi_shown()))
    return Chart("share", title, spec,
                 [Column(N_("Partner"), "label"), Column(N_("Share"), "percent"),
                  Column(N_("Channel revenue"), "money")], rows,
                 note=t.gettext(N_("HHI is the sum of the squared percentage shares: 10,000 "
                                   "when one partner brings everything. %(level)s. The dashed "
                                   "line is the alert threshold (%(pct)s%%)."),
                                level=t.gettext(LEVEL_LABELS[c.level]), pct=c.threshold_pct))


def stages_chart(d: StaffDashboard, t: Translator) -> Chart:
    rows: list[list[Cell]] = [[t.gettext(STAGE_LABELS[s.stage]), s.count,
                               _amount(s.amount_minor, d.currency)] for s in d.stages]
    spec = {"type": "bar", "x": "category", "format": {"style": "decimal", "digits": 0},
            "categories": [str(r[0]) for r in rows],
            "series": [{"name": t.gettext(N_("Deals")), "data": [r[1] for r in rows]}]}
    return Chart("stages", t.gettext(N_("Deals by stage")), spec,
                 [Column(N_("Stage"), "label"), Column(N_("Deals"), "count"),
                  Column(N_("Amount"), "money")], rows,
                 note=t.gettext(N_("Deals registered or closed in the window, by their stage "
                                   "today.")))


def goals_chart(d: StaffDashboard, t: Translator) -> Chart:
    rows: list[list[Cell]] = []
    shown: list[list[str]] = []
    for item in d.goals:
        goal, found = item.goal, item.progress
        label = goal.title or t.gettext(metric_of(goal).label)
        status = t.gettext(STATUS_LABELS[found.status])
        rows.append([label, found.actual, found.target, found.percent, status])
        if metric_of(goal).unit == "money" and goal.currency:
            values = [t.money(found.actual, goal.currency), t.money(found.target, goal.currency)]
        else:
            values = [t.number(found.actual), t.number(found.target)]
        shown.append([label, *values, _cell(found.percent, "percent", t, d.currency), status])
    spec = {"type": "bar", "x": "category", "format": {"style": "percent", "digits": 1},
            "rotate": 20, "categories": [str(r[0]) for r in rows],
            "series": [{"name": t.gettext(N_("Share of the target reached")),
                        "data": [format(Decimal(str(r[3])) / 100, "f") for r in rows]}]}
    return Chart("goals", t.gettext(N_("Goal progress")), spec,
                 [Column(N_("Goal"), "label"), Column(N_("Actual"), "text"),
                  Column(N_("Target"), "text"), Column(N_("Reached"), "percent"),
                  Column(N_("Status"), "text")], rows,
                 note=t.gettext(N_("The program's goals, measured from the data as of today.")),
                 shown=shown)


BUILDERS: dict[ChartKey, Callable[[StaffDashboard, Translator], Chart]] = {
    "revenue": revenue_chart, "partners": partners_chart, "share": share_chart,
    "stages": stages_chart, "goals": goals_chart,
}


def charts(d: StaffDashboard, t: Translator) -> dict[ChartKey, Chart]:
    return {key: BUILDERS[key](d, t) for key in CHART_KEYS}


def dashboard_out(d: StaffDashboard, t: Translator) -> StaffDashboardOut:
    """The whole dashboard for the JSON API: the same figures as the page."""
    cur = d.currency
    c = d.concentration
    shares = {s.partner_id: percent(s.percent) for s in c.shares}
    direct = dict(d.direct)
    partners = [PartnerRevenueOut(partner_id=p.partner_id, name=p.name,
                                  channel_revenue=_amount(p.net_minor, cur),
                                  share_percent=shares.get(p.partner_id))
                for p in d.top_partners]
    if d.others_count:
        top_ids = {p.partner_id for p in d.top_partners}
        with money_context():
            rest = sum((s.percent for s in c.shares if s.partner_id not in top_ids), Decimal(0))
        partners.append(PartnerRevenueOut(
            partner_id=None, name=t.gettext(OTHERS), channel_revenue=_amount(d.others_minor, cur),
            share_percent=percent(rest) if rest else None))
    largest = c.largest
    with money_context():
        hhi = c.hhi.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return StaffDashboardOut(
        program_id=d.program.id, program_name=d.program.name, currency=cur,
        first_month=d.window.first_month.strftime("%Y-%m"),
        last_month=d.window.last_month.strftime("%Y-%m"), months=len(d.window.months),
        channel_revenue=_amount(d.channel_minor, cur),
        credited_to_no_partner=_amount(d.direct_minor, cur),
        active_partners=d.active_partners, signed_partners=d.signed_partners,
        open_deals=d.open_deals,
        commission=CommissionOut(payable=_amount(d.commission.payable_minor, cur),
                                 approved=_amount(d.commission.approved_minor, cur),
                                 draft=_amount(d.commission.draft_minor, cur)),
        revenue_by_month=[MonthOut(month=m.month.strftime("%Y-%m"),
                                   won=_amount(m.sales_minor, cur),
                                   refunds=_amount(m.refunds_minor, cur),
                                   channel_revenue=_amount(m.net_minor, cur),
                                   credited_to_no_partner=_amount(direct.get(m.month, 0), cur))
                          for m in d.revenue],
        revenue_by_partner=partners,
        deals_by_stage=[StageOut(stage=s.stage, label=t.gettext(STAGE_LABELS[s.stage]),
                                 count=s.count, amount=_amount(s.amount_minor, cur))
                        for s in d.stages],
        goals=[GoalProgressOut(goal_id=g.goal.id,
                               title=g.goal.title or t.gettext(metric_of(g.goal).label),
                               metric=g.goal.metric, actual=g.progress.actual,
                               target=g.progress.target, percent=g.progress.percent,
                               status=g.progress.status,
                               status_label=t.gettext(STATUS_LABELS[g.progress.status]))
               for g in d.goals],
        concentration=ConcentrationOut(
            hhi=hhi, level=c.level, level_label=t.gettext(LEVEL_LABELS[c.level]),
            largest_partner_id=largest.partner_id if largest else None,
            largest_share_percent=percent(largest.percent) if largest else None,
            alert_threshold_percent=c.threshold_pct, alert=c.alert),
    )
