"""Small filters for the policy pages: pick a language from {zh, en} data, format figures."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def pick(value: Any, lang: str) -> Any:
    """{"zh": …, "en": …}[lang], falling back to Chinese."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh") or ""
    return value


@register.filter
def figure(value: Any, unit: str) -> str:
    """A condition's value or threshold for display."""
    if value is None or value == "":
        return "—"
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.2f}%"
    if unit == "flag":
        return "✓" if value else "✗"
    if unit in ("year", "code") and isinstance(value, int | float):
        return str(int(value))
    if unit == "yuan":
        try:
            return f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
