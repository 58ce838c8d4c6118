"""The staff pages of agreements, the invitation link page and the portal's onboarding page,
through real HTTP: forms, refusals with their reason, and tenancy."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select

from qudao.accounts.models import User
from qudao.accounts.roles import Role
from qudao.agreements.models import Agreement, OnboardingItem
from qudao.core import clock
from qudao.db.session import Database
from tests.agreements.builders import complete_diligence, make_program, signed, utc
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.conftest import Browser

LINK = re.compile(r'id="invitation-link">(http://testserver/invite/[^<]+)<')


def _new_form(partner: int, program: int, plan: int) -> dict[str, str]:
    return {"partner_id": str(partner), "program_id": str(program), "plan_id": str(plan),
            "territory": "East China", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "exclusive": "on", "partner_type": "distributor", "kpi_metric_0": "channel_revenue",
            "kpi_target_0": "100,000.00", "kpi_period_0": "quarter",
            "ms_title_0": "Kick-off", "ms_due_0": "2026-02-01"}


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_draft_sign_blocked_then_signed_and_onboarding_on_the_staff_pages(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,
) -> None:
    staff = sign_in(world.admin_email)
    program, plan = make_program(db)
    clock.freeze(utc(2025, 12, 20))
    new = staff.get(f"/agreements/new?partner_id={world.partner_a}")
    assert new.status_code == 200
    assert f'<option value="{world.partner_a}" selected>' in new.text
    bad = staff.post("/agreements", {**_new_form(world.partner_a, program, plan),
                                     "ends_on": "2025-06-01"})
    assert bad.status_code == 422
    assert "The agreement must end after it starts." in bad.text
    assert _count(db, Agreement) == 0
    made = staff.post("/agreements", _new_form(world.partner_a, program, plan))
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = staff.get(url)
    assert "The agreement was drafted." in page.text
    assert "Kick-off" in page.text
    assert "East China" in page.text
    assert "<dd>Distributor</dd>" in page.text  # the type's label, not its code
    assert "Signing waits for the partner&#39;s required due-diligence checks" in page.text

    blocked = staff.post(f"{url}/sign", {"reason": ""})
    assert blocked.status_code == 409
    assert "Signing is blocked until the required due-diligence checks are done" in \
        blocked.text
    assert _count(db, OnboardingItem) == 0

    complete_diligence(db, world.partner_a)
    done = staff.post(f"{url}/sign", {"reason": "Kick-off meeting"})
    assert done.status_code == 303
    page = staff.get(url)
    assert "The agreement was signed." in page.text
    assert "Training done" in page.text
    assert '<progress max="6" value="2"' in page.text  # the key and the user exist
    assert "Download the signed contract (PDF)" in page.text
    assert staff.get(f"{url}/contract").content.startswith(b"%PDF")

    step = staff.post(f"{url}/onboarding/training", {"done_sent": "1", "done": "on",
                                                     "due_on": "2026-01-05"})
    assert step.status_code == 303
    assert '<progress max="6" value="3"' in staff.get(url).text
    wrong = staff.post(f"{url}/onboarding/materials", {"done_sent": "1",
                                                       "due_on": "yesterday"})
    assert wrong.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in wrong.text

    refused = staff.post(f"{url}/renew", {"until": "2027-12-31"})
    assert refused.status_code == 409
    assert "A signed agreement is renewed once it is active: activate it first." in \
        refused.text
    copy = staff.post(f"{url}/contract", {"format": "docx", "locale": "zh-CN"})
    assert copy.status_code == 200
    assert copy.headers["content-disposition"].endswith('.docx"')

    listed = staff.get("/agreements")
    assert "Alpha Distribution" in listed.text
    assert "Signed" in listed.text
    partner_page = staff.get(f"/partners/{world.partner_a}")
    assert f'href="/agreements/{url.rsplit("/", 1)[1]}"' in partner_page.text
    assert "Invite the partner&#39;s people" in partner_page.text


def test_an_invitation_from_the_agreement_page_opens_the_portal(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database, app: object,
) -> None:
    from fastapi.testclient import TestClient

    clock.freeze(utc(2026, 1, 5))
    agreement_id = signed(db, world.partner_b)
    staff = sign_in(world.admin_email)
    issued = staff.post(f"/agreements/{agreement_id}/invitations",
                        {"email": "Zoe@Beta.example", "role": "partner_member"})
    assert issued.status_code == 201
    assert "qudao does not send e-mail" in issued.text
    link = LINK.search(issued.text)
    assert link, "the page shows no link"
    path = link.group(1).removeprefix("http://testserver")
    assert link.group(1) not in staff.get(f"/agreements/{agreement_id}").text

    with TestClient(app, base_url="http://testserver") as visitor:  # type: ignore[arg-type]
        form = visitor.get(path)
        assert form.status_code == 200
        assert "Join Beta Agency on qudao" in form.text
        assert "zoe@beta.example" in form.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        mismatch = visitor.post(path, data={"csrf_token": csrf.group(1), "name": "Zoe",
                                            "password": "a long enough password",
                                            "password_again": "another password!"})
        assert mismatch.status_code == 422
        assert "The two passwords are not the same." in mismatch.text
        assert _count(db, User) == 3  # nothing was written
        accepted = visitor.post(path, data={"csrf_token": csrf.group(1), "name": "Zoe",
                                            "password": "a long enough password",
                                            "password_again": "a long enough password"},
                                follow_redirects=False)
        assert accepted.status_code == 303
        assert accepted.headers["location"] == "/login"
        reused = visitor.get(path)
        assert reused.status_code == 410
        assert "already used" in reused.text

    zoe = sign_in("zoe@beta.example", "a long enough password")
    portal = zoe.get("/portal/onboarding")
    assert portal.status_code == 200
    assert "My checklist" in portal.text
    assert "Portal access granted" in portal.text
    assert "East China" in portal.text
    assert "Invite your people" not in portal.text  # a member does not invite
    assert zoe.get("/portal/onboarding/contract").content.startswith(b"%PDF")
    assert zoe.get(f"/agreements/{agreement_id}").status_code == 403


def test_the_portal_shows_only_the_partners_own_agreement(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,
) -> None:
    signed(db, world.partner_b, territory="Beta Land")
    alpha = sign_in(world.email_a)
    page = alpha.get("/portal/onboarding")
    assert page.status_code == 200
    assert "No signed agreement yet." in page.text
    assert "Beta Land" not in page.text
    assert alpha.get("/portal/onboarding/contract").status_code == 404
    # Alpha's administrator invites its own people here.
    issued = alpha.post("/portal/onboarding/invitations", {"email": "new@alpha.example",
                                                          "role": "partner_admin"})
    assert issued.status_code == 201
    assert "/invite/" in issued.text
    beta = sign_in(world.email_b)
    assert "Beta Land" in beta.get("/portal/onboarding").text


def test_staff_invite_from_the_partner_page_without_an_agreement(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database,
) -> None:
    staff = sign_in(world.admin_email)
    partner_page = staff.get(f"/partners/{world.partner_b}")
    assert "No agreement yet." in partner_page.text
    assert f'href="/partners/{world.partner_b}/invitations"' in partner_page.text
    assert f'href="/agreements/new?partner_id={world.partner_b}"' in partner_page.text
    bad = staff.post(f"/partners/{world.partner_b}/invitations", {"email": "not-an-address"})
    assert bad.status_code == 422
    assert "Enter a valid e-mail address" in bad.text
    issued = staff.post(f"/partners/{world.partner_b}/invitations",
                        {"email": "new@beta.example", "role": "partner_admin"})
    assert issued.status_code == 201
    assert LINK.search(issued.text)
    listing = staff.get(f"/partners/{world.partner_b}/invitations")
    assert "new@beta.example" in listing.text
    assert "Waiting for acceptance" in listing.text
    invitation_id = re.search(r'/invitations/(\d+)/revoke', listing.text)
    assert invitation_id
    # Through another partner's address, the invitation does not exist and stays open.
    elsewhere = staff.post(f"/partners/{world.partner_a}/invitations/"
                           f"{invitation_id.group(1)}/revoke")
    assert elsewhere.status_code == 404
    assert "Waiting for acceptance" in staff.get(
        f"/partners/{world.partner_b}/invitations").text
    revoked = staff.post(f"/partners/{world.partner_b}/invitations/"
                         f"{invitation_id.group(1)}/revoke")
    assert revoked.status_code == 303
    assert "Link withdrawn" in staff.get(f"/partners/{world.partner_b}/invitations").text
    make_user(db, "analyst@example.com", Role.ANALYST)
    analyst = sign_in("analyst@example.com")
    assert analyst.get(f"/partners/{world.partner_b}/invitations").status_code == 403
