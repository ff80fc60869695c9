"""Input facts (the policy catalogue's fact names) and the facts derived from them."""

from __future__ import annotations

import numpy as np

from .base import Flag, Money, Number

# -- money, yuan ---------------------------------------------------------------------------------


class revenue(Money):
    label = "Sales revenue (销售收入)"


class total_income(Money):
    label = "Total income less non-taxable income (收入总额 − 不征税收入)"


class main_business_revenue(Money):
    label = "Main business revenue (主营业务收入)"


class rd_expense(Money):
    label = "Eligible R&D expense (研发费用)"


class rd_expense_domestic(Money):
    label = "R&D expense incurred in China (境内研发费用)"


class cost_expense(Money):
    label = "Total costs and expenses (成本费用总额)"


class high_tech_revenue(Money):
    label = "High-tech products and services revenue (高新技术产品（服务）收入)"


class total_assets(Money):
    label = "Total assets (资产总额)"


class net_assets(Money):
    label = "Net assets (净资产)"


class taxable_income(Money):
    label = "Taxable income before the R&D super deduction (应纳税所得额，加计扣除前)"


class net_profit(Money):
    label = "Net profit (净利润)"


class equity_financing_3y(Money):
    label = "Equity financing over the last three years (近三年股权融资额)"


class tech_transfer_income(Money):
    label = "Qualifying technology-transfer income: revenue − cost − taxes (技术转让所得)"


class tech_contract_turnover(Money):
    label = "Price of technology development / transfer / licence contracts invoiced in the year"


class voucher_service_spend(Money):
    label = "Spending on innovation-voucher eligible services in the year"


# -- counts and scores -----------------------------------------------------------------------------


class staff(Number):
    label = "Total staff (职工总数)"


class st_staff(Number):
    label = "Science and technology staff (科技人员)"


class rd_staff(Number):
    label = "R&D staff (研发人员)"


class ip_class1(Number):
    label = "Class I intellectual property items (I类知识产权)"


class ip_class2(Number):
    label = "Class II intellectual property items (II类知识产权)"


class innovation_score(Number):
    label = "Expert innovation-capacity score out of 100 (创新能力评价得分)"


class years_registered(Number):
    label = "Whole years since registration at the end of the year (注册年限)"


class industry_division(Number):
    label = "GB/T 4754-2017 division, two digits (行业大类)"


# -- yes / no --------------------------------------------------------------------------------------


class resident(Flag):
    label = "Resident enterprise (居民企业)"


class audited_collection(Flag):
    label = "Income tax assessed on accounts (查账征收)"


class in_shanghai(Flag):
    label = "Registered in Shanghai"


class is_listed(Flag):
    label = "Listed company"


class credit_ok(Flag):
    label = "No credit restrictions"


class major_incident_1y(Flag):
    label = "Major safety, quality or environmental incident in the past year"


class hnte_certificate_valid(Flag):
    label = "Holds an HNTE certificate valid through the year end"


class tech_sme_registered(Flag):
    label = "Holds a technology-based SME registry number for the year"


class national_award_5y(Flag):
    label = "National S&T award in the last 5 years, top 3 of the awarded entities"


class provincial_rd_institution(Flag):
    label = "Recognised provincial- or ministerial-level R&D institution"


class led_standard_5y(Flag):
    label = "Led drafting of an international, national or industry standard in the last 5 years"


class ic_or_machine_tool_listed(Flag):
    label = "On the annual list of IC or industrial machine-tool enterprises (公告2023年第44号)"


class key_tech_field(Flag):
    label = "Core technology within the 8 state-supported high-tech fields (reviewed)"


class tech_contracts_registered(Flag):
    label = "Technology contracts registered with the S&T authority (技术合同认定登记)"


# -- derived ---------------------------------------------------------------------------------------

MANUFACTURING_DIVISIONS = (13, 43)  # GB/T 4754-2017 section C


class is_manufacturing(Flag):
    label = "Manufacturing enterprise (GB/T 4754-2017 section C, divisions 13–43)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        div = enterprise("industry_division", period)
        lo, hi = MANUFACTURING_DIVISIONS
        return np.where(np.isnan(div), np.nan, (div >= lo) & (div <= hi))


def _three_year_sum(enterprise, period, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Sum over the year and the two before; a year before registration counts as zero
    (国科发火〔2016〕32号: "or the actual operating period if shorter"), any other gap stays missing."""
    age = enterprise("years_registered", period)
    total = enterprise(name, period).copy()
    for back in (1, 2):
        earlier = enterprise(name, period.offset(-back))
        not_yet_registered = np.isnan(earlier) & (age <= back)
        total = total + np.where(not_yet_registered, 0.0, earlier)
    return total


class revenue_3y(Money):
    label = "Sales revenue over the last three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _three_year_sum(enterprise, period, "revenue")


class rd_expense_3y(Money):
    label = "R&D expense over the last three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _three_year_sum(enterprise, period, "rd_expense")


class rd_expense_domestic_3y(Money):
    label = "Domestic R&D expense over the last three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _three_year_sum(enterprise, period, "rd_expense_domestic")


class main_business_revenue_3y(Money):
    label = "Main business revenue over the last three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _three_year_sum(enterprise, period, "main_business_revenue")


def cagr_2y(enterprise, period, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """(X_y / X_{y−2})^(1/2) − 1 (奉贤 notice); NaN when missing, −inf when the base is not positive."""
    now = enterprise(name, period)
    base = enterprise(name, period.offset(-2))
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.sqrt(np.where(base > 0, now / base, np.nan)) - 1
    return np.where(np.isnan(now) | np.isnan(base), np.nan, np.where(base > 0, growth, -np.inf))


class main_business_revenue_cagr(Number):
    label = "Two-year compound growth of main business revenue"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return cagr_2y(enterprise, period, "main_business_revenue")


class net_profit_cagr(Number):
    label = "Two-year compound growth of net profit"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return cagr_2y(enterprise, period, "net_profit")


class year(Number):
    label = "The fiscal year"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return np.full(enterprise.count, float(period.start.year))
