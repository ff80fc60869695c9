"""Small builders for marketplace tests (real services, real engine under a temporary directory)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kechuang.achievements import services as supply_services
from kechuang.achievements.models import TechSupply
from kechuang.core.models import Organisation, TechField
from kechuang.matching import services
from kechuang.matching.models import Demand, OpenCall

BATTERY = "固态锂电池电解质界面稳定性与快充技术"
BATTERY_ABSTRACT = "提出一种硫化物固态电解质表面包覆方法，抑制锂枝晶生长，提高固态电池循环寿命和快充性能。"
CHIP = "低功耗物联网传感器芯片设计"
CHIP_ABSTRACT = "面向工业物联网的低功耗模数转换器与无线传感器芯片，支持边缘计算。"


def supply(owner: Organisation, title: str = BATTERY, abstract: str = BATTERY_ABSTRACT, publish: bool = True,
           **fields: Any) -> TechSupply:  # fmt: skip
    fields.setdefault("keywords", ["固态电池", "电解质"] if title == BATTERY else ["传感器", "芯片"])
    fields.setdefault("trl", 6)
    fields.setdefault("transfer_modes", ["licence", "transfer"])
    fields.setdefault("price_min", Decimal("200000"))
    fields.setdefault("price_max", Decimal("800000"))
    fields.setdefault(
        "tech_fields", [TechField.objects.get(pk="6") if title == BATTERY else TechField.objects.get(pk="1")]
    )
    return supply_services.create_supply(
        None, owner, title=title, abstract=abstract, publish=publish, **fields
    )


def demand(org: Organisation, summary: str = "我们需要提高固态电池电解质的稳定性，解决锂枝晶问题，实现快充。",
           actor: Any = None, **fields: Any) -> Demand:  # fmt: skip
    fields.setdefault("title", "固态电池电解质技术需求")
    fields.setdefault("budget_max", Decimal("1000000"))
    return services.post_demand(actor, org, summary=summary, **fields)


def call(demand_obj: Demand, **fields: Any) -> OpenCall:
    today = dt.date.today()
    fields.setdefault("prize", Decimal("5000000"))
    fields.setdefault("eligibility", "在沪注册的企业或高校院所")
    fields.setdefault("evaluation", "专家评审：技术先进性、可行性、产业化路径")
    fields.setdefault("opens_on", today - dt.timedelta(days=1))
    fields.setdefault("closes_on", today + dt.timedelta(days=30))
    return services.open_call(None, demand_obj, **fields)
