"""Partner types, sources, and which types fit which industry."""

from __future__ import annotations

from dataclasses import dataclass

from qudao.core.i18n import N_

PARTNER_TYPES: dict[str, str] = {
    "distributor": N_("Distributor"),
    "reseller": N_("Agent / reseller"),
    "system_integrator": N_("System integrator"),
    "strategic_alliance": N_("Strategic alliance"),
}
TYPE_DUTIES: dict[str, str] = {
    "distributor": N_("sells the product and manages stock"),
    "reseller": N_("markets the product and wins customers"),
    "system_integrator": N_("builds the product into its own solutions"),
    "strategic_alliance": N_("shares resources, such as joint marketing"),
}
SOURCES: dict[str, str] = {
    "trade_show": N_("Trade show"),
    "webinar": N_("Webinar"),
    "linkedin": N_("LinkedIn"),
    "marketplace": N_("Partner marketplace"),
    "referral": N_("Referral"),
    "association": N_("Industry association"),
    "inbound": N_("Inbound"),
}


@dataclass(frozen=True)
class TypeSuggestion:
    partner_type: str
    reason: str


# Keywords (lower case, English and Chinese) of an industry, and the types that fit it.
_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("software", "saas", "b2b", "cloud", "it ", "it services", "软件", "云", "信息技术"),
     ("system_integrator", "reseller"),
     N_("B2B software is usually bought as part of a solution: system integrators build it "
        "into theirs, and resellers win the customers.")),
    (("consumer", "retail", "fmcg", "goods", "gift", "food", "beverage", "apparel", "消费",
      "零售", "快消", "礼品", "食品"),
     ("distributor", "reseller"),
     N_("Consumer goods need stock close to the buyers: distributors carry it, and agents "
        "open new outlets.")),
    (("hardware", "device", "electronics", "manufactur", "industrial", "硬件", "设备", "制造"),
     ("distributor", "system_integrator"),
     N_("Physical products need logistics and installation: distributors and integrators "
        "provide both.")),
    (("health", "medical", "pharma", "医疗", "医药", "健康"),
     ("system_integrator", "strategic_alliance"),
     N_("Healthcare buyers expect compliant, integrated solutions and trusted allies.")),
    (("education", "edtech", "training", "教育", "培训"),
     ("strategic_alliance", "reseller"),
     N_("Education grows through institutions that co-deliver, and agents that reach them.")),
)
_DEFAULT = (("reseller", "strategic_alliance"),
            N_("Without a known industry, start with agents to reach customers and alliances to "
               "share marketing."))


def suggest_types(industry: str | None) -> tuple[list[str], str]:
    """Partner types that fit an industry, best first, and why."""
    text = f" {(industry or '').lower()} "
    for keywords, types, reason in _RULES:
        if any(k in text for k in keywords):
            return list(types), reason
    return list(_DEFAULT[0]), _DEFAULT[1]


def type_label(partner_type: str | None) -> str | None:
    """The translatable label of a known type, or the user's own custom type as written."""
    if partner_type is None:
        return None
    return PARTNER_TYPES.get(partner_type, partner_type)


def normalize_type(value: str | None) -> str | None:
    """Accepts a key, an English label or a Chinese label; anything else is a custom type."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    lowered = raw.lower().replace("-", "_").replace(" ", "_")
    if lowered in PARTNER_TYPES:
        return lowered
    aliases = {"agent": "reseller", "agent_/_reseller": "reseller", "si": "system_integrator",
               "integrator": "system_integrator", "alliance": "strategic_alliance",
               "分销商": "distributor", "代理商": "reseller", "经销商": "reseller",
               "系统集成商": "system_integrator", "战略联盟": "strategic_alliance"}
    if lowered in aliases:
        return aliases[lowered]
    for key, label in PARTNER_TYPES.items():
        if raw.lower() == label.lower():
            return key
    return raw[:60]


def normalize_source(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    raw = value.strip()
    lowered = raw.lower().replace("-", "_").replace(" ", "_")
    if lowered in SOURCES:
        return lowered
    aliases = {"tradeshow": "trade_show", "展会": "trade_show", "网络研讨会": "webinar",
               "partner_marketplace": "marketplace", "推荐": "referral", "行业协会": "association",
               "industry_association": "association", "主动咨询": "inbound"}
    if lowered in aliases:
        return aliases[lowered]
    for key, label in SOURCES.items():
        if raw.lower() == label.lower():
            return key
    return raw[:60]
