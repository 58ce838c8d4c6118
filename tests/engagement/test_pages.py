"""The cadence pages: my tasks (overdue first) ticked done, the active partners with their
channel managers, a meeting with action items through the form, alerts acknowledged, and
the jobs page for administrators; the partner page's cadence section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qudao.core import clock
from qudao.db.session import Database
from qudao.engagement import inactivity
from qudao.engagement.models import Alert, FollowUpTask, Meeting
from qudao.jobs.queue import enqueue
from qudao.jobs.runner import run_due
from qudao.partners.models import Partner
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners
from tests.web.conftest import Browser, sign_in  # noqa: F401

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SignIn = Callable[..., Browser]


def test_my_tasks_overdue_first_and_ticked_done(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    sign(db, world.partner_a, owner_id=manager)
    page_as = sign_in("mei@example.com")
    with clock.frozen(NOW):
        made = page_as.post("/cadence/meetings", {
            "partner_id": str(world.partner_a), "held_on": "2026-11-24",
            "attendees": "Mei; Tom", "notes": "Pipeline review",
            "item_title_0": "Later item", "item_due_on_0": "2026-12-10",
            "item_title_1": "Overdue item", "item_due_on_1": "2026-11-20"})
        assert made.status_code == 303, made.text
        meeting_url = made.headers["location"]
        page = page_as.get("/cadence")
        assert page.status_code == 200
        text = page.text
        assert text.index("Overdue item") < text.index("Later item")
        assert "Overdue" in text
        with db.unit_of_work(read_only=True) as session:
            overdue = session.scalars(select(FollowUpTask.id).where(
                FollowUpTask.title == "Overdue item")).one()
        ticked = page_as.post(f"/cadence/tasks/{overdue}/done",
                              {"done": "1", "next": "/cadence"})
        assert ticked.status_code == 303
        assert ticked.headers["location"] == "/cadence"
        after = page_as.get("/cadence").text
        assert "Overdue item" not in after
        assert "The task is done." in after
        shown = page_as.get(meeting_url)
        assert "Pipeline review" in shown.text
        assert "Overdue item" in shown.text
        # A hostile "back to" address stays on this site.
        away = page_as.post(f"/cadence/tasks/{overdue}/done",
                            {"done": "0", "next": "//evil.example/x"})
        assert away.headers["location"] == "/cadence"


def test_the_meeting_form_explains_its_errors(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    page_as = sign_in("mei@example.com")
    page_as.use_language("zh-CN")
    with clock.frozen(NOW):
        form = page_as.get(f"/cadence/meetings/new?partner_id={world.partner_b}")
        assert form.status_code == 200
        assert 'value="2026-11-25"' in form.text
        future = page_as.post("/cadence/meetings", {
            "partner_id": str(world.partner_b), "held_on": "2026-11-30",
            "item_title_0": "Call back"})
        untitled = page_as.post("/cadence/meetings", {
            "partner_id": str(world.partner_b), "held_on": "2026-11-20",
            "item_title_0": "", "item_due_on_0": "2026-12-01"})
        no_partner = page_as.post("/cadence/meetings", {"held_on": "2026-11-20"})
    for response, field in ((future, "held_on"), (untitled, "item_title_0"),
                            (no_partner, "partner_id")):
        assert response.status_code == 422
        assert f'id="f-{field}-error"' in response.text, field
    assert "会议纪要只记录已开过的会议" in future.text or "Meeting notes are for" in future.text
    assert 'value="Call back"' in future.text  # what was typed stays
    with db.unit_of_work(read_only=True) as session:
        assert session.scalars(select(Meeting)).all() == []


def test_channel_managers_are_set_on_the_board(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    sign(db, world.partner_a)
    admin = sign_in(world.admin_email)
    board = admin.get("/cadence/partners")
    assert board.status_code == 200
    assert "Alpha Distribution" in board.text
    assert "Beta Agency" not in board.text  # not signed
    saved = admin.post(f"/cadence/partners/{world.partner_a}/manager",
                       {"owner_id": str(manager), "next": "/cadence/partners"})
    assert saved.status_code == 303
    with db.unit_of_work(read_only=True) as session:
        partner = session.get(Partner, world.partner_a)
        assert partner is not None
        assert partner.owner_id == manager
    refused = admin.post(f"/cadence/partners/{world.partner_a}/manager",
                         {"owner_id": str(world.user_a)})
    assert refused.status_code == 422
    assert "The owner must be an active staff user." in refused.text


def test_alerts_page_after_moving_the_clock(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    with clock.frozen(NOW):
        sign(db, world.partner_a, owner_id=manager)
    with clock.frozen(NOW + timedelta(days=31)):
        page_as = sign_in("mei@example.com")  # a session does not last a month
        empty = page_as.get("/cadence/alerts").text
        assert "No open alerts." in empty, empty[empty.index("<main"):]
        with db.unit_of_work() as session:
            inactivity.check(session)
        page = page_as.get("/cadence/alerts").text
        assert "Alpha Distribution signed, then nothing" in page
        partner_page = page_as.get(f"/partners/{world.partner_a}").text
        assert "Alpha Distribution signed, then nothing" in partner_page
        with db.unit_of_work(read_only=True) as session:
            alert_id = session.scalars(select(Alert.id)).one()
        done = page_as.post(f"/cadence/alerts/{alert_id}/resolve")
        assert done.status_code == 303
        assert "No open alerts." in page_as.get("/cadence/alerts").text
        everything = page_as.get("/cadence/alerts?state=all").text
        assert "Acknowledged by" in everything


def test_jobs_page_shows_failures_and_retries(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    from qudao.jobs.models import Job

    with db.unit_of_work() as session:
        job = enqueue(session, "purge_jobs", {})
        assert job is not None
        job.state, job.attempts, job.last_error = "failed", 5, "Traceback…\nOSError: disk full"
        job_id = job.id
    assert sign_in("mei@example.com").get("/cadence/jobs").status_code == 403
    admin = sign_in(world.admin_email)
    page = admin.get("/cadence/jobs").text
    assert "OSError: disk full" in page
    assert "Failed jobs: 1." in page
    retried = admin.post(f"/cadence/jobs/{job_id}/retry")
    assert retried.status_code == 303
    assert run_due(db)[0].ok
    with db.unit_of_work(read_only=True) as session:
        found = session.get(Job, job_id)
        assert found is not None
        assert found.state == "done"


def test_the_partner_page_section(
    db: Database, world: TwoPartners, manager: int, sign_in: SignIn  # noqa: F811
) -> None:
    sign(db, world.partner_a, owner_id=manager)
    page = sign_in(world.admin_email).get(f"/partners/{world.partner_a}")
    assert page.status_code == 200
    assert 'id="cadence"' in page.text
    assert "Add meeting" in page.text
    assert f'/cadence/meetings/new?partner_id={world.partner_a}' in page.text
    assert 'id="referrals"' in page.text  # signed partners show their funnel


def test_partners_see_no_cadence_page(
    world: TwoPartners, sign_in: SignIn  # noqa: F811
) -> None:
    partner = sign_in(world.email_a)
    for path in ("/cadence", "/cadence/partners", "/cadence/meetings", "/cadence/alerts",
                 "/cadence/jobs", "/referrals"):
        assert partner.get(path).status_code == 403, path
