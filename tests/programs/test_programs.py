"""Programs through the JSON API and the service: validation, updates, the default program,
staff only, and the program's industry feeding the partner-type suggestion."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from qudao.accounts.subject import SYSTEM
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.programs import service
from qudao.programs.schemas import ProgramUpdate
from tests.fixtures.accounts import TwoPartners, bearer, login
from tests.fixtures.security import snapshot
from tests.programs.guide import GUIDE_PROGRAM, make_program
from tests.web.conftest import actions


def test_create_read_and_change_a_program(api: TestClient, staff: dict[str, str]) -> None:
    created = api.post("/api/v1/programs", headers=staff, json={
        **GUIDE_PROGRAM, "mdf_budget": "50000.00", "support_training": "在线课程和现场工作坊",
        "exit_terms": "提前30天书面通知"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["mdf_budget"] == "50000.00"
    assert body["default_locale"] == "zh-CN"
    assert (body["protection_days"], body["attribution_days"], body["inactivity_days"]) == (
        90, 90, 30)
    program_id = body["id"]
    changed = api.patch(f"/api/v1/programs/{program_id}", headers=staff,
                        json={"protection_days": 120, "support_marketing": "联合营销资料"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["protection_days"] == 120
    assert changed.json()["support_training"] == "在线课程和现场工作坊"
    listed = api.get("/api/v1/programs", headers=staff).json()
    assert [p["name"] for p in listed] == ["渠道合作计划"]
    assert api.get(f"/api/v1/programs/{program_id}", headers=staff).json()[
        "support_marketing"] == "联合营销资料"


BAD: list[tuple[dict[str, Any], str]] = [
    ({"currency": "XYZ"}, "currency"),
    ({"default_locale": "fr"}, "default_locale"),
    ({"protection_days": 0}, "protection_days"),
    ({"attribution_days": 3651}, "attribution_days"),
    ({"inactivity_days": -1}, "inactivity_days"),
    ({"mdf_budget": "-1"}, "mdf_budget"),
    ({"mdf_budget": "10.001"}, "mdf_budget"),
    ({"mdf_budget": "lots"}, "mdf_budget"),
    ({"company_name": "  "}, "company_name"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_a_bad_setting_is_refused_and_changes_nothing(
    api: TestClient, staff: dict[str, str], db: Database, change: dict[str, Any], field: str
) -> None:
    program_id = make_program(db)
    before = snapshot(db)
    response = api.patch(f"/api/v1/programs/{program_id}", headers=staff, json=change)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert snapshot(db) == before
    created = api.post("/api/v1/programs", headers=staff,
                       json={**GUIDE_PROGRAM, "name": "Another", **change})
    assert created.status_code == 422, created.text
    assert snapshot(db) == before


def test_amounts_are_strings_and_names_are_unique(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    make_program(db)
    floated = api.post("/api/v1/programs", headers=staff,
                       json={**GUIDE_PROGRAM, "name": "B", "mdf_budget": 10.5})
    assert floated.status_code == 422
    twice = api.post("/api/v1/programs", headers=staff, json=GUIDE_PROGRAM)
    assert twice.status_code == 409
    assert twice.json()["field"] == "name"
    extra = api.post("/api/v1/programs", headers=staff,
                     json={**GUIDE_PROGRAM, "name": "C", "id": 7})
    assert extra.status_code == 422


def test_the_budget_follows_a_new_currency_when_it_can(db: Database) -> None:
    program_id = make_program(db, mdf_budget="1200")
    with db.unit_of_work() as session:
        program = service.update_program(session, SYSTEM, program_id,
                                         ProgramUpdate(currency="JPY"))
        assert service.mdf_budget(program) == 1200
        assert program.mdf_budget_minor == 1200
    with db.unit_of_work() as session:
        service.update_program(session, SYSTEM, program_id,
                               ProgramUpdate(currency="CNY", mdf_budget="99.99"))
    with db.unit_of_work() as session, pytest.raises(Exception, match="decimal places"):
        # 99.99 does not fit in yen: refused rather than rounded.
        service.update_program(session, SYSTEM, program_id, ProgramUpdate(currency="JPY"))


def test_the_default_program_is_the_first(db: Database) -> None:
    with db.unit_of_work() as session:
        assert service.default_program(session) is None
    first = make_program(db)
    make_program(db, name="Second program")
    with db.unit_of_work() as session:
        found = service.default_program(session)
        assert found is not None
        assert found.id == first


def test_programs_are_for_staff_only(
    api: TestClient, world: TwoPartners, db: Database, settings: Settings
) -> None:
    program_id = make_program(db)
    key = bearer(world.key_a)
    assert api.get("/api/v1/programs", headers=key).status_code == 403
    assert api.get(f"/api/v1/programs/{program_id}", headers=key).status_code == 403
    assert api.post("/api/v1/programs", headers=key, json=GUIDE_PROGRAM).status_code == 403
    csrf = login(api, world.email_a)
    assert api.patch(f"/api/v1/programs/{program_id}", headers={"X-CSRF-Token": csrf},
                     json={"industry": "x"}).status_code == 403
    assert api.get("/program").status_code == 403


def test_changes_are_audited(api: TestClient, staff: dict[str, str], db: Database) -> None:
    program_id = api.post("/api/v1/programs", headers=staff, json=GUIDE_PROGRAM).json()["id"]
    api.patch(f"/api/v1/programs/{program_id}", headers=staff, json={"industry": "零售"})
    api.patch(f"/api/v1/programs/{program_id}", headers=staff, json={"industry": "零售"})
    assert actions(db).count("program.create") == 1
    # The second change changed nothing, so it left no record.
    assert actions(db).count("program.update") == 1


def test_the_program_industry_decides_the_partner_types(
    api: TestClient, staff: dict[str, str], db: Database, world: TwoPartners
) -> None:
    """Guide §2.1: choose partner types by *your* industry."""
    without = api.get("/api/v1/partners/type-suggestion", headers=staff).json()
    assert without["industry"] is None
    make_program(db, industry="消费品")
    suggested = api.get("/api/v1/partners/type-suggestion", headers=staff).json()
    assert suggested["industry"] == "消费品"
    assert suggested["types"][0] == "distributor"
    asked = api.get("/api/v1/partners/type-suggestion", headers=staff,
                    params={"industry": "B2B software"}).json()
    assert asked["types"][0] == "system_integrator"
    with db.unit_of_work() as session:
        # A candidate's own industry only counts while no program names one.
        assert service.suggest_partner_types(session, "B2B software").types[0] == "distributor"


def test_the_candidate_page_suggests_by_the_program_industry(
    api: TestClient, world: TwoPartners, db: Database
) -> None:
    login(api, world.admin_email)
    page = api.get(f"/partners/{world.partner_a}").text
    assert "Without a known industry" in page
    make_program(db, industry="B2B SaaS")
    page = api.get(f"/partners/{world.partner_a}").text
    assert "B2B software is usually bought as part of a solution" in page
