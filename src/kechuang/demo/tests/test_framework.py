"""The step runner: ordering, skipping completed steps, rollback of a failing step, per-step seeds."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kechuang.core.models import AuditEntry, Organisation, Region, User
from kechuang.demo.accounts import ACCOUNTS
from kechuang.demo.context import DemoContext, step_random
from kechuang.demo.models import DemoStep
from kechuang.demo.runner import run_steps
from kechuang.demo.steps import STEPS, step_module


@pytest.fixture
def fake_step() -> Iterator[Callable[..., types.ModuleType]]:
    """Register a throw-away step module `kechuang.demo.<name>` for one test."""
    names: list[str] = []

    def make(name: str, load: Callable[[DemoContext], dict[str, int]], depends: list[str] | None = None,
             version: int = 1) -> types.ModuleType:  # fmt: skip
        full = f"kechuang.demo.{name}"
        mod = types.ModuleType(full)
        mod.__spec__ = importlib.machinery.ModuleSpec(full, None)
        mod.VERSION = version  # type: ignore[attr-defined]
        mod.DEPENDS = depends or []  # type: ignore[attr-defined]
        mod.load = load  # type: ignore[attr-defined]
        sys.modules[full] = mod
        names.append(full)
        return mod

    yield make
    for full in names:
        sys.modules.pop(full, None)


def _make_region_rows(ctx: DemoContext) -> dict[str, int]:
    from kechuang.core.identifiers import make_uscc

    n = 3
    for i in range(n):
        Organisation.objects.create(
            uscc=make_uscc(f"91310115TEST{i:05d}".replace("S", "5").replace("T", "7").replace("E", "3")),
            name=f"fake {ctx.random.randint(0, 10**9)}", region=Region.objects.get(pk="310115"),
        )  # fmt: skip
    return {"organisations": n}


def test_registry_lists_core_first_and_unwritten_steps_are_skipped(db: Any) -> None:
    assert STEPS[0] == "core" and STEPS.index("accounts") < STEPS.index("marketplace")
    assert STEPS.index("marketplace") < STEPS.index("policies") < STEPS.index("contracts")
    assert step_module("no_such_step_yet") is None
    results = run_steps(DemoContext(quiet=True, scale=0.01), ["no_such_step_yet"])
    assert [(r.name, r.status) for r in results] == [("no_such_step_yet", "missing")]


def test_step_random_depends_on_seed_and_name_only() -> None:
    a = [step_random(7, "core").random() for _ in range(1)]
    assert a == [step_random(7, "core").random()]
    assert step_random(7, "core").random() != step_random(8, "core").random()
    assert step_random(7, "core").random() != step_random(7, "contracts").random()


def test_completed_step_is_skipped_and_data_kept(db: Any, fake_step: Callable[..., Any]) -> None:
    calls: list[int] = []

    def load(ctx: DemoContext) -> dict[str, int]:
        calls.append(1)
        return _make_region_rows(ctx)

    fake_step("fake_once", load)
    ctx = DemoContext(quiet=True)
    first = run_steps(ctx, ["fake_once"])
    assert [r.status for r in first] == ["done"] and first[0].counts == {"organisations": 3}
    second = run_steps(ctx, ["fake_once"])
    assert [r.status for r in second] == ["skipped"]
    assert calls == [1]
    assert Organisation.objects.filter(name__startswith="fake").count() == 3
    step = DemoStep.objects.get(name="fake_once")
    assert step.counts == {"organisations": 3} and step.version == 1
    assert AuditEntry.objects.filter(action="demo.load", object_id=str(step.pk)).exists()


def test_failing_step_rolls_back_keeps_earlier_steps_and_is_retried(
    db: Any, fake_step: Callable[..., Any]
) -> None:
    fake_step("fake_good", _make_region_rows)
    attempts: list[int] = []

    def crash_half_way(ctx: DemoContext) -> dict[str, int]:
        attempts.append(1)
        Organisation.objects.create(uscc="91310115MA1FL9999".ljust(17, "0")[:17] + "X", name="half",
                                    region=Region.objects.get(pk="310115"))  # fmt: skip
        if len(attempts) == 1:
            raise RuntimeError("disk full")
        return {"organisations": 1}

    fake_step("fake_crash", crash_half_way, depends=["fake_good"])
    fake_step("fake_after", lambda ctx: {"nothing": 0}, depends=["fake_crash"])
    ctx = DemoContext(quiet=True)
    results = {r.name: r for r in run_steps(ctx, ["fake_good", "fake_crash", "fake_after"])}
    assert results["fake_good"].status == "done"
    assert results["fake_crash"].status == "failed" and "disk full" in results["fake_crash"].message
    assert results["fake_after"].status == "blocked"
    assert not Organisation.objects.filter(name="half").exists()  # the half-done work is gone
    assert Organisation.objects.filter(name__startswith="fake").count() == 3  # earlier step intact
    assert set(DemoStep.objects.values_list("name", flat=True)) == {"fake_good"}

    retry = {r.name: r.status for r in run_steps(ctx, ["fake_good", "fake_crash", "fake_after"])}
    assert retry == {"fake_good": "skipped", "fake_crash": "done", "fake_after": "done"}
    assert Organisation.objects.filter(name="half").count() == 1


def test_new_version_without_unload_is_reported_stale(db: Any, fake_step: Callable[..., Any]) -> None:
    fake_step("fake_v", lambda ctx: {"x": 1}, version=1)
    run_steps(DemoContext(quiet=True), ["fake_v"])
    fake_step("fake_v", lambda ctx: {"x": 2}, version=2)
    [result] = run_steps(DemoContext(quiet=True), ["fake_v"])
    assert result.status == "stale" and "--reset" in result.message


def test_new_version_with_unload_replaces_the_rows(db: Any, fake_step: Callable[..., Any]) -> None:
    loaded: list[int] = []
    unloaded: list[int] = []
    fake_step("fake_u", lambda ctx: loaded.append(1) or {"x": 1}, version=1)
    run_steps(DemoContext(quiet=True), ["fake_u"])
    mod = fake_step("fake_u", lambda ctx: loaded.append(2) or {"x": 2}, version=2)
    mod.unload = lambda ctx: unloaded.append(len(loaded))  # type: ignore[attr-defined]
    [result] = run_steps(DemoContext(quiet=True), ["fake_u"])
    assert result.status == "done", result.message
    assert loaded == [1, 2] and unloaded == [1]  # the old rows go before the new ones come
    step = DemoStep.objects.get(name="fake_u")
    assert step.version == 2 and step.counts == {"x": 2}


def test_bulk_create_and_scaled(db: Any) -> None:
    ctx = DemoContext(quiet=True, scale=0.01)
    assert ctx.scaled(40000) == 400 and ctx.scaled(44) == 1 and DemoContext().scaled(44) == 44
    region = Region.objects.get(pk="310115")
    from kechuang.core.identifiers import make_uscc

    rows = (Organisation(uscc=make_uscc(f"91310115{i:09d}"), name=f"b{i}", region=region) for i in range(25))
    created = ctx.bulk_create(Organisation, rows, total=25, batch_size=10)
    assert len(created) == 25 and all(o.pk for o in created)


def test_accounts_one_per_role_bound_to_showcase_organisations(db: Any) -> None:
    ctx = DemoContext(quiet=True, scale=0.002)
    results = {r.name: r.status for r in run_steps(ctx, ["core", "accounts"])}
    assert results == {"core": "done", "accounts": "done"}
    users = User.objects.filter(username__in=[a[0] for a in ACCOUNTS])
    assert sorted(u.role for u in users) == sorted(User.Role.values)
    for user in users:
        if user.role in User.ORGANISATION_ROLES:
            assert user.organisation is not None and user.organisation.is_synthetic is not None
        else:
            assert user.organisation is None
        assert user.check_password("kechuang2022")
    by_role = ctx.for_step("x").accounts
    assert by_role[User.Role.ENTERPRISE].organisation.kind == Organisation.Kind.ENTERPRISE
    assert by_role[User.Role.INSTITUTION].organisation.kind == Organisation.Kind.UNIVERSITY
    assert by_role[User.Role.ADMIN].is_superuser
