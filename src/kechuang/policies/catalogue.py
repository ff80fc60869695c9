"""The computable policies: ids, names, documents, conditions as the navigator explains them.

The rules themselves live in `rules/` (OpenFisca); this module says, for each policy, which rule
variables are its conditions, which variable holds the enterprise's value and which the threshold,
what article each cites, and how sure the catalogue is about it ([SRC] / [KNOW] / UNCONFIRMED).
Chinese and English labels are data here (as names of regions are), not interface strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Condition:
    name: str  # the rule variable (FAIL / UNKNOWN / PASS)
    zh: str
    en: str
    cite: str
    tag: str = "[SRC]"
    value: str | None = None  # rule variable with the enterprise's value
    threshold: str | None = None  # rule variable or "param:<path>" with the threshold
    op: str = ">="
    unit: str = "ratio"  # ratio | yuan | count | years | score | flag | year
    review: str = ""  # when unknown: the step a human expert must take (else: the facts are missing)
    facts: tuple[str, ...] = ()  # input facts whose absence makes it unknown
    advice: str = ""  # near-miss advice kind (see navigator.near_miss)


@dataclass(frozen=True)
class Policy:
    id: str
    zh: str
    en: str
    level: str  # national | municipal
    benefit_type: str  # tax | grant | voucher | recognition
    documents: str
    benefit: str | None  # rule variable with the estimated benefit (yuan)
    benefit_is_ceiling: bool = False
    conditions: tuple[Condition, ...] = ()
    unconfirmed: tuple[tuple[str, str], ...] = ()  # (zh, en) items flagged in every verdict
    assumptions: tuple[tuple[str, str], ...] = ()
    review_steps: tuple[tuple[str, str], ...] = ()  # judged at application even when eligible
    tags: tuple[str, ...] = field(default=("[SRC]",))


HNTE = Policy(
    id="hnte", zh="高新技术企业认定（减按15%税率征收企业所得税）",
    en="High and new technology enterprise recognition and the 15% CIT rate",
    level="national", benefit_type="tax", benefit="hnte_benefit",
    documents="国科发火〔2016〕32号；国科发火〔2016〕195号；企业所得税法 第28条 [KNOW]；前身 国科发火〔2008〕172号 [KNOW]",
    conditions=(
        Condition("hnte_years_registered", "注册成立一年以上", "Registered for at least one year",
                  "国科发火〔2016〕32号 第十一条（一）", value="years_registered",
                  threshold="param:hnte.min_years_registered", unit="years", facts=("reg_date",), advice="wait"),
        Condition("hnte_ip", "拥有核心知识产权（I类或II类）", "Owns class I or class II IP",
                  "国科发火〔2016〕32号 第十一条（二）", value="ip_class1", unit="count",
                  facts=("ip_class1", "ip_class2")),
        Condition("hnte_tech_field", "核心技术属于《国家重点支持的高新技术领域》", "Core technology within the 8 supported fields",
                  "国科发火〔2016〕32号 第十一条（三）", value="key_tech_field", unit="flag", op="==",
                  review="专家评审：核心技术领域归属 / expert review of the technology field", facts=("key_tech_field",)),
        Condition("hnte_st_staff", "科技人员占职工总数比例", "S&T staff share of total staff",
                  "国科发火〔2016〕32号 第十一条（四）", value="st_staff_share", threshold="param:hnte.st_staff_ratio",
                  facts=("staff", "st_staff"), advice="staff:st_staff"),
        Condition("hnte_rd_staff", "研发人员占职工总数比例（仅2008年办法）", "R&D staff share (2008 rules only)",
                  "国科发火〔2008〕172号 第十条（三）", value="rd_staff_share", threshold="param:hnte.rd_staff_ratio",
                  tag="[SRC mygjlaw.com]", facts=("staff", "rd_staff"), advice="staff:rd_staff"),
        Condition("hnte_rd_ratio", "近三年研发费用占销售收入比例", "R&D expense / sales revenue over three years",
                  "国科发火〔2016〕32号 第十一条（五）", value="rd_ratio_3y", threshold="hnte_rd_ratio_threshold",
                  facts=("revenue", "rd_expense"), advice="rd_3y:revenue_3y"),
        Condition("hnte_domestic_rd", "境内研发费用占全部研发费用比例", "Domestic share of R&D expense",
                  "国科发火〔2016〕32号 第十一条（五）", value="domestic_rd_share_3y",
                  threshold="param:hnte.domestic_rd_share", facts=("rd_expense_domestic",), advice="domestic_rd"),
        Condition("hnte_high_tech_revenue", "高新技术产品（服务）收入占总收入比例", "High-tech revenue share of total income",
                  "国科发火〔2016〕32号 第十一条（六）", value="high_tech_revenue_share",
                  threshold="param:hnte.high_tech_revenue_ratio", facts=("high_tech_revenue", "total_income"),
                  advice="amount:high_tech_revenue:total_income"),
        Condition("hnte_innovation_score", "企业创新能力评价得分", "Innovation-capacity score",
                  "国科发火〔2016〕32号 第十一条（七）；国科发火〔2016〕195号", value="innovation_score",
                  threshold="param:hnte.innovation_score_min", unit="score",
                  review="专家评审：创新能力评价（知识产权、成果转化、研发管理、成长性）/ expert review of the innovation-capacity score (record it as innovation_score)",
                  facts=("innovation_score",), advice="points"),
        Condition("hnte_no_major_incident", "申请前一年无重大安全、质量事故或严重环境违法", "No major incident in the past year",
                  "国科发火〔2016〕32号 第十一条（八）", value="major_incident_1y", unit="flag", op="== 0",
                  facts=("major_incident_1y",)),
    ),
    assumptions=(
        ("收益按企业自身税制估算：25%、15%与小型微利税率比较取优，不叠加", "Benefit in the enterprise's own regime: 25%, 15% and small-and-low-profit rates compared, the best taken, not stacked"),
        ("应纳税所得额取研发费用加计扣除后的数额", "Taxable income is taken after the R&D super deduction"),
    ),
    unconfirmed=(("与技术转让减半征收不叠加（国税函〔2010〕157号）措辞未核实", "No stacking with the halved rate on technology-transfer income (国税函〔2010〕157号): wording UNCONFIRMED"),),
)  # fmt: skip

RD_SUPER_DEDUCTION = Policy(
    id="rd_super_deduction", zh="研发费用税前加计扣除", en="R&D expense super deduction for CIT",
    level="national", benefit_type="tax", benefit="rd_super_deduction_benefit",
    documents="企业所得税法 第30条；实施条例 第95条；财税〔2015〕119号；财税〔2017〕34号；财税〔2018〕99号；公告2021年第13号；公告2022年第16号；公告2023年第7号；公告2023年第44号",
    conditions=(
        Condition("rdsd_resident", "居民企业", "Resident enterprise", "财税〔2015〕119号 第一条", value="resident",
                  unit="flag", op="==", tag="[KNOW]", facts=("resident",)),
        Condition("rdsd_audited_collection", "查账征收（核定征收不得享受）", "Tax assessed on accounts, not deemed",
                  "财税〔2015〕119号 第四条", value="audited_collection", unit="flag", op="==", tag="[KNOW]",
                  facts=("collection_method",)),
        Condition("rdsd_industry", "不属于负面清单行业", "Not in an excluded industry", "财税〔2015〕119号 第四条",
                  value="industry_division", unit="code", op="not in", facts=("industry_code",)),
        Condition("rdsd_has_rd", "本年有研发费用", "Has R&D expense in the year", "实施条例 第95条", value="rd_expense",
                  unit="yuan", op=">", tag="[KNOW]", facts=("rd_expense",)),
    ),
    assumptions=(
        ("按企业边际税率计算（亏损年度为零，结转以后年度）", "Valued at the firm's marginal rate (zero in a loss year; carried forward)"),
        ("按费用化研发支出估算；委托研发80%、其他相关费用10%限额须由企业先行计算", "Expensed R&D only; the 80% rule for commissioned R&D and the 10% cap on other expenses must be applied beforehand"),
        ("未计2022年第四季度100%的临时政策（公告2022年第28号）", "The 2022 Q4 temporary 100% rate (公告2022年第28号) is not modelled"),
    ),
    unconfirmed=(("2016年以前的行业范围按2015年负面清单近似", "Before 2016 the industry scope is approximated by the 2015 negative list"),),
)  # fmt: skip

TECH_SME = Policy(
    id="tech_sme", zh="科技型中小企业评价（入库）", en="Technology-based SME evaluation and registry",
    level="national", benefit_type="recognition", benefit="tech_sme_benefit",
    documents="国科发政〔2017〕115号；国科火字〔2022〕67号",
    conditions=(
        Condition("ts_scheme_in_force", "评价办法已实施（2017年起）", "Scheme in force (from 2017)", "国科发政〔2017〕115号",
                  value="year", threshold=None, unit="year"),
        Condition("ts_resident", "境内注册的居民企业", "Resident enterprise registered in mainland China",
                  "国科发政〔2017〕115号 第六条（一）", value="resident", unit="flag", op="==", facts=("resident",)),
        Condition("ts_staff", "职工总数不超过500人", "Staff at most 500", "国科发政〔2017〕115号 第六条（二）",
                  value="staff", threshold="param:tech_sme.limits.staff_max", op="<=", unit="count", facts=("staff",), advice="less"),
        Condition("ts_revenue", "年销售收入不超过2亿元", "Revenue at most 200 million yuan", "国科发政〔2017〕115号 第六条（二）",
                  value="revenue", threshold="param:tech_sme.limits.revenue_max", op="<=", unit="yuan", facts=("revenue",), advice="less"),
        Condition("ts_assets", "资产总额不超过2亿元", "Total assets at most 200 million yuan", "国科发政〔2017〕115号 第六条（二）",
                  value="total_assets", threshold="param:tech_sme.limits.assets_max", op="<=", unit="yuan", facts=("total_assets",), advice="less"),
        Condition("ts_integrity", "无重大事故、无失信或经营异常记录", "No major incident and no credit restriction",
                  "国科发政〔2017〕115号 第六条（四）", value="credit_ok", unit="flag", op="==",
                  facts=("major_incident_1y", "credit_ok")),
        Condition("ts_score", "综合评价得分≥60分且科技人员指标得分>0", "Score at least 60 with S&T staff points above zero",
                  "国科发政〔2017〕115号 第六条（五）、第七条", value="tech_sme_score", threshold="param:tech_sme.limits.score_min",
                  unit="score", facts=("st_staff", "rd_expense", "ip_class1", "ip_class2"), advice="points"),
        Condition("ts_direct_route", "直接认定：高企证书、国家级奖励、省部级研发机构或主导标准", "Direct route: HNTE certificate, national award, provincial R&D institution or led a standard",
                  "国科发政〔2017〕115号 第八条", tag="[SRC xiweikeji.com]", value=None, unit="flag",
                  facts=("hnte_cert_valid_until", "national_award_5y", "provincial_rd_institution", "led_standard_5y")),
    ),
    assumptions=(
        ("收益为入库后加计扣除比例提高带来的节税（2023年起普遍为100%，故为零）", "Benefit: tax saved by the higher super-deduction rate the registry number gives (zero from 2023, when 100% became universal)"),
        ("评分或直接认定任一满足即可；产品不属于禁止、限制类须申报时声明", "Score route or any direct route; products outside prohibited categories are declared at application"),
    ),
    unconfirmed=(("2022年指引（国科火字〔2022〕67号）细节未核实；“主导标准 排名前五”未确认", "Details of the 2022 guideline (国科火字〔2022〕67号) unverified; 'led a standard, top five' not confirmed"),),
)  # fmt: skip

TECH_TRANSFER_CIT = Policy(
    id="tech_transfer_cit", zh="符合条件的技术转让所得减免企业所得税", en="CIT relief on qualifying technology-transfer income",
    level="national", benefit_type="tax", benefit="tech_transfer_cit_benefit",
    documents="企业所得税法 第27条（四）；实施条例 第90条；财税〔2010〕111号；财税〔2015〕116号",
    conditions=(
        Condition("ttc_resident", "居民企业", "Resident enterprise", "实施条例 第90条", value="resident", unit="flag", op="==", facts=("resident",)),
        Condition("ttc_income", "本年有技术转让所得", "Technology-transfer income in the year", "实施条例 第90条",
                  value="tech_transfer_income", unit="yuan", op=">", facts=("tech_transfer_income",)),
        Condition("ttc_registered", "技术合同经认定登记", "Contracts registered with the S&T authority",
                  "国科发政字〔2000〕063号 第六条", tag="[KNOW]", value="tech_contracts_registered", unit="flag", op="==",
                  facts=("tech_contracts_registered",)),
    ),
    assumptions=(("所得=转让收入−成本−相关税费；500万元以内免征，超过部分减半", "Income = revenue − cost − taxes; first 5 million exempt, the excess halved"),),
    unconfirmed=(("与15%税率不叠加（国税函〔2010〕157号）措辞未核实", "No stacking with 15% (国税函〔2010〕157号): wording UNCONFIRMED"),),
)  # fmt: skip

TECH_CONTRACT_VAT = Policy(
    id="tech_contract_vat", zh="技术转让、技术开发免征增值税", en="VAT exemption for technology transfer and development",
    level="national", benefit_type="tax", benefit="tech_contract_vat_benefit",
    documents="财税〔2016〕36号 附件3 第一条（二十六）[KNOW]",
    conditions=(
        Condition("tcv_in_force", "增值税制度适用年度（2016年营改增后）", "VAT regime year (after 2016)", "财税〔2016〕36号",
                  tag="[KNOW]", value="year", unit="year"),
        Condition("tcv_turnover", "本年有技术开发、转让、许可合同收入", "Technology development, transfer or licence sales in the year",
                  "财税〔2016〕36号 附件3 第一条（二十六）", tag="[KNOW]", value="tech_contract_turnover", unit="yuan", op=">",
                  facts=("tech_contract_turnover",)),
        Condition("tcv_registered", "合同经省级科技主管部门认定登记", "Contracts registered with the provincial S&T authority",
                  "财税〔2016〕36号 附件3 第一条（二十六）", tag="[KNOW]", value="tech_contracts_registered", unit="flag", op="==",
                  facts=("tech_contracts_registered",)),
    ),
    assumptions=(("一般纳税人按6%估算；技术咨询、服务仅在同一张发票上作为附属项目时免税", "General taxpayer at 6%; consulting or service only when ancillary on the same invoice"),),
)  # fmt: skip

_SLG_UNCONFIRMED = (
    (
        "资助金额（小巨人≤300万元，培育≤150万元）来自二手资料，未核实",
        "Grant amounts (≤3m Little Giant, ≤1.5m cultivation) come from secondary sources and are UNCONFIRMED",
    ),
)
_SLG_REVIEW = (
    (
        "专家评审：管理规范、研发机构、知识产权保护与激励机制",
        "Expert review at application: management, R&D institution, IP protection and incentives",
    ),
)


def _little_giant(pid: str, prefix: str, tier: str, zh: str, en: str) -> Policy:
    common = (
        Condition(
            "slg_rules_modelled",
            "规则覆盖年度（2021年起）",
            "Year covered by the modelled rules (from 2021)",
            "沪科规〔2021〕12号",
            value="year",
            unit="year",
        ),
        Condition(
            "slg_in_shanghai",
            "在上海注册",
            "Registered in Shanghai",
            "2023年度申报指南",
            value="in_shanghai",
            unit="flag",
            op="==",
            facts=("region",),
        ),
        Condition(
            "slg_years_registered",
            "注册满3年",
            "Registered for at least 3 years",
            "2023年度申报指南",
            value="years_registered",
            threshold="param:sh_little_giant.common.min_years_registered",
            unit="years",
            facts=("reg_date",),
            advice="wait",
        ),
        Condition(
            "slg_hnte",
            "有效期内的高新技术企业",
            "Holds a valid HNTE certificate",
            "2023年度申报指南",
            value="hnte_certificate_valid",
            unit="flag",
            op="==",
            facts=("hnte_cert_valid_until",),
        ),
        Condition(
            "slg_credit",
            "信用良好",
            "No credit restrictions",
            "2023年度申报指南",
            value="credit_ok",
            unit="flag",
            op="==",
            facts=("credit_ok",),
        ),
        Condition(
            "slg_not_listed",
            "非上市企业",
            "Not listed",
            "2023年度申报指南",
            value="is_listed",
            unit="flag",
            op="== 0",
            facts=("is_listed",),
        ),
    )
    tiered = (
        Condition(
            f"{prefix}_rd_staff",
            "研发人员占比（制造业/软件和技术服务业）",
            "R&D staff share (manufacturing / software and services)",
            "2023年度申报指南",
            value="rd_staff_share",
            threshold=f"{prefix}_rd_staff_threshold",
            facts=("staff", "rd_staff", "industry_code"),
            advice="staff:rd_staff",
        ),
        Condition(
            f"{prefix}_rd_ratio",
            "近三年研发费用占主营业务收入比例",
            "3-year R&D / main business revenue",
            "2023年度申报指南",
            value="mbr_rd_ratio_3y",
            threshold=f"param:sh_little_giant.{tier}.rd_ratio",
            facts=("rd_expense", "main_business_revenue"),
            advice="rd_3y:main_business_revenue_3y",
        ),
        Condition(
            f"{prefix}_revenue_band",
            "主营业务收入区间（含上下限）",
            "Main business revenue band (inclusive)",
            "2023年度申报指南",
            value="main_business_revenue",
            threshold=f"param:sh_little_giant.{tier}.revenue_min",
            unit="yuan",
            facts=("main_business_revenue",),
            advice="more",
        ),
        Condition(
            f"{prefix}_growth",
            "主营收入或净利润复合增长率≥20%，或股权融资超过下限",
            "Revenue or profit CAGR ≥ 20%, or equity financing above the floor",
            "2023年度申报指南；奉贤区通知（CAGR公式）",
            value="main_business_revenue_cagr",
            threshold=f"param:sh_little_giant.{tier}.growth_min",
            facts=("main_business_revenue", "net_profit", "equity_financing_3y"),
        ),
    )
    return Policy(
        id=pid, zh=zh, en=en, level="municipal", benefit_type="grant", benefit=f"{pid}_benefit", benefit_is_ceiling=True,
        documents="沪科规〔2021〕12号《上海市科技小巨人工程实施办法》；2023年度申报指南 [SRC]",
        conditions=common + tiered, unconfirmed=_SLG_UNCONFIRMED, review_steps=_SLG_REVIEW,
        assumptions=(("“事前立项、事后补助”，金额为上限", "Approved first, paid afterwards; the amount is a ceiling"),),
    )  # fmt: skip


SH_LITTLE_GIANT = _little_giant(
    "sh_little_giant", "slg", "giant", "上海市科技小巨人企业", "Shanghai S&T Little Giant enterprise"
)
SH_LITTLE_GIANT_CULTIVATION = _little_giant(
    "sh_little_giant_cultivation",
    "slgc",
    "cultivation",
    "上海市科技小巨人培育企业",
    "Shanghai S&T Little Giant cultivation enterprise",
)

SMALL_MICRO = Policy(
    id="small_micro", zh="小型微利企业所得税优惠", en="Small and low-profit enterprise CIT relief",
    level="national", benefit_type="tax", benefit="small_micro_benefit",
    documents="财税〔2019〕13号；公告2021年第12号；公告2022年第13号；公告2023年第6号；公告2023年第12号",
    conditions=(
        Condition("sm_rules_modelled", "规则覆盖年度（2019年起）", "Year covered by the modelled rules (from 2019)", "财税〔2019〕13号", value="year", unit="year"),
        Condition("sm_taxable_income", "应纳税所得额不超过300万元（加计扣除后）", "Taxable income at most 3 million (after the super deduction)",
                  "财税〔2019〕13号 第二条", value="taxable_income_after_deduction",
                  threshold="param:small_micro.limits.taxable_income_max", op="<=", unit="yuan", facts=("taxable_income",), advice="less"),
        Condition("sm_staff", "从业人数不超过300人", "Staff at most 300", "财税〔2019〕13号 第二条", value="staff",
                  threshold="param:small_micro.limits.staff_max", op="<=", unit="count", facts=("staff",), advice="less"),
        Condition("sm_assets", "资产总额不超过5000万元", "Total assets at most 50 million", "财税〔2019〕13号 第二条", value="total_assets",
                  threshold="param:small_micro.limits.assets_max", op="<=", unit="yuan", facts=("total_assets",), advice="less"),
    ),
    assumptions=(
        ("不与15%税率叠加，取较优者", "Not stacked with the 15% rate; the better one is taken"),
        ("从业人数、资产总额按年度数近似全年季度平均值", "Staff and assets use the year figure as the quarterly average"),
    ),
)  # fmt: skip

SH_INNOVATION_VOUCHER = Policy(
    id="sh_innovation_voucher", zh="上海市科技创新券", en="Shanghai S&T innovation voucher",
    level="municipal", benefit_type="voucher", benefit="sh_innovation_voucher_benefit", benefit_is_ceiling=True,
    documents="《上海市科技创新券管理办法》（文号及现行版本未核实 UNCONFIRMED）",
    conditions=(
        Condition("siv_in_shanghai", "在上海注册", "Registered in Shanghai", "《上海市科技创新券管理办法》", tag="UNCONFIRMED",
                  value="in_shanghai", unit="flag", op="==", facts=("region",)),
        Condition("siv_sme_staff", "中小企业：从业人员少于1000人", "SME: fewer than 1,000 staff", "工信部联企业〔2011〕300号", tag="[KNOW]",
                  value="staff", threshold="param:sh_innovation_voucher.caps.sme_staff_max", op="<", unit="count", facts=("staff",)),
        Condition("siv_sme_revenue", "中小企业：营业收入低于4亿元", "SME: revenue below 400 million", "工信部联企业〔2011〕300号", tag="[KNOW]",
                  value="revenue", threshold="param:sh_innovation_voucher.caps.sme_revenue_max", op="<", unit="yuan", facts=("revenue",)),
    ),
    unconfirmed=(("额度（企业≤30万元/年，团队≤10万元/年，≤合同额50%）来自区级资料，未与官方文本核对", "Caps (enterprise ≤300k/yr, team ≤100k/yr, ≤50% of the contract) come from a district deck, not checked against the official text"),),
    assumptions=(("服务须向平台登记的服务机构购买", "Services must be bought from platform-listed providers"),),
)  # fmt: skip

POLICIES: tuple[Policy, ...] = (
    HNTE, RD_SUPER_DEDUCTION, TECH_SME, TECH_TRANSFER_CIT, TECH_CONTRACT_VAT, SH_LITTLE_GIANT,
    SH_LITTLE_GIANT_CULTIVATION, SMALL_MICRO, SH_INNOVATION_VOUCHER,
)  # fmt: skip
BY_ID = {p.id: p for p in POLICIES}
