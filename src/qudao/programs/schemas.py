"""Program, value proposition and catalogue shapes: what a caller may send and what it gets
back. Amounts and figures arrive as strings (never JSON floats); every text and list is
bounded."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


def _no_float(value: object) -> object:
    """A figure typed as a JSON number with decimals would already be rounded by the float."""
    if isinstance(value, bool | float):
        raise ValueError('send the figure as a string such as "20" or "12.5"')
    return value


Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
# Features and use cases travel in one spreadsheet cell, separated by ";" or line breaks.
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300,
                                        pattern=r"^[^;；\r\n]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Figure = Annotated[Decimal, BeforeValidator(_no_float),
                   Field(allow_inf_nan=False, max_digits=24, decimal_places=6,
                         description='A number as a string, e.g. "20"')]
Amount = Annotated[str | int, Field(description='An amount as a string, e.g. "1250.00"')]


# Programs -----------------------------------------------------------------------------------


class ProgramFields(BaseModel):
    """What a caller may set on a program; the service checks currency, language and the
    day windows (1 to 3650)."""

    model_config = ConfigDict(extra="forbid")

    company_name: str | None = Field(default=None, min_length=1, max_length=200)
    company_profile: Text | None = None
    industry: str | None = Field(default=None, max_length=120,
                                 description="Feeds the partner-type suggestion")
    currency: str | None = Field(default=None, min_length=3, max_length=3,
                                 description="ISO 4217, e.g. CNY")
    default_locale: str | None = Field(default=None, max_length=10, description="zh-CN or en")
    protection_days: int | None = Field(default=None, description="Deal protection, 1–3650")
    attribution_days: int | None = Field(default=None,
                                         description="Referral attribution, 1–3650")
    inactivity_days: int | None = Field(default=None,
                                        description='"Signed, then nothing" after, 1–3650')
    concentration_alert_pct: int | None = Field(
        default=None, strict=True,
        description="Dashboards warn when one partner's share of channel revenue is above "
                    "this percent, 1–100 (default 40)")
    support_training: Text | None = None
    support_marketing: Text | None = None
    mdf_budget: Amount | None = Field(default=None,
                                      description="Market-development funds, program currency")
    exit_terms: Text | None = None


class ProgramCreate(ProgramFields):
    name: str = Field(min_length=1, max_length=200)
    company_name: str = Field(min_length=1, max_length=200)
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. CNY")


class ProgramUpdate(ProgramFields):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ProgramOut(BaseModel):
    id: int
    name: str
    company_name: str
    company_profile: str | None
    industry: str | None
    currency: str
    default_locale: str
    protection_days: int
    attribution_days: int
    inactivity_days: int
    concentration_alert_pct: int
    support_training: str | None
    support_marketing: str | None
    mdf_budget: Decimal | None
    exit_terms: str | None
    created_at: datetime
    updated_at: datetime


# Value proposition --------------------------------------------------------------------------


class Benefit(BaseModel):
    """An expected benefit with its proof point: "节省20%物流成本", 20, "%", and how it
    was measured."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    claim: str = Field(min_length=1, max_length=300)
    value: Figure
    unit: str = Field(default="", max_length=40)
    evidence: str = Field(default="", max_length=2000)


class Competitor(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    their_strengths: str = Field(default="", max_length=2000)
    their_weaknesses: str = Field(default="", max_length=2000)
    our_advantage: str = Field(default="", max_length=2000)


class Swot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strengths: list[Line] = Field(default_factory=list, max_length=20)
    weaknesses: list[Line] = Field(default_factory=list, max_length=20)
    opportunities: list[Line] = Field(default_factory=list, max_length=20)
    threats: list[Line] = Field(default_factory=list, max_length=20)


class ValuePropositionContent(BaseModel):
    """The value proposition document (guide §1.1), the company's "business card"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product: str = Field(min_length=1, max_length=200)
    pains: list[Line] = Field(default_factory=list, max_length=20)
    usp: str = Field(default="", max_length=2000, description="Unique selling point")
    features: list[Line] = Field(default_factory=list, max_length=30)
    segments: list[Line] = Field(default_factory=list, max_length=20,
                                 description="Target customer segments")
    benefits: list[Benefit] = Field(default_factory=list, max_length=20)
    competitors: list[Competitor] = Field(default_factory=list, max_length=20)
    swot: Swot = Field(default_factory=Swot)


class ValuePropositionIn(BaseModel):
    """A new version: saving never edits an earlier one."""

    model_config = ConfigDict(extra="forbid")

    content: ValuePropositionContent
    note: str | None = Field(default=None, max_length=300, description="What changed, and why")


class ValuePropositionOut(BaseModel):
    program_id: int
    version: int
    note: str | None
    author_user_id: int | None
    created_at: datetime
    content: ValuePropositionContent


class VersionSummary(BaseModel):
    version: int
    note: str | None
    author_user_id: int | None
    created_at: datetime
    product: str


class Piece(BaseModel):
    """A run of text that both versions share, or that one of them alone has."""

    op: Literal["equal", "insert", "delete"]
    text: str


class PartDiff(BaseModel):
    """One field of a benefit or a competitor."""

    name: str
    label: str
    before: str
    after: str
    pieces: list[Piece]


class ItemDiff(BaseModel):
    status: Literal["added", "removed", "changed", "same"]
    before: str | None
    after: str | None
    pieces: list[Piece] = Field(default_factory=list)
    parts: list[PartDiff] = Field(default_factory=list)


class FieldDiff(BaseModel):
    name: str
    label: str
    kind: Literal["text", "list", "records"]
    changed: bool
    before: str | None = None
    after: str | None = None
    pieces: list[Piece] = Field(default_factory=list)
    items: list[ItemDiff] = Field(default_factory=list)


class ValuePropositionDiff(BaseModel):
    program_id: int
    from_version: int
    to_version: int
    changed: bool
    fields: list[FieldDiff]


# Catalogue ----------------------------------------------------------------------------------

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                       pattern=r"^[^\s=+\-@'][^\s]*$")]


class PriceTierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: str = Field(min_length=3, max_length=3)
    min_quantity: int = Field(default=1, ge=1, le=1_000_000_000)
    unit_price: Amount


class PriceTierOut(BaseModel):
    currency: str
    min_quantity: int
    unit_price: Decimal


class ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = None
    features: list[Item] | None = Field(default=None, max_length=30)
    use_cases: list[Item] | None = Field(default=None, max_length=30)
    active: bool | None = None
    prices: list[PriceTierIn] | None = Field(
        default=None, max_length=50,
        description="The whole price list; each currency's first tier starts at quantity 1")


class ProductCreate(ProductFields):
    sku: Sku = Field(description="Unique; deals and recommendations refer to it")
    name: str = Field(min_length=1, max_length=300)


class ProductUpdate(ProductFields):
    """The SKU stays: deals and recommendations refer to it."""


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    description: str | None
    features: list[str]
    use_cases: list[str]
    active: bool
    prices: list[PriceTierOut]
    created_at: datetime
    updated_at: datetime


class ImportProblemOut(BaseModel):
    row: int
    column: str | None
    reason: str


class CatalogueImportOut(BaseModel):
    ok: bool
    rows: int
    created: int
    updated: int
    dry_run: bool
    errors: list[ImportProblemOut]
    warnings: list[ImportProblemOut]
