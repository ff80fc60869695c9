"""P4a 技术转让所得减免 (实施条例第九十条) and P4b 技术合同增值税免征 (财税〔2016〕36号 附件3 第一条（二十六）)."""

from __future__ import annotations

import numpy as np

from .base import PASS, UNKNOWN, Money, Tri, all_of, constant, is_yes, tri

VAT_FIRST_YEAR = 2016  # 营改增: before it, technology contracts were exempt from business tax instead


class ttc_resident(Tri):
    label = "Resident enterprise"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("resident", period))


class ttc_income(Tri):
    label = "Has qualifying technology-transfer income in the year"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        income = enterprise("tech_transfer_income", period)
        return tri(~np.isnan(income), income > 0)


class ttc_registered(Tri):
    label = "Transfer contracts registered with the S&T authority (国科发政字〔2000〕063号 第六条)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("tech_contracts_registered", period))


class tech_transfer_cit(Tri):
    label = "CIT exemption and halving for technology-transfer income (技术转让所得减免)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in TTC_CONDITIONS))


TTC_CONDITIONS = ("ttc_resident", "ttc_income", "ttc_registered")


class tcv_in_force(Tri):
    label = "VAT regime in force for the year (营改增 from 2016)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return constant(enterprise.count, PASS if period.start.year >= VAT_FIRST_YEAR else UNKNOWN)


class tcv_turnover(Tri):
    label = "Has technology development, transfer or licence sales in the year"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        turnover = enterprise("tech_contract_turnover", period)
        return tri(~np.isnan(turnover), turnover > 0)


class tcv_registered(Tri):
    label = "Contracts registered with the provincial S&T authority"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("tech_contracts_registered", period))


class tech_contract_vat(Tri):
    label = "VAT exemption for technology development and transfer (技术合同免征增值税)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in TCV_CONDITIONS))


TCV_CONDITIONS = ("tcv_in_force", "tcv_turnover", "tcv_registered")


class tech_contract_vat_benefit(Money):
    label = "Output VAT avoided (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        when = period if period.start.year >= VAT_FIRST_YEAR else f"{VAT_FIRST_YEAR}"
        return enterprise("tech_contract_turnover", period) * parameters(when).tech_contract_vat.vat_rate
