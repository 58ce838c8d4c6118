"""``qudao demo`` loads a living program: set up as the guide's section 1 says, with signed
agreements, deals over four months, a refused registration, referral traffic, a meeting,
this week's follow-ups and an alert; and a second run changes nothing at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.agreements import present
from qudao.agreements.models import Agreement
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.deals.models import Deal, DealConflict, DealLine
from qudao.demo import program as demo_program
from qudao.demo.deals import DEALS
from qudao.documents import fonts
from qudao.documents.models import GeneratedDocument
from qudao.engagement.models import Alert, FollowUpTask, Meeting
from qudao.goals import progress
from qudao.goals.models import Goal
from qudao.partners.models import Partner
from qudao.programs import value_proposition
from qudao.programs.models import CommissionPlan, Product, Program, ValueProposition
from qudao.referrals.models import ReferralEvent
from tests.demo.conftest import load_demo
from tests.fixtures.security import snapshot


def _count(session: Session, model: type, *where: object) -> int:
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    return int(session.scalar(query) or 0)


def _partner(session: Session, name: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.name == name))
    assert partner is not None
    return partner


def test_the_program_is_set_up_as_the_guide_says(demo: Database) -> None:
    with demo.unit_of_work(read_only=True) as session:
        (program,) = session.scalars(select(Program)).all()
        assert (program.name, program.currency, program.default_locale) == (
            demo_program.PROGRAM_NAME, "CNY", "zh-CN")
        assert all((program.company_profile, program.industry, program.exit_terms,
                    program.support_training, program.support_marketing))
        assert program.mdf_budget_minor == 5_000_000
        versions = value_proposition.versions(session, SYSTEM, program.id)
        assert [v.version for v in versions] == [2, 1]
        first = value_proposition.content_of(versions[1])
        (benefit,) = first.benefits
        assert (benefit.claim, benefit.value, benefit.unit) == ("节省20%物流成本",
                                                                Decimal(20), "%")
        assert benefit.evidence
        assert all((first.pains, first.usp, first.features, first.segments,
                    first.competitors, first.swot.strengths, first.swot.weaknesses,
                    first.swot.opportunities, first.swot.threats))
        second = value_proposition.content_of(versions[0])
        assert second != first
        assert set(first.features) < set(second.features)
        assert _count(session, Product) == len(demo_program.PRODUCTS)
        plans = {p.name: p for p in session.scalars(select(CommissionPlan))}
        tiered = plans[demo_program.TIERED_PLAN]
        assert [(t.threshold_minor, t.rate) for t in tiered.tiers] == [
            (0, Decimal("0.15")), (10_000_000, Decimal("0.2"))]
        assert (tiered.kind, tiered.tier_mode, tiered.boundary, tiered.rounding_mode,
                tiered.rounding_level, tiered.period) == (
            "tiered", "whole", "inclusive", "half_up", "line", "month")
        flat = plans[demo_program.FLAT_PLAN]
        assert (flat.kind, flat.flat_rate) == ("flat", Decimal("0.1"))


def test_goals_and_kpis_show_real_progress(demo: Database) -> None:
    with demo.unit_of_work(read_only=True) as session:
        goals = {g.title: g for g in session.scalars(select(Goal))}
        customers = goals[demo_program.CUSTOMERS_GOAL]
        assert (customers.metric, customers.target, customers.start) == (
            "new_customers", 100, clock.now().date())
        # Six months: 181 to 184 days, whatever the month the demo starts in.
        assert 181 <= (customers.deadline - customers.start).days <= 184
        assert progress.progress(session, customers).actual >= 1
        revenue = progress.progress(session, goals[demo_program.REVENUE_GOAL])
        won = session.scalar(select(func.sum(Deal.amount_minor)).where(Deal.stage == "won"))
        assert revenue.actual == Decimal(won) / 100
        assert revenue.status in ("on_track", "at_risk")
        northwind = session.scalar(select(Agreement).join(Partner).where(
            Partner.name == "Northwind Distribution"))
        assert northwind is not None
        actuals = {kpi.kpi.metric: kpi.actual
                   for kpi in present.kpis(session, northwind, clock.now().date())}
        assert actuals["channel_revenue"] > 0
        assert actuals["new_customers"] >= 1


def test_partners_are_signed_onboarded_and_selling(demo: Database) -> None:
    with demo.unit_of_work(read_only=True) as session:
        agreements = list(session.scalars(select(Agreement)))
        assert len(agreements) == 2
        for agreement in agreements:
            assert agreement.state == "signed"
            assert (agreement.ends_on - agreement.starts_on).days in (364, 365)
            assert len(agreement.kpis) == 2
            assert len(agreement.milestones) == 2
            document = session.get(GeneratedDocument, agreement.document_id)
            assert document is not None
            assert (document.kind, document.format, document.locale) == (
                "agreement", "pdf", "zh-CN")
            assert document.content.startswith(b"%PDF")
        stages = dict(session.execute(select(Deal.stage, func.count()).group_by(Deal.stage))
                      .all())
        assert stages == {"registered": 2, "approved": 2, "won": 5, "lost": 1}
        won = session.scalars(select(Deal).where(Deal.stage == "won")).all()
        for deal in won:
            lines = [line for line in deal.lines if line.kind == "won"]
            assert lines
            assert deal.amount_minor == sum(line.amount_minor or 0 for line in lines)
        lost = session.scalar(select(Deal).where(Deal.stage == "lost"))
        assert lost is not None
        assert lost.stage_reason
        created = [clock.as_utc(d.created_at) for d in session.scalars(select(Deal))]
        assert (max(created) - min(created)).days >= 100
        (conflict,) = session.scalars(select(DealConflict)).all()
        holder = session.get(Deal, conflict.holder_deal_id)
        assert holder is not None
        assert conflict.claimant_partner_id != holder.partner_id
        assert _count(session, ReferralEvent) > 0
        assert _count(session, Meeting) == 1
        kinds = dict(session.execute(select(FollowUpTask.kind, func.count())
                                     .group_by(FollowUpTask.kind)).all())
        assert kinds == {"weekly": 2, "action_item": 3}
        alerts = session.scalars(select(Alert).where(Alert.resolved_at.is_(None))).all()
        assert [a.kind for a in alerts] == ["protection_expired"]


def test_a_second_run_changes_nothing(demo: Database, settings: Settings) -> None:
    before = snapshot(demo, skip=frozenset())
    load_demo(demo, settings)
    assert snapshot(demo, skip=frozenset()) == before


def test_without_a_chinese_font_the_contracts_are_docx_until_one_is_installed(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(fonts, "cjk_font_installed", lambda: False)
        load_demo(db, settings)
    assert capsys.readouterr().out == ""
    with db.unit_of_work(read_only=True) as session:
        assert {a.state for a in session.scalars(select(Agreement))} == {"draft"}
        documents = session.scalars(select(GeneratedDocument)).all()
        assert sorted((d.kind, d.format) for d in documents) == [("agreement", "docx")] * 2
        assert _count(session, Deal) == len(DEALS)
        assert _count(session, DealLine, DealLine.kind == "won") > 0
    # Once a font is there, the next run signs the drafts.
    load_demo(db, settings)
    with db.unit_of_work(read_only=True) as session:
        assert {a.state for a in session.scalars(select(Agreement))} == {"signed"}
        assert _count(session, ValueProposition) == 2
