"""Identifier checks: 统一社会信用代码 (GB 32100-2015), ORCID (ISO 7064 11-2), GB/T 2260 region codes.

Pure functions returning the reason a value is wrong (or None), so forms, the API, importers and
the CLI all report the same message.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters, the letters I, O, Z, S, V are never used.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_character(first17: str) -> str:
    """The 18th character that GB 32100-2015 derives from the first 17."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def uscc_problem(value: str) -> Promise | str | None:
    """Why `value` is not a valid 统一社会信用代码, or None when it is."""
    code = normalise_uscc(value)
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
    if not _USCC_SHAPE.match(code):
        return _("The unified social credit code contains characters that GB 32100-2015 does not allow.")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return _(
            "The check character of this unified social credit code is wrong (it should be %(expected)s): "
            "please check the code for a typing error."
        ) % {"expected": expected}
    return None


def make_uscc(first17: str) -> str:
    """Complete a 17-character prefix with its check character (used by the demo generator)."""
    return first17 + uscc_check_character(first17)


_ORCID_SHAPE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def orcid_check_digit(base_digits: str) -> str:
    total = 0
    for ch in base_digits:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value: str) -> str:
    v = (value or "").strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/"):
        if v.startswith(prefix):
            v = v[len(prefix) :]
    return v


def orcid_problem(value: str) -> Promise | str | None:
    v = normalise_orcid(value)
    if not _ORCID_SHAPE.match(v):
        return _("An ORCID iD looks like 0000-0002-1825-0097.")
    digits = v.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        return _("The check digit of this ORCID iD is wrong: please check it for a typing error.")
    return None


def patent_check_character(digits: str) -> str:
    """The check character of a Chinese patent application number (8 or 12 digits): the digits
    weighted 2, 3, … 9, 2, 3, … summed modulo 11, with X for 10. Shared by every app that
    validates patent numbers (supply listings, contract IP items)."""
    weights = (2, 3, 4, 5, 6, 7, 8, 9)
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(digits))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


_REGION_SHAPE = re.compile(r"^\d{6}$")


def region_code_problem(value: str) -> Promise | str | None:
    if not _REGION_SHAPE.match(value or ""):
        return _("A region code is the six-digit GB/T 2260 code, for example 310115 for Pudong.")
    return None
