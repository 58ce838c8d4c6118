"""Screening in the staff app: evaluations through the candidate page and the scorecard they
make, the due-diligence checklist, the ranking and shortlist, the rubric editor, the
tracking table, and who may do what."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import openpyxl

from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.candidates import (
    CRITERIA,
    GUIDE_RATINGS,
    make_candidate,
    rating_form,
    stage_of,
    written,
)
from tests.web.conftest import Browser

# Two evaluators × three candidates, and the weighted totals (30/30/20/20) they make.
RATINGS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "Guide Example": (GUIDE_RATINGS, GUIDE_RATINGS),  # 7.5: the guide's own table
    "Borderline Trading": ((6, 6, 7, 7), (7, 6, 6, 6)),  # 6.35 → 6.4, excluded
    "Summit Integration": ((9, 9, 8, 8), (10, 8, 9, 7)),  # 8.6
}
TOTALS = {"Guide Example": "7.5", "Borderline Trading": "6.4", "Summit Integration": "8.6"}
TRACKING_ZH = ["候选伙伴", "市场覆盖", "资源匹配", "声誉", "文化契合", "总分", "备注"]
TRACKING_EN = ["Candidate", "Market coverage", "Resource match", "Reputation", "Culture fit",
               "Total", "Notes"]


def _total(html: str) -> str:
    found = re.search(r'<span class="score-big">([^<]+)</span>', html)
    assert found, "the scorecard shows no total"
    return found.group(1)


def test_two_evaluators_rate_three_candidates_and_the_pages_add_up(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_user(db, "ana@example.com", Role.CHANNEL_MANAGER)
    ids = {name: make_candidate(db, name, notes=f"{name} notes") for name in RATINGS}
    admin, ana = sign_in(world.admin_email), sign_in("ana@example.com")
    for name, (first, second) in RATINGS.items():
        url = f"/partners/{ids[name]}/evaluations"
        assert admin.post(url, rating_form(world.admin_email, first)).status_code == 303
        assert ana.post(url, rating_form("ana@example.com", second, "Met them twice")
                        ).status_code == 303

    for name, total in TOTALS.items():
        page = admin.get(f"/partners/{ids[name]}").text
        assert _total(page) == total, name
        assert page.count('<th scope="row">admin@example.com</th>') == 1
        assert page.count('<th scope="row">ana@example.com</th>') == 1
        assert "Rubric version 1" in page
    guide = admin.get(f"/partners/{ids['Guide Example']}").text
    assert "Passes" in guide
    assert "Threshold 7.0" in guide
    assert re.search(r"Market coverage</th><td class=\"num\">30%</td>\s*"
                     r"<td class=\"num\">8.00</td><td class=\"num\">2</td>\s*"
                     r"<td class=\"num\">2.40</td>", guide)
    assert 'value="8"' in guide  # the reader's own ratings fill the form again
    borderline = admin.get(f"/partners/{ids['Borderline Trading']}").text
    assert "Excluded" in borderline
    assert "score 6.4 &lt; 7.0" in borderline
    assert "Met them twice" in borderline

    screening = admin.get("/screening").text
    ranking = screening[screening.index('id="ranking"'):]
    order = [ranking.index(name) for name in ("Summit Integration", "Guide Example",
                                              "Borderline Trading")]
    assert order == sorted(order)
    shortlist = screening[screening.index('id="shortlist"'):screening.index('id="ranking"')]
    assert "Summit Integration" in shortlist
    assert "Guide Example" in shortlist
    assert "Borderline Trading" not in shortlist

    board = admin.get("/pipeline").text
    assert all(f'<span class="score-total">{t}</span>' in board for t in TOTALS.values())

    admin.use_language("zh-CN")
    chinese = admin.get(f"/partners/{ids['Borderline Trading']}").text
    assert "已淘汰" in chinese
    assert "得分 6.4 &lt; 7.0" in chinese
    assert "市场覆盖" in chinese
    assert "评分卡" in chinese

    for lang, headers in (("zh-CN", TRACKING_ZH), ("en", TRACKING_EN)):
        download = admin.get(f"/screening/tracking-table.xlsx?lang={lang}")
        assert download.status_code == 200
        assert "attachment" in download.headers["content-disposition"]
        rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
                    .iter_rows(values_only=True))
        assert list(rows[0]) == headers
        assert [r[0] for r in rows[1:]] == ["Summit Integration", "Guide Example",
                                            "Borderline Trading"]
        assert rows[2][1:6] == (8, 7, 9, 6, 7.5)
        assert rows[2][6] == "Guide Example notes"


def test_evaluation_form_errors_are_shown_at_the_field_and_write_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    url = f"/partners/{world.partner_a}/evaluations"
    before = written(db)
    too_high = admin.post(url, rating_form(world.admin_email, (11, 7, 9, 6)))
    assert too_high.status_code == 422
    assert 'id="rate-rating_market_coverage-error"' in too_high.text
    assert "rate on a scale of 0 to 10" in too_high.text
    assert 'value="11"' in too_high.text
    missing = rating_form(world.admin_email, GUIDE_RATINGS)
    missing["rating_culture_fit"] = ""
    incomplete = admin.post(url, missing)
    assert incomplete.status_code == 422
    assert "Rate every criterion; missing: culture_fit." in incomplete.text
    stranger = admin.post(url, rating_form(world.email_a, GUIDE_RATINGS))
    assert stranger.status_code == 422
    assert 'id="rate-evaluator-error"' in stranger.text
    assert written(db) == before


def test_the_due_diligence_checklist_is_kept_on_the_page_and_opens_the_gate(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    candidate = make_candidate(db, "Epsilon Partners", employees=2400)
    url = f"/partners/{candidate}"
    admin = sign_in(world.admin_email)
    page = admin.get(url).text
    assert "5 required checks open" in page
    assert "How do you handle innovation projects?" in page
    assert "May lack focus; prefer a mid-size partner." in page
    assert page.count(f'action="/partners/{candidate}/diligence/') == 6

    before = written(db)
    no_evidence = admin.post(f"{url}/diligence/credit_rating", {"status": "done"})
    assert no_evidence.status_code == 422
    assert 'id="check-credit_rating-evidence-error"' in no_evidence.text
    waived = admin.post(f"{url}/diligence/references", {"status": "waived"})
    assert waived.status_code == 422
    assert "A required check cannot be waived." in waived.text
    bad_date = admin.post(f"{url}/diligence/references",
                          {"status": "done", "evidence": "x", "checked_on": "31/12/2025"})
    assert bad_date.status_code == 422
    assert "YYYY-MM-DD" in bad_date.text
    unanswered = admin.post(f"{url}/diligence/culture_interview", {"status": "done"})
    assert 'id="check-culture_interview-answer-error"' in unanswered.text
    # The GETs above drew the checklist from the template but wrote nothing.
    assert written(db) == before

    evidence = {"credit_rating": "D&B rating 2A1", "financial_statements": "2024 audit",
                "company_size": "Two business units; dedicated channel team",
                "references": "Called two customers"}
    for key, text in evidence.items():
        saved = admin.post(f"{url}/diligence/{key}",
                           {"status": "done", "evidence": text, "checked_on": "2025-03-04"})
        assert saved.status_code == 303, saved.text[-500:]
    answered = admin.post(f"{url}/diligence/culture_interview", {
        "status": "done", "answer": "A small team with its own budget pilots each idea."})
    assert answered.status_code == 303
    added = admin.post(f"{url}/diligence", {"label": "Visit the warehouse",
                                            "category": "custom", "required": "on"})
    assert added.status_code == 303
    page = admin.get(url).text
    assert "1 required check open" in page
    assert "Visit the warehouse" in page
    assert "Answer: A small team with its own budget pilots each idea." in page
    assert "Evidence: D&amp;B rating 2A1" in page
    assert "Mar 4, 2025" in page

    assert admin.post(f"{url}/stage", {"stage": "signed"}).status_code == 409
    assert admin.post(f"{url}/diligence/custom_7", {"status": "done",
                                                    "evidence": "Visited"}).status_code == 303
    assert "Required checks done" in admin.get(url).text
    assert admin.post(f"{url}/stage", {"stage": "signed"}).status_code == 303
    assert stage_of(db, candidate) == "signed"


def test_the_rubric_editor_makes_a_new_version_and_explains_refusals(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/screening")
    assert page.status_code == 200
    assert 'value="market_coverage"' in page.text
    assert 'value="30"' in page.text
    form = {"threshold": "7", "shortlist_size": "3", "large_company_employees": "800",
            "name": ""}
    weights = ("40", "30", "20", "20")
    labels = (("Market coverage", "市场覆盖"), ("Resource match", "资源匹配"),
              ("Reputation", "声誉"), ("Culture fit", "文化契合"))
    for i, (key, weight, (en, zh)) in enumerate(zip(CRITERIA, weights, labels, strict=True)):
        form |= {f"key_{i}": key, f"label_en_{i}": en, f"label_zh_{i}": zh,
                 f"weight_{i}": weight}
    before = written(db)
    refused = admin.post("/screening/rubric", form)
    assert refused.status_code == 422
    assert 'id="rubric-weights-error"' in refused.text
    assert "The weights must sum to 100%; they sum to 110%." in refused.text
    assert 'value="40"' in refused.text
    unnamed = admin.post("/screening/rubric", {**form, "weight_0": "30", "label_zh_2": ""})
    assert unnamed.status_code == 422
    assert 'id="rubric-label_zh_2-error"' in unnamed.text
    assert written(db) == before

    # Criteria may be added in the spare rows, and removed by emptying theirs.
    saved = admin.post("/screening/rubric", {
        **form, "weight_0": "25", "weight_1": "25", "key_4": "service_quality",
        "label_en_4": "Service quality", "label_zh_4": "服务质量", "weight_4": "10"})
    assert saved.status_code == 303
    page = admin.get("/screening").text
    assert "Service quality" in page
    assert "Version 2" in page
    assert "In use" in page
    assert "The rubric was saved as a new version." in page
    admin.use_language("zh-CN")
    assert "服务质量" in admin.get("/screening").text

    make_user(db, "reader@example.com", Role.ANALYST)
    analyst = sign_in("reader@example.com")
    read_only = analyst.get("/screening").text
    assert 'action="/screening/rubric"' not in read_only
    assert analyst.post("/screening/rubric", form | {"weight_0": "30"}).status_code == 403
    candidate = analyst.get(f"/partners/{world.partner_a}").text
    assert 'method="post"' not in candidate.split("<main", 1)[1].split("</main>")[0]
    assert analyst.post(f"/partners/{world.partner_a}/evaluations",
                        rating_form("reader@example.com", GUIDE_RATINGS)).status_code == 403
