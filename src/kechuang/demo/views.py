"""The demo dataset's status page for platform staff: which steps are loaded, and the report's
figures recomputed from the rows beside their targets (the calibration check)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.permissions import is_staff

from . import queries
from .models import DemoStep
from .steps import STEPS, step_module


def status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not is_staff(request.user):
        raise PermissionDenied
    loaded = {s.name: s for s in DemoStep.objects.all()}
    steps = [
        {"name": name, "available": step_module(name) is not None, "row": loaded.get(name)} for name in STEPS
    ]
    figures = []
    if "core" in loaded:
        values = queries.report_figures()
        figures = [
            {"key": k, "value": v, "target": queries.REPORT_TARGETS.get(k, "")} for k, v in values.items()
        ]
    return render(
        request, "demo/status.html", {"steps": steps, "figures": figures, "core": loaded.get("core")}
    )
