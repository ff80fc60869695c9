"""Identifiers and rules of the technology supply: patent numbers, IPC classes, TRL, prices, modes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.achievements.models import (
    TechSupply,
    ipc_problem,
    normalise_ipc,
    normalise_patent_number,
    patent_number_problem,
)
from kechuang.core.identifiers import patent_check_character


@pytest.mark.parametrize(
    "number",
    ["CN114081026A", "CN215792497U", "CN111504366B", "cn 114081026 a", "ZL202110123456.7", "ZL 2021 1012 3456.7",
     "CN202110123456.7", "ZL98123456.9", "CN1234567A"],
)  # fmt: skip
def test_valid_chinese_patent_numbers(number: str) -> None:
    assert patent_number_problem(number) is None


@pytest.mark.parametrize(
    "number",
    [
        "ZL202110123456.8",
        "CN11408102A",
        "US10123456B2",
        "CN114081026",
        "ZL20211012345.7",
        "",
        "专利号",
        "CN114081026Z",
    ],
)
def test_invalid_chinese_patent_numbers(number: str) -> None:
    assert patent_number_problem(number) is not None


def test_check_character_follows_the_cnipa_rule() -> None:
    # 2·2+0·3+2·4+1·5+1·6+0·7+1·8+2·9+3·2+4·3+5·4+6·5 = 117 ≡ 7 (mod 11)
    assert patent_check_character("202110123456") == "7"
    assert "8" in str(patent_number_problem("ZL202110123456.8")) or "7" in str(
        patent_number_problem("ZL202110123456.8")
    )
    assert normalise_patent_number("zl 202110123456.7") == "ZL202110123456.7"


@pytest.mark.parametrize("symbol", ["H01L", "G06F17/30", "H01L 21/00", "a61k", "C12N15/113"])
def test_valid_ipc(symbol: str) -> None:
    assert ipc_problem(symbol) is None


@pytest.mark.parametrize("symbol", ["H1L", "Z01L", "H01", "H01L21", "H01L/00", "<script>", "H01L21/0"])
def test_invalid_ipc(symbol: str) -> None:
    assert ipc_problem(symbol) is not None


def test_ipc_is_normalised() -> None:
    assert normalise_ipc("h01l 021/00") == "H01L21/00"


@pytest.mark.django_db
def test_supply_rules_give_field_errors(own_org) -> None:  # type: ignore[no-untyped-def]
    s = TechSupply(owner=own_org, kind="patent", title="  ", trl=10, transfer_modes=["gift"],
                   ipc_classes=["H01L", "bad"], price_min=Decimal("5"), price_max=Decimal("1"))  # fmt: skip
    with pytest.raises(ValidationError) as err:
        s.full_clean()
    assert {"title", "trl", "transfer_modes", "ipc_classes", "patent_number", "price_max"} <= set(
        err.value.message_dict
    )


@pytest.mark.django_db
def test_patent_number_is_stored_normalised(own_org) -> None:  # type: ignore[no-untyped-def]
    s = TechSupply(
        owner=own_org, kind="patent", title="x", patent_number="zl 2021 1012 3456.7", ipc_classes=["h01l"]
    )
    s.full_clean()
    assert s.patent_number == "ZL202110123456.7" and s.ipc_classes == ["H01L"]
