"""Text analysis: normalisation, t2s, segmentation with the domain dictionary, bigrams, English."""

from __future__ import annotations

import pytest

from kechuang.text.analysis import analyse, char_bigrams, domain_words, english_terms, normalise, tokens
from kechuang.text.stemmer import stem


def test_normalise_full_width_case_and_traditional() -> None:
    assert normalise("ＡＢＣ１２３ＸＹＺ") == "abc123xyz"
    assert normalise("量子計算與機器學習") == "量子计算与机器学习"
    assert normalise("Straße") == "strasse"  # case folding, not just lower()
    assert normalise("") == ""


def test_domain_dictionary_keeps_technical_terms_whole() -> None:
    words = domain_words()
    assert len(words) > 10_000
    # "丝光沸石" (mordenite) is in the CSL keyword dictionary; rjieba alone splits it.
    assert "丝光沸石" in words
    assert "丝光沸石" in tokens("一种丝光沸石催化剂")


def test_chinese_tokens_drop_function_words() -> None:
    assert tokens("量子点发光二极管的制备方法") == [
        "量子",
        "量子点",
        "发光",
        "二极管",
        "发光二极管",
        "制备",
        "方法",
        "制备方法",
    ]


def test_unknown_single_characters_become_bigrams() -> None:
    # 钪钇 are split into single characters by the segmenter: they are indexed as a bigram.
    assert "钪钇" in tokens("钪钇合金")


def test_char_bigrams() -> None:
    assert char_bigrams("量子点") == ["量子", "子点"]
    assert char_bigrams("量") == ["量"]
    assert char_bigrams("") == []
    assert analyse("量子点 的").grams == ["量子", "子点"]


def test_english_stop_words_and_stemming() -> None:
    assert english_terms("the connected networks are running") == ["connect", "network", "run"]
    assert tokens("Experimental Investigation of the Aerodynamics") == ["experiment", "investig", "aerodynam"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("caresses", "caress"),
        ("ponies", "poni"),
        ("cats", "cat"),
        ("feed", "feed"),
        ("agreed", "agre"),
        ("plastered", "plaster"),
        ("motoring", "motor"),
        ("hopping", "hop"),
        ("filing", "file"),
        ("happy", "happi"),
        ("relational", "relat"),
        ("conditional", "condit"),
        ("digitizer", "digit"),
        ("hopefulness", "hope"),
        ("electrical", "electr"),
        ("adjustment", "adjust"),
        ("adoption", "adopt"),
        ("controll", "control"),
        ("generalizations", "gener"),
        ("as", "as"),
    ],
)
def test_porter_stemmer_reference_pairs(word: str, expected: str) -> None:
    # Pairs from Porter's 1980 paper and the reference implementation's vocabulary.
    assert stem(word) == expected


def test_mixed_scripts_emoji_and_markup() -> None:
    result = analyse("<b>GPU</b>加速😀的有限元分析 FEM")
    assert "gpu" in result.words and "fem" in result.words and "有限元" in result.words
    assert all("<" not in t and "😀" not in t for t in result.words + result.grams)


def test_analysis_is_the_same_for_query_and_document() -> None:
    assert analyse("量子點").words == analyse("量子点").words
