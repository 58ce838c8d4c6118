"""The value proposition: every save is a new version, a version is never edited, two versions
compare field by field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.accounts.subject import SYSTEM
from qudao.core.errors import Conflict
from qudao.db.session import Database
from qudao.programs import repository, value_proposition, vp_diff
from qudao.programs.models import ValueProposition
from qudao.programs.schemas import ValuePropositionContent
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import snapshot
from tests.programs.guide import GUIDE_VP, PROOF_POINT, make_program, save_vp
from tests.web.conftest import actions


def _url(program_id: int, tail: str = "") -> str:
    return f"/api/v1/programs/{program_id}/value-proposition{tail}"


def test_every_save_is_a_new_version_and_old_ones_stay(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    program_id = make_program(db)
    assert api.get(_url(program_id), headers=staff).status_code == 404
    first = api.post(_url(program_id), headers=staff,
                     json={"content": GUIDE_VP, "note": "第一版"})
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    assert first.json()["content"]["benefits"][0] == {
        "claim": PROOF_POINT, "value": "20", "unit": "%",
        "evidence": GUIDE_VP["benefits"][0]["evidence"]}
    with db.unit_of_work(read_only=True) as session:
        stored_v1 = session.scalar(select(ValueProposition.content_json))
    changed = {**GUIDE_VP, "usp": "AI驱动的预测分析"}
    second = api.post(_url(program_id), headers=staff, json={"content": changed})
    assert second.json()["version"] == 2
    assert api.get(_url(program_id), headers=staff).json()["content"]["usp"] == "AI驱动的预测分析"
    old = api.get(_url(program_id, "/versions/1"), headers=staff).json()
    assert old["content"]["usp"] == GUIDE_VP["usp"]
    assert old["note"] == "第一版"
    with db.unit_of_work(read_only=True) as session:
        rows = session.scalars(select(ValueProposition).order_by(ValueProposition.version))
        assert [(r.version, r.content_json == stored_v1) for r in rows] == [(1, True),
                                                                           (2, False)]
    listed = api.get(_url(program_id, "/versions"), headers=staff).json()
    assert [v["version"] for v in listed] == [2, 1]
    assert api.get(_url(program_id, "/versions/3"), headers=staff).status_code == 404
    assert actions(db).count("value_proposition.save") == 2


def test_the_stored_text_is_the_user_text(db: Database) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    with db.unit_of_work(read_only=True) as session:
        raw = session.scalar(select(ValueProposition.content_json))
    assert raw is not None
    assert PROOF_POINT in raw
    assert json.loads(raw)["benefits"][0]["value"] == "20"


@pytest.mark.parametrize("content", [
    {**GUIDE_VP, "benefits": [{"claim": PROOF_POINT, "value": 20.5, "unit": "%"}]},
    {**GUIDE_VP, "benefits": [{"claim": PROOF_POINT, "unit": "%"}]},
    {**GUIDE_VP, "benefits": [{"claim": PROOF_POINT, "value": "NaN"}]},
    {**GUIDE_VP, "product": ""},
    {**GUIDE_VP, "product": "x" * 201},
    {**GUIDE_VP, "pains": ["x" * 501]},
    {**GUIDE_VP, "pains": ["p"] * 21},
    {**GUIDE_VP, "swot": {"strengths": [""]}},
    {**GUIDE_VP, "swot": {"luck": ["x"]}},
    {**GUIDE_VP, "version": 7},
])
def test_a_bad_document_is_refused_and_writes_nothing(
    api: TestClient, staff: dict[str, str], db: Database, content: dict[str, object]
) -> None:
    program_id = make_program(db)
    before = snapshot(db)
    response = api.post(_url(program_id), headers=staff, json={"content": content})
    assert response.status_code == 422, response.text
    assert snapshot(db) == before


def test_two_saves_at_once_cannot_both_become_the_next_version(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    # The second writer read the versions before the first one saved version 2.
    save_vp(db, program_id)
    stale = repository.latest_version
    monkeypatch.setattr(repository, "latest_version",
                        lambda session, pid: stale(session, pid) and
                        repository.version(session, pid, 1))
    content = ValuePropositionContent.model_validate(GUIDE_VP)
    with pytest.raises(Conflict), db.unit_of_work() as session:
        value_proposition.save_version(session, SYSTEM, program_id, content)
    with db.unit_of_work(read_only=True) as session:
        assert repository.version_count(session, program_id) == 2


def test_value_propositions_are_for_staff_only(
    api: TestClient, world: TwoPartners, db: Database
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    key = bearer(world.key_a)
    for path in ("", "/versions", "/versions/1", "/diff?from_version=1&to_version=1",
                 "/render?format=md"):
        assert api.get(_url(program_id, path), headers=key).status_code == 403, path
    assert api.post(_url(program_id), headers=key,
                    json={"content": GUIDE_VP}).status_code == 403


def test_the_diff_names_what_changed_field_by_field(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    save_vp(db, program_id, usp="AI驱动的需求预测分析",
            pains=["零售商物流成本高", "库存周转太慢", "缺少数据"],
            features=["需求预测", "库存优化"],
            benefits=[{"claim": "节省25%物流成本", "value": "25", "unit": "%",
                       "evidence": GUIDE_VP["benefits"][0]["evidence"]},
                      {"claim": "库存周转提高30%", "value": "30", "unit": "%"}],
            swot={**GUIDE_VP["swot"], "threats": ["大公司进入市场", "价格战"]})
    response = api.get(_url(program_id, "/diff"), headers=staff,
                       params={"from_version": 1, "to_version": 2})
    assert response.status_code == 200, response.text
    diff = response.json()
    assert diff["changed"] is True
    fields = {f["name"]: f for f in diff["fields"]}
    assert not fields["product"]["changed"]
    usp = fields["usp"]
    assert usp["changed"]
    assert usp["kind"] == "text"
    assert {"op": "insert", "text": "需求"} in usp["pieces"]
    assert "".join(p["text"] for p in usp["pieces"] if p["op"] != "insert") == GUIDE_VP["usp"]
    pains = [(i["status"], i["before"], i["after"]) for i in fields["pains"]["items"]]
    assert pains == [("same", "零售商物流成本高", "零售商物流成本高"),
                     ("changed", "库存周转慢", "库存周转太慢"),
                     ("added", None, "缺少数据")]
    assert [(i["status"], i["before"]) for i in fields["features"]["items"]
            if i["status"] != "same"] == [("removed", "智能调度")]
    benefits = fields["benefits"]["items"]
    assert benefits[0]["status"] == "changed"
    assert {p["name"]: (p["before"], p["after"]) for p in benefits[0]["parts"]} == {
        "claim": (PROOF_POINT, "节省25%物流成本"), "value": ("20", "25")}
    assert benefits[1]["status"] == "added"
    assert [i["status"] for i in fields["swot.threats"]["items"]] == ["same", "added"]
    assert not fields["swot.strengths"]["changed"]
    same = api.get(_url(program_id, "/diff"), headers=staff,
                   params={"from_version": 2, "to_version": 2}).json()
    assert same["changed"] is False
    missing = api.get(_url(program_id, "/diff"), headers=staff,
                      params={"from_version": 1, "to_version": 9})
    assert missing.status_code == 404


def test_word_level_pieces_keep_latin_words_whole() -> None:
    before, after = "Saves retailers cost", "Saves small retailers cost"
    pieces = vp_diff.pieces(before, after)
    assert "".join(p.text for p in pieces if p.op != "insert") == before
    assert "".join(p.text for p in pieces if p.op != "delete") == after
    assert [p.text.strip() for p in pieces if p.op == "insert"] == ["small"]
    assert not [p for p in pieces if p.op == "delete"]
    assert vp_diff.figure_text(Decimal("20.500")) == "20.5"
    assert vp_diff.figure_text(Decimal("2E+1")) == "20"
