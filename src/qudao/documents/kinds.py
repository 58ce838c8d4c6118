"""The kinds of documents, their formats, and how languages are named on each surface."""

from __future__ import annotations

from typing import Literal

from qudao.core.errors import Unprocessable
from qudao.core.i18n import LOCALES, N_, LocaleCode, coerce_locale

Format = Literal["md", "html", "docx", "pdf"]
FORMATS: tuple[Format, ...] = ("pdf", "docx", "md", "html")
TemplateKind = Literal["nda", "loi", "agreement"]
TEMPLATE_KINDS: tuple[TemplateKind, ...] = ("nda", "loi", "agreement")
VALUE_PROPOSITION = "value_proposition"
KINDS: tuple[str, ...] = (*TEMPLATE_KINDS, VALUE_PROPOSITION)

KIND_LABELS: dict[str, str] = {
    "nda": N_("Non-disclosure agreement"),
    "loi": N_("Letter of intent"),
    "agreement": N_("Partner agreement"),
    VALUE_PROPOSITION: N_("Value proposition"),
}
FORMAT_LABELS: dict[str, str] = {
    "pdf": N_("PDF"),
    "docx": N_("Word (DOCX)"),
    "md": N_("Markdown"),
    "html": N_("Web page (HTML)"),
}
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def check_kind(kind: str, *, templates_only: bool = False) -> str:
    """A kind as the API and the CLI accept it ("value-proposition" is the CLI's spelling)."""
    normal = kind.strip().lower().replace("-", "_")
    allowed = TEMPLATE_KINDS if templates_only else KINDS
    if normal not in allowed:
        raise Unprocessable(N_("%(kind)s is not a document kind; use one of %(kinds)s."),
                            field="kind", kind=kind, kinds=", ".join(allowed))
    return normal


def check_template_kind(kind: str) -> TemplateKind:
    normal = check_kind(kind, templates_only=True)
    return next(k for k in TEMPLATE_KINDS if k == normal)


def check_locale(value: str) -> LocaleCode:
    """zh, zh-CN and zh_CN all mean Simplified Chinese; en and en-US mean English."""
    found = coerce_locale(value)
    if found is None:
        raise Unprocessable(N_("%(value)s is not a language of qudao; use zh-CN or en."),
                            field="locale", value=value)
    return found


def check_format(value: str) -> Format:
    normal = value.strip().lower()
    for fmt in FORMATS:
        if fmt == normal:
            return fmt
    raise Unprocessable(N_("%(value)s is not a document format; use pdf, docx, md or html."),
                        field="format", value=value)


__all__ = ["FORMATS", "KINDS", "LOCALES", "TEMPLATE_KINDS", "Format", "TemplateKind"]
