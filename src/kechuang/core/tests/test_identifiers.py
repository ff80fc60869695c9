import pytest

from kechuang.core.identifiers import make_uscc, orcid_problem, uscc_check_character, uscc_problem

REAL_CODES = ["9144030071526726XG", "91330100716105852F", "914403001922038216"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    assert uscc_problem(code) is None
    assert uscc_problem(code.lower()) is None


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_single_character_change_is_caught(code):
    for i in range(18):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c == code[i]:
                continue
            changed = code[:i] + c + code[i + 1 :]
            if i == 17:
                assert uscc_problem(changed) is not None
            # A change elsewhere alters the expected check character (weights are coprime to 31).
            elif uscc_check_character(changed[:17]) == changed[17]:
                pytest.fail(f"{changed} slipped through")


def test_wrong_check_character_message_says_so():
    from django.utils import translation

    with translation.override("en"):
        msg = str(uscc_problem("91310000132149237H"))
    assert "check character" in msg and "G" in msg


@pytest.mark.parametrize(
    "bad", ["", "123", "91310000132149237GG", "9131000013214923IG", "9131000O132149237G"]
)
def test_malformed_codes_rejected(bad):
    assert uscc_problem(bad) is not None


def test_make_uscc_completes_prefix():
    assert make_uscc("91310000132149237") == "91310000132149237G"


def test_orcid_checksum():
    assert orcid_problem("0000-0002-1825-0097") is None
    assert orcid_problem("https://orcid.org/0000-0001-5109-3700") is None
    assert orcid_problem("0000-0002-1694-233X") is None
    assert orcid_problem("0000-0002-1825-0098") is not None
    assert orcid_problem("0000-0002-1825") is not None
