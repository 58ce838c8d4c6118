"""The JSON API: templates (staff read, administrators edit, a save is a new version, escapes
refused with the reason and nothing saved), generating documents, downloading them, and who
may read which document."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from qudao.accounts.roles import Role
from qudao.db.session import Database
from qudao.documents import templates
from qudao.documents.models import DocumentTemplate, GeneratedDocument
from tests.documents.builders import COMPANY_ZH, make_plan, make_program
from tests.fixtures.accounts import TwoPartners, bearer, login, make_user

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ company._sa_instance_state }}",
    "{% for i in range(10**9) %}{% endfor %}",
    "{{ 'x' * 10**9 }}",
    "{% include 'nda.en.md' %}",
]


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def admin(client: TestClient, world: TwoPartners) -> dict[str, str]:
    return {"X-CSRF-Token": login(client, world.admin_email)}


def test_templates_are_listed_with_the_built_in_text_as_version_one(
    client: TestClient, admin: dict[str, str], db: Database
) -> None:
    listed = client.get("/api/v1/document-templates")
    assert listed.status_code == 200
    assert {(t["kind"], t["locale"]) for t in listed.json()} == {
        (k, loc) for k in ("nda", "loi", "agreement") for loc in ("zh-CN", "en")}
    assert all(t["version"] == 1 and t["builtin"] for t in listed.json())
    detail = client.get("/api/v1/document-templates/nda/zh").json()
    assert detail["locale"] == "zh-CN"
    assert detail["body"] == templates.builtin_body("nda", "zh-CN")
    assert "partner.name" in {p["name"] for p in detail["placeholders"]}
    assert _count(db, DocumentTemplate) == 0  # reading writes nothing


def test_an_admin_edit_is_a_new_version(
    client: TestClient, admin: dict[str, str], db: Database
) -> None:
    body = "# Letter of intent\n\nFrom {{ company.name }} to {{ partner.name if partner " \
           "else '…' }}.\n"
    saved = client.put("/api/v1/document-templates/loi/en", headers=admin,
                       json={"body": body, "note": "Shorter"})
    assert saved.status_code == 200, saved.text
    detail = saved.json()
    assert detail["version"] == 2
    assert detail["body"] == body
    assert not detail["builtin"]
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    old = client.get("/api/v1/document-templates/loi/en", params={"version": 1}).json()
    assert old["body"] == templates.builtin_body("loi", "en")
    same = client.put("/api/v1/document-templates/loi/en", headers=admin, json={"body": body})
    assert same.status_code == 422
    assert "unchanged" in same.json()["detail"]


@pytest.mark.parametrize("body", ESCAPES)
def test_escapes_are_refused_with_the_reason(
    client: TestClient, admin: dict[str, str], db: Database, body: str
) -> None:
    response = client.put("/api/v1/document-templates/nda/en", headers=admin,
                          json={"body": f"# NDA\n\n{body}\n"})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "template_refused"
    assert response.json()["field"] == "body"
    assert response.json()["detail"]
    assert _count(db, DocumentTemplate) == 0


def test_a_template_must_work_without_a_partner(
    client: TestClient, admin: dict[str, str], db: Database
) -> None:
    response = client.put("/api/v1/document-templates/nda/en", headers=admin,
                          json={"body": "# NDA\n\nWith {{ partner.name }}.\n"},
                          )
    assert response.status_code == 422
    assert "with the program only" in response.json()["detail"]
    zh = client.put("/api/v1/document-templates/nda/en", headers={**admin,
                    "Accept-Language": "zh-CN"}, json={"body": "# NDA\n\n{{ nope }}\n"})
    assert zh.status_code == 422
    assert "nope" in zh.json()["detail"]


def test_only_administrators_edit_templates(
    client: TestClient, world: TwoPartners, db: Database
) -> None:
    make_user(db, "cm@example.com", Role.CHANNEL_MANAGER)
    csrf = login(client, "cm@example.com")
    assert client.get("/api/v1/document-templates/agreement/en").status_code == 200
    response = client.put("/api/v1/document-templates/agreement/en",
                          headers={"X-CSRF-Token": csrf}, json={"body": "# A\n"})
    assert response.status_code == 403
    assert client.get("/api/v1/document-templates", headers=bearer(world.key_a)) \
        .status_code == 403
    assert client.get("/api/v1/document-templates/xyz/en").status_code == 422


def _generate(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/documents", headers=headers, json=body)


def test_generate_download_and_reuse(
    client: TestClient, admin: dict[str, str], world: TwoPartners, db: Database
) -> None:
    program = make_program(db)
    plan = make_plan(db, program)
    first = _generate(client, admin, kind="agreement", locale="zh-CN", format="docx",
                      program_id=program, partner_id=world.partner_a, plan_id=plan)
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["reused"] is False
    assert made["template_version"] == 1
    assert made["media_type"].startswith("application/vnd.openxmlformats")
    again = _generate(client, admin, kind="agreement", locale="zh-CN", format="docx",
                      program_id=program, partner_id=world.partner_a, plan_id=plan)
    assert again.status_code == 200
    assert again.json()["reused"] is True
    assert again.json()["id"] == made["id"]
    file = client.get(f"/api/v1/documents/{made['id']}/file")
    assert file.status_code == 200
    assert file.headers["content-disposition"] == f'attachment; filename="{made["filename"]}"'
    assert file.headers["content-type"] == made["media_type"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(file.content)).paragraphs)
    assert COMPANY_ZH in text
    assert "Alpha Distribution" in text
    listed = client.get("/api/v1/documents", params={"kind": "agreement"}).json()
    assert listed["total"] == 1
    assert listed["items"][0]["inputs_sha256"] == made["inputs_sha256"]
    assert client.get("/api/v1/documents", params={"kind": "nda"}).json()["total"] == 0


def test_a_generated_web_page_cannot_run_anything(
    client: TestClient, admin: dict[str, str], db: Database
) -> None:
    make_program(db)
    made = _generate(client, admin, kind="nda", locale="en", format="html").json()
    page = client.get(f"/api/v1/documents/{made['id']}/file", params={"inline": True})
    assert page.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.text.startswith("<!DOCTYPE html>")


def test_generation_is_refused_with_the_field(
    client: TestClient, admin: dict[str, str], db: Database
) -> None:
    response = _generate(client, admin, kind="nda", locale="en", format="pdf")
    assert response.status_code == 422
    assert response.json()["field"] == "program_id"
    bad = _generate(client, admin, kind="nda", locale="en", format="pdf", status="x")
    assert bad.status_code == 422
    assert _count(db, GeneratedDocument) == 0


def test_partners_read_only_their_own_documents(
    client: TestClient, admin: dict[str, str], world: TwoPartners, db: Database
) -> None:
    make_program(db)
    own = _generate(client, admin, kind="nda", locale="zh-CN", format="md",
                    partner_id=world.partner_a).json()
    theirs = _generate(client, admin, kind="nda", locale="zh-CN", format="md",
                       partner_id=world.partner_b).json()
    general = _generate(client, admin, kind="loi", locale="en", format="md").json()
    client.cookies.clear()
    key = bearer(world.key_a)
    assert client.get(f"/api/v1/documents/{own['id']}", headers=key).status_code == 200
    assert set(client.get(f"/api/v1/documents/{own['id']}", headers=key).json()) == {
        "id", "kind", "locale", "format", "title", "partner_id", "agreement_id", "filename",
        "media_type", "size", "created_at"}
    file = client.get(f"/api/v1/documents/{own['id']}/file", headers=key)
    assert file.status_code == 200
    assert "Beta Agency" not in file.text
    assert "Alpha Distribution" in file.text
    for other in (theirs, general):
        for path in (f"/api/v1/documents/{other['id']}", f"/api/v1/documents/{other['id']}/file"):
            response = client.get(path, headers=key)
            assert response.status_code == 404, path
            assert response.json()["error"] == "not_found"
    listed = client.get("/api/v1/documents", headers=key,
                        params={"partner_id": world.partner_b}).json()
    assert listed["total"] == 0
    assert [d["id"] for d in client.get("/api/v1/documents", headers=key).json()["items"]] \
        == [own["id"]]
    assert _generate(client, key, kind="nda", locale="en", format="md").status_code == 403
