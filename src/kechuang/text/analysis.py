"""Text analysis shared by every index: one function turns free text into index terms.

    normalise   NFKC (full-width → half-width), case folding, traditional → simplified (OpenCC t2s)
    words       rjieba search-mode segmentation with the domain dictionary; CJK pieces the
                dictionary does not know become character bigrams; English words are stop-word
                filtered and Porter-stemmed
    grams       overlapping CJK character bigrams of every CJK run (dictionary-free recall)

Both the indexer and the query side call `analyse`, so a term can only match if both sides made it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import opencc
import rjieba

from .stemmer import stem

# A CJK run: unified ideographs (with extension A) and the compatibility block.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_CJK_RE = re.compile(rf"[{_CJK}]+")
_LATIN_WORD_RE = re.compile(r"[a-z0-9]+")

ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "may",
        "must",
        "shall",
        "upon",
        "via",
        "within",
        "without",
        "etc",
        "ie",
        "eg",
    ]
)

# Function words that carry no topic; segmentation emits them as single tokens.
CHINESE_STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "是",
        "在",
        "对",
        "为",
        "以",
        "于",
        "中",
        "将",
        "被",
        "把",
        "由",
        "从",
        "其",
        "之",
        "而",
        "并",
        "且",
        "也",
        "就",
        "都",
        "又",
        "这",
        "那",
        "个",
        "一",
        "一种",
        "一个",
        "我们",
        "你们",
        "他们",
        "它们",
        "本",
        "该",
        "此",
        "各",
        "有",
        "无",
        "不",
        "没有",
        "可",
        "可以",
        "能",
        "能够",
        "通过",
        "进行",
        "采用",
        "利用",
        "基于",
        "关于",
        "以及",
        "并且",
        "或者",
        "如何",
        "什么",
        "哪些",
        "需要",
        "希望",
        "要求",
        "我司",
        "公司",
        "问题",
        "方面",
        "相关",
    ]
)


@dataclass(frozen=True)
class Analysis:
    """Index terms of one text: `words` for the word field, `grams` for the bigram field."""

    words: list[str]
    grams: list[str]


_t2s_lock = threading.Lock()


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=2048)
def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation → ASCII), case folding, traditional → simplified.

    Cached: the same stored text is normalised again for every explanation that shows it."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    if _CJK_RE.search(text):
        with _t2s_lock:  # the OpenCC converter is not documented as thread-safe
            text = _t2s().convert(text)
    return text


_segmenter_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None


def domain_words() -> list[str]:
    """The committed domain dictionary (see data/README.md for its provenance)."""
    raw = resources.files("kechuang.text").joinpath("data/domain_dict.txt").read_text(encoding="utf-8")
    words = []
    for line in raw.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


def segmenter() -> rjieba.Jieba:
    """The rjieba segmenter with the domain dictionary loaded once per process."""
    global _segmenter
    if _segmenter is not None:  # fast path: no lock once loaded
        return _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            jieba = rjieba.Jieba()
            for word in domain_words():
                # A frequency high enough that the compound wins over its parts in the DAG.
                jieba.add_word(word, 2000, None)
            _segmenter = jieba
        return _segmenter


def char_bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of one CJK run; a single character stands for itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def english_terms(text: str) -> list[str]:
    """Lower-case English words minus stop words, Porter-stemmed; digits are kept as they are."""
    return [stem(w) for w in _LATIN_WORD_RE.findall(text) if w not in ENGLISH_STOP_WORDS]


def _cjk_words(run: str, jieba: rjieba.Jieba) -> list[str]:
    pieces = jieba.cut_for_search(run, False)
    out: list[str] = []
    singles: list[str] = []

    def flush() -> None:
        # Consecutive single characters are an unknown word the dictionary split apart: bigram them.
        if len(singles) >= 2:
            out.extend(char_bigrams("".join(singles)))
        elif singles and singles[0] not in CHINESE_STOP_WORDS:
            out.append(singles[0])
        singles.clear()

    for piece in pieces:
        if len(piece) == 1:
            if piece in CHINESE_STOP_WORDS:
                flush()
            else:
                singles.append(piece)
            continue
        flush()
        if piece in CHINESE_STOP_WORDS:
            continue
        out.append(piece)
    flush()
    return out


def analyse(text: str) -> Analysis:
    """Index terms for one text (document field or query)."""
    norm = normalise(text)
    jieba = segmenter()
    words: list[str] = []
    grams: list[str] = []
    for match in _RUN_RE.finditer(norm):
        run = match.group()
        if _CJK_RE.fullmatch(run):
            words.extend(_cjk_words(run, jieba))
            if len(run) > 1 or run not in CHINESE_STOP_WORDS:
                grams.extend(char_bigrams(run))
        else:
            terms = english_terms(run)
            words.extend(terms)
            grams.extend(terms)
    return Analysis(words=words, grams=grams)


def tokens(text: str) -> list[str]:
    """The word-field terms of `text` (what `analyse(text).words` gives)."""
    return analyse(text).words


def surface_forms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) spans of the original text, for highlighting matched terms.

    Spans are positions in `text` itself; each run is normalised on its own, which keeps positions
    stable because NFKC and t2s map one CJK character to one character for the scripts we index.
    """
    spans: list[tuple[int, int, str]] = []
    jieba = segmenter()
    for match in re.finditer(rf"[{_CJK}]+|[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+", text or ""):
        run = match.group()
        norm = normalise(run)
        if len(norm) != len(run):
            spans.append((match.start(), match.end(), norm))
            continue
        if _CJK_RE.fullmatch(norm):
            pos = 0
            for piece in jieba.cut(norm, False):
                spans.append((match.start() + pos, match.start() + pos + len(piece), piece))
                pos += len(piece)
        else:
            spans.append((match.start(), match.end(), stem(norm)))
    return spans
