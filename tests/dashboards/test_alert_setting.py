"""The program's concentration alert threshold, on every surface that edits the program's
numbers: the JSON API, the settings form and ``qudao program set``. A bad value is refused
and changes nothing; a good one moves the dashboard's alert."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qudao.cli import app as cli_app
from qudao.core.i18n import translate
from qudao.db.session import Database
from tests.dashboards.builders import deal, program
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.security import snapshot
from tests.web.conftest import Browser

FORM = {"name": "Gift-ware 2011", "company_name": "Qudao Ltd", "currency": "GBP",
        "default_locale": "en", "protection_days": "90", "attribution_days": "90",
        "inactivity_days": "30", "mdf_budget": "", "support_training": "",
        "support_marketing": "", "exit_terms": "", "company_profile": "", "industry": ""}


def test_the_api_refuses_a_bad_threshold(client: TestClient, staff: dict[str, str],
                                         db: Database) -> None:
    program_id = program(db)
    before = snapshot(db)
    for value in (0, 101, -5, "40", 12.5, True, "", None):
        response = client.patch(f"/api/v1/programs/{program_id}", headers=staff,
                                json={"concentration_alert_pct": value})
        assert response.status_code in (400, 422), (value, response.text)
        body = response.json()
        assert body.get("field") == "concentration_alert_pct" or any(
            f["field"] == "concentration_alert_pct" for f in body.get("fields", [])), value
    assert snapshot(db) == before


def test_the_api_sets_and_shows_the_threshold(client: TestClient, staff: dict[str, str],
                                              db: Database) -> None:
    created = client.post("/api/v1/programs", headers=staff, json={
        "name": "Gift-ware", "company_name": "Qudao Ltd", "currency": "GBP"})
    assert created.status_code == 201, created.text
    assert created.json()["concentration_alert_pct"] == 40
    program_id = created.json()["id"]
    changed = client.patch(f"/api/v1/programs/{program_id}", headers=staff,
                           json={"concentration_alert_pct": 100})
    assert changed.json()["concentration_alert_pct"] == 100
    assert client.get(f"/api/v1/programs/{program_id}", headers=staff).json()[
        "concentration_alert_pct"] == 100


def _error(page: str, input_id: str) -> str:
    found = re.search(rf'id="{input_id}-error">([^<]*)<', page)
    assert found, f"no error shown at {input_id}"
    return html.unescape(found.group(1))


def test_the_settings_form_edits_the_threshold_and_the_alert_follows(
        world: TwoPartners, db: Database, sign_in: Callable[..., Browser]) -> None:
    program_id = program(db)
    deal(db, world.partner_a, program_id, 81_000, closed="2011-09-10")
    deal(db, world.partner_b, program_id, 19_000, closed="2011-09-11")
    admin = sign_in(world.admin_email)
    assert 'id="concentration-alert"' in admin.get("/").text
    form = admin.get("/program/settings").text
    assert 'name="concentration_alert_pct"' in form
    assert 'value="40"' in form
    before = snapshot(db)
    for bad, message in (("0", "from 1 to 100"), ("101", "from 1 to 100"),
                         ("forty", "whole number")):
        refused = admin.post("/program/settings", {**FORM, "concentration_alert_pct": bad})
        assert refused.status_code == 422
        assert message in _error(refused.text, "f-concentration_alert_pct")
    assert snapshot(db) == before
    admin.use_language("zh-CN")
    refused = admin.post("/program/settings", {**FORM, "concentration_alert_pct": "0"})
    assert _error(refused.text, "f-concentration_alert_pct") == translate(
        "zh-CN", "Give a whole percentage from 1 to 100.")
    admin.use_language("en")
    saved = admin.post("/program/settings", {**FORM, "concentration_alert_pct": "85"})
    assert saved.status_code == 303
    page = admin.get("/").text
    assert 'id="concentration-alert"' not in page  # 81 % is no longer above the threshold
    assert "(85%)" in page
    assert "above 85% of channel revenue" in admin.get("/program").text
    # A blank field leaves the threshold as it is.
    assert admin.post("/program/settings", {**FORM, "concentration_alert_pct": ""}
                      ).status_code == 303
    assert 'value="85"' in admin.get("/program/settings").text


@pytest.mark.usefixtures("cli_env")
def test_qudao_program_set_changes_the_threshold(db: Database) -> None:
    program(db)
    runner = CliRunner()
    before = snapshot(db)
    for bad in ("0", "101"):
        refused = runner.invoke(cli_app, ["program", "set", "Gift-ware 2011",
                                          "--concentration-alert-pct", bad])
        assert refused.exit_code != 0
        assert "from 1 to 100" in refused.output
    words = runner.invoke(cli_app, ["program", "set", "Gift-ware 2011",
                                    "--concentration-alert-pct", "forty"])
    assert words.exit_code != 0
    assert snapshot(db) == before
    done = runner.invoke(cli_app, ["program", "set", "Gift-ware 2011",
                                   "--concentration-alert-pct", "55"])
    assert done.exit_code == 0, done.output
    assert "Concentration alert above (%)" in done.output
    assert "55" in done.output
    shown = runner.invoke(cli_app, ["program", "show", "Gift-ware 2011", "--format", "json"])
    assert '"concentration_alert_pct": 55' in shown.output
