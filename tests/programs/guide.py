"""What a new company writes when it follows section 1 of the guide (准备阶段): the
e-commerce start-up of the guide's own example, whose supply-chain tool saves retailers 20%
of their logistics cost."""

from __future__ import annotations

from typing import Any

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.programs import service, value_proposition
from qudao.programs.schemas import ProgramCreate, ValuePropositionContent

PROOF_POINT = "节省20%物流成本"
GUIDE_PROGRAM: dict[str, Any] = {
    "name": "渠道合作计划", "company_name": "云链电商", "industry": "B2B软件 电商平台",
    "currency": "CNY", "default_locale": "zh-CN",
    "company_profile": "一家从零开始的电商平台初创公司。",
}
GUIDE_VP: dict[str, Any] = {
    "product": "供应链优化工具",
    "pains": ["零售商物流成本高", "库存周转慢"],
    "usp": "AI驱动的预测分析，而不是简单的数据存储",
    "features": ["需求预测", "智能调度", "库存优化"],
    "segments": ["中小零售商", "电商卖家"],
    "benefits": [{"claim": PROOF_POINT, "value": "20", "unit": "%",
                  "evidence": "内部测试：供应链优化工具为零售商节省了20%的物流成本"}],
    "competitors": [{"name": "传统物流软件", "their_strengths": "市场占有率高",
                     "their_weaknesses": "没有预测能力", "our_advantage": "AI驱动的预测分析"}],
    "swot": {"strengths": ["AI预测技术"], "weaknesses": ["品牌知名度低"],
             "opportunities": ["全球B2B渠道销售市场超过10万亿美元"],
             "threats": ["大公司进入市场"]},
}


def make_program(db: Database, **fields: Any) -> int:
    with db.unit_of_work() as session:
        data = ProgramCreate.model_validate({**GUIDE_PROGRAM, **fields})
        return service.create_program(session, SYSTEM, data).id


def save_vp(db: Database, program_id: int, note: str | None = None,
            **changes: Any) -> int:
    with db.unit_of_work() as session:
        content = ValuePropositionContent.model_validate({**GUIDE_VP, **changes})
        return value_proposition.save_version(session, SYSTEM, program_id, content,
                                              note).version
