"""Chinese patent application numbers (专利申请号 / 专利号), checked with their check character.

Since 2003-10-01 the number is 12 digits (year, type, 7-digit serial) plus a check character; before,
8 digits (two-digit year, type, 5-digit serial). The check character is the sum of the digits times
2, 3, 4, … 9, 2, 3, … modulo 11, written X for 10. A granted patent is the same number prefixed ZL.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from kechuang.core.identifiers import patent_check_character

_SHAPE = re.compile(r"^(?:ZL|CN)?(\d{8}|\d{12})\.?([\dX])$")
PATENT_TYPES = {
    "1": "invention",
    "2": "utility_model",
    "3": "design",
    "8": "pct_invention",
    "9": "pct_utility_model",
}


def _format(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


_lazy_format = lazy(_format, str)


def lazy_format(message: Any, **params: Any) -> Any:
    """A translatable message with its parameters, rendered in whichever language reads it."""
    return _lazy_format(message, params)


def normalise_patent_number(value: str) -> str:
    """`ZL 2017 1 0601862.3` → `ZL201710601862.3` (keeps the ZL/CN prefix when given)."""
    v = re.sub(r"[\s\u00b7·]", "", (value or "").upper()).replace("。", ".")
    m = _SHAPE.match(v)
    if not m:
        return v
    prefix = v[:2] if v[:2] in {"ZL", "CN"} else ""
    return f"{prefix}{m.group(1)}.{m.group(2)}"


def patent_number_problem(value: str) -> Promise | str | None:
    """Why `value` is not a valid Chinese patent (application) number, or None."""
    v = normalise_patent_number(value)
    m = _SHAPE.match(v)
    if not m:
        return _(
            "A Chinese patent number looks like ZL201710601862.3 (12 digits, a dot and a check character)."
        )
    digits, check = m.group(1), m.group(2)
    kind = digits[4] if len(digits) == 12 else digits[2]
    if kind not in PATENT_TYPES:
        return _("The patent type digit must be 1, 2, 3, 8 or 9.")
    expected = patent_check_character(digits)
    if check != expected:
        return lazy_format(
            _(
                "The check character of this patent number is wrong (it should be %(expected)s): "
                "please check the number for a typing error."
            ),
            expected=expected,
        )
    return None
