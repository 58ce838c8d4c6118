"""Document shapes for the API: what a caller may send and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qudao.documents.sandbox import MAX_TEMPLATE_CHARS

KindName = Literal["nda", "loi", "agreement", "value_proposition"]
FormatName = Literal["pdf", "docx", "md", "html"]
LanguageName = Literal["zh-CN", "en"]


class TemplateVersionOut(BaseModel):
    version: int
    builtin: bool = Field(description="True while only the built-in text exists")
    created_at: datetime | None
    created_by_id: int | None
    note: str | None


class TemplateSummary(TemplateVersionOut):
    kind: str
    locale: str


class Placeholder(BaseModel):
    name: str
    description: str


class TemplateDetail(TemplateSummary):
    body: str
    versions: list[TemplateVersionOut]
    placeholders: list[Placeholder]


class TemplateSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=MAX_TEMPLATE_CHARS,
                      description="Markdown with Jinja placeholders")
    note: str | None = Field(default=None, max_length=300, description="What changed")


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: KindName
    locale: LanguageName = "zh-CN"
    format: FormatName = "pdf"
    program_id: int | None = Field(default=None, description="Optional with one program")
    partner_id: int | None = None
    plan_id: int | None = None


class DocumentPublic(BaseModel):
    """What a partner sees of a document made for it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    locale: str
    format: str
    title: str
    partner_id: int | None
    agreement_id: int | None
    filename: str
    media_type: str
    size: int
    created_at: datetime


class DocumentOut(DocumentPublic):
    template_version: int | None
    program_id: int | None
    plan_id: int | None
    inputs_sha256: str
    created_by_id: int | None


class GeneratedOut(DocumentOut):
    reused: bool = Field(description="True when a document with the same inputs existed: it "
                                     "is returned instead of a copy")
