"""`kechuang policies check|simulate|parameters|proactive`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .conftest import YEAR
from .test_navigator import EXAMPLE

EXAMPLE_FILE = Path(__file__).resolve().parents[4] / "docs/examples/policies-check.json"


def run(*args: str) -> str:
    out = StringIO()
    call_command("policies", *args, stdout=out)
    return out.getvalue()


def test_check_json_gives_verdict_conditions_and_benefit_per_policy() -> None:
    result = json.loads(run("check", str(EXAMPLE_FILE), "--format", "json"))
    assert result["year"] == 2023  # the latest year in the file
    rdsd = next(p for p in result["policies"] if p["id"] == "rd_super_deduction")
    assert rdsd["verdict"] == "eligible" and rdsd["benefit"]["amount"] == "700000.00"
    assert {"value", "threshold", "state", "cite"} <= set(rdsd["conditions"][0])


def test_check_text_and_year_option() -> None:
    text = run("check", str(EXAMPLE_FILE), "--year", "2023")
    assert "== near_miss" in text and "near miss:" in text and "UNCONFIRMED" in text


def test_check_reports_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**EXAMPLE, "facts": {"colour": "red"}}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"facts\.colour"):
        run("check", str(bad))
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError):
        run("check", str(broken))


def test_simulate_synthetic_and_parameters() -> None:
    result = json.loads(
        run(
            "simulate",
            "--year",
            "2023",
            "--synthetic",
            "2000",
            "--set",
            "hnte.rd_ratio.mid_tier=0.03",
            "--format",
            "json",
        )
    )
    hnte = result["policies"]["hnte"]
    assert result["enterprises"] == 2000 and hnte["after"]["eligible"] >= hnte["before"]["eligible"]
    assert "hnte.rd_ratio.small_tier = 0.05" in run("parameters", "--year", "2023")
    with pytest.raises(CommandError, match=r"changes\.nope"):
        run("simulate", "--year", "2023", "--set", "nope=1")


def test_proactive_from_the_cli(own_firm) -> None:  # type: ignore[no-untyped-def]
    text = run("proactive", "--year", str(YEAR), "--notify")
    assert "1 enterprises, 0 screened out" in text and "1 enterprises notified" in text


def test_simulate_a_scoring_band() -> None:
    """Scales are parameters too: 4 → 20 points for a 10–15% S&T staff share lets more firms pass."""
    result = json.loads(run("simulate", "--year", "2023", "--synthetic", "3000", "--format", "json",
                            "--set", "tech_sme.score.st_staff_share.brackets.1.amount=20"))  # fmt: skip
    row = result["policies"]["tech_sme"]
    assert row["after"]["eligible"] > row["before"]["eligible"]
    assert "tech_sme.score.st_staff_share.brackets.1.amount = 4" in run("parameters", "--year", "2023")
