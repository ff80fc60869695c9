"""Tax benefits of one technology contract, for the contracts app (see docs/policies.md).

Uses the same dated parameters as the rules: 财税〔2016〕36号 附件3 (VAT) and 实施条例 第九十条 (CIT).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

VAT_TYPES = {"development", "transfer", "licence"}  # 技术开发, 技术转让, 技术许可
ANCILLARY_TYPES = {"consulting", "service"}  # 技术咨询, 技术服务: exempt only on the same invoice
CIT_TYPES = {"transfer", "licence"}
CONTRACT_TYPES = VAT_TYPES | ANCILLARY_TYPES
CENT = Decimal("0.01")


def contract_benefits(
    contract_type: str,
    price: Decimal,
    registered: bool,
    year: int,
    transfer_income: Decimal | None = None,
    ancillary_same_invoice: bool = False,
    cit_rate: Decimal = Decimal("0.25"),
    licence_years: int | None = None,
) -> dict[str, Any]:
    """VAT exemption and CIT relief for one contract; amounts in Decimal yuan, each with reasons.

    `transfer_income` is revenue − cost − related taxes of the transfer (None: not computed);
    `cit_rate` is the enterprise's marginal rate (0.25, 0.15 for an HNTE…); licences count for the
    CIT relief only when granted for at least 5 years (财税〔2015〕116号)."""
    from .rules import baseline  # the rules load once, when first needed (the certificate imports this)

    if contract_type not in CONTRACT_TYPES:
        raise ValueError(f"contract_type must be one of {sorted(CONTRACT_TYPES)}")
    params = baseline().get_parameters_at_instant(f"{max(year, 2016)}-01-01")
    reasons: list[dict[str, str]] = []
    vat_type_ok = contract_type in VAT_TYPES or (contract_type in ANCILLARY_TYPES and ancillary_same_invoice)
    vat_ok = vat_type_ok and registered and year >= 2016
    if not vat_type_ok:
        reasons.append(
            {
                "zh": "技术咨询、服务须与技术转让或开发开具在同一张发票上方可免税",
                "en": "Consulting or service is exempt only as an ancillary line on the same invoice as a transfer or development",
            }
        )
    if not registered:
        reasons.append(
            {
                "zh": "合同未经认定登记，不能享受技术合同税收优惠",
                "en": "Unregistered contracts get no technology-contract tax relief (国科发政字〔2000〕063号 第六条)",
            }
        )
    vat_rate = Decimal(str(params.tech_contract_vat.vat_rate))
    vat_saved = (Decimal(price) * vat_rate).quantize(CENT, ROUND_HALF_UP) if vat_ok else Decimal("0.00")

    cit_ok = (
        contract_type in CIT_TYPES
        and registered
        and (contract_type != "licence" or (licence_years or 0) >= 5)
    )
    if contract_type == "licence" and (licence_years or 0) < 5:
        reasons.append(
            {
                "zh": "许可期限不足5年，不适用技术转让所得减免",
                "en": "A licence under 5 years does not qualify for the transfer-income relief",
            }
        )
    cit_saved: Decimal | None = None
    if cit_ok and transfer_income is not None:
        cap = Decimal(str(params.tech_transfer_cit.exempt_cap))
        excess_rate = Decimal(str(params.tech_transfer_cit.excess_rate))
        income = max(Decimal(transfer_income), Decimal(0))
        exempt = min(income, cap)
        cit_saved = (
            exempt * cit_rate + (income - exempt) * max(cit_rate - excess_rate, Decimal(0))
        ).quantize(CENT, ROUND_HALF_UP)
    return {
        "vat_exempt": vat_ok, "vat_saved": vat_saved, "vat_cite": "财税〔2016〕36号 附件3 第一条（二十六） [KNOW]",
        "cit_relief": cit_ok, "cit_saved": cit_saved,
        "cit_cite": "企业所得税法实施条例 第九十条；财税〔2010〕111号；财税〔2015〕116号 [SRC/KNOW]",
        "reasons": reasons,
    }  # fmt: skip
