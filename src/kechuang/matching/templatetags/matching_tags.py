"""`{% index_progress %}`: a progress bar wherever results are ranked while embedding still runs."""

from __future__ import annotations

from typing import Any

from django import template

from kechuang.matching.queries import index_progress as read_progress

register = template.Library()


@register.inclusion_tag("matching/_index_progress.html")
def index_progress() -> dict[str, Any]:
    return {"progress": read_progress()}
