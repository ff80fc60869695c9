"""Explanations: which query terms a document matched, and its text with those terms marked."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape

from kechuang.text.analysis import _CJK_RE, normalise
from kechuang.text.stemmer import stem

SNIPPET_CHARS = 180
_LATIN_RE = re.compile(r"[a-z0-9]+")


def _matched_in(query_words: list[str], query_grams: list[str], norm: str) -> list[str]:
    """Query terms present in the normalised document text, in query order; bigrams only where
    words found nothing. A CJK term is looked up as a substring (the query side already segmented
    it); an English term by the stems of the text's words."""
    stems = {stem(w) for w in _LATIN_RE.findall(norm)}

    def present(term: str) -> bool:
        return term in norm if _CJK_RE.search(term) else term in stems

    found = list(dict.fromkeys(w for w in query_words if present(w)))
    if not found:
        found = list(dict.fromkeys(g for g in query_grams if _CJK_RE.fullmatch(g) and g in norm))
    return found


def explain(
    title: str, keywords: list[str], text: str, query_words: list[str], query_grams: list[str]
) -> tuple[list[str], dict[str, str]]:
    """Matched terms, and the highlighted title and text snippet, of one hit: each field is
    normalised once and serves both."""
    title_norm = _normalised_with_offsets(title or "")
    text_norm = _normalised_with_offsets(text or "")
    body = " ".join([title_norm[0], normalise(" ".join(keywords)), text_norm[0]])
    matched = _matched_in(query_words, query_grams, body)
    return matched, {
        "title": highlight(title, matched, normalised=title_norm),
        "text": highlight(text, matched, window=SNIPPET_CHARS, normalised=text_norm),
    }


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """The text normalised character by character, and for each normalised character its source index."""
    whole = normalise(text)
    if len(whole) == len(text):
        # Nearly always: NFKC, case folding and t2s kept one character per character.
        return whole, list(range(len(text)))
    pieces: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).casefold()
        pieces.append(norm)
        offsets.extend([i] * len(norm))
    joined = "".join(pieces)
    converted = normalise(joined)
    # t2s is character-for-character for nearly all text; if a phrase conversion changed the
    # length, highlight on the unconverted form rather than misplace the marks.
    if len(converted) == len(joined):
        joined = converted
    return joined, offsets


def _spans(
    text: str, terms: list[str], normalised: tuple[str, list[int]] | None = None
) -> list[tuple[int, int]]:
    norm, offsets = normalised or _normalised_with_offsets(text)
    spans: list[tuple[int, int]] = []
    cjk_terms = [t for t in terms if _CJK_RE.search(t)]
    latin_terms = {t for t in terms if not _CJK_RE.search(t)}
    for term in sorted(cjk_terms, key=len, reverse=True):
        # str.find rather than a regex per term: each query brings new terms, so compiled
        # patterns would miss re's cache on nearly every hit.
        start = norm.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = norm.find(term, end)
    if latin_terms:
        for m in _LATIN_RE.finditer(norm):
            if m.group() in latin_terms or stem(m.group()) in latin_terms:
                spans.append((offsets[m.start()], offsets[m.end() - 1] + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(
    text: str, terms: list[str], window: int | None = None, normalised: tuple[str, list[int]] | None = None
) -> str:
    """HTML-escaped `text` with <mark> around the terms; with `window`, a snippet around the first match.

    `normalised` is `_normalised_with_offsets(text)` when the caller has it already."""
    text = text or ""
    spans = _spans(text, terms, normalised) if terms else []
    lo, hi = 0, len(text)
    if window is not None and len(text) > window:
        first = spans[0][0] if spans else 0
        lo = max(0, first - window // 4)
        hi = min(len(text), lo + window)
        spans = [(max(s, lo), min(e, hi)) for s, e in spans if e > lo and s < hi]
    out: list[str] = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in spans:
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:hi])))
    if hi < len(text):
        out.append("…")
    return "".join(out)
