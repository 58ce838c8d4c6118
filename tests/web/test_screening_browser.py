"""The pipeline board and a candidate's scorecard in a real browser (Debian's chromium), in
English and in Chinese: screenshots for people to look at, English left untranslated on the
Chinese pages, and the evaluation and stage forms used as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.partners import service as partners
from qudao.screening import service as screening
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.candidates import CRITERIA, GUIDE_RATINGS, make_candidate
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    ARTIFACTS,
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1360, "height": 900}


def _pipeline(db: Database) -> dict[str, int]:
    """Candidates spread over the stages, rated by two evaluators."""
    owner = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    ids = {
        "Guide Example": make_candidate(db, "Guide Example", partner_type="distributor",
                                        industry="Consumer goods", employees=1800,
                                        owner_id=owner, region="华东"),
        "Summit Integration": make_candidate(db, "Summit Integration",
                                             partner_type="system_integrator", employees=120),
        "Borderline Trading": make_candidate(db, "Borderline Trading",
                                             partner_type="reseller", employees=35),
        "Northwind Alliance": make_candidate(db, "Northwind Alliance",
                                             partner_type="strategic_alliance"),
    }
    ratings = {"Guide Example": (GUIDE_RATINGS, GUIDE_RATINGS),
               "Summit Integration": ((9, 9, 8, 8), (10, 8, 9, 7)),
               "Borderline Trading": ((6, 6, 7, 7), (7, 6, 6, 6))}
    stages = {"Guide Example": "due_diligence", "Summit Integration": "negotiating",
              "Borderline Trading": "evaluating", "Northwind Alliance": "contacted"}
    with db.unit_of_work() as session:
        for name, pair in ratings.items():
            for email, values in zip(("admin@example.com", "mei@example.com"), pair,
                                     strict=True):
                screening.rate(session, SYSTEM, ids[name], evaluator_email=email,
                               ratings=dict(zip(CRITERIA, values, strict=True)))
        for name, stage in stages.items():
            partners.move_stage(session, SYSTEM, ids[name], stage)
        partners.move_stage(session, SYSTEM, ids["Borderline Trading"], "on_hold",
                            "Score below the threshold")
    return ids


def _element_shot(page: Page, selector: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(Path(ARTIFACTS) / f"{name}.png"))


def _visit(page: Page, language: str, ids: dict[str, int]) -> dict[str, str]:
    """The board, then a candidate reached from its card; the visible text of each."""
    click_through(page, "nav.mainnav a[href='/pipeline']")
    texts = {"board": visible_text(page)}
    shoot(page, f"pipeline-{language}-board")
    click_through(page, f".board-column-due_diligence a[href='/partners/{ids['Guide Example']}']")
    texts["candidate"] = visible_text(page)
    shoot(page, f"pipeline-{language}-candidate")
    _element_shot(page, "#scorecard", f"pipeline-{language}-scorecard")
    return texts


def test_board_and_scorecard_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    ids = _pipeline(db)
    page = browser.new_page(viewport=VIEWPORT, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    english = _visit(page, "en", ids)
    for column in ("Sourced", "Due diligence", "Negotiating", "On hold"):
        assert column in english["board"]
    summit = page  # the candidate page of Guide Example is open now
    assert summit.locator("#scorecard .score-big").inner_text() == "7.5"
    assert "Passes" in summit.inner_text("#scorecard")
    assert "May lack focus; prefer a mid-size partner." in english["candidate"]

    # A third evaluator rates through the form; the scorecard counts the mean.
    summit.select_option("#rate-evaluator", "mei@example.com")
    for key, value in zip(CRITERIA, (5, 5, 5, 5), strict=True):
        summit.fill(f"#rate-rating_{key}", str(value))
    click_through(summit, "form[action$='/evaluations'] button[type=submit]")
    assert "The evaluation was saved" in visible_text(summit)
    # admin 8,7,9,6 and mei 5,5,5,5: means 6.5, 6, 7, 5.5 → 6.25 → 6.3, excluded.
    assert summit.locator("#scorecard .score-big").inner_text() == "6.3"
    assert "score 6.3 < 7.0" in summit.inner_text("#scorecard")

    click_through(page, "button[value='zh-CN']")
    chinese = _visit(page, "zh", ids)
    for where in ("board", "candidate"):
        left = untranslated(english[where], chinese[where])
        assert not left, f"{where}: English left on the Chinese page: {left}"
    assert "尽职调查" in chinese["board"]
    assert "已搁置" in chinese["board"]
    assert "得分 6.3 < 7.0" in chinese["candidate"]
    assert "市场覆盖" in chinese["candidate"]

    # Signing is refused while checks are open; the reason is on the page, in Chinese.
    page.select_option("#stage-stage", "signed")
    click_through(page, "form[action$='/stage'] button[type=submit]")
    message = page.inner_text("#stage-stage-error")
    assert message.startswith("必需的尽职调查项完成前不能签约：")
    _element_shot(page, "#stage", "pipeline-zh-signing-refused")
