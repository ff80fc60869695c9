"""Runs the demo steps in order: each in one transaction, recorded in DemoStep, skipped when done."""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType

from django.db import transaction

from kechuang.core import audit

from .context import DemoContext
from .models import DemoStep
from .steps import STEPS, step_module


@dataclass
class StepResult:
    name: str
    status: str  # done | skipped | missing | blocked | failed | stale
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = ""


def _run_one(ctx: DemoContext, name: str, module: ModuleType, existing: DemoStep | None) -> StepResult:
    step_ctx = ctx.for_step(name)
    started = time.perf_counter()
    # One transaction per step: a crash leaves the database as it was before the step, with no
    # DemoStep row, so the next run retries exactly this step.
    with transaction.atomic():
        if existing is not None:
            module.unload(step_ctx)
            existing.delete()
        counts = module.load(step_ctx) or {}
        seconds = round(time.perf_counter() - started, 2)
        row = DemoStep.objects.create(
            name=name, version=int(module.VERSION), seed=ctx.seed, scale=ctx.scale, seconds=seconds,
            counts={k: int(v) for k, v in counts.items()},
        )  # fmt: skip
        # Rows were bulk-created: one audit entry per step stands for the batch.
        audit.record(
            None, "demo.load", row, None, {"version": row.version, "seed": ctx.seed, "counts": row.counts}
        )
    return StepResult(name, "done", row.counts, seconds)


def run_steps(ctx: DemoContext, names: Sequence[str] | None = None) -> list[StepResult]:
    """Run every registered step (or `names`, in registry order) that has not completed yet."""
    wanted = [n for n in STEPS if names is None or n in names]
    if names is not None:
        wanted += [n for n in names if n not in STEPS]  # steps given explicitly (tests) run last
    done = {s.name: s for s in DemoStep.objects.all()}
    results: list[StepResult] = []
    for name in wanted:
        module = step_module(name)
        if module is None:
            results.append(StepResult(name, "missing", message="no module yet"))
            continue
        existing = done.get(name)
        if existing is not None and existing.version == module.VERSION:
            note = "already loaded"
            if (existing.seed, existing.scale) != (ctx.seed, ctx.scale):
                note += f" with seed {existing.seed}, scale {existing.scale} (--reset reloads)"
            results.append(StepResult(name, "skipped", existing.counts, message=note))
            continue
        if existing is not None and not hasattr(module, "unload"):
            results.append(
                StepResult(name, "stale", existing.counts,
                           message=f"loaded at version {existing.version}, code is {module.VERSION}: use --reset")
            )  # fmt: skip
            continue
        missing = [d for d in getattr(module, "DEPENDS", []) if d not in done]
        if missing:
            results.append(StepResult(name, "blocked", message="needs " + ", ".join(missing)))
            continue
        try:
            result = _run_one(ctx, name, module, existing)
        except Exception as exc:  # a failing step must not stop independent ones; it is retried next run
            detail = traceback.format_exc()
            results.append(StepResult(name, "failed", message=f"{type(exc).__name__}: {exc}\n{detail}"))
            continue
        done[name] = DemoStep.objects.get(name=name)
        results.append(result)
    return results
