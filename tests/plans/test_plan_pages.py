"""The commission plan pages (HTTP): the program's plans said in words, the form with tier
rows and each fault at its row, a plan's page, deactivation."""

from __future__ import annotations

import re
from collections.abc import Callable

from qudao.db.session import Database
from qudao.programs.models import CommissionPlan
from tests.fixtures.accounts import TwoPartners
from tests.goals.builders import make_program
from tests.web.conftest import Browser, count

GUIDE_FORM = {"name": "Guide tiers", "kind": "tiered", "threshold_0": "0", "rate_0": "15%",
              "threshold_1": "100000", "rate_1": "20%", "threshold_2": "", "rate_2": "",
              "tier_mode": "whole", "boundary": "inclusive", "rounding_mode": "half_up",
              "rounding_level": "line", "period": "month", "currency": "CNY",
              "min_payout": "", "cap": "", "excluded_skus": "", "flat_rate": "99"}


def test_no_program_no_plans(world: TwoPartners, sign_in: Callable[..., Browser]) -> None:
    page = sign_in(world.admin_email).get("/program/plans")
    assert page.status_code == 200
    assert "Set up the program first." in page.text
    assert 'action="/program/plans"' not in page.text


def test_the_guides_plan_through_the_form(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_program(db)
    admin = sign_in(world.admin_email)
    page = admin.get("/program/plans")
    assert "No commission plans yet." in page.text
    assert page.text.count('name="threshold_') == 3
    # A tiered plan ignores the flat-rate input; rows 0 and 1 hold the guide's tiers.
    created = admin.post("/program/plans", GUIDE_FORM)
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    plan = admin.get(url).text
    for line in ("Below CN¥100,000.00: 15%", "From CN¥100,000.00: 20%",
                 "The rate reached applies to the whole period volume."):
        assert f"<li>{line}</li>" in plan
    assert 'value="100000.00"' in plan
    assert 'value="20%"' in plan
    listed = admin.get("/program/plans").text
    assert "Guide tiers" in listed
    assert "<li>From CN¥100,000.00: 20%</li>" in listed

    inactive = admin.post(f"{url}/active", {"active": "false"}, follow=True)
    assert "The plan is inactive" in inactive.text
    assert "Inactive" in inactive.text
    assert admin.post(f"{url}/active", {"active": "true"}, follow=True).status_code == 200


def test_each_fault_shows_at_its_row(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_program(db)
    admin = sign_in(world.admin_email)
    # Row 2 empty, row 3 used: the service's second tier is the form's row 3.
    form = {**GUIDE_FORM, "threshold_1": "", "rate_1": "", "threshold_3": "0",
            "rate_3": "20%"}
    refused = admin.post("/program/plans", form)
    assert refused.status_code == 422
    assert re.search(r'id="plan-threshold_3-error">Each tier starts above the one before',
                     refused.text)
    assert 'name="threshold_3" value="0"' in refused.text
    missing_rate = admin.post("/program/plans", {**GUIDE_FORM, "rate_1": ""})
    assert 'id="plan-rate_1-error">Fill in this field.' in missing_rate.text
    flat = admin.post("/program/plans", {**GUIDE_FORM, "kind": "flat", "flat_rate": ""})
    assert 'id="plan-flat_rate-error">A flat plan needs its rate.' in flat.text
    assert count(db, CommissionPlan) == 0
    url = admin.post("/program/plans", {**GUIDE_FORM, "kind": "flat", "flat_rate": "8%"}
                     ).headers["location"]
    edited = admin.post(url, {**GUIDE_FORM, "name": "Guide tiers", "boundary": "exclusive"},
                        follow=True)
    assert "<li>Up to CN¥100,000.00: 15%</li>" in edited.text
