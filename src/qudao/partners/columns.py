"""The columns of the candidate file, with the headers people write in English or Chinese."""

from __future__ import annotations

from qudao.core.i18n import LocaleCode

# Canonical key → (English header, Chinese header, other accepted spellings).
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "name": ("Name", "名称", ("partner", "candidate", "company", "候选伙伴", "公司名称", "公司")),
    "partner_type": ("Type", "类型", ("partner type", "伙伴类型")),
    "region": ("Region", "区域", ("territory", "地区")),
    "country": ("Country", "国家", ("国家/地区",)),
    "industry": ("Industry", "行业", ()),
    "employees": ("Employees", "员工人数", ("headcount", "员工数")),
    "annual_revenue": ("Annual revenue", "年收入", ("revenue",)),
    "revenue_currency": ("Currency", "币种", ("revenue currency", "货币")),
    "website": ("Website", "网站", ("web", "url", "domain", "域名")),
    "source": ("Source", "来源", ()),
    "referrer": ("Referrer", "推荐人", ("referred by",)),
    "tags": ("Tags", "标签", ()),
    "notes": ("Notes", "备注", ("remarks", "comment", "comments")),
    "owner_email": ("Owner", "负责人", ("owner email", "channel manager", "渠道经理")),
    "stage": ("Stage", "阶段", ("status", "状态")),
    "contact_name": ("Contact", "联系人", ("contact name",)),
    "contact_role": ("Contact role", "联系人职位", ("title", "职位")),
    "contact_email": ("Contact e-mail", "联系人邮箱", ("email", "e-mail", "contact email", "邮箱")),
    "contact_phone": ("Contact phone", "联系人电话", ("phone", "电话")),
    "contact_wechat": ("Contact WeChat", "联系人微信", ("wechat", "微信")),
    "evaluator": ("Evaluator", "评估人", ("evaluator email",)),
    "total": ("Total", "总分", ("score", "weighted total")),
}
EXPORT_ORDER = [
    "name", "partner_type", "region", "country", "industry", "employees", "annual_revenue",
    "revenue_currency", "website", "source", "referrer", "tags", "owner_email", "stage",
    "contact_name", "contact_role", "contact_email", "contact_phone", "contact_wechat", "notes",
]


def fold(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").split()).casefold()


def header(key: str, locale: LocaleCode) -> str:
    english, chinese, _aliases = COLUMNS[key]
    return chinese if locale == "zh-CN" else english


def lookup() -> dict[str, str]:
    """Folded header spelling → canonical key."""
    found: dict[str, str] = {}
    for key, (english, chinese, aliases) in COLUMNS.items():
        for spelling in (key, english, chinese, *aliases):
            found[fold(spelling)] = key
    return found
