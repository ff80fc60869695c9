"""`kechuang match`: ranked results with their explanations, only what the database lists as public."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kechuang.achievements import services as supply_services

from . import factories as f

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_match_prints_ranked_explained_results(other_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        battery = f.supply(other_org, trl=7)
        f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT, trl=3)
    text = _run("固态电池电解质", "--trl-min", "5", "--budget-max", "100000")
    first = text.splitlines()[0]
    assert first.startswith(" 1. [supply ") and battery.title in first
    assert "matched: " in text and "met: trl" in text and "missed: budget" in text and other_org.name in text
    rows = json.loads(_run("固态电池电解质", "--json", "--limit", "1"))
    assert rows[0]["id"] == battery.pk and rows[0]["matched_terms"] and rows[0]["lexical_rank"] == 1
    assert _run("量子引力波", "--kind", "expert") == "no results\n"


def test_match_hides_what_is_no_longer_public(other_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        battery = f.supply(other_org)
    # Archived in the database without the index hearing of it (e.g. a failed index write):
    type(battery).objects.filter(pk=battery.pk).update(status="archived")
    assert _run("固态电池电解质") == "no results\n"
    with django_capture_on_commit_callbacks(execute=True):
        supply_services.set_supply_status(None, battery, "published")
    assert battery.title in _run("固态电池电解质")


@pytest.mark.parametrize("args", [["x", "--limit", "0"], ["x", "--trl-min", "11"], ["x", "--budget-max", "abc"],
                                  ["x", "--budget-max", "-5"], ["x", "--hard", "colour"]])  # fmt: skip
def test_match_refuses_bad_options(args: list[str]) -> None:
    with pytest.raises(CommandError):
        _run(*args)
