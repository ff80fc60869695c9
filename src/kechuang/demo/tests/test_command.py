"""`kechuang demo` end to end (without --serve): load, print accounts and figures, skip on a re-run."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.core.models import Organisation, User


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_command_loads_prints_accounts_and_skips_on_rerun(db: Any) -> None:
    first = _demo("--scale", "0.002", "--only", "core", "accounts", "--figures", "--verbosity", "0")
    assert "core" in first and "accounts" in first and "done" in first
    for username in ("visitor", "enterprise", "institution", "provider", "reviewer", "analyst", "admin"):
        assert f"  {username} " in first
    assert "kechuang2022" in first and "rd_claimants" in first
    n_orgs = Organisation.objects.count()
    second = _demo("--scale", "0.002", "--only", "core", "accounts", "--verbosity", "0")
    assert "skipped" in second and " done " not in second
    assert Organisation.objects.count() == n_orgs and User.objects.filter(username="enterprise").count() == 1
    third = _demo("--scale", "0.004", "--only", "core", "--verbosity", "0")
    assert "scale 0.002" in third  # a different scale does not silently mix two datasets


def test_demo_command_rejects_a_bad_scale(db: Any) -> None:
    with pytest.raises(CommandError, match="--scale"):
        _demo("--scale", "2")
