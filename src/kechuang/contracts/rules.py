"""Technology-contract registration rules in force, as dated configuration.

The review deadlines and the documents cited on each certificate depend on the date a contract is
submitted, so a rule set carries its effective dates and source documents. Adding a new rule set is a
new entry here, never an edit of an old one (old certificates must keep citing what applied to them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleSet:
    code: str
    title: Any  # a lazy translatable string
    documents: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    # Days the registration office has to decide after accepting a submission.
    review_days: int
    # Days a returned contract has to be corrected and resubmitted.
    correction_days: int
    confirmed: bool
    note: str = ""

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        code="2000",
        title=_("Technology contract registration rules 2000/2001"),
        documents=(
            "《技术合同认定登记管理办法》 国科发政字〔2000〕063号",
            "《技术合同认定规则》 国科发政字〔2001〕253号",
        ),
        effective_from=dt.date(2000, 2, 16),
        effective_to=dt.date(2025, 12, 31),
        review_days=30,
        correction_days=30,
        confirmed=True,
        note="Contract types follow 民法典 第三编第二十章 from 2021-01-01.",
    ),
    RuleSet(
        code="2026",
        title=_("Technology contract registration rules 2026"),
        documents=("技术合同认定登记管理办法（2026年修订）",),
        effective_from=dt.date(2026, 1, 1),
        effective_to=None,
        review_days=15,
        correction_days=20,
        # The shared policy catalogue attests only the 2000/2001 documents: the 2026 document number,
        # its exact start date and deadlines are placeholders to be confirmed against the official text.
        confirmed=False,
        note="UNCONFIRMED: document number, start date and deadlines to be verified.",
    ),
)


def rules_in_force(day: dt.date) -> RuleSet:
    for rules in RULE_SETS:
        if rules.in_force_on(day):
            return rules
    raise LookupError(f"No technology-contract registration rules in force on {day.isoformat()}")


def rules_by_code(code: str) -> RuleSet:
    for rules in RULE_SETS:
        if rules.code == code:
            return rules
    raise LookupError(code)
