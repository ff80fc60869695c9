"""The few named demo organisations the accounts are bound to. Their credit codes are fixed (and
generated: not the real codes) so the accounts step and other apps' steps can find them."""

from __future__ import annotations

from kechuang.core.identifiers import make_uscc

# A high-tech enterprise in Pudong with full facts for 2020-2022 (the enterprise demo account's own).
ENTERPRISE_USCC = make_uscc("91310115MA1FL0001")
ENTERPRISE_NAME = "上海浦江智芯科技有限公司"
ENTERPRISE_NAME_EN = "Shanghai Pujiang Smart Chip Technology Co., Ltd. (synthetic)"

# A real university from the NSFC corpus; the credit code is generated, not its real one.
UNIVERSITY_USCC = make_uscc("12310000MB2FL0001")
UNIVERSITY_NAME = "上海交通大学"
UNIVERSITY_NAME_EN = "Shanghai Jiao Tong University"

# A technology transfer service provider (synthetic).
PROVIDER_USCC = make_uscc("91310104MA1FL0002")
PROVIDER_NAME = "上海浦江技术转移服务有限公司"
PROVIDER_NAME_EN = "Shanghai Pujiang Technology Transfer Services Co., Ltd. (synthetic)"
