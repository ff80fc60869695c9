"""Demo dataset API: /api/v1/demo/… (platform staff only): loaded steps and the calibration figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from kechuang.core.permissions import is_staff

from . import queries
from .models import DemoStep

router = Router()


class StepOut(Schema):
    name: str
    version: int
    seed: int
    scale: float
    completed_at: datetime
    seconds: float
    counts: dict[str, int]


class FigureOut(Schema):
    key: str
    value: str
    target: str


def _staff(request: HttpRequest) -> None:
    if not is_staff(request.user):  # token and session auth both set request.user
        raise PermissionDenied


@router.get("/steps", response=list[StepOut])
def list_steps(request: HttpRequest) -> Any:
    _staff(request)
    return list(DemoStep.objects.order_by("completed_at"))


@router.get("/figures", response=list[FigureOut])
def figures(request: HttpRequest) -> Any:
    """The report's figures recomputed from the rows (decimals as strings), with the full-scale target."""
    _staff(request)
    return [
        {"key": k, "value": str(v), "target": queries.REPORT_TARGETS.get(k, "")}
        for k, v in queries.report_figures().items()
    ]
