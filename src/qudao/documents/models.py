"""Tables of the documents domain: versioned templates and the documents made from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, BigId, IdMixin, UTCDateTime
from qudao.documents.kinds import MEDIA_TYPES


class DocumentTemplate(IdMixin, Base):
    """One version of a template (Markdown with Jinja placeholders). A save adds a version;
    the highest version of a kind and language is the one in use."""

    __tablename__ = "document_templates"
    __table_args__ = (UniqueConstraint("kind", "locale", "version"),)

    kind: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GeneratedDocument(IdMixin, Base):
    """A document as it was generated, kept with what it was made from: the template
    version and the SHA-256 of its inputs (data, template body, format)."""

    __tablename__ = "generated_documents"

    kind: Mapped[str] = mapped_column(String(30), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(300))
    # None for kinds without a template (the value proposition).
    template_version: Mapped[int | None] = mapped_column(Integer)
    program_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="SET NULL"), index=True
    )
    # A partner's users and keys may read the documents made for that partner.
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_plans.id", ondelete="SET NULL")
    )
    # No foreign key: agreements live in a table of a later migration.
    agreement_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    inputs_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


# The name the agreements domain imports.
Document = GeneratedDocument
