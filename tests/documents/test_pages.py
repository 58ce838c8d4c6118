"""The documents pages: the list with downloads and the form that generates a document, a
template's page where administrators edit (new versions, errors at the field, a preview)
and other staff only read; partners never reach them."""

from __future__ import annotations

import html
from collections.abc import Callable

from sqlalchemy import func, select

from qudao.accounts.roles import Role
from qudao.db.session import Database
from qudao.documents import templates
from qudao.documents.models import DocumentTemplate, GeneratedDocument
from tests.documents.builders import make_plan, make_program
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.conftest import Browser


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_generate_from_the_page_and_download(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    program = make_program(db)
    plan = make_plan(db, program)
    admin = sign_in(world.admin_email)
    page = admin.get("/program/documents")
    assert page.status_code == 200
    assert "No documents yet." in page.text
    assert "Northwind Gold" in page.text  # the plan to choose
    response = admin.post("/program/documents", {
        "kind": "agreement", "locale": "en", "format": "docx", "program_id": str(program),
        "partner_id": str(world.partner_a), "plan_id": str(plan)})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/program/documents?document=")
    listed = admin.get(location)
    assert "The document was generated and kept." in listed.text
    assert "Partner Agreement" in listed.text
    assert "Alpha Distribution" in listed.text
    document_id = location.split("=")[1].split("#")[0]
    assert f'href="/api/v1/documents/{document_id}/file"' in listed.text
    download = admin.get(f"/api/v1/documents/{document_id}/file")
    assert download.status_code == 200
    assert download.content.startswith(b"PK")
    again = admin.post("/program/documents", {
        "kind": "agreement", "locale": "en", "format": "docx", "program_id": str(program),
        "partner_id": str(world.partner_a), "plan_id": str(plan)})
    assert "already existed" in admin.get(again.headers["location"]).text
    assert _count(db, GeneratedDocument) == 1
    partner_page = admin.get(f"/partners/{world.partner_a}").text
    assert 'id="partner-documents"' in partner_page
    assert f'href="/api/v1/documents/{document_id}/file"' in partner_page
    assert "No document has been made" in admin.get(f"/partners/{world.partner_b}").text


def test_a_refused_generation_shows_the_reason_at_the_field(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    program = make_program(db)
    other = make_program(db, name="Other", company="Other Co.")
    plan = make_plan(db, other)
    admin = sign_in(world.admin_email)
    admin.use_language("zh-CN")
    response = admin.post("/program/documents", {
        "kind": "agreement", "locale": "zh-CN", "format": "pdf", "program_id": str(program),
        "plan_id": str(plan)})
    assert response.status_code == 422
    assert 'id="gen-plan_id-error"' in response.text
    assert _count(db, GeneratedDocument) == 0


def test_an_admin_edits_a_template_and_sees_the_versions(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    url = "/program/documents/templates/nda/en"
    page = admin.get(url)
    assert page.status_code == 200
    assert "Mutual Non-Disclosure Agreement" in page.text  # the preview
    assert "partner.contacts" in page.text  # the placeholder list
    assert '<textarea id="tpl-body"' in page.text

    body = templates.builtin_body("nda", "en").replace("## 10. Remedies", "## 10. Relief")
    preview = admin.post(url, {"body": body, "action": "preview"})
    assert preview.status_code == 200
    assert "<h2>10. Relief</h2>" in preview.text
    assert "Not saved" in preview.text
    assert _count(db, DocumentTemplate) == 0

    bad = admin.post(url, {"body": body + "\n{{ self._TemplateReference__context }}\n",
                           "action": "save"})
    assert bad.status_code == 422
    assert 'id="tpl-body-error"' in bad.text
    assert "_TemplateReference__context" in html.unescape(bad.text)
    assert _count(db, DocumentTemplate) == 0

    saved = admin.post(url, {"body": body, "note": "Clearer heading", "action": "save"})
    assert saved.status_code == 303
    page = admin.get(url).text
    assert "Version 2 in use" in page
    assert "Clearer heading" in page
    old = admin.get(f"{url}?version=1").text
    assert "You are looking at version 1" in old
    assert "10. Remedies" in old


def test_other_staff_read_templates_and_partners_see_no_document_page(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_user(db, "ana@example.com", Role.ANALYST)
    analyst = sign_in("ana@example.com")
    page = analyst.get("/program/documents/templates/agreement/zh-CN")
    assert page.status_code == 200
    assert "<textarea" not in page.text
    assert "合作伙伴协议" in page.text
    refused = analyst.post("/program/documents/templates/agreement/zh-CN",
                           {"body": "# x", "action": "save"})
    assert refused.status_code == 403
    assert 'id="generate"' not in analyst.get("/program/documents").text
    partner = sign_in(world.email_a)
    assert partner.get("/program/documents").status_code == 403
    assert partner.get("/program/documents/templates/nda/en").status_code == 403
