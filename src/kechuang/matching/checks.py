"""Checks `kechuang check` runs through Django's check registry (tag "kechuang_files"), so that core
reports the index's leftovers without importing this app."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

TAG = "kechuang_files"


@checks.register(TAG, deploy=True)
def index_leftovers_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .engine import index_leftovers

    found = index_leftovers()
    if not found:
        return []
    sample = ", ".join(p.name for p in found[:5]) + (" …" if len(found) > 5 else "")
    message = format_lazy(
        _("A killed reindex left {n} items in the search index directory: {sample}. A server start removes "
          "them, or run `kechuang reindex`."), n=len(found), sample=sample,
    )  # fmt: skip
    # A lazy message: `kechuang check` shows it in the language asked for.
    return [checks.Warning(message, id="matching.W001")]  # type: ignore[arg-type]
